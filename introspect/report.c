/*
 * The crash report: everything a person wants on one screen after a guest
 * died, gathered from the target (report_print.c lays it out).
 *
 *	what     the panic record: kind, vector, error code, CR2, message,
 *	         file:line, the thread that died;
 *	where    the frame to blame: the faulting instruction, or for panic()
 *	         and assert() their caller, whose pc the panic record carries; for
 *	         a jump into data, also whoever jumped (the return address the
 *	         call left at [rsp]);
 *	context  registers, the code around the faulting instruction, every
 *	         thread's backtrace, the last trace events, the console lines
 *	         before the guest's own death notice (the record says where in
 *	         the log that notice starts).
 *
 * Host tools never guess: no file names or console text are matched.
 *
 * A guest that has not died gets the same report about where it stands,
 * and a look for hangs (report_hang.c): deadlocks, threads stuck or
 * starved, a thread that keeps the CPU. A guest whose panic record cannot
 * be read cannot be said to be alive: the report says it cannot tell
 * (us_report_undecided). Every section that cannot be had says why in its
 * *_problem field; only running out of memory fails the whole report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

#define DISASM_LOOKBACK 1024  /* bytes from a function's start to walk to the fault */
#define DISASM_SCAN_INSNS 256 /* us_target_disassemble() gives at most 256 */

static void problem(char *dst, struct us_error *err)
{
	snprintf(dst, REPORT_PROBLEM_MAX, "%s", err->message);
	us_error_destroy(err);
}

/* ---- threads and registers -------------------------------------------- */

/* Unwinds into `scratch` and keeps only the frames found. */
static struct us_error *keep_backtrace(struct us_target *t, const struct us_thread *th,
				       struct us_backtrace *scratch, struct report_backtrace *kept)
{
	us_target_backtrace(t, th, scratch);
	memcpy(kept->stopped, scratch->stopped, sizeof(kept->stopped));
	if (!scratch->count)
		return NULL;
	if (!(kept->frames = malloc(scratch->count * sizeof(*kept->frames))))
		return &us_error_nomem;
	memcpy(kept->frames, scratch->frames, scratch->count * sizeof(*kept->frames));
	kept->count = scratch->count;
	return NULL;
}

static struct us_error *collect_threads(struct us_report *r, struct us_target *t)
{
	struct us_backtrace *scratch = malloc(sizeof(*scratch));
	struct us_thread *threads;
	size_t count;
	struct us_error *err = us_postmortem_threads(t, &threads, &count, &r->panic);

	if (err)
		problem(r->threads_problem, err);
	err = NULL;
	if (!scratch || (count && !(r->threads = calloc(count, sizeof(*r->threads)))))
		err = &us_error_nomem;
	for (size_t i = 0; !err && i < count; i++) {
		r->threads[i].th = threads[i];
		r->nr_threads = i + 1;
		err = keep_backtrace(t, &threads[i], scratch, &r->threads[i].bt);
	}
	free(scratch);
	free(threads);
	return err;
}

static bool dead_thread_known(const struct us_report *r)
{
	return r->nr_threads && r->threads[0].th.regs_source == US_REGS_PANIC;
}

static void collect_regs(struct us_report *r, struct us_target *t)
{
	struct us_error *err;

	if (r->panic.kind != UNISCOPE_PANIC_NONE) {
		r->regs = r->panic.regs;
		r->regs_from = "panic record";
	} else if (!(err = us_target_vcpu_regs(t, 0, &r->regs))) {
		r->regs_from = "vCPU 0";
	} else {
		problem(r->disasm_problem, err);
		return;
	}
	r->have_regs = true;
}

/* The faulting instruction; for panic() and assert(), whoever called them. */
static void find_where(struct us_report *r, struct us_target *t)
{
	bool called = r->panic.kind == UNISCOPE_PANIC_PANIC || r->panic.kind == UNISCOPE_PANIC_ASSERT;

	r->where_pc = r->regs.rip;
	if (called && r->panic.caller_pc) {
		r->where_pc = r->panic.caller_pc;
		us_target_symbolize(t, r->where_pc - 1, &r->where); /* a return address */
		if (r->where.function)
			r->where.offset++;
		return;
	}
	us_target_symbolize(t, r->where_pc, &r->where);
}

