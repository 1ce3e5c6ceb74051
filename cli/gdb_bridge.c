/*
 * The GDB bridge of `uniscope run` (gdb_bridge.h): a debugger on one side,
 * the in-guest stub on the other, over the console channel and, while the
 * stub is stopped, the GDB mailbox in guest memory.
 *
 * Both streams are read with gdbstub's framer and relayed a whole packet
 * at a time, so neither side ever sees half a packet from the bridge, and
 * what a packet is for is read from the packet, never guessed from bytes:
 * stop replies ($T, $S) say the stub is stopped (and expedite cr3, the
 * root of its page tables), resume packets (c, s, vCont, D, k) say it
 * runs, $W/$X that it is gone.
 *
 * The fast path. A UART moves a few hundred KB/s under emulation, so while
 * the stub is stopped (all-stop: nothing in the guest runs, memory cannot
 * change) the bridge answers `m` itself from guest RAM, through
 * introspect's reader re-rooted at the expedited cr3, and passes every
 * other packet through the mailbox (include/uniscope/mailbox.h), which the
 * QEMU backend maps writable. UNISCOPE_GDB_FASTPATH=0 and Xen turn it off.
 *
 * Nothing waits. Bytes for the guest are records in a bounded queue
 * (channel, and whether the mailbox may carry them), moved by
 * gdb_bridge_poll() as the mailbox and the serial line take them. Bytes
 * that must not overtake what the stub has yet to read from the mailbox
 * (Ctrl-C, DEBUGGER_GONE, anything after a resume) wait until the stub has
 * emptied it, or a second has passed. A client that overfills the queue or
 * sends a packet longer than any debugger may is cut off.
 *
 * Clients come and go. When one leaves, whatever it left half done is
 * dropped, the mailbox is let go, and the stub is told
 * (CHAN_CTL_DEBUGGER_GONE): it forgets breakpoints and no-ack mode and
 * lets a stopped image run. Until it echoes that message every byte it
 * sends is stale, meant for the old client, and dropped. `k` detaches the
 * same way unless the user asked for kill-on-k (`run --gdb-kill`).
 *
 * A lossy channel (the loop reports dropped frames) gets RSP's own
 * retries: no-ack mode is refused from then on, a packet from the stub
 * with a bad checksum is answered '-', and so is a dropped frame while the
 * client waits for a reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uniscope/chan.h>
#include <uniscope/gdbstub.h>
#include <uniscope/mailbox.h>
#include <uniscope/trace.h>
#include "gdb_bridge.h"
#include "gdb_host.h"
#include "introspect/uniscope.h"

#define FIFO_BYTES (64 * 1024)
#define FIFO_BACKLOG (16 * 1024)   /* stop reading the client beyond this */
#define HOLD_MAX_MS 1000           /* channel traffic waits this long for the mailbox to empty */
#define ECHO_QUIET_MS 2000         /* a stub silent this long without echoing DEBUGGER_GONE */
#define HOLD_POLL_US 100           /* while traffic waits for the stub to empty the mailbox */
#define LOSSY_POLL_US 10000
/* A reply must fit the PacketSize the stub advertised: '$', hex, '#', checksum. */
#define MAX_FAST_READ ((GDB_PACKET_SIZE - 4) / 2)
#define CR3_REGNUM 0x2c
#define NO_ACK_REFUSED "E.lossy.uniscope: the channel drops frames: acknowledgements stay on"

/* A record in the queue to the guest: header, then len bytes. */
struct record_header {
	uint8_t channel;
	uint8_t mailbox_ok; /* a gdb record sent while the stub was stopped */
	uint16_t len;
};

