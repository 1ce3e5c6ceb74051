/*
 * The tracer's guest side: the per-CPU ring storage, the enable mask, the
 * emit functions trace points call, and the drain the channel streams.
 *
 * The ring protocol itself is portable (tracer/ring.c); this file adds what
 * only the guest knows: the timestamp (rdtsc), the running thread, which
 * ring belongs to this CPU. The libOS runs one CPU, so "this CPU's ring"
 * is ring 0; with SMP it becomes a per-CPU pointer (e.g. %gs-relative) and
 * nothing else changes, since each CPU only ever writes its own ring.
 *
 * The ring tolerates interrupts that write records while a thread is in
 * the middle of one, because they finish before the thread resumes. A
 * thread switched out mid-record would break that, so the scheduler does
 * not preempt while trace_in_record() (it does so at the next tick): a
 * thread interrupted in an emit function's fast path, or counted in a
 * slow path (trace_emit.h).
 *
 * Each CPU has two rings (include/uniscope/trace.h): the main one, and a
 * 64 KiB evidence ring for the rare events that explain a hang (lock
 * contention, thread lifecycle, faults, the application's events), which
 * the scheduler and interrupt traffic of the main ring can never evict.
 * The trace point picks the ring at compile time by its event id.
 *
 * Host tools find everything through uniscope_info.trace -> uniscope_trace
 * (struct uniscope_trace_info): the mask, the ring addresses and sizes.
 */
#include <string.h>
#define LIBOS_TRACE_DEFINE_META 1
#include "kern.h"
#include "image.h"
#include "trace.h"
#include "arch/x86_64/cpu.h"

#define RING_BYTES TRACE_RING_BYTES
#define RING_STORAGE (sizeof(struct uniscope_trace_ring) + RING_BYTES + UNISCOPE_TRACE_RECORD_MAX)
#define KEEP_BYTES (64 * 1024ul)
#define KEEP_STORAGE (sizeof(struct uniscope_trace_ring) + KEEP_BYTES + UNISCOPE_TRACE_RECORD_MAX)
#define STREAM_INFO_SIZE (UNISCOPE_TRACE_HEADER_SIZE + sizeof(struct uniscope_trace_stream_info))

struct uniscope_trace_info uniscope_trace = {
	.magic = UNISCOPE_TRACE_MAGIC,
	.version = UNISCOPE_TRACE_VERSION,
	.nr_cpus = NR_CPUS,
	.nr_kinds = UNISCOPE_TRACE_RING_KINDS,
};

static uint8_t ring_storage[NR_CPUS][RING_STORAGE] __attribute__((aligned(64)));
static uint8_t keep_storage[NR_CPUS][KEEP_STORAGE] __attribute__((aligned(64)));
static uint32_t records_in_flight[NR_CPUS];
static struct {
	bool started;
	bool naming;        /* THREAD_NAME records still to send */
	uint64_t named;     /* threads of thread_list named so far */
} stream;

static inline struct uniscope_trace_ring *this_cpu_ring(void)
{
	return (struct uniscope_trace_ring *)ring_storage[0];
}

static inline struct uniscope_trace_ring *this_cpu_keep_ring(void)
{
	return (struct uniscope_trace_ring *)keep_storage[0];
}

bool trace_in_record(const trap_frame_t *interrupted)
{
	uint64_t rip = interrupted->rip;

	return __atomic_load_n(&records_in_flight[0], __ATOMIC_RELAXED) != 0 ||
	       (rip >= (uint64_t)_trace_emit_start && rip < (uint64_t)_trace_emit_end);
}

/* Records carry the thread on the CPU; before the scheduler starts, 0. */
uint32_t trace_running_tid;

#define TRACE_EMIT_RING this_cpu_ring()
#define TRACE_EMIT_KEEP_RING this_cpu_keep_ring()
#define TRACE_EMIT_TID trace_running_tid
#define TRACE_EMIT_IN_FLIGHT records_in_flight[0]
#include "trace_emit.h"

/* A string field: up to its slots' bytes, NUL-padded. */
static unsigned put_string(uint64_t *slots, unsigned room, const char *s, unsigned nr_slots)
{
	size_t cap = (nr_slots < room ? nr_slots : room) * 8ul;
	size_t len = s ? strnlen(s, cap) : 0;

	memset(slots, 0, cap);
	memcpy(slots, s, len);
	return (unsigned)(cap / 8);
}

void uniscope_trace_emit_fields(uint32_t word, const uint64_t *values,
				const uint8_t *field_slots, unsigned nr_fields)
{
	uint64_t slots[UNISCOPE_TRACE_SLOTS_MAX];
	unsigned used = 0;

	for (unsigned i = 0; i < nr_fields && used < UNISCOPE_TRACE_SLOTS_MAX; i++) {
		if (field_slots && field_slots[i] > 1)
			used += put_string(slots + used, UNISCOPE_TRACE_SLOTS_MAX - used,
					   (const char *)(uintptr_t)values[i], field_slots[i]);
		else
			slots[used++] = values[i];
	}
	word = (word & 0xffff) | (uint32_t)(UNISCOPE_TRACE_HEADER_SIZE + 8 * used) << 16;
	trace_emit_begin();
	trace_ring_emit_slots(UNISCOPE_TRACE_IS_EVIDENCE(word & 0xffff) ? this_cpu_keep_ring()
									: this_cpu_ring(),
			      rdtsc(), word | (uint64_t)trace_running_tid << 32, slots);
	trace_emit_end();
}

