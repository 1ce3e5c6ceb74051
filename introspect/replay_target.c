/*
 * Execution control over a replay (see replay_target.h): the gdb target
 * operations that go to QEMU's gdbstub, the start and end of history, how
 * far the replay got, and the stop as GDB is told it. Threads, registers,
 * memory and `monitor ps|log|heap` are the host GDB target's (gdbtarget.c),
 * reached through its operations table. Going back is replay_reverse.c's,
 * the crash stop replay_crash.c's.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "qmp.h"
#include "replay_internal.h"
#include "clock.h"

#define REG_RIP 16
#define START_SYMBOL "boot_main"

void replay_note(struct us_replay_target *rt, struct us_error *err)
{
	if (!err)
		return;
	snprintf(rt->problem, sizeof(rt->problem), "%s", err->message);
	us_error_destroy(err);
}

/* ---- talking to QEMU -------------------------------------------------- */

struct us_error *replay_qemu_ok(struct us_replay_target *rt, const char *packet)
{
	char reply[64];
	struct us_error *err = us_qemu_gdb_command(rt->q, packet, reply, sizeof(reply));

	if (!err && strcmp(reply, "OK"))
		err = us_error_create(US_ERR_OTHER, "QEMU answered '%s' to '%s'", reply, packet);
	return err;
}

struct us_error *us_replay_target_icount(struct us_replay_target *rt, uint64_t *icount)
{
	char text[512];
	const char *at;
	struct us_error *err = us_qemu_gdb_monitor(rt->q, "info replay", text, sizeof(text));

	if (err)
		return err;
	if (!(at = strstr(text, "instruction count = ")))
		return us_error_create(US_ERR_INVALID, "QEMU is not replaying: '%.80s'", text);
	*icount = strtoull(at + strlen("instruction count = "), NULL, 10);
	return NULL;
}

uint64_t replay_pc(struct us_replay_target *rt)
{
	uint64_t pc = 0;

	replay_note(rt, us_qemu_gdb_register(rt->q, REG_RIP, &pc));
	return pc;
}

static struct us_error *set_replay_break(struct us_replay_target *rt, uint64_t icount)
{
	char command[64], out[256];

	snprintf(command, sizeof(command), "replay_break %llu", (unsigned long long)icount);
	return us_qemu_gdb_monitor(rt->q, command, out, sizeof(out));
}

/* The instruction count through QMP: asking the gdbstub would stop the replay. */
static struct us_error *running_icount(struct us_replay_target *rt, uint64_t *icount)
{
	struct us_qmp *qmp;
	struct us_error *err = us_qmp_connect(rt->qmp_path, &qmp);

	if (err)
		return err;
	err = us_qmp_query_replay_icount(qmp, icount);
	us_qmp_close(qmp);
	return err;
}

bool us_replay_target_moving(struct us_replay_target *rt)
{
	uint64_t icount = 0;
	struct us_error *err = running_icount(rt, &icount);

	if (err) {
		replay_note(rt, err);
		return true; /* no evidence of a stall */
	}
	if (icount != rt->seen_icount || !rt->seen_ms) {
		rt->seen_icount = icount;
		rt->seen_ms = us_now_ms();
		return true;
	}
	if (us_now_ms() - rt->seen_ms < REPLAY_STALL_MS)
		return true;
	snprintf(rt->problem, sizeof(rt->problem), "the replay stalled at instruction %llu: the log "
		 "does not fit the run it replays", (unsigned long long)icount);
	return false;
}

struct us_error *replay_run(struct us_replay_target *rt, const char *packet, char *reply,
			    size_t cap)
{
	struct us_error *err = us_qemu_gdb_resume(rt->q, packet);
	bool got = false;

	rt->seen_ms = 0;
	while (!err && !got) {
		struct pollfd p = { .fd = us_qemu_gdb_fd(rt->q), .events = POLLIN };
		if (!us_qemu_gdb_buffered(rt->q) && poll(&p, 1, 1000) == 0 && !us_replay_target_moving(rt)) {
			us_error_destroy(us_qemu_gdb_interrupt(rt->q));
			us_error_destroy(us_qemu_gdb_wait_stop(rt->q, US_QEMU_GDB_TIMEOUT_MS, reply, cap));
			return us_error_create(US_ERR_INVALID, "%s", rt->problem);
		}
		err = us_qemu_gdb_poll_stop(rt->q, reply, cap, &got);
	}
	return err;
}

