/*
 * Unit tests of the console-channel framing (chan/): CRC-32C, COBS, frame
 * round trips on every channel, push boundaries, damage of every kind and
 * resynchronisation, text mode, and the control messages. Inputs are built
 * in code from a fixed-seed generator, so every run is the same.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include <uniscope/chan.h>

#define FAIL(...) do { diag(__VA_ARGS__); return false; } while (0)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

enum pattern { PAT_RANDOM, PAT_ZEROS, PAT_FF, PAT_NONZERO_RUNS, PAT_COUNT };

/* Fills p; PAT_NONZERO_RUNS alternates 254/255-byte non-zero runs with 0x00. */
static void fill(uint8_t *p, size_t n, enum pattern pat)
{
	for (size_t i = 0; i < n; i++) {
		bool run_end = i % 510 == 254 || i % 510 == 509;

		p[i] = pat == PAT_RANDOM ? (uint8_t)rng() : pat == PAT_ZEROS ? 0 :
		       pat == PAT_FF ? 0xff : run_end ? 0 : (uint8_t)(1 + rng() % 255);
	}
}

/* Everything a decoder produced from one input, copied out of its storage. */
struct collected {
	size_t frames;
	struct chan_frame last;
	uint8_t last_payload[CHAN_PAYLOAD_MAX];
	size_t text_len, rejected_len;
	uint8_t text[1 << 14], rejected[1 << 14];
};

static struct chan_decoder dec;
static struct collected got;
static uint8_t wire[1 << 16];
static uint8_t payload[CHAN_PAYLOAD_MAX + 64];

/* Keeps the first bytes and counts them all. */
static void append(uint8_t *buf, size_t cap, size_t *len, const struct chan_frame *f)
{
	if (*len < cap)
		memcpy(buf + *len, f->payload, f->len < cap - *len ? f->len : cap - *len);
	*len += f->len;
}

static void collect(int event, const struct chan_frame *f)
{
	if (event == CHAN_EV_FRAME) {
		got.frames++;
		got.last = *f;
		memcpy(got.last_payload, f->payload, f->len);
		got.last.payload = got.last_payload;
	} else if (event == CHAN_EV_TEXT) {
		append(got.text, sizeof(got.text), &got.text_len, f);
	} else if (event == CHAN_EV_REJECTED) {
		append(got.rejected, sizeof(got.rejected), &got.rejected_len, f);
	}
}

/* Feeds n bytes through chan_decoder_feed in random chunks (max_chunk 1: push). */
static void feed(const uint8_t *p, size_t n, size_t max_chunk)
{
	struct chan_frame f;

	while (n > 0) {
		size_t chunk = 1 + rng() % max_chunk, used;

		if (chunk > n)
			chunk = n;
		if (max_chunk == 1) {
			collect(chan_decoder_push(&dec, *p, &f), &f);
			used = 1;
		} else {
			collect(chan_decoder_feed(&dec, p, chunk, &used, &f), &f);
		}
		p += used;
		n -= used;
	}
}

static void reset(void)
{
	chan_decoder_init(&dec);
	memset(&got, 0, sizeof(got));
}

static uint32_t error_count(const struct chan_stats *s)
{
	return s->crc_errors + s->cobs_errors + s->oversize + s->bad_channel + s->truncated;
}

/* Builds a frame by hand, so tests can send what chan_frame_encode refuses. */
static size_t raw_frame(uint8_t *out, size_t cap, uint8_t channel, uint8_t flags,
			uint16_t seq, const uint8_t *p, size_t len)
{
	static uint8_t body[CHAN_BODY_MAX + 256];
	uint32_t crc;
	size_t n;

	body[0] = channel;
	body[1] = flags;
	body[2] = (uint8_t)seq;
	body[3] = (uint8_t)(seq >> 8);
	memcpy(body + 4, p, len);
	crc = chan_crc32c(0, body, 4 + len);
	for (int i = 0; i < 4; i++)
		body[4 + len + i] = (uint8_t)(crc >> (8 * i));
	out[0] = 0;
	n = chan_cobs_encode(out + 1, cap - 2, body, len + 8);
	out[n + 1] = 0;
	return n + 2;
}

