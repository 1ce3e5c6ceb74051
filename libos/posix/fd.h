/*
 * Descriptors that are objects: sockets, pipes, eventfds, epoll instances
 * (the fd table itself is fs.c's: the console's 0-2, root file system
 * files, and these).
 *
 * An object carries its operations and a reference count: one for each
 * descriptor naming it (dup adds one) and one for each syscall using it
 * (fd_get ... fd_put), so a close() in one thread never frees what a read()
 * blocked in another still uses; the last fd_put releases it.
 *
 * Readiness: ops->poll says what the object is ready for now (Linux's
 * POLLIN/POLLOUT/... bits, which epoll shares). Whoever waits for a change
 * (a poll() or select() call, an epoll instance) hangs a poll_watch on the
 * object; the object calls fd_notify() when its readiness may have
 * changed, and every watcher's wake() runs, with interrupts disabled (the
 * lock of everything here). When an object is released, watchers still
 * on it (epoll registrations, which hold no reference, as on Linux) hear
 * gone() and let go.
 */
#ifndef LIBOS_POSIX_FD_H
#define LIBOS_POSIX_FD_H

#include <stdbool.h>
#include <stdint.h>
#include "linux.h"

#define FD_MAX 1024 /* descriptors 0..FD_MAX-1; also RLIMIT_NOFILE and select's FD_SETSIZE */

/* Readiness, as poll() and epoll say it. */
#define LINUX_POLLIN 0x001
#define LINUX_POLLPRI 0x002
#define LINUX_POLLOUT 0x004
#define LINUX_POLLERR 0x008
#define LINUX_POLLHUP 0x010
#define LINUX_POLLNVAL 0x020
#define LINUX_POLLRDNORM 0x040
#define LINUX_POLLWRNORM 0x100
#define LINUX_POLLRDHUP 0x2000
#define LINUX_O_NONBLOCK 04000
#define LINUX_EPIPE 32
#define LINUX_S_IFIFO 0010000
#define LINUX_S_IFSOCK 0140000

struct fd_object;

struct fd_ops {
	uint32_t st_mode; /* what fstat says: LINUX_S_IFSOCK | 0777, ... */
	int64_t (*read)(struct fd_object *o, uint64_t buf, uint64_t len);
	int64_t (*write)(struct fd_object *o, uint64_t buf, uint64_t len);
	/* Optional: readv/writev in one go (iov copied in and checked); else read/write per buffer. */
	int64_t (*readv)(struct fd_object *o, const struct linux_iovec *iov, uint32_t count);
	int64_t (*writev)(struct fd_object *o, const struct linux_iovec *iov, uint32_t count);
	int64_t (*ioctl)(struct fd_object *o, uint64_t request, uint64_t arg); /* NULL: -ENOTTY */
	uint32_t (*poll)(struct fd_object *o);
	void (*release)(struct fd_object *o); /* nothing refers to it any more: free it */
};

struct poll_watch {
	struct poll_watch *next, **pprev; /* on the object's watchers */
	struct fd_object *object;
	void (*wake)(struct poll_watch *w, uint32_t events); /* interrupts disabled */
	void (*gone)(struct poll_watch *w);                  /* the object is being released */
};

struct fd_object {
	const struct fd_ops *ops;
	uint32_t refs;   /* descriptors, and syscalls using it */
	uint32_t status; /* LINUX_O_NONBLOCK: fcntl(F_SETFL), ioctl(FIONBIO) */
	struct poll_watch *watchers;
};

/* fd.c */
void fd_object_init(struct fd_object *o, const struct fd_ops *ops); /* one reference: the creator's */
void fd_put(struct fd_object *o);
void fd_hold(struct fd_object *o);
bool fd_nonblocking(const struct fd_object *o);
void fd_watch(struct fd_object *o, struct poll_watch *w); /* interrupts disabled */
void fd_unwatch(struct poll_watch *w);                    /* interrupts disabled */
void fd_notify(struct fd_object *o, uint32_t events);
int64_t fd_object_read(struct fd_object *o, uint64_t buf, uint64_t len);
int64_t fd_object_write(struct fd_object *o, uint64_t buf, uint64_t len);
int64_t fd_object_vector(struct fd_object *o, uint64_t uiov, uint64_t count, bool write);
int64_t fd_object_ioctl(struct fd_object *o, uint64_t request, uint64_t arg);
/* Copies count iovecs in, each checked (total <= SSIZE_MAX); count <= LINUX_IOV_MAX. */
int64_t iovec_copy_in(struct linux_iovec *iov, uint64_t uiov, uint64_t count, bool write);
#define LINUX_IOV_MAX 1024

/*
 * What the core's syscalls (sys_io.c, fs.c) ask of an object, through
 * fd_object_call: a pointer fd_object_init sets, so that an image in which
 * no object is ever made links none of the code behind it. Each call but
 * HOLD consumes the caller's reference.
 */
enum fd_call { FD_CALL_READ, FD_CALL_WRITE, FD_CALL_READV, FD_CALL_WRITEV, FD_CALL_IOCTL, FD_CALL_PUT };
extern int64_t (*fd_object_call)(struct fd_object *o, enum fd_call call, uint64_t a, uint64_t b);

/* fs.c: the table */
int fd_install(struct fd_object *o, bool cloexec); /* takes the caller's reference; -EMFILE */
struct fd_object *fd_get(int fd);                  /* a reference, or NULL: not an object */
int64_t fd_close(int fd);
struct uniscope_net_info;
void fd_table_describe(struct uniscope_net_info *info);
/* What poll says of a descriptor that is not an object (the console, a file); POLLNVAL when it is not open. */
uint32_t fd_poll_other(int fd);

#endif
