/*
 * uniscope report TARGET: the one-screen crash report (introspect/
 * postmortem.h), or --json. A live guest is paused while it is read, but
 * for --cpu-window MS (default 300) when it has not died: it runs that
 * long so that a thread keeping the CPU shows. --stuck MS (default 5000):
 * threads blocked or runnable that long are reported. A report that
 * cannot tell whether the guest died is printed and fails (exit 1).
 */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "introspect_cli.h"
#include "introspect/uniscope.h"

#define EVENTS_MAX 4096

#define MS_MAX 3600000

/* Takes --NAME N / --NAME=N out of argv (in place); N in [min, max]. */
static int take_count(int *argc, char **argv, const char *name, uint64_t min, uint64_t max,
		      uint64_t *out, bool *given)
{
	size_t len = strlen(name);
	const char *value = NULL;
	int kept = 1;

	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], name) && i + 1 < *argc)
			value = argv[++i];
		else if (!strncmp(argv[i], name, len) && argv[i][len] == '=')
			value = argv[i] + len + 1;
		else
			argv[kept++] = argv[i];
	}
	*argc = kept;
	*given = value != NULL;
	if (value && (!cli_parse_count(value, out) || *out < min || *out > max))
		return cli_error("report: %s takes %llu..%llu, not '%s'", name, (unsigned long long)min,
				 (unsigned long long)max, value);
	return 0;
}

static int take_options(int *argc, char **argv, struct us_report_options *opts)
{
	uint64_t events, stuck, window;
	bool has_events, has_stuck, has_window;

	if (take_count(argc, argv, "--events", 1, EVENTS_MAX, &events, &has_events) ||
	    take_count(argc, argv, "--stuck", 1, MS_MAX, &stuck, &has_stuck) ||
	    take_count(argc, argv, "--cpu-window", 0, 60000, &window, &has_window))
		return -1;
	if (has_events)
		opts->events = (unsigned)events;
	if (has_stuck)
		opts->stuck_ms = (unsigned)stuck;
	if (has_window)
		opts->cpu_window_ms = window ? (int)window : -1;
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct us_report_options opts = { 0 };
	struct cli_target_args a;
	struct us_report *r = NULL;
	struct us_error *err;
	struct us_target *t;
	int status;

	if (take_options(&argc, argv, &opts))
		return cli_usage("report");
	if ((status = cli_target_parse(argc, argv, &a, 1, 1)))
		return status;
	if (!(t = cli_target_open_paused(&a)))
		return 1;
	err = us_report_collect(t, &opts, &r);
	if (!err && a.json)
		us_report_print_json(r, stdout);
	else if (!err)
		us_report_print(r, stdout);
	status = err ? cli_report(err) : 0;
	if (!err && us_report_undecided(r))
		status = cli_error("report: cannot tell whether %s crashed: %s (the report above is "
				   "partial)", a.positional[0], us_report_undecided(r));
	us_report_free(r); /* before the target: its strings are the target's */
	status = cli_target_resume(t, &a, status);
	us_target_close(t);
	return status;
}