static bool test_crc32c(void)
{
	const char *s = "123456789";
	uint32_t split = chan_crc32c(chan_crc32c(0, s, 4), s + 4, 5);

	if (chan_crc32c(0, s, 9) != 0xe3069283u)
		FAIL("crc32c(\"123456789\") = %#x", chan_crc32c(0, s, 9));
	if (split != 0xe3069283u)
		FAIL("chained crc32c = %#x", split);
	if (chan_crc32c(0, NULL, 0) != 0)
		FAIL("crc32c of nothing is not 0");
	return true;
}

static bool test_cobs(void)
{
	static uint8_t in[2048], enc[2100], dec_buf[2048];
	static const size_t sizes[] = { 0, 1, 253, 254, 255, 256, 508, 509, 2047 };
	static const uint8_t overrun[] = { 5, 1, 2 }, zero_inside[] = { 3, 0, 1 },
			     block_of_two[] = { 3, 1, 2 };
	size_t d;

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (int pat = 0; pat < PAT_COUNT; pat++) {
			size_t n = sizes[s], e;

			fill(in, n, (enum pattern)pat);
			e = chan_cobs_encode(enc, sizeof(enc), in, n);
			if (e == 0 || e > CHAN_COBS_MAX(n) || memchr(enc, 0, e))
				FAIL("encode n=%zu pattern %d: size %zu", n, pat, e);
			if (chan_cobs_decode(dec_buf, sizeof(dec_buf), enc, e, &d) != 0 ||
			    d != n || memcmp(in, dec_buf, n) != 0)
				FAIL("decode n=%zu pattern %d: size %zu", n, pat, d);
			if (n > 0 && chan_cobs_encode(enc, e - 1, in, n) != 0)
				FAIL("encode n=%zu into %zu bytes did not fail", n, e - 1);
		}
	}
	fill(in, 254, PAT_FF);
	if (chan_cobs_encode(enc, sizeof(enc), in, 254) != 255)
		FAIL("254 non-zero bytes are not one full block");
	if (chan_cobs_decode(dec_buf, sizeof(dec_buf), overrun, 3, &d) != CHAN_COBS_OVERRUN ||
	    chan_cobs_decode(dec_buf, sizeof(dec_buf), zero_inside, 3, &d) != CHAN_COBS_OVERRUN)
		FAIL("malformed COBS accepted");
	if (chan_cobs_decode(dec_buf, 1, block_of_two, 3, &d) != CHAN_COBS_NOSPACE)
		FAIL("decode past cap accepted");
	return true;
}

static const size_t round_trip_sizes[] = {
	0, 1, 2, 245, 246, 247, 253, 254, 255, 256, 500, 501, 502, 1000, 4095, 4096,
	CHAN_PAYLOAD_MAX - 1, CHAN_PAYLOAD_MAX,
};
#define N_SIZES (sizeof(round_trip_sizes) / sizeof(round_trip_sizes[0]))

static bool check_last(uint8_t channel, uint16_t seq, size_t len)
{
	if (got.last.channel != channel || got.last.seq != seq || got.last.len != len ||
	    got.last.flags != 0 || memcmp(got.last.payload, payload, len) != 0)
		FAIL("got channel %u seq %u len %zu, want %u %u %zu", got.last.channel,
		     got.last.seq, got.last.len, channel, seq, len);
	return true;
}

