/*
 * The model of `uniscope top` (see model.h). Events go into a ring that
 * overwrites its oldest entries; every view over it (the visible lines,
 * scrolling, scrubbing, the rate) walks back from the view's end and is
 * bounded by the ring's size. sched_switch events feed the timeline as they
 * arrive: the interval since the previous switch on the same CPU is
 * credited to the thread that ran, split over the buckets it covers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uniscope/abi.h>
#include <uniscope/trace.h>
#include "model.h"

#define TL_EMPTY UINT64_MAX
#define NS_PER_S 1000000000ull

int tui_model_init(struct tui_model *m, size_t cap)
{
	memset(m, 0, sizeof(*m));
	m->cap = cap ? cap : TUI_EVENTS_CAP;
	m->events = calloc(m->cap, sizeof(*m->events));
	if (!m->events)
		return -1;
	for (unsigned i = 0; i < TUI_TL_BUCKETS; i++)
		m->tl_bucket[i] = TL_EMPTY;
	m->follow = true;
	m->nr_cpus = 1;
	m->status.trace_enabled = -1;
	m->dirty = true;
	return 0;
}

void tui_model_free(struct tui_model *m)
{
	free(m->events);
	m->events = NULL;
	m->nr_total = 0;
}

/* ---- threads ------------------------------------------------------------------ */

/* A trace event's state argument is 64 bits wide; the names are abi.h's. */
static const char *state_name(uint64_t state)
{
	return state < UNISCOPE_THREAD_STATE_COUNT ? uniscope_thread_state_names[state] : "?";
}

static struct tui_thread *find_row(struct tui_model *m, uint32_t tid)
{
	for (size_t i = 0; i < m->nr_threads; i++)
		if (m->threads[i].id == tid)
			return &m->threads[i];
	return NULL;
}

const struct tui_thread *tui_model_find_thread(const struct tui_model *m, uint32_t tid)
{
	return find_row((struct tui_model *)m, tid);
}

static struct tui_thread *find_or_add_row(struct tui_model *m, uint32_t tid)
{
	struct tui_thread *t = find_row(m, tid);

	if (t || m->nr_threads >= TUI_MAX_THREADS)
		return t;
	t = &m->threads[m->nr_threads++];
	memset(t, 0, sizeof(*t));
	t->id = tid;
	if (tid == 0)
		strcpy(t->name, "boot"); /* trace records before the first thread */
	else
		snprintf(t->name, sizeof(t->name), "tid-%u", tid);
	strcpy(t->state, "-");
	strcpy(t->wait, "-");
	return t;
}

void tui_model_trace_thread(struct tui_model *m, uint32_t tid, const char *name)
{
	struct tui_thread *t = find_or_add_row(m, tid);

	if (t && name && *name)
		snprintf(t->name, sizeof(t->name), "%s", name);
	m->dirty = true;
}

/* Replay: the rows follow the scheduler's events. */
static void trace_switch_rows(struct tui_model *m, const struct tui_event *e, uint64_t ran_ns)
{
	struct tui_thread *prev = find_or_add_row(m, (uint32_t)e->args[0]);
	struct tui_thread *next = find_or_add_row(m, (uint32_t)e->args[2]);

	if (prev) {
		/* switched out while running: preempted, so runnable */
		snprintf(prev->state, sizeof(prev->state), "%s",
			 state_name(e->args[1] == UNISCOPE_THREAD_RUNNING ? UNISCOPE_THREAD_RUNNABLE : e->args[1]));
		prev->cpu_ns += ran_ns;
		prev->on_cpu = false;
	}
	if (next) {
		strcpy(next->state, uniscope_thread_state_names[UNISCOPE_THREAD_RUNNING]);
		next->switches++;
		next->on_cpu = true;
	}
}

static void trace_other_rows(struct tui_model *m, const struct tui_event *e)
{
	struct tui_thread *t;

	if (e->id == UNISCOPE_TRACE_ID_SCHED_WAKEUP && (t = find_or_add_row(m, (uint32_t)e->args[0])))
		strcpy(t->state, uniscope_thread_state_names[UNISCOPE_THREAD_RUNNABLE]);
	else if (e->id == UNISCOPE_TRACE_ID_THREAD_EXIT && (t = find_or_add_row(m, (uint32_t)e->args[0])))
		strcpy(t->state, uniscope_thread_state_names[UNISCOPE_THREAD_EXITED]);
	else if (e->id == UNISCOPE_TRACE_ID_THREAD_CREATE || e->id == UNISCOPE_TRACE_ID_THREAD_RENAME)
		find_or_add_row(m, (uint32_t)e->args[0]);
}

