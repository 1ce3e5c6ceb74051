/*
 * uniscope top TARGET | --replay FILE [--image PATH]
 *
 * The terminal UI (tui/): threads with a scheduling timeline, live trace
 * events, the console and a status bar, over a live session, a core file,
 * or a trace stream recorded by `uniscope run --trace FILE`. This file only
 * parses the command line and opens the target, so that errors print
 * before the screen is taken.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "introspect_cli.h"
#include "tui/top.h"

/* Takes --replay FILE out of argv; the rest goes to the common parser. */
static int split_replay(int argc, char **argv, const char **replay, char **rest, int *nr_rest)
{
	*nr_rest = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--replay")) {
			rest[(*nr_rest)++] = argv[i];
			continue;
		}
		if (i + 1 >= argc)
			return cli_error("--replay needs the file `uniscope run --trace FILE` recorded"), EXIT_USAGE;
		*replay = argv[++i];
	}
	return 0;
}

static int top_replay(const char *file, const struct cli_target_args *a)
{
	struct tui_top_options o = { .spec = file, .replay = file, .image = a->opts.image };

	if (a->nr_positional)
		return cli_error("top: --replay takes no TARGET"), cli_usage("top");
	if (access(file, R_OK) < 0)
		return cli_error("cannot read '%s' (a trace recorded by uniscope run --trace FILE)", file);
	return tui_top(&o);
}

int cmd_top(int argc, char **argv)
{
	struct cli_target_args a;
	const char *replay = NULL;
	char **rest = calloc((size_t)argc + 1, sizeof(*rest));
	int nr_rest, status;

	if (!rest)
		return cli_error("out of memory");
	status = split_replay(argc, argv, &replay, rest, &nr_rest);
	if (!status)
		status = cli_target_parse(nr_rest, rest, &a, replay ? 0 : 1, 1);
	if (!status && replay) {
		status = top_replay(replay, &a);
	} else if (!status) {
		struct tui_top_options o = { .spec = a.positional[0] };
		o.target = cli_target_open(&a);
		status = o.target ? tui_top(&o) : 1;
	}
	free(rest);
	return status;
}