/*
 * Executing a non-executable page: the call that got there left its return
 * address at [rsp] (no frame was set up), so the culprit is one below it.
 */
static void find_caller(struct us_report *r, struct us_target *t)
{
	uint64_t ret;
	struct us_error *err;

	if (r->panic.kind != UNISCOPE_PANIC_FAULT || r->panic.vector != 14 ||
	    !(r->panic.error_code & 0x10))
		return;
	if ((err = us_target_read_u64(t, r->regs.rsp, &ret))) {
		us_error_destroy(err);
		return;
	}
	r->caller_pc = ret;
	us_target_symbolize(t, ret - 1, &r->caller);
	if (r->caller.function)
		r->caller.offset++;
	r->have_caller = r->caller.function != NULL;
}

/* ---- disassembly ------------------------------------------------------ */

static void keep_window(struct us_report *r, struct us_target *t, const struct us_insn *insns,
			size_t count, size_t at)
{
	size_t first = at > REPORT_INSNS_BEFORE ? at - REPORT_INSNS_BEFORE : 0;

	r->nr_insns = 0;
	r->fault_insn = -1;
	r->net_in_flight = -1;
	for (size_t i = first; i < count && r->nr_insns < REPORT_INSNS; i++) {
		if (i == at && insns[i].address == r->regs.rip)
			r->fault_insn = (int)r->nr_insns;
		r->insns[r->nr_insns] = insns[i];
		us_target_symbolize(t, insns[i].address, &r->insn_sym[r->nr_insns]);
		r->nr_insns++;
	}
}

/*
 * x86 cannot be decoded backwards: decode from the function's start and
 * keep the instructions around rip, as long as rip falls on an
 * instruction boundary; otherwise (no symbol, data) start at rip itself.
 */
static struct us_error *collect_disasm(struct us_report *r, struct us_target *t)
{
	uint64_t pc = r->regs.rip, start = pc;
	struct us_symbolized s;
	struct us_insn *insns;
	struct us_error *err;
	size_t count = 0, at;

	if (!r->have_regs)
		return NULL;
	if (!(insns = calloc(DISASM_SCAN_INSNS, sizeof(*insns))))
		return &us_error_nomem;
	us_target_symbolize(t, pc, &s);
	if (s.function && s.offset <= DISASM_LOOKBACK)
		start = pc - s.offset;
	err = us_target_disassemble(t, start, DISASM_SCAN_INSNS, insns, &count);
	for (at = 0; at < count && insns[at].address < pc; at++)
		;
	if (!err && (at == count || insns[at].address != pc) && start != pc) {
		err = us_target_disassemble(t, pc, REPORT_INSNS_AFTER + 1, insns, &count);
		at = 0;
	}
	if (err && count == 0)
		problem(r->disasm_problem, us_error_prefix(err, "code at 0x%llx", (unsigned long long)pc));
	else
		us_error_destroy(err);
	keep_window(r, t, insns, count, at);
	free(insns);
	return NULL;
}

/* ---- the console ------------------------------------------------------ */

static void add_console_line(struct us_report *r, const char *line, size_t len, size_t max)
{
	char *dst;

	if (r->nr_console == max) { /* keep the last ones */
		memmove(r->console, r->console + 1, (max - 1) * sizeof(*r->console));
		r->nr_console--;
	}
	dst = r->console[r->nr_console++];
	len = len < REPORT_LINE_MAX - 1 ? len : REPORT_LINE_MAX - 1;
	for (size_t i = 0; i < len; i++) /* guest text: printable or '?' */
		dst[i] = (line[i] >= 0x20 && line[i] < 0x7f) || line[i] == '\t' ? line[i] : '?';
	dst[len] = 0;
}

/* The death notice starts at the log position the panic record kept, if still in the text. */
static void cut_at_death(struct us_report *r, char *text, size_t len, uint64_t lost)
{
	uint64_t at = r->panic.console_written;

	if (r->panic.kind == UNISCOPE_PANIC_NONE || at < lost || at - lost > len)
		return;
	text[at - lost] = 0;
	r->console_before_death = true;
}

