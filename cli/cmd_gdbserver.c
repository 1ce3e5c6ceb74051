/*
 * uniscope gdbserver TARGET [--listen ADDR] [--keep]: GDB's remote
 * protocol served from the host over introspection (introspect/
 * gdbtarget.h), so an image with no stub in it (DEBUG=off), a live
 * session or a core file can be debugged with stock GDB.
 *
 * One debugger at a time. Attaching pauses a live VM; `continue` resumes
 * it and the server then watches, every WATCH_MS, for Ctrl-C from GDB, the
 * guest dying (its panic record fills) or the session ending. Detaching,
 * GDB vanishing, or a signal to the server leave the VM running. Without
 * --keep the server exits when its debugger leaves.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "cli.h"
#include "introspect_cli.h"
#include "introspect/uniscope.h"

#define DEFAULT_LISTEN "tcp:127.0.0.1:1234"
#define WATCH_MS 200
#define READ_CHUNK 4096

struct server {
	struct us_gdb_target g;
	struct gdb_engine engine;
	const char *spec;
	int client;
	bool keep;
	bool session_ended;
};

static volatile sig_atomic_t quit_signal;

static void on_quit_signal(int sig)
{
	quit_signal = sig;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_quit_signal }; /* no SA_RESTART: poll returns */

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void transport_put(void *ctx, const void *buf, size_t len)
{
	struct server *s = ctx;
	const char *p = buf;

	while (s->client >= 0 && len > 0) {
		ssize_t n = write(s->client, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* GDB went away: the read side notices */
		p += n;
		len -= (size_t)n;
	}
}

/* ---- stops ------------------------------------------------------------ */

static void stop_and_report(struct server *s, int signal)
{
	struct us_error *err = us_gdb_target_stop(&s->g);
	struct gdb_stop stop;

	if (err)
		cli_report(err);
	us_gdb_target_stop_reply(&s->g, signal, &stop);
	gdb_engine_report_stop(&s->engine, &stop);
}

static bool session_gone(const struct server *s)
{
	const char *spec = strncmp(s->spec, "qemu:", 5) ? s->spec : s->spec + 5;
	struct session session;

	return session_load(spec, &session) < 0 || !session_alive(&session);
}

/* The VM ended under a running GDB: exited, or killed by its death. */
static void report_end(struct server *s)
{
	struct gdb_stop stop = { .kind = GDB_STOP_EXITED };

	s->session_ended = true;
	s->g.live = false;
	s->g.paused = false;
	if (us_gdb_target_died(&s->g)) {
		us_gdb_target_stop(&s->g); /* the panic record is still in the mapping */
		us_gdb_target_stop_reply(&s->g, GDB_SIGNAL_KILL, &stop);
		stop.kind = GDB_STOP_TERMINATED;
	}
	gdb_engine_report_stop(&s->engine, &stop);
}

/* While the VM runs: did it die, or end? */
static void watch(struct server *s)
{
	if (s->g.live && !s->session_ended && session_gone(s))
		report_end(s);
	else if (us_gdb_target_died(&s->g))
		stop_and_report(s, GDB_SIGNAL_SEGV); /* the panic record's signal wins */
}

/* ---- one debugger ----------------------------------------------------- */

static int attach(struct server *s)
{
	struct gdb_transport transport = { transport_put, s };
	struct us_error *err;
	struct gdb_stop stop;

	gdb_engine_init(&s->engine, &us_gdb_target_ops, &s->g, &transport);
	if ((err = us_gdb_target_stop(&s->g)))
		return cli_report(err);
	us_gdb_target_stop_reply(&s->g, GDB_SIGNAL_TRAP, &stop);
	gdb_engine_set_stop(&s->engine, &stop);
	if (s->g.problem[0])
		cli_error("warning: %s", s->g.problem);
	return 0;
}

/* Returns false when the debugger is gone. */
static bool client_input(struct server *s)
{
	uint8_t buf[READ_CHUNK];
	ssize_t n = read(s->client, buf, sizeof(buf));
	unsigned events;

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	events = gdb_engine_input(&s->engine, buf, (size_t)n);
	if (events & GDB_EVENT_INTERRUPT)
		stop_and_report(s, GDB_SIGNAL_INT);
	return !(events & (GDB_EVENT_DETACHED | GDB_EVENT_KILLED));
}

static void serve_client(struct server *s)
{
	if (attach(s))
		return;
	while (!quit_signal) {
		bool running = gdb_engine_running(&s->engine);
		struct pollfd p = { .fd = s->client, .events = POLLIN };
		int rc = poll(&p, 1, running ? WATCH_MS : -1);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc == 0 && running)
			watch(s);
		if (rc > 0 && !client_input(s))
			break;
	}
	us_error_destroy(us_gdb_target_release(&s->g)); /* never leave the VM stopped */
}

