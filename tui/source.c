/*
 * Where `uniscope top` gets its data, all into the model (model.h):
 *
 *	live    a running session, read with no pause and no help from the
 *	        guest: the trace rings every TUI_TRACE_INTERVAL_MS (as `trace
 *	        --follow` does), threads, console, heap, the trace mask and the
 *	        channel's counters (the session's `stats` file) every
 *	        TUI_INFO_INTERVAL_MS
 *	core    the same read once
 *	replay  a stream recorded by `uniscope run --trace FILE`, decoded once;
 *	        the thread rows come from its thread names and sched events
 *
 * The trace set only carries decoder state between reads: its events move
 * into the model's ring and the set is emptied, so a long session costs
 * the ring, not its whole history.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "introspect/uniscope.h"
#include "tui.h"

uint64_t tui_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- events -------------------------------------------------------------------- */

static void format_line(const struct trace_set *set, const struct trace_event *ev, char *out, size_t cap)
{
	char name[UNISCOPE_TRACE_NAME_MAX + 16], fields[256], who[UNISCOPE_THREAD_NAME_MAX + 16], cpu[16] = "";
	const char *thread = trace_thread_name(set, ev->tid);
	unsigned long long s = ev->ns / 1000000000u, us = ev->ns / 1000 % 1000000;

	if (set->nr_cpus > 1)
		snprintf(cpu, sizeof(cpu), "[%u] ", ev->cpu);
	if (ev->id == UNISCOPE_TRACE_ID_LOST) {
		snprintf(out, cap, "%5llu.%06llu %s*** %llu events lost ***", s, us, cpu,
			 (unsigned long long)ev->lost);
		return;
	}
	snprintf(who, sizeof(who), "%s:%u", thread ? thread : "?", ev->tid);
	trace_event_format_fields(set, ev, fields, sizeof(fields));
	if (snprintf(out, cap, "%5llu.%06llu %s%-14s %-14s %s", s, us, cpu, who,
		     trace_event_name(set, ev->id, name, sizeof(name)), fields) >= (int)cap)
		out[cap - 1] = 0; /* a long line is cut at the pane's width anyway */
}

/* Moves the events decoded since the last call into the model, in time order. */
static void move_events(struct trace_set *set, struct tui_model *m)
{
	struct tui_event e;

	trace_set_sort(set);
	for (size_t i = 0; i < set->nr_events; i++) {
		const struct trace_event *ev = &set->events[i];
		const uint64_t *slots = trace_event_slots(set, ev);
		memset(&e, 0, offsetof(struct tui_event, text));
		e.ns = ev->ns;
		e.lost = ev->lost;
		e.tid = ev->tid;
		e.cpu = ev->cpu;
		e.id = ev->id;
		for (unsigned k = 0; k < 3 && k < ev->nr_slots; k++)
			e.args[k] = slots[k];
		format_line(set, ev, e.text, sizeof(e.text));
		tui_model_add_event(m, &e);
	}
	set->nr_events = 0;
	set->nr_slots = 0;
}

static void read_trace(struct tui_source *s, struct tui_model *m)
{
	struct trace_error err = { { 0 } };
	uint64_t info = us_target_info_address(s->target);

	if (!info) {
		tui_model_set_trace_error(m, "no guest descriptor: no trace rings");
		return;
	}
	if (trace_decode_guest(&s->set, us_target_read_fn, s->target, info, &err) < 0)
		tui_model_set_trace_error(m, err.msg);
	else
		tui_model_set_trace_error(m, "");
	move_events(&s->set, m);
}

/* What `e` asked for (control.c) while the guest catches up, else the guest's own mask. */
int tui_source_trace_mask(struct tui_source *s, uint64_t *mask)
{
	struct us_error *err = us_target_trace_mask(s->target, mask);

	if (err) {
		us_error_destroy(err);
		return -1;
	}
	if (s->mask_pending && (*mask == s->pending_mask || tui_now_ms() >= s->pending_until_ms))
		s->mask_pending = false;
	if (s->mask_pending)
		*mask = s->pending_mask;
	return 0;
}

/* ---- threads, console, heap, channel ------------------------------------------------- */

/* What a blocked thread waits on, and for how long (the guest's clock, when it keeps one). */
static void add_wait(struct tui_thread *row, const struct us_thread *th, const struct us_thread *threads,
		     const struct us_wait *w, uint64_t now)
{
	us_wait_describe(w, threads, row->waits_on, sizeof(row->waits_on));
	if (th->state == UNISCOPE_THREAD_BLOCKED && now && th->state_since && now > th->state_since)
		row->blocked_ns = now - th->state_since;
}

static void to_row(const struct us_thread *th, struct tui_thread *row)
{
	memset(row, 0, sizeof(*row));
	row->id = th->id;
	snprintf(row->name, sizeof(row->name), "%s", th->name);
	snprintf(row->state, sizeof(row->state), "%s", us_thread_state_name(th->state));
	snprintf(row->wait, sizeof(row->wait), "%s", us_wait_reason_name(th->wait_reason));
	row->cpu_ns = th->cpu_ns;
	row->switches = th->switches;
	row->on_cpu = th->cpu >= 0;
}

