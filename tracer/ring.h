/*
 * The portable trace ring (ring.c): no allocation, no globals, compiled
 * for the guest and the host. Its API, and its fast path inline so that
 * each emit function of the guest (libos/kern/trace_emit.h) is one
 * frameless function from trace point to ring. The protocol and everything
 * off the fast path are in ring.c, which uses these same functions; see it
 * for why this is safe against interrupts that write records while a
 * record is half done. The layouts are the contract in
 * include/uniscope/trace.h.
 */
#ifndef UNISCOPE_TRACER_RING_H
#define UNISCOPE_TRACER_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uniscope/trace.h>

/* Sets up a ring of size bytes (a power of two >= RING_MIN) in front of its data. */
void trace_ring_init(struct uniscope_trace_ring *r, uint32_t cpu, uint64_t size,
		     enum uniscope_trace_mode mode);

/*
 * Append one record: header word UNISCOPE_TRACE_WORD(event, size, tid),
 * whose size must be 16 + 8 * the slots given (emit_slots checks it). Safe
 * against writers in interrupts nesting inside it on the same CPU. Returns
 * false when the event was lost.
 */
bool trace_ring_emit0(struct uniscope_trace_ring *r, uint64_t tsc, uint64_t word);
bool trace_ring_emit1(struct uniscope_trace_ring *r, uint64_t tsc, uint64_t word, uint64_t a);
bool trace_ring_emit2(struct uniscope_trace_ring *r, uint64_t tsc, uint64_t word, uint64_t a,
		      uint64_t b);
bool trace_ring_emit3(struct uniscope_trace_ring *r, uint64_t tsc, uint64_t word, uint64_t a,
		      uint64_t b, uint64_t c);
bool trace_ring_emit_slots(struct uniscope_trace_ring *r, uint64_t tsc, uint64_t word,
			   const uint64_t *slots);
/* Off the fast path: nested writers added records while we published. */
void trace_ring_publish_more(struct uniscope_trace_ring *r, uint64_t published);
/* emit_slots for up to three slots passed by value. */
bool trace_ring_emit_slow(struct uniscope_trace_ring *r, uint64_t tsc, uint64_t word, uint64_t a,
			  uint64_t b, uint64_t c);

/*
 * The two halves of an emit, for writers that fill a record in place:
 * reserve returns the record (header unset) or NULL when the event is lost;
 * commit publishes it. Every reserve is followed by its commit.
 */
struct uniscope_trace_record *trace_ring_reserve(struct uniscope_trace_ring *r, uint32_t size,
						 uint64_t *start);
/* The record's header (its size) must be written before the commit. */
void trace_ring_commit(struct uniscope_trace_ring *r, uint64_t start);

/*
 * The drain: copies a CHUNK record and the complete records not yet read
 * into out (whole records only), marks them read, and returns the bytes
 * written; 0 when there is nothing new or cap is too small. The caller
 * excludes writers on this ring meanwhile (interrupts off on its CPU).
 */
size_t trace_ring_drain(struct uniscope_trace_ring *r, uint8_t *out, size_t cap, uint64_t tsc);
/* A drain buffer this big always makes progress. */
#define UNISCOPE_TRACE_DRAIN_MIN (UNISCOPE_TRACE_CHUNK_SIZE + UNISCOPE_TRACE_RECORD_MAX)

/* ---- the fast path ------------------------------------------------------------- */

/* -Os would otherwise leave these as calls: they are the whole fast path. */
#define TRACE_RING_INLINE static inline __attribute__((always_inline))

/* The unit test injects a nested writer here; empty otherwise. */
#ifndef TRACE_RING_HOOK
#define TRACE_RING_HOOK(where) do { } while (0)
#endif

TRACE_RING_INLINE uint64_t trace_ring_load(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

TRACE_RING_INLINE bool trace_ring_swap(uint64_t *p, uint64_t *expected, uint64_t desired)
{
	return __atomic_compare_exchange_n(p, expected, desired, false, __ATOMIC_RELAXED,
					   __ATOMIC_RELAXED);
}

TRACE_RING_INLINE struct uniscope_trace_record *trace_ring_record_at(struct uniscope_trace_ring *r,
								 uint64_t pos)
{
	return (struct uniscope_trace_record *)(r->bytes + (pos & r->mask));
}

/*
 * Room without overwriting, and no interrupt reserved in between: else
 * NULL. limit is tail + size as of some earlier moment: never more than
 * the real room, so the fast path needs no look at tail.
 */
TRACE_RING_INLINE struct uniscope_trace_record *trace_ring_reserve_fast(struct uniscope_trace_ring *r,
								    uint64_t size, uint64_t *start)
{
	uint64_t h = trace_ring_load(&r->head);

	if (__builtin_expect(h + size > trace_ring_load(&r->limit), 0))
		return NULL;
	TRACE_RING_HOOK("reserve");
	if (__builtin_expect(!trace_ring_swap(&r->head, &h, h + size), 0))
		return NULL;
	*start = h;
	return trace_ring_record_at(r, h);
}

/*
 * Publishes [start, end), unless a writer we interrupted is still below
 * start: it will publish us. False when nested writers added records after
 * ours meanwhile: the caller then publishes them (trace_ring_publish_more).
 */
TRACE_RING_INLINE bool trace_ring_publish_fast(struct uniscope_trace_ring *r, uint64_t start,
					       uint64_t end)
{
	TRACE_RING_HOOK("commit");
	if (trace_ring_load(&r->commit) != start)
		return true;
	TRACE_RING_HOOK("publish");
	__atomic_store_n(&r->commit, end, __ATOMIC_RELEASE);
	TRACE_RING_HOOK("recheck");
	return __builtin_expect(trace_ring_load(&r->head) == end, 1);
}

TRACE_RING_INLINE void trace_ring_publish(struct uniscope_trace_ring *r, uint64_t start, uint64_t end)
{
	if (!trace_ring_publish_fast(r, start, end))
		trace_ring_publish_more(r, end);
}

/*
 * A reserved record's contents but its timestamp: word is event | size << 16,
 * size 16 + 8 * n.
 */
TRACE_RING_INLINE void trace_ring_fill_body(struct uniscope_trace_record *rec, uint32_t word,
					    uint32_t tid, const uint64_t *values, unsigned n)
{
	__builtin_memcpy(&rec->event, &word, sizeof(word));
	rec->tid = tid;
	TRACE_RING_HOOK("write");
	for (unsigned i = 0; i < n; i++)
		rec->slots[i] = values[i];
}

/*
 * One record of n slots. The fast path inline; a full ring or an
 * interrupt that raced us goes to trace_ring_emit_slots().
 */
TRACE_RING_INLINE void trace_ring_write(struct uniscope_trace_ring *r, uint64_t tsc, uint32_t word,
					uint32_t tid, const uint64_t *values, unsigned n)
{
	uint64_t start;
	struct uniscope_trace_record *rec = trace_ring_reserve_fast(r, 16 + 8 * n, &start);

	if (__builtin_expect(!rec, 0)) {
		trace_ring_emit_slots(r, tsc, word | (uint64_t)tid << 32, values);
		return;
	}
	rec->tsc = tsc;
	trace_ring_fill_body(rec, word, tid, values, n);
	trace_ring_publish(r, start, start + 16 + 8 * n);
}

#endif
