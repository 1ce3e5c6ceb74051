/*
 * epoll (epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait).
 *
 * An epoll instance is a descriptor object holding its registrations
 * (items). Each item hangs a poll_watch on its object: when the object's
 * readiness changes and meets the item's interest, the item goes on the
 * instance's ready list (once) and waiters wake. epoll_wait takes items off
 * the ready list, asks each object what it is ready for now, reports those
 * that still are, and puts a level-triggered one back (it is reported
 * again while it stays ready); an edge-triggered one (EPOLLET) waits for
 * the next change, a one-shot one (EPOLLONESHOT) for an EPOLL_CTL_MOD.
 * Linux's rules for registrations hold: an item names a descriptor and the
 * object behind it; closing the last descriptor of an object removes its
 * items (the watch's gone()); an item does not keep its object alive.
 *
 * Interrupts off is the lock of the lists. epoll_wait reports at most
 * WAIT_BATCH items a call (fewer than maxevents is always allowed); the
 * application's array is checked before anything waits.
 */
#include <stdlib.h>
#include <string.h>
#include "posix.h"
#include "fd.h"
#include "io.h"
#include "arch/x86_64/cpu.h"
#include "net/sockarg.h"

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define WAIT_BATCH 64
#define ALWAYS_REPORTED (LINUX_POLLERR | LINUX_POLLHUP)
#define KNOWN_EVENTS (0x3fffu | LINUX_EPOLLEXCLUSIVE | LINUX_EPOLLWAKEUP | LINUX_EPOLLONESHOT | LINUX_EPOLLET)

struct linux_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

struct epoll;

struct epitem {
	struct poll_watch watch;  /* first: the watch is the item */
	struct epoll *ep;
	int fd;
	uint32_t events;
	uint64_t data;
	bool ready;               /* on the ready list */
	bool disabled;            /* a one-shot item that fired */
	struct epitem *next;      /* all the instance's items */
	struct epitem *ready_next;
};

struct epoll {
	struct fd_object object;
	struct epitem *items;
	struct epitem *ready_head, *ready_tail;
	struct wait_queue waiters;
};

static uint32_t epoll_poll(struct fd_object *o)
{
	return ((struct epoll *)o)->ready_head ? LINUX_POLLIN | LINUX_POLLRDNORM : 0;
}

static void ready_append(struct epitem *it)
{
	struct epoll *ep = it->ep;

	if (it->ready)
		return;
	it->ready = true;
	it->ready_next = 0;
	if (ep->ready_tail)
		ep->ready_tail->ready_next = it;
	else
		ep->ready_head = it;
	ep->ready_tail = it;
}

static struct epitem *ready_pop(struct epoll *ep)
{
	struct epitem *it = ep->ready_head;

	if (!it)
		return 0;
	ep->ready_head = it->ready_next;
	if (!ep->ready_head)
		ep->ready_tail = 0;
	it->ready = false;
	return it;
}

static void ready_remove(struct epitem *it)
{
	struct epoll *ep = it->ep;
	struct epitem *prev = 0;

	if (!it->ready)
		return;
	for (struct epitem *p = ep->ready_head; p; prev = p, p = p->ready_next) {
		if (p != it)
			continue;
		if (prev)
			prev->ready_next = it->ready_next;
		else
			ep->ready_head = it->ready_next;
		if (ep->ready_tail == it)
			ep->ready_tail = prev;
		break;
	}
	it->ready = false;
}

/* Interrupts off: the item's object may be ready for what it wants. */
static void item_wake(struct poll_watch *w, uint32_t events)
{
	struct epitem *it = (struct epitem *)w;

	if (it->disabled || !(events & (it->events | ALWAYS_REPORTED)))
		return;
	ready_append(it);
	wait_queue_wake_all(&it->ep->waiters);
	fd_notify(&it->ep->object, LINUX_POLLIN); /* an epoll instance inside another, or in poll() */
}

