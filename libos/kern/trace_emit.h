/*
 * The emit functions every trace point calls: one frameless function each,
 * from trace point to ring. Shared by the guest (libos/kern/trace.c) and
 * the instruction-count benchmark (bench/trace-emit.c), which compiles this
 * file with the guest's code generation flags, so that callgrind counts the
 * instructions the guest really runs.
 *
 * The includer defines, before including this:
 *	TRACE_EMIT_RING      the running CPU's main struct uniscope_trace_ring *
 *	TRACE_EMIT_KEEP_RING (optional) its evidence ring: then the
 *	                     uniscope_trace_keep*() functions are defined too
 *	TRACE_EMIT_TID       the running thread's id (a plain load: the
 *	                     scheduler keeps it up to date, 0 before it starts)
 *	TRACE_EMIT_IN_FLIGHT a uint32_t lvalue: records being written on this
 *	                     CPU off the fast path, which defers preemption
 *
 * A thread must not be switched out in the middle of a record (see
 * trace.c). The fast path pays nothing for that: the emit functions live
 * in their own section, and the scheduler does not preempt a thread
 * interrupted inside it (trace_emit_interrupted). The slow paths, in
 * tracer/ring.c, count themselves in TRACE_EMIT_IN_FLIGHT instead.
 */
#ifndef LIBOS_TRACE_EMIT_H
#define LIBOS_TRACE_EMIT_H

#include <stdint.h>
#include "../../tracer/ring.h"

#define TRACE_EMIT_INLINE static inline __attribute__((always_inline))
#define TRACE_EMIT_SECTION __attribute__((section(".text.trace_emit")))

/* rdtsc stored as it comes, edx:eax, with no instructions to join them. */
TRACE_EMIT_INLINE void trace_emit_stamp(struct uniscope_trace_record *rec)
{
	__asm__ volatile("rdtsc\n\tmov %%eax, %0\n\tmov %%edx, 4+%0" : "=m"(rec->tsc) : : "rax", "rdx");
}

/* Nested writers (interrupts) restore the count before the thread resumes. */
TRACE_EMIT_INLINE void trace_emit_begin(void)
{
	__atomic_add_fetch(&TRACE_EMIT_IN_FLIGHT, 1, __ATOMIC_ACQUIRE);
}

TRACE_EMIT_INLINE void trace_emit_end(void)
{
	__atomic_sub_fetch(&TRACE_EMIT_IN_FLIGHT, 1, __ATOMIC_RELEASE);
}

/*
 * Off the fast path, each a tail call so the fast path needs no frame.
 * A full or raced ring: nothing was reserved yet, so this starts afresh,
 * counted in TRACE_EMIT_IN_FLIGHT.
 */
static __attribute__((noinline)) void trace_emit_slow(struct uniscope_trace_ring *ring, uint64_t word,
						      uint64_t a, uint64_t b, uint64_t c)
{
	trace_emit_begin();
	/* The builtin, not cpu.h's rdtsc(): the host benchmark builds this too. */
	trace_ring_emit_slow(ring, __builtin_ia32_rdtsc(), word, a, b, c);
	trace_emit_end();
}

/* Nested writers' records wait behind ours: publish them too. */
static __attribute__((noinline)) TRACE_EMIT_SECTION void
trace_emit_publish_more(struct uniscope_trace_ring *ring, uint64_t published)
{
	trace_emit_begin();
	trace_ring_publish_more(ring, published);
	trace_emit_end();
}

/* Up to three values, which go in registers to the slow path. ring is a constant address. */
TRACE_EMIT_INLINE void trace_emit_record(struct uniscope_trace_ring *ring, uint32_t word,
					 const uint64_t *values, unsigned n)
{
	uint64_t start, size = 16 + 8 * n;
	struct uniscope_trace_record *rec;

	rec = trace_ring_reserve_fast(ring, size, &start);
	if (__builtin_expect(!rec, 0)) {
		trace_emit_slow(ring, word | (uint64_t)TRACE_EMIT_TID << 32, n > 0 ? values[0] : 0,
				n > 1 ? values[1] : 0, n > 2 ? values[2] : 0);
		return;
	}
	/* Stamped once reserved: ring order and time order may then differ by
	 * a nested writer's record, as they could before; decoders sort. */
	trace_emit_stamp(rec);
	trace_ring_fill_body(rec, word, TRACE_EMIT_TID, values, n);
	if (__builtin_expect(!trace_ring_publish_fast(ring, start, start + size), 0))
		trace_emit_publish_more(ring, start + size);
}

/* The four emit functions of one ring: NAME0 .. NAME3. */
#define TRACE_EMIT_FUNCTIONS(name, ring)                                                        \
	TRACE_EMIT_SECTION void name##0(uint32_t word)                                          \
	{                                                                                       \
		trace_emit_record(ring, word, (uint64_t[1]){ 0 }, 0);                           \
	}                                                                                       \
	TRACE_EMIT_SECTION void name##1(uint32_t word, uint64_t a)                              \
	{                                                                                       \
		trace_emit_record(ring, word, (uint64_t[]){ a }, 1);                            \
	}                                                                                       \
	TRACE_EMIT_SECTION void name##2(uint32_t word, uint64_t a, uint64_t b)                  \
	{                                                                                       \
		trace_emit_record(ring, word, (uint64_t[]){ a, b }, 2);                         \
	}                                                                                       \
	TRACE_EMIT_SECTION void name##3(uint32_t word, uint64_t a, uint64_t b, uint64_t c)      \
	{                                                                                       \
		trace_emit_record(ring, word, (uint64_t[]){ a, b, c }, 3);                      \
	}

TRACE_EMIT_FUNCTIONS(uniscope_trace_emit, TRACE_EMIT_RING)
#ifdef TRACE_EMIT_KEEP_RING
TRACE_EMIT_FUNCTIONS(uniscope_trace_keep, TRACE_EMIT_KEEP_RING)
#endif

#endif
