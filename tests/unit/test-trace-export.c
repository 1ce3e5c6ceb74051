/*
 * Unit tests of the host tracer (tracer/): metadata read from this very
 * binary (its trace points are declared below with the guest's macro), the
 * stream decoder on a synthetic trace with losses of every kind (ring
 * overwrite, a chunk the channel dropped), truncated and corrupt input, the
 * memory decoder following a live ring, and the exporters: text lines,
 * JSON parsed back with jansson, CTF read by babeltrace2.
 *
 * The synthetic trace is made the way the guest makes it: records written
 * with the ring's emit functions, drained into stream chunks.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "../../libos/api/uniscope/trace_point.h"
#include "../../tracer/ring.h"
#include "../../tracer/tracer.h"

UNISCOPE_TRACE_POINT(sched_switch, UNISCOPE_TRACE_ID_SCHED_SWITCH,
		     "prev=%t prev_state=%s ==> next=%t",
		     (tid, prev), (state, prev_state), (tid, next))
UNISCOPE_TRACE_POINT(thread_create, UNISCOPE_TRACE_ID_THREAD_CREATE, "tid=%u name=%s",
		     (tid, tid), (str, name))
UNISCOPE_TRACE_POINT(item, UNISCOPE_TRACE_APP_ID(0), "item=%u queued=%u", (u64, item),
		     (u64, queued))

#define RING_SIZE 4096u
#define ITEM_ID UNISCOPE_TRACE_APP_ID(0)

static union {
	struct uniscope_trace_ring ring;
	uint8_t storage[sizeof(struct uniscope_trace_ring) + RING_SIZE + UNISCOPE_TRACE_RECORD_MAX];
} u;
static struct uniscope_trace_ring *const ring = &u.ring;
static uint8_t stream[1 << 20];
static size_t stream_len;
static uint64_t tsc = 1000;
static struct trace_meta self_meta;

static void emit_item(uint32_t tid, uint64_t item, uint64_t queued)
{
	trace_ring_emit2(ring, tsc += 1000, UNISCOPE_TRACE_WORD(ITEM_ID, 32, tid), item, queued);
}

static void emit_create(uint32_t tid, const char *name)
{
	uint64_t slots[1 + UNISCOPE_TRACE_STR_SLOTS] = { tid };

	memcpy(&slots[1], name, strnlen(name, UNISCOPE_TRACE_STR_SLOTS * 8));
	trace_ring_emit_slots(ring, tsc += 1000,
			      UNISCOPE_TRACE_WORD(UNISCOPE_TRACE_ID_THREAD_CREATE, 56, 0), slots);
}

static void emit_switch(uint32_t prev, uint32_t state, uint32_t next)
{
	trace_ring_emit3(ring, tsc += 1000,
			 UNISCOPE_TRACE_WORD(UNISCOPE_TRACE_ID_SCHED_SWITCH, 40, prev), prev, state, next);
}

static void drain(bool deliver)
{
	static uint8_t lost_on_the_wire[1 << 16];
	uint8_t *out = deliver ? stream + stream_len : lost_on_the_wire;
	size_t n = trace_ring_drain(ring, out, 8192, tsc + 1);

	if (deliver)
		stream_len += n;
}

static void stream_info(const uint8_t *build_id, unsigned len)
{
	struct uniscope_trace_stream_info info = { .version = UNISCOPE_TRACE_VERSION, .nr_cpus = 1, .tsc_hz = 1000000000,
						   .boot_tsc = 1000, .build_id_len = len };
	uint64_t word = UNISCOPE_TRACE_WORD(UNISCOPE_TRACE_ID_STREAM_INFO, 64, 0);

	memcpy(info.build_id, build_id, len);
	memcpy(stream, &tsc, 8);
	memcpy(stream + 8, &word, 8);
	memcpy(stream + 16, &info, sizeof(info));
	stream_len = 64;
}

/* What the guest sends at the start of a stream for each live thread. */
static void thread_name_record(uint64_t tid, const char *name)
{
	uint64_t word = UNISCOPE_TRACE_WORD(UNISCOPE_TRACE_ID_THREAD_NAME,
					    UNISCOPE_TRACE_THREAD_NAME_SIZE, 0);

	memcpy(stream + stream_len, &tsc, 8);
	memcpy(stream + stream_len + 8, &word, 8);
	memcpy(stream + stream_len + 16, &tid, 8);
	memset(stream + stream_len + 24, 0, 32);
	memcpy(stream + stream_len + 24, name, strlen(name));
	stream_len += UNISCOPE_TRACE_THREAD_NAME_SIZE;
}

