/*
 * Receiving: bytes from the debugger go through RSP's framer (framer.c,
 * shared with the host's bridge so both read the protocol the same way)
 * and become acknowledgements, interrupts and packets to answer.
 *
 * Outside a packet, '+' and '-' acknowledge our last packet and 0x03 is
 * GDB's out-of-band interrupt. A packet that did not fit the receive
 * buffer is answered with an error, never truncated and executed. In
 * no-ack mode neither side acknowledges anything; a '+' then can only come
 * from a new client starting in ack mode, so it ends the old session, as
 * qSupported (every client's first packet) does.
 */
#include "internal.h"

/* The old client's session ends; why the target stopped stays true. */
static unsigned new_client(struct gdb_engine *e)
{
	struct gdb_stop stop = e->stop;

	gdb_session_reset(e); /* the received packet stays in rx.buf */
	e->stop = stop;
	return GDB_EVENT_NEW_CLIENT;
}

/*
 * In no-ack mode a '+' is a new client's, except the one that acknowledges
 * QStartNoAckMode's OK (sent while acks were still on).
 */
static unsigned ack_byte(struct gdb_engine *e)
{
	if (e->no_ack && !e->tx_unacked)
		return new_client(e);
	gdb_tx_acked(e);
	return GDB_EVENT_NONE;
}

static bool starts_session(const struct gdb_engine *e)
{
	static const char name[] = "qSupported";

	return e->rx.len >= sizeof(name) - 1 && !memcmp(e->rx.buf, name, sizeof(name) - 1) &&
	       (e->rx.len == sizeof(name) - 1 || e->rx.buf[sizeof(name) - 1] == ':');
}

/* A packet arrived intact: acknowledge it, then answer it. */
static unsigned accept_packet(struct gdb_engine *e)
{
	size_t len = e->rx.len; /* a new client's reset clears the framer, not its buffer */
	unsigned events = GDB_EVENT_NONE;

	if (starts_session(e))
		events = new_client(e);
	gdb_send_ack(e, '+');
	e->stats.packets++;
	e->error_text = 0;
	if (e->rx.overflow) {
		e->stats.oversized++;
		gdb_send_error(e, GDB_ERR_GENERIC);
		return events;
	}
	if (e->running) {
		/* All-stop GDB sends nothing but 0x03 while the target runs. */
		e->stats.dropped++;
		return events;
	}
	return events | gdb_dispatch(e, e->rx.buf, len);
}

unsigned gdb_rx_byte(struct gdb_engine *e, uint8_t byte)
{
	switch (gdb_framer_push(&e->rx, byte)) {
	case GDB_FRAME_PACKET:
		return accept_packet(e);
	case GDB_FRAME_BAD:
		e->stats.bad_checksums++;
		gdb_send_ack(e, '-'); /* in no-ack mode: dropped, never guessed at */
		return GDB_EVENT_NONE;
	case GDB_FRAME_ACK:
		return ack_byte(e);
	case GDB_FRAME_NAK:
		gdb_retransmit(e);
		return GDB_EVENT_NONE;
	case GDB_FRAME_INTERRUPT:
		return e->running ? GDB_EVENT_INTERRUPT : GDB_EVENT_NONE;
	default:
		return GDB_EVENT_NONE;
	}
}
