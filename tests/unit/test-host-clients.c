/*
 * The host's clients of the sockets other processes serve, each peer
 * played here by a thread: QMP (introspect/qmp.c), QEMU's gdbstub
 * (qemu_gdb.c, for record and replay) and the session's control socket
 * (session_ctl.c). Answers, errors and garbage each get their result; a
 * peer that never stops talking (a stream of QMP events, console text
 * that never ends, junk, a control answer a byte at a time) costs the
 * client its deadline, not forever. The alarm turns such a hang into a
 * failure.
 */
#include <errno.h>
#include <poll.h>
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
#include "../../introspect/qemu_gdb.h"
#include "../../introspect/qmp.h"
#include "../../introspect/session_ctl.h"

/*
 * The peer: sends script, then repeat `times` times (-1: until the client
 * leaves), interval_ms apart (0: as fast as the socket takes it), then
 * reads what the client sends until it leaves. leave: after script, the
 * client's first write (one small packet or line) and no more.
 */
struct peer {
	int listen_fd;
	const char *script, *repeat;
	int times, interval_ms;
	bool leave;
	pthread_t thread;
};

static char dir[64];

static bool send_text(int fd, const char *text)
{
	return send(fd, text, strlen(text), MSG_NOSIGNAL) == (ssize_t)strlen(text);
}

/* Floods by the thousand per write: the client takes them apart slower than they
 * come, so the socket never runs dry (a client that stops at its deadline only
 * when it does would pass). */
#define EVENT "{\"event\":\"RTC_CHANGE\",\"data\":{\"offset\":0}}\n"
static char events[64 * 1024], junk[64 * 1024];