struct gdb_bridge {
	struct gdb_bridge_options opts;
	struct gdb_bridge_io io;
	struct gdb_bridge_stats stats;
	struct gdb_framer from_client, from_guest;
	bool client_no_ack, no_ack_asked;
	bool lossy;          /* the channel has dropped frames */
	bool reply_expected; /* the client waits for the stub */
	bool stopped;        /* the stub reported a stop and has not been resumed */
	bool cr3_known;
	uint64_t cr3;
	bool awaiting_echo;  /* DEBUGGER_GONE sent, not echoed: stub bytes are stale */
	bool detach_sent;    /* the client said D ... */
	bool detached;       /* ... and the stub said OK: nothing of it is left to fence off */
	uint64_t echo_deadline_ms;
	/* The queue to the guest. */
	uint8_t fifo[FIFO_BYTES];
	size_t fifo_len;
	uint64_t held_since_ms;
	/* The fast path. */
	bool fast_failed;
	struct us_target *target;
	struct us_writable mailbox_map;
	struct uniscope_mailbox *mailbox; /* mapped, magic checked */
	bool host_attached;
	bool knock_pending;
	bool client_connected;
	/* What the host answers (gdb_host.c), over target when it opens. */
	struct gdb_host *host;
	bool target_failed;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the queue to the guest ---------------------------------------------------- */

static bool fifo_push(struct gdb_bridge *b, uint8_t channel, bool mailbox_ok, const void *buf, size_t len)
{
	struct record_header h = { channel, mailbox_ok, (uint16_t)len };

	if (len > UINT16_MAX || sizeof(h) + len > FIFO_BYTES - b->fifo_len)
		return false;
	memcpy(b->fifo + b->fifo_len, &h, sizeof(h));
	memcpy(b->fifo + b->fifo_len + sizeof(h), buf, len);
	b->fifo_len += sizeof(h) + len;
	return true;
}

static void fifo_pop(struct gdb_bridge *b)
{
	struct record_header h;
	size_t n;

	memcpy(&h, b->fifo, sizeof(h));
	n = sizeof(h) + h.len;
	memmove(b->fifo, b->fifo + n, b->fifo_len - n);
	b->fifo_len -= n;
	b->held_since_ms = 0;
}

/* The old client's bytes go; control records (interrupt, gone) stay, in order. */
static void fifo_drop_gdb(struct gdb_bridge *b)
{
	size_t in = 0, out = 0;

	while (in < b->fifo_len) {
		struct record_header h;
		size_t n;

		memcpy(&h, b->fifo + in, sizeof(h));
		n = sizeof(h) + h.len;
		if (h.channel != CHAN_GDB) {
			memmove(b->fifo + out, b->fifo + in, n);
			out += n;
		}
		in += n;
	}
	b->fifo_len = out;
}

static bool mailbox_usable(const struct gdb_bridge *b)
{
	return b->mailbox && b->host_attached;
}

/* The stub still has bytes of ours to read from the mailbox. */
static bool mailbox_unread(const struct gdb_bridge *b)
{
	return b->mailbox && mailbox_ring_used(&b->mailbox->to_guest) > 0;
}

/* One record on its way, or false when it must wait. */
static bool flush_record(struct gdb_bridge *b, const struct record_header *h, const uint8_t *data)
{
	if (h->channel == CHAN_GDB && h->mailbox_ok && mailbox_usable(b)) {
		if (UNISCOPE_MAILBOX_RING - mailbox_ring_used(&b->mailbox->to_guest) < h->len)
			return false;
		mailbox_ring_put(&b->mailbox->to_guest, data, h->len);
		b->stats.mailbox_in += h->len;
		b->knock_pending = true;
		return true;
	}
	if (mailbox_unread(b)) {
		if (!b->held_since_ms)
			b->held_since_ms = now_ms();
		if (now_ms() - b->held_since_ms < HOLD_MAX_MS)
			return false; /* it would overtake what the stub has yet to read */
	}
	return b->io.to_guest(b->io.ctx, h->channel, data, h->len);
}

/* A stub halted in its stop loop wakes on the knock's interrupt (mailbox.h). */
static void knock(struct gdb_bridge *b)
{
	bool sent;

	if (!b->knock_pending)
		return;
	sent = b->io.bell ? b->io.bell(b->io.ctx) : b->io.to_guest(b->io.ctx, CHAN_GDB, "", 0);
	if (sent)
		b->knock_pending = false;
}

static void flush_to_guest(struct gdb_bridge *b)
{
	while (b->fifo_len > 0) {
		struct record_header h;

		memcpy(&h, b->fifo, sizeof(h));
		if (!flush_record(b, &h, b->fifo + sizeof(h)))
			break;
		fifo_pop(b);
	}
	knock(b);
}

static bool send_gdb(struct gdb_bridge *b, const void *buf, size_t len)
{
	if (!fifo_push(b, CHAN_GDB, b->stopped, buf, len))
		return false;
	flush_to_guest(b);
	return true;
}

static bool send_control_msg(struct gdb_bridge *b, const struct chan_ctl_msg *m)
{
	uint8_t payload[CHAN_CTL_MAX];
	size_t n = chan_ctl_encode(payload, sizeof(payload), m);

	if (!n || !fifo_push(b, CHAN_CONTROL, false, payload, n))
		return false;
	flush_to_guest(b);
	return true;
}

static bool send_control(struct gdb_bridge *b, uint8_t type)
{
	return send_control_msg(b, &(struct chan_ctl_msg){ .type = type });
}

/* A packet for the stub, framed again exactly as it came. */
static bool send_packet(struct gdb_bridge *b, const char *payload, size_t len)
{
	char framed[GDB_RX_BUF_SIZE + 4];
	size_t n = gdb_frame_packet(framed, sizeof(framed), payload, len);

	return n && send_gdb(b, framed, n);
}

/* ---- the client side ----------------------------------------------------------- */

static bool to_client(struct gdb_bridge *b, const void *buf, size_t len)
{
	return b->io.to_client(b->io.ctx, buf, len);
}

/* A reply of the bridge's own, acknowledged as the stub would. */
static bool reply(struct gdb_bridge *b, const char *payload, size_t len)
{
	static char framed[GDB_PACKET_SIZE + 4];
	size_t n = gdb_frame_packet(framed, sizeof(framed), payload, len);

	if (!b->client_no_ack && !to_client(b, "+", 1))
		return false;
	return n && to_client(b, framed, n);
}

/* Up to 16 hex digits; *p moves past them. */
static bool parse_hex(const char **p, const char *end, uint64_t *value)
{
	const char *start = *p;
	uint64_t v = 0;

	while (*p < end && gdb_hex_value(**p) >= 0 && *p - start < 16)
		v = v << 4 | (uint64_t)gdb_hex_value(*(*p)++);
	*value = v;
	return *p > start && (*p == end || gdb_hex_value(**p) < 0);
}

/* "mADDR,LEN" */
static bool parse_read(const char *p, size_t len, uint64_t *addr, uint64_t *count)
{
	const char *end = p + len;

	if (len < 4 || *p++ != 'm' || !parse_hex(&p, end, addr) || p == end || *p++ != ',' ||
	    !parse_hex(&p, end, count) || p != end || *count == 0)
		return false;
	if (*count > MAX_FAST_READ)
		*count = MAX_FAST_READ; /* a short read: GDB asks again for the rest */
	return true;
}

/* An `m` answered from guest RAM; false when the stub must answer it. */
static bool fast_read(struct gdb_bridge *b, const char *payload, size_t len, bool *ok)
{
	static uint8_t bytes[MAX_FAST_READ];
	static char hex[2 * MAX_FAST_READ];
	uint64_t addr, count;
	struct us_error *err;

	if (!b->opts.fast_path || !b->stopped || !b->target || !b->cr3_known ||
	    !parse_read(payload, len, &addr, &count))
		return false;
	if ((err = us_target_read(b->target, addr, bytes, count))) {
		us_error_destroy(err); /* unmapped somewhere: the stub says how much it can read */
		return false;
	}
	for (size_t i = 0; i < count; i++) {
		hex[2 * i] = gdb_hex_char(bytes[i] >> 4);
		hex[2 * i + 1] = gdb_hex_char(bytes[i]);
	}
	b->stats.fast_reads++;
	*ok = reply(b, hex, 2 * count);
	return true;
}

static bool packet_is(const char *payload, size_t len, const char *name)
{
	return len == strlen(name) && !memcmp(payload, name, len);
}

/* c, C, s, S, vCont;ACTION, D, k: the stub runs (or goes) after these. */
static bool is_resume(const char *p, size_t len)
{
	if (len == 0)
		return false;
	if (p[0] == 'c' || p[0] == 's' || p[0] == 'D' || packet_is(p, len, "k"))
		return true;
	if ((p[0] == 'C' || p[0] == 'S') && len >= 3 && gdb_hex_value(p[1]) >= 0)
		return true;
	return len > 6 && !memcmp(p, "vCont;", 6);
}

/*
 * The guest as the host sees it, for the host's answers: opened at the
 * first such packet (and rooted at the stop's cr3 when known), or NULL
 * when it cannot be.
 */
static struct us_error *open_target(struct gdb_bridge *b, bool at_stop);

static struct us_target *host_view(struct gdb_bridge *b)
{
	struct us_error *err;

