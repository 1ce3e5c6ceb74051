/*
 * The trace contract: record and ring layouts in guest memory, the stream
 * the guest drains over the trace channel, the trace point metadata in the
 * image, and the macro that declares a trace point. Shared by the libOS
 * (libos/kern/trace.c), the portable ring (tracer/ring.c) and the host
 * decoder (tracer/). All fields are fixed width and little-endian.
 *
 * Records
 * -------
 * A record is a 16-byte header and 0..UNISCOPE_TRACE_SLOTS_MAX 8-byte
 * payload slots. Its size is a multiple of 8. Each field of a trace point
 * takes one slot, except strings, which take UNISCOPE_TRACE_STR_SLOTS
 * (NUL-padded, not necessarily NUL-terminated).
 *
 * Rings
 * -----
 * Two struct uniscope_trace_ring per CPU, written only by that CPU (threads
 * and the interrupts that nest inside them): the main ring, and a smaller
 * evidence ring for the rare events that explain a hang or a death
 * (UNISCOPE_TRACE_EVIDENCE_MASK: lock contention, thread lifecycle, faults,
 * panics, the application's own events), so that no amount of scheduling
 * and interrupt traffic overwrites them. Which ring an event goes to is
 * decided at compile time by its id: it costs no instruction. Positions are byte counts that
 * only grow: the record at position p starts at data[p % size] and runs on
 * contiguously into the UNISCOPE_TRACE_RECORD_MAX bytes of slack after
 * data[size - 1], so no record wraps and a reader copies it in one piece.
 * Invariants: tail <= commit <= head, head - tail <= size, every record in
 * [tail, commit) is complete; head and tail sit on record boundaries.
 *
 * Stream
 * ------
 * trace_drain() hands out bytes the channel sends as CHAN_TRACE frames; the
 * host stores their payloads back to back. The stream is a sequence of
 * records: first a STREAM_INFO record (clock and build-id) and a
 * THREAD_NAME record for each thread alive then (their thread_create
 * events may be long overwritten), then for each drain of a ring a CHUNK
 * record (naming the CPU and the ring) followed by that ring's records in
 * order.
 * CHUNK carries the ring's cumulative loss counters and the number of
 * records drained before it, so the host counts exactly the events it
 * never received, including those in frames the channel dropped.
 *
 * Metadata
 * --------
 * UNISCOPE_TRACE_POINT() puts one struct uniscope_trace_meta into the
 * section .uniscope_trace_meta, which the linker keeps in the file but
 * never loads: the running image carries no names or formats, and there is
 * no registration. Host tools read the section from the image whose GNU
 * build-id matches the one in uniscope_info (memory) or STREAM_INFO
 * (stream). Records are self-describing (magic, size) and may repeat
 * (identical ones) or sit apart with zero padding between them.
 */
#ifndef UNISCOPE_TRACE_H
#define UNISCOPE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uniscope/abi.h"

#define UNISCOPE_TRACE_MAGIC 0x4f464e4952545355ull      /* "USTRINFO" */
#define UNISCOPE_TRACE_RING_MAGIC 0x474e495252545355ull /* "USTRRING" */
#define UNISCOPE_TRACE_META_MAGIC 0x4154454du            /* "META" */
#define UNISCOPE_TRACE_VERSION 2 /* 2: evidence rings; cpu fields split into cpu and ring */

#define UNISCOPE_TRACE_MAX_CPUS 32
#define UNISCOPE_TRACE_MAX_RINGS 64 /* rings[] of the descriptor: cpus * ring kinds */
#define UNISCOPE_TRACE_HEADER_SIZE 16
#define UNISCOPE_TRACE_SLOTS_MAX 16
#define UNISCOPE_TRACE_RECORD_MAX (UNISCOPE_TRACE_HEADER_SIZE + 8 * UNISCOPE_TRACE_SLOTS_MAX)
#define UNISCOPE_TRACE_STR_SLOTS 4 /* a string field: 32 bytes, a thread name */
#define UNISCOPE_TRACE_RING_MIN 4096u
#define UNISCOPE_TRACE_RING_MAX (1u << 26) /* host readers refuse bigger rings */