struct us_error *replay_run_to(struct us_replay_target *rt, uint64_t icount)
{
	char reply[256];
	struct us_error *err = set_replay_break(rt, icount);

	return err ? err : replay_run(rt, "c", reply, sizeof(reply));
}

uint64_t replay_symbol(const struct us_replay_target *rt, const char *name)
{
	const struct us_symbol *sym = us_symbols_by_name(rt->syms, name);

	return sym ? sym->address : 0;
}

/* ---- stops --------------------------------------------------------- */

/* A fresh look at the guest: the replay moved, so everything may differ. */
static void refresh(struct us_replay_target *rt)
{
	struct us_target *t;
	struct us_error *err = us_target_open(rt->spec, &rt->opts, &t);

	if (err) {
		replay_note(rt, err); /* keep the old view: better than none */
	} else {
		us_gdb_target_fini(&rt->g);
		us_target_close(rt->g.t);
		rt->g.t = t;
	}
	replay_note(rt, us_gdb_target_stop(&rt->g));
	replay_note(rt, us_replay_target_icount(rt, &rt->icount));
}

void replay_stop_for_gdb(struct us_replay_target *rt, uint8_t signal, uint8_t reason,
			 struct gdb_stop *out)
{
	refresh(rt);
	us_gdb_target_stop_reply(&rt->g, signal, out);
	out->signal = signal; /* the panic record's signal is for where the guest died, not here */
	out->reason = reason;
}

uint8_t replay_watch_reason(const char *kind)
{
	if (!strcmp(kind, "rwatch"))
		return GDB_REASON_RWATCH;
	if (!strcmp(kind, "awatch"))
		return GDB_REASON_AWATCH;
	return kind[0] ? GDB_REASON_WATCH : GDB_REASON_NONE;
}

void us_replay_target_stopped(struct us_replay_target *rt, const char *reply, struct gdb_stop *out)
{
	enum us_replay_motion motion = rt->motion;
	const struct us_replay_crash_bp *bp;
	struct us_qemu_stop s;
	bool was_interrupted = rt->interrupted;

	rt->motion = US_REPLAY_STOPPED;
	rt->interrupted = false;
	if (!us_qemu_gdb_parse_stop(reply, &s) || s.kind == 'W' || s.kind == 'X') {
		snprintf(rt->problem, sizeof(rt->problem), "QEMU ended the replay ('%.40s')", reply);
		*out = (struct gdb_stop){ .kind = GDB_STOP_EXITED };
		return;
	}
	bp = motion == US_REPLAY_CONTINUE && rt->crash_bps_inserted ? replay_crash_bp_at(rt, replay_pc(rt))
								     : NULL;
	replay_set_crash_bps(rt, false);
	if (bp) {
		replay_crash_stop(rt, bp, out);
	} else {
		replay_stop_for_gdb(rt, was_interrupted ? GDB_SIGNAL_INT : GDB_SIGNAL_TRAP,
				    replay_watch_reason(s.watch), out);
		out->watch_addr = s.watch_addr;
		if (rt->icount >= rt->end_icount && !was_interrupted)
			out->reason = GDB_REASON_REPLAY_END;
	}
}

void us_replay_target_attach(struct us_replay_target *rt, struct gdb_stop *out)
{
	replay_stop_for_gdb(rt, GDB_SIGNAL_TRAP, GDB_REASON_NONE, out);
	if (rt->g.problem[0])
		snprintf(rt->problem, sizeof(rt->problem), "%s", rt->g.problem);
}

bool us_replay_target_pending(struct us_replay_target *rt, struct gdb_stop *out)
{
	if (!rt->pending)
		return false;
	rt->pending = false;
	rt->motion = US_REPLAY_STOPPED;
	if (rt->pending_reason == GDB_REASON_NONE) /* a reverse-continue, done already */
		*out = rt->pending_stop;
	else
		replay_stop_for_gdb(rt, GDB_SIGNAL_TRAP, rt->pending_reason, out);
	return true;
}

void us_replay_target_interrupt(struct us_replay_target *rt)
{
	rt->interrupted = true;
	replay_note(rt, us_qemu_gdb_interrupt(rt->q));
}

/* ---- the operations ----------------------------------------------- */

static bool steps(const struct gdb_resume *r)
{
	if (r->others.kind == GDB_RESUME_STEP)
		return true;
	for (uint32_t i = 0; i < r->nr_threads; i++)
		if (r->threads[i].kind == GDB_RESUME_STEP)
			return true;
	return false;
}

