/*
 * Unit tests of the trace ring (tracer/ring.c), compiled in here with a
 * hook between every step of its protocol so that a simulated interrupt
 * can write records of its own in the middle of another record: at every
 * step, nested one and two deep, on an empty and on a wrapping ring. Also
 * wrap-around, overwrite and discard accounting, the drain and its chunk
 * counters, and the trace point macro on the host.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static void ring_hook(const char *where);
#define TRACE_RING_HOOK(where) ring_hook(where)
#include "../../libos/api/uniscope/trace_point.h"
#include "../../tracer/ring.c"
#include "../../tracer/tracer.h"

#define RING_SIZE 4096u
#define TEST_EVENT 40

static union {
	struct uniscope_trace_ring ring;
	uint8_t storage[sizeof(struct uniscope_trace_ring) + 65536 + UNISCOPE_TRACE_RECORD_MAX];
} u;
static struct uniscope_trace_ring *const r = &u.ring;
static uint64_t next_seq;

/* ---- the simulated interrupt ------------------------------------------------ */

struct irq_sim {
	int countdown;     /* hook calls until the interrupt fires; < 0 never */
	int depth, max_depth;
	unsigned fired;
	unsigned slots;    /* payload slots of the interrupt's records */
};
static struct irq_sim irq = { .countdown = -1 };

static bool emit_seq(unsigned slots)
{
	uint64_t word = UNISCOPE_TRACE_WORD(TEST_EVENT, 16 + 8 * slots, 7), seq = next_seq++;
	uint64_t v[3] = { seq, seq * 3, seq * 5 };

	switch (slots) {
	case 0: return trace_ring_emit0(r, seq, word);
	case 1: return trace_ring_emit1(r, seq, word, v[0]);
	case 2: return trace_ring_emit2(r, seq, word, v[0], v[1]);
	case 3: return trace_ring_emit3(r, seq, word, v[0], v[1], v[2]);
	default: {
		uint64_t big[UNISCOPE_TRACE_SLOTS_MAX] = { seq };
		return trace_ring_emit_slots(r, seq, word, big);
	}
	}
}

static unsigned make_room_steps;

static void ring_hook(const char *where)
{
	make_room_steps += strcmp(where, "make_room") == 0;
	if (irq.countdown < 0 || irq.countdown-- > 0 || irq.depth >= irq.max_depth)
		return;
	irq.depth++;
	irq.fired++;
	/* An interrupt inside the interrupt, at its first step. */
	irq.countdown = irq.depth < irq.max_depth ? 0 : -1;
	emit_seq(irq.slots);
	irq.depth--;
	irq.countdown = -1;
}

/* ---- checking a ring ------------------------------------------------------------ */

struct walk {
	uint64_t records, first_seq, last_seq;
	bool ordered, intact;
};

/* Walks [tail, commit): every record well formed, tsc = seq, payload consistent. */
static struct walk walk_ring(void)
{
	struct walk w = { .ordered = true, .intact = true };
	uint64_t pos = r->tail;

	while (pos < r->commit && w.intact) {
		struct uniscope_trace_record *rec = record_at(r, pos);
		if (!valid_size(rec->size) || rec->event != TEST_EVENT || rec->tid != 7 ||
		    (rec->size > 16 && rec->slots[0] != rec->tsc) ||
		    (rec->size > 24 && rec->size < 48 && rec->slots[1] != rec->tsc * 3)) {
			w.intact = false;
			break;
		}
		if (w.records++ == 0)
			w.first_seq = rec->tsc;
		else
			w.ordered &= rec->tsc > w.last_seq;
		w.last_seq = rec->tsc;
		pos += rec->size;
	}
	w.intact &= pos == r->commit;
	return w;
}

static bool invariants(void)
{
	return r->tail <= r->commit && r->commit <= r->head && r->head - r->tail <= r->size;
}

