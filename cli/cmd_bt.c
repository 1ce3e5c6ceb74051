/*
 * uniscope bt TARGET [TID|all]: backtraces of guest threads (introspect/
 * stack_unwind.c: the image's CFI, else frame pointers), symbolized with
 * function+offset and file:line, inlined functions and tail calls shown as
 * GDB shows them. Without TID: the thread on vCPU 0, as GDB's bt shows the
 * current thread.
 */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "introspect_cli.h"

static const char *regs_source_name(enum us_regs_source source)
{
	switch (source) {
	case US_REGS_VCPU: return "on vCPU";
	case US_REGS_TRAP_FRAME: return "preempted";
	case US_REGS_CONTEXT: return "switched out";
	default: return "registers unknown";
	}
}

static void print_thread(const struct us_thread *th, const struct us_backtrace *bt)
{
	if (!th->address) /* print_vcpu(): registers only */
		printf("vCPU %d (no libOS thread found on it)\n", th->cpu);
	else
		printf("thread %u \"%s\" (%s, %s%s%s)\n", th->id, th->name,
		       us_thread_state_name(th->state), regs_source_name(th->regs_source),
		       th->note[0] ? "; " : "", th->note);
	for (size_t i = 0; i < bt->count; i++) {
		char line[US_FRAME_LINE_MAX];

		fputs(us_frame_line(i, &bt->frames[i], line, sizeof(line)), stdout);
		if (bt->frames[i].kind == US_FRAME_TRAP || bt->frames[i].kind == US_FRAME_TAIL_CALL)
			printf(" [%s]", bt->frames[i].kind == US_FRAME_TRAP ? "trap entry" : "tail call");
		putchar('\n');
	}
	if (bt->stopped[0])
		printf("    (backtrace stopped: %s)\n", bt->stopped);
}

static void print_json_thread(const struct us_thread *th, const struct us_backtrace *bt)
{
	printf("{\"tid\": %u, \"name\": ", th->id);
	us_json_string(stdout, th->name);
	printf(", \"state\": \"%s\", \"registers\": \"%s\", \"unwound\": \"%s\", \"frames\": [",
	       us_thread_state_name(th->state), regs_source_name(th->regs_source),
	       bt->cfi ? "cfi" : "frame pointers");
	for (size_t i = 0; i < bt->count; i++) {
		printf(i ? ",\n    {\"pc\": " : "\n    {\"pc\": ");
		us_json_address(stdout, bt->frames[i].pc);
		printf(", ");
		us_json_symbolized(stdout, &bt->frames[i].sym);
		printf(", \"kind\": \"%s\"}", us_frame_kind_name(bt->frames[i].kind));
	}
	printf("], \"stopped\": ");
	if (bt->stopped[0])
		us_json_string(stdout, bt->stopped);
	else
		printf("null");
	printf("}");
}

/* The bare vCPU: its registers, stack bounds unknown. */
static void print_vcpu(struct us_target *t, struct us_backtrace *bt, bool json)
{
	struct us_thread cpu = { .cpu = 0, .regs_source = US_REGS_VCPU, .name = "vCPU 0",
				 .state = UNISCOPE_THREAD_RUNNING };
	struct us_error *err = us_target_vcpu_regs(t, 0, &cpu.regs);

	if (err) {
		cli_report(err);
		return;
	}
	us_target_unwind(t, &cpu.regs, 0, 0, bt);
	if (json) {
		printf("\n  ");
		print_json_thread(&cpu, bt);
	} else {
		print_thread(&cpu, bt);
	}
}

/* Which threads: "all", a TID, or the one on vCPU 0. */
static int wanted(const struct us_thread *th, const char *which, size_t *matched)
{
	bool yes;

	if (!which)
		yes = th->cpu == 0;
	else if (!strcmp(which, "all"))
		yes = true;
	else
		yes = th->id == (uint32_t)strtoul(which, NULL, 10);
	*matched += yes;
	return yes;
}

static int print_backtraces(struct us_target *t, const struct us_thread *threads, size_t count,
			    const char *which, bool json)
{
	struct us_backtrace *bt = malloc(sizeof(*bt));
	size_t matched = 0;

	if (!bt)
		return cli_error("out of memory");
	if (json)
		printf("{\"threads\": [");
	for (size_t i = 0; i < count; i++) {
		if (!wanted(&threads[i], which, &matched))
			continue;
		us_target_backtrace(t, &threads[i], bt);
		if (json) {
			printf(matched > 1 ? ",\n  " : "\n  ");
			print_json_thread(&threads[i], bt);
		} else {
			printf(matched > 1 ? "\n" : "");
			print_thread(&threads[i], bt);
		}
	}
	if (!matched && !which) /* no libOS thread on vCPU 0 (boot, or a wild current pointer) */
		print_vcpu(t, bt, json);
	if (json)
		printf("\n]}\n");
	free(bt);
	if (!matched && which && strcmp(which, "all"))
		return cli_error("%s: no thread with id %s (see uniscope ps)", us_target_name(t), which);
	return 0;
}

static bool valid_which(const char *which)
{
	char *end;

	if (!which || !strcmp(which, "all"))
		return true;
	strtoul(which, &end, 10);
	return *which && !*end;
}

int cmd_bt(int argc, char **argv)
{
	struct cli_target_args a;
	struct us_thread *threads;
	struct us_error *err;
	struct us_target *t;
	size_t count;
	int status;

	if ((status = cli_target_parse(argc, argv, &a, 1, 2)))
		return status;
	if (!valid_which(a.positional[1]))
		return cli_error("bt: '%s' is not a thread id or 'all'", a.positional[1]), EXIT_USAGE;
	if (!(t = cli_target_open_paused(&a)))
		return 1;
	if (!us_target_image(t))
		cli_error("warning: no symbols for %s (pass --image PATH or --debug-dir DIR)",
			  us_target_name(t));
	err = us_target_threads(t, &threads, &count);
	status = print_backtraces(t, threads, count, a.positional[1], a.json);
	status = cli_target_resume(t, &a, status);
	if (err)
		status = cli_report(err);
	free(threads);
	us_target_close(t);
	return status;
}
