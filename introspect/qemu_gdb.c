/*
 * A small remote-protocol client for QEMU's gdbstub (see qemu_gdb.h).
 *
 * Bytes from QEMU go through one receive state machine (rx_feed): '+' and
 * '-' outside a packet are acks, "$...#xx" a packet whose checksum is
 * checked before it is acked and handed up. Everything waits through
 * pump(), which polls with a deadline: a QEMU that stops answering costs a
 * timeout error, and one that closes the socket an error at once.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <uniscope/gdbstub.h>
#include "qemu_gdb.h"
#include "clock.h"

#define MAX_RESENDS 3
#define MONITOR_PACKETS_MAX 4096
#define POLL_STOP_EVENTS_MAX 64

enum rx_state { RX_IDLE, RX_PAYLOAD, RX_SUM1, RX_SUM2 };
enum rx_event { EV_NONE, EV_ACK, EV_NAK, EV_PACKET, EV_BAD_PACKET };

struct us_qemu_gdb {
	int fd;
	enum rx_state state;
	uint8_t sum, sum_high;
	bool overflow;
	size_t len;
	char pkt[US_QEMU_GDB_PACKET_MAX + 1]; /* the packet being received, then the last one */
	uint8_t in[4096];                     /* read but not yet fed */
	size_t in_pos, in_len;
};

static struct us_error *write_all(struct us_qemu_gdb *q, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(q->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return us_error_errno(errno, "QEMU's gdbstub went away");
		p += n;
		len -= (size_t)n;
	}
	return NULL;
}

/* One byte through the framing state machine. */
static enum rx_event rx_feed(struct us_qemu_gdb *q, uint8_t c)
{
	int d;

	switch (q->state) {
	case RX_IDLE:
		if (c == '$') {
			q->state = RX_PAYLOAD;
			q->len = 0;
			q->sum = 0;
			q->overflow = false;
		}
		return c == '+' ? EV_ACK : c == '-' ? EV_NAK : EV_NONE;
	case RX_PAYLOAD:
		if (c == '#') {
			q->state = RX_SUM1;
			return EV_NONE;
		}
		q->sum += c;
		if (q->len < US_QEMU_GDB_PACKET_MAX)
			q->pkt[q->len++] = (char)c;
		else
			q->overflow = true;
		return EV_NONE;
	case RX_SUM1:
		q->sum_high = (uint8_t)gdb_hex_value((char)c);
		q->state = RX_SUM2;
		return EV_NONE;
	case RX_SUM2:
		q->state = RX_IDLE;
		d = gdb_hex_value((char)c);
		q->pkt[q->len] = 0;
		if (d < 0 || q->sum_high > 15 || (uint8_t)(q->sum_high << 4 | d) != q->sum || q->overflow)
			return EV_BAD_PACKET; /* ours to answer with '-' */
		return EV_PACKET;
	}
	return EV_NONE;
}

/*
 * Reads until one event (or the deadline); acks packets as they complete.
 * Deadline 0: what is buffered and at most one read, without waiting (a
 * stream of bytes that make no event must not keep the caller here).
 */
static struct us_error *pump(struct us_qemu_gdb *q, uint64_t deadline, enum rx_event *ev)
{
	bool has_read = false;

	for (;;) {
		while (q->in_pos < q->in_len) {
			enum rx_event e = rx_feed(q, q->in[q->in_pos++]);
			bool bad = e == EV_BAD_PACKET;

			if (e == EV_PACKET || bad) {
				struct us_error *err = write_all(q, bad ? "-" : "+", 1);
				if (err)
					return err;
				if (bad)
					continue; /* QEMU sends it again */
			}
			if (e != EV_NONE) {
				*ev = e;
				return NULL;
			}
		}
		uint64_t now = us_now_ms();
		if (deadline ? now >= deadline : has_read) {
			*ev = EV_NONE;
			return NULL;
		}
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		int rc = poll(&p, 1, deadline ? (int)(deadline - now) : 0);
		if (rc < 0 && errno != EINTR)
			return us_error_errno(errno, "poll on QEMU's gdbstub");
		if (rc <= 0) {
			if (!deadline) {
				*ev = EV_NONE;
				return NULL;
			}
			continue;
		}
		ssize_t n = read(q->fd, q->in, sizeof(q->in));
		if (n <= 0)
			return us_error_create(US_ERR_OS, "QEMU's gdbstub closed the connection "
					       "(did QEMU exit? see its log)");
		q->in_pos = 0;
		q->in_len = (size_t)n;
		has_read = true;
	}
}

