/*
 * The network from a POSIX program (t1400, t1410): argv[1] picks a mode.
 *	loopback      sockets over 127.0.0.1 and ::1: TCP, UDP, options, names (loopback.c)
 *	events        pipes, eventfds, poll, select, epoll (events.c)
 *	badargs       bad pointers, lengths and descriptors get Linux's errors (badargs.c)
 *	echo PORT     a TCP echo server, one connection at a time
 *	client ADDR PORT   connects out, sends a line, prints the answer
 *	beat ADDR PORT     a UDP datagram to ADDR:PORT every 100 ms, forever
 *	dial ADDR PORT     a new TCP connection to ADDR:PORT every 300 ms, forever,
 *	                   each sending a line; prints how each went
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"

const char *check_mode;
int check_failures;

static int echo(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	char buf[512];

	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 16) < 0) {
		perror("echo: listen");
		return 1;
	}
	printf("echo: listening on %d\n", port);
	for (;;) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		int c = accept(s, (struct sockaddr *)&peer, &len);
		ssize_t n;
		if (c < 0) {
			perror("echo: accept");
			continue;
		}
		printf("echo: connection from %s\n", inet_ntoa(peer.sin_addr));
		while ((n = read(c, buf, sizeof(buf))) > 0)
			if (write(c, buf, (size_t)n) != n)
				break;
		printf("echo: connection closed (%s)\n", n < 0 ? strerror(errno) : "end of file");
		close(c);
	}
}

static int client(const char *addr, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	char buf[256];
	int s = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t n;

	if (inet_pton(AF_INET, addr, &a.sin_addr) != 1 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("client: connect");
		return 1;
	}
	dprintf(s, "hello from the guest\n");
	n = read(s, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	printf("client: got '%s'\n", strtok(buf, "\n") ? buf : "");
	close(s);
	return n > 0 ? 0 : 1;
}

static __attribute__((noreturn)) void beat(const char *addr, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	char line[32];

	inet_pton(AF_INET, addr, &a.sin_addr);
	for (unsigned n = 0;; n++) {
		snprintf(line, sizeof(line), "beat %u\n", n);
		sendto(s, line, strlen(line), 0, (struct sockaddr *)&a, sizeof(a));
		usleep(100 * 1000);
	}
}

static __attribute__((noreturn)) void dial(const char *addr, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	inet_pton(AF_INET, addr, &a.sin_addr);
	for (unsigned n = 0;; n++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0 && dprintf(s, "dial %u\n", n) > 0)
			printf("dial %u: connected\n", n);
		else
			printf("dial %u: %s\n", n, strerror(errno));
		close(s);
		usleep(300 * 1000);
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, 0, _IOLBF, 0);
	check_mode = argc > 1 ? argv[1] : "";
	if (argc > 2 && !strcmp(argv[1], "echo"))
		return echo(atoi(argv[2]));
	if (argc > 3 && !strcmp(argv[1], "client"))
		return client(argv[2], atoi(argv[3]));
	if (argc > 3 && !strcmp(argv[1], "beat"))
		beat(argv[2], atoi(argv[3]));
	if (argc > 3 && !strcmp(argv[1], "dial"))
		dial(argv[2], atoi(argv[3]));
	if (argc > 1 && !strcmp(argv[1], "loopback"))
		return mode_loopback();
	if (argc > 1 && !strcmp(argv[1], "events"))
		return mode_events();
	if (argc > 1 && !strcmp(argv[1], "badargs"))
		return mode_badargs();
	fprintf(stderr, "usage: net loopback|events|badargs|echo PORT|client ADDR PORT|beat ADDR PORT|dial ADDR PORT\n");
	return 2;
}