static void reset(uint64_t size, enum uniscope_trace_mode mode)
{
	trace_ring_init(r, 0, size, mode);
	next_seq = 1;
	irq = (struct irq_sim){ .countdown = -1 };
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_basic(void)
{
	struct walk w;

	reset(RING_SIZE, UNISCOPE_TRACE_OVERWRITE);
	is_int(r->magic, UNISCOPE_TRACE_RING_MAGIC, "init sets the magic");
	is_int(r->data, (uintptr_t)r->bytes, "init records the data address");
	for (unsigned slots = 0; slots <= 4; slots++)
		ok(emit_seq(slots), "emit with %u slots", slots);
	w = walk_ring();
	ok(w.intact && w.ordered && w.records == 5, "five records, intact and in order");
	is_int(r->head, 16 + 24 + 32 + 40 + 48, "head counts bytes");
	ok(r->commit == r->head && r->tail == 0, "everything committed, nothing dropped");
	ok(!trace_ring_emit_slots(r, 1, UNISCOPE_TRACE_WORD(TEST_EVENT, 20, 0), (uint64_t[3]){ 0 }) &&
	   r->lost == 1, "a record size that is not a multiple of 8 is refused and counted");
	ok(!trace_ring_emit_slots(r, 1, UNISCOPE_TRACE_WORD(TEST_EVENT, 4096, 0), (uint64_t[3]){ 0 }) &&
	   r->lost == 2, "an oversized record is refused and counted");
}

static void test_overwrite_wrap(void)
{
	uint64_t total = 5000, ok_inv = 1;
	struct walk w;

	reset(RING_SIZE, UNISCOPE_TRACE_OVERWRITE);
	for (uint64_t i = 0; i < total; i++) {
		emit_seq((unsigned)(i * 7 % 5)); /* mixed sizes, so records straddle the end */
		ok_inv &= invariants();
	}
	w = walk_ring();
	ok(ok_inv, "tail <= commit <= head and head - tail <= size after every emit");
	ok(w.intact && w.ordered, "after many wraps the kept records are intact and in order");
	is_int(w.last_seq, total, "the newest record is the last one written");
	is_int(w.records + r->overwritten, total, "kept + overwritten = written, exactly");
	is_int(w.first_seq, r->overwritten + 1, "the oldest kept is the first not overwritten");
	ok(r->head - r->tail > r->size - r->size / 16 - UNISCOPE_TRACE_RECORD_MAX, "the ring stays nearly full");
	is_int(r->lost, 0, "overwrite mode loses nothing");
}

static void test_discard(void)
{
	struct walk w;
	uint8_t out[1 << 16];
	size_t n;

	reset(RING_SIZE, UNISCOPE_TRACE_DISCARD);
	for (int i = 0; i < 1000; i++)
		emit_seq(2);
	w = walk_ring();
	is_int(w.records, RING_SIZE / 32, "discard mode keeps a full ring");
	is_int(w.first_seq, 1, "discard mode keeps the oldest");
	is_int(r->lost, 1000 - RING_SIZE / 32, "and counts every dropped event");
	is_int(r->overwritten, 0, "discard mode overwrites nothing");
	n = trace_ring_drain(r, out, sizeof(out), 99);
	is_int(n, UNISCOPE_TRACE_CHUNK_SIZE + RING_SIZE, "the drain takes the whole ring");
	ok(r->tail == r->head, "in discard mode the drain frees the space");
	ok(emit_seq(2), "and writers can record again");
}

/* Parses a drain output: the chunk, then records; returns records seen. */
static uint64_t parse_chunk(const uint8_t *out, size_t n, struct uniscope_trace_chunk *c)
{
	struct uniscope_trace_record h;
	uint64_t records = 0;

	memcpy(&h, out, sizeof(h));
	if (n < UNISCOPE_TRACE_CHUNK_SIZE || h.event != UNISCOPE_TRACE_ID_CHUNK)
		return UINT64_MAX;
	memcpy(c, out + 16, sizeof(*c));
	for (size_t off = UNISCOPE_TRACE_CHUNK_SIZE; off < n; off += h.size, records++) {
		memcpy(&h, out + off, sizeof(h));
		if (!valid_size(h.size) || h.event != TEST_EVENT)
			return UINT64_MAX;
	}
	return records;
}

static void test_drain_accounting(void)
{
	uint8_t out[1 << 16];
	struct uniscope_trace_chunk c;
	uint64_t kept;
	size_t n;

	reset(RING_SIZE, UNISCOPE_TRACE_OVERWRITE);
	for (int i = 0; i < 100; i++)
		emit_seq(2);
	n = trace_ring_drain(r, out, sizeof(out), 1);
	is_int(parse_chunk(out, n, &c), 100, "the first drain hands out all 100 records");
	ok(c.seq == 0 && c.events_before == 0 && c.records == 100 && c.overwritten == 0,
	   "its chunk: seq 0, nothing before, nothing lost");
	is_int(trace_ring_drain(r, out, sizeof(out), 2), 0, "nothing new: the drain returns 0");
	for (int i = 0; i < 200; i++)
		emit_seq(2);
	kept = walk_ring().records;
	ok(kept >= RING_SIZE / 32 * 15 / 16 - 1, "a wrapped ring stays nearly full (%llu records)",
	   (unsigned long long)kept);
	is_int(r->overwritten, 200 - kept, "only undrained records count as overwritten");
	n = trace_ring_drain(r, out, sizeof(out), 3);
	is_int(parse_chunk(out, n, &c), kept, "the second drain hands out the ring");
	ok(c.seq == 1 && c.events_before == 100 && c.overwritten == 200 - kept,
	   "its chunk carries the exact loss");
	is_int(100 + c.records + c.overwritten, 300, "drained + overwritten = written");

	reset(RING_SIZE, UNISCOPE_TRACE_OVERWRITE);
	for (int i = 0; i < 10; i++)
		emit_seq(2);
	is_int(trace_ring_drain(r, out, UNISCOPE_TRACE_CHUNK_SIZE - 1, 1), 0,
	       "a buffer smaller than a chunk gets nothing");
	n = trace_ring_drain(r, out, UNISCOPE_TRACE_CHUNK_SIZE + 40, 1);
	ok(parse_chunk(out, n, &c) == 1 && c.events_before == 0,
	   "a small buffer gets whole records only");
	n = trace_ring_drain(r, out, sizeof(out), 1);
	ok(parse_chunk(out, n, &c) == 9 && c.events_before == 1, "and the next drain the rest");
}

/* Every step of one emit, interrupted by a writer nested depth deep. */
static void nest_at_every_step(unsigned depth, bool wrapping, unsigned outer, unsigned inner)
{
	bool all_ok = true;
	unsigned steps = 0;

	for (int at = 0; at < 12; at++) {
		reset(RING_SIZE, UNISCOPE_TRACE_OVERWRITE);
		for (unsigned i = 0; wrapping && i < 300; i++)
			emit_seq(i % 4);
		/* Up to the limit, so that the next record must overwrite. */
		while (wrapping && r->head + 16 <= r->limit)
			emit_seq(0);
		uint64_t before = next_seq;
		irq = (struct irq_sim){ .countdown = at, .max_depth = (int)depth, .slots = inner };
		emit_seq(outer);
		struct walk w = walk_ring();
		uint64_t written = next_seq - 1;
		steps += irq.fired > 0;
		if (!irq.fired)
			continue;
		all_ok &= invariants() && r->commit == r->head && w.intact;
		all_ok &= w.last_seq >= before && w.records + r->overwritten == written;
		if (!all_ok) {
			diag("nesting %u deep at step %d (wrapping %d): commit %llu head %llu records %llu",
			     depth, at, wrapping, (unsigned long long)r->commit,
			     (unsigned long long)r->head, (unsigned long long)w.records);
			break;
		}
	}
	ok(all_ok && steps >= 4, "interrupt writers %u deep at each of %u steps of a %u-slot record"
	   " (%s ring): all records intact, committed and counted", depth, steps, outer,
	   wrapping ? "wrapping" : "empty");
}

static void test_nesting(void)
{
	for (unsigned depth = 1; depth <= 2; depth++) {
		nest_at_every_step(depth, false, 2, 1);
		make_room_steps = 0;
		nest_at_every_step(depth, true, 2, 3);
		nest_at_every_step(depth, true, 4, 0);
		ok(make_room_steps > 0, "including while it overwrites the oldest records");
	}
}

/* reserve/commit by hand: a nested record stays invisible until the outer commits. */
static void test_reserve_commit(void)
{
	uint64_t start;
	struct uniscope_trace_record *outer;

	reset(RING_SIZE, UNISCOPE_TRACE_OVERWRITE);
	emit_seq(1);
	outer = trace_ring_reserve(r, 24, &start);
	ok(outer && start == 24, "reserve returns the record at the head");
	emit_seq(1); /* the "interrupt" */
	is_int(r->commit, 24, "a record nested in an uncommitted one is not visible yet");
	outer->tsc = next_seq++;
	memcpy(&outer->event, &(uint64_t){ UNISCOPE_TRACE_WORD(TEST_EVENT, 24, 7) }, 8);
	outer->slots[0] = outer->tsc;
	trace_ring_commit(r, start);
	ok(r->commit == r->head && r->commit == 72, "the outer commit publishes both");
	ok(walk_ring().intact, "and both are intact");
}

/* The tail cannot pass records still being written: the event is lost instead. */
static void test_nesting_deeper_than_ring(void)
{
	uint64_t start[40];
	unsigned n = 0;

	reset(RING_SIZE, UNISCOPE_TRACE_OVERWRITE);
	while (n < 40 && trace_ring_reserve(r, UNISCOPE_TRACE_RECORD_MAX, &start[n]))
		n++;
	ok(n < 40 && r->lost == 1, "reservations never overwrite uncommitted records (%u fit)", n);
	ok(invariants(), "and the ring stays consistent");
}

/* The macro, as the guest uses it, with a host stand-in for the glue. */
static void test_meta_records(void);
UNISCOPE_TRACE_POINT(host_test, UNISCOPE_TRACE_APP_ID(3), "a=%u b=%x", (u64, a), (hex, b))
UNISCOPE_TRACE_POINT(host_name, UNISCOPE_TRACE_APP_ID(4), "id=%u name=%s", (tid, id), (str, name))
UNISCOPE_TRACE_POINT(host_tick, UNISCOPE_TRACE_ID_TIMER, "rip=%x", (hex, rip))

struct uniscope_trace_info uniscope_trace;
static uint64_t glue_word, glue_values[UNISCOPE_TRACE_SLOTS_MAX];
static unsigned glue_calls;
void uniscope_trace_emit0(uint32_t w) { glue_word = w; glue_calls++; }
void uniscope_trace_emit1(uint32_t w, uint64_t a) { glue_word = w; glue_values[0] = a; glue_calls++; }
void uniscope_trace_emit2(uint32_t w, uint64_t a, uint64_t b)
{
	glue_word = w;
	glue_values[0] = a;
	glue_values[1] = b;
	glue_calls++;
}
void uniscope_trace_emit3(uint32_t w, uint64_t a, uint64_t b, uint64_t c) { (void)c; uniscope_trace_emit2(w, a, b); }
/* The evidence ring's: the same, counted apart. */
static unsigned glue_keeps;
void uniscope_trace_keep0(uint32_t w) { glue_keeps++; uniscope_trace_emit0(w); }
void uniscope_trace_keep1(uint32_t w, uint64_t a) { glue_keeps++; uniscope_trace_emit1(w, a); }
void uniscope_trace_keep2(uint32_t w, uint64_t a, uint64_t b) { glue_keeps++; uniscope_trace_emit2(w, a, b); }
void uniscope_trace_keep3(uint32_t w, uint64_t a, uint64_t b, uint64_t c) { glue_keeps++; uniscope_trace_emit3(w, a, b, c); }
void uniscope_trace_emit_fields(uint32_t w, const uint64_t *v, const uint8_t *slots, unsigned n)
{
	glue_word = w;
	glue_calls++;
	for (unsigned i = 0; i < n; i++)
		glue_values[i] = slots && slots[i] > 1 ? 1000u + slots[i] : v[i];
}

static void test_macro(void)
{
	trace_host_test(1, 2);
	is_int(glue_calls, 0, "a disabled trace point calls nothing");
	uniscope_trace.enabled = UNISCOPE_TRACE_BIT(UNISCOPE_TRACE_APP_ID(3));
	trace_host_test(5, 6);
	ok(glue_calls == 1 && glue_word == UNISCOPE_TRACE_WORD(35, 32, 0) && glue_values[0] == 5 &&
	   glue_values[1] == 6, "an enabled one passes id, size and values");
	trace_host_name(3, "x");
	is_int(glue_calls, 1, "enable bits are per event");
	uniscope_trace.enabled |= UNISCOPE_TRACE_BIT(UNISCOPE_TRACE_APP_ID(4));
	trace_host_name(3, "x");
	ok(glue_calls == 2 && glue_word == UNISCOPE_TRACE_WORD(36, 16 + 8 * 5, 0) &&
	   glue_values[0] == 3 && glue_values[1] == 1000 + UNISCOPE_TRACE_STR_SLOTS,
	   "a string field goes the general way with its slot count");
	test_meta_records();
	is_int(glue_keeps, 1, "an application event goes to the evidence ring");
	uniscope_trace.enabled |= UNISCOPE_TRACE_BIT(UNISCOPE_TRACE_ID_TIMER);
	trace_host_tick(0x1000);
	ok(glue_calls == 3 && glue_keeps == 1 && glue_values[0] == 0x1000,
	   "a timer tick goes to the main ring");
}

/* The records the macro wrote, read back as the host tools read a section. */
static void test_meta_records(void)
{
	static struct trace_meta m;
	struct trace_error err = { .msg = "" };
	const struct uniscope_trace_meta *a = &uniscope_trace_meta_host_test;
	const struct uniscope_trace_meta *b = &uniscope_trace_meta_host_name;
	uint8_t section[512] = { 0 };
	size_t b_at = (a->size + 3u + 4u) & ~3u; /* a word of zero padding between */

	ok(a->size == sizeof(*a) + sizeof("host_test\0a=%u b=%x\0a\0b\0") - 1 && a->event == 35 &&
	   a->nr_fields == 2 && a->types[1] == UNISCOPE_TRACE_HEX,
	   "a metadata record is its header and its text (%u bytes)", a->size);
	memcpy(section, a, a->size);
	memcpy(section + b_at, b, b->size);
	ok(trace_meta_parse(&m, section, b_at + b->size, &err) == 0 && m.nr_types == 2, "two records parse: %s",
	   err.msg);
	ok(strcmp(m.types[35].name, "host_test") == 0 && strcmp(m.types[35].format, "a=%u b=%x") == 0 &&
	   strcmp(m.types[35].fields[1].name, "b") == 0 && m.types[35].fields[1].type == UNISCOPE_TRACE_HEX,
	   "the metadata record describes the fields");
	ok(m.types[36].fields[1].slots == UNISCOPE_TRACE_STR_SLOTS && m.types[36].nr_slots == 1 + UNISCOPE_TRACE_STR_SLOTS,
	   "a string field takes its slots");
	ok(trace_meta_parse(&m, section, a->size - 1, &err) < 0 && strstr(err.msg, "bytes left"),
	   "a section cut inside a record is refused, not read past: %s", err.msg);
	section[sizeof(*a) + 2] = 0; /* "ho" ends the name: a field name runs out */
	ok(trace_meta_parse(&m, section, a->size, &err) < 0 && strstr(err.msg, "malformed"),
	   "a record whose strings run out is refused: %s", err.msg);
	memcpy(section, a, a->size);
	section[6] = 2; /* a version 2 record, 336 bytes */
	ok(trace_meta_parse(&m, section, a->size, &err) < 0 && strstr(err.msg, "version 2"),
	   "an older version is named: %s", err.msg);
}

int main(void)
{
	test_basic();
	test_overwrite_wrap();
	test_discard();
	test_drain_accounting();
	test_nesting();
	test_reserve_commit();
	test_nesting_deeper_than_ring();
	test_macro();
	return done_testing();
}
