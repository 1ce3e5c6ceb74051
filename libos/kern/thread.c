/*
 * Threads: creation, exit, join, and the stack arena.
 *
 * Page tables are frozen once the image is sealed, so guard pages cannot be
 * made per thread at run time. Instead the arena is carved at boot into
 * slots of STACK_SLOT_SIZE, each starting with a page that is never mapped;
 * a thread takes a free slot, and overflowing its stack faults on the guard
 * page below it.
 *
 * Every thread is on thread_list (the list host tools walk) from creation
 * until it has exited and been joined. Application threads (clone(), the
 * process's main thread: libos/posix/) run on stacks the application made,
 * take no slot, and nobody joins them: the thread that runs after one has
 * exited frees it (thread_reap).
 *
 * Thread ids are the one numbering every tool shows (GDB's "Thread N", the
 * core's LWP N, `uniscope ps`, traces): the main thread is 1 (the process's
 * pid, as POSIX programs see it), the idle thread 2, whichever of the two
 * is made first, and later threads 3, 4, ... No thread is 0: debuggers read
 * 0 as "any thread", traces as "no thread yet" (boot).
 */
#include <string.h>
#include <stdlib.h>
#include "kern.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/stack_entry.h"
#include "trace.h"

#define NO_STACK_SLOT UINT32_MAX

struct thread *thread_list;
uint32_t thread_count;
uint32_t user_thread_count;
static struct thread *zombie; /* exited, not joinable, maybe still on its stack */
static uint32_t next_thread_id = THREAD_ID_MAIN;
static uint64_t arena_start, arena_slots;
static uint8_t slot_used[MAX_STACK_SLOTS];

int stack_arena_init(uint64_t (*alloc_pages)(uint64_t count), uint64_t slots)
{
	if (slots > MAX_STACK_SLOTS)
		slots = MAX_STACK_SLOTS;
	while (slots >= 4) {
		arena_start = alloc_pages(slots * STACK_SLOT_SIZE / PAGE_SIZE);
		if (arena_start) {
			arena_slots = slots;
			return 0;
		}
		slots /= 2;
	}
	return -1;
}

uint64_t stack_arena_start(void) { return arena_start; }
uint64_t stack_arena_end(void) { return arena_start + arena_slots * STACK_SLOT_SIZE; }

static int stack_slot_take(void)
{
	for (uint64_t i = 0; i < arena_slots; i++) {
		if (!slot_used[i]) {
			slot_used[i] = 1;
			return (int)i;
		}
	}
	return -1;
}

struct thread *thread_by_guard_address(uint64_t addr)
{
	for (struct thread *t = thread_list; t; t = t->next_all)
		if (addr >= t->stack_lo - PAGE_SIZE && addr < t->stack_lo)
			return t;
	return 0;
}

static void thread_list_add(struct thread *t)
{
	t->next_all = thread_list;
	thread_list = t;
	thread_count++;
}

static void thread_list_remove(struct thread *t)
{
	for (struct thread **p = &thread_list; *p; p = &(*p)->next_all) {
		if (*p == t) {
			*p = t->next_all;
			thread_count--;
			return;
		}
	}
}

/* Frees a thread that exited with nobody to join it, once it is off the CPU. */
void thread_reap(void)
{
	struct thread *t = zombie;

	if (!t || t == current)
		return;
	zombie = 0;
	thread_list_remove(t);
	if (t->stack_slot != NO_STACK_SLOT)
		slot_used[t->stack_slot] = 0;
	free(t);
}

/* A new thread's first instructions, before its own code: interrupts still off. */
void thread_first_run(void)
{
	fpu_restore(current->fpu_state);
	thread_reap();
}

/* What every thread runs first, on its fresh stack (see thread_trampoline). */
__attribute__((used, noreturn)) static void thread_begin(void)
{
	thread_first_run();
	irq_enable();
	thread_exit(current->fn(current->arg));
}

/*
 * A new thread's first instruction: the outermost frame of its stack, so
 * that debuggers end its backtraces here (arch/x86_64/stack_entry.h).
 */
__attribute__((naked)) static void thread_trampoline(void)
{
	STACK_ENTRY(thread_begin);
}

