/*
 * libFuzzer target for the console-channel framing (chan/). Each input is
 * used four ways:
 *	- as a wire stream, decoded one byte at a time and again through
 *	  chan_decoder_feed() in input-derived chunks: both must agree, and
 *	  every delivered frame must be valid and re-encode to itself;
 *	- as a frame to send (channel, seq, payload): encode -> decode must
 *	  give it back exactly;
 *	- as COBS: a successful decode must round trip through the encoder;
 *	- as a control payload: a successful parse must re-encode to the
 *	  bytes it was parsed from.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <uniscope/chan.h>

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

struct outcome {
	uint32_t frames_hash;
	size_t frames;
	size_t loose_bytes; /* TEXT and REJECTED bytes */
};

static struct chan_decoder by_byte, by_chunk, fresh;
static uint8_t wire[CHAN_ENCODED_MAX(CHAN_PAYLOAD_MAX)];

/* A delivered frame must be valid and survive a round trip on its own. */
static void check_frame(const struct chan_frame *f)
{
	struct chan_frame back = { 0 };
	size_t n;
	int event = CHAN_EV_NONE;

	CHECK(f->channel < CHAN_COUNT && f->len <= CHAN_PAYLOAD_MAX);
	n = chan_frame_encode(wire, sizeof(wire), f->channel, f->seq, f->payload, f->len);
	CHECK(n > 0 && n <= CHAN_ENCODED_MAX(f->len));
	chan_decoder_init(&fresh);
	for (size_t i = 0; i < n; i++) {
		event = chan_decoder_push(&fresh, wire[i], &back);
		CHECK(event == CHAN_EV_NONE || i == n - 1);
	}
	CHECK(event == CHAN_EV_FRAME && back.channel == f->channel && back.seq == f->seq);
	CHECK(back.len == f->len && memcmp(back.payload, f->payload, f->len) == 0);
}

/* As the host does: a TEXT_FALLBACK control frame returns the decoder to text. */
static void follow_fallback(struct chan_decoder *d, const struct chan_frame *f)
{
	if (f->channel == CHAN_CONTROL && f->len > 0 && f->payload[0] == CHAN_CTL_TEXT_FALLBACK)
		chan_decoder_expect_text(d);
}

static void account(struct outcome *o, struct chan_decoder *d, int event,
		    const struct chan_frame *f)
{
	uint8_t header[4] = { f->channel, f->flags, (uint8_t)f->seq, (uint8_t)(f->seq >> 8) };

	if (event == CHAN_EV_NONE)
		return;
	CHECK(event == CHAN_EV_FRAME || event == CHAN_EV_TEXT || event == CHAN_EV_REJECTED);
	if (event != CHAN_EV_FRAME) {
		CHECK(f->len > 0 && f->len <= CHAN_RUN_MAX && memchr(f->payload, 0, f->len) == NULL);
		o->loose_bytes += f->len;
		return;
	}
	check_frame(f);
	follow_fallback(d, f);
	o->frames++;
	o->frames_hash = chan_crc32c(o->frames_hash, header, sizeof(header));
	o->frames_hash = chan_crc32c(o->frames_hash, f->payload, f->len);
}

static size_t run_before_zero(const uint8_t *data, size_t zero_at)
{
	size_t n = 0;

	while (n < zero_at && data[zero_at - 1 - n] != 0)
		n++;
	return n;
}

/* Text is the byte just pushed; a rejected run is the bytes right before it. */
static void check_loose_bytes(int event, const struct chan_frame *f,
			      const uint8_t *data, size_t i)
{
	if (event == CHAN_EV_TEXT)
		CHECK(f->len == 1 && f->payload[0] == data[i]);
	if (event == CHAN_EV_REJECTED)
		CHECK(f->len <= i && memcmp(f->payload, data + i - f->len, f->len) == 0);
}

