/*
 * eventfd (eventfd2): a 64-bit counter behind a descriptor, as Linux has
 * it. A read of 8 bytes takes the counter (or 1 of it, EFD_SEMAPHORE) and
 * waits while it is 0; a write of 8 bytes adds to it and waits while the
 * sum would pass 2^64 - 2; EFD_NONBLOCK gives -EAGAIN instead. Readable
 * while the counter is above 0, writable while 1 more fits.
 */
#include <stdlib.h>
#include "posix.h"
#include "fd.h"
#include "io.h"
#include "arch/x86_64/cpu.h"

#define EFD_SEMAPHORE 1
#define COUNTER_MAX 0xfffffffffffffffeull

struct eventfd {
	struct fd_object object;
	uint64_t count;
	bool semaphore;
	struct wait_queue waiters;
};

static uint32_t eventfd_poll(struct fd_object *o)
{
	struct eventfd *e = (struct eventfd *)o;

	return (e->count ? LINUX_POLLIN | LINUX_POLLRDNORM : 0) |
	       (e->count < COUNTER_MAX ? LINUX_POLLOUT | LINUX_POLLWRNORM : 0);
}

static void eventfd_changed(struct eventfd *e)
{
	wait_queue_wake_all(&e->waiters);
	fd_notify(&e->object, eventfd_poll(&e->object));
}

static int64_t eventfd_read(struct fd_object *o, uint64_t buf, uint64_t len)
{
	struct eventfd *e = (struct eventfd *)o;
	uint64_t flags, value;

	if (len < sizeof(value))
		return -LINUX_EINVAL;
	flags = irq_save();
	while (!e->count) {
		if (fd_nonblocking(o)) {
			irq_restore(flags);
			return -LINUX_EAGAIN;
		}
		wait_queue_block(&e->waiters, UNISCOPE_WAIT_QUEUE, e);
	}
	value = e->semaphore ? 1 : e->count;
	e->count -= value;
	eventfd_changed(e);
	irq_restore(flags);
	return copy_to_user(buf, &value, sizeof(value)) < 0 ? -LINUX_EFAULT : (int64_t)sizeof(value);
}

static int64_t eventfd_write(struct fd_object *o, uint64_t buf, uint64_t len)
{
	struct eventfd *e = (struct eventfd *)o;
	uint64_t flags, value;

	if (len < sizeof(value))
		return -LINUX_EINVAL;
	if (copy_from_user(&value, buf, sizeof(value)) < 0)
		return -LINUX_EFAULT;
	if (value == UINT64_MAX)
		return -LINUX_EINVAL;
	flags = irq_save();
	while (e->count > COUNTER_MAX - value) {
		if (fd_nonblocking(o)) {
			irq_restore(flags);
			return -LINUX_EAGAIN;
		}
		wait_queue_block(&e->waiters, UNISCOPE_WAIT_QUEUE, e);
	}
	e->count += value;
	if (value)
		eventfd_changed(e);
	irq_restore(flags);
	return sizeof(value);
}

static void eventfd_release(struct fd_object *o)
{
	free(o);
}

static const struct fd_ops eventfd_ops = {
	.st_mode = 0600, /* an anonymous inode: no file type, as Linux says */
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.release = eventfd_release,
};

SYSCALL_HANDLER(eventfd2)
{
	uint64_t flags = args->a[1];
	struct eventfd *e;

	if (flags & ~(uint64_t)(LINUX_O_CLOEXEC | LINUX_O_NONBLOCK | EFD_SEMAPHORE))
		return -LINUX_EINVAL;
	if (!(e = calloc(1, sizeof(*e))))
		return -LINUX_ENOMEM;
	fd_object_init(&e->object, &eventfd_ops);
	e->object.status = (uint32_t)flags & LINUX_O_NONBLOCK;
	e->count = (uint32_t)args->a[0];
	e->semaphore = flags & EFD_SEMAPHORE;
	return fd_install(&e->object, flags & LINUX_O_CLOEXEC);
}

SYSCALL_HANDLER(eventfd)
{
	struct syscall_args two = { .a = { args->a[0], 0 } };

	return sys_eventfd2(&two);
}

void eventfd_register(void)
{
	syscall_register(SYS_eventfd, sys_eventfd);
	syscall_register(SYS_eventfd2, sys_eventfd2);
}
