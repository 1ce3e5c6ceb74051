/*
 * Private to gdbstub/: the pieces the engine's files share.
 *
 * packet.c   framing: receive state machine, reply builder, acks
 * hex.c      hex and number parsing/formatting over bounded cursors
 * commands.c the command table and the small session commands
 * regs.c     g G p P and the target description
 * memory.c   m M X
 * threads.c  H T qC thread lists, qThreadExtraInfo, qXfer:threads
 * qxfer.c    qXfer dispatch and the windowed document writer
 * resume.c   c C s S vCont bc bs, stop replies
 * breakpoints.c Z z
 */
#ifndef UNISCOPE_GDBSTUB_INTERNAL_H
#define UNISCOPE_GDBSTUB_INTERNAL_H

#include <string.h>

#include <uniscope/gdbstub.h>

/* A bounded view of a packet's arguments; parsers consume from p. */
struct gdb_cursor {
	const char *p;
	const char *end;
};

/* hex.c */
bool gdb_cursor_done(const struct gdb_cursor *c);
size_t gdb_cursor_left(const struct gdb_cursor *c);
bool gdb_parse_char(struct gdb_cursor *c, char ch);
bool gdb_parse_prefix(struct gdb_cursor *c, const char *prefix);
bool gdb_parse_hex_u64(struct gdb_cursor *c, uint64_t *value);
bool gdb_parse_tid(struct gdb_cursor *c, int64_t *tid);
bool gdb_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t out_len);
size_t gdb_format_hex_u64(char *out, uint64_t value);  /* out: 16 chars */
size_t gdb_format_decimal(char *out, uint64_t value);  /* out: 20 chars */

/* packet.c */
unsigned gdb_rx_byte(struct gdb_engine *e, uint8_t byte);
void gdb_reply_begin(struct gdb_engine *e);
void gdb_reply_append(struct gdb_engine *e, const char *text, size_t len);
void gdb_reply_str(struct gdb_engine *e, const char *text);
void gdb_reply_hex_bytes(struct gdb_engine *e, const void *bytes, size_t len);
void gdb_reply_hex_u64(struct gdb_engine *e, uint64_t value);
void gdb_reply_le(struct gdb_engine *e, uint64_t value, size_t bytes);
void gdb_reply_tid(struct gdb_engine *e, int64_t tid);
size_t gdb_reply_room(const struct gdb_engine *e);
bool gdb_reply_binary_byte(struct gdb_engine *e, uint8_t byte);
void gdb_reply_send(struct gdb_engine *e);
void gdb_send_str(struct gdb_engine *e, const char *text);
void gdb_send_ok(struct gdb_engine *e);
void gdb_send_empty(struct gdb_engine *e);
void gdb_send_error(struct gdb_engine *e, int err);
void gdb_send_failure(struct gdb_engine *e, int err);

/* commands.c */
unsigned gdb_dispatch(struct gdb_engine *e, const char *payload, size_t len);
void gdb_console_flush(struct gdb_engine *e);
void gdb_session_reset(struct gdb_engine *e);

/*
 * Command handlers: args holds what follows the table prefix. Each sends
 * exactly one reply (or none when it resumes or kills) and returns
 * enum gdb_event bits.
 */
typedef unsigned gdb_handler(struct gdb_engine *e, struct gdb_cursor *args);

/* regs.c */
gdb_handler gdb_cmd_read_registers, gdb_cmd_write_registers;
gdb_handler gdb_cmd_read_register, gdb_cmd_write_register;
extern const char gdb_target_xml[];
size_t gdb_target_xml_len(void);

/* memory.c */
gdb_handler gdb_cmd_read_memory, gdb_cmd_write_memory_hex, gdb_cmd_write_memory_binary;

/* threads.c */
gdb_handler gdb_cmd_set_thread, gdb_cmd_thread_alive, gdb_cmd_current_thread;
gdb_handler gdb_cmd_thread_list_first, gdb_cmd_thread_list_next;
gdb_handler gdb_cmd_thread_extra_info;
int64_t gdb_first_thread(struct gdb_engine *e);
int64_t gdb_resolve_tid(struct gdb_engine *e, int64_t selected);
bool gdb_thread_exists(struct gdb_engine *e, int64_t tid);
bool gdb_thread_info(struct gdb_engine *e, int64_t tid, struct gdb_thread_info *info);

/* qxfer.c: a window [offset, offset + length) over a generated document */
struct gdb_window {
	uint64_t offset;
	uint64_t length;
	uint64_t pos;   /* bytes generated so far */
	bool full;      /* nothing more fits in this reply */
	bool more;      /* bytes exist past what was sent */
};
gdb_handler gdb_cmd_qxfer_features, gdb_cmd_qxfer_threads;
void gdb_window_put(struct gdb_engine *e, struct gdb_window *w, const char *text, size_t len);
void gdb_window_put_str(struct gdb_engine *e, struct gdb_window *w, const char *text);
void gdb_window_put_xml_text(struct gdb_engine *e, struct gdb_window *w, const char *text,
			     size_t max);
bool gdb_window_done(const struct gdb_window *w);
void gdb_threads_xml(struct gdb_engine *e, struct gdb_window *w);

/* resume.c */
gdb_handler gdb_cmd_continue, gdb_cmd_continue_signal, gdb_cmd_step, gdb_cmd_step_signal;
gdb_handler gdb_cmd_vcont_query, gdb_cmd_vcont, gdb_cmd_stop_reason;
gdb_handler gdb_cmd_reverse_continue, gdb_cmd_reverse_step;
void gdb_send_stop_reply(struct gdb_engine *e, const struct gdb_stop *stop);

/* breakpoints.c */
gdb_handler gdb_cmd_insert_breakpoint, gdb_cmd_remove_breakpoint;

#endif
