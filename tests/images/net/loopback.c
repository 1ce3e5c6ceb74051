/*
 * Sockets over the loopback interface (no device needed): TCP and UDP
 * over 127.0.0.1, TCP over ::1 and dual stack, names, data calls,
 * options, non-blocking connects, numeric getaddrinfo, descriptor reuse.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include "check.h"

static int listener(struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	*a = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	CHECK("setsockopt SO_REUSEADDR", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	CHECK("bind 127.0.0.1:0", bind(s, (struct sockaddr *)a, sizeof(*a)) == 0);
	CHECK("getsockname gives the port", getsockname(s, (struct sockaddr *)a, &len) == 0 && a->sin_port && len == 16);
	CHECK("listen", listen(s, 8) == 0);
	return s;
}

/* A connected pair: *c the client, the accepted end returned. */
static int connected_pair(int s, const struct sockaddr_in *a, int *c)
{
	struct sockaddr_in peer, name;
	socklen_t len = sizeof(peer), nlen = sizeof(name);
	int fd;

	*c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("connect", connect(*c, (const struct sockaddr *)a, sizeof(*a)) == 0);
	fd = accept4(s, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
	CHECK("accept4 gives the peer", fd >= 0 && len == 16 && peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	CHECK("accept4 SOCK_CLOEXEC", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	CHECK("getpeername", getpeername(*c, (struct sockaddr *)&name, &nlen) == 0 && name.sin_port == a->sin_port);
	return fd;
}

static void data_calls(int a, int c)
{
	char buf[64] = { 0 };
	struct iovec out[3] = { { "one ", 4 }, { "two ", 4 }, { "three", 5 } }, in[2] = { { buf, 6 }, { buf + 6, 7 } };
	struct msghdr m = { .msg_iov = in, .msg_iovlen = 2 };
	int n = 0;

	CHECK("send", send(c, "hello", 5, 0) == 5);
	CHECK("recv MSG_PEEK", recv(a, buf, sizeof(buf), MSG_PEEK) == 5 && !memcmp(buf, "hello", 5));
	CHECK("recv", recv(a, buf, sizeof(buf), 0) == 5 && !memcmp(buf, "hello", 5));
	CHECK("writev", writev(a, out, 3) == 13);
	memset(buf, 0, sizeof(buf));
	CHECK("readv", recv(c, buf, 13, MSG_WAITALL) == 13 && !strcmp(buf, "one two three"));
	memset(buf, 0, sizeof(buf));
	CHECK("sendmsg", sendmsg(c, &(struct msghdr){ .msg_iov = out, .msg_iovlen = 3 }, 0) == 13);
	CHECK("poll POLLIN", poll(&(struct pollfd){ a, POLLIN, 0 }, 1, 1000) == 1);
	CHECK("ioctl FIONREAD", ioctl(a, FIONREAD, &n) == 0 && n == 13);
	CHECK("recvmsg", recvmsg(a, &m, MSG_WAITALL) == 13 && !memcmp(buf, "one two three", 13) && m.msg_flags == 0);
}

static void options(int s, int a)
{
	int v = 1, got = 0;
	socklen_t len = sizeof(got);
	struct timeval tv = { 0, 100 * 1000 };
	char buf[8];

	CHECK("TCP_NODELAY", setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &v, sizeof(v)) == 0 &&
			     getsockopt(a, IPPROTO_TCP, TCP_NODELAY, &got, &len) == 0 && got == 1 && len == 4);
	CHECK("SO_KEEPALIVE", setsockopt(a, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)) == 0 &&
			      getsockopt(a, SOL_SOCKET, SO_KEEPALIVE, &got, &len) == 0 && got == 1);
	v = 30;
	CHECK("TCP_KEEPIDLE", setsockopt(a, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v)) == 0 &&
			      getsockopt(a, IPPROTO_TCP, TCP_KEEPIDLE, &got, &len) == 0 && got == 30);
	v = 65536;
	CHECK("SO_RCVBUF reads twice the value", setsockopt(a, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0 &&
						 getsockopt(a, SOL_SOCKET, SO_RCVBUF, &got, &len) == 0 && got == 131072);
	CHECK("SO_TYPE", getsockopt(a, SOL_SOCKET, SO_TYPE, &got, &len) == 0 && got == SOCK_STREAM);
	CHECK("SO_ERROR", getsockopt(a, SOL_SOCKET, SO_ERROR, &got, &len) == 0 && got == 0);
	CHECK("SO_ACCEPTCONN", getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &got, &len) == 0 && got == 1);
	len = 2;
	CHECK("getsockopt cuts to optlen", getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &got, &len) == 0 && len == 2);
	CHECK("SO_RCVTIMEO", setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
	CHECK_ERR("recv times out", recv(a, buf, sizeof(buf), 0), EAGAIN);
	CHECK_ERR("an unknown option", setsockopt(a, SOL_SOCKET, 999, &v, sizeof(v)), ENOPROTOOPT);
	CHECK("fcntl O_NONBLOCK", fcntl(a, F_SETFL, O_NONBLOCK) == 0 && (fcntl(a, F_GETFL) & O_NONBLOCK));
	CHECK_ERR("non-blocking recv", recv(a, buf, sizeof(buf), 0), EAGAIN);
	v = 0;
	CHECK("ioctl FIONBIO", ioctl(a, FIONBIO, &v) == 0 && !(fcntl(a, F_GETFL) & O_NONBLOCK));
	CHECK_ERR("MSG_DONTWAIT", recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
}

static void half_close(int a, int c)
{
	char buf[16];

	CHECK("shutdown SHUT_WR", shutdown(c, SHUT_WR) == 0);
	CHECK("the peer reads end of file", read(a, buf, sizeof(buf)) == 0);
	CHECK("and can still write back", write(a, "bye", 3) == 3 && read(c, buf, sizeof(buf)) == 3);
	close(a);
	CHECK("then the client reads end of file", read(c, buf, sizeof(buf)) == 0);
	close(c);
}

static void connects(int s, struct sockaddr_in a)
{
	struct sockaddr_in closed = a;
	struct pollfd p;
	int c, err = -1;
	socklen_t len = sizeof(err);

	closed.sin_port = htons(1);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR("connect to a closed port", connect(c, (struct sockaddr *)&closed, sizeof(closed)), ECONNREFUSED);
	close(c);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK("non-blocking connect", connect(c, (struct sockaddr *)&a, sizeof(a)) == 0 || errno == EINPROGRESS);
	p = (struct pollfd){ c, POLLOUT, 0 };
	CHECK("it becomes writable", poll(&p, 1, 2000) == 1 && (p.revents & POLLOUT));
	CHECK("SO_ERROR 0", getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0);
	close(c);
	close(accept(s, 0, 0));
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	CHECK_ERR("non-blocking connect to a closed port", connect(c, (struct sockaddr *)&closed, sizeof(closed)), EINPROGRESS);
	p = (struct pollfd){ c, POLLOUT, 0 };
	CHECK("it reports an error", poll(&p, 1, 2000) == 1 && (p.revents & POLLERR));
	CHECK("SO_ERROR ECONNREFUSED", getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == ECONNREFUSED);
	close(c);
}

static void udp(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) }, b = a, from;
	socklen_t len = sizeof(a), flen = sizeof(from);
	int s1 = socket(AF_INET, SOCK_DGRAM, 0), s2 = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[16] = { 0 };
	struct iovec iov = { buf, 4 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

	CHECK("udp bind", bind(s1, (struct sockaddr *)&a, sizeof(a)) == 0 && getsockname(s1, (struct sockaddr *)&a, &len) == 0);
	CHECK("udp bind 2", bind(s2, (struct sockaddr *)&b, sizeof(b)) == 0 && getsockname(s2, (struct sockaddr *)&b, &len) == 0);
	CHECK("sendto", sendto(s2, "datagram", 8, 0, (struct sockaddr *)&a, sizeof(a)) == 8);
	CHECK("recvfrom gives the sender", recvfrom(s1, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) == 8 &&
					   from.sin_port == b.sin_port && !memcmp(buf, "datagram", 8));
	CHECK("sendto again", sendto(s2, "datagram", 8, 0, (struct sockaddr *)&a, sizeof(a)) == 8);
	CHECK("recvmsg cuts a long datagram (MSG_TRUNC)", recvmsg(s1, &m, 0) == 4 && (m.msg_flags & MSG_TRUNC));
	CHECK("connected udp", connect(s2, (struct sockaddr *)&a, sizeof(a)) == 0 && send(s2, "x", 1, 0) == 1 &&
			       recv(s1, buf, sizeof(buf), 0) == 1);
	close(s1);
	close(s2);
}

