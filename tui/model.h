/*
 * The model behind `uniscope top`: everything the panes draw, updated from
 * the sources (tui/source.c) and checkable without a terminal
 * (tests/unit/test-tui-model.c). No curses, no introspection here: plain C
 * over the contracts in include/uniscope/.
 *
 *	events    a ring of the last TUI_EVENTS_CAP trace events, each with its
 *	          line already formatted; event number seq (counting from 0 since
 *	          the start) lives at events[seq % cap] while seq >= oldest
 *	threads   rows for the thread pane, from introspection (live, core) or
 *	          derived from sched events (replay: threads_from_trace)
 *	timeline  per thread, the time it was on a CPU in each TUI_TL_BUCKET_NS
 *	          bucket of the last TUI_TL_BUCKETS, from sched_switch events
 *	console   the tail of the guest's console log
 *	source    what is shown (a live session, a core, a trace replay) and
 *	          why events or thread rows stop coming, when they do
 *	network   packets and bytes per second, connections, drops (status.net)
 *	conns     the TCP connections and listening sockets, as `uniscope net`
 *	          lists them (the connections view)
 *	view      filter, pause, scroll anchor, scrub cursor
 *
 * Everything is bounded: events by the ring, threads by TUI_MAX_THREADS,
 * the timeline by TUI_TL_SLOTS threads, the console by TUI_CONSOLE_MAX,
 * the connections by TUI_MAX_CONNS (conns_total says how many there were).
 */
#ifndef UNISCOPE_TUI_MODEL_H
#define UNISCOPE_TUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TUI_EVENTS_CAP 100000
#define TUI_EVENT_TEXT 144
#define TUI_MAX_THREADS 1024
#define TUI_NAME_MAX 32
#define TUI_TL_SLOTS 512
#define TUI_TL_BUCKETS 256
#define TUI_TL_BUCKET_NS 100000000ull /* 100 ms */
#define TUI_TL_MAX_CPUS 64
#define TUI_CONSOLE_MAX 65536
#define TUI_FILTER_MAX 64
#define TUI_CPU_WINDOW_BUCKETS 10 /* CPU % of a replayed thread: over the last second */
#define TUI_SOURCE_NAME_MAX 256
#define TUI_PROBLEM_MAX 200
#define TUI_MAX_CONNS 4096
#define TUI_ENDPOINT_MAX 56
#define TUI_QUEUE_UNKNOWN UINT64_MAX

enum tui_source_kind { TUI_LIVE, TUI_CORE, TUI_REPLAY };

struct tui_event {
	uint64_t ns;      /* since the guest booted */
	uint64_t args[3]; /* the first payload slots (sched_switch: prev, prev_state, next) */
	uint64_t lost;    /* a LOST marker: how many events are missing here */
	uint32_t tid, cpu;
	uint16_t id;      /* UNISCOPE_TRACE_ID_* or an application id */
	char text[TUI_EVENT_TEXT]; /* the line the event pane shows */
};

struct tui_thread {
	uint32_t id;
	char name[TUI_NAME_MAX];
	char state[12];
	char wait[12];
	char waits_on[72];   /* "store_lock held by 4 \"worker-a\"" (introspect/waits.c), or "" */
	uint64_t blocked_ns; /* how long it has been blocked, by the guest's clock; 0 unknown */
	uint64_t cpu_ns, switches;
	unsigned cpu_permille; /* share of one CPU over the last interval */
	bool on_cpu;
};

enum tui_sort { TUI_SORT_CPU, TUI_SORT_TID, TUI_SORT_NAME, TUI_SORT_STATE, TUI_SORT_SWITCHES,
		TUI_SORT_COUNT };

/* The network's counters as read at ns (host clock): cumulative, as the guest keeps them. */
struct tui_net_sample {
	uint64_t ns;
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, drops;
	unsigned connections; /* TCP connections, listening sockets aside */
};

/* One row of the connections view: a TCP connection or a listening socket. */
struct tui_conn {
	char state[12];           /* ss's names: LISTEN, ESTAB, TIME-WAIT... */
	char local[TUI_ENDPOINT_MAX], peer[TUI_ENDPOINT_MAX];
	uint64_t recv_q, send_q;  /* bytes (LISTEN: accept queue, backlog); TUI_QUEUE_UNKNOWN */
	int32_t fd;               /* -1 unknown */
	uint32_t owner_tid;       /* 0 unknown */
	char owner[TUI_NAME_MAX];
	bool owner_blocked;       /* blocked in the stack on this connection */
};

/* The network line: per second over the last interval between two samples. */
struct tui_net_status {
	bool known;              /* the image has a network stack */
	struct tui_net_sample last;
	uint64_t rx_pps, tx_pps, rx_bps, tx_bps; /* packets and bytes per second */
	bool rates_known;        /* two samples so far */
};

/* The status bar's numbers; *_known false shows "-". */
struct tui_status {
	uint64_t heap_in_use;
	bool heap_known;
	unsigned frames_in, dropped_in, dropped_out;
	bool chan_known;
	int trace_enabled;      /* -1 unknown, 0 off, 1 on */
	uint64_t cpu_uptime_ns; /* sum of every thread's CPU time / CPUs */
	bool ended;             /* the live session went away */
	struct tui_net_status net;
};

struct tui_cpu_run {
	bool known;
	uint32_t tid;
	uint64_t since_ns;
};