/* ---- events ---------------------------------------------------------------- */

/*
 * Event ids. Ids below 64 are trace points, each with an enable bit in
 * uniscope_trace_info.enabled; applications use UNISCOPE_TRACE_APP_ID(0..31).
 * Ids from 0xff00 exist only in the stream or on the host.
 */
#define UNISCOPE_TRACE_ID_SCHED_SWITCH 1
#define UNISCOPE_TRACE_ID_SCHED_WAKEUP 2
#define UNISCOPE_TRACE_ID_THREAD_CREATE 3
#define UNISCOPE_TRACE_ID_THREAD_EXIT 4
#define UNISCOPE_TRACE_ID_IRQ_ENTRY 5
#define UNISCOPE_TRACE_ID_IRQ_EXIT 6
#define UNISCOPE_TRACE_ID_EXCEPTION 7
#define UNISCOPE_TRACE_ID_TIMER 8
#define UNISCOPE_TRACE_ID_MUTEX_CONTENDED 9
#define UNISCOPE_TRACE_ID_CONSOLE_WRITE 10
#define UNISCOPE_TRACE_ID_PANIC 11
#define UNISCOPE_TRACE_ID_ALLOC 12
#define UNISCOPE_TRACE_ID_FREE 13
#define UNISCOPE_TRACE_ID_SYS_ENTER 14       /* a system call: its number, arguments */
#define UNISCOPE_TRACE_ID_SYS_EXIT 15        /* its result and errno */
#define UNISCOPE_TRACE_ID_SYS_UNSUPPORTED 16 /* a syscall (or flag) the libOS lacks: -ENOSYS */
#define UNISCOPE_TRACE_ID_THREAD_RENAME 17   /* a thread's new name (pthread_setname_np, prctl) */
#define UNISCOPE_TRACE_ID_NET_RX 18          /* a frame received: length, EtherType */
#define UNISCOPE_TRACE_ID_NET_TX 19          /* a frame sent */
#define UNISCOPE_TRACE_ID_NET_DROP 20        /* a frame that went nowhere: why, length */
#define UNISCOPE_TRACE_ID_TCP_STATE 21       /* a socket's TCP connection changed state */
#define UNISCOPE_TRACE_ID_TCP_ACCEPT 22      /* a connection accepted: its descriptor, the peer */
#define UNISCOPE_TRACE_ID_TCP_CLOSE 23       /* a socket closed by the application, in its state */
#define UNISCOPE_TRACE_ID_TCP_RESET 24       /* a connection reset or aborted under a socket */
#define UNISCOPE_TRACE_ID_TCP_RETRANSMIT 25  /* a TCP segment sent again */
#define UNISCOPE_TRACE_APP_ID(n) (32 + (n))
#define UNISCOPE_TRACE_POINT_IDS 64

#define UNISCOPE_TRACE_ID_STREAM_INFO 0xff01 /* stream: clock, build-id */
#define UNISCOPE_TRACE_ID_CHUNK 0xff02       /* stream: one drain of one CPU */
#define UNISCOPE_TRACE_ID_LOST 0xff03        /* host: events known to be missing */
#define UNISCOPE_TRACE_ID_THREAD_NAME 0xff04 /* stream: u64 tid, then a string field */
#define UNISCOPE_TRACE_THREAD_NAME_SIZE (UNISCOPE_TRACE_HEADER_SIZE + 8 + 8 * UNISCOPE_TRACE_STR_SLOTS)

#define UNISCOPE_TRACE_BIT(id) (1ull << (id))
/*
 * Events that go to the evidence ring: rare, and what explains a hang or a
 * death (a system call the libOS lacks among them, a frame the network
 * dropped, a connection reset, a TCP retransmission). Frames received and sent are as frequent as system calls: the
 * main ring's.
 */