static void ipv6(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT }, peer;
	struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET6, SOCK_STREAM, 0), c, fd, zero = 0;

	CHECK("IPV6_V6ONLY 0", setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) == 0);
	CHECK("bind [::]:0", bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(s, 4) == 0 &&
			     getsockname(s, (struct sockaddr *)&a, &len) == 0 && len == 28);
	v4.sin_port = a.sin6_port;
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK("an IPv4 client of a dual-stack server", connect(c, (struct sockaddr *)&v4, sizeof(v4)) == 0);
	len = sizeof(peer);
	fd = accept(s, (struct sockaddr *)&peer, &len);
	CHECK("is seen as ::ffff:127.0.0.1", fd >= 0 && len == 28 && IN6_IS_ADDR_V4MAPPED(&peer.sin6_addr));
	close(fd);
	close(c);
	a.sin6_addr = in6addr_loopback;
	c = socket(AF_INET6, SOCK_STREAM, 0);
	CHECK("connect [::1]", connect(c, (struct sockaddr *)&a, sizeof(a)) == 0);
	fd = accept(s, (struct sockaddr *)&peer, &len);
	CHECK("accept from ::1", fd >= 0 && IN6_IS_ADDR_LOOPBACK(&peer.sin6_addr));
	close(fd);
	close(c);
	close(s);
}

