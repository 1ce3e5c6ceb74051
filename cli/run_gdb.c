/*
 * The debugger's side of `uniscope run`: the listening sockets
 * (SESSION_DIR/gdb.sock, and --gdb ADDR), the one client being served,
 * the ones turned away, and the GDB bridge (gdb_bridge.c) between the
 * client and the console channel.
 *
 * One debugger at a time. A second one is answered, packet by packet,
 * with an error naming the session ("another debugger is attached"), so
 * GDB prints why instead of a broken pipe, and is closed after a few
 * seconds. Before turning one away the loop reads what the attached
 * client still has: a debugger that detached and closed a moment ago is
 * gone, and its successor (an IDE's "restart debugging") is served.
 *
 * What the client is sent waits in a bounded queue; a client that stops
 * reading until it overflows is cut off, and while its replies pile up,
 * or the bridge holds much for the guest, the client is not read at all.
 */
#include <errno.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "cli.h"
#include "gdb_bridge.h"
#include "run.h"

#define CLIENT_QUEUE_BYTES (1024 * 1024)
#define CLIENT_READ_BACKLOG (256 * 1024) /* replies it has not read: stop reading its requests */
#define REFUSED_LINGER_MS 5000
#define OLD_CLIENT_READS 16
#define CLIENT_READS_PER_POLL 16

enum { FD_LISTEN0, FD_LISTEN1, FD_CLIENT, FD_REFUSED };

static bool bridge_to_guest(void *ctx, uint8_t channel, const void *buf, size_t len)
{
	return run_send_frame(ctx, channel, buf, len);
}

static bool bridge_bell(void *ctx)
{
	return run_send_bell(ctx);
}

static bool bridge_to_client(void *ctx, const void *buf, size_t len)
{
	struct run_state *rs = ctx;

	if (rs->gdb_client_fd < 0 || rs->gdb_client_overflow)
		return rs->gdb_client_fd < 0; /* nobody to tell: dropped */
	if (!byte_queue_push(&rs->gdb_client_out, buf, len) ||
	    byte_queue_write(&rs->gdb_client_out, rs->gdb_client_fd) < 0)
		rs->gdb_client_overflow = true; /* it does not read, or is gone: cut off below */
	return !rs->gdb_client_overflow;
}

int run_gdb_open(struct run_state *rs)
{
	const char *env = getenv("UNISCOPE_GDB_FASTPATH");
	struct gdb_bridge_options opts = {
		/* Under Xen there is no RAM file: every packet goes to the stub. */
		.session_dir = rs->opt.xen ? NULL : rs->session.dir,
		/* A recording cannot have the host write guest RAM (the mailbox)
		 * behind QEMU's back: the replay would not see it. */
		.fast_path = !(env && !strcmp(env, "0")) && !rs->opt.xen && !rs->opt.record_dir,
		.kill_on_k = rs->opt.gdb_kill,
	};
	struct gdb_bridge_io io = { bridge_to_guest, bridge_to_client, rs, bridge_bell };

	if (rs->opt.xen && rs->session.domid >= 0) { /* the domain exists by now */
		snprintf(rs->gdb_target_spec, sizeof(rs->gdb_target_spec), "xen:%d", rs->session.domid);
		opts.target_spec = rs->gdb_target_spec;
	}

	for (int i = 0; i < RUN_GDB_REFUSED_MAX; i++)
		rs->gdb_refused[i].fd = -1;
	if (byte_queue_init(&rs->gdb_client_out, CLIENT_QUEUE_BYTES) < 0 ||
	    !(rs->bridge = gdb_bridge_new(&opts, &io)))
		return -1;
	return 0;
}

void run_gdb_fds(struct run_state *rs, struct pollfd *p)
{
	short client = 0;

	if (!gdb_bridge_backlogged(rs->bridge) && rs->gdb_client_out.len < CLIENT_READ_BACKLOG)
		client |= POLLIN;
	if (rs->gdb_client_out.len)
		client |= POLLOUT;
	p[FD_LISTEN0] = (struct pollfd){ rs->gdb_listen_fd[0], POLLIN, 0 };
	p[FD_LISTEN1] = (struct pollfd){ rs->gdb_listen_fd[1], POLLIN, 0 };
	p[FD_CLIENT] = (struct pollfd){ rs->gdb_client_fd, client, 0 };
	for (int i = 0; i < RUN_GDB_REFUSED_MAX; i++)
		p[FD_REFUSED + i] = (struct pollfd){ rs->gdb_refused[i].fd, POLLIN, 0 };
}

/* The client left, or is made to: the bridge tells the stub. */
static void drop_client(struct run_state *rs)
{
	close(rs->gdb_client_fd);
	rs->gdb_client_fd = -1;
	if (rs->gdb_client_overflow)
		gdb_bridge_client_cut_off(rs->bridge);
	rs->gdb_client_overflow = false;
	byte_queue_clear(&rs->gdb_client_out);
	gdb_bridge_client_gone(rs->bridge);
}

