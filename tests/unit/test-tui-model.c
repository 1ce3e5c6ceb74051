/*
 * The model behind `uniscope top`, without a terminal: the event ring,
 * filtering, scrolling, pause and scrub, timeline bucketing, thread rows
 * and sorting. The model is pure C in tui/ (not in libuniscope), so it is
 * compiled in here.
 */
#include <stdio.h>
#include <stdlib.h>
#include "tap.h"
#include "../../tui/model.c"

#define MS 1000000ull

static struct tui_model model;

static void add(struct tui_model *m, uint64_t ns, uint16_t id, const char *text)
{
	struct tui_event e = { .ns = ns, .id = id };

	snprintf(e.text, sizeof(e.text), "%s", text);
	tui_model_add_event(m, &e);
}

static void add_switch(struct tui_model *m, uint64_t ns, uint32_t prev, uint64_t prev_state, uint32_t next)
{
	struct tui_event e = { .ns = ns, .id = UNISCOPE_TRACE_ID_SCHED_SWITCH, .tid = prev,
			       .args = { prev, prev_state, next } };

	snprintf(e.text, sizeof(e.text), "sched_switch prev=%u next=%u", prev, next);
	tui_model_add_event(m, &e);
}

static void fresh(size_t cap)
{
	tui_model_free(&model);
	if (tui_model_init(&model, cap) < 0) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
}

static void test_ring(void)
{
	char text[32];

	fresh(10);
	for (int i = 0; i < 25; i++) {
		snprintf(text, sizeof(text), "event %d", i);
		add(&model, (uint64_t)i * MS, 40, text);
	}
	is_int(tui_model_oldest_seq(&model), 15, "ring: the oldest kept is 25 - 10");
	ok(tui_model_event(&model, 14) == NULL, "ring: an overwritten event is gone");
	is_str(tui_model_event(&model, 24)->text, "event 24", "ring: the newest is there");
	is_int(tui_model_view_end(&model), 24, "ring: the view follows the newest");
}

static void test_filter(void)
{
	uint64_t seqs[16];
	size_t n;

	fresh(100);
	add(&model, 1 * MS, 40, "producer-0:2 item_produced item=1");
	add(&model, 2 * MS, 1, "producer-0:2 sched_switch prev=producer-0:2 next=consumer-1:5");
	add(&model, 3 * MS, 41, "consumer-1:5 item_consumed item=1");
	add(&model, 4 * MS, 40, "producer-1:3 item_produced item=2");
	tui_model_set_filter(&model, "ITEM_PRODUCED");
	n = tui_model_visible_events(&model, seqs, 16);
	is_int(n, 2, "filter: two events match, case-insensitively");
	ok(n == 2 && seqs[0] == 0 && seqs[1] == 3, "filter: oldest first, the matching ones only");
	tui_model_set_filter(&model, "consumer-1");
	n = tui_model_visible_events(&model, seqs, 16);
	ok(n == 2 && seqs[0] == 1 && seqs[1] == 2, "filter: a thread name matches its events and switches");
	tui_model_set_filter(&model, "");
	is_int(tui_model_visible_events(&model, seqs, 2), 2, "no filter: as many as fit");
	ok(seqs[0] == 2 && seqs[1] == 3, "no filter: the newest that fit");
}

static void test_scroll(void)
{
	uint64_t seqs[4];

	fresh(100);
	for (int i = 0; i < 20; i++)
		add(&model, (uint64_t)i * MS, 40, "x");
	tui_model_scroll_events(&model, -5);
	ok(!model.follow, "scroll back: no longer following");
	is_int(tui_model_view_end(&model), 14, "scroll back 5 from 19");
	add(&model, 30 * MS, 40, "x");
	is_int(tui_model_view_end(&model), 14, "new events do not move a scrolled view");
	tui_model_scroll_events(&model, 100);
	ok(model.follow, "scrolling past the end follows again");
	is_int(tui_model_visible_events(&model, seqs, 4), 4, "following shows the newest");
	is_int(seqs[3], 20, "the newest is the last line");
}

static void test_pause_scrub(void)
{
	fresh(1000);
	for (int i = 0; i <= 50; i++)
		add(&model, (uint64_t)i * 100 * MS, 40, "tick");
	tui_model_set_paused(&model, true);
	ok(model.paused && model.follow && !model.scrubbing, "pause: the view stays at the end");
	tui_model_scrub(&model, -10);
	ok(model.scrubbing, "scrub: back in time");
	is_int(model.cursor_ns, 4000 * MS, "scrub: 10 buckets back from 5 s is 4 s");
	is_int(tui_model_view_end(&model), 40, "scrub: the events end at the cursor");
	is_int(tui_model_timeline_end(&model), 40, "scrub: the timeline ends at the cursor");
	tui_model_scrub(&model, 3);
	is_int(model.cursor_ns, 4300 * MS, "scrub forward");
	tui_model_scrub(&model, 100);
	ok(!model.scrubbing && model.follow && model.paused, "scrubbing past the end: live end, still paused");
	tui_model_scrub(&model, -1000);
	is_int(model.cursor_ns, 0, "scrub: no further back than the history");
	tui_model_set_paused(&model, false);
	ok(!model.paused && !model.scrubbing && model.follow, "resume: following again");
}