/*
 * 2 thread creations, 1 switch, 3 items; 300 items of which 172 are
 * overwritten; 10 items in a chunk the channel drops; 5 more items.
 */
#define WRITTEN (2 + 1 + 3 + 300 + 10 + 5)
#define LOST (300 - RING_SIZE / 32 + 10)
static void make_stream(void)
{
	trace_ring_init(ring, 0, RING_SIZE, UNISCOPE_TRACE_OVERWRITE);
	stream_info(self_meta.build_id, self_meta.build_id_len);
	emit_create(1, "producer");
	emit_create(2, "consumer");
	emit_switch(0, 0, 1);
	for (int i = 0; i < 3; i++)
		emit_item(1, (uint64_t)i, (uint64_t)i + 1);
	drain(true);
	thread_name_record(9, "late");
	for (int i = 0; i < 300; i++)
		emit_item(i % 2 ? 2 : 1, 100 + (uint64_t)i, 1);
	drain(true);
	for (int i = 0; i < 10; i++)
		emit_item(2, 1000 + (uint64_t)i, 0);
	drain(false);
	for (int i = 0; i < 5; i++)
		emit_item(1, 2000 + (uint64_t)i, 0);
	drain(true);
}

static uint64_t count_events(const struct trace_set *s, uint16_t id, uint64_t *lost)
{
	uint64_t n = 0;

	*lost = 0;
	for (size_t i = 0; i < s->nr_events; i++) {
		n += s->events[i].id == id;
		if (s->events[i].id == UNISCOPE_TRACE_ID_LOST)
			*lost += s->events[i].lost;
	}
	return n;
}

static void test_meta(void)
{
	struct trace_error err = { "" };
	const struct trace_event_type *t;

	ok(trace_meta_load(&self_meta, "/proc/self/exe", &err) == 0, "metadata loads from this binary %s",
	   err.msg);
	t = &self_meta.types[ITEM_ID];
	ok(t->defined && strcmp(t->name, "item") == 0 && t->nr_fields == 2 &&
	   strcmp(t->fields[1].name, "queued") == 0, "it describes the item trace point");
	t = &self_meta.types[UNISCOPE_TRACE_ID_THREAD_CREATE];
	ok(t->nr_slots == 1 + UNISCOPE_TRACE_STR_SLOTS && t->fields[1].first_slot == 1,
	   "string fields take their slots");
	ok(self_meta.build_id_len == 20, "and the build-id comes with it");
	ok(trace_meta_load(&self_meta, "/nonexistent", &err) < 0 && strstr(err.msg, "/nonexistent"),
	   "a missing image is an error naming it");
	trace_meta_load(&self_meta, "/proc/self/exe", &err);
}

static void test_stream(struct trace_set *s)
{
	struct trace_error err = { "" };
	uint64_t lost, items;

	make_stream();
	trace_set_init(s);
	s->meta = self_meta;
	is_int(trace_decode_stream(s, stream, stream_len, true), stream_len, "the stream decodes whole");
	items = count_events(s, ITEM_ID, &lost);
	is_int(lost, LOST, "losses are exact: overwritten and dropped on the wire");
	is_int(items + 3 + lost, WRITTEN, "received + lost = written");
	ok(s->stats.corrupt == 0 && s->stats.truncated_bytes == 0, "nothing corrupt");
	is_str(trace_thread_name(s, 2), "consumer", "thread names come from thread_create");
	is_str(trace_thread_name(s, 9), "late", "and from THREAD_NAME records");
	is_int(s->tsc_hz, 1000000000, "the clock comes from STREAM_INFO");
	is_int(s->events[1].ns, 2000, "and turns tsc into ns since boot");
	ok(trace_set_check_build_id(s, &err) == 0, "the build-id matches this binary");
	s->build_id[0] ^= 1;
	ok(trace_set_check_build_id(s, &err) < 0 && strstr(err.msg, "build-id"),
	   "a different build-id is refused: %s", err.msg);
	s->build_id[0] ^= 1;
	trace_set_sort(s);
}