void trace_set_enabled(uint64_t mask)
{
	__atomic_store_n(&uniscope_trace.enabled, mask & ~1ull, __ATOMIC_RELAXED);
}

uint64_t trace_enabled(void)
{
	return __atomic_load_n(&uniscope_trace.enabled, __ATOMIC_RELAXED);
}

uint64_t trace_info_address(void)
{
	return (uint64_t)&uniscope_trace;
}

static uint64_t ring_size_option(void)
{
	long size = cmdline_get_long("trace_ring", (long)RING_BYTES);

	if (size < (long)UNISCOPE_TRACE_RING_MIN || size > (long)RING_BYTES || (size & (size - 1))) {
		kprintf("trace: trace_ring=%ld is not a power of two in [%u, %lu]; using %lu\n", size,
			UNISCOPE_TRACE_RING_MIN, RING_BYTES, RING_BYTES);
		size = (long)RING_BYTES;
	}
	return (uint64_t)size;
}

void trace_init(void)
{
	const char *mode = cmdline_get("trace_mode");
	enum uniscope_trace_mode m = mode && strcmp(mode, "discard") == 0 ? UNISCOPE_TRACE_DISCARD
									: UNISCOPE_TRACE_OVERWRITE;
	uint64_t size = ring_size_option();

	for (uint32_t cpu = 0; cpu < NR_CPUS; cpu++) {
		struct uniscope_trace_ring *keep = (struct uniscope_trace_ring *)keep_storage[cpu];

		trace_ring_init((struct uniscope_trace_ring *)ring_storage[cpu], cpu, size, m);
		trace_ring_init(keep, cpu, KEEP_BYTES, m);
		keep->kind = UNISCOPE_TRACE_RING_EVIDENCE;
		uniscope_trace.rings[UNISCOPE_TRACE_RING_MAIN * NR_CPUS + cpu] = (uint64_t)ring_storage[cpu];
		uniscope_trace.rings[UNISCOPE_TRACE_RING_EVIDENCE * NR_CPUS + cpu] = (uint64_t)keep;
	}
	uniscope_trace.ring_size = size;
	trace_set_enabled((uint64_t)cmdline_get_long("trace_mask", (long)UNISCOPE_TRACE_DEFAULT_MASK));
}

static size_t write_stream_info(uint8_t *out)
{
	struct uniscope_trace_stream_info info = {
		.version = UNISCOPE_TRACE_VERSION,
		.nr_cpus = NR_CPUS,
		.tsc_hz = uniscope_info.tsc_hz,
		.boot_tsc = uniscope_info.boot_tsc,
		.build_id_len = uniscope_info.build_id_len,
	};
	uint64_t tsc = rdtsc();
	uint64_t word = UNISCOPE_TRACE_WORD(UNISCOPE_TRACE_ID_STREAM_INFO, STREAM_INFO_SIZE, 0);

	memcpy(info.build_id, uniscope_info.build_id, sizeof(info.build_id));
	memcpy(out, &tsc, 8);
	memcpy(out + 8, &word, 8);
	memcpy(out + UNISCOPE_TRACE_HEADER_SIZE, &info, sizeof(info));
	return STREAM_INFO_SIZE;
}

static size_t write_thread_name(uint8_t *out, const struct thread *t)
{
	uint64_t tsc = rdtsc(), tid = t->id;
	uint64_t word = UNISCOPE_TRACE_WORD(UNISCOPE_TRACE_ID_THREAD_NAME,
					    UNISCOPE_TRACE_THREAD_NAME_SIZE, 0);

	memcpy(out, &tsc, 8);
	memcpy(out + 8, &word, 8);
	memcpy(out + 16, &tid, 8);
	memset(out + 24, 0, UNISCOPE_TRACE_STR_SLOTS * 8);
	memcpy(out + 24, t->name, strnlen(t->name, UNISCOPE_TRACE_STR_SLOTS * 8));
	return UNISCOPE_TRACE_THREAD_NAME_SIZE;
}

/* Names of the threads alive at the start of a stream, as many as fit per drain. */
static size_t write_thread_names(uint8_t *out, size_t cap)
{
	size_t n = 0;
	uint64_t i = 0;

	for (struct thread *t = thread_list; t; t = t->next_all, i++) {
		if (i < stream.named)
			continue;
		if (n + UNISCOPE_TRACE_THREAD_NAME_SIZE > cap)
			return n;
		n += write_thread_name(out + n, t);
		stream.named = i + 1;
	}
	stream.naming = false;
	return n;
}

size_t trace_drain(uint8_t *buf, size_t cap)
{
	uint64_t flags;
	size_t n = 0;

	if (!uniscope_trace.rings[0] || cap < STREAM_INFO_SIZE + UNISCOPE_TRACE_DRAIN_MIN)
		return 0;
	flags = irq_save();
	if (!stream.started) {
		n = write_stream_info(buf);
		stream.started = stream.naming = true;
		stream.named = 0;
	}
	if (stream.naming)
		n += write_thread_names(buf + n, (cap - n) / 2);
	for (uint32_t cpu = 0; cpu < NR_CPUS; cpu++) {
		n += trace_ring_drain((struct uniscope_trace_ring *)keep_storage[cpu], buf + n, cap - n,
				      rdtsc());
		n += trace_ring_drain((struct uniscope_trace_ring *)ring_storage[cpu], buf + n, cap - n,
				      rdtsc());
	}
	irq_restore(flags);
	return n;
}

void trace_drain_restart(void)
{
	stream.started = false;
}
