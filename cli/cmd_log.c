/*
 * uniscope log TARGET: the console log ring, read from guest memory. It
 * holds what the guest printed even when nothing was listening, and after
 * it crashed.
 *
 * An ended session (introspect/session.h) has no guest memory left: its
 * log is the session's console.log, every console byte the launcher
 * received, which is whole where the ring may have wrapped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli.h"
#include "introspect_cli.h"
#include "run.h"

#define JSON_LOG_MAX (16u << 20)

static void print_json(const char *text, uint64_t lost)
{
	printf("{\"lost\": %llu, \"text\": ", (unsigned long long)lost);
	us_json_string(stdout, text);
	printf("}\n");
}

/* The session TARGET names, when it has ended; a core file by that name comes first. */
static bool ended_session(const char *spec, struct session *s)
{
	struct stat st;

	if (!strncmp(spec, "qemu:", 5))
		spec += 5;
	else if (!strncmp(spec, "xen:", 4) || (stat(spec, &st) == 0 && S_ISREG(st.st_mode)))
		return false;
	return session_load(spec, s) == 0 && s->ended;
}

/* The last JSON_LOG_MAX bytes (lost counts the rest), or the whole file as text. */
static int print_console_file(FILE *f, bool json)
{
	char *text = NULL, chunk[65536];
	size_t n, len = 0;
	uint64_t lost = 0;
	long size;

	if (!json) {
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, n, stdout);
		return 0;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	if (size > (long)JSON_LOG_MAX)
		lost = (uint64_t)size - JSON_LOG_MAX;
	fseek(f, (long)lost, SEEK_SET);
	if (!(text = calloc(1, size - (long)lost + 1)))
		return cli_error("out of memory for the console log");
	len = fread(text, 1, (size_t)(size - (long)lost), f);
	text[len] = 0;
	print_json(text, lost);
	free(text);
	return 0;
}

static int log_ended(const struct session *s, bool json)
{
	char path[SESSION_PATH_MAX + 16];
	FILE *f;
	int status;

	session_path(s, "console.log", path, sizeof(path));
	if (!(f = fopen(path, "r")))
		return cli_error("session '%s' has ended and its console log is gone: %s", s->name,
				 strerror(errno));
	status = print_console_file(f, json);
	fclose(f);
	return status;
}

int cmd_log(int argc, char **argv)
{
	static struct session ended;
	struct cli_target_args a;
	struct us_error *err;
	struct us_target *t;
	uint64_t lost;
	size_t len;
	char *text;
	int status;

	if ((status = cli_target_parse(argc, argv, &a, 1, 1)))
		return status;
	if (ended_session(a.positional[0], &ended))
		return log_ended(&ended, a.json);
	if (!(t = cli_target_open(&a)))
		return 1;
	err = us_target_log(t, &text, &len, &lost);
	us_target_close(t);
	if (err)
		return cli_report(err);
	if (a.json) {
		print_json(text, lost);
	} else {
		if (lost)
			cli_error("note: %llu older bytes were overwritten in the ring",
				  (unsigned long long)lost);
		fwrite(text, 1, len, stdout);
	}
	free(text);
	return 0;
}
