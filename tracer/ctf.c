/*
 * CTF 1.8 export: DIR/metadata (TSDL text) and one binary stream file per
 * CPU, DIR/stream_<cpu>, that babeltrace2 and Trace Compass read.
 *
 * Layout: one stream class; every packet has a header (magic, stream id)
 * and a context with timestamp_begin/end, content and packet size,
 * packet_seq_num and events_discarded, the cumulative count of lost events
 * on that CPU. A LOST event closes the packet before it, so the next one
 * carries the higher count and viewers report the loss exactly where it
 * happened. Events have a header (id, ns timestamp), a stream event
 * context (tid) and the fields of their trace point; events with no
 * metadata keep their raw payload as a sequence. All little-endian, byte
 * aligned, so a packet is written as it is built.
 *
 * The trace says what it is: a random UUID (in the metadata and every
 * packet header, as CTF wants), a trace_name in its environment (the
 * session, core or stream traced), and the threads' names, which live in
 * the guest's thread list and not in the ring, as `thread_name` events
 * (tid, name) at the head of CPU 0's stream, the way LTTng's state dump
 * names processes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "tracer.h"

#define CTF_MAGIC 0xc1fc1fc1u
#define PACKET_MAX (64 * 1024)
#define UUID_SIZE 16
#define PACKET_HEADER_SIZE (4 + UUID_SIZE + 4 + 8 * 6 + 4)
#define THREAD_NAME_ID UNISCOPE_TRACE_POINT_IDS /* not a trace point: the host's */

struct packet {
	FILE *f;
	const uint8_t *uuid;
	uint8_t buf[PACKET_MAX + 256];
	size_t len;
	uint32_t cpu;
	uint64_t seq, discarded, discarded_written, begin_ns, end_ns;
	unsigned events;
};

static int fail(struct trace_error *err, const char *what, const char *path)
{
	if (err)
		snprintf(err->msg, sizeof(err->msg), "trace: cannot %s %.160s: %s", what, path,
			 strerror(errno));
	return -1;
}

/* ---- metadata ------------------------------------------------------------------- */

static const char *ctf_type(uint8_t type)
{
	switch (type) {
	case UNISCOPE_TRACE_S64: return "int64_t";
	case UNISCOPE_TRACE_HEX: return "hex64_t";
	case UNISCOPE_TRACE_TID: return "uint32_t";
	case UNISCOPE_TRACE_STATE: return "thread_state_t";
	case UNISCOPE_TRACE_STR: return "string";
	default: return "uint64_t";
	}
}

/* A random (version 4) UUID; from the clock when the kernel gives no randomness. */
static void make_uuid(uint8_t uuid[UUID_SIZE])
{
	if (getrandom(uuid, UUID_SIZE, GRND_NONBLOCK) != UUID_SIZE) {
		uint64_t t[2] = { (uint64_t)time(NULL), (uint64_t)clock() ^ (uint64_t)(uintptr_t)uuid };
		memcpy(uuid, t, UUID_SIZE);
	}
	uuid[6] = (uuid[6] & 0x0f) | 0x40;
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
}

static void put_uuid(FILE *f, const uint8_t *u)
{
	for (int i = 0; i < UUID_SIZE; i++)
		fprintf(f, "%02x%s", u[i], i == 3 || i == 5 || i == 7 || i == 9 ? "-" : "");
}

/* A TSDL string: printable, no quote or backslash (names come from the guest). */
static void put_tsdl_string(FILE *f, const char *text)
{
	fputc('"', f);
	for (; *text; text++)
		fputc(*text >= 0x20 && *text < 0x7f && *text != '"' && *text != '\\' ? *text : '_', f);
	fputc('"', f);
}