static struct us_error *collect_console(struct us_report *r, struct us_target *t, unsigned max)
{
	char *text, *line;
	size_t len;
	uint64_t lost;
	struct us_error *err = us_target_log(t, &text, &len, &lost);

	if (err) {
		problem(r->console_problem, err);
		return NULL;
	}
	if (!(r->console = calloc(max, sizeof(*r->console)))) {
		free(text);
		return &us_error_nomem;
	}
	cut_at_death(r, text, len, lost);
	for (line = text; *line;) {
		size_t n = strcspn(line, "\n");
		if (n || line[n])
			add_console_line(r, line, n, max);
		line += n + (line[n] != 0);
	}
	free(text);
	return NULL;
}

/* ---- summary ---------------------------------------------------------- */

static void format_where(char *out, size_t cap, const struct us_symbolized *s, uint64_t pc)
{
	if (!s->function)
		snprintf(out, cap, " at 0x%llx", (unsigned long long)pc);
	else if (!s->file)
		snprintf(out, cap, " in %s+0x%llx", s->function, (unsigned long long)s->offset);
	else
		snprintf(out, cap, " in %s at %s:%d", s->function, s->file, s->line);
}

static const struct us_thread *report_th(const struct us_report *r, size_t i)
{
	return &r->threads[i].th;
}

/* A guest that has not died: the worst of what report_hang.c found. */
static void build_hang_summary(struct us_report *r)
{
	const struct report_hang *h = &r->hang;
	const char *alive = r->live ? "the guest is alive" : "the guest was alive when the core was taken";
	size_t n = 0;

	if (h->nr_cycles) {
		while (h->cycle_members[n] != SIZE_MAX)
			n++;
		snprintf(r->summary, sizeof(r->summary),
			 "deadlock: %zu threads wait for each other, %u \"%s\" first (%s)%s", n,
			 report_th(r, h->cycle_members[0])->id, report_th(r, h->cycle_members[0])->name,
			 alive, h->nr_cycles > 1 ? ", and more deadlocks" : "");
	} else if (h->hog >= 0) {
		snprintf(r->summary, sizeof(r->summary),
			 "thread %u \"%s\" kept the CPU %u.%u%% of the time %s (%s)",
			 report_th(r, (size_t)h->hog)->id, report_th(r, (size_t)h->hog)->name,
			 h->hog_permille / 10, h->hog_permille % 10,
			 h->window_ns ? "the report watched" : "since boot", alive);
	} else if (h->nr_stuck || h->nr_starved) {
		snprintf(r->summary, sizeof(r->summary), "no crash: %s; %zu thread%s blocked and %zu "
			 "runnable but not run for over %llu ms", alive, h->nr_stuck,
			 h->nr_stuck == 1 ? "" : "s", h->nr_starved,
			 (unsigned long long)(h->threshold_ns / 1000000));
	} else {
		snprintf(r->summary, sizeof(r->summary), "no crash: %s; no deadlock, nothing stuck", alive);
	}
}

/* "page fault: ... in crash_null at examples/crash/main.c:17 (thread 3 "crasher")" */
static void build_summary(struct us_report *r)
{
	char where[256], thread[96] = "";
	const char *kind = "";

	if (r->undecided[0]) {
		snprintf(r->summary, sizeof(r->summary), "cannot tell whether the guest crashed: %s",
			 r->undecided);
		return;
	}
	if (r->panic.kind == UNISCOPE_PANIC_NONE) {
		build_hang_summary(r);
		return;
	}
	if (r->panic.kind == UNISCOPE_PANIC_PANIC || r->panic.kind == UNISCOPE_PANIC_ASSERT)
		kind = r->panic.kind == UNISCOPE_PANIC_PANIC ? "panic: " : "assertion failed: ";
	format_where(where, sizeof(where), &r->where, r->where_pc);
	if (dead_thread_known(r))
		snprintf(thread, sizeof(thread), " (thread %u \"%s\")", r->threads[0].th.id,
			 r->threads[0].th.name);
	snprintf(r->summary, sizeof(r->summary), "%s%s%s%s", kind, r->panic.message, where, thread);
}

