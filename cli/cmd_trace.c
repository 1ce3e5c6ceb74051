/*
 * uniscope trace TARGET [-f text|ctf|json] [-o OUT] [--follow]
 *
 * Reads the trace rings straight out of guest memory (a live session, a
 * core file), with no help from the guest, or decodes a stream recorded by
 * `uniscope run --trace FILE` when TARGET is such a file (then --image
 * names the image for event names). Exports text (trace-cmd style), CTF 1.8
 * (a directory) or Chrome/Perfetto JSON. --follow keeps reading a live
 * guest and prints new events as text until interrupted.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "introspect_cli.h"
#include "introspect/uniscope.h"

#define FOLLOW_INTERVAL_US 200000

struct trace_options {
	const char *format; /* text | ctf | json */
	const char *out;
	bool follow;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Splits off our options; the rest goes to the common target parser. */
static int split_options(int argc, char **argv, struct trace_options *o, char **rest, int *nr_rest)
{
	*nr_rest = 0;
	o->format = "text";
	for (int i = 0; i < argc; i++) {
		if ((!strcmp(argv[i], "-f") || !strcmp(argv[i], "-o")) && i + 1 >= argc)
			return cli_error("option '%s' needs a value", argv[i]), EXIT_USAGE;
		if (!strcmp(argv[i], "-f"))
			o->format = argv[++i];
		else if (!strcmp(argv[i], "-o"))
			o->out = argv[++i];
		else if (!strcmp(argv[i], "--follow"))
			o->follow = true;
		else if (!strcmp(argv[i], "--json"))
			o->format = "json"; /* like every inspection command */
		else
			rest[(*nr_rest)++] = argv[i];
	}
	if (strcmp(o->format, "text") && strcmp(o->format, "ctf") && strcmp(o->format, "json"))
		return cli_error("-f takes text, ctf or json, not '%s'", o->format), EXIT_USAGE;
	if (!strcmp(o->format, "ctf") && !o->out)
		return cli_error("-f ctf writes a directory: name it with -o DIR"), EXIT_USAGE;
	if (o->follow && strcmp(o->format, "text"))
		return cli_error("--follow prints text; export with -f after the run"), EXIT_USAGE;
	return 0;
}

static void name_threads(struct trace_set *s, struct us_target *t)
{
	struct us_thread *threads = 0;
	size_t n = 0;
	struct us_error *err = us_target_threads(t, &threads, &n);

	us_error_destroy(err);
	for (size_t i = 0; i < n; i++)
		trace_set_thread_name(s, threads[i].id, threads[i].name);
	free(threads);
}

static bool is_elf(const char *path)
{
	unsigned char magic[4] = { 0 };
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	size_t n = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	return n == 4 && !memcmp(magic, "\177ELF", 4);
}

static bool is_stream_file(const char *spec)
{
	return access(spec, R_OK) == 0 && !is_elf(spec) && !strchr(spec, ':');
}

/* What the decoder skipped goes to stderr; a stream where nothing decodes is a failure. */
static int report_damage(const char *what, const struct trace_set *s, bool need_records)
{
	char text[512];

	if (trace_stats_describe(&s->stats, text, sizeof(text)))
		cli_error("warning: %s: %llu records decoded; %s", what,
			  (unsigned long long)s->stats.records, text);
	if (need_records && !s->stats.records)
		return cli_error("trace: %s: nothing decodes (is it a stream from uniscope run --trace?)",
				 what);
	return 0;
}

static int export_set(struct trace_set *s, const struct trace_options *o, const char *spec)
{
	struct trace_error err = { { 0 } };
	const char *base = strrchr(spec, '/') ? strrchr(spec, '/') + 1 : spec;
	FILE *out = stdout;
	int rc;

	snprintf(s->name, sizeof(s->name), "%s", base);
	trace_set_sort(s);
	if (!strcmp(o->format, "ctf"))
		rc = trace_export_ctf(s, o->out, &err);
	else {
		if (o->out && !(out = fopen(o->out, "w")))
			return cli_error("cannot write '%s': %s", o->out, strerror(errno));
		rc = !strcmp(o->format, "json") ? trace_export_json(s, out, &err)
						 : trace_export_text(s, out, &err);
		if (out != stdout && fclose(out) != 0 && rc == 0)
			return cli_error("cannot write '%s': %s", o->out, strerror(errno));
	}
	return rc < 0 ? cli_error("%s", err.msg) : 0;
}

