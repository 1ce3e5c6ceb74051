/*
 * libFuzzer target for the ctl.sock protocol's server side (cli/run_ctl.c,
 * today's home; it moves to introspect's session module): a hostile client
 * on the control socket. The input is the client's bytes, cut into writes
 * at input-chosen points (half lines, many lines in one write, lines past
 * the limit, floods of newlines); after each write the server reads as the
 * run loop would. Replies are drained so the client never blocks. Every
 * request the server accepts must be a well-formed trace-enable, and one
 * reply line must answer every line it served.
 */
#include <stdlib.h>
#include <sys/socket.h>
#include <fcntl.h>
#include "../../cli/run_ctl.c"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static uint64_t fake_now;
static size_t accepted;

uint64_t run_now_ms(void) { return fake_now; }
int cli_error(const char *fmt, ...) { (void)fmt; return 1; }
int cli_listen_unix(const char *path, int *fd) { (void)path; *fd = -1; return 0; }

static void count_send(struct run_state *rs, const struct chan_ctl_msg *m)
{
	(void)rs;
	CHECK(m->type == CHAN_CTL_TRACE_ENABLE);
	accepted++;
}

static size_t drain(int fd)
{
	char buf[4096];
	size_t lines = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	return lines;
}

/* One connection for as long as the server keeps it (a new one after it drops the client). */
static int connect_client(int *server_end, int *client_end)
{
	static int sv[2] = { -1, -1 };

	if (sv[0] < 0 || *server_end < 0) {
		if (sv[1] >= 0)
			close(sv[1]);
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0)
			return -1;
	}
	*server_end = sv[0];
	*client_end = sv[1];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run_state rs;
	static struct run_ctl ctl = { .client_fd = -1 };
	int sv[2];
	size_t off = 0, replies = 0;

	if (size < 1 || connect_client(&ctl.client_fd, &sv[1]) < 0)
		return 0;
	sv[0] = ctl.client_fd;
	memset(&rs, 0, sizeof(rs));
	memset(&ctl, 0, sizeof(ctl));
	ctl.listen_fd = -1;
	ctl.client_fd = sv[0];
	rs.ctl = &ctl;
	rs.framed = data[0] & 1;
	accepted = 0;
	data++, size--;
	while (off < size && ctl.client_fd >= 0) {
		size_t chunk = 1 + data[off] % 97; /* the cut: from one byte to many lines */
		if (chunk > size - off)
			chunk = size - off;
		if (write(sv[1], data + off, chunk) != (ssize_t)chunk)
			break;
		off += chunk;
		fake_now += data[off - 1] % 3 ? 1 : RUN_CTL_IDLE_MS; /* now and then, a stall */
		read_client(&rs, count_send);
		replies += drain(sv[1]);
	}
	CHECK(accepted <= replies);
	if (ctl.client_fd >= 0)
		drain(ctl.client_fd); /* what the server left unread goes: the next run starts clean */
	drain(sv[1]);
	return 0;
}