	if (!b->target && b->target_failed)
		return NULL;
	if ((err = open_target(b, b->stopped && b->cr3_known))) {
		us_error_destroy(err);
		b->target_failed = !b->target;
	}
	return b->target;
}

static int host_packet(struct gdb_bridge *b, const char *payload, size_t len)
{
	if (!b->client_no_ack && !to_client(b, "+", 1))
		return GDB_BRIDGE_CUT_OFF;
	b->stats.host_answers++;
	return gdb_host_answer(b->host, host_view(b), payload, len) ? GDB_BRIDGE_KEEP : GDB_BRIDGE_CUT_OFF;
}

static int client_packet(struct gdb_bridge *b, const char *payload, size_t len)
{
	bool ok = true;

	if (gdb_host_takes(payload, len))
		return host_packet(b, payload, len);
	if (fast_read(b, payload, len, &ok))
		return ok ? GDB_BRIDGE_KEEP : GDB_BRIDGE_CUT_OFF;
	if (packet_is(payload, len, "k") && !b->opts.kill_on_k)
		return GDB_BRIDGE_CLOSE; /* GDB waits for no reply; the stub hears DEBUGGER_GONE */
	if (packet_is(payload, len, "QStartNoAckMode")) {
		if (b->lossy) /* RSP's retries, please (an error: GDB was promised the packet) */
			return reply(b, NO_ACK_REFUSED, strlen(NO_ACK_REFUSED)) ? GDB_BRIDGE_KEEP
									     : GDB_BRIDGE_CUT_OFF;
		b->no_ack_asked = true;
	}
	if (!send_packet(b, payload, len))
		return GDB_BRIDGE_CUT_OFF;
	b->detach_sent = len >= 1 && payload[0] == 'D';
	b->detached = false; /* a client that talks on after D has not left yet */
	b->reply_expected = true;
	if (is_resume(payload, len))
		b->stopped = false;
	return GDB_BRIDGE_KEEP;
}

/*
 * 0x03 while the stub runs: the control message stops it. Only that: a
 * 0x03 byte behind it on the channel could reach the stub after the next
 * resume (which may come through the mailbox, overtaking it) and stop the
 * image a second time.
 */
static bool interrupt(struct gdb_bridge *b)
{
	return send_control(b, CHAN_CTL_INTERRUPT);
}

int gdb_bridge_from_client(struct gdb_bridge *b, const uint8_t *buf, size_t len)
{
	int last_ack = GDB_FRAME_NONE, verdict = GDB_BRIDGE_KEEP;

	for (size_t i = 0; i < len && verdict == GDB_BRIDGE_KEEP; i++) {
		int ev = gdb_framer_push(&b->from_client, buf[i]);

		if (ev == GDB_FRAME_PACKET) {
			verdict = b->from_client.overflow ? GDB_BRIDGE_CUT_OFF
							  : client_packet(b, b->from_client.buf, b->from_client.len);
			last_ack = GDB_FRAME_NONE;
		} else if (ev == GDB_FRAME_BAD && !b->client_no_ack) {
			verdict = to_client(b, "-", 1) ? GDB_BRIDGE_KEEP : GDB_BRIDGE_CUT_OFF;
		} else if ((ev == GDB_FRAME_ACK || ev == GDB_FRAME_NAK) && ev != last_ack && !b->client_no_ack &&
			   !b->detached) { /* after D's OK an ack is for nobody: the stub has let go */
			/* A run of the same ack says no more than one of it. */
			verdict = send_gdb(b, ev == GDB_FRAME_ACK ? "+" : "-", 1) ? GDB_BRIDGE_KEEP
										     : GDB_BRIDGE_CUT_OFF;
			last_ack = ev;
		} else if (ev == GDB_FRAME_INTERRUPT) {
			verdict = interrupt(b) ? GDB_BRIDGE_KEEP : GDB_BRIDGE_CUT_OFF;
		}
	}
	flush_to_guest(b);
	if (verdict == GDB_BRIDGE_KEEP && b->from_client.overflow)
		verdict = GDB_BRIDGE_CUT_OFF; /* longer than any debugger sends */
	if (verdict == GDB_BRIDGE_CUT_OFF)
		b->stats.cut_off++;
	return verdict;
}

/* ---- the mailbox (include/uniscope/mailbox.h) ---------------------------------- */

/* Replies a client that left never read: the consumer may drop them. */
static void mailbox_discard_replies(struct gdb_bridge *b)
{
	struct uniscope_mailbox_ring *r = &b->mailbox->to_host;

	mailbox_store(&r->tail, mailbox_load(&r->head));
}

static void mailbox_let_go(struct gdb_bridge *b)
{
	if (!b->mailbox)
		return;
	mailbox_store(&b->mailbox->host_attached, 0);
	b->host_attached = false;
	mailbox_discard_replies(b);
}

/*
 * Guest RAM through introspect: at a stop, rooted at the cr3 it expedites;
 * before any stop (a client connecting), at vCPU 0's, which QEMU's monitor
 * gives.
 */
static struct us_error *open_target(struct gdb_bridge *b, bool at_stop)
{
	struct us_target_options opts = { .page_root_given = at_stop, .page_root = b->cr3 };

