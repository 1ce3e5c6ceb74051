/*
 * Going back in a replay, without QEMU's bs and bc (see replay_target.h
 * for why): a fresh QEMU (the restart callback) replays from the first
 * instruction to where it must stop (replay_break): forward execution is
 * what QEMU 7.2 does reliably.
 *
 *	to an instruction count   one run, to there (a reverse-stepi: the
 *	                          count before; the crash: the count of the
 *	                          faulting instruction)
 *	reverse-continue          one run to where GDB stands, with GDB's
 *	                          breakpoints and watchpoints in, noting the
 *	                          last hit; one run to that hit
 *
 *	hit kind     where QEMU stops          where GDB is left
 *	breakpoint   before the instruction    there
 *	watchpoint   after the access          one instruction before: on the
 *	                                       instruction that made it
 *
 * Continuing from a breakpoint would hit it again at once, so the scan
 * steps over it first. Hits are bounded (a breakpoint in a hot loop costs a
 * round trip per pass), and so is every wait.
 */
#include <stdio.h>
#include <string.h>
#include "replay_internal.h"

#define MAX_HITS 200000

struct hit {
	uint64_t icount; /* 0: none */
	char watch[8];   /* "" for a breakpoint */
	uint64_t watch_addr;
};

struct us_error *replay_restart_at(struct us_replay_target *rt, uint64_t icount)
{
	struct us_qemu_gdb *q;
	struct us_error *err;
	char packet[64];

	if (!rt->restart)
		return us_error_create(US_ERR_UNSUPPORTED, "this replay cannot be restarted");
	us_qemu_gdb_close(rt->q);
	rt->q = NULL;
	if ((err = rt->restart(rt->restart_ctx, &q)))
		return err;
	rt->q = q;
	rt->crash_bps_inserted = false;
	if ((err = replay_run_to(rt, icount)))
		return err;
	for (unsigned i = 0; i < rt->nr_user_bps && !err; i++) {
		const struct us_replay_user_bp *b = &rt->user_bps[i];
		snprintf(packet, sizeof(packet), "Z%d,%llx,%x", b->type, (unsigned long long)b->addr,
			 b->kind);
		err = replay_qemu_ok(rt, packet);
	}
	return err;
}

static bool at_user_breakpoint(struct us_replay_target *rt)
{
	uint64_t pc = replay_pc(rt);

	for (unsigned i = 0; i < rt->nr_user_bps; i++)
		if (rt->user_bps[i].type <= GDB_BP_HARDWARE && rt->user_bps[i].addr == pc)
			return true;
	return false;
}

/*
 * One resume of the scan: notes a hit before `until` in *last. *more:
 * the scan goes on (a hit short of `until`).
 */
static struct us_error *scan_once(struct us_replay_target *rt, const char *packet, uint64_t until,
				  struct hit *last, bool *more)
{
	char reply[256];
	struct us_qemu_stop s;
	uint64_t icount;
	struct us_error *err = replay_run(rt, packet, reply, sizeof(reply));

	bool watch, breakpoint;

	*more = false;
	if (err || (err = us_replay_target_icount(rt, &icount)))
		return err;
	if (!us_qemu_gdb_parse_stop(reply, &s) || s.kind != 'T')
		return us_error_create(US_ERR_OTHER, "QEMU stopped the scan with '%.40s'", reply);
	watch = s.watch[0] != 0;
	breakpoint = !watch && s.signal == GDB_SIGNAL_TRAP && at_user_breakpoint(rt);
	if ((watch && icount <= until) || (breakpoint && icount < until)) {
		*last = (struct hit){ .icount = icount, .watch_addr = s.watch_addr };
		snprintf(last->watch, sizeof(last->watch), "%s", s.watch);
		rt->reverse_hits++;
		*more = icount < until;
	}
	return NULL; /* else: replay_break at `until`, or a step that hit nothing */
}

/* From the start to `until`, the last breakpoint or watchpoint hit before it. */
static struct us_error *scan(struct us_replay_target *rt, uint64_t until, struct hit *last)
{
	char command[64], out[256];
	struct us_error *err;
	bool more = true;

	snprintf(command, sizeof(command), "replay_break %llu", (unsigned long long)until);
	if ((err = us_qemu_gdb_monitor(rt->q, command, out, sizeof(out))))
		return err;
	for (unsigned n = 0; more && n < MAX_HITS; n++) {
		bool on_breakpoint = last->icount && !last->watch[0];

		/* Off the breakpoint first: a continue would hit it again where it stands. */
		if (on_breakpoint && (err = scan_once(rt, "s", until, last, &more)))
			return err;
		if (!on_breakpoint || more)
			err = scan_once(rt, "c", until, last, &more);
		if (err)
			return err;
	}
	return more ? us_error_create(US_ERR_OTHER, "more than %u hits: stopped looking", MAX_HITS)
		    : NULL;
}

void replay_reverse_continue(struct us_replay_target *rt, struct gdb_stop *out)
{
	uint64_t from = rt->icount, target;
	struct hit last = { 0 };
	struct us_error *err;

	rt->reverse_hits = 0;
	err = replay_restart_at(rt, rt->start_icount);
	if (!err)
		err = scan(rt, from, &last);
	target = !last.icount ? rt->start_icount : last.watch[0] ? last.icount - 1 : last.icount;
	if (!err)
		err = replay_restart_at(rt, target);
	replay_note(rt, err);
	if (err || !last.icount) {
		replay_stop_for_gdb(rt, GDB_SIGNAL_TRAP, err ? GDB_REASON_NONE : GDB_REASON_REPLAY_BEGIN,
				    out);
		return;
	}
	replay_stop_for_gdb(rt, GDB_SIGNAL_TRAP, replay_watch_reason(last.watch), out);
	out->watch_addr = last.watch_addr;
}

void replay_reverse_step(struct us_replay_target *rt, struct gdb_stop *out)
{
	replay_note(rt, replay_restart_at(rt, rt->icount - 1));
	replay_stop_for_gdb(rt, GDB_SIGNAL_TRAP, GDB_REASON_NONE, out);
}