struct tui_model {
	/* events */
	struct tui_event *events;
	size_t cap;
	uint64_t nr_total; /* events added so far; the next one's seq */
	uint64_t lost;     /* events known to be missing */
	uint64_t newest_ns;
	/* threads */
	struct tui_thread threads[TUI_MAX_THREADS];
	size_t nr_threads;
	bool threads_from_trace;
	enum tui_sort sort;
	bool sort_reverse;
	unsigned nr_cpus;
	/* timeline: tl_us[i][slot] µs on a CPU in absolute bucket tl_bucket[i] */
	uint64_t tl_bucket[TUI_TL_BUCKETS];
	uint32_t tl_us[TUI_TL_BUCKETS][TUI_TL_SLOTS];
	uint32_t tl_tid[TUI_TL_SLOTS];
	bool tl_used[TUI_TL_SLOTS];
	struct tui_cpu_run cpu_run[TUI_TL_MAX_CPUS];
	/* console */
	char console[TUI_CONSOLE_MAX];
	size_t console_len;
	/* source */
	enum tui_source_kind source_kind;
	char source_name[TUI_SOURCE_NAME_MAX]; /* the target as the user named it */
	char trace_error[TUI_PROBLEM_MAX];     /* why no events are coming, or "" */
	char threads_error[TUI_PROBLEM_MAX];   /* why the thread list is partial (a corrupt list), or "" */
	/* view */
	char filter[TUI_FILTER_MAX];
	bool paused;
	bool follow;         /* the event pane shows the newest events */
	uint64_t anchor_seq; /* !follow: the newest event shown */
	bool scrubbing;      /* paused and moved back in time */
	uint64_t cursor_ns;  /* scrubbing: the view ends here */
	struct tui_status status;
	/* connections */
	struct tui_conn conns[TUI_MAX_CONNS];
	size_t nr_conns;
	size_t conns_total;  /* how many the guest had: more than nr_conns when cut */
	char conns_error[TUI_PROBLEM_MAX]; /* why the list is partial (a corrupt list), or "" */
	bool dirty;          /* something to draw */
};

/* cap 0 means TUI_EVENTS_CAP. The model is big: allocate it. -1 when out of memory. */
int tui_model_init(struct tui_model *m, size_t cap);
void tui_model_free(struct tui_model *m);

/* ---- events -------------------------------------------------------------- */

void tui_model_add_event(struct tui_model *m, const struct tui_event *e);
uint64_t tui_model_oldest_seq(const struct tui_model *m);
/* The event numbered seq, or NULL when it is not (or no longer) in the ring. */
const struct tui_event *tui_model_event(const struct tui_model *m, uint64_t seq);
/* The case-insensitive filter matches the event's line (its thread and event names, fields). */
bool tui_model_event_matches(const struct tui_model *m, const struct tui_event *e);
/* The newest event the view shows (UINT64_MAX when none): the live end, the anchor or the cursor. */
uint64_t tui_model_view_end(const struct tui_model *m);
/* Up to max matching events ending at the view's end, oldest first; returns how many. */
size_t tui_model_visible_events(const struct tui_model *m, uint64_t *seqs, size_t max);
/* Matching events in the second before the view's end (events per second there). */
uint64_t tui_model_event_rate(const struct tui_model *m);
/* Scrolls the event view by delta matching events (< 0: older); back at the end, it follows. */
void tui_model_scroll_events(struct tui_model *m, long delta);
void tui_model_follow(struct tui_model *m);

/* ---- view ---------------------------------------------------------------- */

void tui_model_set_filter(struct tui_model *m, const char *text);
void tui_model_set_paused(struct tui_model *m, bool paused);
/* While paused: steps the view's end by buckets (< 0 back in time). */
void tui_model_scrub(struct tui_model *m, int buckets);
/* Where the view ends in guest time: the cursor or the newest event. */
uint64_t tui_model_view_ns(const struct tui_model *m);

/* ---- threads --------------------------------------------------------------- */

/* Introspection's view: replaces the rows; CPU % from the change in cpu_ns since the last call. */
void tui_model_set_threads(struct tui_model *m, const struct tui_thread *rows, size_t n);
/* Replay: a thread known by name (the rows then follow sched events). */
void tui_model_trace_thread(struct tui_model *m, uint32_t tid, const char *name);
const struct tui_thread *tui_model_find_thread(const struct tui_model *m, uint32_t tid);
/* Sorts the rows by m->sort (refreshing trace-derived CPU %). */
void tui_model_sort_threads(struct tui_model *m);
void tui_model_cycle_sort(struct tui_model *m);
const char *tui_sort_name(enum tui_sort s);

/* ---- timeline ----------------------------------------------------------------- */

/* The bucket the view ends in. */
uint64_t tui_model_timeline_end(const struct tui_model *m);
/*
 * Per mille of each of n buckets ending at bucket end that tid spent on a
 * CPU, oldest first (0 for buckets before the history).
 */
void tui_model_timeline(const struct tui_model *m, uint32_t tid, uint64_t end, unsigned n,
			unsigned *permille);

/* ---- network ------------------------------------------------------------------- */

/* A new sample: rates from the change since the last one (counters that went back: 0). */
void tui_model_set_net(struct tui_model *m, const struct tui_net_sample *s);

/* The connections: replaces the rows (at most TUI_MAX_CONNS of total); dirty when they changed. */
void tui_model_set_conns(struct tui_model *m, const struct tui_conn *rows, size_t n, size_t total);
void tui_model_set_conns_error(struct tui_model *m, const char *text);

/* ---- console -------------------------------------------------------------------- */

/* Keeps the last TUI_CONSOLE_MAX bytes; marks the model dirty only when they changed. */
void tui_model_set_console(struct tui_model *m, const char *text, size_t len);

/* ---- source ---------------------------------------------------------------------- */

void tui_model_set_source(struct tui_model *m, enum tui_source_kind kind, const char *name);
/* Why events, or thread rows, stop coming ("" when they do not); dirty only when it changed. */
void tui_model_set_trace_error(struct tui_model *m, const char *text);
void tui_model_set_threads_error(struct tui_model *m, const char *text);

#endif
