/*
 * The GDB server of `uniscope replay`: one poll() loop over the debugger,
 * QEMU's gdbstub and signals. The protocol is the gdbstub engine's; the
 * target is a us_replay_target (introspect/replay_target.h), whose resumes
 * return at once: the loop then waits for QEMU's stop reply, and the
 * target turns it into the stop GDB is told.
 *
 * One debugger at a time; others wait in the listen queue until it leaves.
 * A debugger that leaves while the replay runs has it interrupted, so the
 * next finds it stopped. The replay stays where it stands between
 * debuggers: `uniscope ps NAME` and friends read it there. A signal (Ctrl-C,
 * `uniscope stop NAME`) or QEMU's end ends the server.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "record.h"

#define READ_CHUNK 4096
#define WATCH_MS 1000 /* how often a running replay's progress is looked at */

enum { P_SIGNAL, P_LISTEN0, P_LISTEN1, P_CLIENT, P_QEMU, P_COUNT };

struct replay_server {
	struct run_state *rs;
	struct us_replay_target *rt;
	struct gdb_engine engine;
	int client;
	int signal_fd;
	bool done;
	int status;
};

static void transport_put(void *ctx, const void *buf, size_t len)
{
	struct replay_server *s = ctx;
	const char *p = buf;

	while (s->client >= 0 && len > 0) {
		ssize_t n = send(s->client, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* GDB went away: the read side notices */
		p += n;
		len -= (size_t)n;
	}
}

static bool replay_running(const struct replay_server *s)
{
	return s->rt->motion != US_REPLAY_STOPPED;
}

static void attach_client(struct replay_server *s, int listen_fd)
{
	struct gdb_transport transport = { transport_put, s };
	struct gdb_stop stop;
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	s->client = fd;
	gdb_engine_init(&s->engine, us_replay_target_ops(), s->rt, &transport);
	us_replay_target_attach(s->rt, &stop);
	gdb_engine_set_stop(&s->engine, &stop);
}

static void drop_client(struct replay_server *s)
{
	close(s->client);
	s->client = -1;
	if (replay_running(s))
		us_replay_target_interrupt(s->rt); /* the next debugger finds it stopped */
}

static void client_input(struct replay_server *s)
{
	uint8_t buf[READ_CHUNK];
	ssize_t n = read(s->client, buf, sizeof(buf));
	struct gdb_stop stop;
	unsigned events;

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		drop_client(s);
		return;
	}
	events = gdb_engine_input(&s->engine, buf, (size_t)n);
	if ((events & GDB_EVENT_RESUMED) && us_replay_target_pending(s->rt, &stop))
		gdb_engine_report_stop(&s->engine, &stop);
	if (events & GDB_EVENT_INTERRUPT)
		us_replay_target_interrupt(s->rt);
	if (events & (GDB_EVENT_DETACHED | GDB_EVENT_KILLED))
		drop_client(s);
}

/* QEMU is gone: say why, to the user and to a debugger waiting for a stop. */
static void qemu_gone(struct replay_server *s)
{
	char last[512], text[600];
	int n;

	replay_qemu_last_words(s->rs, last, sizeof(last));
	n = snprintf(text, sizeof(text), "uniscope: QEMU ended the replay: %s\n", last);
	fputs(text, stderr);
	if (s->client >= 0 && gdb_engine_running(&s->engine) && n > 0)
		gdb_engine_console_write(&s->engine, text, strlen(text));
	s->done = true;
	s->status = 1;
}

static void qemu_input(struct replay_server *s)
{
	char reply[US_QEMU_GDB_PACKET_MAX + 1];
	struct us_error *err;
	struct gdb_stop stop;
	bool got;

	if ((err = us_qemu_gdb_poll_stop(s->rt->q, reply, sizeof(reply), &got))) {
		us_error_destroy(err);
		qemu_gone(s);
		return;
	}
	if (!got)
		return;
	us_replay_target_stopped(s->rt, reply, &stop);
	if (s->client >= 0)
		gdb_engine_report_stop(&s->engine, &stop);
}