static void test_timeline(void)
{
	unsigned p[6];

	fresh(100);
	add_switch(&model, 0, 0, UNISCOPE_THREAD_RUNNING, 7);
	add_switch(&model, 150 * MS, 7, UNISCOPE_THREAD_SLEEPING, 8);
	add_switch(&model, 400 * MS, 8, UNISCOPE_THREAD_BLOCKED, 0);
	add(&model, 550 * MS, 40, "later");
	tui_model_timeline(&model, 7, 5, 6, p);
	ok(p[0] == 1000 && p[1] == 500 && p[2] == 0 && p[5] == 0, "timeline: 7 ran 0-150 ms");
	tui_model_timeline(&model, 8, 5, 6, p);
	ok(p[0] == 0 && p[1] == 500 && p[2] == 1000 && p[3] == 1000 && p[4] == 0,
	   "timeline: 8 ran 150-400 ms");
	tui_model_timeline(&model, 0, 5, 6, p);
	ok(p[3] == 0 && p[4] == 1000 && p[5] == 500, "timeline: idle since 400 ms, open up to the newest event");
	tui_model_timeline(&model, 99, 5, 6, p);
	ok(p[0] == 0 && p[5] == 0, "timeline: an unknown thread never ran");
	add_switch(&model, (TUI_TL_BUCKETS + 10) * TUI_TL_BUCKET_NS, 0, UNISCOPE_THREAD_RUNNING, 7);
	tui_model_timeline(&model, 8, 5, 6, p);
	ok(p[2] == 0, "timeline: buckets older than the history are forgotten");
}

static void test_threads_sort(void)
{
	struct tui_thread rows[3] = {
		{ .id = 1, .name = "main", .state = "sleeping", .cpu_ns = 100, .switches = 5 },
		{ .id = 2, .name = "producer-0", .state = "running", .cpu_ns = 300, .switches = 50 },
		{ .id = 0, .name = "idle", .state = "runnable", .cpu_ns = 600, .switches = 9 },
	};

	fresh(10);
	tui_model_set_threads(&model, rows, 3);
	rows[0].cpu_ns += 700; /* main ran 700 of the next 1000 */
	rows[1].cpu_ns += 200;
	rows[2].cpu_ns += 100;
	tui_model_set_threads(&model, rows, 3);
	tui_model_sort_threads(&model);
	ok(model.threads[0].id == 1 && model.threads[0].cpu_permille == 700, "sort by CPU %%: busiest first");
	tui_model_cycle_sort(&model);
	tui_model_sort_threads(&model);
	ok(model.threads[0].id == 0 && model.threads[2].id == 2, "sort by TID");
	tui_model_cycle_sort(&model);
	tui_model_sort_threads(&model);
	is_str(model.threads[0].name, "idle", "sort by NAME");
	model.sort_reverse = true;
	tui_model_sort_threads(&model);
	is_str(model.threads[0].name, "producer-0", "reverse");
	model.sort = TUI_SORT_SWITCHES;
	model.sort_reverse = false;
	tui_model_sort_threads(&model);
	is_int(model.threads[0].switches, 50, "sort by SWITCHES");
}

static void test_replay_threads(void)
{
	const struct tui_thread *t;

	fresh(100);
	model.threads_from_trace = true;
	tui_model_trace_thread(&model, 2, "producer-0");
	add_switch(&model, 0, 0, UNISCOPE_THREAD_RUNNING, 2);
	add_switch(&model, 50 * MS, 2, UNISCOPE_THREAD_SLEEPING, 0);
	t = tui_model_find_thread(&model, 2);
	ok(t && !strcmp(t->state, "sleeping") && t->switches == 1 && t->cpu_ns == 50 * MS,
	   "replay: a switch updates state, switches and CPU time");
	t = tui_model_find_thread(&model, 0);
	ok(t && !strcmp(t->name, "boot") && !strcmp(t->state, "running") && t->on_cpu,
	   "replay: the next thread runs");
	tui_model_sort_threads(&model);
	ok(tui_model_find_thread(&model, 2)->cpu_permille == 50, "replay: CPU %% over the last second");
}