/* One read of the client: > 0 bytes handled, 0 nothing there (or held back), -1 it is gone. */
static int read_client(struct run_state *rs)
{
	uint8_t buf[CHAN_PAYLOAD_MAX];
	ssize_t n = read(rs->gdb_client_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0 || gdb_bridge_from_client(rs->bridge, buf, (size_t)n) != GDB_BRIDGE_KEEP) {
		drop_client(rs);
		return -1;
	}
	return gdb_bridge_backlogged(rs->bridge) || rs->gdb_client_overflow ? 0 : (int)n;
}

/* What the client has, while the bridge takes it. */
static void read_client_all(struct run_state *rs, int max_reads)
{
	for (int i = 0; i < max_reads && rs->gdb_client_fd >= 0; i++)
		if (read_client(rs) <= 0)
			return;
}

/* Closed at its end (it may still have bytes for us): a debugger that left. */
static bool client_hung_up(const struct run_state *rs)
{
	struct pollfd p = { rs->gdb_client_fd, POLLRDHUP, 0 };

	return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static void refuse(struct run_state *rs, int fd)
{
	rs->gdb_refused_count++;
	for (int i = 0; i < RUN_GDB_REFUSED_MAX; i++) {
		struct run_refused *r = &rs->gdb_refused[i];
		if (r->fd < 0) {
			r->fd = fd;
			r->since_ms = run_now_ms();
			gdb_framer_init(&r->framer);
			return;
		}
	}
	close(fd); /* more at once than anyone needs told */
}

static void close_refused(struct run_refused *r)
{
	close(r->fd);
	r->fd = -1;
}

/* Each packet of a turned-away debugger gets the error; best effort, never waiting. */
static void serve_refused(struct run_state *rs, struct run_refused *r)
{
	uint8_t buf[4096];
	char out[4096];
	ssize_t n = read(r->fd, buf, sizeof(buf));
	size_t len;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close_refused(r);
		return;
	}
	len = gdb_bridge_refusal(&r->framer, buf, (size_t)n, rs->session.name, out, sizeof(out));
	if (len && write(r->fd, out, len) != (ssize_t)len)
		close_refused(r);
}

static void accept_client(struct run_state *rs, int listen_fd)
{
	int fd = cli_accept(listen_fd, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0) {
		rs->gdb_refused_count += errno == EACCES;
		return;
	}
	/*
	 * A client that just detached may have closed without our having read
	 * it yet: what it said last (D, k) still counts, the rest of a flood
	 * does not.
	 */
	if (rs->gdb_client_fd >= 0 && client_hung_up(rs)) {
		read_client_all(rs, OLD_CLIENT_READS);
		if (rs->gdb_client_fd >= 0)
			drop_client(rs);
	}
	if (rs->gdb_client_fd >= 0) {
		refuse(rs, fd);
		return;
	}
	rs->gdb_client_fd = fd;
	gdb_bridge_client_connected(rs->bridge);
}

void run_gdb_handle(struct run_state *rs, const struct pollfd *p)
{
	const struct pollfd *client = &p[FD_CLIENT];

	if (client->fd >= 0 && rs->gdb_client_fd == client->fd) {
		if ((client->revents & POLLOUT) && byte_queue_write(&rs->gdb_client_out, rs->gdb_client_fd) < 0)
			rs->gdb_client_overflow = true;
		if (client->revents & POLLIN)
			read_client_all(rs, CLIENT_READS_PER_POLL);
		else if (client->revents & (POLLHUP | POLLERR))
			drop_client(rs);
	}
	if (rs->gdb_client_fd >= 0 && rs->gdb_client_overflow)
		drop_client(rs);
	for (int i = 0; i < RUN_GDB_REFUSED_MAX; i++) {
		struct run_refused *r = &rs->gdb_refused[i];
		if (r->fd >= 0 && p[FD_REFUSED + i].fd == r->fd && p[FD_REFUSED + i].revents)
			serve_refused(rs, r);
		if (r->fd >= 0 && run_now_ms() - r->since_ms > REFUSED_LINGER_MS)
			close_refused(r);
	}
	for (int i = 0; i < 2; i++)
		if (p[FD_LISTEN0 + i].fd >= 0 && (p[FD_LISTEN0 + i].revents & POLLIN))
			accept_client(rs, rs->gdb_listen_fd[i]);
}

int64_t run_gdb_poll(struct run_state *rs)
{
	uint32_t dropped = run_frames_dropped(rs);

	if (dropped != rs->dropped_seen) {
		rs->dropped_seen = dropped;
		gdb_bridge_channel_lost_frames(rs->bridge);
	}
	return gdb_bridge_poll(rs->bridge);
}

void run_gdb_from_guest(struct run_state *rs, const uint8_t *payload, size_t len)
{
	gdb_bridge_from_guest(rs->bridge, payload, len);
}

void run_gdb_guest_reset(struct run_state *rs)
{
	gdb_bridge_guest_reset(rs->bridge);
}

void run_gdb_close(struct run_state *rs)
{
	if (rs->gdb_client_fd >= 0) {
		close(rs->gdb_client_fd);
		rs->gdb_client_fd = -1;
	}
	for (int i = 0; i < RUN_GDB_REFUSED_MAX; i++)
		if (rs->gdb_refused[i].fd >= 0)
			close_refused(&rs->gdb_refused[i]);
	gdb_bridge_free(rs->bridge);
	rs->bridge = NULL;
	byte_queue_free(&rs->gdb_client_out);
}
