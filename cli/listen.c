/*
 * Listening sockets for the GDB bridges (`run --gdb`, `gdbserver --listen`):
 * tcp:HOST:PORT, loopback when HOST is empty, or unix:PATH, born 0600 so
 * only the user can debug their guests.
 *
 * A TCP port has no mode bits: any local user can connect to it. So every
 * connection from loopback is checked before it is served: the kernel
 * tells who owns the socket at the other end (NETLINK_SOCK_DIAG, as `ss
 * -e` asks it), and a socket of another user is closed unanswered. A
 * listener off loopback cannot be checked this way; it is allowed only
 * when the user says so (--gdb-allow-remote), with a warning.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "cli.h"

int cli_listen_unix(const char *path, int *fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;

	if (strlen(path) >= sizeof(sa.sun_path))
		return cli_error("socket path '%s' is too long", path);
	strcpy(sa.sun_path, path);
	unlink(path);
	*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	old = umask(0177); /* the socket is born 0600 */
	if (*fd < 0 || bind(*fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(*fd, 4) < 0) {
		int saved = errno;
		umask(old);
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return cli_error("cannot listen on '%s': %s", path, strerror(saved));
	}
	umask(old);
	return 0;
}

static int listen_tcp(const char *hostport, int *fd)
{
	char host[256];
	const char *colon = strrchr(hostport, ':');
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE };
	struct addrinfo *ai;
	int one = 1, err, saved;

	if (!colon || (size_t)(colon - hostport) >= sizeof(host))
		return cli_error("'tcp:%s' is not tcp:HOST:PORT", hostport);
	snprintf(host, sizeof(host), "%.*s", (int)(colon - hostport), hostport);
	if ((err = getaddrinfo(host[0] ? host : "127.0.0.1", colon + 1, &hints, &ai)))
		return cli_error("tcp:%s: %s", hostport, gai_strerror(err));
	*fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd >= 0)
		setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	err = *fd < 0 || bind(*fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(*fd, 4) < 0;
	saved = errno;
	freeaddrinfo(ai);
	if (!err)
		return 0;
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	return cli_error("cannot listen on tcp:%s: %s", hostport, strerror(saved));
}

int cli_listen(const char *addr, int *fd)
{
	if (!strncmp(addr, "unix:", 5))
		return cli_listen_unix(addr + 5, fd);
	if (!strncmp(addr, "tcp:", 4))
		return listen_tcp(addr + 4, fd);
	return cli_error("'%s' is not tcp:HOST:PORT or unix:PATH", addr);
}

void cli_listen_describe(int fd, char *out, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";

	snprintf(out, cap, "?");
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return;
	if (ss.ss_family == AF_UNIX) {
		snprintf(out, cap, "unix:%s", ((struct sockaddr_un *)&ss)->sun_path);
	} else if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(out, cap, "tcp:%s:%u", host, ntohs(in->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(out, cap, "tcp:[%s]:%u", host, ntohs(in6->sin6_port));
	}
}

static bool address_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return sa->sa_family == AF_UNIX;
}

int cli_listen_is_loopback(const char *addr)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *ai, *p;
	const char *colon;
	char host[256];
	int loopback = 1;

	if (strncmp(addr, "tcp:", 4))
		return 1; /* unix: a file, mode 0600 */
	colon = strrchr(addr + 4, ':');
	if (!colon || (size_t)(colon - addr - 4) >= sizeof(host))
		return -1;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - addr - 4), addr + 4);
	if (!host[0])
		return 1;
	if (getaddrinfo(host, colon + 1, &hints, &ai))
		return -1;
	for (p = ai; p; p = p->ai_next)
		if (!address_is_loopback(p->ai_addr))
			loopback = 0;
	freeaddrinfo(ai);
	return loopback;
}

/* One inet_diag lookup of the socket at peer -> local: who owns it. */
static int socket_owner(const struct sockaddr_storage *peer, const struct sockaddr_storage *local, uid_t *uid)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} q = {
		.nlh = { .nlmsg_len = sizeof(q), .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_REQUEST },
		.req = { .sdiag_family = (uint8_t)peer->ss_family, .sdiag_protocol = IPPROTO_TCP,
			 .idiag_states = ~0u,
			 .id = { .idiag_cookie = { INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE } } },
	};
	union { struct nlmsghdr nlh; char buf[1024]; } a;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	const struct inet_diag_msg *msg;
	ssize_t n;
	int fd;

	if (peer->ss_family == AF_INET) {
		const struct sockaddr_in *p = (const void *)peer, *l = (const void *)local;
		q.req.id.idiag_sport = p->sin_port, q.req.id.idiag_dport = l->sin_port;
		memcpy(q.req.id.idiag_src, &p->sin_addr, 4);
		memcpy(q.req.id.idiag_dst, &l->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *p = (const void *)peer, *l = (const void *)local;
		q.req.id.idiag_sport = p->sin6_port, q.req.id.idiag_dport = l->sin6_port;
		memcpy(q.req.id.idiag_src, &p->sin6_addr, 16);
		memcpy(q.req.id.idiag_dst, &l->sin6_addr, 16);
	}
	if ((fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)) < 0)
		return -errno;
	n = sendto(fd, &q, sizeof(q), 0, (struct sockaddr *)&kernel, sizeof(kernel)) == sizeof(q)
		    ? recv(fd, &a, sizeof(a), 0) : -1;
	close(fd);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(*msg)) || !NLMSG_OK(&a.nlh, (size_t)n) ||
	    a.nlh.nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return -ENOENT;
	msg = NLMSG_DATA(&a.nlh);
	*uid = msg->idiag_uid;
	return 0;
}

int cli_accept(int listen_fd, int flags)
{
	struct sockaddr_storage peer, local;
	socklen_t plen = sizeof(peer), llen = sizeof(local);
	int fd = accept4(listen_fd, (struct sockaddr *)&peer, &plen, flags);
	uid_t owner = (uid_t)-1;

	if (fd < 0 || (peer.ss_family != AF_INET && peer.ss_family != AF_INET6))
		return fd;
	if (!address_is_loopback((struct sockaddr *)&peer))
		return fd; /* off this machine: --gdb-allow-remote said so */
	if (getsockname(fd, (struct sockaddr *)&local, &llen) == 0 &&
	    socket_owner(&peer, &local, &owner) == 0 && owner == getuid())
		return fd;
	close(fd); /* another user's, or nobody can tell whose */
	errno = EACCES;
	return -1;
}
