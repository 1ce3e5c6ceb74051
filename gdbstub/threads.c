/*
 * Threads: H, T, qC, qfThreadInfo/qsThreadInfo, qThreadExtraInfo and the
 * qXfer:threads document.
 *
 * The target lists its threads by index (list_threads(first, max)), one
 * chunk at a time, so neither side ever needs the whole list in memory.
 * The list is stable while the target is stopped, which is the only time
 * GDB walks it. Every walk stops at GDB_MAX_THREADS, whatever the target
 * claims, and ids <= 0 are skipped: those mean "any" and "all" to GDB.
 */
#include "internal.h"

/* One chunk of ids from index `first`; 0 at the end of the list. */
static size_t list_chunk(struct gdb_engine *e, size_t first)
{
	size_t n;

	if (!e->ops->list_threads || first >= GDB_MAX_THREADS)
		return 0;
	n = e->ops->list_threads(e->target_ctx, first, e->tids, GDB_THREAD_CHUNK);
	return n < GDB_THREAD_CHUNK ? n : GDB_THREAD_CHUNK;
}

int64_t gdb_first_thread(struct gdb_engine *e)
{
	size_t n = list_chunk(e, 0);

	for (size_t i = 0; i < n; i++)
		if (e->tids[i] > 0)
			return e->tids[i];
	return 0;
}

/* The thread a register access means: the selected one, else the stopped one. */
int64_t gdb_resolve_tid(struct gdb_engine *e, int64_t selected)
{
	if (selected > 0)
		return selected;
	if (e->stop.tid > 0)
		return e->stop.tid;
	return gdb_first_thread(e);
}

static bool listed(struct gdb_engine *e, int64_t tid)
{
	size_t first = 0, n;

	while ((n = list_chunk(e, first)) > 0) {
		for (size_t i = 0; i < n; i++)
			if (e->tids[i] == tid)
				return true;
		first += n;
	}
	return false;
}

/* A target without a thread list has one implicit thread: any id will do. */
bool gdb_thread_exists(struct gdb_engine *e, int64_t tid)
{
	if (tid <= 0)
		return false;
	if (e->ops->thread_alive)
		return e->ops->thread_alive(e->target_ctx, tid);
	if (e->ops->list_threads)
		return listed(e, tid);
	return true;
}

/* The target's answer, NUL-terminated whatever it wrote. */
bool gdb_thread_info(struct gdb_engine *e, int64_t tid, struct gdb_thread_info *info)
{
	memset(info, 0, sizeof(*info));
	info->core = -1;
	if (!e->ops->thread_info || e->ops->thread_info(e->target_ctx, tid, info) < 0)
		return false;
	info->name[sizeof(info->name) - 1] = '\0';
	info->state[sizeof(info->state) - 1] = '\0';
	return true;
}

/* "Hg TID" selects the thread for registers, "Hc TID" for c and s. */
unsigned gdb_cmd_set_thread(struct gdb_engine *e, struct gdb_cursor *args)
{
	bool general = gdb_parse_char(args, 'g');
	bool cont = !general && gdb_parse_char(args, 'c');
	int64_t tid;

	if (!(general || cont) || !gdb_parse_tid(args, &tid) || !gdb_cursor_done(args)) {
		gdb_send_error(e, GDB_ERR_INVALID);
		return GDB_EVENT_NONE;
	}
	if (tid > 0 && !gdb_thread_exists(e, tid)) {
		gdb_send_error(e, GDB_ERR_NO_THREAD);
		return GDB_EVENT_NONE;
	}
	if (general)
		e->general_tid = tid;
	else
		e->continue_tid = tid;
	gdb_send_ok(e);
	return GDB_EVENT_NONE;
}

unsigned gdb_cmd_thread_alive(struct gdb_engine *e, struct gdb_cursor *args)
{
	int64_t tid;

	if (gdb_parse_tid(args, &tid) && gdb_cursor_done(args) && gdb_thread_exists(e, tid))
		gdb_send_ok(e);
	else
		gdb_send_error(e, GDB_ERR_NO_THREAD);
	return GDB_EVENT_NONE;
}