static void *serve_one(void *arg)
{
	struct peer *p = arg;
	int fd = accept(p->listen_fd, NULL, NULL);
	char drain[256];

	if (fd < 0)
		return NULL;
	if (send_text(fd, p->script) && p->leave) {
		if (read(fd, drain, sizeof(drain)) < 0)
			diag("read: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	for (int i = 0; p->repeat && (p->times < 0 || i < p->times); i++) {
		if (p->interval_ms)
			usleep((useconds_t)p->interval_ms * 1000);
		if (!send_text(fd, p->repeat))
			break;
	}
	while (read(fd, drain, sizeof(drain)) > 0)
		;
	close(fd);
	return NULL;
}

static void peer_start(struct peer *p, const char *socket_name)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/%s", dir, socket_name);
	unlink(addr.sun_path);
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

static bool failed(struct us_error *err)
{
	if (err)
		diag("error: %s", err->message);
	us_error_destroy(err);
	return err != NULL;
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
static struct us_error *qmp_status(struct peer p, char *status, size_t cap)
{
	char path[128];
	struct us_error *err;
	struct us_qmp *q = NULL;

	snprintf(path, sizeof(path), "%s/qmp.sock", dir);
	peer_start(&p, "qmp.sock");
	if (!(err = us_qmp_connect(path, &q)))
		err = us_qmp_query_status(q, status, cap);
	us_qmp_close(q);
	peer_stop(&p);
	return err;
}

#define QMP_HELLO "{\"QMP\":{}}\n{\"return\":{}}\n" /* greeting, capabilities accepted */

static void test_qmp(void)
{
	char status[32] = "";

	ok(!qmp_status((struct peer){ .script = "{\"QMP\":{\"version\":{}}}\n{\"return\":{}}\n"
		       "{\"event\":\"STOP\"}\n{\"return\":{\"status\":\"paused\",\"running\":false}}\n" },
		       status, sizeof(status)), "QMP: greeting, capabilities, an event skipped, the reply");
	is_str(status, "paused", "QMP: query-status's status");
	ok(message_has(qmp_status((struct peer){ .script = QMP_HELLO
				  "{\"error\":{\"class\":\"GenericError\",\"desc\":\"no way\"}}\n" },
				  status, sizeof(status)), "QMP 'query-status' failed: no way"),
	   "QMP: an error reply is the command's error, with QEMU's description");
	ok(message_has(qmp_status((struct peer){ .script = QMP_HELLO "{\"return\":\n" }, status, sizeof(status)),
		       "QEMU sent malformed QMP"), "QMP: a line that is no JSON object");
	ok(message_has(qmp_status((struct peer){ .script = "{\"greeting\":1}\n" }, status, sizeof(status)),
		       "no QMP greeting"), "QMP: a socket that is not QMP's");
	ok(message_has(qmp_status((struct peer){ .script = QMP_HELLO "{\"return\":{}}\n" }, status, sizeof(status)),
		       "returned no status"), "QMP: a reply without the status");
	ok(message_has(qmp_status((struct peer){ .script = QMP_HELLO "{\"return\":{\"status\":\"\"}}\n" },
				  status, sizeof(status)), "returned no status"), "QMP: an empty status is none");
	ok(message_has(qmp_status((struct peer){ .script = "{\"QMP\":{}}\n", .leave = true }, status, sizeof(status)),
		       "closed the QMP connection"), "QMP: QEMU leaves mid-handshake");
	ok(message_has(qmp_status((struct peer){ .script = QMP_HELLO, .repeat = events, .times = -1 },
				  status, sizeof(status)), "did not answer on QMP in time"),
	   "QMP: a stream of events without the reply ends at the timeout");
}

static struct us_qemu_gdb *gdb_connect(struct peer *p)
{
	struct us_qemu_gdb *q = NULL;
	char path[128];

	snprintf(path, sizeof(path), "%s/gdb.sock", dir);
	peer_start(p, "gdb.sock");
	if (failed(us_qemu_gdb_connect(path, &q)))
		exit(1);
	return q;
}

static void gdb_done(struct us_qemu_gdb *q, struct peer *p)
{
	us_qemu_gdb_close(q);
	peer_stop(p);
}

/* QEMU's gdbstub: an answer; console text that never ends; junk; a stop reply in two pieces. */
static void test_qemu_gdbstub(void)
{
	struct peer p = { .script = "+$1#31" };
	struct us_qemu_gdb *q = gdb_connect(&p);
	char out[256];
	bool got = false;

	ok(!failed(us_qemu_gdb_command(q, "qAttached", out, sizeof(out))), "gdbstub: a command's reply");
	is_str(out, "1", "gdbstub: its text");
	gdb_done(q, &p);

	p = (struct peer){ .script = "", .repeat = "+$O41#b4", .times = -1, .interval_ms = 300 };
	q = gdb_connect(&p);
	ok(message_has(us_qemu_gdb_monitor(q, "info replay", out, sizeof(out)), "did not answer in time"),
	   "gdbstub: a monitor answer whose console text never ends ends at the timeout");
	gdb_done(q, &p);

	p = (struct peer){ .script = "", .repeat = "+$O41#b4", .times = -1, .interval_ms = 300 };
	q = gdb_connect(&p);
	ok(!failed(us_qemu_gdb_resume(q, "c")), "gdbstub: resumed");
	ok(message_has(us_qemu_gdb_wait_stop(q, 1000, out, sizeof(out)), "did not answer in time"),
	   "gdbstub: console text while waiting for the stop does not renew the wait");
	gdb_done(q, &p);

	p = (struct peer){ .script = "+", .repeat = junk, .times = -1 };
	q = gdb_connect(&p);
	ok(!failed(us_qemu_gdb_resume(q, "c")), "gdbstub: resumed (junk follows)");
	ok(!failed(us_qemu_gdb_poll_stop(q, out, sizeof(out), &got)) && !got,
	   "gdbstub: polling a stream of junk returns, without a stop");
	gdb_done(q, &p);

	p = (struct peer){ .script = "+$T05thr", .repeat = "ead:01;#07", .times = 1, .interval_ms = 200 };
	q = gdb_connect(&p);
	ok(!failed(us_qemu_gdb_resume(q, "c")), "gdbstub: resumed (a stop reply in two pieces follows)");
	for (int i = 0; i < 100 && !got; i++) {
		struct pollfd pfd = { .fd = us_qemu_gdb_fd(q), .events = POLLIN };
		if (!us_qemu_gdb_buffered(q))
			poll(&pfd, 1, 1000);
		if (failed(us_qemu_gdb_poll_stop(q, out, sizeof(out), &got)))
			break;
	}
	ok(got, "gdbstub: the stop reply, from its two pieces across polls");
	is_str(out, "T05thread:01;", "gdbstub: the stop reply whole");
	gdb_done(q, &p);
}

static struct us_error *ctl_ask(struct peer p)
{
	struct session s = { 0 };
	struct us_error *err;

	snprintf(s.dir, sizeof(s.dir), "%s", dir);
	peer_start(&p, "ctl.sock");
	err = session_ctl_trace_enable(&s, 0x3, 1000);
	peer_stop(&p);
	return err;
}

static void test_ctl(void)
{
	ok(!ctl_ask((struct peer){ .script = "ok\n" }), "ctl: ok is success");
	ok(message_has(ctl_ask((struct peer){ .script = "error: no guest\n" }), "no guest"),
	   "ctl: an error answer is the error, without its prefix");
	ok(message_has(ctl_ask((struct peer){ .leave = true, .script = "" }), "no answer from the session's control socket"),
	   "ctl: a launcher that closes without answering");
	ok(message_has(ctl_ask((struct peer){ .script = "", .repeat = "x", .times = SESSION_CTL_LINE_MAX,
					       .interval_ms = 300 }), "x"),
	   "ctl: an answer a byte at a time ends at the timeout, with what came");
}

static void remove_dir(void)
{
	static const char *const sockets[] = { "qmp.sock", "gdb.sock", "ctl.sock" };
	char path[128];

	for (size_t i = 0; i < sizeof(sockets) / sizeof(sockets[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, sockets[i]);
		unlink(path);
	}
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
	memset(junk, 'x', sizeof(junk) - 1);
	signal(SIGPIPE, SIG_IGN); /* as top does: a launcher that leaves is an error, not a signal */
	alarm(90); /* a hang is a failure: the whole file runs in about twenty seconds */
	test_qmp();
	test_qemu_gdbstub();
	test_ctl();
	return done_testing();
}
