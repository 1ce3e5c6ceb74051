/*
 * httpd: a small HTTP/1.1 server, written as for Linux (POSIX sockets,
 * epoll, pthreads, eventfd), to run and be debugged as a unikernel.
 *
 *	httpd [-p PORT] [-d DOCROOT] [-t THREADS] [-C]
 *
 * The main thread ("acceptor") accepts connections and hands each to one
 * of THREADS workers ("worker-N", default 2) in turn; a worker serves its
 * connections from an epoll loop, non-blocking: requests are read until
 * the blank line, answered, and the connection kept for the next request
 * unless the client or HTTP/1.0 says otherwise. GET and HEAD serve files
 * under DOCROOT (default /, the root file system: uniscope run --rootfs),
 * "/" being /index.html; /stats answers the server's counters in JSON;
 * /crash, with -C only, runs a handler with a bug (it writes through a null
 * pointer): a crash in the request path, to try crash reports under load;
 * /quit stops it (exit status 0): the acceptor polls the listening socket
 * and an eventfd that /quit writes, and wakes each worker through its own.
 * Files go out in chunks of CHUNK bytes as the socket takes them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 16
#define REQUEST_MAX 8192
#define CHUNK 16384
#define MAX_EVENTS 64

struct conn {
	int fd, file;
	size_t in_len, out_len, out_off;
	off_t file_left;
	int keep_alive, head_only;
	char in[REQUEST_MAX];
	char out[CHUNK];
};

struct worker {
	pthread_t thread;
	int epoll, wake;
	int index;
};

static struct {
	unsigned long requests, connections, active, bytes_sent, not_found, errors, resets;
} stats;
static struct worker workers[MAX_WORKERS];
static int nr_workers = 2;
static const char *docroot = "/";
static struct timespec started;
static volatile int quitting;
static int crash_enabled; /* -C: /crash faults */
static int quit_fd; /* an eventfd: /quit wakes the acceptor's poll */

#define COUNT(field, n) __atomic_fetch_add(&stats.field, (n), __ATOMIC_RELAXED)

static void conn_close(struct worker *w, struct conn *c)
{
	epoll_ctl(w->epoll, EPOLL_CTL_DEL, c->fd, 0);
	close(c->fd);
	if (c->file >= 0)
		close(c->file);
	free(c);
	COUNT(active, -1ul);
}

static void want(struct worker *w, struct conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };

	epoll_ctl(w->epoll, EPOLL_CTL_MOD, c->fd, &ev);
}

static const char *content_type(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot)
		return "application/octet-stream";
	if (!strcmp(dot, ".html"))
		return "text/html";
	if (!strcmp(dot, ".txt"))
		return "text/plain";
	if (!strcmp(dot, ".json"))
		return "application/json";
	return "application/octet-stream";
}

static void respond(struct conn *c, int status, const char *reason, const char *type, long long length,
		    const char *body)
{
	c->out_len = (size_t)snprintf(c->out, sizeof(c->out),
				      "HTTP/1.1 %d %s\r\nServer: uniscope-httpd\r\nContent-Type: %s\r\n"
				      "Content-Length: %lld\r\nConnection: %s\r\n\r\n%s",
				      status, reason, type, length, c->keep_alive ? "keep-alive" : "close",
				      body && !c->head_only ? body : "");
	c->out_off = 0;
}

static void serve_stats(struct conn *c)
{
	struct timespec now;
	char body[512];

	clock_gettime(CLOCK_MONOTONIC, &now);
	snprintf(body, sizeof(body),
		 "{\"requests\": %lu, \"connections\": %lu, \"active\": %lu, \"bytes_sent\": %lu, "
		 "\"not_found\": %lu, \"errors\": %lu, \"resets\": %lu, \"workers\": %d, \"uptime_ms\": %ld}\n",
		 stats.requests, stats.connections, stats.active, stats.bytes_sent, stats.not_found,
		 stats.errors, stats.resets, nr_workers,
		 (long)((now.tv_sec - started.tv_sec) * 1000 + (now.tv_nsec - started.tv_nsec) / 1000000));
	respond(c, 200, "OK", "application/json", (long long)strlen(body), body);
}

static void serve_error(struct conn *c, int status, const char *reason)
{
	char body[128];

	snprintf(body, sizeof(body), "%d %s\n", status, reason);
	respond(c, status, reason, "text/plain", (long long)strlen(body), body);
}