static void read_threads(struct tui_source *s, struct tui_model *m)
{
	static struct tui_thread rows[TUI_MAX_THREADS];
	struct us_thread *threads = NULL;
	struct us_wait *waits;
	size_t n = 0, kept;
	uint64_t now = 0;

	struct us_error *err = us_target_threads(s->target, &threads, &n);

	tui_model_set_threads_error(m, err ? err->message : "");
	us_error_destroy(err);
	us_error_destroy(us_target_clock(s->target, &now));
	if ((waits = calloc(n ? n : 1, sizeof(*waits))))
		us_target_waits(s->target, threads, n, waits);
	kept = n < TUI_MAX_THREADS ? n : TUI_MAX_THREADS;
	for (size_t i = 0; i < n; i++) {
		trace_set_thread_name(&s->set, threads[i].id, threads[i].name);
		if (i < kept)
			to_row(&threads[i], &rows[i]);
		if (i < kept && waits)
			add_wait(&rows[i], &threads[i], threads, &waits[i], now);
	}
	free(waits);
	free(threads);
	if (n)
		tui_model_set_threads(m, rows, kept);
}

static void read_console(struct tui_source *s, struct tui_model *m)
{
	char *text = NULL;
	size_t len = 0;
	uint64_t lost = 0;
	struct us_error *err = us_target_log(s->target, &text, &len, &lost);

	if (!err)
		tui_model_set_console(m, text, len);
	us_error_destroy(err);
	free(text);
}

static void read_heap(struct tui_source *s, struct tui_model *m)
{
	struct uniscope_heap_stats heap;
	struct us_error *err = us_target_heap(s->target, &heap);

	if (!err && (!m->status.heap_known || m->status.heap_in_use != heap.heap_bytes_in_use)) {
		m->status.heap_known = true;
		m->status.heap_in_use = heap.heap_bytes_in_use;
		m->dirty = true;
	}
	us_error_destroy(err);
}

static void read_trace_mask(struct tui_source *s, struct tui_model *m)
{
	uint64_t mask;
	int enabled = tui_source_trace_mask(s, &mask) < 0 ? -1 : mask != 0;

	if (enabled != m->status.trace_enabled) {
		m->status.trace_enabled = enabled;
		m->dirty = true;
	}
}

/* The launcher's counters: the session's `stats` file (introspect/session_stats.h). */
static void read_channel_stats(struct tui_source *s, struct tui_model *m)
{
	struct session_stats st;
	unsigned in, dropped_in, dropped_out;

	if (session_stats_read(&s->session, &st) < 0)
		return;
	in = (unsigned)st.frames_in, dropped_in = (unsigned)st.dropped_in, dropped_out = (unsigned)st.dropped_out;
	if (!m->status.chan_known || in != m->status.frames_in || dropped_in != m->status.dropped_in ||
	    dropped_out != m->status.dropped_out)
		m->dirty = true;
	m->status.chan_known = true;
	m->status.frames_in = in;
	m->status.dropped_in = dropped_in;
	m->status.dropped_out = dropped_out;
}

static void to_conn_row(const struct us_net_conn *c, struct tui_conn *row)
{
	memset(row, 0, sizeof(*row));
	snprintf(row->state, sizeof(row->state), "%s", us_tcp_state_name(c->state));
	us_net_endpoint(c, true, row->local, sizeof(row->local));
	us_net_endpoint(c, false, row->peer, sizeof(row->peer));
	row->recv_q = c->recv_queue == US_NET_UNKNOWN ? TUI_QUEUE_UNKNOWN : c->recv_queue;
	row->send_q = c->send_queue == US_NET_UNKNOWN ? TUI_QUEUE_UNKNOWN : c->send_queue;
	row->fd = c->fd;
	row->owner_tid = c->owner_tid;
	snprintf(row->owner, sizeof(row->owner), "%s", c->owner_name);
	row->owner_blocked = c->owner_blocked;
}

/* The connections view's rows: the first TUI_MAX_CONNS, in the guest's list order. */
static void set_conns(struct tui_model *m, const struct us_net *net, const struct us_error *err)
{
	static struct tui_conn rows[TUI_MAX_CONNS];
	size_t n = net->count < TUI_MAX_CONNS ? net->count : TUI_MAX_CONNS;

	for (size_t i = 0; i < n; i++)
		to_conn_row(&net->conns[i], &rows[i]);
	tui_model_set_conns(m, rows, n, net->count);
	tui_model_set_conns_error(m, err ? err->message : "");
}

