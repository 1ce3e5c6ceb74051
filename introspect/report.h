/*
 * The crash report's contents, shared by report.c (collecting) and
 * report_print.c (text and JSON). Users see struct us_report as opaque
 * (postmortem.h). Strings from symbols point into the target's symbol
 * tables: a report is printed before its target is closed.
 */
#ifndef UNISCOPE_INTROSPECT_REPORT_H
#define UNISCOPE_INTROSPECT_REPORT_H

#include "postmortem.h"

#define REPORT_INSNS_BEFORE 5
#define REPORT_INSNS_AFTER 3
#define REPORT_INSNS (REPORT_INSNS_BEFORE + 1 + REPORT_INSNS_AFTER)
#define REPORT_LINE_MAX 200
#define REPORT_PROBLEM_MAX 256
#define REPORT_KEPT_EVENTS 16

/*
 * A thread's backtrace as the report keeps it: only the frames it has (a
 * struct us_backtrace is 14 KiB, and a hostile guest lists 65,536 threads).
 */
struct report_backtrace {
	struct us_frame *frames; /* count of them, or NULL */
	size_t count;
	char stopped[sizeof(((struct us_backtrace *)0)->stopped)];
};

struct report_thread {
	struct us_thread th;
	struct report_backtrace bt;
};

/* What the report found wrong with a guest that has not died (report_hang.c). */
struct report_hang {
	bool analysed;          /* the guest has not died: it was looked at */
	char problem[REPORT_PROBLEM_MAX]; /* checks skipped and why, or "" */
	uint64_t now;           /* guest clock_ns; 0 unknown */
	uint64_t threshold_ns;  /* blocked or runnable this long is reported */
	uint64_t window_ns;     /* the CPU shares' window; 0: since boot */
	struct us_wait *waits;  /* per report thread */
	int *cycle_of;          /* per report thread: its cycle, or -1 */
	size_t *cycle_members;  /* report thread indices, each cycle ended by SIZE_MAX */
	size_t nr_cycle_members, nr_cycles;
	size_t *stuck, nr_stuck;     /* blocked long, outside any cycle */
	size_t *starved, nr_starved; /* runnable long */
	int hog;                /* report thread with most of the CPU, or -1 */
	unsigned hog_permille;
};

/* The threads and clock before a live guest was let run for the CPU window. */
struct report_cpu_sample {
	bool taken;
	uint64_t now;
	struct us_thread *threads;
	size_t count;
};

struct us_report {
	char target[256];
	const char *kind;     /* "qemu", "core"... */
	const char *image;    /* NULL: no symbols */
	bool live;
	char warning[512];

	struct uniscope_panic panic; /* kind NONE: the guest has not died */
	char undecided[REPORT_PROBLEM_MAX]; /* why it cannot be told whether it died, or "" */
	int signal;
	char summary[512];

	bool have_regs;
	const char *regs_from; /* "panic record", "vCPU 0" */
	struct uniscope_regs regs;
	uint64_t where_pc;     /* the frame to blame: past the panic machinery */
	struct us_symbolized where;
	bool have_caller;      /* a jump into data: whoever jumped, from [rsp] */
	uint64_t caller_pc;
	struct us_symbolized caller;

	struct us_insn insns[REPORT_INSNS];
	struct us_symbolized insn_sym[REPORT_INSNS];
	size_t nr_insns;
	int fault_insn;        /* index into insns, or -1 */
	char disasm_problem[REPORT_PROBLEM_MAX];

	struct report_thread *threads; /* dead or on-CPU one first */
	size_t nr_threads;
	char threads_problem[REPORT_PROBLEM_MAX];

	char (*events)[REPORT_LINE_MAX];
	size_t nr_events;
	char (*kept)[REPORT_LINE_MAX]; /* the last rare events (evidence ring: locks, threads, faults, app) */
	size_t nr_kept;
	uint64_t events_total;
	char events_problem[REPORT_PROBLEM_MAX];

	char (*console)[REPORT_LINE_MAX];
	size_t nr_console;
	bool console_before_death; /* the lines before the guest's own death notice */
	char console_problem[REPORT_PROBLEM_MAX];

	struct report_hang hang;

	bool have_net;         /* the image has a network stack: connections below */
	struct us_net net;     /* its TCP connections (report_net.c) */
	char net_problem[REPORT_PROBLEM_MAX];
	long net_in_flight;    /* index in net.conns of the request in flight, or -1 */
};

/* report_hang.c */
struct us_error *report_cpu_sample(struct us_target *t, struct report_cpu_sample *s);
void report_cpu_sample_free(struct report_cpu_sample *s);
struct us_error *report_let_run(struct us_target *t, unsigned ms);
struct us_error *report_collect_hang(struct us_report *r, struct us_target *t,
				     const struct report_cpu_sample *before, uint64_t threshold_ns);
void report_hang_free(struct report_hang *h);

/* report_net.c: the TCP connections; those of the thread that died are marked. */
void report_collect_net(struct us_report *r, struct us_target *t);
void report_print_net(FILE *out, const struct us_report *r);
/* Whether connection c belongs to the thread that died. */
bool report_net_of_dead(const struct us_report *r, const struct us_net_conn *c);
/* Under print_death: the connection the thread that died was serving, when known. */
void report_print_in_flight(FILE *out, const struct us_report *r);

/* report_trace.c: the last n trace events, formatted (tracer/tracer.h). */
void report_collect_events(struct us_report *r, struct us_target *t, unsigned n);

#endif