static void serve_file(struct conn *c, const char *path)
{
	char full[1024];
	struct stat st;

	snprintf(full, sizeof(full), "%s%s%s", docroot, path[0] == '/' && docroot[strlen(docroot) - 1] == '/'
			 ? path + 1 : path, !strcmp(path, "/") ? "index.html" : "");
	if (strstr(path, "..") || (c->file = open(full, O_RDONLY | O_CLOEXEC)) < 0) {
		COUNT(not_found, 1);
		serve_error(c, 404, "Not Found");
		return;
	}
	if (fstat(c->file, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(c->file);
		c->file = -1;
		COUNT(not_found, 1);
		serve_error(c, 404, "Not Found");
		return;
	}
	respond(c, 200, "OK", content_type(full), (long long)st.st_size, 0);
	c->file_left = c->head_only ? 0 : st.st_size;
	if (!c->file_left) {
		close(c->file);
		c->file = -1;
	}
}

/* /crash: the handler's bug, a write through a pointer nobody set. */
static int *volatile crash_counter;

__attribute__((noinline)) static void serve_crash(struct conn *c)
{
	*crash_counter = c->fd;
	serve_error(c, 500, "Internal Server Error");
}

/* A whole request is in c->in (up to the blank line at end): prepare the answer. */
static void handle_request(struct conn *c, size_t end)
{
	char method[8], path[512], version[16];
	const char *conn_hdr;

	c->in[end - 1] = 0;
	COUNT(requests, 1);
	if (sscanf(c->in, "%7s %511s %15s", method, path, version) != 3) {
		c->keep_alive = 0;
		serve_error(c, 400, "Bad Request");
		return;
	}
	conn_hdr = strcasestr(c->in, "\r\nConnection:");
	c->keep_alive = strcmp(version, "HTTP/1.0") ? !(conn_hdr && strcasestr(conn_hdr, "close"))
						      : (conn_hdr && strcasestr(conn_hdr, "keep-alive"));
	c->head_only = !strcmp(method, "HEAD");
	if (strcmp(method, "GET") && !c->head_only)
		serve_error(c, 405, "Method Not Allowed");
	else if (!strcmp(path, "/stats"))
		serve_stats(c);
	else if (crash_enabled && !strcmp(path, "/crash"))
		serve_crash(c);
	else if (!strcmp(path, "/quit")) {
		quitting = 1;
		c->keep_alive = 0;
		serve_error(c, 200, "OK");
		eventfd_write(quit_fd, 1);
	}
	else
		serve_file(c, path);
}

/* Fills the output buffer from the file being sent, when it is empty. */
static int refill(struct conn *c)
{
	ssize_t n;

	if (c->out_off < c->out_len || c->file < 0 || !c->file_left)
		return 0;
	n = read(c->file, c->out, sizeof(c->out) < (size_t)c->file_left ? sizeof(c->out) : (size_t)c->file_left);
	if (n <= 0)
		return -1;
	c->out_len = (size_t)n;
	c->out_off = 0;
	c->file_left -= n;
	if (!c->file_left) {
		close(c->file);
		c->file = -1;
	}
	return 0;
}

static size_t request_end(const struct conn *c)
{
	const char *blank = memmem(c->in, c->in_len, "\r\n\r\n", 4);

	return blank ? (size_t)(blank - c->in) + 4 : 0;
}

/* Writes what it can; 1 when the response is all out, 0 when the socket is full, -1 on error. */
static int send_some(struct conn *c)
{
	for (;;) {
		if (refill(c) < 0)
			return -1;
		if (c->out_off == c->out_len)
			return c->file < 0 ? 1 : 0;
		ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->out_off += (size_t)n;
		COUNT(bytes_sent, (unsigned long)n);
	}
}

/* Reads and answers requests until the socket has no more or is full; -1 closes it. */
static int progress(struct conn *c)
{
	for (;;) {
		int sent = c->out_off < c->out_len || c->file >= 0 ? send_some(c) : 1;
		size_t end;
		if (sent <= 0)
			return sent;
		if (c->out_len && !c->keep_alive)
			return -1; /* answered; the connection ends */
		c->out_len = c->out_off = 0;
		if ((end = request_end(c))) {
			handle_request(c, end);
			memmove(c->in, c->in + end, c->in_len - end);
			c->in_len -= end;
			continue;
		}
		if (c->in_len == sizeof(c->in))
			return -1; /* a request too long */
		ssize_t n = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			if (n < 0 && errno == ECONNRESET)
				COUNT(resets, 1);
			else if (n < 0)
				COUNT(errors, 1);
			return -1;
		}
		if (n < 0)
			return 1;
		c->in_len += (size_t)n;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event events[MAX_EVENTS];
	char name[16];

	snprintf(name, sizeof(name), "worker-%d", w->index);
	pthread_setname_np(pthread_self(), name);
	while (!quitting) {
		int n = epoll_wait(w->epoll, events, MAX_EVENTS, -1);
		for (int i = 0; i < n; i++) {
			struct conn *c = events[i].data.ptr;
			int r;
			if (!c) /* the eventfd: time to stop */
				return 0;
			r = progress(c);
			if (r < 0)
				conn_close(w, c);
			else
				want(w, c, r == 0 ? EPOLLOUT : EPOLLIN);
		}
	}
	return 0;
}

static int listen_on(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, zero = 0;

	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 128) < 0) {
		perror("httpd: listen");
		exit(1);
	}
	return s;
}

