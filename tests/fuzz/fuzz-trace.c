/*
 * libFuzzer target for the trace decoder (tracer/). Each input is used as:
 *	- a metadata section (its first part) and a stream (the rest): the
 *	  stream is decoded at once and again in input-derived pieces, and
 *	  both must agree; every event is then formatted and exported to
 *	  text and JSON;
 *	- guest memory holding a trace descriptor at address 0 and rings
 *	  wherever it says, read through a bounds-checked callback, twice
 *	  (the second read follows the first).
 * Nothing may crash, hang or read out of bounds; decoded events must be
 * well formed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tracer/tracer.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

struct memory {
	const uint8_t *data;
	size_t size;
};

static int read_input(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct memory *m = ctx;

	if (addr > m->size || len > m->size - addr)
		return -1;
	memcpy(buf, m->data + addr, len);
	return 0;
}

static void check_events(const struct trace_set *s)
{
	static FILE *null;
	char line[512];

	if (!null)
		null = fopen("/dev/null", "w");
	for (size_t i = 0; i < s->nr_events; i++) {
		const struct trace_event *e = &s->events[i];
		CHECK(e->nr_slots <= UNISCOPE_TRACE_SLOTS_MAX && e->cpu < UNISCOPE_TRACE_MAX_CPUS);
		CHECK(e->slot_off + e->nr_slots <= s->nr_slots);
		CHECK(e->id == UNISCOPE_TRACE_ID_LOST || (e->id > 0 && e->id < UNISCOPE_TRACE_POINT_IDS));
		trace_event_format(s, e, line, sizeof(line));
		CHECK(strlen(line) < sizeof(line));
	}
	trace_export_text(s, null, NULL);
	trace_export_json(s, null, NULL);
}

static void decode_stream(const struct trace_meta *meta, const uint8_t *data, size_t size)
{
	static struct trace_set whole, pieces;
	size_t pos = 0, step = 0, window = 0;

	trace_set_init(&whole);
	trace_set_init(&pieces);
	whole.meta = *meta;
	pieces.meta = *meta;
	CHECK(trace_decode_stream(&whole, data, size, true) == size);
	while (pos < size) {
		/* Offer what is not consumed yet plus a piece more, as a reader with a buffer does. */
		window += 1 + (data[step++ % size] * 13u) % 200;
		size_t end = window > size - pos ? size : pos + window;
		size_t used = trace_decode_stream(&pieces, data + pos, end - pos, end == size);
		CHECK(used <= end - pos && (end < size || used == end - pos));
		pos += used;
		window -= used < window ? used : window;
	}
	CHECK(pieces.nr_events == whole.nr_events && pieces.stats.corrupt == whole.stats.corrupt);
	check_events(&whole);
	trace_set_sort(&whole);
	trace_set_free(&whole);
	trace_set_free(&pieces);
}

static void decode_memory(const uint8_t *data, size_t size)
{
	static struct trace_set s;
	struct memory m = { data, size };
	struct trace_error err;

	trace_set_init(&s);
	if (trace_decode_memory(&s, read_input, &m, 0, &err) == 0)
		trace_decode_memory(&s, read_input, &m, 0, &err);
	check_events(&s);
	trace_set_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trace_meta meta;
	struct trace_error err;
	size_t split;

	if (size < 2)
		return 0;
	split = (data[0] * 8u) % (size - 1) + 1;
	if (data[1] & 1) {
		if (trace_meta_parse(&meta, data + 1, split - 1, &err) != 0)
			memset(&meta, 0, sizeof(meta));
	} else {
		memset(&meta, 0, sizeof(meta));
	}
	decode_stream(&meta, data + split, size - split);
	decode_memory(data, size);
	return 0;
}