#define UNISCOPE_TRACE_EVIDENCE_MASK                                                            \
	(UNISCOPE_TRACE_BIT(UNISCOPE_TRACE_ID_THREAD_CREATE) |                                  \
	 UNISCOPE_TRACE_BIT(UNISCOPE_TRACE_ID_THREAD_EXIT) |                                    \
	 UNISCOPE_TRACE_BIT(UNISCOPE_TRACE_ID_THREAD_RENAME) |                                  \
	 UNISCOPE_TRACE_BIT(UNISCOPE_TRACE_ID_EXCEPTION) |                                      \
	 UNISCOPE_TRACE_BIT(UNISCOPE_TRACE_ID_MUTEX_CONTENDED) |                                \
	 UNISCOPE_TRACE_BIT(UNISCOPE_TRACE_ID_PANIC) |                                          \
	 UNISCOPE_TRACE_BIT(UNISCOPE_TRACE_ID_SYS_UNSUPPORTED) |                                \
	 UNISCOPE_TRACE_BIT(UNISCOPE_TRACE_ID_NET_DROP) |                                       \
	 UNISCOPE_TRACE_BIT(UNISCOPE_TRACE_ID_TCP_RESET) |                                      \
	 UNISCOPE_TRACE_BIT(UNISCOPE_TRACE_ID_TCP_RETRANSMIT) | 0xffffffff00000000ull /* applications */)
#define UNISCOPE_TRACE_IS_EVIDENCE(id) \
	((id) < UNISCOPE_TRACE_POINT_IDS && ((UNISCOPE_TRACE_EVIDENCE_MASK >> (id)) & 1))
/* What trace_init() enables: everything but the allocator. */
#define UNISCOPE_TRACE_DEFAULT_MASK \
	(~(UNISCOPE_TRACE_BIT(UNISCOPE_TRACE_ID_ALLOC) | UNISCOPE_TRACE_BIT(UNISCOPE_TRACE_ID_FREE) | 1ull))

/* ---- records ----------------------------------------------------------------- */

struct uniscope_trace_record {
	uint64_t tsc;   /* rdtsc when the record was reserved */
	uint16_t event; /* event id */
	uint16_t size;  /* bytes, header included: 16 + 8 * slots */
	uint32_t tid;   /* thread running on the CPU (0: boot, no thread yet) */
	uint64_t slots[];
};
_Static_assert(sizeof(struct uniscope_trace_record) == UNISCOPE_TRACE_HEADER_SIZE, "record header");
_Static_assert(offsetof(struct uniscope_trace_record, event) == 8, "record event");
_Static_assert(offsetof(struct uniscope_trace_record, tid) == 12, "record tid");

/* The second header word: event id, size and thread id in one store. */
#define UNISCOPE_TRACE_WORD(event, size, tid) \
	((uint64_t)(event) | (uint64_t)(size) << 16 | (uint64_t)(tid) << 32)

/* STREAM_INFO payload: first in every stream. */
struct uniscope_trace_stream_info {
	uint32_t version; /* UNISCOPE_TRACE_VERSION */
	uint32_t nr_cpus;
	uint64_t tsc_hz;
	uint64_t boot_tsc;
	uint32_t build_id_len;
	uint8_t build_id[UNISCOPE_BUILD_ID_MAX];
};
_Static_assert(sizeof(struct uniscope_trace_stream_info) == 48, "stream info");

/* CHUNK payload: one drain of one ring; its records follow. */
struct uniscope_trace_chunk {
	uint16_t cpu;
	uint16_t ring;           /* enum uniscope_trace_ring_kind */
	uint32_t mode;           /* enum uniscope_trace_mode of the ring */
	uint64_t seq;            /* chunks of this CPU so far */
	uint64_t events_before;  /* records of this CPU drained before this chunk */
	uint64_t lost;           /* cumulative: ring->lost */
	uint64_t overwritten;    /* cumulative: ring->overwritten */
	uint64_t records;        /* records in this chunk */
};
_Static_assert(sizeof(struct uniscope_trace_chunk) == 48, "chunk");

/* ---- rings and the descriptor -------------------------------------------- */

enum uniscope_trace_mode {
	UNISCOPE_TRACE_OVERWRITE = 0, /* flight recorder: the oldest records go */
	UNISCOPE_TRACE_DISCARD = 1,   /* new records are dropped while the ring is full */
};

