/*
 * The decoder: trace records from the channel stream and from guest
 * memory, into one trace set (tracer/tracer.h). Both inputs are untrusted:
 * every size is checked before use, every loop is bounded by the input
 * length or the ring size, and damage is counted, never fatal.
 *
 * Losses become LOST events, placed just before the next record of their
 * CPU, with exact counts:
 *	stream  each CHUNK carries the ring's cumulative lost/overwritten
 *	        counters and how many records were drained before it; the
 *	        difference to what arrived covers chunks the channel dropped.
 *	memory  the ring's counters at the first read; on later reads, the
 *	        records overwritten since, less those already seen.
 */
#include <stdlib.h>
#include <string.h>

#include "tracer.h"

#define STREAM_INFO_SIZE (UNISCOPE_TRACE_HEADER_SIZE + sizeof(struct uniscope_trace_stream_info))

static int fail(struct trace_error *err, const char *msg, uint64_t value)
{
	if (err)
		snprintf(err->msg, sizeof(err->msg), msg, (unsigned long long)value);
	return -1;
}

static bool valid_size(uint64_t size)
{
	return size >= UNISCOPE_TRACE_HEADER_SIZE && size <= UNISCOPE_TRACE_RECORD_MAX &&
	       size % 8 == 0;
}

static void read_header(const uint8_t *p, struct uniscope_trace_record *h)
{
	memcpy(h, p, sizeof(*h));
}

/* thread_create names its thread: remember it for every later event. */
static void learn_thread_name(struct trace_set *s, const struct trace_event *e,
			      const uint64_t *slots)
{
	const struct trace_event_type *t = &s->meta.types[UNISCOPE_TRACE_ID_THREAD_CREATE];
	char name[UNISCOPE_TRACE_STR_SLOTS * 8 + 1];

	if (e->id != UNISCOPE_TRACE_ID_THREAD_CREATE || !t->defined || t->nr_fields < 2 ||
	    t->fields[0].type != UNISCOPE_TRACE_TID || t->fields[1].type != UNISCOPE_TRACE_STR ||
	    t->nr_slots > e->nr_slots)
		return;
	memcpy(name, slots + t->fields[1].first_slot, UNISCOPE_TRACE_STR_SLOTS * 8);
	name[sizeof(name) - 1] = 0;
	trace_set_thread_name(s, (uint32_t)slots[t->fields[0].first_slot], name);
}

/*
 * Decoder state is kept per ring: ring index kind * MAX_CPUS + cpu (a CPU's
 * main and evidence rings lose events independently). Events carry the CPU.
 */
static uint32_t ring_index(uint32_t cpu, uint32_t kind)
{
	return kind * UNISCOPE_TRACE_MAX_CPUS + cpu;
}

static uint32_t ring_cpu(uint32_t ring)
{
	return ring % UNISCOPE_TRACE_MAX_CPUS;
}

static void add_lost(struct trace_set *s, uint32_t ring, uint64_t tsc, uint64_t pos)
{
	struct trace_event e = { .tsc = tsc, .pos = pos, .cpu = ring_cpu(ring),
				 .id = UNISCOPE_TRACE_ID_LOST };

	e.lost = s->cpus[ring].pending_lost;
	s->cpus[ring].pending_lost = 0;
	if (e.lost && trace_set_append(s, &e, NULL))
		s->cpus[ring].missing += e.lost;
}