static void test_console_and_rate(void)
{
	fresh(100);
	model.dirty = false;
	tui_model_set_console(&model, "hello\n", 6);
	ok(model.dirty, "console: new text redraws");
	model.dirty = false;
	tui_model_set_console(&model, "hello\n", 6);
	ok(!model.dirty, "console: the same text does not");
	for (int i = 0; i < 30; i++)
		add(&model, (uint64_t)i * 100 * MS, 40, "e");
	is_int(tui_model_event_rate(&model), 10, "rate: 10 events in the last second");
}

/* What the panes say about the source comes from the model, not the source. */
static void test_source(void)
{
	fresh(100);
	tui_model_set_source(&model, TUI_REPLAY, "trace.bin");
	ok(model.source_kind == TUI_REPLAY && !strcmp(model.source_name, "trace.bin"), "source: kind and name");
	model.dirty = false;
	tui_model_set_trace_error(&model, "");
	ok(!model.dirty, "trace error: none, as before, does not redraw");
	tui_model_set_trace_error(&model, "ring 0: bad magic");
	ok(model.dirty && !strcmp(model.trace_error, "ring 0: bad magic"), "trace error: a new one redraws");
	model.dirty = false;
	tui_model_set_trace_error(&model, "ring 0: bad magic");
	ok(!model.dirty, "trace error: the same one does not");
	tui_model_set_threads_error(&model, "thread list: a cycle");
	ok(model.dirty && !strcmp(model.threads_error, "thread list: a cycle"), "threads error");
}

static void test_net(void)
{
	struct tui_net_sample a = { .ns = 1000 * MS, .rx_packets = 100, .rx_bytes = 10000, .tx_packets = 50,
				    .tx_bytes = 4000, .drops = 1, .connections = 3 };
	struct tui_net_sample b = { .ns = 1500 * MS, .rx_packets = 150, .rx_bytes = 30000, .tx_packets = 50,
				    .tx_bytes = 4000, .drops = 2, .connections = 5 };
	struct tui_net_sample c = b;

	fresh(100);
	ok(!model.status.net.known, "net: unknown before a sample");
	tui_model_set_net(&model, &a);
	ok(model.status.net.known && !model.status.net.rates_known, "net: one sample, no rates yet");
	tui_model_set_net(&model, &b);
	is_int(model.status.net.rx_pps, 100, "net: 50 packets in half a second are 100/s");
	is_int(model.status.net.rx_bps, 40000, "net: 20000 bytes in half a second are 40000/s");
	is_int(model.status.net.tx_pps, 0, "net: nothing sent, 0/s");
	is_int(model.status.net.last.connections, 5, "net: the connections of the last sample");
	c.ns = 2000 * MS;
	c.rx_packets = 10; /* the guest restarted its counters (or lies) */
	tui_model_set_net(&model, &c);
	is_int(model.status.net.rx_pps, 0, "net: a counter that went back gives 0, not a wrap");
}

static void test_conns(void)
{
	static struct tui_conn rows[TUI_MAX_CONNS + 10];

	fresh(100);
	for (size_t i = 0; i < TUI_MAX_CONNS + 10; i++) {
		memset(&rows[i], 0, sizeof(rows[i]));
		snprintf(rows[i].state, sizeof(rows[i].state), "%s", i ? "ESTAB" : "LISTEN");
		snprintf(rows[i].peer, sizeof(rows[i].peer), "10.0.2.2:%zu", 1000 + i);
		rows[i].recv_q = rows[i].send_q = TUI_QUEUE_UNKNOWN;
	}
	model.dirty = false;
	tui_model_set_conns(&model, rows, 3, 3);
	ok(model.dirty && model.nr_conns == 3 && model.conns_total == 3, "conns: three rows");
	model.dirty = false;
	tui_model_set_conns(&model, rows, 3, 3);
	ok(!model.dirty, "conns: the same rows again draw nothing");
	tui_model_set_conns(&model, rows, TUI_MAX_CONNS + 10, TUI_MAX_CONNS + 10);
	is_int(model.nr_conns, TUI_MAX_CONNS, "conns: at most TUI_MAX_CONNS rows are kept");
	is_int(model.conns_total, TUI_MAX_CONNS + 10, "conns: the total says how many there were");
	tui_model_set_conns_error(&model, "tcp_active_pcbs: the list loops");
	ok(!strcmp(model.conns_error, "tcp_active_pcbs: the list loops"), "conns: why the list stops");
}

int main(void)
{
	test_ring();
	test_filter();
	test_scroll();
	test_pause_scrub();
	test_timeline();
	test_threads_sort();
	test_replay_threads();
	test_console_and_rate();
	test_source();
	test_net();
	test_conns();
	tui_model_free(&model);
	return done_testing();
}
