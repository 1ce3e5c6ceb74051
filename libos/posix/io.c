/*
 * The readiness module (kern/module.h): pipes, eventfds, poll/ppoll,
 * select/pselect6 and epoll. Like the network, it is linked only into
 * images whose program calls one of its roots below (uniscope-cc links
 * with --wrap for each); a program that never waits on descriptors carries
 * none of it. Its init registers the syscalls.
 */
#include "posix.h"
#include "io.h"
#include "kern/module.h"

static void io_init(void)
{
	pipe_register();
	eventfd_register();
	poll_register();
	epoll_register();
}

LIBOS_MODULE(io) = { "io", 0, io_init, 0 };

/* The roots: each keeps the module and goes on to the C library's own function. */
#define IO_ROOT(ret, name, params, call_args) \
	ret __real_##name params; \
	ret __wrap_##name params \
	{ \
		LIBOS_MODULE_KEEP(io); \
		return __real_##name call_args; \
	}

struct pollfd;
struct timespec;
struct timeval;
struct sigset;

IO_ROOT(int, pipe, (int fds[2]), (fds))
IO_ROOT(int, pipe2, (int fds[2], int flags), (fds, flags))
IO_ROOT(int, eventfd, (unsigned int value, int flags), (value, flags))
IO_ROOT(int, poll, (struct pollfd *fds, unsigned long n, int timeout), (fds, n, timeout))
IO_ROOT(int, ppoll, (struct pollfd *fds, unsigned long n, const struct timespec *t, const struct sigset *m),
	(fds, n, t, m))
IO_ROOT(int, select, (int n, void *r, void *w, void *e, struct timeval *t), (n, r, w, e, t))
IO_ROOT(int, pselect, (int n, void *r, void *w, void *e, const struct timespec *t, const struct sigset *m),
	(n, r, w, e, t, m))
IO_ROOT(int, epoll_create, (int size), (size))
IO_ROOT(int, epoll_create1, (int flags), (flags))
