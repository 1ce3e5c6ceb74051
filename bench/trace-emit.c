/*
 * The guest's emit functions (libos/kern/trace_emit.h) for the host
 * benchmark, compiled with the guest's code generation flags (see the
 * Makefile), so that callgrind counts the instructions the guest runs.
 * Only the ring's location, the clock and the thread id differ: the same
 * loads from fixed addresses as in the guest.
 */
#include <stdint.h>
#include "trace-emit.h"

uint8_t bench_ring_storage[BENCH_RING_STORAGE] __attribute__((aligned(64)));
uint32_t bench_running_tid = 1;
static uint32_t bench_records_in_flight;

#define TRACE_EMIT_RING ((struct uniscope_trace_ring *)bench_ring_storage)
/* Application events go to the evidence ring: the same code on another address. */
#define TRACE_EMIT_KEEP_RING TRACE_EMIT_RING
#define TRACE_EMIT_TID bench_running_tid
#define TRACE_EMIT_IN_FLIGHT bench_records_in_flight
#include "../libos/kern/trace_emit.h"
