/*
 * The report's "last events": the guest's trace rings read straight from
 * its memory with the tracer's decoder (tracer/tracer.h), named from the
 * image's trace metadata and the threads the report found, the newest n
 * kept as trace-cmd style lines; and apart, the newest of the rare events
 * the evidence ring keeps (lock contention, threads, faults, the
 * application's), which scheduling and interrupts may have pushed out of
 * the last n long ago.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "tracer/tracer.h"

static void name_threads(struct trace_set *set, const struct us_report *r)
{
	for (size_t i = 0; i < r->nr_threads; i++)
		trace_set_thread_name(set, r->threads[i].th.id, r->threads[i].th.name);
}

static void format_line(const struct trace_set *set, const struct trace_event *e, char *out)
{
	char line[REPORT_LINE_MAX];

	trace_event_format(set, e, line, sizeof(line));
	snprintf(out, REPORT_LINE_MAX, "%s", line + strspn(line, " "));
}

static void keep_evidence(struct us_report *r, const struct trace_set *set)
{
	size_t first = set->nr_events;

	for (size_t k = 0; first > 0 && k < REPORT_KEPT_EVENTS; first--)
		k += UNISCOPE_TRACE_IS_EVIDENCE(set->events[first - 1].id);
	if (!(r->kept = calloc(REPORT_KEPT_EVENTS, sizeof(*r->kept))))
		return;
	for (size_t i = first; i < set->nr_events && r->nr_kept < REPORT_KEPT_EVENTS; i++)
		if (UNISCOPE_TRACE_IS_EVIDENCE(set->events[i].id))
			format_line(set, &set->events[i], r->kept[r->nr_kept++]);
}

static void keep_last(struct us_report *r, const struct trace_set *set, unsigned n)
{
	size_t first = set->nr_events > n ? set->nr_events - n : 0;

	r->events_total = set->nr_events;
	if (!(r->events = calloc(n ? n : 1, sizeof(*r->events)))) {
		snprintf(r->events_problem, sizeof(r->events_problem), "out of memory");
		return;
	}
	for (size_t i = first; i < set->nr_events; i++)
		format_line(set, &set->events[i], r->events[r->nr_events++]);
	keep_evidence(r, set);
}

void report_collect_events(struct us_report *r, struct us_target *t, unsigned n)
{
	const struct uniscope_info *info = us_target_info(t);
	struct trace_error err = { "" };
	struct trace_set *set;

	if (!info || !info->trace) {
		snprintf(r->events_problem, sizeof(r->events_problem), "%s",
			 info ? "the guest has no trace ring" : "no guest descriptor");
		return;
	}
	if (!(set = malloc(sizeof(*set)))) {
		snprintf(r->events_problem, sizeof(r->events_problem), "out of memory");
		return;
	}
	trace_set_init(set);
	if (r->image && trace_meta_load(&set->meta, r->image, &err) < 0)
		err.msg[0] = 0; /* unnamed events are still events */
	name_threads(set, r);
	if (trace_decode_guest(set, us_target_read_fn, t, us_target_info_address(t), &err) < 0) {
		snprintf(r->events_problem, sizeof(r->events_problem), "%s", err.msg);
	} else {
		trace_set_sort(set);
		keep_last(r, set, n);
	}
	trace_set_free(set);
	free(set);
}