static void test_stream_damage(void)
{
	static struct trace_set whole, bytewise, cut, bad;
	size_t fed = 0, have = 0;
	uint64_t lost;
	static uint8_t buf[1 << 20];

	trace_set_init(&whole);
	trace_decode_stream(&whole, stream, stream_len, true);
	trace_set_init(&bytewise);
	for (size_t i = 0; i < stream_len; i++) {
		buf[have++] = stream[i];
		size_t used = trace_decode_stream(&bytewise, buf, have, i + 1 == stream_len);
		memmove(buf, buf + used, have - used);
		have -= used;
		fed += used;
	}
	ok(fed == stream_len && bytewise.nr_events == whole.nr_events,
	   "fed a byte at a time, the decoder gives the same events");

	trace_set_init(&cut);
	trace_decode_stream(&cut, stream, stream_len - 5, true);
	ok(cut.nr_events == whole.nr_events - 1 && cut.stats.truncated_bytes == 32 - 5,
	   "a truncated last record is counted, not decoded");

	memcpy(buf, stream, stream_len);
	buf[64 + 48 + 16 + 10] = 3; /* the size field of a record in the first chunk */
	trace_set_init(&bad);
	trace_decode_stream(&bad, buf, stream_len, true);
	ok(bad.stats.corrupt == 1 && bad.stats.skipped_bytes > 0, "a corrupt size is counted");
	ok(bad.nr_events < whole.nr_events, "the rest of the damaged chunk is skipped");
	is_int(count_events(&bad, ITEM_ID, &lost), count_events(&whole, ITEM_ID, &lost) - 3,
	       "decoding resumes at the next chunk, whose records are all there");
	trace_set_free(&whole);
	trace_set_free(&bytewise);
	trace_set_free(&cut);
	trace_set_free(&bad);
}

/* Guest memory is host memory here: addresses are pointers. */
static int read_host(void *ctx, uint64_t addr, void *buf, size_t len)
{
	int *fail_after = ctx;

	if (fail_after && (*fail_after)-- <= 0)
		return -1;
	memcpy(buf, (const void *)(uintptr_t)addr, len);
	return 0;
}

static void test_memory(void)
{
	static struct trace_set s;
	struct uniscope_trace_info info = { .magic = UNISCOPE_TRACE_MAGIC, .version = UNISCOPE_TRACE_VERSION, .nr_cpus = 1, .nr_kinds = 1,
					    .ring_size = RING_SIZE };
	struct trace_error err = { "" };
	uint64_t lost, items;
	int fail_after = 1;

	info.rings[0] = (uintptr_t)ring;
	trace_ring_init(ring, 0, RING_SIZE, UNISCOPE_TRACE_OVERWRITE);
	for (int i = 0; i < 200; i++)
		emit_item(1, (uint64_t)i, 0);
	trace_set_init(&s);
	s.meta = self_meta;
	ok(trace_decode_memory(&s, read_host, NULL, (uintptr_t)&info, &err) == 0, "the ring reads from memory %s", err.msg);
	items = count_events(&s, ITEM_ID, &lost);
	ok(items == RING_SIZE / 32 && lost == 200 - RING_SIZE / 32, "all kept records, and the overwritten as lost");
	for (int i = 0; i < 50; i++)
		emit_item(1, (uint64_t)i, 0);
	trace_decode_memory(&s, read_host, NULL, (uintptr_t)&info, &err);
	items = count_events(&s, ITEM_ID, &lost);
	ok(items == RING_SIZE / 32 + 50 && lost == 200 - RING_SIZE / 32, "a second read adds only the new records");
	for (int i = 0; i < 300; i++)
		emit_item(1, (uint64_t)i, 0);
	trace_decode_memory(&s, read_host, NULL, (uintptr_t)&info, &err);
	items = count_events(&s, ITEM_ID, &lost);
	is_int(items + lost, 550, "after an overflow between reads: seen + lost = written");

	ok(trace_decode_memory(&s, read_host, &fail_after, (uintptr_t)&info, &err) < 0 &&
	   strstr(err.msg, "cannot read"), "a failing read is an error: %s", err.msg);
	ring->size = 12345;
	ok(trace_decode_memory(&s, read_host, NULL, (uintptr_t)&info, &err) < 0 &&
	   strstr(err.msg, "power of two"), "an absurd ring size is refused");
	ring->size = RING_SIZE;
	ring->commit = ring->tail + RING_SIZE + 8;
	ok(trace_decode_memory(&s, read_host, NULL, (uintptr_t)&info, &err) < 0,
	   "inconsistent positions are refused");
	info.nr_cpus = 1000;
	ok(trace_decode_memory(&s, read_host, NULL, (uintptr_t)&info, &err) < 0 &&
	   strstr(err.msg, "CPUs"), "an absurd CPU count is refused");
	trace_set_free(&s);
}

static void test_text(const struct trace_set *s)
{
	char line[256];
	const struct trace_event *e = NULL;

	for (size_t i = 0; i < s->nr_events && !e; i++)
		if (s->events[i].id == UNISCOPE_TRACE_ID_SCHED_SWITCH)
			e = &s->events[i];
	ok(e != NULL, "the sched_switch is there");
	if (!e)
		return;
	trace_event_format(s, e, line, sizeof(line));
	is_str(line, "            boot-0     [000]     0.000003: sched_switch: prev=boot:0 "
	       "prev_state=R ==> next=producer:1", "sched_switch as a trace-cmd line");
	trace_event_format(s, e + 3, line, sizeof(line));
	is_str(line, "        producer-1     [000]     0.000006: item: item=2 queued=3",
	       "an application event with its thread name");
	ok(trace_event_format(s, e, line, 10) > 10 && strlen(line) == 9, "output is bounded");
}

