/*
 * QMP over a unix socket (see qmp.h).
 *
 * QMP sends one JSON object per line. Replies are read into a bounded line
 * buffer with poll() timeouts, so a wedged or hostile QEMU costs at most
 * the timeout, never a hang or unbounded memory.
 */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "qmp.h"
#include "clock.h"

#define QMP_LINE_MAX (1u << 20)

struct us_qmp {
	int fd;
	char *buf;
	size_t used;
};

/* Waits for the fd to be readable before the deadline and reads what is there. */
static struct us_error *qmp_fill(struct us_qmp *q, long long deadline)
{
	struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
	long long left = deadline - (long long)us_now_ms();
	ssize_t n;
	int ready;

	if (q->used >= QMP_LINE_MAX)
		return us_error_create(US_ERR_INVALID, "QMP reply longer than %u bytes", QMP_LINE_MAX);
	/* The deadline holds even while bytes keep coming: a stream of events is no answer. */
	ready = left > 0 ? poll(&pfd, 1, (int)left) : 0;
	if (ready < 0)
		return us_error_errno(errno, "QMP socket");
	if (ready == 0)
		return us_error_create(US_ERR_OTHER, "QEMU did not answer on QMP in time "
				       "(is another QMP client connected?)");
	n = read(q->fd, q->buf + q->used, QMP_LINE_MAX - q->used);
	if (n < 0)
		return us_error_errno(errno, "QMP socket");
	if (n == 0)
		return us_error_create(US_ERR_OTHER, "QEMU closed the QMP connection (did it exit?)");
	q->used += (size_t)n;
	return NULL;
}

/* Next JSON object from QEMU (one line). */
static struct us_error *qmp_read_message(struct us_qmp *q, long long deadline, json_t **out)
{
	struct us_error *err;
	json_error_t jerr;
	char *nl;

	while (!(nl = memchr(q->buf, '\n', q->used)))
		if ((err = qmp_fill(q, deadline)))
			return err;
	*out = json_loadb(q->buf, (size_t)(nl - q->buf), 0, &jerr);
	q->used -= (size_t)(nl + 1 - q->buf);
	memmove(q->buf, nl + 1, q->used);
	if (!*out || !json_is_object(*out)) {
		json_decref(*out);
		return us_error_create(US_ERR_INVALID, "QEMU sent malformed QMP: %s", jerr.text);
	}
	return NULL;
}

static struct us_error *qmp_send(struct us_qmp *q, json_t *msg)
{
	char *text = json_dumps(msg, JSON_COMPACT);
	size_t len, done = 0;

	if (!text)
		return &us_error_nomem;
	len = strlen(text);
	text[len++] = '\n'; /* replaces the NUL: sent by length */
	while (done < len) {
		ssize_t n = send(q->fd, text + done, len - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(text);
			return us_error_errno(errno, "cannot send to QMP");
		}
		done += (size_t)n;
	}
	free(text);
	return NULL;
}

/* Reads until the reply to our command (events are skipped). */
static struct us_error *qmp_await_reply(struct us_qmp *q, const char *command, int timeout_ms,
					json_t **ret)
{
	long long deadline = (long long)us_now_ms() + timeout_ms;
	struct us_error *err;
	json_t *msg, *error;

	for (;;) {
		if ((err = qmp_read_message(q, deadline, &msg)))
			return err;
		if ((error = json_object_get(msg, "error"))) {
			const char *desc = json_string_value(json_object_get(error, "desc"));
			err = us_error_create(US_ERR_OTHER, "QMP '%s' failed: %s", command,
					      desc ? desc : "(no description)");
			json_decref(msg);
			return err;
		}
		if (json_object_get(msg, "return")) {
			*ret = json_incref(json_object_get(msg, "return"));
			json_decref(msg);
			return NULL;
		}
		json_decref(msg); /* an event */
	}
}

struct us_error *us_qmp_execute(struct us_qmp *q, const char *command, const char *arguments,
				int timeout_ms, char **result)
{
	json_t *msg = json_pack("{s:s}", "execute", command), *args = NULL, *ret = NULL;
	struct us_error *err = NULL;
	json_error_t jerr;

	if (!msg)
		return &us_error_nomem;
	if (arguments && !(args = json_loads(arguments, 0, &jerr)))
		err = us_error_create(US_ERR_USAGE, "bad QMP arguments for '%s': %s", command, jerr.text);
	if (!err && args)
		json_object_set_new(msg, "arguments", args);
	if (!err)
		err = qmp_send(q, msg);
	if (!err)
		err = qmp_await_reply(q, command, timeout_ms, &ret);
	if (!err && result && !(*result = json_dumps(ret, JSON_COMPACT | JSON_ENCODE_ANY)))
		err = &us_error_nomem;
	json_decref(ret);
	json_decref(msg);
	return err;
}