/* Sends $payload#xx and waits for QEMU's '+' (a '-' resends). */
static struct us_error *send_packet(struct us_qemu_gdb *q, const char *payload)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = strlen(payload);
	char *frame = malloc(len + 5);
	struct us_error *err = NULL;
	uint8_t sum = 0;

	if (!frame)
		return &us_error_nomem;
	for (size_t i = 0; i < len; i++)
		sum += (uint8_t)payload[i];
	frame[0] = '$';
	memcpy(frame + 1, payload, len);
	frame[len + 1] = '#';
	frame[len + 2] = hex[sum >> 4];
	frame[len + 3] = hex[sum & 15];
	for (int tries = 0; !err && tries <= MAX_RESENDS; tries++) {
		enum rx_event ev = EV_NONE;
		uint64_t deadline = us_now_ms() + US_QEMU_GDB_TIMEOUT_MS;

		if ((err = write_all(q, frame, len + 4)))
			break;
		while (!err && ev != EV_ACK && ev != EV_NAK && us_now_ms() < deadline)
			err = pump(q, deadline, &ev);
		if (!err && ev == EV_ACK) {
			free(frame);
			return NULL;
		}
		if (!err && ev != EV_NAK)
			err = us_error_create(US_ERR_OS, "QEMU's gdbstub did not acknowledge '%.32s'",
					      payload);
	}
	free(frame);
	return err ? err : us_error_create(US_ERR_OS, "QEMU's gdbstub refused '%.32s'", payload);
}

/* The next packet from QEMU, before the deadline (us_now_ms()). */
static struct us_error *receive_by(struct us_qemu_gdb *q, uint64_t deadline, char *out, size_t cap)
{
	enum rx_event ev = EV_NONE;
	struct us_error *err = NULL;

	while (!err && ev != EV_PACKET) {
		if (us_now_ms() >= deadline)
			return us_error_create(US_ERR_OS, "QEMU's gdbstub did not answer in time");
		err = pump(q, deadline, &ev);
	}
	if (!err)
		snprintf(out, cap, "%s", q->pkt);
	return err;
}

struct us_error *us_qemu_gdb_connect(const char *socket_path, struct us_qemu_gdb **out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct us_qemu_gdb *q;

	if (strlen(socket_path) >= sizeof(sa.sun_path))
		return us_error_create(US_ERR_USAGE, "socket path '%s' is too long", socket_path);
	if (!(q = calloc(1, sizeof(*q))))
		return &us_error_nomem;
	strcpy(sa.sun_path, socket_path);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0 || connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int saved = errno;
		if (q->fd >= 0)
			close(q->fd);
		free(q);
		return us_error_errno(saved, "cannot connect to QEMU's gdbstub '%s'", socket_path);
	}
	*out = q;
	return NULL;
}

void us_qemu_gdb_close(struct us_qemu_gdb *q)
{
	if (!q)
		return;
	close(q->fd);
	free(q);
}

int us_qemu_gdb_fd(const struct us_qemu_gdb *q)
{
	return q->fd;
}

bool us_qemu_gdb_buffered(const struct us_qemu_gdb *q)
{
	return q->in_pos < q->in_len;
}

