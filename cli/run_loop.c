/*
 * The host end of the console channel, in one poll() loop: bytes from the
 * guest are decoded into console text (terminal + console.log), GDB
 * traffic (to the GDB bridge, run_gdb.c), trace records (--trace FILE) and
 * control messages; frames for the guest wait in a bounded queue and go
 * out as the serial line takes them. Signals arrive through a signalfd, so
 * Ctrl-C, `uniscope stop` and QEMU's exit are just more events. Under Xen
 * the serial line is the domain's console pty, and the domain's state is
 * looked at between polls (run_xen.c).
 *
 * The loop never waits on one peer: the serial line and every socket are
 * non-blocking, what they cannot take now waits in a queue, and a peer
 * that lets its queue overflow (a debugger that does not read) is cut off.
 * Only the terminal and the session's files are written as they come.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "gdb_bridge.h"
#include "introspect/uniscope.h"
#include "run.h"
#include "record.h"

#define READ_CHUNK 65536
#define STATS_INTERVAL_MS 500
#define SERIAL_BATCH_BYTES 4096
#define SERIAL_BATCH_US 2000
#define SERIAL_QUEUE_BYTES (256 * 1024)
#define SERIAL_GDB_BACKLOG 256

enum { POLL_SIGNAL, POLL_SERIAL, POLL_SERIAL_OUT, POLL_STDIN, POLL_COUNT };

/* The terminal and the session's files: written as they come. */
static void write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (fd >= 0 && len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			poll(&pfd, 1, 1000);
			continue;
		}
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/* What the serial line takes now; the rest waits for POLLOUT. */
static void flush_serial(struct run_state *rs)
{
	if (rs->serial_tx_fd >= 0 && byte_queue_write(&rs->serial_out, rs->serial_tx_fd) < 0)
		byte_queue_clear(&rs->serial_out); /* the guest's end is gone */
}

bool run_send_frame(struct run_state *rs, uint8_t channel, const void *payload, size_t len)
{
	uint8_t wire[CHAN_ENCODED_MAX(CHAN_PAYLOAD_MAX)];
	size_t n;

	if (len > CHAN_PAYLOAD_MAX || byte_queue_room(&rs->serial_out) < CHAN_ENCODED_MAX(len))
		return false;
	/*
	 * A debugger's bytes wait in the bridge while the line is busy: there
	 * they can still be dropped if it leaves, instead of keeping the stub
	 * busy answering a client that is gone.
	 */
	if (channel == CHAN_GDB && rs->serial_out.len > SERIAL_GDB_BACKLOG)
		return false;
	n = chan_frame_encode(wire, sizeof(wire), channel, rs->tx_seq++, payload, len);
	byte_queue_push(&rs->serial_out, wire, n);
	flush_serial(rs);
	return true;
}

bool run_send_bell(struct run_state *rs)
{
	static const uint8_t delimiter = 0;

	if (!byte_queue_push(&rs->serial_out, &delimiter, 1))
		return false;
	flush_serial(rs);
	return true;
}

static void send_control(struct run_state *rs, const struct chan_ctl_msg *m)
{
	uint8_t payload[CHAN_CTL_MAX];
	size_t n = chan_ctl_encode(payload, sizeof(payload), m);

	if (n)
		run_send_frame(rs, CHAN_CONTROL, payload, n); /* a full queue: a guest that reads nothing */
}

static void console_output(struct run_state *rs, const void *text, size_t len)
{
	if (!rs->opt.detach)
		write_all(STDOUT_FILENO, text, len);
	write_all(rs->console_log_fd, text, len);
}

static void signal_ready(struct run_state *rs, char status)
{
	if (rs->ready_fd >= 0) {
		write_all(rs->ready_fd, &status, 1);
		close(rs->ready_fd);
		rs->ready_fd = -2; /* detached for good: console goes to the log only */
		if (status == 0)
			run_detached_quiet();
	}
}

static void on_hello_ack(struct run_state *rs, const struct chan_ctl_msg *m)
{
	static const char hex[] = "0123456789abcdef";

	rs->framed = true;
	for (unsigned i = 0; i < m->build_id_len; i++) {
		rs->session.build_id[2 * i] = hex[m->build_id[i] >> 4];
		rs->session.build_id[2 * i + 1] = hex[m->build_id[i] & 15];
	}
	rs->session.build_id[2 * m->build_id_len] = 0;
	/* Our standard input becomes the guest's (console frames), when it reads one. */
	rs->stdin_open = !rs->opt.detach && (m->caps & CHAN_CAP_CONSOLE_IN);
	session_write_meta(&rs->session);
	signal_ready(rs, 0);
}

