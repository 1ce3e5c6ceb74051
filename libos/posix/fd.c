/*
 * Descriptor objects (fd.h): references, readiness watchers, and the
 * generic half of read/write/readv/writev/ioctl on them. Interrupts
 * disabled is the lock: an object's readiness changes in interrupt-free
 * sections of the network stack and of pipes, and watchers wake threads.
 *
 * Nothing in the libOS's core calls these; modules that make objects do
 * (kern/module.h), so an image without them links none of this.
 */
#include <stdlib.h>
#include <string.h>
#include "posix.h"
#include "fd.h"
#include "arch/x86_64/cpu.h"

#define FIONBIO 0x5421
#define SSIZE_MAX_ 0x7fffffffffffffffll

static int64_t fd_object_dispatch(struct fd_object *o, enum fd_call call, uint64_t a, uint64_t b);

void fd_object_init(struct fd_object *o, const struct fd_ops *ops)
{
	*o = (struct fd_object){ .ops = ops, .refs = 1 };
	fd_object_call = fd_object_dispatch;
}

void fd_hold(struct fd_object *o)
{
	uint64_t flags = irq_save();

	o->refs++;
	irq_restore(flags);
}

/* The last reference: watchers left (epoll registrations) let go, then the object goes. */
void fd_put(struct fd_object *o)
{
	uint64_t flags = irq_save();
	bool last = --o->refs == 0;

	while (last && o->watchers) {
		struct poll_watch *w = o->watchers;
		fd_unwatch(w);
		if (w->gone)
			w->gone(w);
	}
	irq_restore(flags);
	if (last)
		o->ops->release(o);
}

bool fd_nonblocking(const struct fd_object *o)
{
	return (o->status & LINUX_O_NONBLOCK) != 0;
}

void fd_watch(struct fd_object *o, struct poll_watch *w)
{
	w->object = o;
	w->next = o->watchers;
	w->pprev = &o->watchers;
	if (o->watchers)
		o->watchers->pprev = &w->next;
	o->watchers = w;
}

void fd_unwatch(struct poll_watch *w)
{
	if (!w->pprev)
		return;
	*w->pprev = w->next;
	if (w->next)
		w->next->pprev = w->pprev;
	w->next = 0;
	w->pprev = 0;
}

/*
 * Every watcher hears the change. A wake() may unwatch itself (a oneshot
 * epoll item) but no other watcher, so the next one is taken first.
 */
void fd_notify(struct fd_object *o, uint32_t events)
{
	uint64_t flags = irq_save();

	for (struct poll_watch *w = o->watchers, *next; w; w = next) {
		next = w->next;
		w->wake(w, events);
	}
	irq_restore(flags);
}

int64_t fd_object_read(struct fd_object *o, uint64_t buf, uint64_t len)
{
	if (!o->ops->read)
		return -LINUX_EINVAL;
	if (!user_ok(buf, len, true))
		return -LINUX_EFAULT;
	return o->ops->read(o, buf, len > SSIZE_MAX_ ? SSIZE_MAX_ : len);
}

int64_t fd_object_write(struct fd_object *o, uint64_t buf, uint64_t len)
{
	if (!o->ops->write)
		return -LINUX_EINVAL;
	if (!user_ok(buf, len, false))
		return -LINUX_EFAULT;
	return o->ops->write(o, buf, len > SSIZE_MAX_ ? SSIZE_MAX_ : len);
}

/*
 * The iovecs, copied in and checked as Linux does: count at most IOV_MAX,
 * the total no more than SSIZE_MAX (-EINVAL), every buffer addressable
 * (-EFAULT).
 */
int64_t iovec_copy_in(struct linux_iovec *iov, uint64_t uiov, uint64_t count, bool write)
{
	uint64_t total = 0;

	if (count > LINUX_IOV_MAX)
		return -LINUX_EINVAL;
	if (copy_from_user(iov, uiov, count * sizeof(*iov)) < 0)
		return -LINUX_EFAULT;
	for (uint64_t i = 0; i < count; i++) {
		if (iov[i].len > (uint64_t)SSIZE_MAX_ - total)
			return -LINUX_EINVAL;
		total += iov[i].len;
		if (!user_ok(iov[i].base, iov[i].len, !write))
			return -LINUX_EFAULT;
	}
	return (int64_t)total;
}

/* readv/writev: the object's own vector operation, or one buffer at a time until a short one. */
static int64_t vector_each(struct fd_object *o, const struct linux_iovec *iov, uint64_t count, bool write)
{
	int64_t total = 0, n;

	for (uint64_t i = 0; i < count; i++) {
		if (!iov[i].len)
			continue;
		n = write ? o->ops->write(o, iov[i].base, iov[i].len) : o->ops->read(o, iov[i].base, iov[i].len);
		if (n < 0)
			return total ? total : n;
		total += n;
		if ((uint64_t)n < iov[i].len)
			break;
	}
	return total;
}

int64_t fd_object_vector(struct fd_object *o, uint64_t uiov, uint64_t count, bool write)
{
	struct linux_iovec stack_iov[8], *iov = stack_iov;
	int64_t ret;

	if (count > LINUX_IOV_MAX)
		return -LINUX_EINVAL;
	if (count > 8 && !(iov = malloc(count * sizeof(*iov))))
		return -LINUX_ENOMEM;
	ret = iovec_copy_in(iov, uiov, count, write);
	if (ret >= 0) {
		if (write ? o->ops->writev != 0 : o->ops->readv != 0)
			ret = write ? o->ops->writev(o, iov, (uint32_t)count) : o->ops->readv(o, iov, (uint32_t)count);
		else if (write ? !o->ops->write : !o->ops->read)
			ret = -LINUX_EINVAL;
		else
			ret = vector_each(o, iov, count, write);
	}
	if (iov != stack_iov)
		free(iov);
	return ret;
}

int64_t fd_object_ioctl(struct fd_object *o, uint64_t request, uint64_t arg)
{
	int on;

	if (request == FIONBIO) {
		if (copy_from_user(&on, arg, sizeof(on)) < 0)
			return -LINUX_EFAULT;
		o->status = on ? o->status | LINUX_O_NONBLOCK : o->status & ~(uint32_t)LINUX_O_NONBLOCK;
		return 0;
	}
	return o->ops->ioctl ? o->ops->ioctl(o, request, arg) : -LINUX_ENOTTY;
}

static int64_t fd_object_dispatch(struct fd_object *o, enum fd_call call, uint64_t a, uint64_t b)
{
	int64_t ret = 0;

	switch (call) {
	case FD_CALL_READ: ret = fd_object_read(o, a, b); break;
	case FD_CALL_WRITE: ret = fd_object_write(o, a, b); break;
	case FD_CALL_READV: ret = fd_object_vector(o, a, b, false); break;
	case FD_CALL_WRITEV: ret = fd_object_vector(o, a, b, true); break;
	case FD_CALL_IOCTL: ret = fd_object_ioctl(o, a, b); break;
	case FD_CALL_PUT: break;
	}
	fd_put(o);
	return ret;
}
