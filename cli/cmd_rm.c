/*
 * uniscope rm [--force] NAME...: remove ended sessions (their status,
 * console log, core and report), as `docker rm` removes containers. A
 * running session is refused unless --force, which stops it (and
 * stopping removes it). Only names are taken, never paths: rm deletes
 * what is in the directory it is given.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "run.h"

static int remove_one(const char *name, bool force)
{
	struct session s;

	if (strchr(name, '/') || name[0] == '.')
		return cli_error("rm: '%s' is not a session name (uniscope ls --all lists them)", name);
	if (cli_session_load(name, &s))
		return 1;
	switch (session_state(&s)) {
	case SESSION_RUNNING:
		if (!force)
			return cli_error("session '%s' is running (uniscope stop %s, or rm --force)",
					 name, name);
		return cli_session_stop(&s);
	case SESSION_LOST:
		session_record_lost(&s);
		break;
	case SESSION_ENDED:
		break;
	}
	session_remove_dir(&s);
	return 0;
}

int cmd_rm(int argc, char **argv)
{
	bool force = false;
	int status = 0, names = 0;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--force") || !strcmp(argv[i], "-f"))
			force = true;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force") || !strcmp(argv[i], "-f"))
			continue;
		if (argv[i][0] == '-')
			return cli_error("rm: unknown option '%s'", argv[i]), cli_usage("rm");
		names++;
		status |= remove_one(argv[i], force);
	}
	return names ? status : cli_usage("rm");
}
