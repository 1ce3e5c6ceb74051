/*
 * uniscope run --core-on-crash: a guest that dies leaves a core and a
 * crash report behind.
 *
 * The HELLO carries CHAN_HELLO_HOLD_ON_CRASH, so a dying guest sends EXIT
 * with status 125 and then waits, polling the channel, instead of leaving
 * QEMU at once. While it waits the session is opened as any other target
 * (introspect/target.h): paused, written as core.elf with its report.txt
 * beside it in the session directory, resumed, and released. The report
 * goes to the terminal too. When a foreground session ends both move next
 * to the user, ./NAME.core and ./NAME.report, since its directory goes; a
 * detached session keeps them in its directory, which outlives it until
 * `uniscope rm NAME` (`uniscope ls --all` says where they are).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "run.h"
#include "introspect/uniscope.h"

#define CORE_FILE "core.elf"
#define REPORT_FILE "report.txt"
#define COPY_CHUNK (1u << 20)

static int warn_error(struct us_error *err, const char *what)
{
	cli_error("--core-on-crash: %s: %s", what, err->message);
	us_error_destroy(err);
	return 1;
}

static void save_report(struct us_target *t, const char *path, bool show)
{
	struct us_report *r;
	struct us_error *err = us_report_collect(t, NULL, &r);
	FILE *f;

	if (err) {
		warn_error(err, "no crash report");
		return;
	}
	if ((f = fopen(path, "w")))
		us_report_print(r, f);
	if (!f || fclose(f))
		cli_error("--core-on-crash: cannot write '%s': %s", path, strerror(errno));
	if (show) {
		putchar('\n');
		us_report_print(r, stdout);
		fflush(stdout);
	}
	us_report_free(r);
}

/* The guest is paused for all of it; closing the target resumes it. */
static void save_crash(struct run_state *rs)
{
	struct us_target_options opts = { .image = rs->session.image };
	char core[SESSION_PATH_MAX + 16], report[SESSION_PATH_MAX + 16];
	struct us_target *t;
	struct us_error *err;

	session_path(&rs->session, CORE_FILE, core, sizeof(core));
	session_path(&rs->session, REPORT_FILE, report, sizeof(report));
	if ((err = us_target_open(rs->session.name, &opts, &t))) {
		warn_error(err, "cannot inspect the dead guest");
		return;
	}
	if ((err = us_target_pause(t)))
		warn_error(err, "the core may be inconsistent");
	if ((err = us_core_write(t, core, NULL, NULL)))
		warn_error(err, "no core");
	else
		rs->crash_saved = true;
	save_report(t, report, !rs->opt.detach);
	us_target_close(t);
}

bool run_crash_capture(struct run_state *rs)
{
	if (!rs->opt.core_on_crash || rs->exit_status != 125)
		return false;
	fprintf(stderr, "uniscope: the guest died; writing a core and a crash report\n");
	save_crash(rs);
	return true; /* whatever happened, the guest waits for RELEASE */
}

void run_crash_capture_dead(struct run_state *rs)
{
	if (!rs->opt.core_on_crash || rs->crash_saved)
		return;
	fprintf(stderr, "uniscope: the guest crashed; writing a core and a crash report\n");
	save_crash(rs);
}

static int copy_file(const char *from, const char *to)
{
	static char buf[COPY_CHUNK];
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	ssize_t n = 0;

	if (in >= 0 && (out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) >= 0) {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				break;
		rc = n == 0 ? 0 : -1;
	}
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0)
		rc = -1;
	return rc;
}

/* rename(), or a copy when the session lives on another file system. */
static int move_file(const char *from, const char *to)
{
	if (rename(from, to) == 0)
		return 0;
	if (errno != EXDEV || copy_file(from, to) < 0)
		return -1;
	unlink(from);
	return 0;
}

void run_crash_finish(struct run_state *rs)
{
	char core[SESSION_PATH_MAX + 16], report[SESSION_PATH_MAX + 16];
	char core_to[SESSION_NAME_MAX + 16], report_to[SESSION_NAME_MAX + 16];

	if (!rs->crash_saved)
		return;
	snprintf(rs->session.end.core, sizeof(rs->session.end.core), "%s", CORE_FILE);
	snprintf(rs->session.end.report, sizeof(rs->session.end.report), "%s", REPORT_FILE);
	if (rs->opt.detach)
		return; /* they stay in the session directory */
	session_path(&rs->session, CORE_FILE, core, sizeof(core));
	session_path(&rs->session, REPORT_FILE, report, sizeof(report));
	snprintf(core_to, sizeof(core_to), "%s.core", rs->session.name);
	snprintf(report_to, sizeof(report_to), "%s.report", rs->session.name);
	if (move_file(core, core_to) < 0 || move_file(report, report_to) < 0) {
		cli_error("cannot save the core here (%s); it stays in '%s' (remove it when done)",
			  strerror(errno), rs->session.dir);
		rs->keep_session_dir = true;
		return;
	}
	fprintf(stderr, "uniscope: core saved as %s, crash report as %s (gdb %s %s)\n", core_to,
		report_to, rs->session.image, core_to);
}