struct us_error *us_qemu_gdb_command(struct us_qemu_gdb *q, const char *packet, char *out,
				     size_t cap)
{
	struct us_error *err = send_packet(q, packet);

	return err ? err : receive_by(q, us_now_ms() + US_QEMU_GDB_TIMEOUT_MS, out, cap);
}

/* Appends the text an 'O' packet carries (hex) to out. */
static void append_console(const char *hex, char *out, size_t cap, size_t *used)
{
	for (; hex[0] && hex[1] && *used + 1 < cap; hex += 2) {
		int hi = gdb_hex_value(hex[0]), lo = gdb_hex_value(hex[1]);
		if (hi < 0 || lo < 0)
			break;
		out[(*used)++] = (char)(hi << 4 | lo);
	}
	out[*used] = 0;
}

struct us_error *us_qemu_gdb_monitor(struct us_qemu_gdb *q, const char *command, char *out,
				     size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	char packet[1024], reply[US_QEMU_GDB_PACKET_MAX + 1];
	size_t n = strlen("qRcmd,"), used = 0;
	struct us_error *err;
	uint64_t deadline;

	if (strlen(command) * 2 + n >= sizeof(packet) || cap == 0)
		return us_error_create(US_ERR_USAGE, "monitor command too long");
	memcpy(packet, "qRcmd,", n);
	for (const char *c = command; *c; c++) {
		packet[n++] = hex[(uint8_t)*c >> 4];
		packet[n++] = hex[(uint8_t)*c & 15];
	}
	packet[n] = 0;
	out[0] = 0;
	if ((err = send_packet(q, packet)))
		return err;
	/* one deadline for the whole answer: console packets trickling in do not renew it */
	deadline = us_now_ms() + US_QEMU_GDB_TIMEOUT_MS;
	for (int i = 0; i < MONITOR_PACKETS_MAX; i++) {
		if ((err = receive_by(q, deadline, reply, sizeof(reply))))
			return err;
		if (!strcmp(reply, "OK")) /* first: "OK" is no 'O' packet */
			return NULL;
		if (reply[0] == 'O' && reply[1])
			append_console(reply + 1, out, cap, &used);
		else
			return us_error_create(US_ERR_OTHER, "QEMU's monitor answered '%.32s' to '%s'",
					       reply, command);
	}
	return us_error_create(US_ERR_INVALID, "QEMU's monitor answer to '%s' never ended", command);
}