static void item_unlink(struct epitem *it)
{
	struct epitem **p = &it->ep->items;

	while (*p && *p != it)
		p = &(*p)->next;
	if (*p)
		*p = it->next;
	ready_remove(it);
}

/* The object is being released: its items go (interrupts off, watch already off). */
static void item_gone(struct poll_watch *w)
{
	struct epitem *it = (struct epitem *)w;

	item_unlink(it);
	free(it);
}

static void epoll_release(struct fd_object *o)
{
	struct epoll *ep = (struct epoll *)o;
	uint64_t flags = irq_save();

	while (ep->items) {
		struct epitem *it = ep->items;
		fd_unwatch(&it->watch);
		ep->items = it->next;
		free(it);
	}
	irq_restore(flags);
	free(ep);
}

static const struct fd_ops epoll_ops = {
	.st_mode = 0600,
	.poll = epoll_poll,
	.release = epoll_release,
};

static int64_t create(uint64_t flags)
{
	struct epoll *ep;

	if (flags & ~(uint64_t)LINUX_O_CLOEXEC)
		return -LINUX_EINVAL;
	if (!(ep = calloc(1, sizeof(*ep))))
		return -LINUX_ENOMEM;
	fd_object_init(&ep->object, &epoll_ops);
	return fd_install(&ep->object, flags & LINUX_O_CLOEXEC);
}

SYSCALL_HANDLER(epoll_create)
{
	return (int)args->a[0] <= 0 ? -LINUX_EINVAL : create(0);
}

SYSCALL_HANDLER(epoll_create1)
{
	return create(args->a[0]);
}

static struct epitem *find_item(struct epoll *ep, int fd, struct fd_object *o)
{
	for (struct epitem *it = ep->items; it; it = it->next)
		if (it->fd == fd && it->watch.object == o)
			return it;
	return 0;
}

/* Interrupts off: the item's interest changed; report it if it is ready for it now. */
static void item_check(struct epitem *it, struct fd_object *o)
{
	it->disabled = false;
	ready_remove(it);
	item_wake(&it->watch, o->ops->poll(o));
}

static int64_t ctl_locked(struct epoll *ep, int op, int fd, struct fd_object *o, const struct linux_epoll_event *ev)
{
	struct epitem *it = find_item(ep, fd, o);

	if (op == EPOLL_CTL_ADD) {
		if (it)
			return -LINUX_EEXIST;
		if (!(it = calloc(1, sizeof(*it))))
			return -LINUX_ENOMEM;
		*it = (struct epitem){ .watch.wake = item_wake, .watch.gone = item_gone, .ep = ep, .fd = fd,
				       .events = ev->events, .data = ev->data, .next = ep->items };
		ep->items = it;
		fd_watch(o, &it->watch);
		item_check(it, o);
		return 0;
	}
	if (!it)
		return -LINUX_ENOENT;
	if (op == EPOLL_CTL_DEL) {
		fd_unwatch(&it->watch);
		item_unlink(it);
		free(it);
		return 0;
	}
	it->events = ev->events;
	it->data = ev->data;
	item_check(it, o);
	return 0;
}

/* The arguments as Linux checks them, in its order (fs/eventpoll.c). */
static int64_t ctl_check(struct fd_object *epo, int epfd, int op, int fd, struct fd_object *o, uint64_t uev,
			 struct linux_epoll_event *ev)
{
	if (op != EPOLL_CTL_DEL && copy_from_user(ev, uev, sizeof(*ev)) < 0)
		return -LINUX_EFAULT;
	if (!epo)
		return -LINUX_EBADF;
	if (!o) /* not open; or the console, a file: nothing to wait for */
		return fd_poll_other(fd) == LINUX_POLLNVAL ? -LINUX_EBADF : -LINUX_EPERM;
	if (epo->ops != &epoll_ops || fd == epfd || o == epo)
		return -LINUX_EINVAL;
	if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_DEL && op != EPOLL_CTL_MOD)
		return -LINUX_EINVAL;
	if (op != EPOLL_CTL_DEL && (ev->events & ~KNOWN_EVENTS))
		return -LINUX_EINVAL;
	return 0;
}

