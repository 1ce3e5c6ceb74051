/*
 * Resuming as GDB asked (vCont): which threads run, which single-step.
 *
 * All-stop GDB names threads and actions: "vCont;s:7;c" steps thread 7 and
 * lets the others run; "vCont;c:6" (scheduler-locking on) lets thread 6
 * run and holds every other. A hold goes to the scheduler (only the listed
 * threads are picked, see kern/sched.c); a step sets the trap flag where
 * the thread will resume:
 *
 *	the thread the stub stopped in   its trap frame, at once
 *	a preempted thread               the trap frame it returns through
 *	a thread switched out in
 *	schedule()                       its saved context; context_switch's
 *	                                 popfq sets TF two instructions before
 *	                                 the thread's own code, so the traps
 *	                                 inside context_switch and the one at
 *	                                 the thread's resume address are passed
 *	                                 over (debug_step_trap): GDB sees the
 *	                                 thread one instruction further
 *
 * A step that has not happened by the next stop is withdrawn when GDB
 * resumes again or leaves (debug_resume_forget), so it can never fire as a
 * stale SIGTRAP later.
 */
#include <uniscope/gdbstub.h>
#include "kern/kern.h"
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "debug.h"

#define DR6_BS (1ull << 14) /* the #DB was a single step */

static struct {
	struct thread *thread; /* switched out, set to step when it runs, or 0 */
	uint64_t resume_pc;    /* its context's rip: arriving there is not a step yet */
} pending;

static bool runs(uint8_t kind)
{
	return kind == GDB_RESUME_CONTINUE || kind == GDB_RESUME_STEP;
}

static void set_trap_flag(uint64_t *rflags, bool on)
{
	*rflags = (*rflags & ~RFLAGS_TF) | (on ? RFLAGS_TF : 0);
}

void debug_resume_forget(void)
{
	struct thread *t = pending.thread;

	if (t && t != current)
		set_trap_flag(t->trap_frame ? &t->trap_frame->rflags : &t->context.rflags, false);
	pending.thread = 0;
	sched_debug_hold(false);
}

/* Nobody may run but those GDB lists again (a bounded, checked walk). */
static void clear_may_run(void)
{
	struct thread_walk w;

	for (struct thread *t = thread_walk_first(&w); t; t = thread_walk_next(&w))
		t->debug_may_run = false;
}

static void step_switched_out(struct thread *t)
{
	pending.thread = t;
	pending.resume_pc = t->trap_frame ? 0 : t->context.rip;
	set_trap_flag(t->trap_frame ? &t->trap_frame->rflags : &t->context.rflags, true);
}

/* One listed action; false if the thread does not exist. */
static bool plan_thread(const struct gdb_thread_action *a, struct thread *stopped, bool *step_stopped)
{
	struct thread *t = debug_thread(a->tid);

	if (!t)
		return false;
	if (!runs(a->kind))
		return true;
	t->debug_may_run = true;
	if (a->kind == GDB_RESUME_STEP) {
		if (t == stopped)
			*step_stopped = true;
		else if (!pending.thread)
			step_switched_out(t);
	}
	return true;
}

int debug_resume_plan(const struct gdb_resume *r, struct thread *stopped, trap_frame_t *frame)
{
	bool step_stopped = r->others.kind == GDB_RESUME_STEP;

	debug_resume_forget();
	clear_may_run();
	for (uint32_t i = 0; i < r->nr_threads && i < GDB_RESUME_MAX_THREADS; i++) {
		if (!plan_thread(&r->threads[i], stopped, &step_stopped)) {
			debug_resume_forget();
			return GDB_ERR_NO_THREAD;
		}
	}
	sched_debug_hold(!runs(r->others.kind));
	if (frame) {
		set_trap_flag(&frame->rflags, step_stopped);
		frame->rflags |= RFLAGS_RF;
	}
	return 0;
}

/*
 * What a single-step trap is to the plan: one on the way into a
 * switched-out thread that is to step (passed over), that thread's step
 * itself (reported), or none of the plan's.
 */
enum debug_step_trap debug_step_trap(const trap_frame_t *frame, uint64_t dr6)
{
	if (!(dr6 & DR6_BS) || !pending.thread || pending.thread != current)
		return DEBUG_STEP_NOT_PLANNED;
	if (frame->rip >= (uint64_t)context_switch && frame->rip < (uint64_t)context_switch_end)
		return DEBUG_STEP_PASSING;
	if (pending.resume_pc && frame->rip == pending.resume_pc) {
		pending.resume_pc = 0;
		return DEBUG_STEP_PASSING;
	}
	pending.thread = 0; /* the step itself: report it */
	return DEBUG_STEP_ARRIVED;
}
