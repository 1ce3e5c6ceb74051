/*
 * Shared plumbing of the introspection commands (see introspect_cli.h).
 * Options may come before or after the positional arguments.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "introspect_cli.h"

static const char *option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (strcmp(argv[*i], name))
		return NULL;
	if (*i + 1 >= argc)
		return "";
	return argv[++*i];
}

static int parse_one(int argc, char **argv, int *i, struct cli_target_args *a)
{
	const char *v;

	if (!strcmp(argv[*i], "--json"))
		a->json = true;
	else if (!strcmp(argv[*i], "--no-pause"))
		a->no_pause = true;
	else if (!strcmp(argv[*i], "--phys"))
		a->phys = true;
	else if ((v = option_value(argc, argv, i, "--image")))
		a->opts.image = v;
	else if ((v = option_value(argc, argv, i, "--debug-dir")))
		a->opts.debug_dir = v;
	else if (argv[*i][0] == '-' && argv[*i][1] && !(argv[*i][1] >= '0' && argv[*i][1] <= '9'))
		return cli_error("%s: unknown option '%s'", argv[0], argv[*i]), -1;
	else if (a->nr_positional < CLI_MAX_POSITIONAL)
		a->positional[a->nr_positional++] = argv[*i];
	else
		return cli_error("%s: too many arguments", argv[0]), -1;
	return 0;
}

int cli_target_parse(int argc, char **argv, struct cli_target_args *a, int min, int max)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		if (parse_one(argc, argv, &i, a) < 0)
			return cli_usage(argv[0]);
	}
	if ((a->opts.image && !*a->opts.image) || (a->opts.debug_dir && !*a->opts.debug_dir))
		return cli_error("%s: --image and --debug-dir need a value", argv[0]), cli_usage(argv[0]);
	if (a->nr_positional < min || a->nr_positional > max)
		return cli_usage(argv[0]);
	return 0;
}

int cli_report(struct us_error *err)
{
	cli_error("%s", err->message);
	us_error_destroy(err);
	return 1;
}

struct us_target *cli_target_open(const struct cli_target_args *a)
{
	struct us_target *t;
	struct us_error *err = us_target_open(a->positional[0], &a->opts, &t);
	const char *warning;

	if (err) {
		cli_report(err);
		return NULL;
	}
	if ((warning = us_target_warning(t)))
		cli_error("warning: %s", warning);
	return t;
}

int cli_target_pause(struct us_target *t, const struct cli_target_args *a)
{
	if (a->no_pause || !us_target_is_live(t))
		return 0;
	struct us_error *err = us_target_pause(t);
	return err ? cli_report(err) : 0;
}

struct us_target *cli_target_open_paused(const struct cli_target_args *a)
{
	struct us_target *t = cli_target_open(a);

	if (t && cli_target_pause(t, a)) {
		us_target_close(t);
		return NULL;
	}
	return t;
}

int cli_target_resume(struct us_target *t, const struct cli_target_args *a, int status)
{
	if (a->no_pause || !us_target_is_live(t))
		return status;
	struct us_error *err = us_target_resume(t);
	return err ? cli_report(err) : status;
}

bool cli_parse_count(const char *text, uint64_t *value)
{
	char *end;

	if (!*text || *text == '-')
		return false;
	errno = 0;
	*value = strtoull(text, &end, 0);
	return !*end && errno == 0;
}

