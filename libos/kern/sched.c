/*
 * The scheduler: preemptive round robin on one CPU.
 *
 * Runnable threads wait in one FIFO run queue; the running thread is not in
 * it. The idle thread is never queued: schedule() picks it when the queue is
 * empty, and it halts until the next interrupt. Sleepers sit in a list
 * sorted by wake time, checked on every timer tick (SCHED_HZ). A thread
 * that has run for a whole tick while others wait is preempted from the
 * timer interrupt; its interrupted registers stay reachable through
 * thread->trap_frame so debuggers see where it really was.
 *
 * A debugger can hold threads (GDB's scheduler-locking): while the hold is
 * on, only the threads it lets run are picked (and idle, when none of them
 * can run); the others wait in the run queue as they are. A held thread
 * found on the CPU leaves it at the end of the trap that saw it there
 * (sched_trap_exit), or at the next timer tick if that trap interrupted
 * code running with interrupts off.
 *
 * Everything here runs with interrupts disabled: that is the lock.
 */
#include <stdint.h>
#include "kern.h"
#include "arch/x86_64/cpu.h"
#include "trace.h"
#include "channel.h"

struct thread *current_threads[1];
uint64_t sched_clock_ns;
static struct thread *run_head, *run_tail;
static struct thread *sleepers;
struct thread *idle_thread;
static int sched_started;
static bool debug_hold; /* only threads with debug_may_run are picked */

static void run_queue_push(struct thread *t)
{
	t->queue_next = 0;
	if (run_tail)
		run_tail->queue_next = t;
	else
		run_head = t;
	run_tail = t;
}

static bool may_run(const struct thread *t)
{
	return !debug_hold || t->debug_may_run || t == idle_thread;
}

/* The first queued thread that may run, taken out of the queue. */
static struct thread *run_queue_pop(void)
{
	struct thread *prev = 0, *t = run_head;

	while (t && !may_run(t)) {
		prev = t;
		t = t->queue_next;
	}
	if (!t)
		return 0;
	if (prev)
		prev->queue_next = t->queue_next;
	else
		run_head = t->queue_next;
	if (run_tail == t)
		run_tail = prev;
	t->queue_next = 0;
	return t;
}

/* Host tools tell how long a thread has been blocked, or runnable, from this. */
static void set_state(struct thread *t, uint32_t state, uint64_t now)
{
	t->state = state;
	t->state_since_ns = now;
}

void sched_make_runnable(struct thread *t)
{
	trace_sched_wakeup(t->id, t->state);
	set_state(t, UNISCOPE_THREAD_RUNNABLE, clock_ns());
	t->wait_reason = UNISCOPE_WAIT_NONE;
	t->wait_object = 0;
	run_queue_push(t);
}

static void account_cpu_time(struct thread *t, uint64_t now)
{
	if (t->on_cpu_since_ns && now > t->on_cpu_since_ns)
		t->cpu_ns += now - t->on_cpu_since_ns;
	t->on_cpu_since_ns = now;
}

/* Switch to the next runnable thread; the caller set current's state. */
void schedule(void)
{
	struct thread *prev = current, *next;
	uint64_t now = clock_ns();

	if (prev->state == UNISCOPE_THREAD_RUNNING && prev != idle_thread)
		sched_make_runnable(prev);
	next = run_queue_pop();
	if (!next)
		next = idle_thread;
	account_cpu_time(prev, now);
	set_state(next, UNISCOPE_THREAD_RUNNING, now);
	if (next == prev)
		return;
	if (prev == idle_thread)
		prev->state = UNISCOPE_THREAD_RUNNABLE; /* off the CPU, never queued */
	trace_sched_switch(prev->id, prev->state, next->id);
	next->switches++;
	next->on_cpu_since_ns = now;
	fpu_save(prev->fpu_state);
	if (next->fs_base != prev->fs_base)
		wrmsr(MSR_FS_BASE, next->fs_base);
	current = next;
	trace_running_tid = next->id;
	context_switch(&prev->context, &next->context);
	fpu_restore(current->fpu_state);
	thread_reap();
}

void sched_block(uint32_t reason, const void *object)
{
	set_state(current, reason == UNISCOPE_WAIT_SLEEP ? UNISCOPE_THREAD_SLEEPING
							 : UNISCOPE_THREAD_BLOCKED, clock_ns());
	current->wait_reason = reason;
	current->wait_object = (uint64_t)object;
	schedule();
}