/* One trace point record of a ring at pos; p has hdr->size bytes. */
static void add_record(struct trace_set *s, uint32_t ring, uint64_t pos, const uint8_t *p,
		       const struct uniscope_trace_record *hdr)
{
	uint64_t slots[UNISCOPE_TRACE_SLOTS_MAX];
	struct trace_event e = {
		.tsc = hdr->tsc, .pos = pos, .cpu = ring_cpu(ring), .tid = hdr->tid, .id = hdr->event,
		.nr_slots = (uint16_t)((hdr->size - UNISCOPE_TRACE_HEADER_SIZE) / 8),
	};

	if (hdr->event == 0 || hdr->event >= UNISCOPE_TRACE_POINT_IDS) {
		s->stats.corrupt++;
		return;
	}
	memcpy(slots, p + UNISCOPE_TRACE_HEADER_SIZE, e.nr_slots * 8u);
	if (s->cpus[ring].pending_lost)
		add_lost(s, ring, hdr->tsc, pos);
	if (!s->meta.types[e.id].defined)
		s->stats.unknown++;
	if (trace_set_append(s, &e, slots)) {
		s->stats.records++;
		learn_thread_name(s, &e, slots);
	}
}

/* ---- stream ---------------------------------------------------------------------- */

static void stream_info(struct trace_set *s, const uint8_t *p)
{
	struct uniscope_trace_stream_info info;

	memcpy(&info, p + UNISCOPE_TRACE_HEADER_SIZE, sizeof(info));
	if (info.version != UNISCOPE_TRACE_VERSION) { /* a stream we cannot read restarted here */
		s->stats.corrupt++;
		return;
	}
	if (info.tsc_hz)
		trace_set_clock(s, info.tsc_hz, info.boot_tsc);
	s->build_id_len = info.build_id_len <= UNISCOPE_BUILD_ID_MAX ? info.build_id_len : 0;
	memcpy(s->build_id, info.build_id, s->build_id_len);
}

/* Saturating: a counter that went backwards means a guest restart, not a loss. */
static uint64_t delta(uint64_t now, uint64_t before)
{
	return now > before ? now - before : 0;
}

static void stream_chunk(struct trace_set *s, const uint8_t *p, uint64_t tsc)
{
	struct uniscope_trace_chunk c;
	struct trace_cpu *cpu;
	uint32_t ring;

	memcpy(&c, p + UNISCOPE_TRACE_HEADER_SIZE, sizeof(c));
	if (c.cpu >= UNISCOPE_TRACE_MAX_CPUS || c.ring >= UNISCOPE_TRACE_RING_KINDS) {
		s->stats.corrupt++;
		s->stream_cpu = -1;
		return;
	}
	ring = ring_index(c.cpu, c.ring);
	cpu = &s->cpus[ring];
	cpu->pending_lost += delta(c.events_before, cpu->records_expected) +
			     delta(c.lost, cpu->lost) + delta(c.overwritten, cpu->overwritten);
	cpu->records_expected = c.events_before + c.records;
	cpu->lost = c.lost;
	cpu->overwritten = c.overwritten;
	cpu->seen = true;
	s->stream_cpu = (int32_t)ring;
	if (c.cpu >= s->nr_cpus)
		s->nr_cpus = c.cpu + 1u;
	if (c.records == 0)
		add_lost(s, ring, tsc, s->stream_offset);
}

/* A CHUNK or STREAM_INFO header: where decoding can pick up after damage. */
static bool is_sync_point(const struct uniscope_trace_record *h)
{
	return (h->event == UNISCOPE_TRACE_ID_CHUNK && h->size == UNISCOPE_TRACE_CHUNK_SIZE) ||
	       (h->event == UNISCOPE_TRACE_ID_STREAM_INFO && h->size == STREAM_INFO_SIZE);
}

static void stream_thread_name(struct trace_set *s, const uint8_t *p)
{
	char name[UNISCOPE_TRACE_STR_SLOTS * 8 + 1] = "";
	uint64_t tid;

	memcpy(&tid, p + UNISCOPE_TRACE_HEADER_SIZE, 8);
	memcpy(name, p + UNISCOPE_TRACE_HEADER_SIZE + 8, UNISCOPE_TRACE_STR_SLOTS * 8);
	if (tid <= UINT32_MAX)
		trace_set_thread_name(s, (uint32_t)tid, name);
}