static int start(struct us_replay_target *rt, const char *packet, enum us_replay_motion motion)
{
	struct us_error *err = us_qemu_gdb_resume(rt->q, packet);

	if (err) {
		replay_note(rt, err);
		return GDB_ERR_GENERIC;
	}
	rt->motion = motion;
	return 0;
}

static int pend(struct us_replay_target *rt, uint8_t reason)
{
	rt->pending = true;
	rt->pending_reason = reason;
	return 0;
}

/* Forwards: never past the end; the crash stops us unless we stand on it. */
static int resume(void *ctx, const struct gdb_resume *r)
{
	struct us_replay_target *rt = ctx;
	bool step = steps(r);

	if (rt->icount >= rt->end_icount)
		return pend(rt, GDB_REASON_REPLAY_END);
	replay_note(rt, set_replay_break(rt, rt->end_icount));
	rt->seen_ms = 0;
	replay_set_crash_bps(rt, !step && rt->icount != rt->crash_icount);
	return start(rt, step ? "s" : "c", step ? US_REPLAY_STEP : US_REPLAY_CONTINUE);
}

static int resume_reverse(void *ctx, bool step)
{
	struct us_replay_target *rt = ctx;

	if (rt->icount <= rt->start_icount)
		return pend(rt, GDB_REASON_REPLAY_BEGIN);
	replay_set_crash_bps(rt, false);
	if (step)
		replay_reverse_step(rt, &rt->pending_stop);
	else
		replay_reverse_continue(rt, &rt->pending_stop);
	return pend(rt, GDB_REASON_NONE); /* done already: reported at once */
}

static int breakpoint(struct us_replay_target *rt, char op, enum gdb_breakpoint_type type,
		      uint64_t addr, uint32_t kind)
{
	char packet[64], reply[64];
	struct us_error *err;

	snprintf(packet, sizeof(packet), "%c%d,%llx,%x", op, (int)type, (unsigned long long)addr, kind);
	if ((err = us_qemu_gdb_command(rt->q, packet, reply, sizeof(reply)))) {
		replay_note(rt, err);
		return GDB_ERR_GENERIC;
	}
	if (!reply[0])
		return GDB_ERR_UNSUPPORTED;
	return strcmp(reply, "OK") ? GDB_ERR_INVALID : 0;
}

static int insert_breakpoint(void *ctx, enum gdb_breakpoint_type type, uint64_t addr, uint32_t kind)
{
	struct us_replay_target *rt = ctx;
	int rc;

	if (rt->nr_user_bps >= US_REPLAY_MAX_USER_BPS)
		return GDB_ERR_NO_SPACE;
	if ((rc = breakpoint(rt, 'Z', type, addr, kind)) == 0)
		rt->user_bps[rt->nr_user_bps++] = (struct us_replay_user_bp){ (uint8_t)type, addr, kind };
	return rc;
}

static int remove_breakpoint(void *ctx, enum gdb_breakpoint_type type, uint64_t addr, uint32_t kind)
{
	struct us_replay_target *rt = ctx;

	for (unsigned i = 0; i < rt->nr_user_bps; i++) {
		const struct us_replay_user_bp *b = &rt->user_bps[i];
		if (b->type == type && b->addr == addr && b->kind == kind) {
			rt->user_bps[i] = rt->user_bps[--rt->nr_user_bps];
			break;
		}
	}
	return breakpoint(rt, 'z', type, addr, kind);
}

/* GDB left: its breakpoints go; the replay stays where it stands. */
static void detach(void *ctx)
{
	struct us_replay_target *rt = ctx;

	while (rt->nr_user_bps > 0) {
		const struct us_replay_user_bp *b = &rt->user_bps[--rt->nr_user_bps];
		breakpoint(rt, 'z', b->type, b->addr, b->kind);
	}
	us_gdb_target_ops.detach(ctx);
}

