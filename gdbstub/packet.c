/*
 * RSP framing: "$payload#cs", the checksum being the payload's byte sum
 * modulo 256 in two hex digits.
 *
 * Receiving is a four-state machine fed one byte at a time, so it works the
 * same whether the caller hands over a whole TCP read or one UART byte from
 * an interrupt. Outside a packet, '+' and '-' acknowledge our last packet
 * and 0x03 is GDB's out-of-band interrupt. A '$' inside a packet restarts
 * it, which is how GDB resynchronises after line noise. Payload bytes that
 * do not fit are counted but dropped; the packet is then answered with an
 * error, never truncated and executed.
 *
 * Sending: a reply is built in tx (payload at tx[1]), then framed and sent
 * with one transport.put(). Until GDB acknowledges it the packet stays in
 * tx, and a '-' sends it again a bounded number of times. In no-ack mode
 * neither side acknowledges anything.
 */
#include "internal.h"

/* tx keeps three bytes for "#cs" after the payload. */
#define TX_PAYLOAD_END (GDB_TX_BUF_SIZE - 3)

static void transport_put(struct gdb_engine *e, const void *buf, size_t len)
{
	if (e->transport.put)
		e->transport.put(e->transport.ctx, buf, len);
}

static void send_ack(struct gdb_engine *e, char ack)
{
	if (!e->no_ack)
		transport_put(e, &ack, 1);
}

static void retransmit(struct gdb_engine *e)
{
	if (!e->tx_unacked || e->tx_len == 0)
		return;
	if (e->tx_retransmits >= GDB_MAX_RETRANSMITS) {
		e->tx_unacked = false; /* GDB keeps rejecting it: give up */
		return;
	}
	e->tx_retransmits++;
	e->stats.retransmits++;
	transport_put(e, e->tx, e->tx_len);
}

static void start_packet(struct gdb_engine *e)
{
	e->rx_state = GDB_RX_PAYLOAD;
	e->rx_len = 0;
	e->rx_sum = 0;
	e->rx_overflow = false;
}

static unsigned idle_byte(struct gdb_engine *e, uint8_t byte)
{
	if (byte == '$')
		start_packet(e);
	else if (byte == '+')
		e->tx_unacked = false;
	else if (byte == '-')
		retransmit(e);
	else if (byte == 0x03 && e->running)
		return GDB_EVENT_INTERRUPT;
	return GDB_EVENT_NONE;
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
	send_ack(e, '-');
}

/* A packet arrived intact: acknowledge it, then answer it. */
static unsigned accept_packet(struct gdb_engine *e)
{
	send_ack(e, '+');
	e->stats.packets++;
	if (e->rx_overflow) {
		e->stats.oversized++;
		gdb_send_error(e, GDB_ERR_GENERIC);
		return GDB_EVENT_NONE;
	}
	if (e->running) {
		/* All-stop GDB sends nothing but 0x03 while the target runs. */
		e->stats.dropped++;
		return GDB_EVENT_NONE;
	}
	return gdb_dispatch(e, e->rx, e->rx_len);
}

static unsigned checksum_byte(struct gdb_engine *e, uint8_t byte)
{
	int digit = gdb_hex_value((char)byte);

	if (digit < 0) {
		e->rx_state = GDB_RX_IDLE;
		reject_packet(e);
		return byte == '$' ? idle_byte(e, byte) : GDB_EVENT_NONE;
	}
	if (e->rx_state == GDB_RX_CHECKSUM_HIGH) {
		e->rx_sum_high = (uint8_t)digit;
		e->rx_state = GDB_RX_CHECKSUM_LOW;
		return GDB_EVENT_NONE;
	}
	e->rx_state = GDB_RX_IDLE;
	if ((uint8_t)(e->rx_sum_high << 4 | digit) != e->rx_sum) {
		reject_packet(e); /* in no-ack mode: dropped, never guessed at */
		return GDB_EVENT_NONE;
	}
	return accept_packet(e);
}

unsigned gdb_rx_byte(struct gdb_engine *e, uint8_t byte)
{
	switch (e->rx_state) {
	case GDB_RX_PAYLOAD:
		payload_byte(e, byte);
		return GDB_EVENT_NONE;
	case GDB_RX_CHECKSUM_HIGH:
	case GDB_RX_CHECKSUM_LOW:
		return checksum_byte(e, byte);
	default:
		return idle_byte(e, byte);
	}
}

void gdb_reply_begin(struct gdb_engine *e)
{
	e->tx[0] = '$';
	e->tx_len = 1;
	e->tx_overflow = false;
}

