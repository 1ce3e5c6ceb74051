/*
 * uniscope report TARGET: the one-screen crash report (introspect/
 * postmortem.h), or --json. A live guest is paused while it is read.
 */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "introspect_cli.h"
#include "../introspect/postmortem.h"

#define EVENTS_MAX 4096

/* Takes --events N / --events=N out of argv (in place). */
static int take_events(int *argc, char **argv, unsigned *events)
{
	const char *value = NULL;
	uint64_t n;
	int kept = 1;

	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--events") && i + 1 < *argc)
			value = argv[++i];
		else if (!strncmp(argv[i], "--events=", 9))
			value = argv[i] + 9;
		else
			argv[kept++] = argv[i];
	}
	*argc = kept;
	if (!value)
		return 0;
	if (!cli_parse_count(value, &n) || n == 0 || n > EVENTS_MAX)
		return cli_error("report: --events takes 1..%d, not '%s'", EVENTS_MAX, value);
	*events = (unsigned)n;
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

	if (take_events(&argc, argv, &opts.events))
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
	us_report_free(r); /* before the target: its strings are the target's */
	status = cli_target_resume(t, &a, status);
	us_target_close(t);
	return status;
}