static void say(struct gdb_engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct gdb_engine *e, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		gdb_engine_console_write(e, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void monitor_replay(struct us_replay_target *rt, struct gdb_engine *e)
{
	say(e, "replay at instruction %llu; history from %llu to %llu\n",
	    (unsigned long long)rt->icount, (unsigned long long)rt->start_icount,
	    (unsigned long long)rt->end_icount);
	if (rt->crash_icount)
		say(e, "the crash stop is at instruction %llu\n", (unsigned long long)rt->crash_icount);
	if (rt->reverse_hits)
		say(e, "the last reverse-continue went back through %llu hits\n",
		    (unsigned long long)rt->reverse_hits);
	if (rt->problem[0])
		say(e, "last problem: %s\n", rt->problem);
}

static void monitor_help(struct us_replay_target *rt, struct gdb_engine *e)
{
	say(e, "uniscope replay of '%s': a recorded run, replayed by QEMU, read from the host.\n",
	    us_symbols_path(rt->syms));
	say(e, "monitor commands: replay (where the replay stands), ps (threads), log (console), "
	    "heap, help\n");
	say(e, "continue, stepi, next, finish, break, watch; reverse-continue, reverse-stepi, "
	    "reverse-next, reverse-finish.\n");
	say(e, "a forward continue stops at the crash (the faulting instruction), and at the end "
	    "of the recording; memory and registers are read-only.\n");
}

static int monitor(void *ctx, const char *cmd, struct gdb_engine *e)
{
	if (!strcmp(cmd, "replay"))
		monitor_replay(ctx, e);
	else if (!strcmp(cmd, "help"))
		monitor_help(ctx, e);
	else
		return us_gdb_target_ops.monitor(ctx, cmd, e);
	return 0;
}

/* The host target's operations, with execution control of ours. */
const struct gdb_target_ops *us_replay_target_ops(void)
{
	static struct gdb_target_ops ops;

	ops = us_gdb_target_ops;
	ops.insert_breakpoint = insert_breakpoint;
	ops.remove_breakpoint = remove_breakpoint;
	ops.resume = resume;
	ops.resume_reverse = resume_reverse;
	ops.monitor = monitor;
	ops.detach = detach;
	ops.kill = detach;
	return &ops;
}

/* ---- setting up ---------------------------------------------------- */

/* From the first instruction to the libOS's first in 64-bit code, where history begins. */
static struct us_error *run_to_start(struct us_replay_target *rt)
{
	uint64_t start = replay_symbol(rt, START_SYMBOL);
	char packet[48], reply[256];
	struct us_error *err;

	if (!start)
		return us_error_create(US_ERR_NOT_FOUND, "the image has no symbol %s: is it a uniscope "
				       "image?", START_SYMBOL);
	snprintf(packet, sizeof(packet), "Z0,%llx,1", (unsigned long long)start);
	if ((err = replay_qemu_ok(rt, packet)) || (err = set_replay_break(rt, rt->end_icount)) ||
	    (err = replay_run(rt, "c", reply, sizeof(reply))))
		return err;
	packet[0] = 'z';
	if ((err = replay_qemu_ok(rt, packet)) || (err = us_replay_target_icount(rt, &rt->start_icount)))
		return err;
	if (replay_pc(rt) != start)
		return us_error_create(US_ERR_INVALID, "the replay never reached %s (it stopped at "
				       "instruction %llu): is the recording from this image?",
				       START_SYMBOL, (unsigned long long)rt->start_icount);
	rt->icount = rt->start_icount;
	return NULL;
}

struct us_error *us_replay_target_init(struct us_replay_target *rt, const char *spec,
				       const struct us_target_options *opts,
				       struct us_qemu_gdb *q, uint64_t end_icount,
				       us_replay_restart_fn *restart, void *restart_ctx)
{
	struct us_target *t;
	struct us_error *err;

	memset(rt, 0, sizeof(*rt));
	snprintf(rt->spec, sizeof(rt->spec), "%s", spec);
	snprintf(rt->qmp_path, sizeof(rt->qmp_path), "%s/qmp.sock",
		 strncmp(spec, "qemu:", 5) ? spec : spec + 5);
	rt->opts = *opts;
	rt->q = q;
	rt->restart = restart;
	rt->restart_ctx = restart_ctx;
	rt->end_icount = end_icount;
	if ((err = us_symbols_open(opts->image, &rt->syms)) || (err = run_to_start(rt)) ||
	    (err = us_target_open(spec, opts, &t))) {
		us_symbols_close(rt->syms);
		rt->syms = NULL;
		rt->q = NULL; /* still the caller's */
		return err;
	}
	us_gdb_target_init(&rt->g, t);
	return NULL;
}

void us_replay_target_fini(struct us_replay_target *rt)
{
	us_gdb_target_fini(&rt->g);
	us_target_close(rt->g.t);
	rt->g.t = NULL;
	us_symbols_close(rt->syms);
	rt->syms = NULL;
	us_qemu_gdb_close(rt->q);
	rt->q = NULL;
}
