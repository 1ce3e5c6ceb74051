/*
 * Pipes (pipe, pipe2): a ring of PIPE_SIZE bytes between a read end and a
 * write end, each a descriptor object. Servers wake their own event loop
 * with one; threads hand each other work through one.
 *
 * Reads wait while the ring is empty and a writer exists (end of file when
 * none does); writes wait while it is full, and a write of at most
 * PIPE_BUF bytes is never split, as POSIX says. Writing with no reader left
 * is -EPIPE (no SIGPIPE: the libOS delivers no signals). O_NONBLOCK gives
 * -EAGAIN instead of waiting. Interrupts off is the lock; a thread waits
 * with reason "queue" on the pipe.
 */
#include <stdlib.h>
#include <string.h>
#include "posix.h"
#include "fd.h"
#include "io.h"
#include "arch/x86_64/cpu.h"

#define PIPE_SIZE 65536
#define PIPE_BUF 4096

struct pipe;

struct pipe_end {
	struct fd_object object;
	struct pipe *pipe;
};

struct pipe {
	struct pipe_end read_end, write_end;
	bool reader, writer; /* ends still open */
	uint32_t head, len;
	struct wait_queue waiters; /* readers and writers alike */
	uint8_t buf[PIPE_SIZE];
};

static uint32_t pipe_poll(struct fd_object *o);

static void pipe_changed(struct pipe *p)
{
	wait_queue_wake_all(&p->waiters);
	fd_notify(&p->read_end.object, pipe_poll(&p->read_end.object));
	fd_notify(&p->write_end.object, pipe_poll(&p->write_end.object));
}

static uint32_t pipe_poll(struct fd_object *o)
{
	struct pipe *p = ((struct pipe_end *)o)->pipe;

	if (o == &p->read_end.object)
		return (p->len ? LINUX_POLLIN | LINUX_POLLRDNORM : 0) | (!p->writer ? LINUX_POLLHUP : 0);
	return (p->len < PIPE_SIZE ? LINUX_POLLOUT | LINUX_POLLWRNORM : 0) | (!p->reader ? LINUX_POLLERR : 0);
}

/* Interrupts off: copies up to len bytes out of the ring. */
static uint64_t ring_read(struct pipe *p, uint64_t buf, uint64_t len)
{
	uint64_t n = len < p->len ? len : p->len, first = PIPE_SIZE - p->head < n ? PIPE_SIZE - p->head : n;

	memcpy((void *)buf, p->buf + p->head, first);
	memcpy((void *)(buf + first), p->buf, n - first);
	p->head = (uint32_t)((p->head + n) % PIPE_SIZE);
	p->len -= (uint32_t)n;
	return n;
}

static uint64_t ring_write(struct pipe *p, uint64_t buf, uint64_t len)
{
	uint64_t room = PIPE_SIZE - p->len, n = len < room ? len : room;
	uint32_t tail = (p->head + p->len) % PIPE_SIZE;
	uint64_t first = PIPE_SIZE - tail < n ? PIPE_SIZE - tail : n;

	memcpy(p->buf + tail, (const void *)buf, first);
	memcpy(p->buf, (const void *)(buf + first), n - first);
	p->len += (uint32_t)n;
	return n;
}

static int64_t pipe_read(struct fd_object *o, uint64_t buf, uint64_t len)
{
	struct pipe *p = ((struct pipe_end *)o)->pipe;
	uint64_t flags = irq_save(), n;

	if (o != &p->read_end.object) {
		irq_restore(flags);
		return -LINUX_EBADF;
	}
	while (!p->len && p->writer && len) {
		if (fd_nonblocking(o)) {
			irq_restore(flags);
			return -LINUX_EAGAIN;
		}
		wait_queue_block(&p->waiters, UNISCOPE_WAIT_QUEUE, p);
	}
	n = ring_read(p, buf, len);
	if (n)
		pipe_changed(p);
	irq_restore(flags);
	return (int64_t)n;
}

static int64_t pipe_write(struct fd_object *o, uint64_t buf, uint64_t len)
{
	struct pipe *p = ((struct pipe_end *)o)->pipe;
	uint64_t flags = irq_save(), done = 0;

	if (o != &p->write_end.object) {
		irq_restore(flags);
		return -LINUX_EBADF;
	}
	while (done < len) {
		uint64_t room = PIPE_SIZE - p->len;
		if (!p->reader) {
			irq_restore(flags);
			return done ? (int64_t)done : -LINUX_EPIPE;
		}
		if (!room || (len <= PIPE_BUF && room < len)) { /* small writes are never split */
			if (fd_nonblocking(o))
				break;
			wait_queue_block(&p->waiters, UNISCOPE_WAIT_QUEUE, p);
			continue;
		}
		done += ring_write(p, buf + done, len - done);
		pipe_changed(p);
	}
	irq_restore(flags);
	return done || !len ? (int64_t)done : -LINUX_EAGAIN;
}

static void pipe_release(struct fd_object *o)
{
	struct pipe *p = ((struct pipe_end *)o)->pipe;
	uint64_t flags = irq_save();
	bool gone;

	if (o == &p->read_end.object)
		p->reader = false;
	else
		p->writer = false;
	gone = !p->reader && !p->writer;
	if (!gone)
		pipe_changed(p);
	irq_restore(flags);
	if (gone)
		free(p);
}

static const struct fd_ops pipe_ops = {
	.st_mode = LINUX_S_IFIFO | 0600,
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.release = pipe_release,
};

static int64_t make_pipe(uint64_t ufds, uint64_t flags)
{
	struct pipe *p;
	int fds[2];

	if (flags & ~(uint64_t)(LINUX_O_CLOEXEC | LINUX_O_NONBLOCK))
		return -LINUX_EINVAL;
	if (!user_ok(ufds, sizeof(fds), true))
		return -LINUX_EFAULT;
	if (!(p = calloc(1, sizeof(*p))))
		return -LINUX_ENOMEM;
	p->reader = p->writer = true;
	p->read_end.pipe = p->write_end.pipe = p;
	fd_object_init(&p->read_end.object, &pipe_ops);
	fd_object_init(&p->write_end.object, &pipe_ops);
	p->read_end.object.status = p->write_end.object.status = (uint32_t)flags & LINUX_O_NONBLOCK;
	if ((fds[0] = fd_install(&p->read_end.object, flags & LINUX_O_CLOEXEC)) < 0) {
		fd_put(&p->write_end.object);
		return fds[0];
	}
	if ((fds[1] = fd_install(&p->write_end.object, flags & LINUX_O_CLOEXEC)) < 0) {
		fd_close(fds[0]);
		return fds[1];
	}
	copy_to_user(ufds, fds, sizeof(fds));
	return 0;
}

SYSCALL_HANDLER(pipe)
{
	return make_pipe(args->a[0], 0);
}

SYSCALL_HANDLER(pipe2)
{
	return make_pipe(args->a[0], args->a[1]);
}

void pipe_register(void)
{
	syscall_register(SYS_pipe, sys_pipe);
	syscall_register(SYS_pipe2, sys_pipe2);
}
