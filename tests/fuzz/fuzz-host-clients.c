/*
 * libFuzzer target for the host's clients of sockets another process
 * serves: QMP (introspect/qmp.c: `uniscope run`, ls, stop, record and
 * replay ask QEMU through it) and the session's control socket
 * (introspect/session_ctl.c: `top` asks the launcher through it). A server
 * thread plays the peer: it sends the input's bytes, closes its side for
 * writing and reads what the client sends until the client leaves.
 *
 * Byte 0 chooses: even, QEMU's side of QMP for a handshake and then
 * query-status, query-status (running), query-replay and one HMP command,
 * each reading the next replies; odd, the launcher's answer to one
 * trace-enable. Results must be well formed (a status string within its
 * buffer, HMP text); no input may hang, crash or leak.
 */
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

#include "../../introspect/qmp.h"
#include "../../introspect/session_ctl.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static char dir[64];
static int listen_fd[2] = { -1, -1 }; /* qmp.sock, ctl.sock */
static const uint8_t *peer_bytes;
static size_t peer_len;
static sem_t connection_done;

static const char *const socket_names[2] = { "qmp.sock", "ctl.sock" };

static void socket_path(int which, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", dir, socket_names[which]);
}

/* One connection per input, on the socket the input chose (the other one's accept waits). */
static void serve(int fd)
{
	char drain[4096];
	size_t done = 0;

	while (done < peer_len) {
		ssize_t n = send(fd, peer_bytes + done, peer_len - done, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	while (read(fd, drain, sizeof(drain)) > 0)
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

	for (int i = 0; i < 2; i++) {
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
	for (int i = 0; i < 2; i++) {
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	peer_bytes = data + 1;
	peer_len = size - 1;
	if (data[0] & 1)
		ask_launcher();
	else
		ask_qemu();
	/* the client has closed its end: the server's drain ends, and the input is free */
	sem_wait(&connection_done);
	return 0;
}