static void stream_record(struct trace_set *s, const uint8_t *p,
			  const struct uniscope_trace_record *h)
{
	if (h->event == UNISCOPE_TRACE_ID_STREAM_INFO && h->size == STREAM_INFO_SIZE)
		stream_info(s, p);
	else if (h->event == UNISCOPE_TRACE_ID_THREAD_NAME && h->size == UNISCOPE_TRACE_THREAD_NAME_SIZE)
		stream_thread_name(s, p);
	else if (h->event == UNISCOPE_TRACE_ID_CHUNK && h->size == UNISCOPE_TRACE_CHUNK_SIZE)
		stream_chunk(s, p, h->tsc);
	else
		add_record(s, s->stream_cpu < 0 ? 0 : (uint32_t)s->stream_cpu, s->stream_offset, p, h);
}

size_t trace_decode_stream(struct trace_set *s, const uint8_t *buf, size_t len, bool at_end)
{
	size_t off = 0;

	while (len - off >= UNISCOPE_TRACE_HEADER_SIZE) {
		struct uniscope_trace_record h;

		read_header(buf + off, &h);
		if (s->stream_resync ? !is_sync_point(&h) : !valid_size(h.size)) {
			s->stats.corrupt += !s->stream_resync;
			s->stream_resync = true;
			s->stats.skipped_bytes += 8;
			s->stream_offset += 8;
			off += 8;
			continue;
		}
		if (len - off < h.size)
			break;
		s->stream_resync = false;
		stream_record(s, buf + off, &h);
		s->stream_offset += h.size;
		off += h.size;
	}
	if (at_end && off < len) {
		s->stats.truncated_bytes += len - off;
		s->stream_offset += len - off;
		off = len;
	}
	return off;
}

int trace_stream_check_start(const uint8_t *buf, size_t len, struct trace_error *err)
{
	struct uniscope_trace_record h;
	struct uniscope_trace_stream_info info;

	if (len == 0)
		return fail(err, "trace: empty: not a uniscope trace stream", 0);
	if (len < STREAM_INFO_SIZE)
		return fail(err, "trace: %llu bytes is too short for a uniscope trace stream", len);
	read_header(buf, &h);
	if (h.event != UNISCOPE_TRACE_ID_STREAM_INFO || h.size != STREAM_INFO_SIZE)
		return fail(err, "trace: not a uniscope trace stream (no STREAM_INFO record at its start)",
			    0);
	memcpy(&info, buf + UNISCOPE_TRACE_HEADER_SIZE, sizeof(info));
	if (info.version != UNISCOPE_TRACE_VERSION) {
		if (err)
			snprintf(err->msg, sizeof(err->msg), "trace: stream version %u, this uniscope "
				 "reads version %u", info.version, UNISCOPE_TRACE_VERSION);
		return -1;
	}
	return 0;
}

