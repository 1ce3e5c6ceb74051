/*
 * Consistent Overhead Byte Stuffing (Cheshire and Baker, 1999): rewrites a
 * byte string so it contains no 0x00, at a cost of one byte per 254, which
 * lets 0x00 delimit frames on the console stream. Each block is a code byte
 * c followed by c - 1 non-zero data bytes; a block with c < 0xff stands for
 * its data followed by a 0x00, except the last, whose zero is implied by the
 * end of the frame.
 *
 * The encoder is canonical: a full block (0xff) is closed only when another
 * byte follows, so n non-zero bytes never cost more than CHAN_COBS_MAX(n).
 */
#include <stddef.h>
#include <stdint.h>

#include <uniscope/chan.h>

#define COBS_FULL_BLOCK 0xff

static void writer_set(struct chan_cobs_writer *w, size_t at, uint8_t byte)
{
	if (at < w->cap)
		w->out[at] = byte;
	else
		w->overflow = true;
}

/* Writes the current block's code byte and reserves room for the next one. */
static void writer_close_block(struct chan_cobs_writer *w)
{
	writer_set(w, w->code_pos, w->code);
	w->code_pos = w->pos++;
	w->code = 1;
}

void chan_cobs_writer_init(struct chan_cobs_writer *w, uint8_t *out, size_t cap)
{
	w->out = out;
	w->cap = out ? cap : 0;
	w->pos = 1;
	w->code_pos = 0;
	w->code = 1;
	w->overflow = false;
}

static void writer_put_byte(struct chan_cobs_writer *w, uint8_t byte)
{
	if (w->code == COBS_FULL_BLOCK)
		writer_close_block(w);
	if (byte == 0) {
		writer_close_block(w);
		return;
	}
	writer_set(w, w->pos++, byte);
	w->code++;
}

void chan_cobs_writer_put(struct chan_cobs_writer *w, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n && !w->overflow; i++)
		writer_put_byte(w, b[i]);
}

size_t chan_cobs_writer_finish(struct chan_cobs_writer *w)
{
	writer_set(w, w->code_pos, w->code);
	return w->overflow ? 0 : w->pos;
}

size_t chan_cobs_encode(uint8_t *out, size_t cap, const void *in, size_t n)
{
	struct chan_cobs_writer w;

	if (!in && n > 0)
		return 0;
	chan_cobs_writer_init(&w, out, cap);
	chan_cobs_writer_put(&w, in, n);
	return chan_cobs_writer_finish(&w);
}

/* Copies one block's data bytes; false if a 0x00 hides among them. */
static bool copy_block_data(uint8_t *out, const uint8_t *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (in[i] == 0)
			return false;
		out[i] = in[i];
	}
	return true;
}

int chan_cobs_decode(uint8_t *out, size_t cap, const uint8_t *in, size_t n,
		     size_t *out_len)
{
	size_t i = 0, o = 0;

	*out_len = 0;
	if (!out)
		cap = 0;
	while (i < n) {
		uint8_t code = in[i++];
		size_t data = (size_t)code - 1;

		if (code == 0 || data > n - i)
			return CHAN_COBS_OVERRUN;
		if (data > cap - o)
			return CHAN_COBS_NOSPACE;
		if (data > 0 && !copy_block_data(out + o, in + i, data))
			return CHAN_COBS_OVERRUN;
		i += data;
		o += data;
		if (code != COBS_FULL_BLOCK && i < n) {
			if (o == cap)
				return CHAN_COBS_NOSPACE;
			out[o++] = 0;
		}
	}
	*out_len = o;
	return CHAN_COBS_OK;
}