static void read_signal(struct replay_server *s)
{
	struct signalfd_siginfo si;
	struct run_state *rs = s->rs;

	if (read(s->signal_fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo != SIGCHLD) {
		s->done = true;
		s->status = 128 + (int)si.ssi_signo;
	} else if (waitpid(rs->qemu_pid, &rs->qemu_wait_status, WNOHANG) == rs->qemu_pid) {
		rs->qemu_pid = 0;
		qemu_gone(s);
	}
}

/* The replay stopped moving: stop it, and say why (GDB then hears a SIGINT). */
static void stalled(struct replay_server *s)
{
	char text[400];

	snprintf(text, sizeof(text), "uniscope: %s (stopping it)\n", s->rt->problem);
	fputs(text, stderr);
	if (s->client >= 0 && gdb_engine_running(&s->engine))
		gdb_engine_console_write(&s->engine, text, strlen(text));
	us_replay_target_interrupt(s->rt);
}

static void poll_once(struct replay_server *s)
{
	bool running = replay_running(s);
	struct pollfd p[P_COUNT] = {
		[P_SIGNAL] = { s->signal_fd, POLLIN, 0 },
		[P_LISTEN0] = { s->client < 0 && !running ? s->rs->gdb_listen_fd[0] : -1, POLLIN, 0 },
		[P_LISTEN1] = { s->client < 0 && !running ? s->rs->gdb_listen_fd[1] : -1, POLLIN, 0 },
		[P_CLIENT] = { s->client, POLLIN, 0 },
		[P_QEMU] = { running ? us_qemu_gdb_fd(s->rt->q) : -1, POLLIN, 0 },
	};
	bool buffered = running && us_qemu_gdb_buffered(s->rt->q);
	int rc = poll(p, P_COUNT, buffered ? 0 : running ? WATCH_MS : -1);

	if (rc < 0 && errno != EINTR)
		return;
	if (rc == 0 && running && !s->rt->interrupted && !us_replay_target_moving(s->rt))
		stalled(s);
	if (p[P_SIGNAL].revents)
		read_signal(s);
	if (s->done)
		return;
	if (p[P_QEMU].revents || buffered)
		qemu_input(s);
	for (int i = P_LISTEN0; i <= P_LISTEN1; i++)
		if (p[i].revents && s->client < 0)
			attach_client(s, p[i].fd);
	if (p[P_CLIENT].revents && s->client >= 0)
		client_input(s);
}

static void announce(struct replay_server *s)
{
	struct run_state *rs = s->rs;
	char where[300] = "";

	if (rs->gdb_listen_fd[1] >= 0)
		cli_listen_describe(rs->gdb_listen_fd[1], where, sizeof(where));
	fprintf(stderr, "uniscope: replaying %s (%llu instructions) in session '%s'\n", rs->rr->dir,
		(unsigned long long)rs->rr->rec.end_icount, rs->session.name);
	if (where[0])
		fprintf(stderr, "uniscope: debug it with: uniscope gdb %s, or gdb -ex 'target remote "
			"%s' %s\n", rs->session.name, strncmp(where, "tcp:", 4) ? where : where + 4,
			rs->session.image);
	else
		fprintf(stderr, "uniscope: debug it with: uniscope gdb %s\n", rs->session.name);
	if (rs->ready_fd >= 0) { /* --detach: the parent prints the name and returns */
		char ok = 0;
		if (write(rs->ready_fd, &ok, 1) != 1)
			cli_error("cannot tell the caller the replay is up");
		close(rs->ready_fd);
		rs->ready_fd = -1;
		run_detached_quiet(); /* the caller's stderr, kept until now, goes */
	}
}

int replay_serve(struct run_state *rs, struct us_replay_target *rt)
{
	struct replay_server s = { .rs = rs, .rt = rt, .client = -1, .signal_fd = -1 };

	if ((s.signal_fd = run_signal_fd()) < 0)
		return 1;
	announce(&s);
	while (!s.done)
		poll_once(&s);
	if (s.client >= 0)
		close(s.client);
	close(s.signal_fd);
	return s.status == 128 + SIGINT || s.status == 128 + SIGTERM ? 0 : s.status;
}
