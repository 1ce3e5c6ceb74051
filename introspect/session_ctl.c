/*
 * Both ends of the control socket's line protocol (session_ctl.h): the
 * request a launcher parses and answers, and the request a command sends
 * and whose answer it reads, bounded in length and in time.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "session_ctl.h"
#include "clock.h"

#define TRACE_ENABLE "trace-enable "

int session_ctl_parse(const char *line, struct session_ctl_request *req, const char **why)
{
	const char *arg = line + strlen(TRACE_ENABLE);
	char *end;

	if (strncmp(line, TRACE_ENABLE, strlen(TRACE_ENABLE))) {
		*why = "unknown request (try: trace-enable 0xMASK)";
		return -1;
	}
	errno = 0;
	req->kind = SESSION_CTL_TRACE_ENABLE;
	req->trace_mask = strtoull(arg, &end, 0);
	if (end == arg || *end || errno || *arg == '-') {
		*why = "trace-enable takes a mask, e.g. trace-enable 0xfffffffffffff7fe";
		return -1;
	}
	return 0;
}

size_t session_ctl_answer(char *out, size_t cap, const char *why)
{
	int n = why ? snprintf(out, cap, "error: %s\n", why) : snprintf(out, cap, "ok\n");

	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

static struct us_error *connect_ctl(const struct session *s, int *fd)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if ((size_t)snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/ctl.sock", s->dir) >=
	    sizeof(addr.sun_path))
		return us_error_create(US_ERR_INVALID, "the session directory's path is too long for a socket");
	*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0 || connect(*fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int saved = errno;
		if (*fd >= 0)
			close(*fd);
		return us_error_errno(saved, "cannot reach %s (is the session's uniscope run current?)",
				      addr.sun_path);
	}
	return NULL;
}

/* The answer line, without its newline, within timeout_ms in all (a trickle too). */
static struct us_error *read_answer(int fd, char *answer, size_t cap, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	long long deadline = (long long)us_now_ms() + timeout_ms, left;
	size_t len = 0;

	while (len + 1 < cap && !memchr(answer, '\n', len) && (left = deadline - (long long)us_now_ms()) > 0 &&
	       poll(&p, 1, (int)left) > 0) {
		ssize_t n = read(fd, answer + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	answer[len] = 0;
	answer[strcspn(answer, "\n")] = 0;
	return len ? NULL : us_error_create(US_ERR_OTHER, "no answer from the session's control socket");
}

static struct us_error *request(const struct session *s, const char *line, int timeout_ms)
{
	char answer[SESSION_CTL_LINE_MAX];
	struct us_error *err;
	int fd = -1;

	if ((err = connect_ctl(s, &fd)))
		return err;
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		err = us_error_errno(errno, "cannot write to the session's control socket");
	else if (!(err = read_answer(fd, answer, sizeof(answer), timeout_ms)) && strcmp(answer, "ok"))
		err = us_error_create(US_ERR_OTHER, "%s", strncmp(answer, "error: ", 7) ? answer : answer + 7);
	close(fd);
	return err;
}

struct us_error *session_ctl_trace_enable(const struct session *s, uint64_t mask, int timeout_ms)
{
	char line[64];

	snprintf(line, sizeof(line), TRACE_ENABLE "0x%llx\n", (unsigned long long)mask);
	return request(s, line, timeout_ms);
}