static void start_workers(void)
{
	for (int i = 0; i < nr_workers; i++) {
		struct worker *w = &workers[i];
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = 0 };
		w->index = i;
		w->epoll = epoll_create1(EPOLL_CLOEXEC);
		w->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (w->epoll < 0 || w->wake < 0 || epoll_ctl(w->epoll, EPOLL_CTL_ADD, w->wake, &ev) < 0 ||
		    pthread_create(&w->thread, 0, worker_main, w)) {
			perror("httpd: worker");
			exit(1);
		}
	}
}

/* Gives a new connection to the next worker. */
static void hand_over(int fd, unsigned long n)
{
	struct worker *w = &workers[n % (unsigned long)nr_workers];
	struct conn *c = calloc(1, sizeof(*c));
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
	int one = 1;

	if (!c) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->file = -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	COUNT(connections, 1);
	COUNT(active, 1);
	if (epoll_ctl(w->epoll, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		free(c);
		COUNT(active, -1ul);
	}
}

static void options(int argc, char **argv, int *port)
{
	int opt;

	while ((opt = getopt(argc, argv, "p:d:t:C")) != -1) {
		if (opt == 'p')
			*port = atoi(optarg);
		else if (opt == 'd')
			docroot = optarg;
		else if (opt == 'C')
			crash_enabled = 1;
		else if (opt == 't')
			nr_workers = atoi(optarg) < 1 ? 1 : atoi(optarg) > MAX_WORKERS ? MAX_WORKERS : atoi(optarg);
		else {
			fprintf(stderr, "usage: httpd [-p PORT] [-d DOCROOT] [-t THREADS] [-C]\n");
			exit(2);
		}
	}
}

static void accept_loop(int s)
{
	struct pollfd wait[2] = { { .fd = s, .events = POLLIN }, { .fd = quit_fd, .events = POLLIN } };
	unsigned long accepted = 0;

	while (!quitting) {
		if (poll(wait, 2, -1) < 0 || wait[1].revents)
			break;
		int fd = accept4(s, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0)
			hand_over(fd, accepted++);
		else if (errno != EAGAIN && errno != ECONNABORTED)
			COUNT(errors, 1);
	}
}

int main(int argc, char **argv)
{
	int port = 8080, s;

	options(argc, argv, &port);
	clock_gettime(CLOCK_MONOTONIC, &started);
	pthread_setname_np(pthread_self(), "acceptor");
	quit_fd = eventfd(0, EFD_CLOEXEC);
	s = listen_on(port);
	start_workers();
	printf("httpd: serving %s on port %d with %d workers\n", docroot, port, nr_workers);
	fflush(stdout);
	accept_loop(s);
	for (int i = 0; i < nr_workers; i++) {
		eventfd_write(workers[i].wake, 1);
		pthread_join(workers[i].thread, 0);
	}
	printf("httpd: %lu requests on %lu connections, %lu bytes sent\n", stats.requests, stats.connections,
	       stats.bytes_sent);
	usleep(200 * 1000); /* the last answers leave before the image powers off */
	return 0;
}
