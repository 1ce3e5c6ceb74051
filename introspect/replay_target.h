/*
 * Execution control over a replayed recording, layered on the host GDB
 * target (gdbtarget.h): GDB sees the libOS threads as `uniscope gdbserver`
 * shows them — names, states, registers, memory, monitor commands, all
 * read from the guest — and its continue, stepi, breakpoints, watchpoints
 * and reverse-continue/stepi (bc/bs) go to QEMU's own gdbstub, which runs
 * the replay forwards and backwards.
 *
 *	GDB --RSP--> engine --ops--> us_replay_target --+--> us_gdb_target (threads, memory)
 *	                                                 +--> QEMU gdbstub (c s bs Z z qRcmd)
 *
 * QEMU knows one vCPU; GDB is told the thread that was on it at each stop.
 *
 * Going back is not QEMU's bs and bc: in QEMU 7.2 both load the snapshot
 * a recording starts from while the vCPU thread may be waiting for the
 * replay lock, and now and then deadlock (bc every few tries, from a timer
 * callback; the monitor's replay_seek too). So a recording takes no
 * snapshot, and going back is replaying forward in a fresh QEMU from the
 * first instruction to where it must stop (replay_break), which QEMU does
 * reliably: a reverse-stepi to the count before; a reverse-continue once
 * to where GDB stands with GDB's breakpoints and watchpoints in, noting
 * the last hit, and once more to that hit. A watchpoint hits once its
 * write is done: the replay stops one instruction earlier, on the
 * instruction that writes, with the old value in memory, as GDB expects
 * of a reverse watchpoint (replay_reverse.c). Going back costs a replay
 * from the start; a Ctrl-C does not interrupt it.
 *
 * Three more things QEMU does not do, done here:
 *
 *	the crash    forward continues carry hidden breakpoints on the entries
 *	             of the fatal CPU exception vectors and on panic() and
 *	             __assert_fail(). At a fault the replay is run again to
 *	             the fault's instruction count, so it stops *at* the
 *	             faulting instruction with the registers it faulted with,
 *	             and GDB hears SIGSEGV (SIGFPE, SIGILL, SIGBUS) from that
 *	             thread; at a panic it hears SIGABRT in panic().
 *	             Continuing from there lets the crash happen.
 *	the end      the recorded run ended in a shutdown that a replay cannot
 *	             come back from (QEMU aborts), so forward execution stops
 *	             one instruction short of it (replay_break) and GDB hears
 *	             "replaylog:end": "No more reverse-execution history."
 *	the start    the replay starts where the libOS enters 64-bit code
 *	             (boot_main): before it there are no threads, no paging,
 *	             nothing a host tool can read. Going back past it, or a
 *	             reverse-continue that finds no breakpoint, ends there:
 *	             "replaylog:begin".
 *
 * Every stop re-opens the libuniscope target on the session, so the thread
 * list, descriptor and registers are what guest memory says at that point
 * of the replay.
 */
#ifndef UNISCOPE_INTROSPECT_REPLAY_TARGET_H
#define UNISCOPE_INTROSPECT_REPLAY_TARGET_H

#include <stdbool.h>
#include <stdint.h>
#include <uniscope/gdbstub.h>
#include "gdbtarget.h"
#include "qemu_gdb.h"

#define US_REPLAY_MAX_CRASH_BPS 24
#define US_REPLAY_MAX_USER_BPS 64

/* What QEMU was last asked to do (going back is done by the time it is asked). */
enum us_replay_motion {
	US_REPLAY_STOPPED = 0,
	US_REPLAY_CONTINUE,
	US_REPLAY_STEP,
};

struct us_replay_crash_bp {
	uint64_t addr;
	int vector; /* CPU exception vector, or -1 for a panic function */
};

/* GDB's breakpoints, kept so that a debugger that leaves takes them along. */
struct us_replay_user_bp {
	uint8_t type;
	uint64_t addr;
	uint32_t kind;
};

/* A new QEMU replaying from the start, stopped at its first instruction; the old one is gone. */
typedef struct us_error *us_replay_restart_fn(void *ctx, struct us_qemu_gdb **q);

struct us_replay_target {
	struct us_gdb_target g;   /* first: us_gdb_target_ops take the same ctx */
	char spec[4200];          /* the session, reopened at every stop */
	char qmp_path[4200];      /* its QMP socket: how far the replay got, without stopping it */
	uint64_t seen_icount;     /* progress watch: the count last seen, and when it changed */
	uint64_t seen_ms;
	struct us_target_options opts;
	struct us_qemu_gdb *q;    /* QEMU's gdbstub */
	us_replay_restart_fn *restart;
	void *restart_ctx;
	struct us_symbols *syms;  /* of the image: the crash and start addresses */
	uint64_t start_icount;    /* history begins here (boot_main) */
	uint64_t end_icount;      /* forward execution stops here */
	uint64_t icount;          /* where the replay stands (at the last stop) */
	uint64_t crash_icount;    /* where the crash stop was made, 0 before one */
	enum us_replay_motion motion;
	bool interrupted;         /* we sent Ctrl-C */
	bool pending;             /* a stop to report without running (end, start) */
	uint8_t pending_reason;   /* its reason; NONE: pending_stop, a reverse-continue's */
	struct gdb_stop pending_stop;
	struct us_replay_crash_bp crash_bps[US_REPLAY_MAX_CRASH_BPS];
	unsigned nr_crash_bps;
	bool crash_bps_inserted;
	struct us_replay_user_bp user_bps[US_REPLAY_MAX_USER_BPS];
	unsigned nr_user_bps;
	uint64_t reverse_hits;    /* hits the last reverse-continue went through */
	char problem[256];        /* the last thing that went wrong, for `monitor replay` */
};

/* The engine's operations for a us_replay_target context. */
const struct gdb_target_ops *us_replay_target_ops(void);

/*
 * Takes over q, runs the replay (stopped at its first instruction) to
 * the libOS's start and opens the libuniscope target on spec (a session).
 * opts->image is required. end_icount: the last instruction count the
 * replay may reach (recording.h's end_icount - 1).
 */
struct us_error *us_replay_target_init(struct us_replay_target *rt, const char *spec,
				       const struct us_target_options *opts,
				       struct us_qemu_gdb *q, uint64_t end_icount,
				       us_replay_restart_fn *restart, void *restart_ctx);
void us_replay_target_fini(struct us_replay_target *rt);
/* The replay's current instruction count (QEMU's `info replay`). */
struct us_error *us_replay_target_icount(struct us_replay_target *rt, uint64_t *icount);
/* The first stop, before GDB asks anything. */
void us_replay_target_attach(struct us_replay_target *rt, struct gdb_stop *out);
/* After a resume: true when the stop is already known (nothing ran). */
bool us_replay_target_pending(struct us_replay_target *rt, struct gdb_stop *out);
/* QEMU's stop reply to the last resume arrived: what GDB is told. */
void us_replay_target_stopped(struct us_replay_target *rt, const char *reply,
			      struct gdb_stop *out);
/* GDB sent Ctrl-C while running. */
void us_replay_target_interrupt(struct us_replay_target *rt);
/*
 * While running, now and then: false once the replay's instruction count
 * stood still for REPLAY_STALL_MS (10 s) — a log that does not fit the run
 * it replays; the problem is noted for `monitor replay`.
 */
bool us_replay_target_moving(struct us_replay_target *rt);

#endif
