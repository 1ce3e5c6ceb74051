/*
 * The trace ring: portable and freestanding, compiled into the libOS and
 * into the host tools (tests, the callgrind bench) alike. No globals, no
 * allocation; layouts are in include/uniscope/trace.h.
 *
 * One ring per CPU, and only that CPU writes it: threads, and interrupts
 * that may arrive at any instruction and write records of their own before
 * returning. A thread is never switched out mid-record (the guest defers
 * preemption meanwhile: trace_in_record() in libos/kern/trace.c). So
 * writers nest strictly (LIFO) and never run in parallel,
 * which is what makes the protocol below lock-free without disabling
 * interrupts (the approach of the Linux ftrace ring buffer):
 *
 *  reserve  A compare-and-swap moves head from h to h + size: an
 *           interrupt that reserved in between makes it fail and retry,
 *           so reservations never overlap. Whether the ring is full is
 *           decided inside the same loop. When full, overwrite mode first
 *           advances tail over the oldest records (each with its own CAS,
 *           since a nested writer may advance it too), discard mode drops
 *           the event. Only committed records are ever stepped over: an
 *           event whose room would eat into records still being written
 *           by interrupted writers is lost instead.
 *  write    The writer owns [h, h + size) and fills it at leisure.
 *  commit   commit trails head and only moves when no writer is in
 *           flight below it. A writer whose start equals commit has no
 *           interrupted writer beneath it (theirs would start lower and
 *           still hold commit back); every writer that nested inside it
 *           has finished, so it publishes everything up to head, and
 *           repeats if an interrupt reserved meanwhile. A writer whose
 *           start is above commit leaves the publishing to the writer it
 *           interrupted, which will see its record when it does.
 *
 * Counters are updated with single atomic read-modify-writes so nested
 * increments are never lost. Other CPUs and the host only read; commit is
 * stored with release order after the record, and tail before a record is
 * overwritten, so a reader that copies [tail, commit) and then finds tail
 * unchanged has an intact copy.
 *
 * The drain reads records not yet read and needs writers excluded (the
 * guest disables interrupts around it on the ring's own CPU).
 *
 * The fast path (room, no race) is inline in ring.h
 * so the guest's emit functions need no further call; the slow paths
 * (overwriting, a lost race, the drain) are here.
 *
 * TRACE_RING_HOOK(where) lets the unit test inject a nested writer between
 * any two steps of the protocol; it is empty in real builds.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ring.h"

#define load trace_ring_load
#define swap trace_ring_swap
#define record_at trace_ring_record_at

static inline void count(uint64_t *p) { __atomic_fetch_add(p, 1, __ATOMIC_RELAXED); }

void trace_ring_init(struct uniscope_trace_ring *r, uint32_t cpu, uint64_t size,
		     enum uniscope_trace_mode mode)
{
	memset(r, 0, sizeof(*r));
	r->cpu = (uint16_t)cpu;
	r->mode = mode;
	r->size = size;
	r->mask = size - 1;
	r->limit = size;
	r->data = (uint64_t)(uintptr_t)r->bytes;
	__atomic_store_n(&r->magic, UNISCOPE_TRACE_RING_MAGIC, __ATOMIC_RELEASE);
}

static inline bool valid_size(uint64_t size)
{
	return size >= UNISCOPE_TRACE_HEADER_SIZE && size <= UNISCOPE_TRACE_RECORD_MAX &&
	       size % 8 == 0;
}

/* Can the oldest records make room for a record ending at end? */
static bool may_overwrite(struct uniscope_trace_ring *r, uint64_t end)
{
	return r->mode == UNISCOPE_TRACE_OVERWRITE && end - r->size <= load(&r->commit);
}

/*
 * limit = tail + size. A nested writer may store a newer, higher limit that
 * we then lower again with our older tail: harmless, a low limit only sends
 * the next writer down the slow path, which looks at tail itself.
 */
static void raise_limit(struct uniscope_trace_ring *r, uint64_t tail)
{
	__atomic_store_n(&r->limit, tail + r->size, __ATOMIC_RELAXED);
}

/*
 * Where tail goes to free [.., want): over whole committed records from t,
 * at least to need; *unread gets how many of them the drain never read.
 */
