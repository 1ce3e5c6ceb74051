/*
 * Waiting on descriptors: pipes, eventfds, poll, select, epoll
 * (level-triggered, edge-triggered, one-shot, registrations that go with
 * their descriptor), and threads woken by them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

static void pipes(void)
{
	int p[2];
	char buf[70000];

	CHECK("pipe2", pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0 && (fcntl(p[0], F_GETFL) & O_NONBLOCK));
	CHECK_ERR("reading an empty non-blocking pipe", read(p[0], buf, 1), EAGAIN);
	CHECK("a byte through", write(p[1], "x", 1) == 1 && read(p[0], buf, 10) == 1 && buf[0] == 'x');
	memset(buf, 'y', sizeof(buf));
	CHECK("a full pipe takes 64 KiB", write(p[1], buf, sizeof(buf)) == 65536);
	CHECK_ERR("then no more", write(p[1], buf, 1), EAGAIN);
	close(p[1]);
	CHECK("the reader drains it, then end of file", read(p[0], buf, sizeof(buf)) == 65536 && read(p[0], buf, 1) == 0);
	close(p[0]);
	CHECK("pipe", pipe(p) == 0);
	close(p[0]);
	CHECK_ERR("writing with no reader", write(p[1], "x", 1), EPIPE);
	close(p[1]);
}

static void polls(void)
{
	struct pollfd fds[4];
	int p[2];

	pipe(p);
	fds[0] = (struct pollfd){ p[0], POLLIN, 0 };
	fds[1] = (struct pollfd){ -1, POLLIN, 0 };
	fds[2] = (struct pollfd){ 1, POLLOUT, 0 };
	fds[3] = (struct pollfd){ 900, POLLIN, 0 };
	CHECK("poll: stdout writable, a closed descriptor POLLNVAL, -1 ignored",
	      poll(fds, 4, 50) == 2 && fds[0].revents == 0 && fds[1].revents == 0 && fds[2].revents == POLLOUT &&
	      fds[3].revents == POLLNVAL);
	CHECK("poll times out", poll(fds, 1, 30) == 0);
	write(p[1], "x", 1);
	CHECK("poll POLLIN", poll(fds, 1, -1) == 1 && fds[0].revents == POLLIN);
	close(p[1]);
	read(p[0], &(char){ 0 }, 1);
	CHECK("poll POLLHUP", poll(fds, 1, 0) == 1 && (fds[0].revents & POLLHUP));
	close(p[0]);
}

static void selects(void)
{
	int p[2], e = eventfd(0, 0);
	fd_set r;
	struct timeval zero = { 0, 0 };

	pipe(p);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	FD_SET(e, &r);
	CHECK("select: nothing yet", select(e + 1, &r, 0, 0, &zero) == 0);
	eventfd_write(e, 1);
	FD_SET(p[0], &r);
	FD_SET(e, &r);
	CHECK("select: the eventfd", select(e + 1, &r, 0, 0, 0) == 1 && FD_ISSET(e, &r) && !FD_ISSET(p[0], &r));
	FD_ZERO(&r);
	FD_SET(p[1] + 10, &r);
	CHECK_ERR("select on a closed descriptor", select(p[1] + 11, &r, 0, 0, &zero), EBADF);
	close(p[0]);
	close(p[1]);
	close(e);
}

static void eventfds(void)
{
	int e = eventfd(3, EFD_NONBLOCK);
	uint64_t v = 0;

	CHECK("eventfd read", read(e, &v, 8) == 8 && v == 3);
	CHECK_ERR("eventfd empty", read(e, &v, 8), EAGAIN);
	CHECK_ERR("eventfd short read", read(e, &v, 4), EINVAL);
	v = UINT64_MAX;
	CHECK_ERR("eventfd write of 2^64-1", write(e, &v, 8), EINVAL);
	close(e);
	e = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
	CHECK("eventfd semaphore", read(e, &v, 8) == 8 && v == 1 && read(e, &v, 8) == 8 && v == 1 && read(e, &v, 8) == -1);
	close(e);
}

static int wait_n(int ep, int ms)
{
	struct epoll_event ev[4];

	return epoll_wait(ep, ev, 4, ms);
}

static void epoll_modes(int ep, int p[2])
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 }, got;

	CHECK("epoll_ctl ADD", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
	CHECK("epoll_wait: nothing", wait_n(ep, 0) == 0);
	write(p[1], "x", 1);
	CHECK("epoll_wait: readable, with its data", epoll_wait(ep, &got, 1, -1) == 1 && got.data.u64 == 42 &&
						  got.events == EPOLLIN);
	CHECK("level-triggered: again", wait_n(ep, 0) == 1);
	ev.events = EPOLLIN | EPOLLET;
	CHECK("EPOLLET", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0 && wait_n(ep, 0) == 1 && wait_n(ep, 0) == 0);
	write(p[1], "x", 1);
	CHECK("EPOLLET: a new edge", wait_n(ep, 0) == 1 && wait_n(ep, 0) == 0);
	ev.events = EPOLLIN | EPOLLONESHOT;
	CHECK("EPOLLONESHOT", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0 && wait_n(ep, 0) == 1 && wait_n(ep, 0) == 0);
	CHECK("EPOLLONESHOT rearmed", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0 && wait_n(ep, 0) == 1);
	CHECK_ERR("ADD twice", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
	CHECK("DEL", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], 0) == 0 && wait_n(ep, 0) == 0);
	CHECK_ERR("DEL again", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], 0), ENOENT);
}

static void epoll_errors(int ep, int p[2])
{
	struct epoll_event ev = { .events = EPOLLIN };
	int dir = open("/", O_RDONLY | O_DIRECTORY);

	CHECK_ERR("a file", epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev), EPERM);
	CHECK_ERR("a closed descriptor", epoll_ctl(ep, EPOLL_CTL_ADD, 900, &ev), EBADF);
	CHECK_ERR("not an epoll descriptor", epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev), EINVAL);
	CHECK_ERR("epoll in itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
	CHECK_ERR("maxevents 0", epoll_wait(ep, &ev, 0, 0), EINVAL);
	close(dir);
}

static void *waiter(void *arg)
{
	struct epoll_event ev;

	return (void *)(long)epoll_wait(*(int *)arg, &ev, 1, -1);
}

static void epolls(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), p[2], e = eventfd(0, 0);
	struct epoll_event ev = { .events = EPOLLIN };
	pthread_t t;
	void *ret;

	pipe(p);
	epoll_modes(ep, p);
	epoll_errors(ep, p);
	CHECK("ADD, then close the only descriptor: the registration goes",
	      epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0 && close(p[0]) == 0 && write(p[1], "x", 1) == -1 &&
	      wait_n(ep, 0) == 0);
	close(p[1]);
	epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev);
	pthread_create(&t, 0, waiter, &ep);
	usleep(20000);
	eventfd_write(e, 1);
	CHECK("a thread in epoll_wait woken by an eventfd", pthread_join(t, &ret) == 0 && (long)ret == 1);
	close(e);
	close(ep);
}

/* A poll on a socket, woken by the peer's data from another thread. */
static void *sender(void *arg)
{
	usleep(20000);
	send(*(int *)arg, "y", 1, 0);
	return 0;
}

static void socket_wakeup(void)
{
	int sv[2], s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t len = sizeof(a);
	pthread_t t;

	bind(s, (struct sockaddr *)&a, sizeof(a));
	listen(s, 1);
	getsockname(s, (struct sockaddr *)&a, &len);
	sv[0] = socket(AF_INET, SOCK_STREAM, 0);
	connect(sv[0], (struct sockaddr *)&a, sizeof(a));
	sv[1] = accept(s, 0, 0);
	pthread_create(&t, 0, sender, &sv[0]);
	CHECK("poll on a socket, woken by the peer's data", poll(&(struct pollfd){ sv[1], POLLIN, 0 }, 1, 5000) == 1);
	pthread_join(t, 0);
	close(sv[0]);
	close(sv[1]);
	close(s);
}

int mode_events(void)
{
	pipes();
	polls();
	selects();
	eventfds();
	epolls();
	socket_wakeup();
	printf("events: %d failed\n", check_failures);
	return check_failures != 0;
}
