/*
 * The crash report laid out: one screen of text for a person, or JSON for
 * scripts (the same facts, nothing left out). Text from the guest was
 * made printable when it was collected; JSON escapes it again anyway.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "report.h"

#define DEAD_FRAMES 12   /* frames shown for the thread that died */
#define OTHER_FRAMES 3   /* frames shown on one line for each other thread */
#define SYSCALL_FRAMES 5 /* the same, past the syscall entry: the C library's, then the program's */

static const char *signal_name(int signal)
{
	switch (signal) {
	case 4: return "SIGILL";
	case 5: return "SIGTRAP";
	case 6: return "SIGABRT";
	case 7: return "SIGBUS";
	case 8: return "SIGFPE";
	case 11: return "SIGSEGV";
	default: return "none";
	}
}

static void print_sym(FILE *out, const struct us_symbolized *s, bool base_name)
{
	char text[US_SYMBOLIZED_TEXT_MAX];

	fputs(us_symbolized_text(s, base_name, text, sizeof(text)), out);
}

/* One frame of a backtrace, as bt prints it, under an indent. */
static void print_frame(FILE *out, const char *indent, const struct report_backtrace *bt, size_t i)
{
	char line[US_FRAME_LINE_MAX];

	fprintf(out, "%s%s\n", indent, us_frame_line(i, &bt->frames[i], line, sizeof(line)));
}

/* ---- text: the death -------------------------------------------------- */

static void print_error_code(FILE *out, const struct uniscope_panic *p)
{
	fprintf(out, ", error code 0x%" PRIx64, p->error_code);
	if (p->vector == 14)
		fprintf(out, " (%s, %s%s)", p->error_code & 2 ? "write" : "read",
			p->error_code & 1 ? "protection violation" : "not present",
			p->error_code & 0x10 ? ", instruction fetch" : "");
	if (p->vector == 14)
		fprintf(out, ", cr2 0x%" PRIx64, p->fault_addr);
}

static void print_death(FILE *out, const struct us_report *r)
{
	const struct uniscope_panic *p = &r->panic;

	fprintf(out, "%s\n", r->summary);
	if (p->kind == UNISCOPE_PANIC_NONE)
		return;
	fprintf(out, "  %s", us_panic_kind_name(p->kind));
	if (p->kind == UNISCOPE_PANIC_FAULT || p->kind == UNISCOPE_PANIC_STACK_OVERFLOW) {
		fprintf(out, ", vector %u (%s)", p->vector, us_exception_name(p->vector));
		print_error_code(out, p);
	}
	fprintf(out, ", signal %s\n", signal_name(r->signal));
	if (p->file[0])
		fprintf(out, "  at %s:%u (from the panic record)\n", p->file, p->line);
	if (r->have_caller) {
		fprintf(out, "  jumped there from ");
		print_sym(out, &r->caller, false);
		fputc('\n', out);
	}
	report_print_in_flight(out, r);
}

static void print_regs(FILE *out, const struct us_report *r)
{
	const struct uniscope_regs *g = &r->regs;
	const char *names[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
				"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" };
	const uint64_t *v = &g->rax;

	if (!r->have_regs)
		return;
	fprintf(out, "\nregisters (%s):\n", r->regs_from);
	for (int i = 0; i < 16; i++)
		fprintf(out, "%s%-3s %016" PRIx64 "%s", i % 4 ? "  " : "  ", names[i], v[i],
			i % 4 == 3 ? "\n" : "");
	fprintf(out, "  rip %016" PRIx64 "  rflags %08" PRIx64 "  cs %04" PRIx64 "  ss %04" PRIx64 "\n",
		g->rip, g->rflags, g->cs, g->ss);
	if (g->cr3)
		fprintf(out, "  cr0 %016" PRIx64 "  cr2 %016" PRIx64 "  cr3 %016" PRIx64 "  cr4 %" PRIx64 "\n",
			g->cr0, g->cr2, g->cr3, g->cr4);
}

static void print_code(FILE *out, const struct us_report *r)
{
	if (!r->have_regs)
		return;
	fprintf(out, "\ncode at rip%s:\n", r->nr_insns ? "" : " unavailable");
	if (r->disasm_problem[0])
		fprintf(out, "  (%s)\n", r->disasm_problem);
	for (size_t i = 0; i < r->nr_insns; i++) {
		const struct us_insn *in = &r->insns[i];
		const struct us_symbolized *s = &r->insn_sym[i];
		fprintf(out, "%s0x%016" PRIx64, (int)i == r->fault_insn ? "=> " : "   ", in->address);
		if (s->function)
			fprintf(out, " <%s+%" PRIu64 ">", s->function, s->offset);
		fprintf(out, ":  %s%s%s\n", in->mnemonic, in->operands[0] ? " " : "", in->operands);
	}
}

/* ---- text: threads, events, console ----------------------------------- */

