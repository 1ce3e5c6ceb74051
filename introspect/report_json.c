/*
 * The crash report as JSON (`uniscope report --json`): every fact of the
 * text report, all threads' whole backtraces, addresses as "0x..." strings
 * (JSON numbers lose 64-bit precision), null for what is unknown, and an
 * "*_error" string beside each section that could not be had.
 */
#include <inttypes.h>
#include <stdio.h>
#include "json_out.h"
#include "report.h"

static void json_problem(FILE *out, const char *key, const char *problem)
{
	fprintf(out, ",\n  \"%s\": ", key);
	us_json_string(out, problem[0] ? problem : NULL);
}

static void json_sym(FILE *out, uint64_t pc, const struct us_symbolized *s)
{
	fputs("{\"pc\": ", out);
	us_json_address(out, pc);
	fputs(", ", out);
	us_json_symbolized(out, s);
	fputc('}', out);
}

static void json_panic(FILE *out, const struct us_report *r)
{
	const struct uniscope_panic *p = &r->panic;

	fputs(",\n  \"panic\": ", out);
	if (p->kind == UNISCOPE_PANIC_NONE) {
		fputs("null", out);
		return;
	}
	fprintf(out, "{\"kind\": \"%s\", \"vector\": %u, \"exception\": ", us_panic_kind_name(p->kind),
		p->vector);
	us_json_string(out, p->kind == UNISCOPE_PANIC_FAULT || p->kind == UNISCOPE_PANIC_STACK_OVERFLOW
				 ? us_exception_name(p->vector) : NULL);
	fprintf(out, ", \"error_code\": %" PRIu64 ", \"fault_address\": ", p->error_code);
	us_json_address(out, p->fault_addr);
	fputs(", \"message\": ", out);
	us_json_string(out, p->message);
	fputs(", \"file\": ", out);
	us_json_string(out, p->file[0] ? p->file : NULL);
	fprintf(out, ", \"line\": %u, \"thread\": %u, \"signal\": %d}", p->line, p->thread_id, r->signal);
}

static void json_where(FILE *out, const struct us_report *r)
{
	fputs(",\n  \"where\": ", out);
	if (r->have_regs)
		json_sym(out, r->where_pc, &r->where);
	else
		fputs("null", out);
	fputs(",\n  \"caller\": ", out);
	if (r->have_caller)
		json_sym(out, r->caller_pc, &r->caller);
	else
		fputs("null", out);
}

static void json_regs(FILE *out, const struct us_report *r)
{
	static const char *const names[] = {
		"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11",
		"r12", "r13", "r14", "r15", "rip", "rflags", "cs", "ss", "ds", "es", "fs", "gs",
		"fs_base", "gs_base", "cr0", "cr2", "cr3", "cr4",
	};
	const uint64_t *v = &r->regs.rax;

	_Static_assert(sizeof(names) / sizeof(names[0]) == sizeof(struct uniscope_regs) / 8, "regs");
	fputs(",\n  \"registers\": ", out);
	if (!r->have_regs) {
		fputs("null", out);
		return;
	}
	fputs("{\"source\": ", out);
	us_json_string(out, r->regs_from);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fprintf(out, ", \"%s\": ", names[i]);
		us_json_address(out, v[i]);
	}
	fputc('}', out);
}

static void json_disassembly(FILE *out, const struct us_report *r)
{
	fputs(",\n  \"disassembly\": [", out);
	for (size_t i = 0; i < r->nr_insns; i++) {
		const struct us_insn *in = &r->insns[i];
		fputs(i ? ",\n    {\"address\": " : "\n    {\"address\": ", out);
		us_json_address(out, in->address);
		fputs(", \"bytes\": \"", out);
		for (size_t b = 0; b < in->size; b++)
			fprintf(out, "%02x", in->bytes[b]);
		fputs("\", \"mnemonic\": ", out);
		us_json_string(out, in->mnemonic);
		fputs(", \"operands\": ", out);
		us_json_string(out, in->operands);
		fputs(", \"function\": ", out);
		us_json_string(out, r->insn_sym[i].function);
		fprintf(out, ", \"offset\": %" PRIu64 ", \"faulting\": %s}", r->insn_sym[i].offset,
			(int)i == r->fault_insn ? "true" : "false");
	}
	fputs("]", out);
	json_problem(out, "disassembly_error", r->disasm_problem);
}