static void put_preamble(const struct trace_set *s, const uint8_t *uuid, FILE *f)
{
	fputs("/* CTF 1.8 */\n\n"
	      "typealias integer { size = 8; align = 8; signed = false; } := uint8_t;\n"
	      "typealias integer { size = 16; align = 8; signed = false; } := uint16_t;\n"
	      "typealias integer { size = 32; align = 8; signed = false; } := uint32_t;\n"
	      "typealias integer { size = 64; align = 8; signed = false; } := uint64_t;\n"
	      "typealias integer { size = 64; align = 8; signed = true; } := int64_t;\n"
	      "typealias integer { size = 64; align = 8; signed = false; base = 16; } := hex64_t;\n"
	      "typealias enum : uint32_t { RUNNABLE = 0, RUNNING = 1, BLOCKED = 2, SLEEPING = 3,"
	      " EXITED = 4 } := thread_state_t;\n\n"
	      "trace {\n\tmajor = 1;\n\tminor = 8;\n\tbyte_order = le;\n\tuuid = \"", f);
	put_uuid(f, uuid);
	fputs("\";\n\tpacket.header := struct {\n\t\tuint32_t magic;\n\t\tuint8_t uuid[16];\n"
	      "\t\tuint32_t stream_id;\n\t};\n};\n\n", f);
	fputs("env {\n\tdomain = \"uniscope\";\n\ttracer_name = \"uniscope\";\n\ttrace_name = ", f);
	put_tsdl_string(f, s->name[0] ? s->name : "uniscope");
	fprintf(f, ";\n\ttsc_hz = %" PRIu64 ";\n\tbuild_id = \"", s->tsc_hz);
	for (unsigned i = 0; i < s->build_id_len; i++)
		fprintf(f, "%02x", s->build_id[i]);
	fputs("\";\n};\n\n"
	      "clock {\n\tname = \"guest\";\n\tdescription = \"guest time since boot\";\n"
	      "\tfreq = 1000000000;\n\toffset = 0;\n};\n\n"
	      "typealias integer { size = 64; align = 8; signed = false; map = clock.guest.value; }"
	      " := clock_t;\n\n"
	      "stream {\n\tid = 0;\n"
	      "\tpacket.context := struct {\n\t\tclock_t timestamp_begin;\n\t\tclock_t timestamp_end;\n"
	      "\t\tuint64_t content_size;\n\t\tuint64_t packet_size;\n\t\tuint64_t packet_seq_num;\n"
	      "\t\tuint64_t events_discarded;\n\t\tuint32_t cpu_id;\n\t};\n"
	      "\tevent.header := struct {\n\t\tuint16_t id;\n\t\tclock_t timestamp;\n\t};\n"
	      "\tevent.context := struct {\n\t\tuint32_t tid;\n\t};\n};\n\n", f);
}

static void put_event_class(const struct trace_event_type *t, FILE *f)
{
	fprintf(f, "event {\n\tname = \"%s\";\n\tid = %u;\n\tstream_id = 0;\n\tfields := struct {\n",
		t->name, t->id);
	for (unsigned i = 0; i < t->nr_fields; i++)
		fprintf(f, "\t\t%s _%s;\n", ctf_type(t->fields[i].type), t->fields[i].name);
	fputs("\t};\n};\n\n", f);
}

/* An event with no metadata: its raw slots. */
static void put_raw_class(uint16_t id, FILE *f)
{
	fprintf(f, "event {\n\tname = \"event_%u\";\n\tid = %u;\n\tstream_id = 0;\n"
		"\tfields := struct {\n\t\tuint16_t _nr_slots;\n\t\tuint64_t _slots[_nr_slots];\n"
		"\t};\n};\n\n", id, id);
}

static void put_thread_name_class(FILE *f)
{
	fprintf(f, "event {\n\tname = \"thread_name\";\n\tid = %u;\n\tstream_id = 0;\n"
		"\tfields := struct {\n\t\tuint32_t _tid;\n\t\tstring _name;\n\t};\n};\n\n",
		THREAD_NAME_ID);
}

static int write_metadata(const struct trace_set *s, const uint8_t *uuid, const char *dir,
			  struct trace_error *err)
{
	bool used[UNISCOPE_TRACE_POINT_IDS] = { false };
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%.4000s/metadata", dir);
	if (!(f = fopen(path, "w")))
		return fail(err, "create", path);
	put_preamble(s, uuid, f);
	put_thread_name_class(f);
	for (size_t i = 0; i < s->nr_events; i++)
		if (s->events[i].id < UNISCOPE_TRACE_POINT_IDS)
			used[s->events[i].id] = true;
	for (uint16_t id = 1; id < UNISCOPE_TRACE_POINT_IDS; id++) {
		if (s->meta.types[id].defined)
			put_event_class(&s->meta.types[id], f);
		else if (used[id])
			put_raw_class(id, f);
	}
	if (fclose(f) != 0)
		return fail(err, "write", path);
	return 0;
}

/* ---- streams ----------------------------------------------------------------------- */

static void put_bytes(struct packet *p, const void *v, size_t n)
{
	memcpy(p->buf + p->len, v, n);
	p->len += n;
}

static void put_u16(struct packet *p, uint16_t v) { put_bytes(p, &v, 2); }
static void put_u32(struct packet *p, uint32_t v) { put_bytes(p, &v, 4); }
static void put_u64(struct packet *p, uint64_t v) { put_bytes(p, &v, 8); }

static void put_field(struct packet *p, const struct trace_field_value *v)
{
	if (v->type == UNISCOPE_TRACE_STR)
		put_bytes(p, v->str, strlen(v->str) + 1);
	else if (v->type == UNISCOPE_TRACE_TID || v->type == UNISCOPE_TRACE_STATE)
		put_u32(p, (uint32_t)v->u64);
	else
		put_u64(p, v->u64);
}