static void decode_stream(const uint8_t *data, size_t size)
{
	struct outcome a = { 0 }, b = { 0 };
	struct chan_frame f = { 0 };
	size_t pos = 0, zeros = 0, step = 0, framed = 0;

	chan_decoder_init(&by_byte);
	chan_decoder_init(&by_chunk);
	for (size_t i = 0; i < size; i++) {
		int event = chan_decoder_push(&by_byte, data[i], &f);

		account(&a, &by_byte, event, &f);
		check_loose_bytes(event, &f, data, i);
		zeros += data[i] == 0;
		if (event == CHAN_EV_FRAME)
			framed += run_before_zero(data, i);
	}
	/* No byte is lost: each is a delimiter, in a frame, handed back, or pending. */
	CHECK(zeros + framed + a.loose_bytes + by_byte.run_len == size);
	while (pos < size) {
		size_t chunk = 1 + (data[step++ % size] * 7u) % 300, used;

		if (chunk > size - pos)
			chunk = size - pos;
		account(&b, &by_chunk, chan_decoder_feed(&by_chunk, data + pos, chunk, &used, &f), &f);
		CHECK(used > 0 && used <= chunk);
		pos += used;
	}
	CHECK(a.frames == b.frames && a.frames_hash == b.frames_hash);
	CHECK(a.loose_bytes == b.loose_bytes && a.loose_bytes <= size - zeros);
	CHECK(memcmp(&by_byte.stats, &by_chunk.stats, sizeof(by_byte.stats)) == 0);
	CHECK(by_byte.stats.frames_ok == a.frames);
}

static void round_trip_frame(const uint8_t *data, size_t size)
{
	static uint8_t small[sizeof(wire)];
	struct chan_frame f = { 0 };
	size_t len, exact, cap;

	if (size < 3)
		return;
	len = size - 3 > CHAN_PAYLOAD_MAX ? CHAN_PAYLOAD_MAX : size - 3;
	f.channel = data[0] % CHAN_COUNT;
	f.seq = (uint16_t)(data[1] | data[2] << 8);
	f.payload = data + 3;
	f.len = len;
	check_frame(&f);
	exact = chan_frame_encode(wire, sizeof(wire), f.channel, f.seq, f.payload, len);
	cap = (size_t)(data[0] | data[1] << 8) % (exact + 1);
	CHECK((chan_frame_encode(small, cap, f.channel, f.seq, f.payload, len) != 0) == (cap == exact));
	CHECK(cap != exact || memcmp(small, wire, exact) == 0);
}

static void round_trip_cobs(const uint8_t *data, size_t size)
{
	static uint8_t decoded[1 << 17], encoded[1 << 17], again[1 << 17];
	size_t n, m, k;

	if (size > sizeof(decoded) / 2 ||
	    chan_cobs_decode(decoded, sizeof(decoded), data, size, &n) != CHAN_COBS_OK)
		return;
	m = chan_cobs_encode(encoded, sizeof(encoded), decoded, n);
	CHECK(m > 0 && m <= CHAN_COBS_MAX(n) && memchr(encoded, 0, m) == NULL);
	CHECK(chan_cobs_decode(again, sizeof(again), encoded, m, &k) == CHAN_COBS_OK);
	CHECK(k == n && memcmp(decoded, again, n) == 0);
}

static void round_trip_control(const uint8_t *data, size_t size)
{
	struct chan_ctl_msg m;
	uint8_t out[CHAN_CTL_MAX];
	size_t n;

	if (chan_ctl_parse(data, size, &m) != 0)
		return;
	CHECK(m.build_id_len <= CHAN_BUILD_ID_MAX);
	n = chan_ctl_encode(out, sizeof(out), &m);
	if (m.type == CHAN_CTL_HELLO && size < n) { /* an old host's HELLO: no flags */
		CHECK(m.flags == 0 && memcmp(out, data, 2) == 0);
		return;
	}
	if (m.type == CHAN_CTL_EXIT && (size < n || data[5] != m.exit_how)) {
		/* an old guest's EXIT, or a way of ending this host does not know: UNSAID */
		CHECK(m.exit_how == CHAN_EXIT_UNSAID && memcmp(out, data, 5) == 0);
		return;
	}
	CHECK(n > 0 && n <= size && memcmp(out, data, n) == 0);
	CHECK(chan_ctl_encode(out, n - 1, &m) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode_stream(data, size);
	round_trip_frame(data, size);
	round_trip_cobs(data, size);
	round_trip_control(data, size);
	return 0;
}
