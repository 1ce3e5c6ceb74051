/*
 * uniscope ps TARGET: the guest's threads, read from its memory.
 * A live guest is paused for the walk (unless --no-pause) so the list is
 * one consistent snapshot; printing happens after it runs again.
 */
#include <stdlib.h>
#include "cli.h"
#include "introspect_cli.h"

/* The waited-on object by symbol, and who holds it (introspect/waits.c). */
static void print_wait(const struct us_thread *th, const struct us_thread *threads,
		       const struct us_wait *w)
{
	char text[256];

	us_wait_describe(w, threads, text, sizeof(text));
	if (text[0])
		printf("  %s", text);
	else if (th->wait_object)
		printf("  0x%llx", (unsigned long long)th->wait_object);
	if (th->note[0])
		printf("  (%s)", th->note);
}

static void print_table(const struct us_thread *threads, const struct us_wait *waits, size_t count)
{
	printf("  %5s %-20s %-9s %-10s %9s %9s  %s\n", "TID", "NAME", "STATE", "WAIT", "CPU(ms)",
	       "SWITCHES", "WAIT-OBJECT");
	for (size_t i = 0; i < count; i++) {
		const struct us_thread *th = &threads[i];
		printf("%c %5u %-20s %-9s %-10s %9llu %9llu", th->cpu >= 0 ? '*' : ' ', th->id,
		       th->name, us_thread_state_name(th->state), us_wait_reason_name(th->wait_reason),
		       (unsigned long long)(th->cpu_ns / 1000000), (unsigned long long)th->switches);
		print_wait(th, threads, &waits[i]);
		putchar('\n');
	}
}

static void print_json_owner(const struct us_thread *threads, const struct us_wait *w)
{
	printf(", \"wait_object_name\": ");
	us_json_string(stdout, w->object[0] ? w->object : NULL);
	printf(", \"owner\": ");
	if (w->owner >= 0) {
		printf("{\"tid\": %u, \"name\": ", threads[w->owner].id);
		us_json_string(stdout, threads[w->owner].name);
		printf("}");
	} else {
		printf("null");
	}
	printf(", \"owner_note\": ");
	us_json_string(stdout, w->owner_note[0] ? w->owner_note : NULL);
}

static void print_json_thread(const struct us_thread *threads, size_t i, const struct us_wait *w)
{
	const struct us_thread *th = &threads[i];

	printf("{\"tid\": %u, \"name\": ", th->id);
	us_json_string(stdout, th->name);
	printf(", \"state\": \"%s\", \"wait\": \"%s\", \"wait_object\": ", us_thread_state_name(th->state),
	       us_wait_reason_name(th->wait_reason));
	us_json_address(stdout, th->wait_object);
	print_json_owner(threads, w);
	printf(", \"state_since_ns\": %llu", (unsigned long long)th->state_since);
	printf(", \"cpu_ns\": %llu, \"switches\": %llu, \"running\": %s, \"cpu\": %d, \"address\": ",
	       (unsigned long long)th->cpu_ns, (unsigned long long)th->switches,
	       th->cpu >= 0 ? "true" : "false", th->cpu);
	us_json_address(stdout, th->address);
	printf(", \"stack\": [");
	us_json_address(stdout, th->stack_lo);
	printf(", ");
	us_json_address(stdout, th->stack_hi);
	printf("], \"note\": ");
	us_json_string(stdout, th->note);
	printf("}");
}

static void print_json(const struct us_thread *threads, const struct us_wait *waits, size_t count,
		       const char *error)
{
	printf("{\"threads\": [");
	for (size_t i = 0; i < count; i++) {
		printf(i ? ",\n  " : "\n  ");
		print_json_thread(threads, i, &waits[i]);
	}
	printf("\n], \"error\": ");
	us_json_string(stdout, error); /* null when none */
	printf("}\n");
}

int cmd_ps(int argc, char **argv)
{
	struct cli_target_args a;
	struct us_thread *threads;
	struct us_wait *waits;
	struct us_error *err;
	struct us_target *t;
	size_t count;
	int status;

	if ((status = cli_target_parse(argc, argv, &a, 1, 1)))
		return status;
	if (!(t = cli_target_open_paused(&a)))
		return 1;
	err = us_target_threads(t, &threads, &count);
	if ((waits = calloc(count ? count : 1, sizeof(*waits))))
		us_target_waits(t, threads, count, waits);
	status = cli_target_resume(t, &a, 0);
	if (!waits) {
		us_error_destroy(err);
		err = &us_error_nomem;
		count = 0;
	}
	if (a.json)
		print_json(threads, waits, count, err ? err->message : NULL);
	else
		print_table(threads, waits, count);
	if (err)
		status = cli_report(err);
	free(waits);
	free(threads);
	us_target_close(t);
	return status;
}