enum uniscope_trace_ring_kind {
	UNISCOPE_TRACE_RING_MAIN = 0,
	UNISCOPE_TRACE_RING_EVIDENCE = 1,
	UNISCOPE_TRACE_RING_KINDS
};

/*
 * One ring of one CPU. Written by that CPU only; see tracer/ring.c for the
 * protocol. Counters are exact:
 *	lost         events never recorded: ring full in discard mode, or
 *	             nested writers holding more than the ring
 *	overwritten  events overwritten (overwrite mode) before trace_drain
 *	             read them; without a drain, every overwritten event
 */
struct uniscope_trace_ring {
	uint64_t magic;          /* UNISCOPE_TRACE_RING_MAGIC */
	uint16_t cpu;
	uint16_t kind;           /* enum uniscope_trace_ring_kind */
	uint32_t mode;           /* enum uniscope_trace_mode */
	uint64_t size;           /* bytes; a power of two; data holds size + RECORD_MAX */
	uint64_t data;           /* address of data[] (for host tools) */
	uint64_t head;           /* next free position */
	uint64_t commit;         /* records below are complete */
	uint64_t tail;           /* oldest record kept */
	uint64_t read_pos;       /* the drain has read everything below */
	uint64_t lost;
	uint64_t overwritten;
	uint64_t drained;        /* records handed out by the drain */
	uint64_t chunks;         /* chunks handed out by the drain */
	uint64_t drained_lost;   /* lost and overwritten as of the last chunk */
	uint64_t drained_overwritten;
	uint64_t limit;          /* writers: head may grow to here without a look at tail */
	uint64_t mask;           /* size - 1 */
	uint8_t bytes[] __attribute__((aligned(64)));
};
_Static_assert(sizeof(struct uniscope_trace_ring) == 128, "ring header");
_Static_assert(offsetof(struct uniscope_trace_ring, head) == 32, "ring head");

/* What uniscope_info.trace points to. */
struct uniscope_trace_info {
	uint64_t magic;   /* UNISCOPE_TRACE_MAGIC */
	uint32_t version; /* UNISCOPE_TRACE_VERSION */
	uint16_t nr_cpus;
	uint16_t nr_kinds; /* ring kinds per CPU: 2 (main, evidence) */
	uint64_t enabled; /* bit id set: trace point id records */
	uint64_t ring_size; /* of the main rings (each ring's header has its own) */
	uint64_t rings[UNISCOPE_TRACE_MAX_RINGS]; /* rings[kind * nr_cpus + cpu]: its address */
};
_Static_assert(offsetof(struct uniscope_trace_info, rings) == 32, "trace info");
_Static_assert(UNISCOPE_TRACE_MAX_CPUS * UNISCOPE_TRACE_RING_KINDS <= UNISCOPE_TRACE_MAX_RINGS, "rings");

/* ---- metadata ---------------------------------------------------------------- */

#define UNISCOPE_TRACE_NAME_MAX 32
#define UNISCOPE_TRACE_FIELD_NAME_MAX 24
#define UNISCOPE_TRACE_FORMAT_MAX 96
#define UNISCOPE_TRACE_FIELDS_MAX 6

/*
 * Field types. The format string of a trace point is text with one
 * %-conversion per field, in order; host tools render each field by its
 * type (the conversion letter only chooses hex with x or p).
 */
enum uniscope_trace_type {
	UNISCOPE_TRACE_U64 = 1,
	UNISCOPE_TRACE_S64 = 2,
	UNISCOPE_TRACE_HEX = 3,   /* u64 shown as 0x... */
	UNISCOPE_TRACE_TID = 4,   /* u32 thread id, shown with its name */
	UNISCOPE_TRACE_STATE = 5, /* u32 enum uniscope_thread_state */
	UNISCOPE_TRACE_STR = 6,   /* UNISCOPE_TRACE_STR_SLOTS slots */
	UNISCOPE_TRACE_SYSNR = 7, /* u64 Linux x86-64 system call number, shown by name */
	UNISCOPE_TRACE_TYPE_COUNT
};

struct uniscope_trace_field_meta {
	char name[UNISCOPE_TRACE_FIELD_NAME_MAX];
	uint8_t type;  /* enum uniscope_trace_type */
	uint8_t slots; /* payload slots taken */
	uint8_t reserved[6];
};

