/*
 * The report of a guest that has not died: it looks for a hang instead of
 * saying "no crash".
 *
 *	deadlock  a wait-for cycle: each blocked thread points at the thread
 *	          holding what it waits on (waits.c); every thread has at most
 *	          one such edge, so a walk from each thread, stamped with
 *	          where it started, meets its own stamp exactly when it closed
 *	          a cycle. Each cycle is found once, in O(threads).
 *	stuck     blocked (not sleeping) for longer than the threshold, by the
 *	          guest's clock and each thread's state_since.
 *	starved   runnable, but not run for longer than the threshold.
 *	CPU hog   a thread other than idle that had most of the CPU: over a
 *	          window the report watched (a live guest runs meanwhile), or
 *	          since boot (a core). The thread on the CPU has not been
 *	          charged for its current turn yet: its share counts that turn
 *	          from state_since.
 *
 * Everything comes from guest memory through the descriptor (clock,
 * state_since, wait_owners, idle_thread); a guest that lacks one of them
 * gets the checks that need it skipped, and says so.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "report.h"

#define HOG_PERMILLE 900 /* at least 90% of the CPU */

/* CPU time including the current turn of the thread on the CPU. */
static uint64_t cpu_time(const struct us_thread *th, uint64_t now)
{
	uint64_t turn = 0;

	if (th->state == UNISCOPE_THREAD_RUNNING && th->state_since && now > th->state_since)
		turn = now - th->state_since;
	return th->cpu_ns + turn;
}

struct us_error *report_cpu_sample(struct us_target *t, struct report_cpu_sample *s)
{
	struct us_error *err;

	memset(s, 0, sizeof(*s));
	if ((err = us_target_clock(t, &s->now)))
		return err;
	if ((err = us_target_threads(t, &s->threads, &s->count))) {
		free(s->threads);
		s->threads = NULL;
		s->count = 0;
		return err;
	}
	s->taken = true;
	return NULL;
}

/* Lets a live guest run for ms, then pauses it again. */
struct us_error *report_let_run(struct us_target *t, unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	struct us_error *err = us_target_resume(t);

	if (err)
		return err;
	while (nanosleep(&ts, &ts) != 0)
		;
	return us_target_pause(t);
}

static const struct us_thread *sampled(const struct report_cpu_sample *s, const struct us_thread *th)
{
	for (size_t i = 0; i < s->count; i++)
		if (s->threads[i].address == th->address && s->threads[i].id == th->id)
			return &s->threads[i];
	return NULL;
}

/* The busiest thread but idle, over the window or since boot. */
static void find_hog(struct report_hang *h, const struct us_report *r,
		     const struct report_cpu_sample *before)
{
	uint64_t span = before && before->taken && h->now > before->now ? h->now - before->now : h->now;

	h->hog = -1;
	h->window_ns = before && before->taken ? span : 0;
	if (!span)
		return;
	for (size_t i = 0; i < r->nr_threads; i++) {
		const struct us_thread *th = &r->threads[i].th, *old = NULL;
		uint64_t used = cpu_time(th, h->now), permille;

		if (th->idle)
			continue;
		if (before && before->taken) {
			if (!(old = sampled(before, th)))
				continue;
			used = used > cpu_time(old, before->now) ? used - cpu_time(old, before->now) : 0;
		}
		permille = used >= span ? 1000 : used * 1000 / span;
		if (permille >= HOG_PERMILLE && permille > h->hog_permille) {
			h->hog = (int)i;
			h->hog_permille = (unsigned)permille;
		}
	}
}

static int wait_edge(const struct us_report *r, size_t i)
{
	return r->threads[i].th.state == UNISCOPE_THREAD_BLOCKED ? r->hang.waits[i].owner : -1;
}

static bool add_cycle_member(struct report_hang *h, size_t index)
{
	size_t *grown = realloc(h->cycle_members, (h->nr_cycle_members + 1) * sizeof(*grown));

	if (!grown)
		return false;
	h->cycle_members = grown;
	h->cycle_members[h->nr_cycle_members++] = index;
	return true;
}

