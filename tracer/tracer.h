/*
 * The host side of the tracer: decode trace records into a trace set, name
 * and format events, export them. Used by the CLI (`uniscope trace`,
 * `uniscope run --trace`) and the TUI.
 *
 * One decoder for both sources, both untrusted and bounded:
 *	- the stream the guest drains over the trace channel (a file of frame
 *	  payloads back to back, or bytes fed as they arrive);
 *	- the rings read straight from guest memory through a read callback,
 *	  with no help from the guest; call again to follow a live guest.
 * Names, field names and formats come from the image's .uniscope_trace_meta
 * section (trace_meta_load), checked against the guest's build-id.
 *
 * Typical use:
 *	struct trace_set set;
 *	trace_set_init(&set);
 *	trace_meta_load(&set.meta, image, &err);          // names (optional)
 *	trace_decode_stream_file(&set, "trace.bin", &err); // or trace_decode_guest()
 *	trace_set_check_build_id(&set, &err);
 *	trace_set_sort(&set);
 *	trace_export_ctf(&set, "out-dir", &err);
 *	trace_set_free(&set);
 *
 * Functions returning int give 0 on success and -1 with err->msg set.
 * Library code never prints.
 */
#ifndef UNISCOPE_TRACER_H
#define UNISCOPE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <uniscope/trace.h>

struct trace_error {
	char msg[256];
};

/* ---- metadata -------------------------------------------------------------- */

struct trace_field_type {
	char name[UNISCOPE_TRACE_FIELD_NAME_MAX + 1];
	uint8_t type;       /* enum uniscope_trace_type */
	uint8_t slots;
	uint8_t first_slot; /* where the field starts in the payload */
};

struct trace_event_type {
	bool defined;
	uint16_t id;
	char name[UNISCOPE_TRACE_NAME_MAX + 1];
	char format[UNISCOPE_TRACE_FORMAT_MAX + 1];
	unsigned nr_fields;
	unsigned nr_slots;
	struct trace_field_type fields[UNISCOPE_TRACE_FIELDS_MAX];
};

struct trace_meta {
	struct trace_event_type types[UNISCOPE_TRACE_POINT_IDS];
	unsigned nr_types;
	uint8_t build_id[UNISCOPE_BUILD_ID_MAX]; /* of the image it came from */
	unsigned build_id_len;
};

/* Parses a .uniscope_trace_meta section; identical repeats are merged. */
int trace_meta_parse(struct trace_meta *m, const void *section, size_t len, struct trace_error *err);
/* Reads the section and the GNU build-id of an image (libelf). */
int trace_meta_load(struct trace_meta *m, const char *elf_path, struct trace_error *err);

/* ---- events ------------------------------------------------------------------- */

/* One decoded record, or a LOST marker (id UNISCOPE_TRACE_ID_LOST). */
struct trace_event {
	uint64_t tsc;
	uint64_t ns;        /* since boot; the raw tsc when the clock is unknown */
	uint64_t pos;       /* ring position (memory) or stream offset */
	uint64_t lost;      /* LOST: how many events are missing here */
	uint64_t slot_off;  /* payload: trace_event_slots() */
	uint32_t cpu;
	uint32_t tid;
	uint16_t id;
	uint16_t nr_slots;
};

struct trace_thread {
	uint32_t tid;
	char name[UNISCOPE_THREAD_NAME_MAX + 1];
};

/* What each CPU's source said, and decoder state. */
struct trace_cpu {
	bool seen;
	uint64_t lost, overwritten;  /* the guest's cumulative counters, last seen */
	uint64_t missing;            /* events reported as LOST on this CPU */
	uint64_t records_expected;   /* stream: events_before of the next chunk */
	uint64_t next_pos;           /* memory: where the last read ended */
	uint64_t *seen_pos;          /* memory: decoded records maybe still in the ring */
	size_t nr_seen, cap_seen;
	uint64_t pending_lost;       /* LOST to place before the next record */
};

struct trace_stats {
	uint64_t records;        /* decoded */
	uint64_t corrupt;        /* records rejected as malformed */
	uint64_t unknown;        /* well-formed records of an event with no metadata */
	uint64_t skipped_bytes;  /* stream bytes skipped to resynchronise */
	uint64_t truncated_bytes;/* a partial record at the end of the input */
};

struct trace_set {
	char name[64];                /* what was traced (session, core, stream file), or "" */
	struct trace_meta meta;
	uint64_t tsc_hz, boot_tsc;    /* 0 until known */
	uint8_t build_id[UNISCOPE_BUILD_ID_MAX]; /* of the traced guest */
	unsigned build_id_len;
	uint32_t nr_cpus;
	struct trace_event *events;
	size_t nr_events, cap_events;
	uint64_t *slots;
	size_t nr_slots, cap_slots;
	struct trace_thread *threads; /* sorted by tid */
	size_t nr_threads, cap_threads;
	struct trace_cpu cpus[UNISCOPE_TRACE_MAX_RINGS]; /* per ring: kind * MAX_CPUS + cpu */
	struct trace_stats stats;
	int32_t stream_cpu;           /* ring of the current stream chunk, -1 before one */
	uint64_t stream_offset;       /* bytes of stream consumed so far */
	bool stream_resync;           /* skipping damage up to the next chunk */
	bool out_of_memory;
};

