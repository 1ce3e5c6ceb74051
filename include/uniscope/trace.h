/*
 * The trace contract: record and ring layouts in guest memory, the stream
 * the guest drains over the trace channel, the trace point metadata in the
 * image. Shared by the libOS (libos/kern/trace.c), the portable ring
 * (tracer/ring.c, API in tracer/ring.h) and the host decoder (tracer/).
 * The guest's side of a trace point (UNISCOPE_TRACE_POINT and the emit
 * functions it calls) is libos/api/uniscope/trace_point.h, which host code
 * never includes. All fields are fixed width and little-endian.
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

#include <uniscope/abi.h>

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

/*
 * A metadata record: this header, then its text, `size - sizeof(header)`
 * bytes: the event's name, its format and each field's name, in order,
 * each ending in a NUL (at most UNISCOPE_TRACE_NAME_MAX - 1,
 * UNISCOPE_TRACE_FORMAT_MAX - 1 and UNISCOPE_TRACE_FIELD_NAME_MAX - 1
 * characters). A field takes one payload slot, a string
 * UNISCOPE_TRACE_STR_SLOTS. Records start on 4-byte boundaries.
 * Version 3 replaced version 2's fixed 336-byte records (padded names):
 * the metadata of a small image went from 5.6 KiB to about 1 KiB.
 */
#define UNISCOPE_TRACE_META_VERSION 3
struct uniscope_trace_meta {
	uint32_t magic;   /* UNISCOPE_TRACE_META_MAGIC */
	uint16_t size;    /* the whole record, header and text */
	uint8_t version;  /* UNISCOPE_TRACE_META_VERSION */
	uint8_t nr_fields;
	uint16_t event;   /* id */
	uint8_t types[UNISCOPE_TRACE_FIELDS_MAX]; /* enum uniscope_trace_type, per field */
	char text[];
};
_Static_assert(sizeof(struct uniscope_trace_meta) == 16, "meta record header");

/* A CHUNK record's size. */
#define UNISCOPE_TRACE_CHUNK_SIZE (UNISCOPE_TRACE_HEADER_SIZE + sizeof(struct uniscope_trace_chunk))

#endif