/* Records the cycle through start; cycle_of[] marks its members. */
static bool record_cycle(struct report_hang *h, const struct us_report *r, size_t start)
{
	size_t i = start, n = 0;

	do {
		if (!add_cycle_member(h, i))
			return false;
		h->cycle_of[i] = (int)h->nr_cycles;
		i = (size_t)wait_edge(r, i);
	} while (i != start && ++n < r->nr_threads);
	h->nr_cycles++;
	return add_cycle_member(h, SIZE_MAX); /* ends the cycle */
}

static struct us_error *find_cycles(struct report_hang *h, const struct us_report *r)
{
	size_t n = r->nr_threads, *stamp = malloc((n ? n : 1) * sizeof(*stamp));

	if (!stamp)
		return &us_error_nomem;
	for (size_t i = 0; i < n; i++)
		stamp[i] = SIZE_MAX;
	for (size_t start = 0; start < n; start++) {
		size_t i = start;
		int next;

		while (stamp[i] == SIZE_MAX) {
			stamp[i] = start;
			if ((next = wait_edge(r, i)) < 0)
				break;
			i = (size_t)next;
		}
		if (stamp[i] == start && wait_edge(r, i) >= 0 && h->cycle_of[i] < 0 &&
		    !record_cycle(h, r, i)) {
			free(stamp);
			return &us_error_nomem;
		}
	}
	free(stamp);
	return NULL;
}

static bool waited_long(const struct report_hang *h, const struct us_thread *th)
{
	return h->now && th->state_since && h->now > th->state_since &&
	       h->now - th->state_since >= h->threshold_ns;
}

static void find_stuck(struct report_hang *h, const struct us_report *r)
{
	for (size_t i = 0; i < r->nr_threads; i++) {
		const struct us_thread *th = &r->threads[i].th;

		if (h->cycle_of[i] >= 0 || th->idle || !waited_long(h, th))
			continue;
		if (th->state == UNISCOPE_THREAD_BLOCKED)
			h->stuck[h->nr_stuck++] = i;
		else if (th->state == UNISCOPE_THREAD_RUNNABLE)
			h->starved[h->nr_starved++] = i;
	}
}

static struct us_error *alloc_hang(struct report_hang *h, size_t n)
{
	size_t m = n ? n : 1;

	h->waits = calloc(m, sizeof(*h->waits));
	h->cycle_of = malloc(m * sizeof(*h->cycle_of));
	h->stuck = malloc(m * sizeof(*h->stuck));
	h->starved = malloc(m * sizeof(*h->starved));
	if (!h->waits || !h->cycle_of || !h->stuck || !h->starved)
		return &us_error_nomem;
	for (size_t i = 0; i < n; i++)
		h->cycle_of[i] = -1;
	return NULL;
}

struct us_error *report_collect_hang(struct us_report *r, struct us_target *t,
				     const struct report_cpu_sample *before, uint64_t threshold_ns)
{
	struct report_hang *h = &r->hang;
	struct us_error *err;
	struct us_thread *threads;

	h->analysed = true;
	h->threshold_ns = threshold_ns;
	h->hog = -1;
	if ((err = alloc_hang(h, r->nr_threads)))
		return err;
	if (!(threads = malloc((r->nr_threads ? r->nr_threads : 1) * sizeof(*threads))))
		return &us_error_nomem;
	for (size_t i = 0; i < r->nr_threads; i++)
		threads[i] = r->threads[i].th;
	us_target_waits(t, threads, r->nr_threads, h->waits);
	free(threads);
	if ((err = us_target_clock(t, &h->now))) {
		snprintf(h->problem, sizeof(h->problem), "%s: only deadlocks are looked for",
			 err->message);
		us_error_destroy(err);
		h->now = 0;
	}
	if ((err = find_cycles(h, r)))
		return err;
	find_stuck(h, r);
	if (h->now)
		find_hog(h, r, before);
	return NULL;
}

void report_hang_free(struct report_hang *h)
{
	free(h->waits);
	free(h->cycle_of);
	free(h->cycle_members);
	free(h->stuck);
	free(h->starved);
}

void report_cpu_sample_free(struct report_cpu_sample *s)
{
	free(s->threads);
	s->threads = NULL;
}