static void on_control(struct run_state *rs, const struct chan_frame *f)
{
	struct chan_ctl_msg m;

	if (chan_ctl_parse(f->payload, f->len, &m) < 0)
		return;
	switch (m.type) {
	case CHAN_CTL_HELLO_ACK: on_hello_ack(rs, &m); break;
	case CHAN_CTL_STATS: rs->guest_stats = m.stats; break;
	case CHAN_CTL_EXIT:
		rs->got_exit_status = true;
		rs->exit_status = m.exit_status;
		rs->exit_how = m.exit_how;
		if (run_crash_capture(rs))
			send_control(rs, &(struct chan_ctl_msg){ .type = CHAN_CTL_RELEASE });
		break;
	case CHAN_CTL_TEXT_FALLBACK: chan_decoder_expect_text(&rs->decoder); break;
	case CHAN_CTL_DEBUGGER_GONE: run_gdb_guest_reset(rs); break;
	default: break;
	}
}

static void on_frame(struct run_state *rs, const struct chan_frame *f)
{
	switch (f->channel) {
	case CHAN_CONSOLE: console_output(rs, f->payload, f->len); break;
	case CHAN_GDB: run_gdb_from_guest(rs, f->payload, f->len); break;
	case CHAN_TRACE: write_all(rs->trace_fd, f->payload, f->len); break;
	case CHAN_CONTROL: on_control(rs, f); break;
	}
}

static void on_serial_bytes(struct run_state *rs, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		struct chan_frame f;
		size_t used = 0;
		int ev = chan_decoder_feed(&rs->decoder, buf, len, &used, &f);

		if (ev == CHAN_EV_FRAME)
			on_frame(rs, &f);
		else if (ev == CHAN_EV_TEXT || (ev == CHAN_EV_REJECTED && !rs->framed))
			console_output(rs, f.payload, f.len);
		buf += used;
		len -= used;
		if (!used)
			break;
	}
}

/*
 * Fault injection for tests: UNISCOPE_CORRUPT_IN=N flips one random bit in
 * N of every 1000 bytes from the guest before decoding, as a noisy line
 * would. Deterministic (fixed seed), so a failing run can be replayed.
 */
static void maybe_corrupt(uint8_t *buf, size_t len)
{
	static int per_mille = -1;
	static uint64_t state = 0x9e3779b97f4a7c15ull;

	if (per_mille < 0) {
		const char *v = getenv("UNISCOPE_CORRUPT_IN");
		per_mille = v ? atoi(v) : 0;
	}
	for (size_t i = 0; per_mille > 0 && i < len; i++) {
		state ^= state << 13, state ^= state >> 7, state ^= state << 17;
		if (state % 1000 < (uint64_t)per_mille)
			buf[i] ^= (uint8_t)(1u << (state >> 32) % 8);
	}
}

/*
 * Returns the bytes read, 0 when there was nothing to read. A pty whose
 * other end (xenconsoled) closed reads as EOF or EIO: it is not polled
 * again, or poll() would report the hangup forever.
 */
static size_t read_serial(struct run_state *rs)
{
	static uint8_t buf[READ_CHUNK];
	ssize_t n;

	if (rs->serial_fd < 0 || rs->serial_hup)
		return 0;
	n = read(rs->serial_fd, buf, sizeof(buf));
	if (n == 0 || (n < 0 && errno == EIO))
		rs->serial_hup = true;
	if (n <= 0)
		return 0;
	maybe_corrupt(buf, (size_t)n);
	on_serial_bytes(rs, buf, (size_t)n);
	return (size_t)n;
}

static void stop_image(struct run_state *rs, int sig)
{
	if (!rs->stopping && !rs->guest_ended) {
		if (rs->xen)
			run_xen_stop(rs);
		else if (rs->rr)
			run_record_stop(rs); /* a recording ends cleanly, or not at all */
		else
			kill(rs->qemu_pid, SIGTERM);
	}
	rs->stopping = true;
	rs->stop_signal = sig;
}

