/*
 * Private to the replay target (replay_target.c, replay_reverse.c,
 * replay_crash.c): the helpers they share to talk to QEMU and to tell GDB
 * about a stop.
 */
#ifndef UNISCOPE_INTROSPECT_REPLAY_INTERNAL_H
#define UNISCOPE_INTROSPECT_REPLAY_INTERNAL_H

#include "replay_target.h"

#define REPLAY_STALL_MS 10000 /* running, and the instruction count stands still: stalled */

/* Keeps err's message for `monitor replay` and destroys it. */
void replay_note(struct us_replay_target *rt, struct us_error *err);
/* The vCPU's rip, 0 when unreadable (noted). */
uint64_t replay_pc(struct us_replay_target *rt);
/* A packet QEMU must answer "OK". */
struct us_error *replay_qemu_ok(struct us_replay_target *rt, const char *packet);
/*
 * A resume packet and its stop reply in reply, waiting as long as the
 * replay moves: an error when it stalls (a log that does not fit).
 */
struct us_error *replay_run(struct us_replay_target *rt, const char *packet, char *reply,
			    size_t cap);
/* replay_break ICOUNT, then c: the replay stops there (a T02). */
struct us_error *replay_run_to(struct us_replay_target *rt, uint64_t icount);
/* Refreshes the view of the guest and fills the stop GDB is told. */
void replay_stop_for_gdb(struct us_replay_target *rt, uint8_t signal, uint8_t reason,
			 struct gdb_stop *out);
uint8_t replay_watch_reason(const char *kind);
/* An image symbol's address, 0 when it has none. */
uint64_t replay_symbol(const struct us_replay_target *rt, const char *name);

/* replay_crash.c: the hidden crash breakpoints, in or out; the stop at a crash. */
void replay_set_crash_bps(struct us_replay_target *rt, bool insert);
const struct us_replay_crash_bp *replay_crash_bp_at(const struct us_replay_target *rt,
						    uint64_t pc);
void replay_crash_stop(struct us_replay_target *rt, const struct us_replay_crash_bp *bp,
		       struct gdb_stop *out);

/* replay_reverse.c, each done by the time it returns. */
/* A fresh QEMU, replayed to icount, with GDB's breakpoints in. */
struct us_error *replay_restart_at(struct us_replay_target *rt, uint64_t icount);
void replay_reverse_step(struct us_replay_target *rt, struct gdb_stop *out);
void replay_reverse_continue(struct us_replay_target *rt, struct gdb_stop *out);

#endif