static struct us_error *qmp_execute_json(struct us_qmp *q, const char *command, json_t *args,
					 json_t **ret)
{
	json_t *msg = json_pack("{s:s}", "execute", command);
	struct us_error *err;

	if (!msg)
		return &us_error_nomem;
	if (args)
		json_object_set(msg, "arguments", args);
	err = qmp_send(q, msg);
	if (!err)
		err = qmp_await_reply(q, command, US_QMP_TIMEOUT_MS, ret);
	json_decref(msg);
	return err;
}

struct us_error *us_qmp_query_running(struct us_qmp *q, bool *running)
{
	struct us_error *err;
	json_t *ret;

	if ((err = qmp_execute_json(q, "query-status", NULL, &ret)))
		return err;
	*running = json_is_true(json_object_get(ret, "running"));
	json_decref(ret);
	return NULL;
}

struct us_error *us_qmp_query_status(struct us_qmp *q, char *status, size_t cap)
{
	struct us_error *err;
	json_t *ret;
	const char *s;

	if ((err = qmp_execute_json(q, "query-status", NULL, &ret)))
		return err;
	s = json_string_value(json_object_get(ret, "status"));
	snprintf(status, cap, "%s", s ? s : "");
	json_decref(ret); /* s went with it: status holds the copy */
	return cap && status[0] ? NULL : us_error_create(US_ERR_INVALID, "QMP query-status returned no status");
}

struct us_error *us_qmp_query_replay_icount(struct us_qmp *q, uint64_t *icount)
{
	struct us_error *err;
	json_t *ret, *n;

	if ((err = qmp_execute_json(q, "query-replay", NULL, &ret)))
		return err;
	n = json_object_get(ret, "icount");
	if (json_is_integer(n) && json_integer_value(n) >= 0)
		*icount = (uint64_t)json_integer_value(n);
	else
		err = us_error_create(US_ERR_INVALID, "QMP query-replay returned no icount");
	json_decref(ret);
	return err;
}

struct us_error *us_qmp_hmp(struct us_qmp *q, const char *command_line, char **text)
{
	json_t *args = json_pack("{s:s}", "command-line", command_line), *ret = NULL;
	struct us_error *err;

	if (!args)
		return &us_error_nomem;
	err = qmp_execute_json(q, "human-monitor-command", args, &ret);
	json_decref(args);
	if (err)
		return err;
	if (!json_is_string(ret))
		err = us_error_create(US_ERR_INVALID, "QMP human-monitor-command returned no text");
	else if (!(*text = strdup(json_string_value(ret))))
		err = &us_error_nomem;
	json_decref(ret);
	return err;
}

static struct us_error *qmp_handshake(struct us_qmp *q)
{
	struct us_error *err;
	json_t *greeting, *ret = NULL;

	if ((err = qmp_read_message(q, (long long)us_now_ms() + US_QMP_TIMEOUT_MS, &greeting)))
		return err;
	if (!json_object_get(greeting, "QMP")) {
		json_decref(greeting);
		return us_error_create(US_ERR_INVALID, "no QMP greeting (is this QEMU's QMP socket?)");
	}
	json_decref(greeting);
	err = qmp_execute_json(q, "qmp_capabilities", NULL, &ret);
	json_decref(ret);
	return err;
}

struct us_error *us_qmp_connect(const char *socket_path, struct us_qmp **out)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct us_qmp *q;
	struct us_error *err;

	if (strlen(socket_path) >= sizeof(addr.sun_path))
		return us_error_create(US_ERR_USAGE, "'%s': socket path too long", socket_path);
	strcpy(addr.sun_path, socket_path);
	if (!(q = calloc(1, sizeof(*q))) || !(q->buf = malloc(QMP_LINE_MAX))) {
		free(q);
		return &us_error_nomem;
	}
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0 || connect(q->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		err = us_error_errno(errno, "cannot connect to '%s' (is QEMU still running?)",
				     socket_path);
		us_qmp_close(q);
		return err;
	}
	if ((err = qmp_handshake(q))) {
		us_qmp_close(q);
		return err;
	}
	*out = q;
	return NULL;
}

void us_qmp_close(struct us_qmp *q)
{
	if (!q)
		return;
	if (q->fd >= 0)
		close(q->fd);
	free(q->buf);
	free(q);
}
