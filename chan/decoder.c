/*
 * Incremental frame decoder. Bytes collect in buf[cur] until a 0x00 ends
 * the run; the run is then COBS-decoded into the other buffer and checked
 * (length, CRC, channel) before it is delivered. Keeping the raw run intact
 * until the check is done is what lets a rejected run go back to the caller
 * byte for byte, so console text that arrives unframed is never lost.
 *
 * Modes:
 *	TEXT      before the first 0x00: every byte is plain text
 *	RUN       collecting a run that may be a frame
 *	OVERSIZE  the current run outgrew the buffer: it is handed back in
 *	          buffer-sized chunks and can no longer become a frame
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <uniscope/chan.h>

enum decoder_mode {
	MODE_TEXT = 0,
	MODE_RUN = 1,
	MODE_OVERSIZE = 2,
};

_Static_assert(CHAN_RUN_MAX <= UINT16_MAX, "run_len is a uint16_t");

void chan_decoder_init(struct chan_decoder *d)
{
	memset(d, 0, sizeof(*d));
	d->mode = MODE_TEXT;
}

void chan_decoder_expect_text(struct chan_decoder *d)
{
	if (d->mode == MODE_RUN && d->run_len > 0)
		d->stats.truncated++;
	d->mode = MODE_TEXT;
	d->run_len = 0;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int emit_bytes(struct chan_frame *out, const uint8_t *p, size_t n, int event)
{
	out->channel = CHAN_CONSOLE;
	out->flags = 0;
	out->seq = 0;
	out->payload = p;
	out->len = n;
	return event;
}

/* Checks a decoded body; counts what is wrong with it, or fills *out. */
static bool body_valid(struct chan_stats *st, const uint8_t *body, size_t len,
		       struct chan_frame *out)
{
	size_t payload_len;

	if (len > CHAN_BODY_MAX) {
		st->oversize++;
		return false;
	}
	if (len < CHAN_BODY_SIZE(0)) {
		st->truncated++;
		return false;
	}
	payload_len = len - CHAN_BODY_SIZE(0);
	if (chan_crc32c(0, body, len - CHAN_CRC_SIZE) != get_le32(body + len - CHAN_CRC_SIZE)) {
		st->crc_errors++;
		return false;
	}
	if (body[0] >= CHAN_COUNT) {
		st->bad_channel++;
		return false;
	}
	out->channel = body[0];
	out->flags = body[1];
	out->seq = (uint16_t)(body[2] | body[3] << 8);
	out->payload = body + CHAN_HEADER_SIZE;
	out->len = payload_len;
	return true;
}

static int decode_run(struct chan_decoder *d, const uint8_t *raw, size_t n,
		      struct chan_frame *out)
{
	uint8_t *body = d->buf[d->cur ^ 1];
	size_t len;
	int rc = chan_cobs_decode(body, sizeof(d->buf[0]), raw, n, &len);

	if (rc == CHAN_COBS_OVERRUN) {
		d->stats.cobs_errors++;
		return emit_bytes(out, raw, n, CHAN_EV_REJECTED);
	}
	if (rc != CHAN_COBS_OK) {
		d->stats.oversize++; /* unreachable: body is as large as a run */
		return emit_bytes(out, raw, n, CHAN_EV_REJECTED);
	}
	if (!body_valid(&d->stats, body, len, out))
		return emit_bytes(out, raw, n, CHAN_EV_REJECTED);
	d->stats.frames_ok++;
	return CHAN_EV_FRAME;
}

static int end_run(struct chan_decoder *d, struct chan_frame *out)
{
	const uint8_t *raw = d->buf[d->cur];
	size_t n = d->run_len;
	bool was_oversize = d->mode == MODE_OVERSIZE;

	d->run_len = 0;
	d->mode = MODE_RUN;
	if (n == 0)
		return CHAN_EV_NONE;
	if (was_oversize)
		return emit_bytes(out, raw, n, CHAN_EV_REJECTED);
	return decode_run(d, raw, n, out);
}

/*
 * The run no longer fits: hand back the full buffer and continue the run in
 * the other one, which is free because no frame is pending.
 */
static int overflow_run(struct chan_decoder *d, uint8_t byte, struct chan_frame *out)
{
	const uint8_t *full = d->buf[d->cur];

	if (d->mode == MODE_RUN)
		d->stats.oversize++;
	d->mode = MODE_OVERSIZE;
	d->cur ^= 1;
	d->buf[d->cur][0] = byte;
	d->run_len = 1;
	return emit_bytes(out, full, CHAN_RUN_MAX, CHAN_EV_REJECTED);
}

static int push_text(struct chan_decoder *d, uint8_t byte, struct chan_frame *out)
{
	if (byte == 0) {
		d->mode = MODE_RUN;
		d->run_len = 0;
		return CHAN_EV_NONE;
	}
	d->buf[d->cur][0] = byte;
	return emit_bytes(out, d->buf[d->cur], 1, CHAN_EV_TEXT);
}

int chan_decoder_push(struct chan_decoder *d, uint8_t byte, struct chan_frame *out)
{
	if (d->mode == MODE_TEXT)
		return push_text(d, byte, out);
	if (byte == 0)
		return end_run(d, out);
	if (d->run_len >= CHAN_RUN_MAX)
		return overflow_run(d, byte, out);
	d->buf[d->cur][d->run_len++] = byte;
	return CHAN_EV_NONE;
}

static size_t text_run_length(const uint8_t *buf, size_t n)
{
	size_t i = 0;

	while (i < n && buf[i] != 0)
		i++;
	return i;
}

int chan_decoder_feed(struct chan_decoder *d, const uint8_t *buf, size_t n,
		      size_t *used, struct chan_frame *out)
{
	if (d->mode == MODE_TEXT) {
		size_t text = text_run_length(buf, n);

		if (text > 0) {
			*used = text;
			return emit_bytes(out, buf, text, CHAN_EV_TEXT);
		}
	}
	for (size_t i = 0; i < n; i++) {
		int event = chan_decoder_push(d, buf[i], out);

		if (event != CHAN_EV_NONE) {
			*used = i + 1;
			return event;
		}
	}
	*used = n;
	return CHAN_EV_NONE;
}
