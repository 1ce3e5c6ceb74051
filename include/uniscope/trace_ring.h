/*
 * The fast path of the trace ring, inline so that each emit function of
 * the guest (libos/kern/trace.c) is one frameless function from trace
 * point to ring. The protocol and everything off the fast path are in
 * tracer/ring.c, which uses these same functions; see it for why this is
 * safe against interrupts that write records while a record is half done.
 */
#ifndef UNISCOPE_TRACE_RING_H
#define UNISCOPE_TRACE_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "uniscope/trace.h"

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