static void test_json(const struct trace_set *s)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	json_error_t jerr;
	json_t *root, *events, *ev;
	size_t i;
	int names = 0, slices = 0, lost_marks = 0;

	ok(trace_export_json(s, f, NULL) == 0, "JSON export");
	fclose(f);
	root = json_loads(text, 0, &jerr);
	ok(root != NULL, "the JSON parses (%s)", root ? "ok" : jerr.text);
	events = json_object_get(root, "traceEvents");
	json_array_foreach(events, i, ev) {
		const char *ph = json_string_value(json_object_get(ev, "ph"));
		const char *name = json_string_value(json_object_get(ev, "name"));
		if (ph && !strcmp(ph, "M") && name && !strcmp(name, "thread_name"))
			names++;
		if (ph && !strcmp(ph, "X") && json_is_number(json_object_get(ev, "dur")))
			slices++;
		if (ph && !strcmp(ph, "i") && name && !strcmp(name, "lost events") &&
		    json_is_integer(json_object_get(json_object_get(ev, "args"), "count")))
			lost_marks++;
	}
	is_int(names, 4, "a thread_name track for boot, producer, consumer and late");
	ok(slices >= 1, "scheduling slices are complete events");
	is_int(lost_marks, 2, "each loss is marked, under one name whatever its count");
	json_decref(root);
	free(text);
}

static int run_babeltrace(const char *dir, const char *out)
{
	char cmd[512];

	/* Warnings (the losses) apart: interleaved, they would cut event lines. */
	snprintf(cmd, sizeof(cmd), "babeltrace2 %s >%s 2>%s.err", dir, out, out);
	return system(cmd);
}

static long count_lines(const char *path, const char *needle)
{
	char line[1024];
	long n = 0;
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return n;
}

static void test_ctf(const struct trace_set *s)
{
	char dir[] = "/tmp/uniscope-ctf-XXXXXX", out[64], err_out[80], cmd[192];
	struct trace_error err = { "" };
	uint64_t lost, items = count_events(s, ITEM_ID, &lost);

	ok(mkdtemp(dir) != NULL, "a scratch directory");
	ok(trace_export_ctf(s, dir, &err) == 0, "CTF export %s", err.msg);
	snprintf(out, sizeof(out), "%s.out", dir);
	if (system("babeltrace2 --version >/dev/null 2>&1") != 0) {
		printf("ok %d # skip babeltrace2 is not installed\n", ++tap_count);
	} else {
		int rc = run_babeltrace(dir, out);
		ok(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "babeltrace2 reads it and exits 0");
		is_int(count_lines(out, " item: "), items, "it shows every item event");
		is_int(count_lines(out, "thread_create:"), 2, "and the thread creations");
		is_int(count_lines(out, "thread_name: "), (long)s->nr_threads,
		       "the threads' names lead the trace");
		ok(count_lines(out, "thread_name: { cpu_id = 0 }, { tid = 1 }, { tid = 1, name = \"producer\" }") == 1,
		   "... with the names the guest gave");
		snprintf(err_out, sizeof(err_out), "%s.err", out);
		ok(count_lines(err_out, "discarded 172 events") == 1 &&
		   count_lines(err_out, "discarded 10 events") == 1,
		   "and reports both losses with their exact counts");
		if (!ok(count_lines(err_out, "ERROR") == 0, "without errors"))
			diag("see %s", err_out);
		snprintf(cmd, sizeof(cmd), "babeltrace2 -c sink.text.details %s >%s 2>&1", dir, out);
		rc = system(cmd);
		ok(WIFEXITED(rc) && WEXITSTATUS(rc) == 0 && count_lines(out, "trace_name: unit") == 1,
		   "the environment names the trace");
		ok(count_lines(out, "UUID: ") >= 1, "the trace has a UUID");
	}
	if (getenv("KEEP_CTF"))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s %s.err", dir, out, out);
	if (system(cmd) != 0)
		diag("cannot remove %s", dir);
}

int main(void)
{
	static struct trace_set s;

	test_meta();
	test_stream(&s);
	test_stream_damage();
	test_memory();
	test_text(&s);
	test_json(&s);
	snprintf(s.name, sizeof(s.name), "unit");
	test_ctf(&s);
	trace_set_free(&s);
	return done_testing();
}
