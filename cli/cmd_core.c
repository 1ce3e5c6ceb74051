/*
 * uniscope core TARGET -o FILE: an ELF core of a live session or of
 * another core, one GDB thread per libOS thread (introspect/postmortem.h).
 * A live guest is paused while its memory is copied.
 */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "introspect_cli.h"
#include "introspect/uniscope.h"

#define MIB (1024.0 * 1024.0)

/* Takes -o FILE / --output FILE / --output=FILE out of argv (in place); NULL when absent. */
static const char *take_output(int *argc, char **argv, int *status)
{
	const char *out = NULL;
	int n = 1;

	*status = 0;
	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (i + 1 >= *argc) {
				*status = cli_error("core: %s needs a file name", argv[i]);
				return NULL;
			}
			out = argv[++i];
		} else if (!strncmp(argv[i], "--output=", 9)) {
			out = argv[i] + 9;
		} else {
			argv[n++] = argv[i];
		}
	}
	*argc = n;
	return out;
}

static void print_stats(const char *path, const struct us_core_stats *s)
{
	printf("%s: %zu thread%s, %zu segment%s, %.1f MiB of %.1f MiB mapped "
	       "(%.1f MiB all-zero and %.1f MiB unbacked left out)\n",
	       path, s->threads, s->threads == 1 ? "" : "s", s->segments, s->segments == 1 ? "" : "s",
	       s->written / MIB, s->mapped / MIB, s->zero_skipped / MIB, s->unreadable / MIB);
	if (s->warning[0])
		cli_error("warning: %s", s->warning);
}

static void print_json(const char *path, const struct us_core_stats *s)
{
	printf("{\"core\": ");
	us_json_string(stdout, path);
	printf(", \"threads\": %zu, \"segments\": %zu, \"written\": %llu, \"mapped\": %llu, "
	       "\"zero_skipped\": %llu, \"unbacked\": %llu, \"warning\": ",
	       s->threads, s->segments, (unsigned long long)s->written, (unsigned long long)s->mapped,
	       (unsigned long long)s->zero_skipped, (unsigned long long)s->unreadable);
	us_json_string(stdout, s->warning);
	printf("}\n");
}

int cmd_core(int argc, char **argv)
{
	struct cli_target_args a;
	struct us_core_stats stats;
	struct us_error *err;
	struct us_target *t;
	const char *path;
	int status;

	path = take_output(&argc, argv, &status);
	if (status)
		return cli_usage("core");
	if ((status = cli_target_parse(argc, argv, &a, 1, 1)))
		return status;
	if (!path || !*path)
		return cli_error("core: say where the core goes with -o FILE"), cli_usage("core");
	if (!(t = cli_target_open_paused(&a)))
		return 1;
	err = us_core_write(t, path, NULL, &stats);
	status = err ? cli_report(err) : 0;
	status = cli_target_resume(t, &a, status);
	if (!err && a.json)
		print_json(path, &stats);
	else if (!err)
		print_stats(path, &stats);
	us_target_close(t);
	return status;
}