int trace_decode_stream_file(struct trace_set *s, const char *path, struct trace_error *err)
{
	static uint8_t buf[1 << 16];
	FILE *f = fopen(path, "rb");
	size_t have = 0, n, used;
	bool checked = false;

	if (!f) {
		if (err)
			snprintf(err->msg, sizeof(err->msg), "%s: cannot open: %m", path);
		return -1;
	}
	while ((n = fread(buf + have, 1, sizeof(buf) - have, f)) > 0) {
		have += n;
		if (!checked && have >= STREAM_INFO_SIZE) {
			if (trace_stream_check_start(buf, have, err) < 0) {
				fclose(f);
				return -1;
			}
			checked = true;
		}
		used = trace_decode_stream(s, buf, have, false);
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	if (!checked && !ferror(f) && trace_stream_check_start(buf, have, err) < 0) {
		fclose(f);
		return -1;
	}
	trace_decode_stream(s, buf, have, true);
	if (ferror(f)) {
		if (err)
			snprintf(err->msg, sizeof(err->msg), "%s: read error: %m", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return s->out_of_memory ? fail(err, "trace: out of memory after %llu records",
				       s->stats.records) : 0;
}

size_t trace_stats_describe(const struct trace_stats *st, char *buf, size_t cap)
{
	size_t len = 0;
	const struct {
		uint64_t n;
		const char *what;
	} parts[] = {
		{ st->corrupt, "corrupt records rejected" },
		{ st->skipped_bytes, "bytes skipped to resynchronise" },
		{ st->truncated_bytes, "bytes of a truncated record at the end" },
	};

	if (cap)
		buf[0] = 0;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (!parts[i].n || len >= cap)
			continue;
		int n = snprintf(buf + len, cap - len, "%s%llu %s", len ? ", " : "",
				 (unsigned long long)parts[i].n, parts[i].what);
		len = n < 0 ? len : len + (size_t)n < cap ? len + (size_t)n : cap - 1;
	}
	return len;
}

/* ---- memory ------------------------------------------------------------------------ */

static int check_ring(const struct uniscope_trace_ring *r, uint32_t ring, struct trace_error *err)
{
	uint32_t cpu = ring_cpu(ring);

	if (r->magic != UNISCOPE_TRACE_RING_MAGIC)
		return fail(err, "trace: ring of cpu %llu has a bad magic (not initialised yet?)", cpu);
	if (ring_index(r->cpu, r->kind) != ring)
		return fail(err, "trace: a ring of cpu %llu says it is another CPU's or kind's", cpu);
	if (r->size < UNISCOPE_TRACE_RING_MIN || r->size > UNISCOPE_TRACE_RING_MAX ||
	    (r->size & (r->size - 1)))
		return fail(err, "trace: ring size %llu is not a power of two in range", r->size);
	if (!(r->tail <= r->commit && r->commit <= r->head && r->commit - r->tail <= r->size))
		return fail(err, "trace: ring of cpu %llu has inconsistent positions", cpu);
	return 0;
}

/*
 * The positions of the records of cpu decoded so far that may still be in
 * the ring, oldest first: when tail passes them, the overwritten counter
 * counts them too, but they are not missing.
 */
static uint64_t forget_seen_below(struct trace_cpu *c, uint64_t tail)
{
	size_t n = 0;

	while (n < c->nr_seen && c->seen_pos[n] < tail)
		n++;
	memmove(c->seen_pos, c->seen_pos + n, (c->nr_seen - n) * sizeof(*c->seen_pos));
	c->nr_seen -= n;
	return n;
}

static void remember_seen(struct trace_set *s, struct trace_cpu *c, uint64_t pos)
{
	if (c->nr_seen == c->cap_seen) {
		size_t cap = c->cap_seen ? 2 * c->cap_seen : 1024;
		uint64_t *p = realloc(c->seen_pos, cap * sizeof(*p));
		if (!p) {
			s->out_of_memory = true;
			return;
		}
		c->seen_pos = p;
		c->cap_seen = cap;
	}
	c->seen_pos[c->nr_seen++] = pos;
}

/* How many events went missing since the last read of this ring. */
static void account_losses(struct trace_set *s, uint32_t cpu, const struct uniscope_trace_ring *r)
{
	struct trace_cpu *c = &s->cpus[cpu];
	uint64_t missing = delta(r->lost, c->lost) + delta(r->overwritten, c->overwritten);

	c->pending_lost += delta(missing, forget_seen_below(c, r->tail));
	c->lost = r->lost;
	c->overwritten = r->overwritten;
}

static void walk_ring(struct trace_set *s, uint32_t cpu, const struct uniscope_trace_ring *r,
		      const uint8_t *data, uint64_t from, uint64_t end)
{
	uint64_t pos = from;

	while (pos < end) {
		const uint8_t *p = data + (pos & (r->size - 1));
		struct uniscope_trace_record h;

		read_header(p, &h);
		if (!valid_size(h.size) || pos + h.size > end) {
			s->stats.corrupt++;
			break;
		}
		add_record(s, cpu, pos, p, &h);
		remember_seen(s, &s->cpus[cpu], pos);
		pos += h.size;
	}
	s->cpus[cpu].next_pos = end;
}

/*
 * Copy the ring, then read its header again: records below the new tail
 * may have been overwritten while we copied; those above are intact.
 */
static int read_ring(struct trace_set *s, trace_read_fn read, void *ctx, uint32_t cpu,
		     uint64_t addr, struct trace_error *err)
{
	struct uniscope_trace_ring before, after;
	uint8_t *data;
	uint64_t from;

	if (read(ctx, addr, &before, sizeof(before)) != 0)
		return fail(err, "trace: cannot read the ring header at %#llx", addr);
	if (check_ring(&before, cpu, err) < 0)
		return -1;
	data = malloc(before.size + UNISCOPE_TRACE_RECORD_MAX);
	if (!data)
		return fail(err, "trace: out of memory for a ring of %llu bytes", before.size);
	if (read(ctx, before.data, data, before.size + UNISCOPE_TRACE_RECORD_MAX) != 0 ||
	    read(ctx, addr, &after, sizeof(after)) != 0) {
		free(data);
		return fail(err, "trace: cannot read the ring data at %#llx", before.data);
	}
	from = after.tail > before.tail ? after.tail : before.tail;
	if (s->cpus[cpu].seen && s->cpus[cpu].next_pos > from)
		from = s->cpus[cpu].next_pos;
	account_losses(s, cpu, &after);
	if (from < before.commit)
		walk_ring(s, cpu, &before, data, from, before.commit);
	s->cpus[cpu].seen = true;
	free(data);
	return 0;
}

int trace_decode_memory(struct trace_set *s, trace_read_fn read, void *ctx, uint64_t trace_info,
			struct trace_error *err)
{
	struct uniscope_trace_info info;

	if (!trace_info)
		return fail(err, "trace: the guest has no trace ring (uniscope_info.trace is %llu)", 0);
	if (read(ctx, trace_info, &info, sizeof(info)) != 0)
		return fail(err, "trace: cannot read the trace descriptor at %#llx", trace_info);
	if (info.magic != UNISCOPE_TRACE_MAGIC || info.version != UNISCOPE_TRACE_VERSION)
		return fail(err, "trace: no trace descriptor of version " "%llu at the address given",
			    UNISCOPE_TRACE_VERSION);
	if (info.nr_cpus == 0 || info.nr_cpus > UNISCOPE_TRACE_MAX_CPUS)
		return fail(err, "trace: the descriptor claims %llu CPUs", info.nr_cpus);
	if (info.nr_kinds == 0 || info.nr_kinds > UNISCOPE_TRACE_RING_KINDS)
		return fail(err, "trace: the descriptor claims %llu ring kinds", info.nr_kinds);
	for (uint32_t kind = 0; kind < info.nr_kinds; kind++)
		for (uint32_t cpu = 0; cpu < info.nr_cpus; cpu++)
			if (read_ring(s, read, ctx, ring_index(cpu, kind),
				      info.rings[kind * info.nr_cpus + cpu], err) < 0)
				return -1;
	if (info.nr_cpus > s->nr_cpus)
		s->nr_cpus = info.nr_cpus;
	return s->out_of_memory ? fail(err, "trace: out of memory after %llu records",
				       s->stats.records) : 0;
}

int trace_decode_guest(struct trace_set *s, trace_read_fn read, void *ctx, uint64_t uniscope_info,
		       struct trace_error *err)
{
	struct uniscope_info info;

	if (read(ctx, uniscope_info, &info, sizeof(info)) != 0)
		return fail(err, "trace: cannot read the guest descriptor at %#llx", uniscope_info);
	if (info.magic != UNISCOPE_INFO_MAGIC || info.size < sizeof(info))
		return fail(err, "trace: no guest descriptor at %#llx", uniscope_info);
	if (info.tsc_hz)
		trace_set_clock(s, info.tsc_hz, info.boot_tsc);
	s->build_id_len = info.build_id_len <= UNISCOPE_BUILD_ID_MAX ? info.build_id_len : 0;
	memcpy(s->build_id, info.build_id, s->build_id_len);
	return trace_decode_memory(s, read, ctx, info.trace, err);
}