/* Every size and pattern on every channel, pushed one byte at a time. */
static bool test_round_trip(void)
{
	uint16_t seq = 0xfff0; /* crosses the wrap */

	reset();
	for (size_t s = 0; s < N_SIZES + 40; s++) {
		size_t len = s < N_SIZES ? round_trip_sizes[s] : rng() % (CHAN_PAYLOAD_MAX + 1);

		for (int pat = 0; pat < PAT_COUNT; pat++) {
			for (uint8_t ch = 0; ch < CHAN_COUNT; ch++, seq++) {
				size_t n, frames = got.frames;

				fill(payload, len, (enum pattern)pat);
				n = chan_frame_encode(wire, sizeof(wire), ch, seq, payload, len);
				if (n == 0 || n > CHAN_ENCODED_MAX(len) || wire[0] || wire[n - 1] ||
				    memchr(wire + 1, 0, n - 2))
					FAIL("encode len %zu pattern %d: %zu bytes", len, pat, n);
				feed(wire, n, 1);
				if (got.frames != frames + 1)
					FAIL("len %zu pattern %d channel %u: no frame", len, pat, ch);
				if (!check_last(ch, seq, len))
					return false;
			}
		}
	}
	if (error_count(&dec.stats) != 0 || got.rejected_len || got.text_len)
		FAIL("errors counted on clean input");
	return true;
}

static bool test_encode_limits(void)
{
	size_t n;

	fill(payload, CHAN_PAYLOAD_MAX + 1, PAT_RANDOM);
	n = chan_frame_encode(wire, sizeof(wire), CHAN_GDB, 1, payload, 100);
	if (n == 0 || chan_frame_encode(wire, n - 1, CHAN_GDB, 1, payload, 100) != 0)
		FAIL("frame of %zu bytes fits %zu", n, n - 1);
	if (chan_frame_encode(wire, n, CHAN_GDB, 1, payload, 100) != n)
		FAIL("frame does not fit its own size %zu", n);
	if (chan_frame_encode(wire, sizeof(wire), CHAN_COUNT, 1, payload, 1) != 0 ||
	    chan_frame_encode(wire, sizeof(wire), CHAN_GDB, 1, payload, CHAN_PAYLOAD_MAX + 1) != 0 ||
	    chan_frame_encode(wire, sizeof(wire), CHAN_GDB, 1, NULL, 1) != 0 ||
	    chan_frame_encode(NULL, 100, CHAN_GDB, 1, payload, 1) != 0 ||
	    chan_frame_encode(wire, 2, CHAN_GDB, 1, NULL, 0) != 0)
		FAIL("invalid arguments accepted");
	return true;
}

/* A stream of frames split at random boundaries arrives whole and in order. */
static bool test_split_feed(void)
{
	size_t total = 0, lens[64];

	reset();
	for (int i = 0; i < 64; i++) {
		lens[i] = rng() % 600;
		fill(payload, lens[i], (enum pattern)(i % PAT_COUNT));
		total += chan_frame_encode(wire + total, sizeof(wire) - total, (uint8_t)(i % CHAN_COUNT),
					   (uint16_t)i, payload, lens[i]);
	}
	for (size_t chunk = 2; chunk < 5000; chunk *= 3) {
		size_t frames = got.frames;

		feed(wire, total, chunk);
		if (got.frames != frames + 64 || got.last.seq != 63 || got.last.len != lens[63])
			FAIL("chunks of <= %zu: %zu frames", chunk, got.frames - frames);
	}
	return error_count(&dec.stats) == 0;
}

/* Sends a frame damaged by damage(), then a good one; only the good one may arrive. */
static bool damaged_then_good(size_t (*damage)(uint8_t *w, size_t n), const char *what)
{
	for (int trial = 0; trial < 2000; trial++) {
		size_t len = rng() % 300, n, frames = got.frames;
		uint32_t errors = error_count(&dec.stats);

		fill(payload, len, (enum pattern)(trial % PAT_COUNT));
		n = chan_frame_encode(wire, sizeof(wire), CHAN_CONSOLE, 7, payload, len);
		n = damage(wire, n);
		feed(wire, n, 1 + trial % 8);
		if (got.frames != frames)
			FAIL("%s frame delivered (trial %d, len %zu)", what, trial, len);
		n = chan_frame_encode(wire, sizeof(wire), CHAN_GDB, 8, payload, len);
		feed(wire, n, 1 + trial % 8);
		if (got.frames != frames + 1 || !check_last(CHAN_GDB, 8, len))
			FAIL("good frame after %s one lost (trial %d)", what, trial);
		if (error_count(&dec.stats) == errors)
			FAIL("%s frame not counted (trial %d, len %zu)", what, trial, len);
	}
	return true;
}