static void json_thread(FILE *out, const struct report_thread *t)
{
	fprintf(out, "{\"tid\": %u, \"name\": ", t->th.id);
	us_json_string(out, t->th.name);
	fprintf(out, ", \"state\": \"%s\", \"wait\": \"%s\", \"died\": %s, \"on_cpu\": %s, \"frames\": [",
		us_thread_state_name(t->th.state), us_wait_reason_name(t->th.wait_reason),
		t->th.regs_source == US_REGS_PANIC ? "true" : "false", t->th.cpu >= 0 ? "true" : "false");
	for (size_t i = 0; i < t->bt.count; i++) {
		fputs(i ? ", " : "", out);
		json_sym(out, t->bt.frames[i].pc, &t->bt.frames[i].sym);
	}
	fputs("], \"stopped\": ", out);
	us_json_string(out, t->bt.stopped[0] ? t->bt.stopped : NULL);
	fputc('}', out);
}

static void json_thread_ref(FILE *out, const struct us_report *r, size_t i)
{
	const struct us_wait *w = &r->hang.waits[i];
	const struct us_thread *th = &r->threads[i].th;

	fprintf(out, "{\"tid\": %u, \"name\": ", th->id);
	us_json_string(out, th->name);
	fprintf(out, ", \"state\": \"%s\", \"wait\": \"%s\", \"waits_for\": ",
		us_thread_state_name(th->state), us_wait_reason_name(th->wait_reason));
	us_json_string(out, w->object[0] ? w->object : NULL);
	fputs(", \"owner_tid\": ", out);
	if (w->owner >= 0)
		fprintf(out, "%u", r->threads[w->owner].th.id);
	else
		fputs("null", out);
	fputs(", \"for_ns\": ", out);
	if (r->hang.now && th->state_since && r->hang.now >= th->state_since)
		fprintf(out, "%" PRIu64, r->hang.now - th->state_since);
	else
		fputs("null", out);
}

static void json_cycle(FILE *out, const struct us_report *r, size_t *at)
{
	const struct report_hang *h = &r->hang;
	size_t first = *at, n = 0;

	while (h->cycle_members[first + n] != SIZE_MAX)
		n++;
	fputs("[", out);
	for (size_t k = 0; k < n; k++) {
		size_t i = h->cycle_members[first + k], prev = h->cycle_members[first + (k + n - 1) % n];
		fputs(k ? ",\n      " : "\n      ", out);
		json_thread_ref(out, r, i);
		fputs(", \"holds\": ", out);
		us_json_string(out, h->waits[prev].object);
		fputs(", \"frames\": [", out);
		for (size_t f = 0; f < r->threads[i].bt.count; f++) {
			fputs(f ? ", " : "", out);
			json_sym(out, r->threads[i].bt.frames[f].pc, &r->threads[i].bt.frames[f].sym);
		}
		fputs("]}", out);
	}
	fputs("]", out);
	*at = first + n + 1;
}

static void json_thread_list(FILE *out, const struct us_report *r, const char *key,
			     const size_t *list, size_t n)
{
	fprintf(out, ", \"%s\": [", key);
	for (size_t k = 0; k < n; k++) {
		fputs(k ? ", " : "", out);
		json_thread_ref(out, r, list[k]);
		fputc('}', out);
	}
	fputc(']', out);
}

