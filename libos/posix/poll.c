/*
 * poll, ppoll, select and pselect6. One engine (wait_ready): each
 * descriptor that is an object gets a poll_watch for the call, whose
 * wake() wakes the calling thread; the readiness check and the block are
 * one interrupt-free section, so no change between them is missed. A
 * select is a poll of the descriptors its sets name. The signal masks of
 * ppoll and pselect6 are ignored (the libOS delivers no signals).
 *
 * The arrays come from the application: nfds is bounded by the descriptor
 * limit (-EINVAL beyond it, as Linux), fd_sets by nfds, and everything is
 * copied in and checked before anything waits.
 */
#include <stdlib.h>
#include <string.h>
#include "posix.h"
#include "fd.h"
#include "io.h"
#include "arch/x86_64/cpu.h"
#include "net/sockarg.h"

#define STACK_ENTRIES 8
#define ALWAYS_REPORTED (LINUX_POLLERR | LINUX_POLLHUP | LINUX_POLLNVAL)

struct linux_pollfd {
	int32_t fd;
	int16_t events, revents;
};

struct poll_call {
	struct wait_queue waiters;
};

struct poll_entry {
	struct poll_watch watch;
	struct fd_object *object; /* NULL: not an object (fd_poll_other) */
	struct poll_call *call;
};

uint64_t deadline_after_ms(int64_t ms)
{
	return ms < 0 ? 0 : clock_ns() + (uint64_t)ms * 1000000ull + 1;
}