static uint64_t next_tail(struct uniscope_trace_ring *r, uint64_t t, uint64_t need, uint64_t want,
			  uint64_t *unread)
{
	uint64_t commit = load(&r->commit), read_pos = load(&r->read_pos);

	*unread = 0;
	while (t < want && t < commit) {
		uint64_t size = record_at(r, t)->size;
		if (!valid_size(size) || t + size > commit)
			return commit; /* damaged: drop the rest, keep boundaries */
		*unread += t >= read_pos;
		t += size;
	}
	return t >= need ? t : commit;
}

/*
 * Advances tail over the oldest records so that [.., end) fits, and a
 * sixteenth of the ring beyond when it can: overwriting in batches keeps
 * the writers that follow on the fast path. One CAS per batch; a nested
 * writer that moved tail meanwhile makes us start over from its tail.
 */
static void make_room(struct uniscope_trace_ring *r, uint64_t end)
{
	uint64_t need = end - r->size, want = need + r->size / 16, t, next, unread;

	while ((t = load(&r->tail)) < need) {
		next = next_tail(r, t, need, want, &unread);
		TRACE_RING_HOOK("make_room");
		if (swap(&r->tail, &t, next))
			__atomic_fetch_add(&r->overwritten, unread, __ATOMIC_RELAXED);
	}
	raise_limit(r, load(&r->tail));
	/* Readers must see the new tail before the bytes change under them. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

/* The general case: a full ring, or an interrupt that reserved meanwhile. */
static struct uniscope_trace_record *reserve(struct uniscope_trace_ring *r, uint64_t size,
					     uint64_t *start)
{
	uint64_t h = load(&r->head), end;
	bool full;

	do {
		end = h + size;
		full = end - load(&r->tail) > r->size;
		if (!full && end > load(&r->limit))
			raise_limit(r, load(&r->tail)); /* discard mode: the drain made room */
		if (full && !may_overwrite(r, end)) {
			count(&r->lost);
			return NULL;
		}
		TRACE_RING_HOOK("reserve");
	} while (!swap(&r->head, &h, end));
	if (full)
		make_room(r, end);
	*start = h;
	return record_at(r, h);
}

struct uniscope_trace_record *trace_ring_reserve(struct uniscope_trace_ring *r, uint32_t size,
						 uint64_t *start)
{
	if (!valid_size(size)) {
		count(&r->lost);
		return NULL;
	}
	return reserve(r, size, start);
}

void trace_ring_commit(struct uniscope_trace_ring *r, uint64_t start)
{
	trace_ring_publish(r, start, start + record_at(r, start)->size);
}

/* The header in two stores: the word holds event, size and tid. */
static inline uint64_t *header(struct uniscope_trace_record *rec, uint64_t tsc, uint64_t word)
{
	rec->tsc = tsc;
	__builtin_memcpy(&rec->event, &word, sizeof(word));
	TRACE_RING_HOOK("write");
	return rec->slots;
}

bool trace_ring_emit_slots(struct uniscope_trace_ring *r, uint64_t tsc, uint64_t word,
			   const uint64_t *slots)
{
	uint64_t size = (uint16_t)(word >> 16), start;
	struct uniscope_trace_record *rec = trace_ring_reserve(r, (uint32_t)size, &start);

	if (!rec)
		return false;
	uint64_t *out = header(rec, tsc, word);
	for (unsigned i = 0; i < (size - UNISCOPE_TRACE_HEADER_SIZE) / 8; i++)
		out[i] = slots[i];
	trace_ring_publish(r, start, start + size);
	return true;
}

void trace_ring_publish_more(struct uniscope_trace_ring *r, uint64_t published)
{
	uint64_t h;

	while ((h = trace_ring_load(&r->head)) != published) {
		TRACE_RING_HOOK("publish");
		__atomic_store_n(&r->commit, h, __ATOMIC_RELEASE);
		published = h;
		TRACE_RING_HOOK("recheck");
	}
}

bool trace_ring_emit_slow(struct uniscope_trace_ring *r, uint64_t tsc, uint64_t word, uint64_t a,
			  uint64_t b, uint64_t c)
{
	const uint64_t slots[3] = { a, b, c };

	return trace_ring_emit_slots(r, tsc, word, slots);
}

/* The fixed-size emits: the inline fast path of ring.h, for tests and tools. */
bool trace_ring_emit0(struct uniscope_trace_ring *r, uint64_t tsc, uint64_t word)
{
	uint64_t lost = r->lost;

	trace_ring_write(r, tsc, (uint32_t)word, (uint32_t)(word >> 32), (uint64_t[1]){ 0 }, 0);
	return r->lost == lost;
}

bool trace_ring_emit1(struct uniscope_trace_ring *r, uint64_t tsc, uint64_t word, uint64_t a)
{
	uint64_t lost = r->lost;

	trace_ring_write(r, tsc, (uint32_t)word, (uint32_t)(word >> 32), (uint64_t[]){ a }, 1);
	return r->lost == lost;
}

bool trace_ring_emit2(struct uniscope_trace_ring *r, uint64_t tsc, uint64_t word, uint64_t a,
		      uint64_t b)
{
	uint64_t lost = r->lost;

	trace_ring_write(r, tsc, (uint32_t)word, (uint32_t)(word >> 32), (uint64_t[]){ a, b }, 2);
	return r->lost == lost;
}

bool trace_ring_emit3(struct uniscope_trace_ring *r, uint64_t tsc, uint64_t word, uint64_t a,
		      uint64_t b, uint64_t c)
{
	uint64_t lost = r->lost;

	trace_ring_write(r, tsc, (uint32_t)word, (uint32_t)(word >> 32), (uint64_t[]){ a, b, c }, 3);
	return r->lost == lost;
}

/* ---- the drain --------------------------------------------------------------- */

static void write_chunk(struct uniscope_trace_ring *r, uint8_t *out, uint64_t tsc,
			uint64_t records)
{
	struct uniscope_trace_chunk c = {
		.cpu = r->cpu,
		.ring = r->kind,
		.mode = r->mode,
		.seq = r->chunks,
		.events_before = r->drained,
		.lost = load(&r->lost),
		.overwritten = load(&r->overwritten),
		.records = records,
	};
	uint64_t word = UNISCOPE_TRACE_WORD(UNISCOPE_TRACE_ID_CHUNK, UNISCOPE_TRACE_CHUNK_SIZE, 0);

	memcpy(out, &tsc, 8);
	memcpy(out + 8, &word, 8);
	memcpy(out + UNISCOPE_TRACE_HEADER_SIZE, &c, sizeof(c));
	r->drained_lost = c.lost;
	r->drained_overwritten = c.overwritten;
}

/* Copies whole records from *pos while they fit; returns how many. */
static uint64_t copy_records(struct uniscope_trace_ring *r, uint64_t *pos, uint64_t end,
			     uint8_t *out, size_t cap, size_t *used)
{
	uint64_t n = 0;

	while (*pos < end) {
		struct uniscope_trace_record *rec = record_at(r, *pos);
		uint64_t size = rec->size;

		if (!valid_size(size) || *pos + size > end) {
			*pos = end; /* damaged: skip what cannot be trusted */
			break;
		}
		if (*used + size > cap)
			break;
		memcpy(out + *used, rec, size);
		*used += size;
		*pos += size;
		n++;
	}
	return n;
}

size_t trace_ring_drain(struct uniscope_trace_ring *r, uint8_t *out, size_t cap, uint64_t tsc)
{
	uint64_t tail = load(&r->tail), end = load(&r->commit);
	uint64_t pos = r->read_pos > tail ? r->read_pos : tail, records;
	size_t used = UNISCOPE_TRACE_CHUNK_SIZE;
	bool news = load(&r->lost) != r->drained_lost || load(&r->overwritten) != r->drained_overwritten;

	if (cap < UNISCOPE_TRACE_CHUNK_SIZE || (pos >= end && !news))
		return 0;
	records = copy_records(r, &pos, end, out, cap, &used);
	if (records == 0 && !news)
		return 0;
	write_chunk(r, out, tsc, records);
	r->read_pos = pos;
	r->drained += records;
	r->chunks++;
	if (r->mode == UNISCOPE_TRACE_DISCARD)
		__atomic_store_n(&r->tail, pos, __ATOMIC_RELEASE);
	return used;
}
