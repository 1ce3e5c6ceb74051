/*
 * The network from a POSIX program (t1400): argv[1] picks a mode.
 *	echo PORT     a TCP echo server, one connection at a time
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
			write(c, buf, (size_t)n);
		close(c);
	}
}

int main(int argc, char **argv)
{
	setvbuf(stdout, 0, _IOLBF, 0);
	if (argc > 2 && !strcmp(argv[1], "echo"))
		return echo(atoi(argv[2]));
	fprintf(stderr, "usage: net echo PORT\n");
	return 2;
}