static void names(void)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM }, *r;

	CHECK("getaddrinfo 127.0.0.1", getaddrinfo("127.0.0.1", "8080", &hints, &r) == 0 && r->ai_family == AF_INET &&
				      ((struct sockaddr_in *)r->ai_addr)->sin_port == htons(8080));
	freeaddrinfo(r);
	CHECK("getaddrinfo ::1", getaddrinfo("::1", "80", &hints, &r) == 0 && r->ai_family == AF_INET6);
	freeaddrinfo(r);
}

static void many_sockets(void)
{
	int first = socket(AF_INET, SOCK_STREAM, 0), same = 1;

	close(first);
	for (int i = 0; i < 2000; i++) {
		int s = socket(i % 2 ? AF_INET : AF_INET6, i % 3 ? SOCK_STREAM : SOCK_DGRAM, 0);
		same &= s == first;
		close(s);
	}
	CHECK("2000 sockets made and closed, the descriptor reused", same);
}

int mode_loopback(void)
{
	struct sockaddr_in a;
	int s = listener(&a), c, fd = connected_pair(s, &a, &c);

	data_calls(fd, c);
	options(s, fd);
	half_close(fd, c);
	connects(s, a);
	CHECK_ERR("accept on a socket that does not listen", accept(c = socket(AF_INET, SOCK_STREAM, 0), 0, 0), EINVAL);
	close(c);
	CHECK_ERR("listen on udp", listen(c = socket(AF_INET, SOCK_DGRAM, 0), 1), EOPNOTSUPP);
	close(c);
	close(s);
	udp();
	ipv6();
	names();
	many_sockets();
	printf("loopback: %d failed\n", check_failures);
	return check_failures != 0;
}