/* The same frame again: a recursion (an inlined function and its caller share a pc). */
static bool same_frame(const struct us_frame *a, const struct us_frame *b)
{
	return a->pc == b->pc && a->kind == b->kind && a->sym.function == b->sym.function;
}

/* Frames from i on that repeat frame i (a recursion). */
static size_t repeats(const struct report_backtrace *bt, size_t i)
{
	size_t n = 0;

	while (i + n + 1 < bt->count && same_frame(&bt->frames[i + n + 1], &bt->frames[i]))
		n++;
	return n;
}

static void print_dead_thread(FILE *out, const struct report_thread *t)
{
	size_t i = 0, lines = 0;

	fprintf(out, "  %u \"%s\" %s%s\n", t->th.id, t->th.name, us_thread_state_name(t->th.state),
		t->th.regs_source == US_REGS_PANIC ? ", died here" : ", on the CPU");
	for (; i < t->bt.count && lines < DEAD_FRAMES; i++, lines++) {
		size_t same = repeats(&t->bt, i);
		print_frame(out, "    ", &t->bt, i);
		if (same > 1) {
			fprintf(out, "    ... the same %zu more times (#%zu-#%zu)\n", same, i + 1, i + same);
			i += same;
			lines++;
		}
	}
	if (t->bt.count > i)
		fprintf(out, "    ... %zu more frames\n", t->bt.count - i);
	if (t->bt.stopped[0])
		fprintf(out, "    (backtrace stopped: %s)\n", t->bt.stopped);
}

/*
 * Where a one-line summary starts: a thread in a system call is summed up
 * by the application's frames, the first after the libOS's syscall entry
 * (the libOS's own frames under it say only that it waits, which the wait
 * reason already says); any other thread from its innermost frame.
 */
static size_t summary_start(const struct report_backtrace *bt)
{
	for (size_t i = 0; i + 1 < bt->count; i++)
		if (bt->frames[i].sym.function && !strcmp(bt->frames[i].sym.function, "syscall_entry"))
			return i + 1;
	return 0;
}

/* "(mutex store_lock held by 4 "worker-a")", "(sleep)" */
static void print_wait(FILE *out, const struct us_report *r, size_t i)
{
	const struct us_thread *th = &r->threads[i].th;
	char text[256] = "";

	if (!th->wait_reason)
		return;
	if (r->hang.waits) {
		struct us_thread owner = { 0 };
		const struct us_wait *w = &r->hang.waits[i];
		/* us_wait_describe wants the thread array: give it just the owner. */
		struct us_wait one = *w;
		if (w->owner >= 0) {
			owner = r->threads[w->owner].th;
			one.owner = 0;
		}
		us_wait_describe(&one, &owner, text, sizeof(text));
	}
	fprintf(out, " (%s%s%s)", us_wait_reason_name(th->wait_reason), text[0] ? " " : "", text);
}

static void print_other_thread(FILE *out, const struct us_report *r, size_t index)
{
	const struct report_thread *t = &r->threads[index];

	size_t first = summary_start(&t->bt), most = first ? SYSCALL_FRAMES : OTHER_FRAMES;

	fprintf(out, "  %u \"%s\" %s", t->th.id, t->th.name, us_thread_state_name(t->th.state));
	print_wait(out, r, index);
	if (first)
		fputs(" in a system call", out);
	/* One line: the frames on the stack (inlined and tail-called ones are in bt). */
	for (size_t i = first, shown = 0; i < t->bt.count && shown < most; i++) {
		if (t->bt.frames[i].kind == US_FRAME_INLINED || t->bt.frames[i].kind == US_FRAME_TAIL_CALL)
			continue;
		fputs(shown++ ? " < " : ": ", out);
		print_sym(out, &t->bt.frames[i].sym, true);
	}
	fputc('\n', out);
}

static void print_threads(FILE *out, const struct us_report *r)
{
	fprintf(out, "\nthreads (%zu):\n", r->nr_threads);
	if (r->threads_problem[0])
		fprintf(out, "  (%s)\n", r->threads_problem);
	for (size_t i = 0; i < r->nr_threads; i++) {
		if (i == 0 && (r->threads[0].th.regs_source == US_REGS_PANIC || r->threads[0].th.cpu >= 0))
			print_dead_thread(out, &r->threads[0]);
		else
			print_other_thread(out, r, i);
	}
}

static void print_events(FILE *out, const struct us_report *r)
{
	if (r->events_problem[0]) {
		fprintf(out, "\ntrace events unavailable: %s\n", r->events_problem);
		return;
	}
	fprintf(out, "\nlast %zu trace events (of %" PRIu64 " in the ring):\n", r->nr_events,
		r->events_total);
	for (size_t i = 0; i < r->nr_events; i++)
		fprintf(out, "  %s\n", r->events[i]);
	if (!r->nr_kept)
		return;
	fprintf(out, "\nrare events kept (the evidence ring), last %zu:\n", r->nr_kept);
	for (size_t i = 0; i < r->nr_kept; i++)
		fprintf(out, "  %s\n", r->kept[i]);
}