static size_t flip_bit(uint8_t *w, size_t n)
{
	w[1 + rng() % (n - 2)] ^= (uint8_t)(1u << rng() % 8);
	return n;
}

/* Cuts the tail; the closing 0x00 still comes from the next frame. */
static size_t truncate_tail(uint8_t *w, size_t n)
{
	(void)w;
	return 2 + rng() % (n - 3);
}


static bool test_truncated(void)
{
	const uint8_t short_runs[] = { 0, 1, 0, 2, 1, 0, 5, 1, 2, 3, 4, 0 };

	reset();
	feed(short_runs, sizeof(short_runs), 1);
	if (dec.stats.truncated != 3 || got.frames != 0)
		FAIL("short bodies: truncated %u", dec.stats.truncated);
	return damaged_then_good(truncate_tail, "truncated");
}

/* Random garbage (zeros included) before and between good frames. */
static bool test_resync(void)
{
	reset();
	for (int i = 0; i < 500; i++) {
		size_t junk = rng() % 5000, len = rng() % 200, n, frames = got.frames;

		fill(wire, junk, i % 2 ? PAT_RANDOM : PAT_NONZERO_RUNS);
		feed(wire, junk, 1 + rng() % 64);
		fill(payload, len, PAT_RANDOM);
		n = chan_frame_encode(wire, sizeof(wire), CHAN_TRACE, (uint16_t)i, payload, len);
		feed(wire, n, 1 + rng() % 64);
		if (got.frames != frames + 1 || !check_last(CHAN_TRACE, (uint16_t)i, len))
			FAIL("frame %d after %zu bytes of garbage lost", i, junk);
	}
	return true;
}

/*
 * A lone 0x00 is the GDB mailbox's knock and doorbell (mailbox.h): between
 * frames, any number of them, it decodes as nothing, counts nothing, and
 * the frames around it arrive.
 */
static bool test_lone_delimiters(void)
{
	static const uint8_t bell = 0;
	size_t n;

	reset();
	for (int i = 0; i < 100; i++) {
		size_t len = rng() % 64;

		fill(payload, len, PAT_RANDOM);
		n = chan_frame_encode(wire, sizeof(wire), CHAN_GDB, (uint16_t)i, payload, len);
		feed(wire, n, 1 + rng() % 16);
		for (int bells = i % 4; bells > 0; bells--)
			feed(&bell, 1, 1);
		if (got.frames != (size_t)i + 1 || !check_last(CHAN_GDB, (uint16_t)i, len))
			FAIL("frame %d lost among lone delimiters", i);
	}
	if (got.text_len || got.rejected_len || error_count(&dec.stats))
		FAIL("lone delimiters made %zu text, %zu rejected bytes, %u errors", got.text_len,
		     got.rejected_len, error_count(&dec.stats));
	return true;
}

/*
 * Text before the first 0x00 comes back as TEXT, a rejected run comes back
 * byte for byte, and expect_text() returns to text after a frame.
 */
static bool test_text_mode(void)
{
	const char *boot = "booting uniscope\r\n", *late = "panic: no channel\n";
	static const uint8_t noise[] = { 0, 'h', 'i', 0 };
	size_t n;

	for (size_t chunk = 1; chunk <= 64; chunk += 63) {
		reset();
		feed((const uint8_t *)boot, strlen(boot), chunk);
		if (got.text_len != strlen(boot) || memcmp(got.text, boot, got.text_len) != 0)
			FAIL("boot text (chunks of %zu): %zu bytes", chunk, got.text_len);
		feed(noise, sizeof(noise), chunk);
		if (got.rejected_len != 2 || memcmp(got.rejected, "hi", 2) || dec.stats.frames_ok)
			FAIL("rejected run of 2 came back as %zu bytes", got.rejected_len);
		n = chan_frame_encode(wire, sizeof(wire), CHAN_CONTROL, 0,
				      (const uint8_t[]){ CHAN_CTL_TEXT_FALLBACK }, 1);
		feed(wire, n, chunk);
		if (got.frames != 1)
			FAIL("frame after text lost");
		chan_decoder_expect_text(&dec);
		got.text_len = 0;
		feed((const uint8_t *)late, strlen(late), chunk);
		if (got.text_len != strlen(late) || memcmp(got.text, late, got.text_len) != 0)
			FAIL("text after fallback: %zu bytes", got.text_len);
	}
	return true;
}