size_t gdb_reply_room(const struct gdb_engine *e)
{
	return e->tx_len < TX_PAYLOAD_END ? TX_PAYLOAD_END - e->tx_len : 0;
}

void gdb_reply_append(struct gdb_engine *e, const char *text, size_t len)
{
	if (len > gdb_reply_room(e)) {
		e->tx_overflow = true;
		return;
	}
	memcpy(e->tx + e->tx_len, text, len);
	e->tx_len += len;
}

void gdb_reply_str(struct gdb_engine *e, const char *text)
{
	gdb_reply_append(e, text, strlen(text));
}

void gdb_reply_hex_bytes(struct gdb_engine *e, const void *bytes, size_t len)
{
	const uint8_t *in = bytes;

	if (len > gdb_reply_room(e) / 2) {
		e->tx_overflow = true;
		return;
	}
	for (size_t i = 0; i < len; i++) {
		e->tx[e->tx_len++] = gdb_hex_char(in[i] >> 4);
		e->tx[e->tx_len++] = gdb_hex_char(in[i]);
	}
}

void gdb_reply_hex_u64(struct gdb_engine *e, uint64_t value)
{
	char digits[16];

	gdb_reply_append(e, digits, gdb_format_hex_u64(digits, value));
}

/* `bytes` bytes of value in target (little-endian) order. */
void gdb_reply_le(struct gdb_engine *e, uint64_t value, size_t bytes)
{
	uint8_t le[8];

	for (size_t i = 0; i < bytes && i < sizeof(le); i++)
		le[i] = (uint8_t)(value >> (8 * i));
	gdb_reply_hex_bytes(e, le, bytes < sizeof(le) ? bytes : sizeof(le));
}

void gdb_reply_tid(struct gdb_engine *e, int64_t tid)
{
	if (tid < 0)
		gdb_reply_str(e, "-1");
	else
		gdb_reply_hex_u64(e, (uint64_t)tid);
}

/* Binary data (qXfer): '#', '$', '}' and '*' go out as '}' + byte ^ 0x20. */
bool gdb_reply_binary_byte(struct gdb_engine *e, uint8_t byte)
{
	bool escape = byte == '#' || byte == '$' || byte == '}' || byte == '*';

	if (gdb_reply_room(e) < (escape ? 2u : 1u))
		return false;
	if (escape) {
		e->tx[e->tx_len++] = '}';
		byte ^= 0x20;
	}
	e->tx[e->tx_len++] = (char)byte;
	return true;
}

void gdb_reply_send(struct gdb_engine *e)
{
	uint8_t sum = 0;

	if (e->tx_overflow) {
		gdb_reply_begin(e);
		gdb_reply_str(e, "E01");
	}
	for (size_t i = 1; i < e->tx_len; i++)
		sum = (uint8_t)(sum + (uint8_t)e->tx[i]);
	e->tx[e->tx_len++] = '#';
	e->tx[e->tx_len++] = gdb_hex_char(sum >> 4);
	e->tx[e->tx_len++] = gdb_hex_char(sum);
	e->tx_unacked = !e->no_ack;
	e->tx_retransmits = 0;
	transport_put(e, e->tx, e->tx_len);
}

void gdb_send_str(struct gdb_engine *e, const char *text)
{
	gdb_reply_begin(e);
	gdb_reply_str(e, text);
	gdb_reply_send(e);
}

void gdb_send_ok(struct gdb_engine *e)
{
	gdb_send_str(e, "OK");
}

/* The empty reply: "I do not support this packet". */
void gdb_send_empty(struct gdb_engine *e)
{
	gdb_send_str(e, "");
}

/* errno-style "E NN"; codes outside a byte become E01. */
void gdb_send_error(struct gdb_engine *e, int err)
{
	unsigned code = err < 0 && err > -256 ? (unsigned)-err : 1;
	char text[3] = { 'E', gdb_hex_char(code >> 4), gdb_hex_char(code) };

	if (err == GDB_ERR_UNSUPPORTED) {
		gdb_send_empty(e);
		return;
	}
	gdb_reply_begin(e);
	gdb_reply_append(e, text, sizeof(text));
	gdb_reply_send(e);
}

/* For packets whose empty reply would mean "packet unknown", not "failed". */
void gdb_send_failure(struct gdb_engine *e, int err)
{
	gdb_send_error(e, err == GDB_ERR_UNSUPPORTED ? GDB_ERR_GENERIC : err);
}