/* Little-endian hex (as 'p' and 'm' answer) into bytes. */
static bool decode_hex(const char *hex, void *buf, size_t len)
{
	uint8_t *p = buf;

	if (strlen(hex) != 2 * len)
		return false;
	for (size_t i = 0; i < len; i++) {
		int hi = gdb_hex_value(hex[2 * i]), lo = gdb_hex_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		p[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/*
 * QEMU 7.2 answers 'p' only to a debugger that read its target description,
 * so registers come from 'g': the 16 general registers, then rip, 8 bytes
 * each, lead it in every x86-64 layout.
 */
struct us_error *us_qemu_gdb_register(struct us_qemu_gdb *q, unsigned regnum, uint64_t *value)
{
	char reply[US_QEMU_GDB_PACKET_MAX + 1];
	uint8_t bytes[8];
	struct us_error *err;

	if (regnum > 16)
		return us_error_create(US_ERR_USAGE, "register %u is not in the leading 17", regnum);
	if ((err = us_qemu_gdb_command(q, "g", reply, sizeof(reply))))
		return err;
	if (strlen(reply) < 17 * 16 || (reply[16 * regnum + 16] = 0, !decode_hex(reply + 16 * regnum, bytes, 8)))
		return us_error_create(US_ERR_INVALID, "QEMU's gdbstub answered '%.20s' to 'g'", reply);
	*value = 0;
	for (int i = 7; i >= 0; i--)
		*value = *value << 8 | bytes[i];
	return NULL;
}

struct us_error *us_qemu_gdb_read(struct us_qemu_gdb *q, uint64_t addr, void *buf, size_t len)
{
	char packet[48], reply[US_QEMU_GDB_PACKET_MAX + 1];
	struct us_error *err;

	if (len == 0 || len > US_QEMU_GDB_PACKET_MAX / 2)
		return us_error_create(US_ERR_USAGE, "read of %zu bytes through QEMU's gdbstub", len);
	snprintf(packet, sizeof(packet), "m%llx,%zx", (unsigned long long)addr, len);
	if ((err = us_qemu_gdb_command(q, packet, reply, sizeof(reply))))
		return err;
	if (!decode_hex(reply, buf, len))
		return us_error_fault(addr, "cannot read guest memory at %#llx through QEMU",
				      (unsigned long long)addr);
	return NULL;
}

struct us_error *us_qemu_gdb_resume(struct us_qemu_gdb *q, const char *packet)
{
	return send_packet(q, packet);
}

struct us_error *us_qemu_gdb_interrupt(struct us_qemu_gdb *q)
{
	return write_all(q, "\x03", 1);
}

struct us_error *us_qemu_gdb_poll_stop(struct us_qemu_gdb *q, char *out, size_t cap, bool *got)
{
	enum rx_event ev = EV_NONE;
	struct us_error *err;

	*got = false;
	/* A bounded number of events per call: a flood of console text must not keep the
	 * caller's event loop here (what is left stays buffered: us_qemu_gdb_buffered()). */
	for (int i = 0; i < POLL_STOP_EVENTS_MAX; i++) {
		if ((err = pump(q, 0, &ev)))
			return err;
		if (ev == EV_PACKET && (q->pkt[0] != 'O' || !strcmp(q->pkt, "OK"))) { /* 'O': console text */
			snprintf(out, cap, "%s", q->pkt);
			*got = true;
		}
		if (ev == EV_NONE || *got)
			break;
	}
	return NULL;
}

struct us_error *us_qemu_gdb_wait_stop(struct us_qemu_gdb *q, int timeout_ms, char *out,
				       size_t cap)
{
	uint64_t deadline = us_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);
	struct us_error *err;

	do { /* console text ('O') on the way does not renew the deadline */
		if ((err = receive_by(q, deadline, out, cap)))
			return err;
	} while (out[0] == 'O' && strcmp(out, "OK"));
	return NULL;
}

static bool parse_hex_u64(const char *p, const char *end, uint64_t *out)
{
	uint64_t v = 0;

	if (p == end || end - p > 16)
		return false;
	for (; p < end; p++) {
		int d = gdb_hex_value(*p);
		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return true;
}

/* "watch:ADDR;" and its kin, anywhere after the signal. */
static void parse_watch(const char *fields, struct us_qemu_stop *out)
{
	static const char *const kinds[] = { "watch", "rwatch", "awatch" };

	for (const char *f = fields; *f; ) {
		const char *colon = strchr(f, ':'), *semi = strchr(f, ';');
		if (!semi)
			semi = f + strlen(f);
		for (unsigned k = 0; colon && colon < semi && k < 3; k++)
			if ((size_t)(colon - f) == strlen(kinds[k]) && !memcmp(f, kinds[k], strlen(kinds[k])) &&
			    parse_hex_u64(colon + 1, semi, &out->watch_addr))
				snprintf(out->watch, sizeof(out->watch), "%s", kinds[k]);
		f = *semi ? semi + 1 : semi;
	}
}

bool us_qemu_gdb_parse_stop(const char *reply, struct us_qemu_stop *out)
{
	int hi, lo;

	memset(out, 0, sizeof(*out));
	if (!strchr("TSWX", reply[0]) || !reply[0] || (hi = gdb_hex_value(reply[1])) < 0 ||
	    (lo = gdb_hex_value(reply[2])) < 0)
		return false;
	out->kind = reply[0];
	out->signal = (uint8_t)(hi << 4 | lo);
	if (out->kind == 'T')
		parse_watch(reply + 3, out);
	return true;
}