static uint64_t cpu_delta(const struct tui_model *m, const struct tui_thread *row)
{
	for (size_t i = 0; i < m->nr_threads; i++)
		if (m->threads[i].id == row->id)
			return row->cpu_ns >= m->threads[i].cpu_ns ? row->cpu_ns - m->threads[i].cpu_ns : 0;
	return row->cpu_ns; /* new: its share since it started */
}

void tui_model_set_threads(struct tui_model *m, const struct tui_thread *rows, size_t n)
{
	uint64_t delta[TUI_MAX_THREADS], total = 0, cpu_sum = 0;
	bool changed;

	n = n < TUI_MAX_THREADS ? n : TUI_MAX_THREADS;
	for (size_t i = 0; i < n; i++) {
		delta[i] = cpu_delta(m, &rows[i]);
		total += delta[i];
		cpu_sum += rows[i].cpu_ns;
	}
	changed = n != m->nr_threads;
	for (size_t i = 0; i < n; i++) {
		struct tui_thread row = rows[i];
		row.cpu_permille = total ? (unsigned)(delta[i] * 1000 * m->nr_cpus / total) : 0;
		changed = changed || memcmp(&row, &m->threads[i], sizeof(row));
		m->threads[i] = row;
	}
	m->dirty = m->dirty || changed;
	m->nr_threads = n;
	m->threads_from_trace = false;
	m->status.cpu_uptime_ns = cpu_sum / (m->nr_cpus ? m->nr_cpus : 1);
}

