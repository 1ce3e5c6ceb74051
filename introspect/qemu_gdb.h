/*
 * A client of QEMU's own gdbstub (-gdb unix:PATH): the remote protocol
 * spoken from our side, for what only QEMU can do — run the vCPU forwards
 * and, in a replay, backwards (bc/bs), with its breakpoints and
 * watchpoints, and its monitor (qRcmd: `info replay`, `replay_break`).
 *
 * The connection stays in ack mode ('+' for every packet, both ways):
 * simple, and nothing here is chatty enough to need more. Commands wait for
 * their reply with a timeout; a resume packet (c, s, bc, bs) returns at
 * once and its stop reply is collected later with us_qemu_gdb_poll_stop(),
 * when the descriptor polls readable (or bytes are buffered), or
 * us_qemu_gdb_wait_stop().
 *
 * What QEMU sends is untrusted like any other input: packets are bounded
 * (US_QEMU_GDB_PACKET_MAX), checksums checked, and a peer that goes
 * silent ends in a timeout error, never a hang.
 */
#ifndef UNISCOPE_INTROSPECT_QEMU_GDB_H
#define UNISCOPE_INTROSPECT_QEMU_GDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"

#define US_QEMU_GDB_PACKET_MAX 8192
#define US_QEMU_GDB_TIMEOUT_MS 10000

struct us_qemu_gdb;

struct us_error *us_qemu_gdb_connect(const char *socket_path, struct us_qemu_gdb **out);
void us_qemu_gdb_close(struct us_qemu_gdb *q);
/* To poll for the stop reply of a resume: readable, or bytes already buffered. */
int us_qemu_gdb_fd(const struct us_qemu_gdb *q);
bool us_qemu_gdb_buffered(const struct us_qemu_gdb *q);

/* A packet with one reply (not a resume): reply NUL-terminated in out. */
struct us_error *us_qemu_gdb_command(struct us_qemu_gdb *q, const char *packet, char *out,
				     size_t cap);
/* A monitor command (qRcmd): its text output in out, NUL-terminated. */
struct us_error *us_qemu_gdb_monitor(struct us_qemu_gdb *q, const char *command, char *out,
				     size_t cap);
/* A register by its number in the x86-64 layout, 0 (rax) to 16 (rip); 7 is rsp. */
struct us_error *us_qemu_gdb_register(struct us_qemu_gdb *q, unsigned regnum, uint64_t *value);
struct us_error *us_qemu_gdb_read(struct us_qemu_gdb *q, uint64_t addr, void *buf, size_t len);

/* Sends a resume packet; no reply until the vCPU stops. */
struct us_error *us_qemu_gdb_resume(struct us_qemu_gdb *q, const char *packet);
/* Ctrl-C while running: the stop reply follows. */
struct us_error *us_qemu_gdb_interrupt(struct us_qemu_gdb *q);
/*
 * Reads what arrived without blocking; *got tells whether a stop reply
 * is complete (then in out). An error when QEMU went away.
 */
struct us_error *us_qemu_gdb_poll_stop(struct us_qemu_gdb *q, char *out, size_t cap, bool *got);
/* Blocks up to timeout_ms for the stop reply of the last resume. */
struct us_error *us_qemu_gdb_wait_stop(struct us_qemu_gdb *q, int timeout_ms, char *out,
				       size_t cap);

/*
 * A stop reply ("T05thread:01;watch:1234;...", "S05", "W00", "X0b") taken
 * apart: kind 'T', 'S', 'W' or 'X', the signal (or exit status) and, for
 * a watchpoint, its kind (GDB's reason key: "watch", "rwatch", "awatch")
 * and address. False when reply is not a stop reply.
 */
struct us_qemu_stop {
	char kind;
	uint8_t signal;
	char watch[8]; /* "" when no watchpoint triggered */
	uint64_t watch_addr;
};
bool us_qemu_gdb_parse_stop(const char *reply, struct us_qemu_stop *out);

#endif