static void put_event(const struct trace_set *s, struct packet *p, const struct trace_event *e,
		      uint64_t ns)
{
	const struct trace_event_type *t = &s->meta.types[e->id];
	struct trace_field_value v;

	put_u16(p, e->id);
	put_u64(p, ns);
	put_u32(p, e->tid);
	if (!t->defined) {
		put_u16(p, e->nr_slots);
		put_bytes(p, trace_event_slots(s, e), e->nr_slots * 8u);
	}
	for (unsigned i = 0; t->defined && i < t->nr_fields; i++) {
		if (trace_event_field(s, e, i, &v) < 0) /* too short for its metadata */
			v = (struct trace_field_value){ .type = t->fields[i].type };
		put_field(p, &v);
	}
	if (!p->events++)
		p->begin_ns = ns;
	p->end_ns = ns;
}

static int flush_packet(struct packet *p)
{
	uint8_t header[PACKET_HEADER_SIZE];
	uint64_t bits = (uint64_t)(PACKET_HEADER_SIZE + p->len) * 8;
	uint64_t context[6] = { p->begin_ns, p->end_ns, bits, bits, p->seq, p->discarded };
	uint32_t magic = CTF_MAGIC, stream_id = 0;

	memcpy(header, &magic, 4);
	memcpy(header + 4, p->uuid, UUID_SIZE);
	memcpy(header + 4 + UUID_SIZE, &stream_id, 4);
	memcpy(header + 8 + UUID_SIZE, context, sizeof(context));
	memcpy(header + 8 + UUID_SIZE + sizeof(context), &p->cpu, 4);
	if (fwrite(header, 1, sizeof(header), p->f) != sizeof(header) ||
	    fwrite(p->buf, 1, p->len, p->f) != p->len)
		return -1;
	p->seq++;
	p->discarded_written = p->discarded;
	p->len = 0;
	p->events = 0;
	p->begin_ns = p->end_ns;
	return 0;
}

/* CPU 0's stream opens with the threads' names, at its first event's time. */
static void put_thread_names(const struct trace_set *s, struct packet *p)
{
	uint64_t ns = 0;

	for (size_t i = 0; i < s->nr_events; i++)
		if (s->events[i].cpu == p->cpu) {
			ns = s->events[i].ns;
			break;
		}
	for (size_t i = 0; i < s->nr_threads && p->len < PACKET_MAX; i++) {
		put_u16(p, THREAD_NAME_ID);
		put_u64(p, ns);
		put_u32(p, s->threads[i].tid);
		put_u32(p, s->threads[i].tid);
		put_bytes(p, s->threads[i].name, strlen(s->threads[i].name) + 1);
		if (!p->events++)
			p->begin_ns = ns;
		p->end_ns = ns;
	}
}

/* One CPU's events, in order; a LOST event starts a new packet. */
static int write_cpu_events(const struct trace_set *s, struct packet *p)
{
	uint64_t last_ns = 0;

	if (p->cpu == 0)
		put_thread_names(s, p);

	for (size_t i = 0; i < s->nr_events; i++) {
		const struct trace_event *e = &s->events[i];
		uint64_t ns = e->ns > last_ns ? e->ns : last_ns; /* never backwards in a stream */

		if (e->cpu != p->cpu)
			continue;
		if (e->id == UNISCOPE_TRACE_ID_LOST) {
			if ((p->events || p->seq == 0) && flush_packet(p) < 0)
				return -1;
			p->discarded += e->lost;
			continue;
		}
		if (e->id >= UNISCOPE_TRACE_POINT_IDS)
			continue;
		put_event(s, p, e, ns);
		last_ns = ns;
		if (p->len >= PACKET_MAX && flush_packet(p) < 0)
			return -1;
	}
	return p->events || p->seq == 0 || p->discarded != p->discarded_written ? flush_packet(p) : 0;
}

static int write_stream(const struct trace_set *s, const uint8_t *uuid, const char *dir,
			uint32_t cpu, struct trace_error *err)
{
	static struct packet p;
	char path[4096];
	int rc;

	snprintf(path, sizeof(path), "%.4000s/stream_%u", dir, cpu);
	memset(&p, 0, sizeof(p));
	p.cpu = cpu;
	p.uuid = uuid;
	if (!(p.f = fopen(path, "wb")))
		return fail(err, "create", path);
	rc = write_cpu_events(s, &p);
	if (fclose(p.f) != 0 || rc < 0)
		return fail(err, "write", path);
	return 0;
}

int trace_export_ctf(const struct trace_set *s, const char *dir, struct trace_error *err)
{
	uint32_t nr_cpus = s->nr_cpus ? s->nr_cpus : 1;
	uint8_t uuid[UUID_SIZE];

	make_uuid(uuid);
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return fail(err, "create the directory", dir);
	if (write_metadata(s, uuid, dir, err) < 0)
		return -1;
	for (uint32_t cpu = 0; cpu < nr_cpus && cpu < UNISCOPE_TRACE_MAX_CPUS; cpu++)
		if (write_stream(s, uuid, dir, cpu, err) < 0)
			return -1;
	return 0;
}
