/*
 * The launcher's end of the session's control socket, SESSION_DIR/ctl.sock
 * (born 0600): how other uniscope commands ask the one process that speaks
 * the console channel to send the guest a control message. `uniscope top`
 * switches trace events on and off through it. The line protocol is
 * introspect/session_ctl.h's; this file serves it.
 *
 * One client at a time (the next waits in the listen backlog); a client
 * silent for RUN_CTL_IDLE_MS is dropped, so none can hold the socket.
 * The poll loop (run_loop.c) polls RUN_CTL_FDS entries filled by
 * run_ctl_fds() and calls run_ctl_handle() after every poll.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "cli.h"
#include "introspect/uniscope.h"
#include "run.h"

#define RUN_CTL_LINE_MAX SESSION_CTL_LINE_MAX
#define RUN_CTL_IDLE_MS 5000

struct run_ctl {
	int listen_fd, client_fd;
	char line[RUN_CTL_LINE_MAX];
	size_t len;
	uint64_t active_ms; /* the client's last request */
};

int run_ctl_open(struct run_state *rs)
{
	char path[SESSION_PATH_MAX + 16];
	struct run_ctl *c = calloc(1, sizeof(*c));

	if (!c)
		return cli_error("out of memory for the control socket");
	c->listen_fd = c->client_fd = -1;
	rs->ctl = c;
	session_path(&rs->session, "ctl.sock", path, sizeof(path));
	return cli_listen_unix(path, &c->listen_fd);
}

/* The answer to one request: "ok" when why is NULL. */
static void answer(struct run_ctl *c, const char *why)
{
	char line[RUN_CTL_LINE_MAX];
	size_t len = session_ctl_answer(line, sizeof(line), why);

	if (write(c->client_fd, line, len) != (ssize_t)len)
		return; /* a client that went away or does not read: its loss */
}

static void drop_client(struct run_ctl *c)
{
	close(c->client_fd);
	c->client_fd = -1;
	c->len = 0;
}

static void serve_line(struct run_state *rs, const char *line, run_ctl_send_fn *send)
{
	struct session_ctl_request req;
	const char *why;

	if (session_ctl_parse(line, &req, &why) < 0) {
		answer(rs->ctl, why);
	} else if (!rs->framed) {
		answer(rs->ctl, "the guest does not speak the channel (yet)");
	} else {
		send(rs, &(struct chan_ctl_msg){ .type = CHAN_CTL_TRACE_ENABLE, .trace_mask = req.trace_mask });
		answer(rs->ctl, NULL);
	}
}

static void read_client(struct run_state *rs, run_ctl_send_fn *send)
{
	struct run_ctl *c = rs->ctl;
	ssize_t n = read(c->client_fd, c->line + c->len, sizeof(c->line) - 1 - c->len);
	char *nl;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop_client(c);
		return;
	}
	c->len += (size_t)n;
	c->active_ms = run_now_ms();
	while (c->client_fd >= 0 && (nl = memchr(c->line, '\n', c->len))) {
		size_t used = (size_t)(nl - c->line) + 1;
		*nl = 0;
		if (nl > c->line && nl[-1] == '\r')
			nl[-1] = 0;
		serve_line(rs, c->line, send);
		memmove(c->line, c->line + used, c->len - used);
		c->len -= used;
	}
	if (c->len == sizeof(c->line) - 1) {
		answer(c, "request too long");
		drop_client(c);
	}
}

void run_ctl_fds(struct run_state *rs, struct pollfd *p)
{
	struct run_ctl *c = rs->ctl;

	p[0] = (struct pollfd){ c && c->client_fd < 0 ? c->listen_fd : -1, POLLIN, 0 };
	p[1] = (struct pollfd){ c ? c->client_fd : -1, POLLIN, 0 };
}

void run_ctl_handle(struct run_state *rs, const struct pollfd *p, run_ctl_send_fn *send)
{
	struct run_ctl *c = rs->ctl;

	if (!c)
		return;
	if (p[1].fd >= 0 && p[1].revents && c->client_fd >= 0)
		read_client(rs, send);
	if (c->client_fd >= 0 && run_now_ms() - c->active_ms > RUN_CTL_IDLE_MS)
		drop_client(c);
	if (p[0].fd >= 0 && (p[0].revents & POLLIN) && c->client_fd < 0) {
		c->client_fd = accept4(c->listen_fd, 0, 0, SOCK_CLOEXEC | SOCK_NONBLOCK);
		c->active_ms = run_now_ms();
	}
}