void thread_yield(void)
{
	uint64_t flags = irq_save();

	schedule();
	irq_restore(flags);
}

static void sleepers_insert(struct thread *t)
{
	struct thread **p = &sleepers;

	while (*p && (*p)->wake_ns <= t->wake_ns)
		p = &(*p)->sleep_next;
	t->sleep_next = *p;
	*p = t;
}

void sleep_ns(uint64_t ns)
{
	uint64_t flags = irq_save();

	current->wake_ns = clock_ns() + ns;
	sleepers_insert(current);
	sched_block(UNISCOPE_WAIT_SLEEP, 0);
	irq_restore(flags);
}

void sleep_ms(uint64_t ms)
{
	sleep_ns(ms * 1000000ull);
}

/* A thread leaves the sleepers early: a timed block that was woken in time. */
void sched_cancel_sleep(struct thread *t)
{
	for (struct thread **p = &sleepers; *p; p = &(*p)->sleep_next) {
		if (*p == t) {
			*p = t->sleep_next;
			t->sleep_next = 0;
			return;
		}
	}
}

static void wake_sleepers(uint64_t now)
{
	while (sleepers && sleepers->wake_ns <= now) {
		struct thread *t = sleepers;
		sleepers = t->sleep_next;
		t->sleep_next = 0;
		if (t->blocked_on) { /* a timed block: its deadline passed */
			wait_queue_remove(t->blocked_on, t);
			t->blocked_on = 0;
			t->timed_out = true;
		}
		sched_make_runnable(t);
	}
}

int wait_queue_block_until(struct wait_queue *wq, uint32_t reason, const void *object,
			   uint64_t deadline_ns)
{
	if (!deadline_ns) {
		wait_queue_block(wq, reason, object);
		return 0;
	}
	if (deadline_ns <= clock_ns())
		return -1;
	current->timed_out = false;
	current->blocked_on = wq;
	current->wake_ns = deadline_ns;
	sleepers_insert(current);
	wait_queue_block(wq, reason, object);
	return current->timed_out ? -1 : 0;
}

void timer_tick(trap_frame_t *frame)
{
	uint64_t now = clock_ns();

	sched_clock_ns = now;
	trace_timer(frame->rip);
	if (!sched_started)
		return;
	wake_sleepers(now);
	if (!run_head || current == idle_thread)
		return;
	if (now - current->on_cpu_since_ns < 1000000000ull / SCHED_HZ && may_run(current))
		return;
	if (trace_in_record(frame))
		return; /* a thread mid-record keeps the CPU until the next tick */
	current->trap_frame = frame;
	schedule();
	current->trap_frame = 0;
}

/*
 * The debugger holds every thread but those marked debug_may_run (hold), or
 * lets all run again (!hold). Called with the world stopped.
 */
void sched_debug_hold(bool hold)
{
	debug_hold = hold;
}

/* At the end of an outermost trap: a held thread gives up the CPU now. */
void sched_trap_exit(trap_frame_t *frame)
{
	if (!sched_started || may_run(current) || !(frame->rflags & RFLAGS_IF))
		return; /* interrupts were off: the timer tick preempts it later */
	if (trace_in_record(frame))
		return;
	current->trap_frame = frame;
	schedule();
	current->trap_frame = 0;
}

static void *idle_loop(void *arg)
{
	(void)arg;
	for (;;) {
		irq_disable();
		channel_idle_work();
		if (run_head)
			schedule();
		/* sti; hlt: the interrupt that ends the halt cannot be lost in between. */
		__asm__ volatile("sti; hlt" ::: "memory");
	}
	return 0;
}

void sched_init(void)
{
	idle_thread = thread_create_idle();
	idle_thread->fn = idle_loop;
}

int sched_preemptible(void)
{
	return sched_started;
}

/* Leave the boot stack for good: run the first queued thread. */
void sched_start(void)
{
	static struct uniscope_context boot_context;
	struct thread *first = run_queue_pop();

	if (!first)
		first = idle_thread;
	sched_started = 1;
	set_state(first, UNISCOPE_THREAD_RUNNING, clock_ns());
	first->switches++;
	first->on_cpu_since_ns = clock_ns();
	current = first;
	trace_running_tid = first->id;
	wrmsr(MSR_FS_BASE, first->fs_base);
	fpu_restore(first->fpu_state);
	context_switch(&boot_context, &first->context);
	__builtin_unreachable();
}
