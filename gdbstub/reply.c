/*
 * Replies: what the engine sends. A reply is built in tx (payload at
 * tx[1]), then framed as "$payload#cs" (the checksum is the payload's byte
 * sum modulo 256 in two hex digits) and sent with one transport.put().
 *
 * Until GDB acknowledges it the packet stays in tx, and a '-' sends it
 * again a bounded number of times. In no-ack mode neither side
 * acknowledges anything. Every builder checks the room left: a reply that
 * outgrows tx is sent as an error, never truncated.
 */
#include "internal.h"

/* tx keeps three bytes for "#cs" after the payload. */
#define TX_PAYLOAD_END (GDB_TX_BUF_SIZE - 3)

static void transport_put(struct gdb_engine *e, const void *buf, size_t len)
{
	if (e->transport.put)
		e->transport.put(e->transport.ctx, buf, len);
}

/* '+' or '-' for a received packet; nothing in no-ack mode. */
void gdb_send_ack(struct gdb_engine *e, char ack)
{
	if (!e->no_ack)
		transport_put(e, &ack, 1);
}

void gdb_tx_acked(struct gdb_engine *e)
{
	e->tx_unacked = false;
}

/* GDB sent '-': our last packet again, a bounded number of times. */
void gdb_retransmit(struct gdb_engine *e)
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

/*
 * errno-style "E NN" (codes outside a byte become E01), or "E.NN.TEXT"
 * when the target said why (gdb_engine_error_message()).
 */
void gdb_send_error(struct gdb_engine *e, int err)
{
	unsigned code = err < 0 && err > -256 ? (unsigned)-err : 1;
	char text[3] = { 'E', gdb_hex_char(code >> 4), gdb_hex_char(code) };
	const char *why = e->error_text;

	e->error_text = 0;
	if (err == GDB_ERR_UNSUPPORTED) {
		gdb_send_empty(e);
		return;
	}
	gdb_reply_begin(e);
	if (why) {
		gdb_reply_str(e, "E.");
		gdb_reply_append(e, text + 1, 2);
		gdb_reply_str(e, ".");
		gdb_reply_str(e, why);
	} else {
		gdb_reply_append(e, text, sizeof(text));
	}
	gdb_reply_send(e);
}

/* For packets whose empty reply would mean "packet unknown", not "failed". */
void gdb_send_failure(struct gdb_engine *e, int err)
{
	gdb_send_error(e, err == GDB_ERR_UNSUPPORTED ? GDB_ERR_GENERIC : err);
}