void thread_set_entry(struct thread *t, thread_fn fn, void *arg, uint64_t stack_top)
{
	t->fn = fn;
	t->arg = arg;
	/* 16-byte aligned for the trampoline's call; 0 above it, for old unwinders. */
	t->context.rsp = stack_top - 16;
	*(uint64_t *)t->context.rsp = 0;
	t->context.rip = (uint64_t)thread_trampoline;
}

static uint32_t take_thread_id(void)
{
	if (next_thread_id == THREAD_ID_IDLE)
		next_thread_id++; /* the idle thread's, whenever it is made */
	return next_thread_id++;
}

static struct thread *thread_new(const char *name)
{
	struct thread *t = calloc(1, sizeof(*t));

	if (!t)
		return 0;
	t->id = take_thread_id();
	strncpy(t->name, name ? name : "thread", sizeof(t->name) - 1);
	t->stack_slot = NO_STACK_SLOT;
	t->context.rflags = 0x2;
	fpu_state_init(t->fpu_state);
	return t;
}

struct thread *thread_create_user(const char *name, uint64_t stack_lo, uint64_t stack_hi)
{
	struct thread *t = thread_new(name);

	if (!t)
		return 0;
	t->user = true;
	t->stack_lo = stack_lo;
	t->stack_hi = stack_hi;
	return t;
}

static struct thread *thread_alloc(const char *name, thread_fn fn, void *arg)
{
	struct thread *t = thread_new(name);
	int slot = stack_slot_take();

	if (!t || slot < 0) {
		free(t);
		if (slot >= 0)
			slot_used[slot] = 0;
		return 0;
	}
	t->stack_slot = (uint32_t)slot;
	t->stack_lo = arena_start + (uint64_t)slot * STACK_SLOT_SIZE + PAGE_SIZE;
	t->stack_hi = t->stack_lo + STACK_SIZE;
	thread_set_entry(t, fn, arg, t->stack_hi);
	return t;
}

void thread_start(struct thread *t)
{
	uint64_t flags = irq_save();

	trace_thread_create(t->id, t->name);
	thread_list_add(t);
	if (t->user)
		user_thread_count++;
	sched_make_runnable(t);
	irq_restore(flags);
}

thread_t *thread_create(const char *name, thread_fn fn, void *arg)
{
	struct thread *t = thread_alloc(name, fn, arg);

	if (!t)
		return 0;
	/* The creator's C-library thread state: libos.h says what that means. */
	t->fs_base = current ? current->fs_base : 0;
	thread_start(t);
	return t;
}

struct thread *thread_create_idle(void)
{
	struct thread *t = thread_alloc("idle", 0, 0);

	if (!t)
		panic("cannot create the idle thread");
	next_thread_id--; /* not taken after all */
	t->id = THREAD_ID_IDLE;
	t->state = UNISCOPE_THREAD_RUNNABLE;
	trace_thread_create(t->id, t->name);
	thread_list_add(t);
	return t;
}

void thread_exit(void *retval)
{
	irq_disable();
	trace_thread_exit(current->id, (uint64_t)retval);
	current->retval = retval;
	current->state = UNISCOPE_THREAD_EXITED;
	wait_queue_wake_all(&current->joiners);
	schedule();
	panic("exited thread %u was scheduled again", current->id);
}

void thread_exit_detached(void)
{
	irq_disable();
	trace_thread_exit(current->id, 0);
	current->state = UNISCOPE_THREAD_EXITED;
	if (current->user)
		user_thread_count--;
	thread_reap(); /* one zombie at a time */
	zombie = current;
	schedule();
	panic("exited thread %u was scheduled again", current->id);
}

int thread_join(thread_t *t, void **retval)
{
	uint64_t flags;

	if (!t || t == current)
		return -1;
	flags = irq_save();
	while (t->state != UNISCOPE_THREAD_EXITED)
		wait_queue_block(&t->joiners, UNISCOPE_WAIT_JOIN, t);
	thread_list_remove(t);
	if (t->stack_slot != NO_STACK_SLOT)
		slot_used[t->stack_slot] = 0;
	irq_restore(flags);
	if (retval)
		*retval = t->retval;
	free(t);
	return 0;
}

thread_t *thread_self(void) { return current; }
uint32_t thread_id(const thread_t *t) { return t->id; }
const char *thread_name(const thread_t *t) { return t->name; }
