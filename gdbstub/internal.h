/*
 * Private to gdbstub/: the pieces the engine's files share.
 *
 * framer.c   RSP framing: the receive state machine (public: gdbstub.h)
 * engine.c   the public entry points: bytes in, packets to the command table
 * rx.c       received bytes: acks, interrupts, packets to answer, new clients
 * reply.c    replies: builder, framing, acks sent, retransmission
 * session.c  what a new connection, detach or kill resets
 * console.c  'O' packets: monitor output, the shared printf
 * hex.c      hex and number parsing/formatting over bounded cursors
 * commands.c the command table and the small session commands
 * regs.c     g G p P
 * tdesc.c    the target description the register numbers come from
 * memory.c   m M X
 * threads.c  H T qC thread lists, qThreadExtraInfo, the qXfer:threads document
 * window.c   the windowed writer of generated documents
 * qxfer.c    qXfer dispatch
 * vfile.c    vFile host I/O: the target's memory map as /proc/PID/maps
 * resume.c   c C s S vCont bc bs, stop replies
 * breakpoints.c Z z
 *
 * Calls go one way, down this list's dependencies: engine -> rx -> commands;
 * commands -> the handlers; handlers -> reply, window, console. Nothing
 * below calls back up.
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

/* rx.c: one received byte; returns enum gdb_event bits */
unsigned gdb_rx_byte(struct gdb_engine *e, uint8_t byte);

/* reply.c */
void gdb_send_ack(struct gdb_engine *e, char ack);
void gdb_tx_acked(struct gdb_engine *e);
void gdb_retransmit(struct gdb_engine *e);
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

/* session.c */
void gdb_session_reset(struct gdb_engine *e);

/* console.c */
void gdb_console_flush(struct gdb_engine *e);

/*
 * Command handlers: args holds what follows the table prefix. Each sends
 * exactly one reply (or none when it resumes or kills) and returns
 * enum gdb_event bits.
 */
typedef unsigned gdb_handler(struct gdb_engine *e, struct gdb_cursor *args);

/* regs.c */
gdb_handler gdb_cmd_read_registers, gdb_cmd_write_registers;
gdb_handler gdb_cmd_read_register, gdb_cmd_write_register;

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

/* window.c: a window [offset, offset + length) over a generated document */
struct gdb_window {
	uint64_t offset;
	uint64_t length;
	uint64_t pos;   /* bytes generated so far */
	bool full;      /* nothing more fits in this reply */
	bool more;      /* bytes exist past what was sent */
	uint8_t *buffer; /* gdb_window_begin_buffer(): the bytes go here */
	size_t buffered;
};
void gdb_window_begin(struct gdb_engine *e, struct gdb_window *w);
void gdb_window_begin_buffer(struct gdb_engine *e, struct gdb_window *w, uint8_t *buffer);
size_t gdb_window_buffered(const struct gdb_window *w);
void gdb_window_put(struct gdb_engine *e, struct gdb_window *w, const char *text, size_t len);
void gdb_window_put_str(struct gdb_engine *e, struct gdb_window *w, const char *text);
void gdb_window_put_xml_text(struct gdb_engine *e, struct gdb_window *w, const char *text,
			     size_t max);
bool gdb_window_done(const struct gdb_window *w);
void gdb_window_send(struct gdb_engine *e, const struct gdb_window *w);

/* tdesc.c: the register table, and the target description made from it */
enum gdb_reg_source {
	GDB_REG_GPR,      /* struct uniscope_regs, `offset` into it */
	GDB_REG_FPU,      /* struct uniscope_fxsave, `offset` into it, src_size bytes */
	GDB_REG_FTAG,     /* GDB's full tag word, from FXSAVE's abridged one */
	GDB_REG_ORIG_RAX, /* always -1 */
	GDB_REG_YMMH,     /* gdb_fpu_state.ymm_hi, `offset` into it */
};
struct gdb_reg { /* its name and type: only in the target description (tdesc.c) */
	uint8_t feature;
	uint8_t source;   /* enum gdb_reg_source */
	uint8_t size;     /* bytes on the wire */
	uint8_t src_size; /* bytes where it is held (zero-extended to size) */
	uint16_t offset;
};
#define GDB_NR_G_REGS 26 /* the 'g' packet: remote registers 0..25 */
/* The register with that remote number, NULL past the last. */
const struct gdb_reg *gdb_reg(struct gdb_engine *e, uint64_t regnum);
void gdb_tdesc_xml(struct gdb_engine *e, struct gdb_window *w);

/* threads.c */
void gdb_threads_xml(struct gdb_engine *e, struct gdb_window *w);

/* qxfer.c */
gdb_handler gdb_cmd_qxfer_features, gdb_cmd_qxfer_threads;

/* vfile.c: /proc/PID/maps for GDB's host I/O */
gdb_handler gdb_cmd_vfile_setfs, gdb_cmd_vfile_open, gdb_cmd_vfile_pread, gdb_cmd_vfile_close;
/* tls.c */
gdb_handler gdb_cmd_tls_address;

/* resume.c */
gdb_handler gdb_cmd_continue, gdb_cmd_continue_signal, gdb_cmd_step, gdb_cmd_step_signal;
gdb_handler gdb_cmd_vcont_query, gdb_cmd_vcont, gdb_cmd_stop_reason, gdb_cmd_thread_stop_info;
gdb_handler gdb_cmd_reverse_continue, gdb_cmd_reverse_step;
void gdb_send_stop_reply(struct gdb_engine *e, const struct gdb_stop *stop);

/* breakpoints.c */
gdb_handler gdb_cmd_insert_breakpoint, gdb_cmd_remove_breakpoint;

#endif