static bool test_oversize(void)
{
	size_t run = CHAN_RUN_MAX * 2 + 100, n;

	reset();
	wire[0] = 0;
	fill(wire + 1, run, PAT_RANDOM);
	for (size_t i = 1; i <= run; i++)
		wire[i] |= 1;
	wire[run + 1] = 0;
	feed(wire, run + 2, 1);
	if (dec.stats.oversize != 1 || got.rejected_len != run || got.frames != 0 ||
	    memcmp(got.rejected, wire + 1, run) != 0)
		FAIL("run of %zu: oversize %u, %zu bytes back", run, dec.stats.oversize, got.rejected_len);
	/* Valid COBS and CRC, one byte too long: rejected whether or not the run fits. */
	for (int pat = PAT_ZEROS; pat <= PAT_FF; pat++) {
		fill(payload, CHAN_PAYLOAD_MAX + 1, (enum pattern)pat);
		n = raw_frame(wire, sizeof(wire), CHAN_GDB, 0, 1, payload, CHAN_PAYLOAD_MAX + 1);
		feed(wire, n, 1);
		if (dec.stats.oversize != (uint32_t)pat + 1 || got.frames != 0)
			FAIL("oversize payload (pattern %d) accepted", pat);
	}
	n = chan_frame_encode(wire, sizeof(wire), CHAN_GDB, 2, payload, CHAN_PAYLOAD_MAX);
	feed(wire, n, 1);
	if (got.frames != 1)
		FAIL("largest frame after oversize ones lost");
	return check_last(CHAN_GDB, 2, CHAN_PAYLOAD_MAX);
}

static bool test_bad_channel_and_flags(void)
{
	size_t n;

	reset();
	fill(payload, 10, PAT_RANDOM);
	for (unsigned ch = CHAN_COUNT; ch <= 255; ch += 50) {
		n = raw_frame(wire, sizeof(wire), (uint8_t)ch, 0, 1, payload, 10);
		feed(wire, n, 1);
	}
	if (dec.stats.bad_channel != 6 || got.frames != 0)
		FAIL("bad channels: %u counted, %zu delivered", dec.stats.bad_channel, got.frames);
	n = raw_frame(wire, sizeof(wire), CHAN_TRACE, 0x5a, 9, payload, 10);
	feed(wire, n, 1);
	if (got.frames != 1 || got.last.flags != 0x5a || got.last.seq != 9)
		FAIL("flags not passed through");
	return true;
}

static bool ctl_equal(const struct chan_ctl_msg *a, const struct chan_ctl_msg *b)
{
	return a->type == b->type && a->version == b->version && a->flags == b->flags &&
	       a->caps == b->caps &&
	       a->build_id_len == b->build_id_len &&
	       memcmp(a->build_id, b->build_id, a->build_id_len) == 0 &&
	       memcmp(&a->stats, &b->stats, sizeof(a->stats)) == 0 &&
	       a->trace_mask == b->trace_mask && a->exit_status == b->exit_status &&
	       a->exit_how == b->exit_how;
}

