/*
 * The Chrome trace event format (JSON), which Perfetto and chrome://tracing
 * open: one process (the guest), one track per thread named by thread_name
 * metadata, scheduling slices as complete ("X") events built from
 * sched_switch, every other event as a thread-scoped instant with its
 * fields as args, and losses as global instants. Timestamps are µs since
 * boot with ns precision.
 *
 * Written by hand rather than built with jansson: a long trace would need
 * the whole document in memory first.
 */
#include <inttypes.h>
#include <string.h>

#include "tracer.h"
#include "introspect/json_out.h"

#define GUEST_PID 1

struct slice {
	bool open;
	uint32_t tid;
	uint64_t since_ns;
};

static void put_us(FILE *f, uint64_t ns)
{
	fprintf(f, "%" PRIu64 ".%03" PRIu64, ns / 1000, ns % 1000);
}

static void put_thread_name(FILE *f, uint32_t tid, const char *name)
{
	fprintf(f, ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%" PRIu32 ",\"args\":{\"name\":",
		GUEST_PID, tid);
	us_json_string(f, name);
	fputs("}}", f);
}

static void put_metadata(const struct trace_set *s, FILE *f)
{
	fprintf(f, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"tid\":0,"
		"\"args\":{\"name\":\"uniscope guest\"}}", GUEST_PID);
	put_thread_name(f, 0, trace_thread_name(s, 0));
	for (size_t i = 0; i < s->nr_threads; i++)
		if (s->threads[i].tid != 0)
			put_thread_name(f, s->threads[i].tid, s->threads[i].name);
}

static void put_slice(const struct trace_set *s, FILE *f, const struct slice *sl, uint64_t end_ns)
{
	const char *name = trace_thread_name(s, sl->tid);
	char fallback[32];

	if (!name) {
		snprintf(fallback, sizeof(fallback), "thread %" PRIu32, sl->tid);
		name = fallback;
	}
	fprintf(f, ",\n{\"ph\":\"X\",\"cat\":\"sched\",\"name\":");
	us_json_string(f, name);
	fprintf(f, ",\"pid\":%d,\"tid\":%" PRIu32 ",\"ts\":", GUEST_PID, sl->tid);
	put_us(f, sl->since_ns);
	fputs(",\"dur\":", f);
	put_us(f, end_ns > sl->since_ns ? end_ns - sl->since_ns : 0);
	fputc('}', f);
}

static void put_arg(FILE *f, const struct trace_field_value *v)
{
	static const char *const states[] = { "R", "R+", "D", "S", "X" };
	char text[32];

	us_json_string(f, v->name);
	fputc(':', f);
	if (v->type == UNISCOPE_TRACE_STR) {
		us_json_string(f, v->str);
	} else if (v->type == UNISCOPE_TRACE_S64) {
		fprintf(f, "%" PRId64, (int64_t)v->u64);
	} else if (v->type == UNISCOPE_TRACE_U64 || v->type == UNISCOPE_TRACE_TID) {
		fprintf(f, "%" PRIu64, v->u64);
	} else if (v->type == UNISCOPE_TRACE_STATE && v->u64 < 5) {
		us_json_string(f, states[v->u64]);
	} else if (v->type == UNISCOPE_TRACE_SYSNR && trace_syscall_name(v->u64)) {
		us_json_string(f, trace_syscall_name(v->u64));
	} else {
		/* Addresses as hex text: JSON numbers lose precision past 2^53. */
		snprintf(text, sizeof(text), "%#" PRIx64, v->u64);
		us_json_string(f, text);
	}
}

static void put_instant(const struct trace_set *s, FILE *f, const struct trace_event *e)
{
	struct trace_field_value v;
	char name_buf[32];
	bool is_lost = e->id == UNISCOPE_TRACE_ID_LOST;
	/* One name for every loss, so viewers group them; the count is an argument. */
	const char *name = is_lost ? "lost events" : trace_event_name(s, e->id, name_buf,
								      sizeof(name_buf));
	fputs(",\n{\"ph\":\"i\",\"cat\":", f);
	fputs(is_lost ? "\"lost\",\"s\":\"g\"" : "\"trace\",\"s\":\"t\"", f);
	fputs(",\"name\":", f);
	us_json_string(f, name);
	fprintf(f, ",\"pid\":%d,\"tid\":%" PRIu32 ",\"ts\":", GUEST_PID, e->tid);
	put_us(f, e->ns);
	fprintf(f, ",\"args\":{\"cpu\":%" PRIu32, e->cpu);
	if (is_lost)
		fprintf(f, ",\"count\":%" PRIu64, e->lost);
	for (unsigned i = 0; trace_event_field(s, e, i, &v) == 0; i++) {
		fputc(',', f);
		put_arg(f, &v);
	}
	fputs("}}", f);
}

/* sched_switch ends the running thread's slice on its CPU and opens the next. */
static void switch_slice(const struct trace_set *s, FILE *f, struct slice *sl,
			 const struct trace_event *e)
{
	struct trace_field_value prev, next;

	if (trace_event_field(s, e, 0, &prev) < 0 || trace_event_field(s, e, 2, &next) < 0)
		return;
	if (sl->open)
		put_slice(s, f, sl, e->ns);
	else if (prev.u64 != 0) /* before the first switch: prev ran since the trace began */
		put_slice(s, f, &(struct slice){ true, (uint32_t)prev.u64, s->events[0].ns }, e->ns);
	*sl = (struct slice){ true, (uint32_t)next.u64, e->ns };
}

int trace_export_json(const struct trace_set *s, FILE *f, struct trace_error *err)
{
	static struct slice slices[UNISCOPE_TRACE_MAX_CPUS];
	uint64_t last_ns = s->nr_events ? s->events[s->nr_events - 1].ns : 0;

	memset(slices, 0, sizeof(slices));
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", f);
	put_metadata(s, f);
	for (size_t i = 0; i < s->nr_events; i++) {
		const struct trace_event *e = &s->events[i];
		if (e->id == UNISCOPE_TRACE_ID_SCHED_SWITCH && e->cpu < UNISCOPE_TRACE_MAX_CPUS &&
		    trace_event_nr_fields(s, e) == 3)
			switch_slice(s, f, &slices[e->cpu], e);
		else
			put_instant(s, f, e);
	}
	for (unsigned c = 0; c < UNISCOPE_TRACE_MAX_CPUS; c++)
		if (slices[c].open)
			put_slice(s, f, &slices[c], last_ns);
	fputs("\n]}\n", f);
	if (fflush(f) != 0 || ferror(f)) {
		if (err)
			snprintf(err->msg, sizeof(err->msg), "trace: cannot write the JSON output: %m");
		return -1;
	}
	return 0;
}
