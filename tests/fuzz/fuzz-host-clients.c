/*
 * libFuzzer target for the host's clients of sockets another process
 * serves: QMP (introspect/qmp.c: `uniscope run`, ls, stop, record and
 * replay ask QEMU through it), QEMU's gdbstub (qemu_gdb.c: record and
 * replay run the vCPU through it) and the session's control socket
 * (session_ctl.c: `top` asks the launcher through it). A server thread
 * plays the peer: it sends the input's bytes, closes its side for writing
 * and reads what the client sends until the client leaves.
 *
 * Byte 0 modulo 3 chooses:
 *	0  QEMU's side of QMP for a handshake and then query-status,
 *	   query-status (running), query-replay and one HMP command;
 *	1  the launcher's answer to one trace-enable;
 *	2  QEMU's gdbstub for a command, 'g' (a register), 'm' (a read), a
 *	   monitor command, a resume, polls for its stop reply and a wait for
 *	   the next, each stop reply taken apart.
 * Each reads the next replies. Results must be well formed (a status
 * string within its buffer, HMP text, NUL-terminated replies); no input
 * may hang, crash or leak.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../introspect/qemu_gdb.h"
#include "../../introspect/qmp.h"
#include "../../introspect/session_ctl.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static char dir[64];
static int listen_fd[3] = { -1, -1, -1 }; /* qmp.sock, ctl.sock, gdb.sock */
static const uint8_t *peer_bytes;
static size_t peer_len;
static sem_t connection_done;

static const char *const socket_names[3] = { "qmp.sock", "ctl.sock", "gdb.sock" };

static void socket_path(int which, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", dir, socket_names[which]);
}

/* One connection per input, on the socket the input chose (the other one's accept waits). */
static void serve(int fd)
{
	char drain[4096];
	size_t done = 0;

	/* libFuzzer's SIGALRM (its -timeout) interrupts system calls: EINTR is no end */
	while (done < peer_len) {
		ssize_t n = send(fd, peer_bytes + done, peer_len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	for (ssize_t n; (n = read(fd, drain, sizeof(drain))) > 0 || (n < 0 && errno == EINTR);)
		;
	close(fd);
}

static void *server(void *arg)
{
	int which = (int)(intptr_t)arg;

	for (;;) {
		int fd = accept(listen_fd[which], NULL, NULL);
		if (fd < 0)
			continue;
		serve(fd);
		sem_post(&connection_done);
	}
	return NULL;
}

static void remove_dir(void)
{
	char path[128];

	for (int i = 0; i < 3; i++) {
		socket_path(i, path, sizeof(path));
		unlink(path);
	}
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	snprintf(dir, sizeof(dir), "/tmp/fuzz-host-clients.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	atexit(remove_dir);
	signal(SIGPIPE, SIG_IGN); /* as top and run do */
	sem_init(&connection_done, 0, 0);
	for (int i = 0; i < 3; i++) {
		struct sockaddr_un addr = { .sun_family = AF_UNIX };
		pthread_t thread;
		socket_path(i, addr.sun_path, sizeof(addr.sun_path));
		listen_fd[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CHECK(listen_fd[i] >= 0 && bind(listen_fd[i], (struct sockaddr *)&addr, sizeof(addr)) == 0);
		CHECK(listen(listen_fd[i], 1) == 0);
		CHECK(pthread_create(&thread, NULL, server, (void *)(intptr_t)i) == 0);
		pthread_detach(thread);
	}
	return 0;
}

static bool failed(struct us_error *err)
{
	us_error_destroy(err);
	return err != NULL;
}

static void ask_qemu(void)
{
	char path[128], status[32];
	struct us_qmp *q;
	uint64_t icount;
	bool running;
	char *text;

	socket_path(0, path, sizeof(path));
	if (failed(us_qmp_connect(path, &q)))
		return;
	if (!failed(us_qmp_query_status(q, status, sizeof(status))))
		CHECK(memchr(status, 0, sizeof(status)) && status[0]);
	failed(us_qmp_query_running(q, &running));
	failed(us_qmp_query_replay_icount(q, &icount));
	if (!failed(us_qmp_hmp(q, "info registers", &text))) {
		CHECK(text);
		free(text);
	}
	us_qmp_close(q);
}

static void ask_launcher(void)
{
	struct session s = { 0 };

	snprintf(s.dir, sizeof(s.dir), "%s", dir);
	failed(session_ctl_trace_enable(&s, 0x5, 1000));
}

static void check_stop(const char *reply)
{
	struct us_qemu_stop stop;

	CHECK(memchr(reply, 0, US_QEMU_GDB_PACKET_MAX + 1));
	if (us_qemu_gdb_parse_stop(reply, &stop))
		CHECK(strchr("TSWX", stop.kind) && stop.kind && memchr(stop.watch, 0, sizeof(stop.watch)));
}

static void ask_gdbstub(void)
{
	char path[128], reply[US_QEMU_GDB_PACKET_MAX + 1], text[512];
	struct us_qemu_gdb *q;
	uint8_t bytes[64];
	uint64_t rip;
	bool got = false;

	socket_path(2, path, sizeof(path));
	if (failed(us_qemu_gdb_connect(path, &q)))
		return;
	if (!failed(us_qemu_gdb_command(q, "qAttached", reply, sizeof(reply))))
		CHECK(memchr(reply, 0, sizeof(reply)));
	failed(us_qemu_gdb_register(q, 16, &rip));
	failed(us_qemu_gdb_read(q, 0x1000, bytes, sizeof(bytes)));
	if (!failed(us_qemu_gdb_monitor(q, "info replay", text, sizeof(text))))
		CHECK(memchr(text, 0, sizeof(text)));
	if (!failed(us_qemu_gdb_resume(q, "c"))) {
		/* as replay's loop does: poll while bytes are buffered or come (EOF ends it) */
		for (int i = 0; i < 64 && !got; i++) {
			struct pollfd p = { .fd = us_qemu_gdb_fd(q), .events = POLLIN };
			if (!us_qemu_gdb_buffered(q) && poll(&p, 1, 1000) <= 0)
				break;
			if (failed(us_qemu_gdb_poll_stop(q, reply, sizeof(reply), &got)))
				break;
		}
		if (got)
			check_stop(reply);
		if (!failed(us_qemu_gdb_wait_stop(q, 1000, reply, sizeof(reply))))
			check_stop(reply);
	}
	us_qemu_gdb_close(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	peer_bytes = data + 1;
	peer_len = size - 1;
	switch (data[0] % 3) {
	case 0: ask_qemu(); break;
	case 1: ask_launcher(); break;
	case 2: ask_gdbstub(); break;
	}
	/* the client has closed its end: the server's drain ends, and the input is free */
	while (sem_wait(&connection_done) < 0)
		CHECK(errno == EINTR); /* never restarted after a signal, SA_RESTART or not */
	return 0;
}