static void read_signal(struct run_state *rs)
{
	struct signalfd_siginfo si;

	if (read(rs->signal_fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGCHLD) {
		/* Under Xen our children are xl commands, each waited for. */
		if (!rs->xen && waitpid(rs->qemu_pid, &rs->qemu_wait_status, WNOHANG) == rs->qemu_pid)
			rs->guest_ended = true;
	} else {
		stop_image(rs, (int)si.ssi_signo);
	}
}

/* Every frame a decoder refused, whatever the reason. */
static uint32_t frames_dropped(const struct chan_stats *s)
{
	return s->crc_errors + s->cobs_errors + s->truncated + s->oversize + s->bad_channel;
}

static void write_stats(struct run_state *rs)
{
	const struct chan_stats *h = &rs->decoder.stats, *g = &rs->guest_stats;
	const struct gdb_bridge_stats *b = rs->bridge ? gdb_bridge_stats(rs->bridge) : 0;
	struct session_stats st = {
		.frames_in = h->frames_ok, .dropped_in = frames_dropped(h), .crc_errors_in = h->crc_errors,
		.frames_out = g->frames_ok, .dropped_out = frames_dropped(g),
		.gdb_refused = rs->gdb_refused_count,
	};

	if (b) {
		st.gdb_fast_reads = b->fast_reads, st.gdb_host_answers = b->host_answers;
		st.gdb_mailbox_in = b->mailbox_in, st.gdb_mailbox_out = b->mailbox_out;
		st.gdb_stale = b->stale, st.gdb_clients = b->clients, st.gdb_cut_off = b->cut_off;
	}
	session_stats_write(&rs->session, &st);
	rs->stats_written_ms = run_now_ms();
}

uint32_t run_frames_dropped(const struct run_state *rs)
{
	return frames_dropped(&rs->decoder.stats);
}

static void maybe_send_hello(struct run_state *rs)
{
	struct chan_ctl_msg hello = { .type = CHAN_CTL_HELLO, .version = CHAN_PROTOCOL_VERSION,
				      .flags = (rs->opt.core_on_crash ? CHAN_HELLO_HOLD_ON_CRASH : 0) |
					       (rs->opt.trace_file ? 0 : CHAN_HELLO_NO_TRACE_STREAM) };
	uint64_t now = run_now_ms();

	if (rs->framed || rs->serial_fd < 0 || now < rs->next_hello_ms)
		return;
	if (rs->hello_tries++ >= RUN_HELLO_TRIES) {
		signal_ready(rs, 0); /* the image does not speak the channel: plain text it is */
		return;
	}
	rs->tx_seq = 0;
	send_control(rs, &hello);
	rs->next_hello_ms = now + RUN_HELLO_INTERVAL_MS;
}

/*
 * The signals a launcher handles (INT, TERM, HUP, CHLD) blocked and read
 * from a signalfd instead; SIGPIPE ignored. The fd, or -1 (said).
 */
int run_signal_fd(void)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, 0);
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		cli_error("signalfd: %s", strerror(errno));
	return fd;
}

static int final_status(struct run_state *rs, int xen_status)
{
	const struct chan_stats *h = &rs->decoder.stats, *g = &rs->guest_stats;
	int status = run_end_classify(rs, xen_status);

	fprintf(stderr, "uniscope: session '%s' ended, exit status %d; channel: %u frames in, %u dropped in, %u dropped out\n",
		rs->session.name, status, h->frames_ok,
		frames_dropped(h),
		frames_dropped(g));
	return status;
}

/* How long the loop may sleep: the bridge's wish, else the next tick of its own. */
static struct timespec poll_timeout(struct run_state *rs)
{
	int64_t ms = rs->framed ? STATS_INTERVAL_MS : RUN_HELLO_INTERVAL_MS / 2;
	int64_t us = run_gdb_poll(rs);

	if (us < 0 || us > ms * 1000)
		us = ms * 1000;
	return (struct timespec){ us / 1000000, us % 1000000 * 1000 };
}

/* Standard input to the guest's stdin; an empty console frame says end of file. */
static void read_stdin(struct run_state *rs)
{
	uint8_t buf[CHAN_PAYLOAD_MAX];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	run_send_frame(rs, CHAN_CONSOLE, buf, n > 0 ? (size_t)n : 0); /* polled only with room */
	if (n <= 0)
		rs->stdin_open = false;
}