int64_t deadline_from_timespec(uint64_t uaddr, uint64_t *deadline)
{
	struct linux_timespec ts;

	*deadline = 0;
	if (!uaddr)
		return 0;
	if (copy_from_user(&ts, uaddr, sizeof(ts)) < 0)
		return -LINUX_EFAULT;
	if (sa_check_time(ts.tv_sec, ts.tv_nsec, 1000000000) < 0)
		return -LINUX_EINVAL;
	*deadline = !ts.tv_sec && !ts.tv_nsec ? 1 /* do not wait */
		  : clock_ns() + (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + 1;
	return 0;
}

static void poll_wake(struct poll_watch *w, uint32_t events)
{
	(void)events;
	wait_queue_wake_all(&((struct poll_entry *)w)->call->waiters);
}

/* Interrupts off: the revents of every entry; how many have any. */
static int scan(struct linux_pollfd *fds, struct poll_entry *e, uint64_t n)
{
	int ready = 0;

	for (uint64_t i = 0; i < n; i++) {
		uint32_t now;
		if (fds[i].fd < 0) {
			fds[i].revents = 0;
			continue;
		}
		now = e[i].object ? e[i].object->ops->poll(e[i].object) : fd_poll_other(fds[i].fd);
		fds[i].revents = (int16_t)(now & ((uint16_t)fds[i].events | ALWAYS_REPORTED));
		ready += fds[i].revents != 0;
	}
	return ready;
}

static void watch_all(struct poll_entry *e, uint64_t n, bool on)
{
	for (uint64_t i = 0; i < n; i++) {
		if (!e[i].object)
			continue;
		if (on)
			fd_watch(e[i].object, &e[i].watch);
		else
			fd_unwatch(&e[i].watch);
	}
}

/* Waits until one of fds is ready or the deadline (0: none; 1: do not wait) passes; how many are. */
static int64_t wait_ready(struct linux_pollfd *fds, struct poll_entry *e, uint64_t n, uint64_t deadline)
{
	struct poll_call call = { { 0, 0 } };
	uint64_t flags;
	int ready;

	for (uint64_t i = 0; i < n; i++) {
		e[i] = (struct poll_entry){ .watch.wake = poll_wake, .call = &call };
		e[i].object = fds[i].fd >= 0 ? fd_get(fds[i].fd) : 0;
	}
	flags = irq_save();
	watch_all(e, n, true);
	while (!(ready = scan(fds, e, n)) && deadline != 1) {
		if (deadline && clock_ns() >= deadline)
			break;
		wait_queue_block_until(&call.waiters, UNISCOPE_WAIT_POLL, 0, deadline);
	}
	watch_all(e, n, false);
	irq_restore(flags);
	for (uint64_t i = 0; i < n; i++)
		if (e[i].object)
			fd_put(e[i].object);
	return ready;
}

static int64_t do_poll(uint64_t ufds, uint64_t n, uint64_t deadline)
{
	struct linux_pollfd stack_fds[STACK_ENTRIES], *fds = stack_fds;
	struct poll_entry stack_e[STACK_ENTRIES], *e = stack_e;
	int64_t ret;

	if (sa_check_nfds(n) < 0)
		return -LINUX_EINVAL;
	if (n > STACK_ENTRIES && (!(fds = malloc(n * sizeof(*fds))) || !(e = malloc(n * sizeof(*e))))) {
		free(fds != stack_fds ? fds : 0);
		return -LINUX_ENOMEM;
	}
	if (copy_from_user(fds, ufds, n * sizeof(*fds)) < 0 || !user_ok(ufds, n * sizeof(*fds), true))
		ret = -LINUX_EFAULT;
	else
		ret = wait_ready(fds, e, n, deadline);
	if (ret >= 0)
		for (uint64_t i = 0; i < n; i++) /* revents only: the caller's other fields stay */
			copy_to_user(ufds + i * sizeof(*fds) + 6, &fds[i].revents, 2);
	if (fds != stack_fds) {
		free(fds);
		free(e);
	}
	return ret;
}

SYSCALL_HANDLER(poll)
{
	int timeout = (int)args->a[2];

	return do_poll(args->a[0], args->a[1], timeout == 0 ? 1 : deadline_after_ms(timeout));
}

SYSCALL_HANDLER(ppoll)
{
	uint64_t deadline;
	int64_t err = deadline_from_timespec(args->a[2], &deadline);

	return err < 0 ? err : do_poll(args->a[0], args->a[1], deadline);
}

/* ---- select: a poll of the descriptors in the sets ------------------------------ */

static bool bit(const uint64_t *set, int fd)
{
	return set && (set[fd / 64] >> (fd % 64)) & 1;
}

static int64_t do_select(int64_t nfds, uint64_t uread, uint64_t uwrite, uint64_t uexcept, uint64_t deadline)
{
	uint64_t sets[3][FD_MAX / 64], *set[3] = { 0 }, uset[3] = { uread, uwrite, uexcept };
	int64_t bytes = sa_select_bytes(nfds), ret, n = 0, count = 0;
	struct linux_pollfd *fds;
	struct poll_entry *e;

	if (bytes < 0)
		return -LINUX_EINVAL;
	for (int k = 0; k < 3; k++) {
		if (!uset[k])
			continue;
		memset(sets[k], 0, sizeof(sets[k]));
		if (copy_from_user(sets[k], uset[k], (uint64_t)bytes) < 0 || !user_ok(uset[k], (uint64_t)bytes, true))
			return -LINUX_EFAULT;
		set[k] = sets[k];
	}
	fds = malloc((size_t)(nfds ? nfds : 1) * sizeof(*fds));
	e = malloc((size_t)(nfds ? nfds : 1) * sizeof(*e));
	if (!fds || !e) {
		free(fds);
		free(e);
		return -LINUX_ENOMEM;
	}
	for (int fd = 0; fd < nfds; fd++) {
		int16_t events = (int16_t)((bit(set[0], fd) ? LINUX_POLLIN : 0) | (bit(set[1], fd) ? LINUX_POLLOUT : 0) |
					   (bit(set[2], fd) ? LINUX_POLLPRI : 0));
		if (events)
			fds[n++] = (struct linux_pollfd){ fd, events, 0 };
	}
	ret = wait_ready(fds, e, (uint64_t)n, deadline);
	for (int k = 0; k < 3 && ret >= 0; k++)
		if (set[k])
			memset(set[k], 0, (size_t)bytes);
	for (int64_t i = 0; i < n && ret >= 0; i++) {
		int fd = fds[i].fd, r = fds[i].revents;
		if (r & LINUX_POLLNVAL) {
			ret = -LINUX_EBADF;
			break;
		}
		bool readable = set[0] && (fds[i].events & LINUX_POLLIN) && (r & (LINUX_POLLIN | LINUX_POLLHUP | LINUX_POLLERR));
		bool writable = set[1] && (fds[i].events & LINUX_POLLOUT) && (r & (LINUX_POLLOUT | LINUX_POLLERR));
		bool except = set[2] && (fds[i].events & LINUX_POLLPRI) && (r & LINUX_POLLPRI);
		if (readable)
			set[0][fd / 64] |= 1ull << (fd % 64), count++;
		if (writable)
			set[1][fd / 64] |= 1ull << (fd % 64), count++;
		if (except)
			set[2][fd / 64] |= 1ull << (fd % 64), count++;
	}
	for (int k = 0; k < 3 && ret >= 0; k++)
		if (set[k])
			copy_to_user(uset[k], set[k], (uint64_t)bytes);
	free(fds);
	free(e);
	return ret < 0 ? ret : count;
}

static int64_t deadline_from_timeval(uint64_t uaddr, uint64_t *deadline)
{
	struct linux_timeval tv;

	*deadline = 0;
	if (!uaddr)
		return 0;
	if (copy_from_user(&tv, uaddr, sizeof(tv)) < 0)
		return -LINUX_EFAULT;
	if (sa_check_time(tv.tv_sec, tv.tv_usec, 1000000) < 0)
		return -LINUX_EINVAL;
	*deadline = !tv.tv_sec && !tv.tv_usec ? 1
		  : clock_ns() + (uint64_t)tv.tv_sec * 1000000000ull + (uint64_t)tv.tv_usec * 1000 + 1;
	return 0;
}

SYSCALL_HANDLER(select)
{
	uint64_t deadline;
	int64_t err = deadline_from_timeval(args->a[4], &deadline);

	return err < 0 ? err : do_select((int64_t)(int32_t)args->a[0], args->a[1], args->a[2], args->a[3], deadline);
}

SYSCALL_HANDLER(pselect6)
{
	uint64_t deadline;
	int64_t err = deadline_from_timespec(args->a[4], &deadline);

	return err < 0 ? err : do_select((int64_t)(int32_t)args->a[0], args->a[1], args->a[2], args->a[3], deadline);
}

void poll_register(void)
{
	syscall_register(SYS_poll, sys_poll);
	syscall_register(SYS_ppoll, sys_ppoll);
	syscall_register(SYS_select, sys_select);
	syscall_register(SYS_pselect6, sys_pselect6);
}
