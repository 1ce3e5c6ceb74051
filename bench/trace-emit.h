/* What bench/trace-emit.c (the guest's emit glue) shares with trace-bench.c. */
#ifndef BENCH_TRACE_EMIT_H
#define BENCH_TRACE_EMIT_H

#include <stdint.h>
#include <uniscope/trace.h>

#define BENCH_RING_BIG (1u << 26)
#define BENCH_RING_STORAGE (sizeof(struct uniscope_trace_ring) + BENCH_RING_BIG + UNISCOPE_TRACE_RECORD_MAX)

extern uint8_t bench_ring_storage[BENCH_RING_STORAGE];
extern uint32_t bench_running_tid;

#endif