unsigned gdb_cmd_current_thread(struct gdb_engine *e, struct gdb_cursor *args)
{
	int64_t tid = gdb_resolve_tid(e, e->general_tid);

	(void)args;
	if (tid <= 0) {
		gdb_send_empty(e); /* no threads: GDB makes up its own */
		return GDB_EVENT_NONE;
	}
	gdb_reply_begin(e);
	gdb_reply_str(e, "QC");
	gdb_reply_tid(e, tid);
	gdb_reply_send(e);
	return GDB_EVENT_NONE;
}

/* Append the chunk's valid ids, comma-separated; false if it had none. */
static bool reply_tid_chunk(struct gdb_engine *e, size_t n)
{
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		if (e->tids[i] <= 0)
			continue;
		if (any)
			gdb_reply_str(e, ",");
		gdb_reply_tid(e, e->tids[i]);
		any = true;
	}
	return any;
}

/* "m id,id,..." for the next chunk holding a valid id, "l" past the end. */
static unsigned send_thread_chunk(struct gdb_engine *e)
{
	size_t n;

	gdb_reply_begin(e);
	gdb_reply_str(e, "m");
	while ((n = list_chunk(e, e->thread_cursor)) > 0) {
		e->thread_cursor += n;
		if (reply_tid_chunk(e, n)) {
			gdb_reply_send(e);
			return GDB_EVENT_NONE;
		}
	}
	gdb_send_str(e, "l");
	return GDB_EVENT_NONE;
}

unsigned gdb_cmd_thread_list_first(struct gdb_engine *e, struct gdb_cursor *args)
{
	(void)args;
	e->thread_cursor = 0;
	return send_thread_chunk(e);
}

unsigned gdb_cmd_thread_list_next(struct gdb_engine *e, struct gdb_cursor *args)
{
	(void)args;
	return send_thread_chunk(e);
}

/* Hex-encoded "NAME, STATE", shown by GDB in parentheses after the thread. */
unsigned gdb_cmd_thread_extra_info(struct gdb_engine *e, struct gdb_cursor *args)
{
	struct gdb_thread_info info;
	size_t name_len, state_len;
	int64_t tid;

	if (!gdb_parse_tid(args, &tid) || !gdb_cursor_done(args) || tid <= 0 ||
	    !gdb_thread_info(e, tid, &info)) {
		gdb_send_empty(e); /* GDB hex-decodes any answer: no "E NN" here */
		return GDB_EVENT_NONE;
	}
	name_len = strlen(info.name);
	state_len = strlen(info.state);
	gdb_reply_begin(e);
	gdb_reply_hex_bytes(e, info.name, name_len);
	if (name_len > 0 && state_len > 0)
		gdb_reply_hex_bytes(e, ", ", 2);
	gdb_reply_hex_bytes(e, info.state, state_len);
	gdb_reply_send(e);
	return GDB_EVENT_NONE;
}

static void put_thread_element(struct gdb_engine *e, struct gdb_window *w, int64_t tid)
{
	struct gdb_thread_info info;
	char digits[20];
	bool known = gdb_thread_info(e, tid, &info);

	gdb_window_put_str(e, w, "<thread id=\"");
	gdb_window_put(e, w, digits, gdb_format_hex_u64(digits, (uint64_t)tid));
	if (known && info.core >= 0) {
		gdb_window_put_str(e, w, "\" core=\"");
		gdb_window_put(e, w, digits, gdb_format_decimal(digits, (uint64_t)info.core));
	}
	if (info.name[0] != '\0') {
		gdb_window_put_str(e, w, "\" name=\"");
		gdb_window_put_xml_text(e, w, info.name, sizeof(info.name));
	}
	gdb_window_put_str(e, w, "\">");
	gdb_window_put_xml_text(e, w, info.state, sizeof(info.state));
	gdb_window_put_str(e, w, "</thread>\n");
}

/* <threads><thread id="HEX" core="N" name="NAME">STATE</thread>...</threads> */
void gdb_threads_xml(struct gdb_engine *e, struct gdb_window *w)
{
	size_t first = 0;

	gdb_window_put_str(e, w, "<?xml version=\"1.0\"?>\n<threads>\n");
	while (!gdb_window_done(w)) {
		size_t n = list_chunk(e, first);

		if (n == 0)
			break;
		for (size_t i = 0; i < n && !gdb_window_done(w); i++)
			if (e->tids[i] > 0)
				put_thread_element(e, w, e->tids[i]);
		first += n;
	}
	gdb_window_put_str(e, w, "</threads>\n");
}
