/*
 * Threads as the C library makes them: clone() for pthread_create,
 * futex() for every wait, set_tid_address()/CLONE_CHILD_CLEARTID for join,
 * arch_prctl(ARCH_SET_FS) for TLS, exit() and exit_group().
 *
 * A clone()d thread is a libOS thread (its own entry on thread_list, named
 * like its parent until pthread_setname_np renames it) running on the
 * stack the C library mmap()ed for it. It starts by "returning" from the
 * syscall: a copy of the parent's syscall frame, with rax 0 and rsp the
 * new stack, sits just below that stack (syscall.S, clone_child_start).
 *
 * Futex waiters sit in one of FUTEX_BUCKETS wait queues chosen by the
 * word's address, wait reason "futex", wait object the futex word, so
 * host tools name the word a thread waits on (a mutex, a condition
 * variable, a join).
 */
#include <stdlib.h>
#include <string.h>
#include "posix.h"
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"

#define FUTEX_BUCKETS 64
#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_THREAD)
#define STACK_GUESS (64 * 1024) /* a clone stack that no mmap() made: assume this much */

static struct wait_queue futex_buckets[FUTEX_BUCKETS];

static struct wait_queue *futex_bucket(uint64_t uaddr)
{
	return &futex_buckets[(uaddr >> 2) % FUTEX_BUCKETS];
}

/* Where the child's first frame goes: below the new stack, 16-aligned. */
static trap_frame_t *child_frame_at(uint64_t stack)
{
	return (trap_frame_t *)((stack - 128 - sizeof(trap_frame_t)) & ~15ull);
}

static void child_stack_bounds(uint64_t stack, uint64_t *lo, uint64_t *hi)
{
	if (mem_region_of(stack - 1, lo, hi))
		return;
	*hi = stack;
	*lo = stack > STACK_GUESS ? stack - STACK_GUESS : 0;
}

static int64_t clone_report_ids(uint64_t flags, uint64_t ptid, uint64_t ctid, uint32_t tid)
{
	if ((flags & CLONE_PARENT_SETTID) && copy_to_user(ptid, &tid, sizeof(tid)) < 0)
		return -LINUX_EFAULT;
	if ((flags & CLONE_CHILD_SETTID) && copy_to_user(ctid, &tid, sizeof(tid)) < 0)
		return -LINUX_EFAULT;
	return 0;
}

SYSCALL_HANDLER(clone)
{
	uint64_t flags = args->a[0], stack = args->a[1], ptid = args->a[2], ctid = args->a[3];
	uint64_t lo, hi;
	trap_frame_t *frame;
	struct thread *t;
	int64_t err;

	if ((flags & CLONE_THREAD_FLAGS) != CLONE_THREAD_FLAGS) {
		posix_unsupported("clone without CLONE_VM|CLONE_THREAD (a new process)", flags);
		return -LINUX_ENOSYS;
	}
	if (!stack || !user_ok(stack - 256 - sizeof(*frame), 256 + sizeof(*frame), true))
		return -LINUX_EFAULT;
	child_stack_bounds(stack, &lo, &hi);
	t = thread_create_user(current->name, lo, hi);
	if (!t)
		return -LINUX_EAGAIN;
	if ((err = clone_report_ids(flags, ptid, ctid, t->id)) < 0) {
		free(t);
		return err;
	}
	t->fs_base = flags & CLONE_SETTLS ? args->a[4] : current->fs_base;
	t->clear_child_tid = flags & CLONE_CHILD_CLEARTID ? ctid : 0;
	fpu_save(t->fpu_state); /* the parent's own, still live: the libOS uses none */
	frame = child_frame_at(stack);
	*frame = *args->frame;
	frame->rax = 0;
	frame->rsp = stack;
	t->context.rsp = (uint64_t)frame;
	t->context.rip = (uint64_t)clone_child_start;
	thread_start(t);
	return t->id;
}

SYSCALL_HANDLER(exit)
{
	uint32_t zero = 0;

	(void)args;
	if (current->clear_child_tid && copy_to_user(current->clear_child_tid, &zero, 4) == 0)
		futex_wake(current->clear_child_tid, 1, FUTEX_BITSET_MATCH_ANY);
	if (current->user && user_thread_count == 1)
		process_exit(0); /* the last thread: the process ends */
	thread_exit_detached();
}

SYSCALL_HANDLER(exit_group)
{
	process_exit((int)args->a[0]);
}

SYSCALL_HANDLER(set_tid_address)
{
	current->clear_child_tid = args->a[0];
	return current->id;
}

SYSCALL_HANDLER(gettid)
{
	(void)args;
	return current->id;
}

SYSCALL_HANDLER(sched_yield)
{
	(void)args;
	thread_yield();
	return 0;
}

SYSCALL_HANDLER(arch_prctl)
{
	uint64_t code = args->a[0], addr = args->a[1];

	switch (code) {
	case ARCH_SET_FS:
		if (addr >= (1ull << 47))
			return -LINUX_EPERM;
		current->fs_base = addr;
		wrmsr(MSR_FS_BASE, addr);
		return 0;
	case ARCH_GET_FS:
		return copy_to_user(addr, &current->fs_base, sizeof(current->fs_base));
	default:
		posix_unsupported("arch_prctl code", code);
		return -LINUX_EINVAL;
	}
}