/* The network's counters and connections (introspect/net.c); nothing without a stack. */
static void read_net(struct tui_source *s, struct tui_model *m, uint64_t now_ms)
{
	struct tui_net_sample sample = { .ns = now_ms * 1000000ull };
	struct us_net net;
	struct us_error *err = us_target_net(s->target, &net);

	if ((!err || err->code != US_ERR_NOT_FOUND) && net.have_stats) {
		sample.rx_packets = net.stats.rx_packets;
		sample.rx_bytes = net.stats.rx_bytes;
		sample.tx_packets = net.stats.tx_packets;
		sample.tx_bytes = net.stats.tx_bytes;
		sample.drops = net.stats.rx_drops + net.stats.tx_drops;
		for (size_t i = 0; i < net.count; i++)
			sample.connections += net.conns[i].state != US_TCP_LISTEN;
		tui_model_set_net(m, &sample);
		set_conns(m, &net, err);
	}
	us_error_destroy(err);
	us_net_release(&net);
}

/* Once the session has ended, this is the last read: the memory stays mapped, frozen. */
static void read_info(struct tui_source *s, struct tui_model *m, uint64_t now_ms)
{
	if (s->have_session && !session_alive(&s->session)) {
		m->status.ended = true;
		m->dirty = true;
	}
	read_threads(s, m);
	read_console(s, m);
	read_heap(s, m);
	read_trace_mask(s, m);
	read_net(s, m, now_ms);
	if (s->have_session)
		read_channel_stats(s, m);
}

uint64_t tui_source_poll(struct tui_source *s, struct tui_model *m, uint64_t now)
{
	if (s->kind != TUI_LIVE || m->status.ended)
		return UINT64_MAX;
	if (now >= s->next_info_ms) {
		read_info(s, m, now);
		s->next_info_ms = now + TUI_INFO_INTERVAL_MS;
	}
	if (now >= s->next_trace_ms || m->status.ended) {
		read_trace(s, m);
		s->next_trace_ms = now + TUI_TRACE_INTERVAL_MS;
	}
	return s->next_info_ms < s->next_trace_ms ? s->next_info_ms : s->next_trace_ms;
}

/* ---- opening ---------------------------------------------------------------------------- */

static int open_replay(struct tui_source *s, const struct tui_top_options *o, struct tui_model *m,
		       char *err, size_t cap)
{
	struct trace_error terr = { { 0 } };

	if ((o->image && trace_meta_load(&s->set.meta, o->image, &terr) < 0) ||
	    trace_decode_stream_file(&s->set, o->replay, &terr) < 0 ||
	    trace_set_check_build_id(&s->set, &terr) < 0) {
		snprintf(err, cap, "%s: %s", o->replay, terr.msg);
		return -1;
	}
	m->threads_from_trace = true;
	for (size_t i = 0; i < s->set.nr_threads; i++)
		tui_model_trace_thread(m, s->set.threads[i].tid, s->set.threads[i].name);
	if (!s->set.meta.nr_types)
		snprintf(s->warning, sizeof(s->warning), "no event names: give the image with --image");
	move_events(&s->set, m);
	return 0;
}

static void find_session(struct tui_source *s)
{
	const char *name = s->spec;

	if (strcmp(us_target_kind(s->target), "qemu"))
		return;
	if (!strncmp(name, "qemu:", 5))
		name += 5;
	s->have_session = session_load(name, &s->session) == 0;
}

int tui_source_open(struct tui_source *s, const struct tui_top_options *o, struct tui_model *m,
		    char *err, size_t cap)
{
	struct trace_error terr = { { 0 } };
	const struct uniscope_info *info;
	const char *image;

	memset(s, 0, sizeof(*s));
	trace_set_init(&s->set);
	s->spec = o->spec;
	if (o->replay) {
		s->kind = TUI_REPLAY;
		tui_model_set_source(m, s->kind, s->spec);
		return open_replay(s, o, m, err, cap);
	}
	s->target = o->target;
	s->kind = us_target_is_live(s->target) ? TUI_LIVE : TUI_CORE;
	tui_model_set_source(m, s->kind, s->spec);
	find_session(s);
	if ((info = us_target_info(s->target)) && info->nr_cpus && info->nr_cpus <= TUI_TL_MAX_CPUS)
		m->nr_cpus = info->nr_cpus;
	image = us_target_image(s->target);
	if (image && trace_meta_load(&s->set.meta, image, &terr) < 0)
		snprintf(s->warning, sizeof(s->warning), "no event names: %s", terr.msg);
	if (us_target_warning(s->target))
		snprintf(s->warning, sizeof(s->warning), "%s", us_target_warning(s->target));
	read_info(s, m, tui_now_ms());
	read_trace(s, m);
	if (s->kind == TUI_LIVE)
		m->lost = 0; /* what was overwritten before we looked is history, not loss */
	return 0;
}

void tui_source_close(struct tui_source *s)
{
	trace_set_free(&s->set);
	if (s->target)
		us_target_close(s->target);
	s->target = NULL;
}
