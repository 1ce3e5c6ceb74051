/*
 * What keys ask of a source beyond reading it: a thread's backtrace
 * (Enter), trace events on and off in the guest (`e`), and the command
 * line of a GDB on the image (`g`).
 *
 * Tracing is switched by the guest itself, on a TRACE_ENABLE control frame
 * (include/uniscope/chan.h). Only the session's `uniscope run` speaks the
 * channel, so the request goes to its control socket, SESSION_DIR/ctl.sock
 * (introspect/session_ctl.h). The mask in force is read back from guest
 * memory.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "introspect/uniscope.h"
#include "tui.h"

#define CTL_REPLY_TIMEOUT_MS 3000
#define BT_TEXT_MAX (US_MAX_FRAMES * 200 + 512)

/* ---- backtraces ------------------------------------------------------------------ */

static void append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len = *len + (size_t)n < cap ? *len + (size_t)n : cap - 1;
}

static char *format_backtrace(const struct us_thread *th, const struct us_backtrace *bt,
			       const char *waits_on)
{
	char *buf = malloc(BT_TEXT_MAX);
	size_t len = 0;

	if (!buf)
		return NULL;
	buf[0] = 0;
	append(buf, BT_TEXT_MAX, &len, "thread %u \"%s\" (%s, %s)\n", th->id, th->name,
	       us_thread_state_name(th->state), us_wait_reason_name(th->wait_reason));
	if (waits_on[0])
		append(buf, BT_TEXT_MAX, &len, "waits for %s\n", waits_on);
	append(buf, BT_TEXT_MAX, &len, "\n");
	for (size_t i = 0; i < bt->count; i++) {
		char line[US_FRAME_LINE_MAX];

		append(buf, BT_TEXT_MAX, &len, "%s\n", us_frame_line(i, &bt->frames[i], line, sizeof(line)));
	}
	if (bt->stopped[0])
		append(buf, BT_TEXT_MAX, &len, "(backtrace stopped: %s)\n", bt->stopped);
	if (th->note[0])
		append(buf, BT_TEXT_MAX, &len, "(%s)\n", th->note);
	return buf;
}

/* threads[i]'s wait object and owner (introspect/waits.c), or "". */
static void describe_wait(struct tui_source *s, const struct us_thread *threads, size_t n, size_t i,
			  char *buf, size_t cap)
{
	struct us_wait *waits = calloc(n, sizeof(*waits));

	if (!waits)
		return;
	us_target_waits(s->target, threads, n, waits);
	us_wait_describe(&waits[i], threads, buf, cap);
	free(waits);
}

/* A live guest is paused for a moment so that the stack does not move under the walk. */
int tui_source_backtrace(struct tui_source *s, uint32_t tid, char **text, char *msg, size_t cap)
{
	static struct us_backtrace bt;
	struct us_thread *threads = NULL;
	char waits_on[256] = "";
	struct us_error *err;
	bool paused = false;
	size_t n = 0, i;

	*text = NULL;
	if (!s->target)
		return snprintf(msg, cap, "no backtraces in a trace replay (open the session or a core)"), -1;
	if (s->kind == TUI_LIVE) {
		err = us_target_pause(s->target);
		paused = !err;
		us_error_destroy(err);
	}
	err = us_target_threads(s->target, &threads, &n);
	for (i = 0; i < n && threads[i].id != tid; i++)
		;
	if (i < n) {
		us_target_backtrace(s->target, &threads[i], &bt);
		describe_wait(s, threads, n, i, waits_on, sizeof(waits_on));
	}
	if (paused)
		us_error_destroy(us_target_resume(s->target));
	if (i < n)
		*text = format_backtrace(&threads[i], &bt, waits_on);
	else
		snprintf(msg, cap, "thread %u: %s", tid, err ? err->message : "no such thread any more");
	us_error_destroy(err);
	free(threads);
	if (i < n && !*text)
		snprintf(msg, cap, "out of memory");
	return *text ? 0 : -1;
}

/* ---- trace on/off ------------------------------------------------------------------ */

/* How long a request may take to reach the guest before its memory is believed again
 * (tui_source_trace_mask, source.c). */
#define MASK_PENDING_MS 5000

int tui_source_toggle_trace(struct tui_source *s, struct tui_model *m, char *msg, size_t cap)
{
	struct us_error *err;
	uint64_t mask, next;

	if (s->kind != TUI_LIVE || !s->have_session)
		return snprintf(msg, cap, "tracing is switched in a live session only"), -1;
	if (tui_source_trace_mask(s, &mask) < 0)
		return snprintf(msg, cap, "cannot read the guest's trace mask"), -1;
	if (mask)
		s->saved_mask = mask;
	next = mask ? 0 : s->saved_mask ? s->saved_mask : UNISCOPE_TRACE_DEFAULT_MASK;
	if ((err = session_ctl_trace_enable(&s->session, next, CTL_REPLY_TIMEOUT_MS))) {
		snprintf(msg, cap, "trace events not switched: %s", err->message);
		us_error_destroy(err);
		return -1;
	}
	s->mask_pending = true;
	s->pending_mask = next;
	s->pending_until_ms = tui_now_ms() + MASK_PENDING_MS;
	m->status.trace_enabled = next != 0;
	m->dirty = true;
	if (next)
		snprintf(msg, cap, "trace events on (mask 0x%llx)", (unsigned long long)next);
	else
		snprintf(msg, cap, "trace events off (e turns them on again)");
	return 0;
}

/* ---- GDB ------------------------------------------------------------------------------ */

int tui_source_gdb_argv(struct tui_source *s, const char **argv, size_t max, char *buf,
			size_t buf_cap, char *msg, size_t cap)
{
	const char *image = s->have_session ? s->session.image : s->target ? us_target_image(s->target) : NULL;
	size_t n = 0;

	if (max < 6)
		return snprintf(msg, cap, "internal error: argv too small"), -1;
	if (s->kind == TUI_REPLAY)
		return snprintf(msg, cap, "GDB needs a live session or a core, not a trace replay"), -1;
	if (!image || !*image)
		return snprintf(msg, cap, "GDB needs the image: give it with --image"), -1;
	if (s->kind == TUI_LIVE && !s->have_session)
		return snprintf(msg, cap, "GDB attaches to sessions started by uniscope run"), -1;
	argv[n++] = "gdb";
	argv[n++] = "-q";
	if (s->kind == TUI_LIVE) {
		snprintf(buf, buf_cap, "target remote %s/gdb.sock", s->session.dir);
		argv[n++] = "-ex";
		argv[n++] = buf;
		argv[n++] = image;
	} else {
		argv[n++] = image;
		argv[n++] = s->spec;
	}
	argv[n] = NULL;
	return 0;
}
