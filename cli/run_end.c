/*
 * How a session ends, and what it leaves (introspect/session.h).
 *
 * run_end_classify() turns what the launcher saw into a session_end: the
 * guest's own EXIT (status and how: exit, panic, fault, assert, stack
 * overflow), a stop the user asked for, QEMU killed by a signal, or QEMU
 * failing, whose standard error (qemu.log) is passed through to the user.
 * QEMU reports a guest's exit status s as 2s+1 through isa-debug-exit, so
 * its own "exit 1" after an error reads like a guest's exit 0: a QEMU that
 * exits 1 having written an error and the guest nothing has failed.
 *
 * run_session_finish() then keeps or removes the session: a detached one
 * that ended by itself is kept (status, console, core and report) until
 * `uniscope rm`; a stopped one, and a foreground one (its status and
 * QEMU's error went to its terminal, its core and report next to the
 * user), go, unless something could not be shown or moved (a Xen domain
 * that ended without a word: xl.log; a core that could not be moved).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "record.h"
#include "run.h"

#define QEMU_LOG_SHOWN 4096

static enum session_how how_from_guest(const struct run_state *rs)
{
	switch (rs->exit_how) {
	case CHAN_EXIT_NORMAL: return SESSION_HOW_EXIT;
	case CHAN_EXIT_PANIC: return SESSION_HOW_PANIC;
	case CHAN_EXIT_FAULT: return SESSION_HOW_FAULT;
	case CHAN_EXIT_ASSERT: return SESSION_HOW_ASSERT;
	case CHAN_EXIT_STACK_OVERFLOW: return SESSION_HOW_STACK_OVERFLOW;
	default: return rs->exit_status == 125 ? SESSION_HOW_CRASH : SESSION_HOW_EXIT;
	}
}

static off_t session_file_size(const struct run_state *rs, const char *file)
{
	char path[SESSION_PATH_MAX + 16];
	struct stat st;

	session_path(&rs->session, file, path, sizeof(path));
	return stat(path, &st) == 0 ? st.st_size : 0;
}

/* The first QEMU_LOG_SHOWN bytes of a session file; its first line into detail. */
static size_t read_session_text(const struct run_state *rs, const char *file, char *buf, size_t cap)
{
	char path[SESSION_PATH_MAX + 16];
	ssize_t n = -1;
	int fd;

	session_path(&rs->session, file, path, sizeof(path));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, buf, cap - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = 0;
	return n > 0 ? (size_t)n : 0;
}

/* QEMU failed: its own words go to the user (and their first line into the status). */
static int qemu_failed(struct run_state *rs, const char *what)
{
	struct session_end *e = &rs->session.end;
	char text[QEMU_LOG_SHOWN];
	size_t n = read_session_text(rs, "qemu.log", text, sizeof(text));

	e->how = SESSION_HOW_FAILED;
	e->exit_status = 1;
	snprintf(e->detail, sizeof(e->detail), "%.*s", (int)strcspn(text, "\n"), text);
	if (!e->detail[0])
		snprintf(e->detail, sizeof(e->detail), "%s", what);
	cli_error("%s%s", what, n ? "; it said:" : " (it said nothing)");
	if (n)
		fprintf(stderr, "%s%s", text, text[n - 1] == '\n' ? "" : "\n");
	return 1;
}

static int qemu_ended(struct run_state *rs)
{
	struct session_end *e = &rs->session.end;
	int ws = rs->qemu_wait_status, code = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;

	if (WIFSIGNALED(ws)) {
		e->how = SESSION_HOW_KILLED;
		e->signal = WTERMSIG(ws);
		e->exit_status = 128 + e->signal;
		snprintf(e->detail, sizeof(e->detail), "QEMU (pid %d) was killed by signal %d",
			 (int)rs->qemu_pid, e->signal);
		cli_error("%s", e->detail);
		return e->exit_status;
	}
	if (code == 1 && session_file_size(rs, "console.log") == 0 &&
	    session_file_size(rs, "qemu.log") > 0)
		return qemu_failed(rs, "QEMU could not run the image");
	if (code < 0 || code % 2 == 0) {
		char what[64];
		snprintf(what, sizeof(what), "QEMU ended unexpectedly (exit code %d)", code);
		return qemu_failed(rs, what);
	}
	e->exit_status = (code - 1) / 2;
	e->how = e->exit_status == 125 ? SESSION_HOW_CRASH : SESSION_HOW_EXIT;
	return e->exit_status;
}

static int xen_ended(struct run_state *rs, int xen_status)
{
	struct session_end *e = &rs->session.end;

	if (xen_status < 0) {
		e->how = SESSION_HOW_FAILED;
		e->exit_status = 1;
		snprintf(e->detail, sizeof(e->detail), "the Xen domain ended without an exit status");
		rs->keep_session_dir = true;
		return cli_error("%s: see %s/xl.log and `xl dmesg`", e->detail, rs->session.dir);
	}
	e->exit_status = xen_status;
	e->how = xen_status == 125 ? SESSION_HOW_CRASH : SESSION_HOW_EXIT;
	return xen_status;
}

int run_end_classify(struct run_state *rs, int xen_status)
{
	struct session_end *e = &rs->session.end;

	if (rs->got_exit_status) {
		e->exit_status = rs->exit_status;
		e->how = how_from_guest(rs);
		return e->exit_status;
	}
	if (rs->stopping) {
		e->how = SESSION_HOW_STOPPED;
		e->signal = rs->stop_signal;
		e->exit_status = 128 + rs->stop_signal;
		return e->exit_status;
	}
	if (rs->rr && atomic_load(&rs->rr->guest_status) >= 0) { /* no exit device while recording */
		e->exit_status = atomic_load(&rs->rr->guest_status);
		e->how = e->exit_status == 125 ? SESSION_HOW_CRASH : SESSION_HOW_EXIT;
		return e->exit_status;
	}
	return rs->xen ? xen_ended(rs, xen_status) : qemu_ended(rs);
}

void run_session_finish(struct run_state *rs)
{
	struct session *s = &rs->session;
	bool keep = rs->keep_session_dir || (rs->opt.detach && s->end.how != SESSION_HOW_STOPPED);

	if (!s->dir[0])
		return;
	if (!keep) {
		session_remove_dir(s);
		return;
	}
	session_prune_live_files(s);
	if (session_write_status(s) < 0)
		cli_error("cannot record how session '%s' ended in '%s': %s", s->name, s->dir,
			  strerror(errno));
}
