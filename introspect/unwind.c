/*
 * Frame-pointer unwinding. The libOS is built with -fno-omit-frame-pointer,
 * so every frame starts with the record [rbp] = caller's rbp,
 * [rbp + 8] = return address; its trap entry pushes such a record for the
 * interrupted code (interrupted rbp, rip), so the chain walks through
 * interrupts. New threads start with a return address of 0, which ends the
 * chain cleanly.
 *
 * The walk trusts nothing: at most US_MAX_FRAMES frames, frame pointers
 * 8-aligned, strictly increasing, and inside the thread's stack when its
 * bounds are known and the registers are on it. Whatever stops it early is
 * said in bt->stopped; the frames found so far stay valid.
 */
#include <stdio.h>
#include <string.h>
#include "internal.h"

struct unwind_state {
	struct us_target *t;
	uint64_t lo, hi; /* stack bounds, or 0, 0 when not enforced */
	struct us_backtrace *bt;
};

static void add_frame(struct unwind_state *u, uint64_t pc, uint64_t fp, bool is_return)
{
	struct us_frame *f = &u->bt->frames[u->bt->count++];

	f->pc = pc;
	f->fp = fp;
	/* A return address belongs to the call before it: look up pc - 1. */
	us_target_symbolize(u->t, is_return && pc ? pc - 1 : pc, &f->sym);
	if (is_return && f->sym.function)
		f->sym.offset++;
}

static void stop(struct unwind_state *u, const char *fmt, unsigned long long value)
{
	snprintf(u->bt->stopped, sizeof(u->bt->stopped), fmt, value);
}

static bool frame_pointer_ok(struct unwind_state *u, uint64_t fp, uint64_t previous)
{
	if (fp & 7) {
		stop(u, "frame pointer 0x%llx is misaligned", fp);
		return false;
	}
	if (u->hi && (fp < u->lo || fp > u->hi - 16)) {
		stop(u, "frame pointer 0x%llx leaves the thread's stack", fp);
		return false;
	}
	if (previous && fp <= previous) {
		stop(u, "frame pointer 0x%llx does not move up the stack", fp);
		return false;
	}
	return true;
}

static void walk_chain(struct unwind_state *u, uint64_t fp)
{
	uint64_t previous = 0, record[2];
	struct us_error *err;

	while (fp) {
		if (u->bt->count >= US_MAX_FRAMES) {
			stop(u, "stopped after %llu frames", US_MAX_FRAMES);
			return;
		}
		if (!frame_pointer_ok(u, fp, previous))
			return;
		if ((err = us_target_read(u->t, fp, record, sizeof(record)))) {
			snprintf(u->bt->stopped, sizeof(u->bt->stopped), "frame at 0x%llx unreadable: %s",
				 (unsigned long long)fp, err->message);
			us_error_destroy(err);
			return;
		}
		if (record[1] == 0) /* a thread's first frame */
			return;
		add_frame(u, record[1], fp, true);
		previous = fp;
		fp = record[0];
	}
}

static bool on_stack(uint64_t addr, uint64_t lo, uint64_t hi)
{
	return addr >= lo && addr < hi;
}

static void unwind_from(struct us_target *t, const struct uniscope_regs *regs, uint64_t lo,
			uint64_t hi, bool pc_is_return, struct us_backtrace *bt)
{
	struct unwind_state u = { .t = t, .bt = bt };

	bt->count = 0;
	bt->stopped[0] = 0;
	if (hi > lo && (on_stack(regs->rsp, lo, hi) || on_stack(regs->rbp, lo, hi))) {
		u.lo = lo;
		u.hi = hi;
	}
	add_frame(&u, regs->rip, regs->rbp, pc_is_return);
	walk_chain(&u, regs->rbp);
}

void us_target_unwind(struct us_target *t, const struct uniscope_regs *regs, uint64_t stack_lo,
		      uint64_t stack_hi, struct us_backtrace *bt)
{
	unwind_from(t, regs, stack_lo, stack_hi, false, bt);
}

/* A switched-out thread's rip is context_switch's return address into schedule(). */
void us_target_backtrace(struct us_target *t, const struct us_thread *thread,
			 struct us_backtrace *bt)
{
	unwind_from(t, &thread->regs, thread->stack_lo, thread->stack_hi,
		    thread->regs_source == US_REGS_CONTEXT, bt);
}
