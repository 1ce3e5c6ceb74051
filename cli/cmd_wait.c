/*
 * uniscope wait NAME: block until a session's guest ends, then exit with
 * its exit status, as `docker wait` does. How it ended goes to stderr.
 *
 * The launcher's exit is waited for through a pidfd (the launcher is not
 * our child); where pidfds are missing, by looking every 100 ms. A
 * detached session records how it ended before its launcher exits, so
 * the status is there when the wait returns. A session that is gone by
 * then was stopped (`uniscope stop` removes it), or ran in the
 * foreground, whose status went to its own terminal.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "cli.h"
#include "run.h"

#define WAIT_LOOK_MS 100

/* Until pid exits, or timeout_ms passes (-1: forever). 0 when it exited, 1 on timeout. */
static int wait_for_exit(const struct session *s, int timeout_ms)
{
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, s->pid, 0);

	if (fd >= 0) {
		struct pollfd p = { fd, POLLIN, 0 };
		int n;
		while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
			;
		close(fd);
		return n == 0;
	}
	if (errno == ESRCH)
		return 0;
#endif
	for (int waited = 0; session_alive(s); waited += WAIT_LOOK_MS) {
		if (timeout_ms >= 0 && waited >= timeout_ms)
			return 1;
		usleep(WAIT_LOOK_MS * 1000);
	}
	return 0;
}

static int ended(const struct session *s)
{
	char how[64];

	session_describe_end(s, how, sizeof(how));
	fprintf(stderr, "uniscope: session '%s' ended: %s%s%s\n", s->name, how,
		s->end.detail[0] ? ": " : "", s->end.detail);
	return s->end.exit_status >= 0 && s->end.exit_status <= 255 ? s->end.exit_status : 1;
}

static int gone(const struct session *s)
{
	if (s->detached) {
		cli_error("session '%s' was stopped and removed (uniscope stop)", s->name);
		return 128 + SIGTERM;
	}
	return cli_error("session '%s' ran in the foreground and is gone: its exit status went to "
			 "its terminal", s->name);
}

static int parse_timeout(const char *text, int *ms)
{
	char *end;
	double seconds = strtod(text, &end);

	if (end == text || *end || seconds < 0 || seconds > 86400 * 365)
		return cli_error("wait: --timeout takes seconds, not '%s'", text);
	*ms = (int)(seconds * 1000);
	return 0;
}

int cmd_wait(int argc, char **argv)
{
	static struct session s, before;
	const char *name = NULL;
	int timeout_ms = -1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			if (parse_timeout(argv[++i], &timeout_ms))
				return EXIT_USAGE;
		} else if (!name && argv[i][0] != '-') {
			name = argv[i];
		} else {
			return cli_usage("wait");
		}
	}
	if (!name)
		return cli_usage("wait");
	if (cli_session_load(name, &s))
		return 1;
	if (session_state(&s) == SESSION_LOST)
		session_record_lost(&s);
	if (s.ended)
		return ended(&s);
	if (wait_for_exit(&s, timeout_ms))
		return cli_error("session '%s' still running after the --timeout", name), 124;
	before = s;
	if (session_load(name, &s) < 0)
		return gone(&before);
	if (!s.ended)
		session_record_lost(&s); /* its launcher died without a word */
	return ended(&s);
}