static void poll_once(struct run_state *rs)
{
	struct pollfd p[POLL_COUNT + RUN_GDB_FDS + RUN_CTL_FDS] = {
		[POLL_SIGNAL] = { rs->signal_fd, POLLIN, 0 },
		[POLL_SERIAL] = { rs->serial_hup ? -1 : rs->serial_fd, POLLIN, 0 },
		[POLL_SERIAL_OUT] = { rs->serial_out.len ? rs->serial_tx_fd : -1, POLLOUT, 0 },
		/* standard input only while the serial queue has room for its frame */
		[POLL_STDIN] = { rs->stdin_open && rs->framed && byte_queue_room(&rs->serial_out) >=
				 CHAN_ENCODED_MAX(CHAN_PAYLOAD_MAX) ? STDIN_FILENO : -1, POLLIN, 0 },
	};
	struct timespec timeout = poll_timeout(rs);

	run_gdb_fds(rs, p + POLL_COUNT);
	run_ctl_fds(rs, p + POLL_COUNT + RUN_GDB_FDS);
	if (ppoll(p, POLL_COUNT + RUN_GDB_FDS + RUN_CTL_FDS, &timeout, 0) < 0 && errno != EINTR)
		return;
	if (p[POLL_SIGNAL].revents)
		read_signal(rs);
	if (p[POLL_SERIAL_OUT].revents)
		flush_serial(rs);
	/*
	 * The UART delivers a byte at a time; waking for each would cost more
	 * than QEMU's emulation. After a small read, let a few ms of output
	 * gather (console latency stays far below what a person notices) --
	 * unless a debugger is attached: then every wake-up counts, and the
	 * stub's doorbell is what wakes us to read its answer from the mailbox.
	 */
	if (p[POLL_SERIAL].revents && read_serial(rs) < SERIAL_BATCH_BYTES && rs->gdb_client_fd < 0)
		usleep(SERIAL_BATCH_US);
	if (p[POLL_STDIN].revents && rs->stdin_open)
		read_stdin(rs);
	run_gdb_handle(rs, p + POLL_COUNT);
	run_ctl_handle(rs, p + POLL_COUNT + RUN_GDB_FDS, send_control);
}

/* Under Xen, what the console pty still holds after the domain stopped. */
static void drain_serial(struct run_state *rs)
{
	uint64_t deadline = run_now_ms() + 2000;

	for (uint64_t quiet_since = run_now_ms(); run_now_ms() < deadline;) {
		struct pollfd p = { rs->serial_hup ? -1 : rs->serial_fd, POLLIN, 0 };
		if (poll(&p, 1, 50) > 0 && read_serial(rs) > 0)
			quiet_since = run_now_ms();
		else if (rs->serial_hup || run_now_ms() - quiet_since >= 200)
			break;
	}
}

int run_loop(struct run_state *rs)
{
	int xen_status = -1;

	if ((rs->signal_fd = run_signal_fd()) < 0)
		return 1;
	chan_decoder_init(&rs->decoder);
	if (byte_queue_init(&rs->serial_out, SERIAL_QUEUE_BYTES) < 0 || run_gdb_open(rs) < 0)
		return cli_error("out of memory for the channel's queues");
	run_ctl_open(rs); /* without it, only top's `e` is missing: go on */
	/* The guest may have exited before we set up the signalfd. */
	if (!rs->xen && waitpid(rs->qemu_pid, &rs->qemu_wait_status, WNOHANG) == rs->qemu_pid)
		rs->guest_ended = true;
	while (!rs->guest_ended) {
		maybe_send_hello(rs);
		poll_once(rs);
		if (rs->xen)
			run_xen_check(rs);
		if (run_now_ms() - rs->stats_written_ms >= STATS_INTERVAL_MS)
			write_stats(rs);
	}
	run_gdb_close(rs); /* a stub still stopped falls back to the channel */
	if (rs->xen)
		drain_serial(rs);
	while (read_serial(rs) > 0) /* what the guest wrote before it ended */
		;
	if (rs->xen)
		xen_status = run_xen_finish(rs);
	signal_ready(rs, 1);
	write_stats(rs);
	run_crash_finish(rs);
	return final_status(rs, xen_status);
}
