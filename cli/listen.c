/*
 * Listening sockets for the GDB bridges (`run --gdb`, `gdbserver --listen`):
 * tcp:HOST:PORT, loopback when HOST is empty, or unix:PATH, born 0600 so
 * only the user can debug their guests.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
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
