/*
 * The host's clients of the sockets other processes serve: QMP
 * (introspect/qmp.c, QEMU's side played here) and the session's control
 * socket (introspect/session_ctl.c, the launcher's side played here).
 * Answers, errors and garbage each get their result; a peer that never
 * stops talking (a stream of QMP events, a control answer a byte at a
 * time) costs the client its timeout, not forever. The alarm turns such a
 * hang into a failure.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tap.h"
#include "../../introspect/qmp.h"
#include "../../introspect/session_ctl.h"

enum play { PLAY_SCRIPT, PLAY_SCRIPT_AND_LEAVE, PLAY_EVENT_FLOOD, PLAY_TRICKLE };

struct peer {
	int listen_fd;
	enum play play;
	const char *script; /* all of it, then the client's bytes until it leaves (or leave) */
	pthread_t thread;
};

static char dir[64];

static bool send_text(int fd, const char *text)
{
	return send(fd, text, strlen(text), MSG_NOSIGNAL) == (ssize_t)strlen(text);
}

/* Events by the thousand per write: the client parses them slower than they come,
 * so the socket never runs dry (a client that stops at the timeout only when it
 * does would pass). */
#define EVENT "{\"event\":\"RTC_CHANGE\",\"data\":{\"offset\":0}}\n"
static char events[64 * 1024];

static void *serve_one(void *arg)
{
	struct peer *p = arg;
	int fd = accept(p->listen_fd, NULL, NULL);
	char drain[256];

	if (fd < 0)
		return NULL;
	switch (p->play) {
	case PLAY_SCRIPT:
		send_text(fd, p->script);
		while (read(fd, drain, sizeof(drain)) > 0)
			;
		break;
	case PLAY_SCRIPT_AND_LEAVE: /* after the client's first line (one small write) */
		send_text(fd, p->script);
		if (read(fd, drain, sizeof(drain)) < 0)
			diag("read: %s", strerror(errno));
		break;
	case PLAY_EVENT_FLOOD: /* greeting, capabilities accepted, then events until the client leaves */
		if (send_text(fd, "{\"QMP\":{}}\n{\"return\":{}}\n"))
			while (send_text(fd, events))
				;
		break;
	case PLAY_TRICKLE: /* an answer that never ends its line: a byte every 300 ms */
		for (int i = 0; i < SESSION_CTL_LINE_MAX && send_text(fd, "x"); i++)
			usleep(300 * 1000);
		break;
	}
	close(fd);
	return NULL;
}

static void peer_start(struct peer *p, const char *socket_name, enum play play, const char *script)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/%s", dir, socket_name);
	unlink(addr.sun_path);
	p->play = play;
	p->script = script;
	p->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (p->listen_fd < 0 || bind(p->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(p->listen_fd, 1) < 0 || pthread_create(&p->thread, NULL, serve_one, p)) {
		perror("peer");
		exit(1);
	}
}

static void peer_stop(struct peer *p)
{
	pthread_join(p->thread, NULL);
	close(p->listen_fd);
}

static bool message_has(struct us_error *err, const char *text)
{
	bool has = err && strstr(err->message, text);

	if (!has)
		diag("error: %s", err ? err->message : "(none)");
	us_error_destroy(err);
	return has;
}

/* Connects to a QEMU that plays script, and asks query-status. */
static struct us_error *qmp_status(enum play play, const char *script, char *status, size_t cap)
{
	char path[128];
	struct us_error *err;
	struct us_qmp *q = NULL;
	struct peer p;

	snprintf(path, sizeof(path), "%s/qmp.sock", dir);
	peer_start(&p, "qmp.sock", play, script);
	if (!(err = us_qmp_connect(path, &q)))
		err = us_qmp_query_status(q, status, cap);
	us_qmp_close(q);
	peer_stop(&p);
	return err;
}

static void test_qmp(void)
{
	char status[32] = "";

	ok(!qmp_status(PLAY_SCRIPT, "{\"QMP\":{\"version\":{}}}\n{\"return\":{}}\n"
		       "{\"event\":\"STOP\"}\n{\"return\":{\"status\":\"paused\",\"running\":false}}\n",
		       status, sizeof(status)), "QMP: greeting, capabilities, an event skipped, the reply");
	is_str(status, "paused", "QMP: query-status's status");
	ok(message_has(qmp_status(PLAY_SCRIPT, "{\"QMP\":{}}\n{\"return\":{}}\n"
				  "{\"error\":{\"class\":\"GenericError\",\"desc\":\"no way\"}}\n",
				  status, sizeof(status)), "QMP 'query-status' failed: no way"),
	   "QMP: an error reply is the command's error, with QEMU's description");
	ok(message_has(qmp_status(PLAY_SCRIPT, "{\"QMP\":{}}\n{\"return\":{}}\n{\"return\":\n",
				  status, sizeof(status)), "QEMU sent malformed QMP"),
	   "QMP: a line that is no JSON object");
	ok(message_has(qmp_status(PLAY_SCRIPT, "{\"greeting\":1}\n", status, sizeof(status)),
		       "no QMP greeting"), "QMP: a socket that is not QMP's");
	ok(message_has(qmp_status(PLAY_SCRIPT, "{\"QMP\":{}}\n{\"return\":{}}\n{\"return\":{}}\n",
				  status, sizeof(status)), "returned no status"),
	   "QMP: a reply without the status");
	ok(message_has(qmp_status(PLAY_SCRIPT_AND_LEAVE, "{\"QMP\":{}}\n", status, sizeof(status)),
		       "closed the QMP connection"), "QMP: QEMU leaves mid-handshake");
	ok(message_has(qmp_status(PLAY_EVENT_FLOOD, NULL, status, sizeof(status)), "did not answer on QMP in time"),
	   "QMP: a stream of events without the reply ends at the timeout");
}

static struct us_error *ctl_ask(enum play play, const char *script)
{
	struct session s = { 0 };
	struct us_error *err;
	struct peer p;

	snprintf(s.dir, sizeof(s.dir), "%s", dir);
	peer_start(&p, "ctl.sock", play, script);
	err = session_ctl_trace_enable(&s, 0x3, 1000);
	peer_stop(&p);
	return err;
}

static void test_ctl(void)
{
	ok(!ctl_ask(PLAY_SCRIPT, "ok\n"), "ctl: ok is success");
	ok(message_has(ctl_ask(PLAY_SCRIPT, "error: no guest\n"), "no guest"),
	   "ctl: an error answer is the error, without its prefix");
	ok(message_has(ctl_ask(PLAY_SCRIPT_AND_LEAVE, ""), "no answer from the session's control socket"),
	   "ctl: a launcher that closes without answering");
	ok(message_has(ctl_ask(PLAY_TRICKLE, NULL), "x"),
	   "ctl: an answer a byte at a time ends at the timeout, with what came");
}

static void remove_dir(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/qmp.sock", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test-host-clients.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	atexit(remove_dir);
	for (size_t at = 0, len = strlen(EVENT); at + len < sizeof(events); at += len)
		memcpy(events + at, EVENT, len);
	signal(SIGPIPE, SIG_IGN); /* as top does: a launcher that leaves is an error, not a signal */
	alarm(60); /* a hang is a failure: the whole file runs in about ten seconds */
	test_qmp();
	test_ctl();
	return done_testing();
}