const char *tui_sort_name(enum tui_sort s)
{
	static const char *const names[] = { "CPU%", "TID", "NAME", "STATE", "SWITCHES" };

	return s < TUI_SORT_COUNT ? names[s] : "?";
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int compare_rows(const void *pa, const void *pb, void *arg)
{
	const struct tui_model *m = arg;
	const struct tui_thread *a = pa, *b = pb;
	int c = 0;

	switch (m->sort) {
	case TUI_SORT_CPU: c = cmp_u64(b->cpu_permille, a->cpu_permille); break;
	case TUI_SORT_NAME: c = strcmp(a->name, b->name); break;
	case TUI_SORT_STATE: c = strcmp(a->state, b->state); break;
	case TUI_SORT_SWITCHES: c = cmp_u64(b->switches, a->switches); break;
	default: break;
	}
	if (!c)
		c = cmp_u64(a->id, b->id);
	return m->sort_reverse ? -c : c;
}

static void refresh_trace_cpu(struct tui_model *m)
{
	unsigned permille[TUI_CPU_WINDOW_BUCKETS];
	uint64_t end = tui_model_timeline_end(m);

	for (size_t i = 0; i < m->nr_threads; i++) {
		unsigned sum = 0;
		tui_model_timeline(m, m->threads[i].id, end, TUI_CPU_WINDOW_BUCKETS, permille);
		for (unsigned b = 0; b < TUI_CPU_WINDOW_BUCKETS; b++)
			sum += permille[b];
		m->threads[i].cpu_permille = sum / TUI_CPU_WINDOW_BUCKETS;
	}
}

void tui_model_sort_threads(struct tui_model *m)
{
	if (m->threads_from_trace)
		refresh_trace_cpu(m);
	qsort_r(m->threads, m->nr_threads, sizeof(m->threads[0]), compare_rows, m);
}

void tui_model_cycle_sort(struct tui_model *m)
{
	m->sort = (enum tui_sort)((m->sort + 1) % TUI_SORT_COUNT);
	m->dirty = true;
}

/* ---- timeline ------------------------------------------------------------------- */

static int tl_slot(const struct tui_model *m, uint32_t tid)
{
	unsigned start = (unsigned)((tid * 2654435761u) % TUI_TL_SLOTS);

	for (unsigned i = 0; i < TUI_TL_SLOTS; i++) {
		unsigned s = (start + i) % TUI_TL_SLOTS;
		if (!m->tl_used[s])
			return -1 - (int)s; /* not there; -1 - s is where it would go */
		if (m->tl_tid[s] == tid)
			return (int)s;
	}
	return -1 - TUI_TL_SLOTS; /* full */
}

static int tl_slot_create(struct tui_model *m, uint32_t tid)
{
	int s = tl_slot(m, tid);

	if (s >= 0 || s == -1 - TUI_TL_SLOTS)
		return s >= 0 ? s : -1;
	s = -1 - s;
	m->tl_used[s] = true;
	m->tl_tid[s] = tid;
	return s;
}

/* The row of absolute bucket b, cleared when it takes over an older one; NULL when b is too old. */
static uint32_t *tl_row(struct tui_model *m, uint64_t b)
{
	unsigned i = (unsigned)(b % TUI_TL_BUCKETS);

	if (m->tl_bucket[i] == b)
		return m->tl_us[i];
	if (m->tl_bucket[i] != TL_EMPTY && m->tl_bucket[i] > b)
		return NULL;
	memset(m->tl_us[i], 0, sizeof(m->tl_us[i]));
	m->tl_bucket[i] = b;
	return m->tl_us[i];
}

static uint64_t overlap(uint64_t from, uint64_t to, uint64_t b)
{
	uint64_t lo = b * TUI_TL_BUCKET_NS, hi = lo + TUI_TL_BUCKET_NS;

	lo = from > lo ? from : lo;
	hi = to < hi ? to : hi;
	return hi > lo ? hi - lo : 0;
}

static void tl_add(struct tui_model *m, uint32_t tid, uint64_t from, uint64_t to)
{
	int slot = tl_slot_create(m, tid);
	uint64_t first = from / TUI_TL_BUCKET_NS, last;

	if (slot < 0 || to <= from)
		return;
	last = (to - 1) / TUI_TL_BUCKET_NS;
	if (last - first >= TUI_TL_BUCKETS)
		first = last - TUI_TL_BUCKETS + 1;
	for (uint64_t b = first; b <= last; b++) {
		uint32_t *row = tl_row(m, b);
		if (row)
			row[slot] += (uint32_t)(overlap(from, to, b) / 1000);
	}
}

static void on_switch(struct tui_model *m, const struct tui_event *e)
{
	struct tui_cpu_run *r = &m->cpu_run[e->cpu];
	uint32_t prev = (uint32_t)e->args[0];
	uint64_t ran = 0;

	if (r->known && r->tid == prev && e->ns > r->since_ns) {
		ran = e->ns - r->since_ns;
		tl_add(m, prev, r->since_ns, e->ns);
	}
	if (m->threads_from_trace)
		trace_switch_rows(m, e, ran);
	r->known = true;
	r->tid = (uint32_t)e->args[2];
	r->since_ns = e->ns;
}

uint64_t tui_model_view_ns(const struct tui_model *m)
{
	return m->scrubbing ? m->cursor_ns : m->newest_ns;
}

uint64_t tui_model_timeline_end(const struct tui_model *m)
{
	return tui_model_view_ns(m) / TUI_TL_BUCKET_NS;
}

/* The run in progress on a CPU counts too, up to the newest event. */
static uint64_t open_run_ns(const struct tui_model *m, uint32_t tid, uint64_t b)
{
	uint64_t ns = 0;

	if (m->scrubbing)
		return 0;
	for (unsigned c = 0; c < m->nr_cpus && c < TUI_TL_MAX_CPUS; c++)
		if (m->cpu_run[c].known && m->cpu_run[c].tid == tid)
			ns += overlap(m->cpu_run[c].since_ns, m->newest_ns, b);
	return ns;
}

void tui_model_timeline(const struct tui_model *m, uint32_t tid, uint64_t end, unsigned n,
			unsigned *permille)
{
	int slot = tl_slot(m, tid);

	for (unsigned i = 0; i < n; i++) {
		uint64_t back = n - 1 - i, b, us;
		permille[i] = 0;
		if (back > end)
			continue;
		b = end - back;
		us = open_run_ns(m, tid, b) / 1000;
		if (slot >= 0 && m->tl_bucket[b % TUI_TL_BUCKETS] == b)
			us += m->tl_us[b % TUI_TL_BUCKETS][slot];
		us = us * 1000 / (TUI_TL_BUCKET_NS / 1000);
		permille[i] = us > 1000 ? 1000 : (unsigned)us;
	}
}

/* ---- events ----------------------------------------------------------------------- */

uint64_t tui_model_oldest_seq(const struct tui_model *m)
{
	return m->nr_total > m->cap ? m->nr_total - m->cap : 0;
}

const struct tui_event *tui_model_event(const struct tui_model *m, uint64_t seq)
{
	if (seq >= m->nr_total || seq < tui_model_oldest_seq(m))
		return NULL;
	return &m->events[seq % m->cap];
}

void tui_model_add_event(struct tui_model *m, const struct tui_event *e)
{
	m->events[m->nr_total % m->cap] = *e;
	m->nr_total++;
	m->dirty = true;
	if (e->ns > m->newest_ns)
		m->newest_ns = e->ns;
	if (e->cpu >= TUI_TL_MAX_CPUS)
		return;
	if (e->cpu >= m->nr_cpus)
		m->nr_cpus = e->cpu + 1;
	if (e->id == UNISCOPE_TRACE_ID_LOST) {
		m->lost += e->lost;
		m->cpu_run[e->cpu].known = false; /* the switches in the gap are unknown */
	} else if (e->id == UNISCOPE_TRACE_ID_SCHED_SWITCH) {
		on_switch(m, e);
	} else if (m->threads_from_trace) {
		trace_other_rows(m, e);
	}
}

bool tui_model_event_matches(const struct tui_model *m, const struct tui_event *e)
{
	return !m->filter[0] || strcasestr(e->text, m->filter);
}

uint64_t tui_model_view_end(const struct tui_model *m)
{
	uint64_t oldest = tui_model_oldest_seq(m);

	if (!m->nr_total)
		return UINT64_MAX;
	if (m->follow)
		return m->nr_total - 1;
	if (m->anchor_seq == UINT64_MAX)
		return UINT64_MAX; /* scrubbed back before every event kept */
	if (m->anchor_seq < oldest)
		return oldest;
	return m->anchor_seq < m->nr_total ? m->anchor_seq : m->nr_total - 1;
}

size_t tui_model_visible_events(const struct tui_model *m, uint64_t *seqs, size_t max)
{
	uint64_t end = tui_model_view_end(m), oldest = tui_model_oldest_seq(m);
	size_t n = 0;

	if (end == UINT64_MAX)
		return 0;
	for (uint64_t s = end + 1; s-- > oldest && n < max;)
		if (tui_model_event_matches(m, &m->events[s % m->cap]))
			seqs[n++] = s;
	for (size_t i = 0; i < n / 2; i++) {
		uint64_t t = seqs[i];
		seqs[i] = seqs[n - 1 - i];
		seqs[n - 1 - i] = t;
	}
	return n;
}

uint64_t tui_model_event_rate(const struct tui_model *m)
{
	uint64_t end = tui_model_view_end(m), oldest = tui_model_oldest_seq(m), n = 0, end_ns;

	if (end == UINT64_MAX)
		return 0;
	end_ns = m->events[end % m->cap].ns;
	for (uint64_t s = end + 1; s-- > oldest;) {
		const struct tui_event *e = &m->events[s % m->cap];
		if (e->ns + NS_PER_S <= end_ns)
			break;
		n += e->id != UNISCOPE_TRACE_ID_LOST;
	}
	return n;
}

void tui_model_follow(struct tui_model *m)
{
	m->follow = true;
	m->scrubbing = false;
	m->dirty = true;
}

/* The delta-th matching event from start (exclusive) in direction step, or start. */
static uint64_t walk_matches(const struct tui_model *m, uint64_t start, long delta, bool *more)
{
	uint64_t oldest = tui_model_oldest_seq(m), found = start, s = start;
	long step = delta < 0 ? -1 : 1, left = delta < 0 ? -delta : delta;

	while (left > 0 && (step < 0 ? s > oldest : s + 1 < m->nr_total)) {
		s += (uint64_t)step;
		if (tui_model_event_matches(m, &m->events[s % m->cap]))
			found = s, left--;
	}
	*more = false;
	while (step > 0 && s + 1 < m->nr_total && !*more)
		*more = tui_model_event_matches(m, &m->events[++s % m->cap]);
	return found;
}

void tui_model_scroll_events(struct tui_model *m, long delta)
{
	uint64_t end = tui_model_view_end(m);
	bool more;

	if (end == UINT64_MAX || delta == 0)
		return;
	m->anchor_seq = walk_matches(m, end, delta, &more);
	m->follow = delta > 0 && !more && !m->scrubbing;
	m->dirty = true;
}

/* ---- view --------------------------------------------------------------------------- */

void tui_model_set_filter(struct tui_model *m, const char *text)
{
	snprintf(m->filter, sizeof(m->filter), "%s", text ? text : "");
	m->dirty = true;
}

void tui_model_set_paused(struct tui_model *m, bool paused)
{
	m->paused = paused;
	if (!paused)
		tui_model_follow(m);
	m->dirty = true;
}

/* The newest event at or before ns (events are in time order), or UINT64_MAX. */
static uint64_t seq_at(const struct tui_model *m, uint64_t ns)
{
	uint64_t lo = tui_model_oldest_seq(m), hi = m->nr_total;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (m->events[mid % m->cap].ns <= ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > tui_model_oldest_seq(m) ? lo - 1 : UINT64_MAX;
}

void tui_model_scrub(struct tui_model *m, int buckets)
{
	uint64_t at = tui_model_view_ns(m), step = (uint64_t)(buckets < 0 ? -buckets : buckets);
	uint64_t floor_ns = m->newest_ns > (TUI_TL_BUCKETS - 1) * TUI_TL_BUCKET_NS
				    ? m->newest_ns - (TUI_TL_BUCKETS - 1) * TUI_TL_BUCKET_NS : 0;

	m->paused = true;
	m->dirty = true;
	step *= TUI_TL_BUCKET_NS;
	if (buckets > 0 && at + step >= m->newest_ns) {
		tui_model_follow(m);
		return;
	}
	at = buckets > 0 ? at + step : (at > floor_ns + step ? at - step : floor_ns);
	m->scrubbing = true;
	m->cursor_ns = at;
	m->follow = false;
	m->anchor_seq = seq_at(m, at);
}

/* ---- console ----------------------------------------------------------------------------- */

void tui_model_set_console(struct tui_model *m, const char *text, size_t len)
{
	if (len > TUI_CONSOLE_MAX) {
		text += len - TUI_CONSOLE_MAX;
		len = TUI_CONSOLE_MAX;
	}
	if (len == m->console_len && !memcmp(m->console, text, len))
		return;
	memcpy(m->console, text, len);
	m->console_len = len;
	m->dirty = true;
}

/* ---- source ---------------------------------------------------------------------- */

void tui_model_set_source(struct tui_model *m, enum tui_source_kind kind, const char *name)
{
	m->source_kind = kind;
	snprintf(m->source_name, sizeof(m->source_name), "%s", name ? name : "");
	m->dirty = true;
}

static void set_problem(struct tui_model *m, char *problem, size_t cap, const char *text)
{
	if (!strncmp(problem, text, cap - 1))
		return;
	snprintf(problem, cap, "%s", text);
	m->dirty = true;
}

void tui_model_set_trace_error(struct tui_model *m, const char *text)
{
	set_problem(m, m->trace_error, sizeof(m->trace_error), text);
}

void tui_model_set_threads_error(struct tui_model *m, const char *text)
{
	set_problem(m, m->threads_error, sizeof(m->threads_error), text);
}

/* ---- network ------------------------------------------------------------------- */

static uint64_t per_second(uint64_t now, uint64_t before, uint64_t dt_ns)
{
	return now >= before ? (uint64_t)((double)(now - before) * 1e9 / (double)dt_ns) : 0;
}

void tui_model_set_net(struct tui_model *m, const struct tui_net_sample *s)
{
	struct tui_net_status *n = &m->status.net;
	uint64_t dt = s->ns - n->last.ns;

	if (n->known && s->ns > n->last.ns) {
		n->rx_pps = per_second(s->rx_packets, n->last.rx_packets, dt);
		n->tx_pps = per_second(s->tx_packets, n->last.tx_packets, dt);
		n->rx_bps = per_second(s->rx_bytes, n->last.rx_bytes, dt);
		n->tx_bps = per_second(s->tx_bytes, n->last.tx_bytes, dt);
		n->rates_known = true;
	}
	n->known = true;
	n->last = *s;
	m->dirty = true;
}

void tui_model_set_conns(struct tui_model *m, const struct tui_conn *rows, size_t n, size_t total)
{
	n = n < TUI_MAX_CONNS ? n : TUI_MAX_CONNS;
	if (n == m->nr_conns && total == m->conns_total && !memcmp(rows, m->conns, n * sizeof(*rows)))
		return;
	memcpy(m->conns, rows, n * sizeof(*rows));
	m->nr_conns = n;
	m->conns_total = total > n ? total : n;
	m->dirty = true;
}

void tui_model_set_conns_error(struct tui_model *m, const char *text)
{
	set_problem(m, m->conns_error, sizeof(m->conns_error), text);
}
