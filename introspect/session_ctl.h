/*
 * A session's control socket, SESSION_DIR/ctl.sock (session_ctl.c): how
 * other commands ask the launcher, the one process that speaks the
 * console channel, to send the guest a control message. The protocol has
 * this one owner; the launcher (cli/run_ctl.c) serves it and `top`
 * (tui/control.c) asks through it.
 *
 * A client connects and sends lines; each line gets one line back:
 *
 *	trace-enable 0xMASK    a TRACE_ENABLE control frame with MASK    "ok"
 *	anything else                                  "error: WHAT FAILED"
 *
 * Lines are at most SESSION_CTL_LINE_MAX bytes with their newline.
 */
#ifndef UNISCOPE_SESSION_CTL_H
#define UNISCOPE_SESSION_CTL_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "session.h"

#define SESSION_CTL_LINE_MAX 256

enum session_ctl_kind {
	SESSION_CTL_TRACE_ENABLE,
};

struct session_ctl_request {
	enum session_ctl_kind kind;
	uint64_t trace_mask; /* TRACE_ENABLE */
};

/* Serving: one request line, without its newline. 0, or -1 with *why (static text). */
int session_ctl_parse(const char *line, struct session_ctl_request *req, const char **why);
/* Serving: the answer line, newline included: "ok", or "error: WHY". Its length. */
size_t session_ctl_answer(char *out, size_t cap, const char *why);

/* Asking: sends TRACE_ENABLE with mask and waits up to timeout_ms for the answer. */
struct us_error *session_ctl_trace_enable(const struct session *s, uint64_t mask, int timeout_ms);

#endif