SYSCALL_HANDLER(set_robust_list)
{
	(void)args; /* robust mutexes: the owner never dies alone here */
	return 0;
}

SYSCALL_HANDLER(sched_getaffinity)
{
	uint64_t mask = 1, len = args->a[1];

	if (len < sizeof(mask))
		return -LINUX_EINVAL;
	if (copy_to_user(args->a[2], &mask, sizeof(mask)) < 0)
		return -LINUX_EFAULT;
	return sizeof(mask);
}

/* ---- futex ---------------------------------------------------------------- */

static bool futex_word_ok(uint64_t uaddr)
{
	return uaddr % 4 == 0 && user_ok(uaddr, 4, false);
}

/* Wakes up to count waiters on uaddr whose bitset meets bitset; the number woken. */
int64_t futex_wake(uint64_t uaddr, uint64_t count, uint32_t bitset)
{
	struct wait_queue *wq = futex_bucket(uaddr);
	uint64_t flags = irq_save();
	int64_t woken = 0;
	struct thread *t = wq->head, *next;

	for (; t && (uint64_t)woken < count; t = next) {
		next = t->queue_next;
		if (t->wait_object != uaddr || !(t->futex_bitset & bitset))
			continue;
		wait_queue_wake_thread(wq, t);
		woken++;
	}
	irq_restore(flags);
	return woken;
}

/* Moves up to count waiters of uaddr to uaddr2's queue; the number moved. */
static int64_t futex_requeue(uint64_t uaddr, uint64_t uaddr2, uint64_t count)
{
	struct wait_queue *from = futex_bucket(uaddr), *to = futex_bucket(uaddr2);
	struct thread *t = from->head, *next;
	int64_t moved = 0;

	for (; t && (uint64_t)moved < count; t = next) {
		next = t->queue_next;
		if (t->wait_object != uaddr)
			continue;
		wait_queue_move(from, to, t);
		t->wait_object = uaddr2;
		moved++;
	}
	return moved;
}

/* The deadline of a wait in clock_ns() time; 0 for none, UINT64_MAX for a bad timespec. */
static uint64_t futex_deadline(uint64_t uts, bool absolute, bool realtime, int64_t *err)
{
	struct linux_timespec ts;
	uint64_t ns;

	*err = 0;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)) < 0) {
		*err = -LINUX_EFAULT;
		return 0;
	}
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) {
		*err = -LINUX_EINVAL;
		return 0;
	}
	ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	if (!absolute)
		return clock_ns() + ns + 1;
	if (realtime)
		ns = ns > wall_clock_offset_ns() ? ns - wall_clock_offset_ns() : 1;
	return ns ? ns : 1;
}

static int64_t futex_wait(uint64_t uaddr, uint32_t val, uint64_t deadline, uint32_t bitset)
{
	uint64_t flags = irq_save();
	int64_t ret = 0;

	if (*(volatile uint32_t *)uaddr != val) {
		irq_restore(flags);
		return -LINUX_EAGAIN;
	}
	current->futex_bitset = bitset;
	if (wait_queue_block_until(futex_bucket(uaddr), UNISCOPE_WAIT_FUTEX, (void *)uaddr, deadline) < 0)
		ret = -LINUX_ETIMEDOUT;
	irq_restore(flags);
	return ret;
}

SYSCALL_HANDLER(futex)
{
	uint64_t uaddr = args->a[0], op = args->a[1], val = args->a[2];
	uint64_t cmd = op & ~(uint64_t)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	bool realtime = op & FUTEX_CLOCK_REALTIME;
	uint32_t bitset = (uint32_t)args->a[5];
	uint64_t deadline, flags;
	int64_t err;

	if (!futex_word_ok(uaddr))
		return -LINUX_EFAULT;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (cmd == FUTEX_WAIT)
			bitset = FUTEX_BITSET_MATCH_ANY;
		if (!bitset)
			return -LINUX_EINVAL;
		deadline = futex_deadline(args->a[3], cmd == FUTEX_WAIT_BITSET, realtime, &err);
		return err ? err : futex_wait(uaddr, (uint32_t)val, deadline, bitset);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE)
			bitset = FUTEX_BITSET_MATCH_ANY;
		return bitset ? futex_wake(uaddr, val, bitset) : -LINUX_EINVAL;
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		if (!futex_word_ok(args->a[4]))
			return -LINUX_EFAULT;
		flags = irq_save();
		if (cmd == FUTEX_CMP_REQUEUE && *(volatile uint32_t *)uaddr != (uint32_t)args->a[5]) {
			irq_restore(flags);
			return -LINUX_EAGAIN;
		}
		err = futex_wake(uaddr, val, FUTEX_BITSET_MATCH_ANY);
		err += futex_requeue(uaddr, args->a[4], args->a[3]);
		irq_restore(flags);
		return err;
	default:
		posix_unsupported("futex operation", op);
		return -LINUX_ENOSYS;
	}
}
