/*
 * RSP framing, on its own: "$payload#cs", the checksum being the payload's
 * byte sum modulo 256 in two hex digits, and the single bytes that live
 * outside packets ('+', '-', 0x03).
 *
 * Receiving is a four-state machine fed one byte at a time, so it works the
 * same whether the caller hands over a whole TCP read or one UART byte from
 * an interrupt. A '$' inside a packet restarts it, which is how GDB
 * resynchronises after line noise. Payload bytes that do not fit are
 * counted as overflow and dropped, never truncated into a smaller packet
 * that looks whole. Anything else outside a packet means nothing and is
 * ignored, as GDB ignores it.
 *
 * The engine (packet.c) receives through it, and so does a bridge that
 * relays RSP between a debugger and a stub (cli/gdb_bridge.c), so both read
 * the protocol the same way.
 */
#include "internal.h"

void gdb_framer_init(struct gdb_framer *f)
{
	f->state = GDB_RX_IDLE;
	f->len = 0;
	f->sum = 0;
	f->sum_high = 0;
	f->overflow = false;
}

static void start_packet(struct gdb_framer *f)
{
	gdb_framer_init(f);
	f->state = GDB_RX_PAYLOAD;
}

static int idle_byte(struct gdb_framer *f, uint8_t byte)
{
	switch (byte) {
	case '$': start_packet(f); return GDB_FRAME_NONE;
	case '+': return GDB_FRAME_ACK;
	case '-': return GDB_FRAME_NAK;
	case 0x03: return GDB_FRAME_INTERRUPT;
	default: return GDB_FRAME_NONE;
	}
}

static int payload_byte(struct gdb_framer *f, uint8_t byte)
{
	if (byte == '#') {
		f->state = GDB_RX_CHECKSUM_HIGH;
		return GDB_FRAME_NONE;
	}
	if (byte == '$') {
		start_packet(f);
		return GDB_FRAME_NONE;
	}
	f->sum = (uint8_t)(f->sum + byte);
	if (f->len < sizeof(f->buf))
		f->buf[f->len++] = (char)byte;
	else
		f->overflow = true;
	return GDB_FRAME_NONE;
}

static int checksum_byte(struct gdb_framer *f, uint8_t byte)
{
	int digit = gdb_hex_value((char)byte);

	if (digit < 0) {
		/* A '$' here starts the next packet, after reporting this one bad. */
		f->state = GDB_RX_IDLE;
		if (byte == '$')
			start_packet(f);
		return GDB_FRAME_BAD;
	}
	if (f->state == GDB_RX_CHECKSUM_HIGH) {
		f->sum_high = (uint8_t)digit;
		f->state = GDB_RX_CHECKSUM_LOW;
		return GDB_FRAME_NONE;
	}
	f->state = GDB_RX_IDLE;
	return (uint8_t)(f->sum_high << 4 | digit) == f->sum ? GDB_FRAME_PACKET : GDB_FRAME_BAD;
}

int gdb_framer_push(struct gdb_framer *f, uint8_t byte)
{
	switch (f->state) {
	case GDB_RX_PAYLOAD:
		return payload_byte(f, byte);
	case GDB_RX_CHECKSUM_HIGH:
	case GDB_RX_CHECKSUM_LOW:
		return checksum_byte(f, byte);
	default:
		return idle_byte(f, byte);
	}
}

bool gdb_framer_busy(const struct gdb_framer *f)
{
	return f->state != GDB_RX_IDLE;
}

size_t gdb_frame_packet(char *out, size_t cap, const void *payload, size_t len)
{
	const uint8_t *p = payload;
	uint8_t sum = 0;

	if (cap < 4 || len > cap - 4)
		return 0;
	out[0] = '$';
	for (size_t i = 0; i < len; i++) {
		out[1 + i] = (char)p[i];
		sum = (uint8_t)(sum + p[i]);
	}
	out[1 + len] = '#';
	out[2 + len] = gdb_hex_char(sum >> 4);
	out[3 + len] = gdb_hex_char(sum);
	return len + 4;
}