/* ---- the whole report ------------------------------------------------- */

static void describe_target(struct us_report *r, struct us_target *t)
{
	const char *warning = us_target_warning(t);

	snprintf(r->target, sizeof(r->target), "%s", us_target_name(t));
	r->kind = us_target_kind(t);
	r->image = us_target_image(t);
	r->live = us_target_is_live(t);
	if (warning)
		snprintf(r->warning, sizeof(r->warning), "%s", warning);
}

/* Whether the guest died is known only from a readable, sound panic record. */
static bool decide(struct us_report *r, struct us_target *t)
{
	struct uniscope_panic p;
	struct us_error *err = us_target_panic(t, &p);

	if (err) {
		problem(r->undecided, err);
		return false;
	}
	if (p.kind > UNISCOPE_PANIC_STACK_OVERFLOW) {
		snprintf(r->undecided, sizeof(r->undecided),
			 "the panic record's kind %u is none this uniscope knows (corrupt record?)", p.kind);
		return false;
	}
	return p.kind == UNISCOPE_PANIC_NONE;
}

/* A live guest that has not died runs a little, so that CPU shares can be measured. */
static void sample_cpu(struct us_target *t, const struct us_report_options *opts,
		       struct report_cpu_sample *before)
{
	int window = opts && opts->cpu_window_ms ? opts->cpu_window_ms : US_REPORT_CPU_WINDOW_MS;
	struct us_error *err;

	if (window < 0 || !us_target_is_live(t) || (err = report_cpu_sample(t, before)))
		return;
	if ((err = report_let_run(t, (unsigned)window))) {
		us_error_destroy(err);
		report_cpu_sample_free(before);
		before->taken = false;
	}
}

static struct us_error *collect_all(struct us_report *r, struct us_target *t,
				    const struct us_report_options *opts)
{
	unsigned lines = opts && opts->console_lines ? opts->console_lines : US_REPORT_CONSOLE_LINES;
	unsigned stuck = opts && opts->stuck_ms ? opts->stuck_ms : US_REPORT_STUCK_MS;
	struct report_cpu_sample before = { 0 };
	bool alive = decide(r, t);
	struct us_error *err;

	if (alive)
		sample_cpu(t, opts, &before);
	if (!(err = collect_threads(r, t)) && r->panic.kind == UNISCOPE_PANIC_NONE && !r->undecided[0])
		err = report_collect_hang(r, t, &before, stuck * 1000000ull);
	report_cpu_sample_free(&before);
	if (err)
		return err;
	r->signal = us_panic_signal(&r->panic);
	collect_regs(r, t);
	find_where(r, t);
	find_caller(r, t);
	build_summary(r);
	if (!(err = collect_disasm(r, t)))
		err = collect_console(r, t, lines);
	if (!err)
		report_collect_net(r, t);
	return err;
}

struct us_error *us_report_collect(struct us_target *t, const struct us_report_options *opts,
				   struct us_report **out)
{
	unsigned events = opts && opts->events ? opts->events : US_REPORT_EVENTS;
	struct us_report *r = calloc(1, sizeof(*r));
	struct us_error *err;

	if (!r)
		return &us_error_nomem;
	r->fault_insn = -1;
	r->net_in_flight = -1;
	describe_target(r, t);
	err = collect_all(r, t, opts);
	if (!err)
		report_collect_events(r, t, events);
	if (err) {
		us_report_free(r);
		return err;
	}
	*out = r;
	return NULL;
}

const char *us_report_summary(const struct us_report *r)
{
	return r->summary;
}

const char *us_report_undecided(const struct us_report *r)
{
	return r->undecided[0] ? r->undecided : NULL;
}

void us_report_free(struct us_report *r)
{
	if (!r)
		return;
	report_hang_free(&r->hang);
	for (size_t i = 0; i < r->nr_threads; i++)
		free(r->threads[i].bt.frames);
	free(r->threads);
	free(r->events);
	free(r->kept);
	free(r->console);
	us_net_release(&r->net);
	free(r);
}