static int serve(struct server *s, int listen_fd)
{
	do {
		s->client = cli_accept(listen_fd, SOCK_CLOEXEC);
		if (s->client < 0) {
			if ((errno == EINTR || errno == EACCES) && !quit_signal)
				continue; /* EACCES: another user's connection, closed */
			return quit_signal ? 0 : cli_error("gdbserver: accept: %s", strerror(errno));
		}
		serve_client(s);
		close(s->client);
		s->client = -1;
	} while (s->keep && !quit_signal && !s->session_ended);
	return 0;
}

/* ---- the command ------------------------------------------------------ */

/* Takes --listen ADDR, --allow-remote and --keep out of argv (in place). */
static int take_options(int *argc, char **argv, const char **listen, bool *keep)
{
	bool allow_remote = false;
	int kept = 1, loopback;

	for (int i = 1; i < *argc; i++) {
		if (!strcmp(argv[i], "--listen")) {
			if (i + 1 >= *argc)
				return cli_error("gdbserver: --listen needs tcp:HOST:PORT or unix:PATH");
			*listen = argv[++i];
		} else if (!strncmp(argv[i], "--listen=", 9)) {
			*listen = argv[i] + 9;
		} else if (!strcmp(argv[i], "--keep")) {
			*keep = true;
		} else if (!strcmp(argv[i], "--allow-remote")) {
			allow_remote = true;
		} else {
			argv[kept++] = argv[i];
		}
	}
	*argc = kept;
	if ((loopback = cli_listen_is_loopback(*listen)) < 0)
		return cli_error("gdbserver: '%s' is not an address to listen on (tcp:HOST:PORT or unix:PATH)",
				 *listen);
	if (!loopback && !allow_remote)
		return cli_error("gdbserver: '%s' listens beyond this machine, where anyone who reaches the "
				 "port controls the target (add --allow-remote if that is meant)", *listen);
	if (!loopback)
		fprintf(stderr, "uniscope: warning: gdbserver on '%s' is open to other machines, with no "
			"authentication\n", *listen);
	return 0;
}

static void announce(struct server *s, int listen_fd)
{
	const char *image = us_target_image(s->g.t);
	char where[300];

	cli_listen_describe(listen_fd, where, sizeof(where));
	fprintf(stderr, "uniscope: gdbserver for '%s' (%s, %s) listening on %s\n",
		us_target_name(s->g.t), us_target_kind(s->g.t), s->g.live ? "live" : "read-only",
		where);
	fprintf(stderr, "uniscope: connect with: gdb -ex 'target remote %s' %s\n",
		strncmp(where, "tcp:", 4) ? where : where + 4, image ? image : "IMAGE");
}

int cmd_gdbserver(int argc, char **argv)
{
	const char *addr = DEFAULT_LISTEN;
	struct cli_target_args a;
	struct server *s = calloc(1, sizeof(*s));
	int status, listen_fd = -1;

	if (!s)
		return cli_error("out of memory");
	if (take_options(&argc, argv, &addr, &s->keep) ||
	    (status = cli_target_parse(argc, argv, &a, 1, 1))) {
		free(s);
		return cli_usage("gdbserver");
	}
	s->spec = a.positional[0];
	s->client = -1;
	status = 1;
	catch_signals();
	if ((s->g.t = cli_target_open(&a)) && !cli_listen(addr, &listen_fd)) {
		us_gdb_target_init(&s->g, s->g.t);
		announce(s, listen_fd);
		status = serve(s, listen_fd);
		close(listen_fd);
		if (!strncmp(addr, "unix:", 5))
			unlink(addr + 5);
	}
	us_gdb_target_fini(&s->g);
	us_target_close(s->g.t);
	free(s);
	return status;
}