/* What report_hang.c found; null for a guest that died. */
static void json_hang(FILE *out, const struct us_report *r)
{
	const struct report_hang *h = &r->hang;
	size_t at = 0;

	fputs(",\n  \"hangs\": ", out);
	if (!h->analysed) {
		fputs("null", out);
		return;
	}
	fprintf(out, "{\"clock_ns\": %" PRIu64 ", \"threshold_ns\": %" PRIu64 ", \"cpu_window_ns\": %"
		PRIu64 ", \"deadlocks\": [", h->now, h->threshold_ns, h->window_ns);
	for (size_t c = 0; c < h->nr_cycles; c++) {
		fputs(c ? ",\n    " : "\n    ", out);
		json_cycle(out, r, &at);
	}
	fputs("]", out);
	json_thread_list(out, r, "blocked", h->stuck, h->nr_stuck);
	json_thread_list(out, r, "starved", h->starved, h->nr_starved);
	fputs(", \"cpu_hog\": ", out);
	if (h->hog >= 0) {
		json_thread_ref(out, r, (size_t)h->hog);
		fprintf(out, ", \"cpu_permille\": %u}", h->hog_permille);
	} else {
		fputs("null", out);
	}
	fputs(", \"error\": ", out);
	us_json_string(out, h->problem[0] ? h->problem : NULL);
	fputc('}', out);
}

static void json_lines(FILE *out, const char *key, const char (*lines)[REPORT_LINE_MAX], size_t n)
{
	fprintf(out, ",\n  \"%s\": [", key);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		us_json_string(out, lines[i]);
	}
	fputs("]", out);
}

static void json_connection(FILE *out, const struct us_report *r, size_t i)
{
	const struct us_net_conn *c = &r->net.conns[i];
	char local[US_NET_ENDPOINT_MAX], peer[US_NET_ENDPOINT_MAX];

	us_net_endpoint(c, true, local, sizeof(local));
	us_net_endpoint(c, false, peer, sizeof(peer));
	fprintf(out, "{\"state\": \"%s\", \"local\": ", us_tcp_state_name(c->state));
	us_json_string(out, local);
	fputs(", \"peer\": ", out);
	us_json_string(out, peer);
	fprintf(out, ", \"fd\": %d, \"owner_tid\": %u, \"of_dead_thread\": %s, \"in_flight\": %s}", c->fd,
		c->owner_tid, report_net_of_dead(r, c) ? "true" : "false",
		(long)i == r->net_in_flight ? "true" : "false");
}

static void json_connections(FILE *out, const struct us_report *r)
{
	if (!r->have_net)
		return;
	fputs(",\n  \"connections\": [", out);
	for (size_t i = 0; i < r->net.count; i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		json_connection(out, r, i);
	}
	fputs("]", out);
	json_problem(out, "connections_error", r->net_problem);
}

void us_report_print_json(const struct us_report *r, FILE *out)
{
	fputs("{\"target\": ", out);
	us_json_string(out, r->target);
	fputs(", \"kind\": ", out);
	us_json_string(out, r->kind);
	fputs(", \"image\": ", out);
	us_json_string(out, r->image);
	fprintf(out, ", \"live\": %s, \"crashed\": %s,\n  \"summary\": ", r->live ? "true" : "false",
		r->panic.kind != UNISCOPE_PANIC_NONE ? "true" : "false");
	us_json_string(out, r->summary);
	fputs(",\n  \"undecided\": ", out);
	us_json_string(out, r->undecided[0] ? r->undecided : NULL);
	json_panic(out, r);
	json_hang(out, r);
	json_where(out, r);
	json_regs(out, r);
	json_disassembly(out, r);
	fputs(",\n  \"threads\": [", out);
	for (size_t i = 0; i < r->nr_threads; i++) {
		fputs(i ? ",\n    " : "\n    ", out);
		json_thread(out, &r->threads[i]);
	}
	fputs("]", out);
	json_problem(out, "threads_error", r->threads_problem);
	json_lines(out, "events", (const char (*)[REPORT_LINE_MAX])r->events, r->nr_events);
	fprintf(out, ",\n  \"events_total\": %" PRIu64, r->events_total);
	json_lines(out, "kept_events", (const char (*)[REPORT_LINE_MAX])r->kept, r->nr_kept);
	json_problem(out, "events_error", r->events_problem);
	json_connections(out, r);
	json_lines(out, "console", (const char (*)[REPORT_LINE_MAX])r->console, r->nr_console);
	json_problem(out, "console_error", r->console_problem);
	fputs("\n}\n", out);
}