/* Round trip, every shorter prefix rejected, trailing bytes tolerated. */
static bool ctl_round_trip(const struct chan_ctl_msg *m, size_t want_len)
{
	uint8_t buf[CHAN_CTL_MAX + 8];
	struct chan_ctl_msg back;
	size_t n = chan_ctl_encode(buf, sizeof(buf), m);

	if (n != want_len || n > CHAN_CTL_MAX)
		FAIL("type %u encodes to %zu bytes, want %zu", m->type, n, want_len);
	if (chan_ctl_encode(buf, n - 1, m) != 0)
		FAIL("type %u fits %zu bytes", m->type, n - 1);
	if (chan_ctl_parse(buf, n, &back) != 0 || !ctl_equal(m, &back))
		FAIL("type %u does not round trip", m->type);
	for (size_t short_len = 0; short_len < n; short_len++)
		if (chan_ctl_parse(buf, short_len, &back) == 0)
			FAIL("type %u parsed from %zu of %zu bytes", m->type, short_len, n);
	buf[n] = 0xee;
	if (chan_ctl_parse(buf, n + 1, &back) != 0 || !ctl_equal(m, &back))
		FAIL("type %u with a trailing byte rejected", m->type);
	return true;
}

static bool test_control(void)
{
	struct chan_ctl_msg msgs[] = {
		{ .type = CHAN_CTL_RELEASE },
		{ .type = CHAN_CTL_HELLO_ACK, .version = 1, .caps = CHAN_CAP_GDB | CHAN_CAP_TRACE |
		  CHAN_CAP_CONSOLE_IN, .build_id_len = CHAN_BUILD_ID_MAX },
		{ .type = CHAN_CTL_HELLO_ACK, .caps = CHAN_CAP_CONSOLE_IN },
		{ .type = CHAN_CTL_STATS, .stats = { 1, 2, 3, 4, 5, 0xffffffffu } },
		{ .type = CHAN_CTL_TRACE_ENABLE, .trace_mask = 0x8000000000000001ull },
		{ .type = CHAN_CTL_INTERRUPT },
		{ .type = CHAN_CTL_TEXT_FALLBACK },
		{ .type = CHAN_CTL_DEBUGGER_GONE },
	};
	const size_t lens[] = { 1, 7 + CHAN_BUILD_ID_MAX, 7, 25, 9, 1, 1, 1 };
	uint8_t buf[64] = { CHAN_CTL_HELLO_ACK, 1, 0, 0, 0, 0, CHAN_BUILD_ID_MAX + 1 };
	struct chan_ctl_msg m;

	fill(msgs[1].build_id, CHAN_BUILD_ID_MAX, PAT_RANDOM);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		if (!ctl_round_trip(&msgs[i], lens[i]))
			return false;
	if (chan_ctl_parse(buf, sizeof(buf), &m) == 0)
		FAIL("build id of %d bytes accepted", CHAN_BUILD_ID_MAX + 1);
	buf[6] = 3;
	if (chan_ctl_parse(buf, 9, &m) == 0)
		FAIL("build id longer than the payload accepted");
	msgs[1].build_id_len = CHAN_BUILD_ID_MAX + 1;
	if (chan_ctl_encode(buf, sizeof(buf), &msgs[1]) != 0)
		FAIL("build id of %d bytes encoded", CHAN_BUILD_ID_MAX + 1);
	m = (struct chan_ctl_msg){ .type = 0 };
	buf[0] = 0;
	if (chan_ctl_parse(buf, 8, &m) == 0 || chan_ctl_parse(NULL, 0, &m) == 0 ||
	    chan_ctl_encode(buf, sizeof(buf), &m) != 0)
		FAIL("unknown or empty control message accepted");
	buf[0] = CHAN_CTL_DEBUGGER_GONE + 1;
	return chan_ctl_parse(buf, 8, &m) != 0;
}

/*
 * HELLO grew a flags word: a new HELLO round trips, an old host's 2-byte
 * HELLO (and one cut inside the flags) parses with flags 0, only a HELLO
 * without its version is short.
 */
