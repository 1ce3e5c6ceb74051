/*
 * The receive machine: RSP framing, "$payload#cs", fed one byte at a time.
 *
 * Four states, so it works the same whether the caller hands over a whole
 * TCP read or one UART byte from an interrupt. Outside a packet, '+' and
 * '-' acknowledge our last packet and 0x03 is GDB's out-of-band interrupt.
 * A '$' inside a packet restarts it, which is how GDB resynchronises after
 * line noise. Payload bytes that do not fit are counted but dropped; the
 * packet is then marked oversized (rx_overflow) for the engine to answer
 * with an error, never truncated and executed.
 *
 * The machine only frames: it acknowledges what it receives and says what
 * arrived. What a packet means is the engine's business (engine.c).
 */
#include "internal.h"

static void start_packet(struct gdb_engine *e)
{
	e->rx_state = GDB_RX_PAYLOAD;
	e->rx_len = 0;
	e->rx_sum = 0;
	e->rx_overflow = false;
}

static enum gdb_rx_result idle_byte(struct gdb_engine *e, uint8_t byte)
{
	if (byte == '$')
		start_packet(e);
	else if (byte == '+')
		gdb_tx_acked(e);
	else if (byte == '-')
		gdb_retransmit(e);
	else if (byte == 0x03)
		return GDB_RX_INTERRUPT;
	return GDB_RX_NOTHING;
}

static void payload_byte(struct gdb_engine *e, uint8_t byte)
{
	if (byte == '#') {
		e->rx_state = GDB_RX_CHECKSUM_HIGH;
		return;
	}
	if (byte == '$') {
		start_packet(e);
		return;
	}
	e->rx_sum = (uint8_t)(e->rx_sum + byte);
	if (e->rx_len < sizeof(e->rx))
		e->rx[e->rx_len++] = (char)byte;
	else
		e->rx_overflow = true;
}

static void reject_packet(struct gdb_engine *e)
{
	e->stats.bad_checksums++;
	gdb_send_ack(e, '-'); /* in no-ack mode: dropped, never guessed at */
}

static enum gdb_rx_result checksum_byte(struct gdb_engine *e, uint8_t byte)
{
	int digit = gdb_hex_value((char)byte);

	if (digit < 0) {
		e->rx_state = GDB_RX_IDLE;
		reject_packet(e);
		return byte == '$' ? idle_byte(e, byte) : GDB_RX_NOTHING;
	}
	if (e->rx_state == GDB_RX_CHECKSUM_HIGH) {
		e->rx_sum_high = (uint8_t)digit;
		e->rx_state = GDB_RX_CHECKSUM_LOW;
		return GDB_RX_NOTHING;
	}
	e->rx_state = GDB_RX_IDLE;
	if ((uint8_t)(e->rx_sum_high << 4 | digit) != e->rx_sum) {
		reject_packet(e);
		return GDB_RX_NOTHING;
	}
	gdb_send_ack(e, '+');
	return GDB_RX_PACKET;
}

enum gdb_rx_result gdb_rx_byte(struct gdb_engine *e, uint8_t byte)
{
	switch (e->rx_state) {
	case GDB_RX_PAYLOAD:
		payload_byte(e, byte);
		return GDB_RX_NOTHING;
	case GDB_RX_CHECKSUM_HIGH:
	case GDB_RX_CHECKSUM_LOW:
		return checksum_byte(e, byte);
	default:
		return idle_byte(e, byte);
	}
}
