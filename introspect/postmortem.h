/*
 * Post-mortem: what `uniscope core`, `uniscope report`, `uniscope
 * gdbserver` and `run --core-on-crash` build on libuniscope (target.h).
 *
 *	threads   us_postmortem_threads(): the guest's threads arranged for a
 *	          debugger: the thread that was on the CPU first, and when the
 *	          guest died (a valid panic record), the thread that died
 *	          first, with its registers at the fault instead of the vCPU's
 *	          (a dead guest's vCPU sits in the panic path, or in the
 *	          --core-on-crash hold loop).
 *	cores     us_core_write(): an ELF core in the layout of corefile.h.
 *	reports   us_report_*(): the one-screen crash report, text or JSON.
 *
 * Errors as everywhere in libuniscope (error.h); nothing here prints except
 * the report formatters, onto the FILE the caller hands them.
 */
#ifndef UNISCOPE_INTROSPECT_POSTMORTEM_H
#define UNISCOPE_INTROSPECT_POSTMORTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "target.h"

/* ---- threads ---------------------------------------------------------- */

/*
 * us_target_threads(), reordered and, for a dead guest, with the dead
 * thread's registers from the panic record (regs_source US_REGS_PANIC).
 * *panic (may be NULL) gets the panic record, kind NONE when there is none
 * or it cannot be read. *threads (free()) holds what was read even when an
 * error says why the walk stopped early.
 */
struct us_error *us_postmortem_threads(struct us_target *t, struct us_thread **threads,
				       size_t *count, struct uniscope_panic *panic);
/* The Linux signal a death amounts to (SIGSEGV, SIGFPE, SIGILL, SIGABRT...), 0 for none. */
int us_panic_signal(const struct uniscope_panic *panic);
/* "fault", "panic", "assertion failed", "stack overflow", or "none". */
const char *us_panic_kind_name(uint32_t kind);
/* "page fault", "divide error"... for vector < 32, else "exception". */
const char *us_exception_name(uint32_t vector);

/* ---- cores ------------------------------------------------------------ */

/* All-zero runs at least this long are left out of a core (multiple of 4 KiB). */
#define US_CORE_ZERO_SKIP (64u * 1024)
/* At most this many PT_LOAD segments; past it zero runs are skipped more coarsely. */
#define US_CORE_MAX_SEGMENTS 60000
/* At most this much guest memory is considered (hostile page tables alias RAM). */
#define US_CORE_MAX_MAPPED (64ull << 30)

struct us_core_options {
	uint64_t zero_skip; /* bytes; 0: US_CORE_ZERO_SKIP */
};

struct us_core_stats {
	size_t threads, segments;
	uint64_t mapped;       /* bytes of virtual memory the page tables map */
	uint64_t written;      /* bytes of memory in the core */
	uint64_t zero_skipped; /* in all-zero runs left out */
	uint64_t unreadable;   /* mapped but not backed by guest memory (MMIO, holes) */
	uint64_t file_size;
	char warning[256];     /* what was left out and why (a partial thread list...), or "" */
};

/*
 * Writes an ELF core of t to path (created 0600, replaced if it exists):
 * NT_PRSTATUS per thread (us_postmortem_threads order, pr_pid = thread id),
 * NT_PRPSINFO, the UNISCOPE note, PT_LOAD per stretch of mapped, readable
 * memory at its virtual address. Pages the host tools read (descriptor,
 * thread structures, log and trace rings, panic record...) are kept even
 * when all zero. A live target should be paused by the caller. stats may
 * be NULL.
 */
struct us_error *us_core_write(struct us_target *t, const char *path,
			       const struct us_core_options *opts, struct us_core_stats *stats);

/* ---- reports ---------------------------------------------------------- */

#define US_REPORT_EVENTS 32
#define US_REPORT_CONSOLE_LINES 8

struct us_report;

#define US_REPORT_STUCK_MS 5000
#define US_REPORT_CPU_WINDOW_MS 300

struct us_report_options {
	unsigned events;        /* trace events, 0: US_REPORT_EVENTS */
	unsigned console_lines; /* 0: US_REPORT_CONSOLE_LINES */
	unsigned stuck_ms;      /* a guest that has not died: blocked or runnable this long
	                         * is reported; 0: US_REPORT_STUCK_MS */
	int cpu_window_ms;      /* a live guest runs this long for its CPU shares (the
	                         * caller has it paused); 0: US_REPORT_CPU_WINDOW_MS,
	                         * < 0: none, shares since boot */
};

/* Gathers everything the report shows; sections that fail say why inside it. */
struct us_error *us_report_collect(struct us_target *t, const struct us_report_options *opts,
				   struct us_report **out);
void us_report_print(const struct us_report *r, FILE *out);
void us_report_print_json(const struct us_report *r, FILE *out);
/* The one line that names the death, e.g. "page fault ... in crash_null at main.c:17". */
const char *us_report_summary(const struct us_report *r);
/*
 * Why the report cannot tell whether the guest died (no descriptor, an
 * unreadable panic record), or NULL when it can. A report that cannot tell
 * is still printed, but it is a failure.
 */
const char *us_report_undecided(const struct us_report *r);
void us_report_free(struct us_report *r);

#endif