struct uniscope_trace_meta {
	uint32_t magic;    /* UNISCOPE_TRACE_META_MAGIC */
	uint16_t size;     /* sizeof(struct uniscope_trace_meta) */
	uint16_t version;  /* UNISCOPE_TRACE_VERSION */
	uint16_t event;    /* id */
	uint8_t nr_fields;
	uint8_t flags;     /* reserved */
	uint32_t reserved;
	char name[UNISCOPE_TRACE_NAME_MAX];
	char format[UNISCOPE_TRACE_FORMAT_MAX];
	struct uniscope_trace_field_meta fields[UNISCOPE_TRACE_FIELDS_MAX];
};
_Static_assert(sizeof(struct uniscope_trace_meta) == 336, "meta record");

/* ---- the portable ring (tracer/ring.c) ----------------------------------------- */

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
/* emit_slots for up to three slots passed by value. */
/* Off the fast path: nested writers added records while we published. */
void trace_ring_publish_more(struct uniscope_trace_ring *r, uint64_t published);
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
#define UNISCOPE_TRACE_CHUNK_SIZE (UNISCOPE_TRACE_HEADER_SIZE + sizeof(struct uniscope_trace_chunk))
/* A drain buffer this big always makes progress. */
#define UNISCOPE_TRACE_DRAIN_MIN (UNISCOPE_TRACE_CHUNK_SIZE + UNISCOPE_TRACE_RECORD_MAX)

/* ---- declaring trace points ----------------------------------------------------- */

/*
 * UNISCOPE_TRACE_POINT(name, id, format, (type, field)...) declares
 * trace_<name>(fields...): when bit id of uniscope_trace.enabled is clear it
 * costs one load, test and branch. Types: u64 s64 hex tid state str sysnr; 1 to
 * UNISCOPE_TRACE_FIELDS_MAX fields, UNISCOPE_TRACE_SLOTS_MAX slots. Example:
 *
 *	UNISCOPE_TRACE_POINT(item_produced, UNISCOPE_TRACE_APP_ID(0),
 *			     "item=%u queued=%u", (u64, item), (u64, queued))
 *	...
 *	trace_item_produced(item, count);
 *
 * It also emits the metadata record, so declare each trace point in one .c
 * file, or define UNISCOPE_TRACE_META_ELSEWHERE in all but one of the
 * files that include a header of declarations (as libos/kern/trace.h does).
 * The guest provides uniscope_trace and uniscope_trace_emit*().
 */
extern struct uniscope_trace_info uniscope_trace;
void uniscope_trace_emit0(uint32_t word);
void uniscope_trace_emit1(uint32_t word, uint64_t a);
void uniscope_trace_emit2(uint32_t word, uint64_t a, uint64_t b);
void uniscope_trace_emit3(uint32_t word, uint64_t a, uint64_t b, uint64_t c);
/* The same into the evidence ring (UNISCOPE_TRACE_IS_EVIDENCE ids). */
void uniscope_trace_keep0(uint32_t word);
void uniscope_trace_keep1(uint32_t word, uint64_t a);
void uniscope_trace_keep2(uint32_t word, uint64_t a, uint64_t b);
void uniscope_trace_keep3(uint32_t word, uint64_t a, uint64_t b, uint64_t c);
/*
 * Any shape: values[i] is field i; field_slots[i] > 1 marks a string, whose
 * value is a pointer to the text; field_slots NULL means one slot each.
 * The ring follows the event id.
 */
void uniscope_trace_emit_fields(uint32_t word, const uint64_t *values,
				const uint8_t *field_slots, unsigned nr_fields);