static void print_console(FILE *out, const struct us_report *r)
{
	if (r->console_problem[0]) {
		fprintf(out, "\nconsole unavailable: %s\n", r->console_problem);
		return;
	}
	fprintf(out, "\nconsole, last %zu line%s%s:\n", r->nr_console, r->nr_console == 1 ? "" : "s",
		r->console_before_death ? " before the death notice" : "");
	for (size_t i = 0; i < r->nr_console; i++)
		fprintf(out, "  %s\n", r->console[i]);
}

/* ---- text: hangs ------------------------------------------------------ */

/* A blocked thread's frames: in a system call, the ones past the libOS's entry. */
static void print_frames(FILE *out, const struct report_backtrace *bt)
{
	size_t first = summary_start(bt), end = first + DEAD_FRAMES;

	if (first)
		fprintf(out, "      (in a system call: %zu libOS frames under it left out)\n", first);
	for (size_t i = first; i < bt->count && i < end; i++)
		print_frame(out, "      ", bt, i);
	if (bt->count > end)
		fprintf(out, "      ... %zu more frames\n", bt->count - end);
}

static void print_duration(FILE *out, const struct report_hang *h, const struct us_thread *th)
{
	if (h->now && th->state_since && h->now >= th->state_since)
		fprintf(out, ", %s %.1f s", us_thread_state_name(th->state),
			(double)(h->now - th->state_since) / 1e9);
}

/* One cycle from members[*at], up to its SIZE_MAX end. */
static void print_cycle(FILE *out, const struct us_report *r, size_t *at)
{
	const struct report_hang *h = &r->hang;
	size_t first = *at, n = 0;

	while (h->cycle_members[first + n] != SIZE_MAX)
		n++;
	fprintf(out, "  deadlock: %zu threads wait for each other\n", n);
	for (size_t k = 0; k < n; k++) {
		size_t i = h->cycle_members[first + k], prev = h->cycle_members[first + (k + n - 1) % n];
		const struct us_thread *th = &r->threads[i].th;
		fprintf(out, "    thread %u \"%s\" holds %s, waits for %s held by %u \"%s\"", th->id,
			th->name, h->waits[prev].object, h->waits[i].object,
			r->threads[h->waits[i].owner].th.id, r->threads[h->waits[i].owner].th.name);
		print_duration(out, h, th);
		fputc('\n', out);
		print_frames(out, &r->threads[i].bt);
	}
	*at = first + n + 1;
}

static void print_waiting(FILE *out, const struct us_report *r, const size_t *list, size_t n,
			  const char *what)
{
	const struct report_hang *h = &r->hang;

	if (!n)
		return;
	fprintf(out, "  %s for over %.1f s:\n", what, (double)h->threshold_ns / 1e9);
	for (size_t k = 0; k < n; k++) {
		const struct us_thread *th = &r->threads[list[k]].th;
		fprintf(out, "    %u \"%s\"", th->id, th->name);
		print_wait(out, r, list[k]);
		print_duration(out, h, th);
		fputc('\n', out);
	}
}

static void print_hang(FILE *out, const struct us_report *r)
{
	const struct report_hang *h = &r->hang;
	size_t at = 0;

	if (!h->analysed)
		return;
	fprintf(out, "\nhangs (guest clock %.3f s):\n", (double)h->now / 1e9);
	if (h->problem[0])
		fprintf(out, "  (%s)\n", h->problem);
	for (size_t c = 0; c < h->nr_cycles; c++)
		print_cycle(out, r, &at);
	if (!h->nr_cycles)
		fprintf(out, "  no deadlock (no wait-for cycle)\n");
	print_waiting(out, r, h->stuck, h->nr_stuck, "blocked");
	print_waiting(out, r, h->starved, h->nr_starved, "runnable but not run");
	if (h->hog >= 0) {
		const struct us_thread *th = &r->threads[h->hog].th;
		fprintf(out, "  CPU: thread %u \"%s\" had %u.%u%% of it ", th->id, th->name,
			h->hog_permille / 10, h->hog_permille % 10);
		if (h->window_ns)
			fprintf(out, "over the %.2f s the report let it run\n", (double)h->window_ns / 1e9);
		else
			fprintf(out, "since boot\n");
		print_frames(out, &r->threads[h->hog].bt);
	}
}

void us_report_print(const struct us_report *r, FILE *out)
{
	fprintf(out, "uniscope report: %s (%s%s), image %s\n", r->target, r->kind,
		r->live ? ", live" : "", r->image ? r->image : "unknown (no symbols)");
	if (r->warning[0])
		fprintf(out, "warning: %s\n", r->warning);
	print_death(out, r);
	print_hang(out, r);
	print_regs(out, r);
	print_code(out, r);
	print_threads(out, r);
	print_events(out, r);
	report_print_net(out, r);
	print_console(out, r);
}
