/*
 * Tracer benchmark driver, run by bench/trace.sh.
 *
 *	trace-bench baseline|disabled|enabled|wrapping N
 *		runs a loop of N iterations, with a trace point disabled,
 *		enabled on a ring with room, or enabled on a full ring that
 *		overwrites one record per event. callgrind counts the
 *		instructions of run_loop(); the script subtracts the baseline.
 *	trace-bench export N DIR
 *		makes a stream of N events the way the guest does (ring, drain
 *		into 4 KiB chunks), times decoding it and exporting it as CTF
 *		into DIR, and prints the rates.
 *
 * The emit functions are the guest's (libos/kern/trace_emit.h), compiled
 * with the guest's flags in trace-emit.c; the ring's slow paths are
 * tracer/ring.c from libuniscope.a, the same code the guest runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "../tracer/tracer.h"
#include "../libos/api/uniscope/trace_point.h"
#include "../tracer/ring.h"
#include "trace-emit.h"

UNISCOPE_TRACE_POINT(item_produced, UNISCOPE_TRACE_APP_ID(0), "item=%u queued=%u", (u64, item),
		     (u64, queued))
UNISCOPE_TRACE_POINT(sched_switch, UNISCOPE_TRACE_ID_SCHED_SWITCH,
		     "prev=%t prev_state=%s ==> next=%t", (tid, prev), (state, prev_state), (tid, next))
UNISCOPE_TRACE_POINT(thread_create, UNISCOPE_TRACE_ID_THREAD_CREATE, "tid=%u name=%s", (tid, tid),
		     (str, name))

#define RING_SMALL (256u * 1024) /* the guest's */

struct uniscope_trace_info uniscope_trace;
#define ring ((struct uniscope_trace_ring *)bench_ring_storage)
static volatile uint64_t sink;

void uniscope_trace_emit_fields(uint32_t word, const uint64_t *values, const uint8_t *field_slots,
				unsigned nr_fields)
{
	uint64_t slots[UNISCOPE_TRACE_SLOTS_MAX] = { 0 };
	unsigned used = 0;

	for (unsigned i = 0; i < nr_fields && used < UNISCOPE_TRACE_SLOTS_MAX; i++) {
		if (field_slots && field_slots[i] > 1) {
			const char *s = (const char *)(uintptr_t)values[i];
			memcpy(&slots[used], s, strnlen(s, field_slots[i] * 8u));
			used += field_slots[i];
		} else {
			slots[used++] = values[i];
		}
	}
	word = (word & 0xffff) | (uint32_t)(16 + 8 * used) << 16;
	trace_ring_emit_slots(ring, __rdtsc(), word | (uint64_t)bench_running_tid << 32, slots);
}

static void make_ring(uint64_t size)
{
	trace_ring_init(ring, 0, size, UNISCOPE_TRACE_OVERWRITE);
}

__attribute__((noinline)) static void run_loop(uint64_t n, int traced)
{
	for (uint64_t i = 0; i < n; i++) {
		sink = i;
		if (traced)
			trace_item_produced(i, i & 7);
		__asm__ volatile("" ::: "memory");
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A stream like a busy guest's: switches, items, a few thread creations. */
static size_t make_stream(uint8_t *out, size_t cap, uint64_t n)
{
	size_t len = 0;

	make_ring(BENCH_RING_BIG);
	uniscope_trace.enabled = ~0ull;
	for (uint64_t i = 0; i < n; i++) {
		if (i % 1000 == 0)
			trace_thread_create((uint32_t)(i / 1000 + 2), "worker");
		else if (i % 4 == 0)
			trace_sched_switch((uint32_t)i % 5, 3, (uint32_t)(i + 1) % 5);
		else
			trace_item_produced(i, i & 7);
		while ((i % 64 == 63 || i == n - 1) && len + 4096 <= cap) {
			size_t got = trace_ring_drain(ring, out + len, 4096, __rdtsc());
			if (!got)
				break;
			len += got;
		}
	}
	return len;
}

static int export(uint64_t n, const char *dir)
{
	static struct trace_set set;
	struct trace_error err;
	size_t cap = (size_t)n * 64 + (1 << 20), len;
	uint8_t *stream = malloc(cap);
	double t0, t1, t2;

	if (!stream)
		return 1;
	len = make_stream(stream, cap, n);
	trace_set_init(&set);
	if (trace_meta_load(&set.meta, "/proc/self/exe", &err) < 0) {
		fprintf(stderr, "trace-bench: %s\n", err.msg);
		return 1;
	}
	t0 = now_s();
	trace_decode_stream(&set, stream, len, true);
	trace_set_sort(&set);
	t1 = now_s();
	if (trace_export_ctf(&set, dir, &err) < 0) {
		fprintf(stderr, "trace-bench: %s\n", err.msg);
		return 1;
	}
	t2 = now_s();
	printf("events %zu bytes %zu decode_s %.6f ctf_s %.6f\n", set.nr_events, len, t1 - t0, t2 - t1);
	trace_set_free(&set);
	free(stream);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 0) : 100000;

	if (argc > 3 && strcmp(argv[1], "export") == 0)
		return export(n, argv[3]);
	if (argc < 2) {
		fprintf(stderr, "usage: trace-bench baseline|disabled|enabled|wrapping N | export N DIR\n");
		return 2;
	}
	make_ring(strcmp(argv[1], "wrapping") == 0 ? RING_SMALL : BENCH_RING_BIG);
	uniscope_trace.enabled = strcmp(argv[1], "disabled") == 0 ? 0 : ~0ull;
	for (uint64_t i = 0; strcmp(argv[1], "wrapping") == 0 && i < RING_SMALL; i++)
		trace_item_produced(i, 0); /* fill it first: every event then overwrites one */
	run_loop(n, strcmp(argv[1], "baseline") != 0);
	return 0;
}