	if (b->target)
		return at_stop ? us_target_set_page_root(b->target, b->cr3) : NULL;
	return us_target_open(b->opts.target_spec ? b->opts.target_spec : b->opts.session_dir, &opts,
			      &b->target);
}

/* Finds the mailbox by its symbol and maps it writable; once per run. */
static struct us_error *map_mailbox(struct gdb_bridge *b)
{
	struct us_symbol sym;
	struct us_error *err;

	if ((err = us_target_lookup_symbol(b->target, UNISCOPE_MAILBOX_SYMBOL, &sym)))
		return err;
	if (sym.size < sizeof(struct uniscope_mailbox))
		return us_error_create(US_ERR_INVALID, "%s is too small", UNISCOPE_MAILBOX_SYMBOL);
	if ((err = us_target_map_writable(b->target, sym.address, sizeof(struct uniscope_mailbox),
					  &b->mailbox_map)))
		return err;
	if (mailbox_load(&((struct uniscope_mailbox *)b->mailbox_map.ptr)->magic) != UNISCOPE_MAILBOX_MAGIC) {
		us_target_unmap_writable(b->target, &b->mailbox_map);
		return us_error_create(US_ERR_INVALID, "%s has no magic", UNISCOPE_MAILBOX_SYMBOL);
	}
	b->mailbox = b->mailbox_map.ptr;
	return NULL;
}

/*
 * The fast path for this client: guest RAM and the mailbox. Taken when a
 * client connects, so the stub answers through memory from its first
 * reply on (a lossy channel then carries nothing of GDB's but doorbells),
 * and again at each stop, when the page tables' root is known for sure.
 */
static void fast_path_start(struct gdb_bridge *b, bool at_stop)
{
	struct us_error *err;

	if (!b->opts.fast_path || b->fast_failed || (at_stop && !b->cr3_known))
		return;
	if ((err = open_target(b, at_stop)) || (!b->mailbox && (err = map_mailbox(b)))) {
		us_error_destroy(err); /* everything still works over the channel */
		if (at_stop && (!b->target || !b->mailbox))
			b->fast_failed = true;
		return;
	}
	if (!b->host_attached) {
		mailbox_discard_replies(b); /* a stale reply must not greet this client */
		mailbox_store(&b->mailbox->host_attached, 1);
		b->host_attached = true;
	}
}

static void guest_bytes(struct gdb_bridge *b, const uint8_t *buf, size_t len);

static void mailbox_drain(struct gdb_bridge *b)
{
	uint8_t buf[4096];
	size_t n;

	for (int i = 0; i < 64 && mailbox_usable(b); i++) {
		if (!(n = mailbox_ring_get(&b->mailbox->to_host, buf, sizeof(buf))))
			break;
		b->stats.mailbox_out += n;
		guest_bytes(b, buf, n);
	}
}

/* ---- the stub's side ------------------------------------------------------------ */

/* A stop reply's "2c:VALUE;" (cr3, little-endian hex), if it has one. */
static bool stop_reply_cr3(const char *p, size_t len, uint64_t *cr3)
{
	const char *end = p + len, *field = p + 3; /* past "Tss" */

	while (field < end) {
		const char *colon = memchr(field, ':', (size_t)(end - field));
		const char *semi = colon ? memchr(colon, ';', (size_t)(end - colon)) : 0;
		uint64_t regnum, v = 0;
		const char *q = field;

		if (!semi)
			return false;
		if (parse_hex(&q, colon, &regnum) && q == colon && regnum == CR3_REGNUM && semi - colon == 17) {
			for (int i = 7; i >= 0; i--) {
				int hi = gdb_hex_value(colon[1 + 2 * i]), lo = gdb_hex_value(colon[2 + 2 * i]);
				if (hi < 0 || lo < 0)
					return false;
				v = v << 8 | (uint64_t)(hi << 4 | lo);
			}
			*cr3 = v;
			return true;
		}
		field = semi + 1;
	}
	return false;
}

/* What a packet from the stub says about it, before the client gets it. */
static void observe_reply(struct gdb_bridge *b, const char *p, size_t len)
{
	b->reply_expected = false;
	if (b->detach_sent) {
		b->detached = packet_is(p, len, "OK");
		b->detach_sent = false;
	}
	if (b->no_ack_asked) {
		b->client_no_ack = packet_is(p, len, "OK");
		b->no_ack_asked = false;
	}
	if (len >= 3 && (p[0] == 'T' || p[0] == 'S') && gdb_hex_value(p[1]) >= 0 && gdb_hex_value(p[2]) >= 0) {
		b->stopped = true;
		b->cr3_known = p[0] == 'T' && stop_reply_cr3(p, len, &b->cr3);
		fast_path_start(b, true);
	} else if (len >= 3 && (p[0] == 'W' || p[0] == 'X') && gdb_hex_value(p[1]) >= 0) {
		b->stopped = false;
	}
}

static void guest_bytes(struct gdb_bridge *b, const uint8_t *buf, size_t len)
{
	char framed[GDB_RX_BUF_SIZE + 4];

	if (b->awaiting_echo) {
		b->stats.stale += len;
		b->echo_deadline_ms = now_ms() + ECHO_QUIET_MS; /* still answering the old client */
		return;
	}
	for (size_t i = 0; i < len; i++) {
		int ev = gdb_framer_push(&b->from_guest, buf[i]);
		size_t n;

		if (ev == GDB_FRAME_PACKET && !b->from_guest.overflow) {
			observe_reply(b, b->from_guest.buf, b->from_guest.len);
			n = gdb_frame_packet(framed, sizeof(framed), b->from_guest.buf, b->from_guest.len);
			to_client(b, framed, n);
		} else if (ev == GDB_FRAME_BAD && !b->client_no_ack) {
			send_gdb(b, "-", 1); /* damaged on the way: the stub sends it again */
		} else if (ev == GDB_FRAME_ACK || ev == GDB_FRAME_NAK) {
			to_client(b, ev == GDB_FRAME_ACK ? "+" : "-", 1);
		}
	}
}

void gdb_bridge_from_guest(struct gdb_bridge *b, const uint8_t *payload, size_t len)
{
	if (len == 0)
		mailbox_drain(b); /* the doorbell */
	else
		guest_bytes(b, payload, len);
}

/*
 * The stub let go of the mailbox when it took DEBUGGER_GONE: whatever
 * to_host still holds is the old client's, and the next client (there
 * may be one already) attaches it afresh.
 */
void gdb_bridge_guest_reset(struct gdb_bridge *b)
{
	b->awaiting_echo = false;
	gdb_framer_init(&b->from_guest);
	b->host_attached = false;
	if (b->client_connected)
		fast_path_start(b, false);
}

void gdb_bridge_channel_lost_frames(struct gdb_bridge *b)
{
	b->lossy = true;
	/* A lost reply is asked for again; an acknowledged one is not resent. */
	if (b->reply_expected && !b->client_no_ack && !b->awaiting_echo)
		send_gdb(b, "-", 1);
}

/* ---- clients coming and going --------------------------------------------------- */

void gdb_bridge_client_connected(struct gdb_bridge *b)
{
	gdb_framer_init(&b->from_client);
	gdb_host_client_connected(b->host);
	b->client_no_ack = b->no_ack_asked = b->reply_expected = false;
	b->client_connected = true;
	b->stats.clients++;
	if (!b->awaiting_echo)
		fast_path_start(b, false);
}

/*
 * A client that detached (D, answered OK) left the stub as it finds it
 * with no client and nothing in flight. Any other leaving is followed by
 * DEBUGGER_GONE; the mailbox stays attached until the stub echoes it, so
 * what the stub still answers the old client drains fast, and is dropped.
 */
void gdb_bridge_client_gone(struct gdb_bridge *b)
{
	bool detached = b->detached && !b->fifo_len;

	fifo_drop_gdb(b);
	gdb_framer_init(&b->from_client);
	b->client_connected = false;
	b->client_no_ack = b->no_ack_asked = b->reply_expected = false;
	b->detach_sent = b->detached = false;
	b->stopped = false; /* the stub lets the image run */
	if (detached) {
		mailbox_let_go(b); /* the stub's trace stream yields to a connected debugger only */
		return;
	}
	b->awaiting_echo = true;
	b->echo_deadline_ms = now_ms() + ECHO_QUIET_MS;
	send_control(b, CHAN_CTL_DEBUGGER_GONE);
}

void gdb_bridge_client_cut_off(struct gdb_bridge *b)
{
	b->stats.cut_off++;
}

int64_t gdb_bridge_poll(struct gdb_bridge *b)
{
	if (b->awaiting_echo && now_ms() > b->echo_deadline_ms)
		gdb_bridge_guest_reset(b); /* a stub that does not echo: take what comes */
	mailbox_drain(b);
	flush_to_guest(b);
	if (b->fifo_len && mailbox_unread(b))
		return HOLD_POLL_US;
	if (mailbox_usable(b) && b->lossy)
		return LOSSY_POLL_US; /* the bell itself may be lost */
	if (b->fifo_len || b->awaiting_echo || b->knock_pending)
		return 10000;
	return -1;
}

bool gdb_bridge_backlogged(const struct gdb_bridge *b)
{
	return b->fifo_len > FIFO_BACKLOG;
}

const struct gdb_bridge_stats *gdb_bridge_stats(const struct gdb_bridge *b)
{
	return &b->stats;
}

size_t gdb_bridge_refusal(struct gdb_framer *f, const uint8_t *buf, size_t len, const char *session,
			  char *out, size_t cap)
{
	char text[160];
	size_t n = 0;
	int tn = snprintf(text, sizeof(text),
			  "E.busy.uniscope: another debugger is attached to session '%s' (detach it first)",
			  session);

	if (tn < 0)
		return 0;
	if ((size_t)tn >= sizeof(text))
		tn = sizeof(text) - 1;
	for (size_t i = 0; i < len; i++) {
		if (gdb_framer_push(f, buf[i]) != GDB_FRAME_PACKET || cap - n < (size_t)tn + 5)
			continue;
		out[n++] = '+';
		n += gdb_frame_packet(out + n, cap - n, text, (size_t)tn);
	}
	return n;
}

static bool host_put(void *ctx, const void *buf, size_t len)
{
	return to_client(ctx, buf, len);
}

/*
 * `monitor trace MASK`. Where the bridge may write guest RAM (the fast
 * path's mailbox is mapped the same way) the mask is stored at once, so
 * the reply tells the truth; otherwise (Xen, a recording) it goes as the
 * channel's TRACE_ENABLE, which the stub's loop takes soon after.
 */
static bool host_trace_enable(void *ctx, uint64_t mask)
{
	struct gdb_bridge *b = ctx;
	const struct uniscope_info *info = b->target ? us_target_info(b->target) : NULL;
	struct us_writable w;
	struct us_error *err;

	if (b->opts.fast_path && info && info->trace) {
		err = us_target_map_writable(b->target, info->trace + offsetof(struct uniscope_trace_info, enabled),
					     sizeof(uint64_t), &w);
		if (!err) {
			__atomic_store_n((uint64_t *)w.ptr, mask & ~1ull, __ATOMIC_RELAXED);
			us_target_unmap_writable(b->target, &w);
			return true;
		}
		us_error_destroy(err);
	}
	return send_control_msg(b, &(struct chan_ctl_msg){ .type = CHAN_CTL_TRACE_ENABLE, .trace_mask = mask });
}

struct gdb_bridge *gdb_bridge_new(const struct gdb_bridge_options *opts, const struct gdb_bridge_io *io)
{
	struct gdb_bridge *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->opts = *opts;
	b->io = *io;
	b->opts.fast_path = opts->fast_path && opts->session_dir;
	if (!(b->host = gdb_host_new(host_put, host_trace_enable, b))) {
		free(b);
		return NULL;
	}
	gdb_framer_init(&b->from_client);
	gdb_framer_init(&b->from_guest);
	return b;
}

void gdb_bridge_free(struct gdb_bridge *b)
{
	if (!b)
		return;
	mailbox_let_go(b); /* a stub still stopped falls back to the channel */
	gdb_host_free(b->host);
	if (b->target) {
		us_target_unmap_writable(b->target, &b->mailbox_map);
		us_target_close(b->target);
	}
	free(b);
}