#define UNISCOPE_TRACE_POINT(name, id, format, ...) \
	_Static_assert((id) > 0 && (id) < UNISCOPE_TRACE_POINT_IDS, #name ": trace point id out of range"); \
	_Static_assert(UTP_NARGS(__VA_ARGS__) <= UNISCOPE_TRACE_FIELDS_MAX, #name ": too many fields"); \
	UTP_META(name, id, format, __VA_ARGS__) \
	static inline __attribute__((always_inline)) void trace_##name(UTP_LIST(UTP_PARAM, __VA_ARGS__)) \
	{ \
		if (__builtin_expect(!!(__atomic_load_n(&uniscope_trace.enabled, __ATOMIC_RELAXED) & \
					UNISCOPE_TRACE_BIT(id)), 0)) \
			UTP_EMIT(id, __VA_ARGS__); \
	}

/* Machinery of UNISCOPE_TRACE_POINT: per type, a C type, an enum and slots. */
#define UTP_CTYPE_u64 uint64_t
#define UTP_CTYPE_s64 int64_t
#define UTP_CTYPE_hex uint64_t
#define UTP_CTYPE_tid uint32_t
#define UTP_CTYPE_state uint32_t
#define UTP_CTYPE_str const char *
#define UTP_CTYPE_sysnr uint64_t
#define UTP_TYPE_u64 UNISCOPE_TRACE_U64
#define UTP_TYPE_s64 UNISCOPE_TRACE_S64
#define UTP_TYPE_hex UNISCOPE_TRACE_HEX
#define UTP_TYPE_tid UNISCOPE_TRACE_TID
#define UTP_TYPE_state UNISCOPE_TRACE_STATE
#define UTP_TYPE_str UNISCOPE_TRACE_STR
#define UTP_TYPE_sysnr UNISCOPE_TRACE_SYSNR
#define UTP_SLOTS_u64 1
#define UTP_SLOTS_s64 1
#define UTP_SLOTS_hex 1
#define UTP_SLOTS_tid 1
#define UTP_SLOTS_state 1
#define UTP_SLOTS_str UNISCOPE_TRACE_STR_SLOTS
#define UTP_SLOTS_sysnr 1
#define UTP_ISSTR_u64 0
#define UTP_ISSTR_s64 0
#define UTP_ISSTR_hex 0
#define UTP_ISSTR_tid 0
#define UTP_ISSTR_state 0
#define UTP_ISSTR_str 1
#define UTP_ISSTR_sysnr 0

#define UTP_CAT_(a, b) a##b
#define UTP_CAT(a, b) UTP_CAT_(a, b)
#define UTP_NARGS(...) UTP_NARGS_(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define UTP_NARGS_(a, b, c, d, e, f, n, ...) n
#define UTP_LIST(m, ...) UTP_CAT(UTP_LIST, UTP_NARGS(__VA_ARGS__))(m, __VA_ARGS__)
#define UTP_LIST1(m, a) m a
#define UTP_LIST2(m, a, ...) m a, UTP_LIST1(m, __VA_ARGS__)
#define UTP_LIST3(m, a, ...) m a, UTP_LIST2(m, __VA_ARGS__)
#define UTP_LIST4(m, a, ...) m a, UTP_LIST3(m, __VA_ARGS__)
#define UTP_LIST5(m, a, ...) m a, UTP_LIST4(m, __VA_ARGS__)
#define UTP_LIST6(m, a, ...) m a, UTP_LIST5(m, __VA_ARGS__)

#define UTP_PARAM(type, field) UTP_CTYPE_##type field
#define UTP_VALUE(type, field) ((uint64_t)(uintptr_t)(field))
#define UTP_SLOTS(type, field) UTP_SLOTS_##type
#define UTP_ISSTR(type, field) UTP_ISSTR_##type
#define UTP_FIELD_META(type, field) { #field, UTP_TYPE_##type, UTP_SLOTS_##type, { 0 } }
#define UTP_ADD(...) UTP_CAT(UTP_ADD, UTP_NARGS(__VA_ARGS__))(__VA_ARGS__)
#define UTP_ADD1(a) (a)
#define UTP_ADD2(a, ...) ((a) + UTP_ADD1(__VA_ARGS__))
#define UTP_ADD3(a, ...) ((a) + UTP_ADD2(__VA_ARGS__))
#define UTP_ADD4(a, ...) ((a) + UTP_ADD3(__VA_ARGS__))
#define UTP_ADD5(a, ...) ((a) + UTP_ADD4(__VA_ARGS__))
#define UTP_ADD6(a, ...) ((a) + UTP_ADD5(__VA_ARGS__))
#define UTP_TOTAL_SLOTS(...) UTP_ADD(UTP_LIST(UTP_SLOTS, __VA_ARGS__))
#define UTP_HAS_STR(...) UTP_ADD(UTP_LIST(UTP_ISSTR, __VA_ARGS__))
#define UTP_RECORD_SIZE(...) (UNISCOPE_TRACE_HEADER_SIZE + 8 * UTP_TOTAL_SLOTS(__VA_ARGS__))
#define UTP_WORD(id, ...) ((uint32_t)UNISCOPE_TRACE_WORD(id, UTP_RECORD_SIZE(__VA_ARGS__), 0))

/* Numeric fields go in registers; a string takes the general path. */
#define UTP_EMIT(id, ...) \
	(UTP_HAS_STR(__VA_ARGS__) \
		 ? uniscope_trace_emit_fields(UTP_WORD(id, __VA_ARGS__), \
					      (const uint64_t[]){ UTP_LIST(UTP_VALUE, __VA_ARGS__) }, \
					      (const uint8_t[]){ UTP_LIST(UTP_SLOTS, __VA_ARGS__) }, \
					      UTP_NARGS(__VA_ARGS__)) \
		 : UNISCOPE_TRACE_IS_EVIDENCE(id) \
			   ? UTP_CAT(UTP_KEEP, UTP_NARGS(__VA_ARGS__))(UTP_WORD(id, __VA_ARGS__), \
								       UTP_LIST(UTP_VALUE, __VA_ARGS__)) \
			   : UTP_CAT(UTP_EMIT, UTP_NARGS(__VA_ARGS__))(UTP_WORD(id, __VA_ARGS__), \
								       UTP_LIST(UTP_VALUE, __VA_ARGS__)))
#define UTP_EMIT1(w, ...) uniscope_trace_emit1(w, __VA_ARGS__)
#define UTP_EMIT2(w, ...) uniscope_trace_emit2(w, __VA_ARGS__)
#define UTP_EMIT3(w, ...) uniscope_trace_emit3(w, __VA_ARGS__)
#define UTP_KEEP1(w, ...) uniscope_trace_keep1(w, __VA_ARGS__)
#define UTP_KEEP2(w, ...) uniscope_trace_keep2(w, __VA_ARGS__)
#define UTP_KEEP3(w, ...) uniscope_trace_keep3(w, __VA_ARGS__)
#define UTP_KEEP4 UTP_EMIT4
#define UTP_KEEP5 UTP_EMIT5
#define UTP_KEEP6 UTP_EMIT6
#define UTP_EMIT4(w, ...) uniscope_trace_emit_fields(w, (const uint64_t[]){ __VA_ARGS__ }, 0, 4)
#define UTP_EMIT5(w, ...) uniscope_trace_emit_fields(w, (const uint64_t[]){ __VA_ARGS__ }, 0, 5)
#define UTP_EMIT6(w, ...) uniscope_trace_emit_fields(w, (const uint64_t[]){ __VA_ARGS__ }, 0, 6)

#ifdef UNISCOPE_TRACE_META_ELSEWHERE
#define UTP_META(tp_name, tp_id, tp_format, ...)
#else
#define UTP_META(tp_name, tp_id, tp_format, ...) \
	_Static_assert(UTP_TOTAL_SLOTS(__VA_ARGS__) <= UNISCOPE_TRACE_SLOTS_MAX, #tp_name ": too big"); \
	__attribute__((used, section(".uniscope_trace_meta"), aligned(8))) \
	static const struct uniscope_trace_meta uniscope_trace_meta_##tp_name = { \
		.magic = UNISCOPE_TRACE_META_MAGIC, \
		.size = sizeof(struct uniscope_trace_meta), \
		.version = UNISCOPE_TRACE_VERSION, \
		.event = (tp_id), \
		.nr_fields = UTP_NARGS(__VA_ARGS__), \
		.name = #tp_name, \
		.format = tp_format, \
		.fields = { UTP_LIST(UTP_FIELD_META, __VA_ARGS__) }, \
	};
#endif

#endif
