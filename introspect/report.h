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

struct report_thread {
	struct us_thread th;
	struct us_backtrace bt;
};

struct us_report {
	char target[256];
	const char *kind;     /* "qemu", "core"... */
	const char *image;    /* NULL: no symbols */
	bool live;
	char warning[512];

	struct uniscope_panic panic; /* kind NONE: the guest has not died */
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
	uint64_t events_total;
	char events_problem[REPORT_PROBLEM_MAX];

	char (*console)[REPORT_LINE_MAX];
	size_t nr_console;
	bool console_before_death; /* the lines before the guest's own death notice */
	char console_problem[REPORT_PROBLEM_MAX];
};

/* report_trace.c: the last n trace events, formatted (tracer/tracer.h). */
void report_collect_events(struct us_report *r, struct us_target *t, unsigned n);

#endif
