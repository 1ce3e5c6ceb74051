/*
 * Bad arguments to the socket and readiness calls get the errors Linux
 * gives (EFAULT, EINVAL, EBADF, ENOTSOCK, ...), never a libOS fault. Raw
 * syscalls, so the C library checks nothing first.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include "check.h"

#define BAD ((void *)8)
#define WILD ((void *)0xdead0000000ul)

static void sockets(int s, int p)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	char big[200] = { 0 };

	CHECK_ERR("socket AF_UNIX", syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0), EAFNOSUPPORT);
	CHECK_ERR("socket type 99", syscall(SYS_socket, AF_INET, 99, 0), EINVAL);
	CHECK_ERR("socket TCP over UDP", syscall(SYS_socket, AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
	CHECK_ERR("socket bad flags", syscall(SYS_socket, AF_INET, SOCK_STREAM | 0x40000000, 0), EINVAL);
	CHECK_ERR("bind NULL", syscall(SYS_bind, s, 0, 16), EFAULT);
	CHECK_ERR("bind wild", syscall(SYS_bind, s, WILD, 16), EFAULT);
	CHECK_ERR("bind short", syscall(SYS_bind, s, &a, 3), EINVAL);
	CHECK_ERR("bind long", syscall(SYS_bind, s, big, 200), EINVAL);
	CHECK_ERR("bind negative length", syscall(SYS_bind, s, &a, -1), EINVAL);
	CHECK_ERR("bind IPv6 to IPv4", syscall(SYS_bind, s, &a6, sizeof(a6)), EAFNOSUPPORT);
	CHECK_ERR("bind -1", syscall(SYS_bind, -1, &a, sizeof(a)), EBADF);
	CHECK_ERR("bind 999", syscall(SYS_bind, 999, &a, sizeof(a)), EBADF);
	CHECK_ERR("bind stdout", syscall(SYS_bind, 1, &a, sizeof(a)), ENOTSOCK);
	CHECK_ERR("bind a pipe", syscall(SYS_bind, p, &a, sizeof(a)), ENOTSOCK);
	CHECK_ERR("connect bad", syscall(SYS_connect, s, BAD, 16), EFAULT);
	CHECK_ERR("connect length 0", syscall(SYS_connect, s, &a, 0), EINVAL);
	CHECK_ERR("listen a pipe", syscall(SYS_listen, p, 1), ENOTSOCK);
	CHECK_ERR("shutdown how 7", syscall(SYS_shutdown, s, 7), EINVAL);
}

static void listening(int l)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a), negative = (socklen_t)-1;

	CHECK_ERR("accept address bad", syscall(SYS_accept, l, WILD, &len), EFAULT);
	CHECK_ERR("accept length bad", syscall(SYS_accept, l, &a, BAD), EFAULT);
	CHECK_ERR("accept length negative", syscall(SYS_accept, l, &a, &negative), EINVAL);
	CHECK_ERR("accept4 bad flags", syscall(SYS_accept4, l, 0, 0, 0x1234), EINVAL);
	CHECK_ERR("getsockname NULL", syscall(SYS_getsockname, l, 0, &len), EFAULT);
	CHECK_ERR("getsockname length NULL", syscall(SYS_getsockname, l, &a, 0), EFAULT);
	CHECK_ERR("getsockname address bad", syscall(SYS_getsockname, l, WILD, &len), EFAULT);
	CHECK_ERR("getpeername not connected", syscall(SYS_getpeername, l, &a, &len), ENOTCONN);
}

static void options_and_data(int s)
{
	int v = 1, len = 4, negative = -1;
	struct iovec iov = { WILD, 10 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 }, many = { .msg_iov = &iov, .msg_iovlen = 2000 };

	CHECK_ERR("setsockopt value bad", syscall(SYS_setsockopt, s, SOL_SOCKET, SO_REUSEADDR, BAD, 4), EFAULT);
	CHECK_ERR("setsockopt length 2", syscall(SYS_setsockopt, s, SOL_SOCKET, SO_REUSEADDR, &v, 2), EINVAL);
	CHECK_ERR("setsockopt length negative", syscall(SYS_setsockopt, s, SOL_SOCKET, SO_REUSEADDR, &v, -1), EINVAL);
	CHECK_ERR("getsockopt length bad", syscall(SYS_getsockopt, s, SOL_SOCKET, SO_TYPE, &v, BAD), EFAULT);
	CHECK_ERR("getsockopt length negative", syscall(SYS_getsockopt, s, SOL_SOCKET, SO_TYPE, &v, &negative), EINVAL);
	CHECK_ERR("getsockopt value bad", syscall(SYS_getsockopt, s, SOL_SOCKET, SO_TYPE, WILD, &len), EFAULT);
	CHECK_ERR("sendto buffer bad", syscall(SYS_sendto, s, WILD, 10, 0, 0, 0), EFAULT);
	CHECK_ERR("recvfrom buffer bad", syscall(SYS_recvfrom, s, WILD, 10, 0, 0, 0), EFAULT);
	CHECK_ERR("recvfrom length bad", syscall(SYS_recvfrom, s, &v, 4, 0, &v, BAD), EFAULT);
	CHECK_ERR("sendmsg header bad", syscall(SYS_sendmsg, s, WILD, 0), EFAULT);
	CHECK_ERR("sendmsg iovec bad", syscall(SYS_sendmsg, s, &m, 0), EFAULT);
	CHECK_ERR("sendmsg 2000 iovecs", syscall(SYS_sendmsg, s, &many, 0), EMSGSIZE);
	CHECK_ERR("writev a socket, buffer bad", syscall(SYS_writev, s, &iov, 1), EFAULT);
	CHECK_ERR("writev 2000 iovecs", syscall(SYS_writev, s, &iov, 2000), EINVAL);
}

static void waits(int p)
{
	struct pollfd fds[1] = { { p, POLLIN, 0 } };
	struct epoll_event ev;
	int ep = epoll_create1(0);
	long long tv[2] = { 0, 2000000 };

	CHECK_ERR("poll array bad", syscall(SYS_poll, WILD, 1, 0), EFAULT);
	CHECK_ERR("poll 100000 descriptors", syscall(SYS_poll, fds, 100000, 0), EINVAL);
	CHECK_ERR("epoll_wait array bad", syscall(SYS_epoll_wait, ep, WILD, 4, 0), EFAULT);
	CHECK_ERR("epoll_wait maxevents -1", syscall(SYS_epoll_wait, ep, &ev, -1, 0), EINVAL);
	CHECK_ERR("epoll_ctl event bad", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p, WILD), EFAULT);
	CHECK_ERR("epoll_create size 0", syscall(SYS_epoll_create, 0), EINVAL);
	CHECK_ERR("select nfds -1", syscall(SYS_select, -1, 0, 0, 0, 0), EINVAL);
	CHECK_ERR("select nfds 5000", syscall(SYS_select, 5000, 0, 0, 0, 0), EINVAL);
	CHECK_ERR("select set bad", syscall(SYS_select, 4, WILD, 0, 0, 0), EFAULT);
	CHECK_ERR("select timeout bad", syscall(SYS_select, 1, 0, 0, 0, WILD), EFAULT);
	CHECK_ERR("select timeout 2 s in microseconds", syscall(SYS_select, 1, 0, 0, 0, tv), EINVAL);
	CHECK_ERR("pipe2 bad", syscall(SYS_pipe2, WILD, 0), EFAULT);
	CHECK_ERR("pipe2 flags", syscall(SYS_pipe2, fds, 0x1), EINVAL);
	CHECK_ERR("eventfd2 flags", syscall(SYS_eventfd2, 0, 0x1000), EINVAL);
	close(ep);
}

int mode_badargs(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), l = socket(AF_INET, SOCK_STREAM, 0), p[2];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };

	pipe(p);
	bind(l, (struct sockaddr *)&a, sizeof(a));
	listen(l, 1);
	sockets(s, p[0]);
	listening(l);
	options_and_data(s);
	waits(p[0]);
	printf("badargs: %d failed\n", check_failures);
	return check_failures != 0;
}