void trace_set_init(struct trace_set *s);
void trace_set_free(struct trace_set *s);
/* Converts every event's tsc to ns from now on (and those already decoded). */
void trace_set_clock(struct trace_set *s, uint64_t tsc_hz, uint64_t boot_tsc);
int trace_set_thread_name(struct trace_set *s, uint32_t tid, const char *name);
/* Fails when both the image's and the guest's build-ids are known and differ. */
int trace_set_check_build_id(const struct trace_set *s, struct trace_error *err);
/*
 * Appends one event (its payload copied from slots, e->nr_slots of them);
 * NULL when out of memory. Decoders use it; so can tests and importers.
 */
struct trace_event *trace_set_append(struct trace_set *s, const struct trace_event *e,
				     const uint64_t *slots);
/* Orders events by time, keeping decode order among equal timestamps. */
void trace_set_sort(struct trace_set *s);

/*
 * Stream: decodes the whole records in buf; returns the bytes consumed.
 * Feed the unconsumed rest again with more data. at_end: the input ends
 * here, so a partial record is counted as truncated and consumed.
 */
size_t trace_decode_stream(struct trace_set *s, const uint8_t *buf, size_t len, bool at_end);
/*
 * Whether buf, the start of a stream, is one this decoder reads: a
 * STREAM_INFO record of UNISCOPE_TRACE_VERSION first. 0, or -1 with err
 * saying what it is not (empty, too short, not a stream, another version).
 */
int trace_stream_check_start(const uint8_t *buf, size_t len, struct trace_error *err);
/* A stream file, refused unless trace_stream_check_start() accepts its start. */
int trace_decode_stream_file(struct trace_set *s, const char *path, struct trace_error *err);
/* What the decoder skipped, in words ("3 corrupt records, 72 bytes skipped..."); "" when nothing. */
size_t trace_stats_describe(const struct trace_stats *st, char *buf, size_t cap);

/* Reads len bytes of guest memory at guest_vaddr; 0 on success. */
typedef int (*trace_read_fn)(void *ctx, uint64_t guest_vaddr, void *buf, size_t len);

/*
 * Memory: decodes the rings of the struct uniscope_trace_info at
 * trace_info. Each call appends only records not seen by the previous one
 * and reports, as LOST, those overwritten in between.
 */
int trace_decode_memory(struct trace_set *s, trace_read_fn read, void *ctx, uint64_t trace_info,
			struct trace_error *err);
/* The same from the guest descriptor (struct uniscope_info): clock and build-id too. */
int trace_decode_guest(struct trace_set *s, trace_read_fn read, void *ctx, uint64_t uniscope_info,
		       struct trace_error *err);

/* ---- naming and formatting ---------------------------------------------------- */

const uint64_t *trace_event_slots(const struct trace_set *s, const struct trace_event *e);
/* The event's name: from metadata, "lost", or "event_<id>". Never NULL. */
const char *trace_event_name(const struct trace_set *s, uint16_t id, char *buf, size_t cap);
/* The thread's name, or NULL if unknown. */
const char *trace_thread_name(const struct trace_set *s, uint32_t tid);
/* syscalls.c: a Linux x86-64 system call's name, or NULL; the table by index. */
const char *trace_syscall_name(uint64_t nr);
size_t trace_syscall_count(void);
const char *trace_syscall_at(size_t i, uint64_t *nr);

/* One field of an event, decoded. */
struct trace_field_value {
	const char *name;
	uint8_t type; /* enum uniscope_trace_type */
	uint64_t u64; /* numbers (s64 as two's complement) */
	char str[UNISCOPE_TRACE_STR_SLOTS * 8 + 1];
};
/* Field i of e; -1 when e has no field i (or no metadata). */
int trace_event_field(const struct trace_set *s, const struct trace_event *e, unsigned i,
		      struct trace_field_value *v);
unsigned trace_event_nr_fields(const struct trace_set *s, const struct trace_event *e);

/* The fields rendered by the event's format: "prev=producer-0:3 ...". */
size_t trace_event_format_fields(const struct trace_set *s, const struct trace_event *e, char *buf,
				 size_t cap);
/* One line, trace-cmd style, no newline: "producer-0-3 [000] 1.000042: sched_switch: ...". */
size_t trace_event_format(const struct trace_set *s, const struct trace_event *e, char *buf,
			  size_t cap);

/* ---- exporters ------------------------------------------------------------------ */

int trace_export_text(const struct trace_set *s, FILE *out, struct trace_error *err);
/* Chrome / Perfetto JSON: thread tracks, scheduling slices, instants, µs. */
int trace_export_json(const struct trace_set *s, FILE *out, struct trace_error *err);
/* CTF 1.8: dir/metadata and one stream file per CPU (dir is created). */
int trace_export_ctf(const struct trace_set *s, const char *dir, struct trace_error *err);

#endif