static int trace_from_stream(const char *path, const struct cli_target_args *a, struct trace_options *o)
{
	static struct trace_set s;
	struct trace_error err = { { 0 } };
	int status;

	trace_set_init(&s);
	if ((a->opts.image && trace_meta_load(&s.meta, a->opts.image, &err) < 0) ||
	    trace_decode_stream_file(&s, path, &err) < 0 || trace_set_check_build_id(&s, &err) < 0) {
		trace_set_free(&s);
		return cli_error("%s: %s", path, err.msg);
	}
	status = report_damage(path, &s, true);
	if (!status)
		status = export_set(&s, o, path);
	trace_set_free(&s);
	return status;
}

static int decode_once(struct trace_set *s, struct us_target *t, struct trace_error *err)
{
	return trace_decode_guest(s, us_target_read_fn, t, us_target_info_address(t), err);
}

/* Prints the events decoded since the last call, in time order. */
static void print_new(struct trace_set *s, size_t *printed)
{
	char line[512];

	for (; *printed < s->nr_events; (*printed)++) {
		trace_event_format(s, &s->events[*printed], line, sizeof(line));
		printf("%s\n", line);
	}
	fflush(stdout);
}

static int follow(struct trace_set *s, struct us_target *t)
{
	struct trace_error err = { { 0 } };
	size_t printed = 0;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!interrupted) {
		if (decode_once(s, t, &err) < 0)
			return cli_error("%s", err.msg);
		name_threads(s, t);
		trace_set_sort(s);
		print_new(s, &printed);
		usleep(FOLLOW_INTERVAL_US);
	}
	return 0;
}

static int trace_from_target(const struct cli_target_args *a, struct trace_options *o)
{
	static struct trace_set s;
	struct trace_error err = { { 0 } };
	struct us_target *t = cli_target_open(a);
	const char *image;
	int status = 1;

	if (!t)
		return 1;
	trace_set_init(&s);
	image = us_target_image(t);
	if (image && trace_meta_load(&s.meta, image, &err) < 0)
		cli_error("warning: no event names: %s", err.msg);
	if (!us_target_info_address(t)) {
		status = cli_report(us_target_info_error(t));
	} else if (o->follow) {
		status = follow(&s, t);
	} else if (cli_target_pause(t, a) == 0) {
		int rc = decode_once(&s, t, &err);
		name_threads(&s, t);
		status = cli_target_resume(t, a, rc < 0 ? cli_error("%s", err.msg) : 0);
		if (!status)
			status = report_damage(a->positional[0], &s, false);
		if (!status)
			status = export_set(&s, o, us_target_name(t));
	}
	trace_set_free(&s);
	us_target_close(t);
	return status;
}

int cmd_trace(int argc, char **argv)
{
	struct trace_options o = { 0 };
	struct cli_target_args a;
	char **rest = calloc((size_t)argc + 1, sizeof(*rest));
	int nr_rest, status;

	if (!rest)
		return cli_error("out of memory");
	status = split_options(argc, argv, &o, rest, &nr_rest);
	if (!status)
		status = cli_target_parse(nr_rest, rest, &a, 1, 1);
	if (!status && is_stream_file(a.positional[0]) && us_target_is_session_name(a.positional[0]))
		status = cli_error(US_AMBIGUOUS_TARGET_FMT, a.positional[0], a.positional[0]);
	else if (!status)
		status = is_stream_file(a.positional[0]) ? trace_from_stream(a.positional[0], &a, &o)
							 : trace_from_target(&a, &o);
	free(rest);
	return status;
}