SYSCALL_HANDLER(epoll_ctl)
{
	int epfd = (int)args->a[0], op = (int)args->a[1], fd = (int)args->a[2];
	struct fd_object *epo = fd_get(epfd), *o = fd_get(fd);
	struct linux_epoll_event ev = { 0, 0 };
	int64_t err = ctl_check(epo, epfd, op, fd, o, args->a[3], &ev);

	if (!err) {
		uint64_t flags = irq_save();
		err = ctl_locked((struct epoll *)epo, op, fd, o, &ev);
		irq_restore(flags);
	}
	if (epo)
		fd_put(epo);
	if (o)
		fd_put(o);
	return err;
}

/* Interrupts off: up to max ready events into out; how many. */
static int harvest(struct epoll *ep, struct linux_epoll_event *out, int max)
{
	struct epitem *requeue = 0, **tail = &requeue;
	int n = 0;

	while (n < max) {
		struct epitem *it = ready_pop(ep);
		uint32_t now;
		if (!it)
			break;
		now = it->watch.object->ops->poll(it->watch.object) & (it->events | ALWAYS_REPORTED);
		if (!now || it->disabled)
			continue;
		out[n++] = (struct linux_epoll_event){ now, it->data };
		if (it->events & LINUX_EPOLLONESHOT)
			it->disabled = true;
		else if (!(it->events & LINUX_EPOLLET)) {
			*tail = it; /* level-triggered: back on the list, after this round */
			it->ready_next = 0;
			tail = &it->ready_next;
		}
	}
	for (struct epitem *it = requeue, *next; it; it = next) {
		next = it->ready_next;
		ready_append(it);
	}
	return n;
}

static int64_t do_wait(int epfd, uint64_t uevents, int64_t maxevents, uint64_t deadline)
{
	struct linux_epoll_event out[WAIT_BATCH];
	struct fd_object *o;
	int max, n;
	uint64_t flags;

	if (sa_check_maxevents(maxevents) < 0)
		return -LINUX_EINVAL;
	max = maxevents < (int64_t)(sizeof(out) / sizeof(out[0])) ? (int)maxevents : (int)(sizeof(out) / sizeof(out[0]));
	if (!user_ok(uevents, (uint64_t)max * sizeof(out[0]), true))
		return -LINUX_EFAULT;
	if (!(o = fd_get(epfd)))
		return -LINUX_EBADF;
	if (o->ops != &epoll_ops) {
		fd_put(o);
		return -LINUX_EINVAL;
	}
	flags = irq_save();
	while (!(n = harvest((struct epoll *)o, out, max)) && deadline != 1) {
		if (deadline && clock_ns() >= deadline)
			break;
		wait_queue_block_until(&((struct epoll *)o)->waiters, UNISCOPE_WAIT_POLL, o, deadline);
	}
	irq_restore(flags);
	fd_put(o);
	return copy_to_user(uevents, out, (uint64_t)n * sizeof(out[0])) < 0 ? -LINUX_EFAULT : n;
}

SYSCALL_HANDLER(epoll_wait)
{
	int timeout = (int)args->a[3];

	return do_wait((int)args->a[0], args->a[1], (int)args->a[2], timeout == 0 ? 1 : deadline_after_ms(timeout));
}

SYSCALL_HANDLER(epoll_pwait)
{
	int timeout = (int)args->a[3];

	return do_wait((int)args->a[0], args->a[1], (int)args->a[2], timeout == 0 ? 1 : deadline_after_ms(timeout));
}

void epoll_register(void)
{
	syscall_register(SYS_epoll_create, sys_epoll_create);
	syscall_register(SYS_epoll_create1, sys_epoll_create1);
	syscall_register(SYS_epoll_ctl, sys_epoll_ctl);
	syscall_register(SYS_epoll_wait, sys_epoll_wait);
	syscall_register(SYS_epoll_pwait, sys_epoll_pwait);
}