static bool test_hello_flags(void)
{
	struct chan_ctl_msg m = { .type = CHAN_CTL_HELLO, .version = CHAN_PROTOCOL_VERSION,
				  .flags = CHAN_HELLO_HOLD_ON_CRASH | 0x80000000u };
	struct chan_ctl_msg back;
	uint8_t buf[CHAN_CTL_MAX + 8];
	size_t n = chan_ctl_encode(buf, sizeof(buf), &m);

	if (n != 6 || chan_ctl_encode(buf, 5, &m) != 0)
		FAIL("HELLO encodes to %zu bytes, want 6", n);
	buf[6] = 0xee;
	if (chan_ctl_parse(buf, 6, &back) != 0 || !ctl_equal(&m, &back) ||
	    chan_ctl_parse(buf, 7, &back) != 0 || !ctl_equal(&m, &back))
		FAIL("HELLO with flags does not round trip");
	for (size_t len = 2; len < 6; len++)
		if (chan_ctl_parse(buf, len, &back) != 0 || back.flags != 0 || back.version != m.version)
			FAIL("a %zu-byte HELLO is not read as an old host's", len);
	if (chan_ctl_parse(buf, 1, &back) == 0)
		FAIL("HELLO without a version accepted");
	return true;
}

/*
 * EXIT grew a byte saying how the guest ended: it round trips; an old
 * guest's 5-byte EXIT parses with UNSAID; a value from the future reads as
 * UNSAID; an EXIT cut inside its status is short.
 */
static bool test_exit_how(void)
{
	struct chan_ctl_msg m = { .type = CHAN_CTL_EXIT, .exit_status = INT32_MIN,
				  .exit_how = CHAN_EXIT_FAULT };
	struct chan_ctl_msg back;
	uint8_t buf[CHAN_CTL_MAX + 8];
	size_t n = chan_ctl_encode(buf, sizeof(buf), &m);

	if (n != 6 || chan_ctl_encode(buf, 5, &m) != 0)
		FAIL("EXIT encodes to %zu bytes, want 6", n);
	buf[6] = 0xee;
	if (chan_ctl_parse(buf, 6, &back) != 0 || !ctl_equal(&m, &back) ||
	    chan_ctl_parse(buf, 7, &back) != 0 || !ctl_equal(&m, &back))
		FAIL("EXIT with how does not round trip");
	if (chan_ctl_parse(buf, 5, &back) != 0 || back.exit_status != INT32_MIN ||
	    back.exit_how != CHAN_EXIT_UNSAID)
		FAIL("a 5-byte EXIT is not read as an old guest's");
	for (size_t len = 0; len < 5; len++)
		if (chan_ctl_parse(buf, len, &back) == 0)
			FAIL("EXIT parsed from %zu bytes", len);
	buf[5] = CHAN_EXIT_STACK_OVERFLOW + 1;
	if (chan_ctl_parse(buf, 6, &back) != 0 || back.exit_how != CHAN_EXIT_UNSAID)
		FAIL("an unknown way of ending is not read as UNSAID");
	return true;
}

int main(void)
{
	ok(test_crc32c(), "crc32c known answer and chaining");
	ok(test_cobs(), "cobs round trips, canonical size, malformed input");
	ok(test_round_trip(), "frames round trip: every size, pattern and channel, byte at a time");
	ok(test_encode_limits(), "encoder refuses what does not fit or is invalid");
	ok(test_split_feed(), "frames split across arbitrary feed boundaries");
	ok(test_truncated(), "truncated frames dropped and counted, next frame decodes");
	reset();
	ok(damaged_then_good(flip_bit, "bit-flipped"), "bit-flipped frames dropped and counted, next frame decodes");
	ok(test_resync(), "garbage before and between frames, resynchronisation");
	ok(test_lone_delimiters(), "a lone delimiter (the mailbox's knock and doorbell) decodes as nothing");
	ok(test_exit_how(), "EXIT says how the guest ended; an old guest's EXIT still parses");
	ok(test_text_mode(), "text before framing, rejected runs handed back, text fallback");
	ok(test_oversize(), "oversize runs and payloads dropped and counted");
	ok(test_bad_channel_and_flags(), "bad channel ids dropped and counted, flags passed");
	ok(test_control(), "control messages: round trip, short payloads, bad build id");
	ok(test_hello_flags(), "HELLO flags: round trip, old 2-byte HELLO reads as flags 0");
	return done_testing();
}
