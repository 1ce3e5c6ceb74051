/*
 * Execution control: c C s S vCont? vCont, bc bs, '?', stop replies and LLDB's
 * per-thread qThreadStopInfo.
 *
 * Every resume packet is turned into one struct gdb_resume, "these threads
 * do this, all others do that", and handed to the target at once. The
 * engine then counts as running until the caller reports a stop; the stop
 * reply is the deferred answer to the resume packet.
 *
 * vCont applies to each thread the leftmost action naming it, so once an
 * action without a thread id (the default) is seen, later actions cannot
 * match anything. The legacy c/s follow gdbserver: the Hc thread steps (or
 * takes the signal); the others continue unless Hc named one thread.
 */
#include "internal.h"

static void clear_resume(struct gdb_engine *e)
{
	memset(&e->resume, 0, sizeof(e->resume));
	e->resume.others.tid = GDB_TID_ALL;
	e->resume.others.kind = GDB_RESUME_NONE;
}

static bool anything_runs(const struct gdb_resume *r)
{
	if (r->others.kind == GDB_RESUME_CONTINUE || r->others.kind == GDB_RESUME_STEP)
		return true;
	for (uint32_t i = 0; i < r->nr_threads; i++)
		if (r->threads[i].kind == GDB_RESUME_CONTINUE || r->threads[i].kind == GDB_RESUME_STEP)
			return true;
	return false;
}

/* Hand e->resume to the target; no reply until the stop. */
static unsigned start_resume(struct gdb_engine *e)
{
	int rc = GDB_ERR_GENERIC;

	if (!anything_runs(&e->resume)) {
		gdb_send_ok(e);
		return GDB_EVENT_NONE;
	}
	if (e->ops->resume)
		rc = e->ops->resume(e->target_ctx, &e->resume);
	if (rc < 0) {
		/* GDB warns "Remote failure reply" and treats the target as stopped. */
		gdb_send_failure(e, rc);
		return GDB_EVENT_NONE;
	}
	e->running = true;
	return GDB_EVENT_RESUMED;
}

static int set_pc(struct gdb_engine *e, int64_t tid, uint64_t pc)
{
	struct uniscope_regs regs;
	int rc;

	if (!e->ops->read_registers || !e->ops->write_registers)
		return GDB_ERR_REFUSED;
	memset(&regs, 0, sizeof(regs));
	rc = e->ops->read_registers(e->target_ctx, tid, &regs);
	if (rc < 0)
		return rc;
	regs.rip = pc;
	return e->ops->write_registers(e->target_ctx, tid, &regs);
}

static unsigned resume_legacy(struct gdb_engine *e, uint8_t kind, uint8_t signal,
			      bool has_addr, uint64_t addr)
{
	int64_t tid = gdb_resolve_tid(e, e->continue_tid);
	bool whole_target = e->continue_tid <= 0;
	struct gdb_thread_action action = { .tid = tid, .kind = kind, .signal = signal };
	int rc;

	if (has_addr && (rc = set_pc(e, tid, addr)) < 0) {
		gdb_send_failure(e, rc);
		return GDB_EVENT_NONE;
	}
	clear_resume(e);
	if (tid <= 0) {
		action.tid = GDB_TID_ALL; /* no threads: the action is the target's */
		e->resume.others = action;
		return start_resume(e);
	}
	if (kind == GDB_RESUME_STEP || signal != 0 || !whole_target)
		e->resume.threads[e->resume.nr_threads++] = action;
	if (whole_target)
		e->resume.others.kind = GDB_RESUME_CONTINUE;
	return start_resume(e);
}

/* "[ADDR]" for c and s, ";ADDR" after a signal for C and S. */
static bool parse_optional_addr(struct gdb_cursor *args, bool after_signal, bool *has_addr,
				uint64_t *addr)
{
	*has_addr = false;
	if (gdb_cursor_done(args))
		return true;
	if (after_signal && !gdb_parse_char(args, ';'))
		return false;
	*has_addr = gdb_parse_hex_u64(args, addr);
	return *has_addr && gdb_cursor_done(args);
}

static bool parse_signal(struct gdb_cursor *args, uint8_t *signal)
{
	uint64_t value;

	if (!gdb_parse_hex_u64(args, &value) || value > 0xff)
		return false;
	*signal = (uint8_t)value;
	return true;
}

static unsigned resume_packet(struct gdb_engine *e, struct gdb_cursor *args, uint8_t kind,
			      bool with_signal)
{
	uint8_t signal = 0;
	bool has_addr;
	uint64_t addr = 0;

	if ((with_signal && !parse_signal(args, &signal)) ||
	    !parse_optional_addr(args, with_signal, &has_addr, &addr)) {
		gdb_send_error(e, GDB_ERR_INVALID);
		return GDB_EVENT_NONE;
	}
	return resume_legacy(e, kind, signal, has_addr, addr);
}

unsigned gdb_cmd_continue(struct gdb_engine *e, struct gdb_cursor *args)
{
	return resume_packet(e, args, GDB_RESUME_CONTINUE, false);
}

unsigned gdb_cmd_continue_signal(struct gdb_engine *e, struct gdb_cursor *args)
{
	return resume_packet(e, args, GDB_RESUME_CONTINUE, true);
}

unsigned gdb_cmd_step(struct gdb_engine *e, struct gdb_cursor *args)
{
	return resume_packet(e, args, GDB_RESUME_STEP, false);
}

unsigned gdb_cmd_step_signal(struct gdb_engine *e, struct gdb_cursor *args)
{
	return resume_packet(e, args, GDB_RESUME_STEP, true);
}

unsigned gdb_cmd_vcont_query(struct gdb_engine *e, struct gdb_cursor *args)
{
	(void)args;
	gdb_send_str(e, "vCont;c;C;s;S;t");
	return GDB_EVENT_NONE;
}

/* One "c", "Cxx", "s", "Sxx" or "t", with an optional ":TID". */
static bool parse_vcont_action(struct gdb_cursor *args, struct gdb_thread_action *action)
{
	char letter = gdb_cursor_done(args) ? '\0' : *args->p++;

	action->signal = 0;
	action->tid = GDB_TID_ALL;
	if (letter == 'c' || letter == 'C')
		action->kind = GDB_RESUME_CONTINUE;
	else if (letter == 's' || letter == 'S')
		action->kind = GDB_RESUME_STEP;
	else if (letter == 't')
		action->kind = GDB_RESUME_STOP;
	else
		return false;
	if ((letter == 'C' || letter == 'S') && !parse_signal(args, &action->signal))
		return false;
	if (gdb_parse_char(args, ':'))
		return gdb_parse_tid(args, &action->tid);
	return true;
}

static bool already_listed(const struct gdb_resume *r, int64_t tid)
{
	for (uint32_t i = 0; i < r->nr_threads; i++)
		if (r->threads[i].tid == tid)
			return true;
	return false;
}

/* Record one action under the leftmost-wins rule; false if too many threads. */
static bool apply_vcont_action(struct gdb_engine *e, struct gdb_thread_action action,
			       bool *have_default)
{
	struct gdb_resume *r = &e->resume;

	if (*have_default)
		return true;
	if (action.tid == GDB_TID_ANY)
		action.tid = gdb_resolve_tid(e, GDB_TID_ANY);
	if (action.tid <= 0) {
		r->others = action;
		r->others.tid = GDB_TID_ALL;
		*have_default = true;
		return true;
	}
	if (already_listed(r, action.tid))
		return true;
	if (r->nr_threads == GDB_RESUME_MAX_THREADS)
		return false;
	r->threads[r->nr_threads++] = action;
	return true;
}

unsigned gdb_cmd_vcont(struct gdb_engine *e, struct gdb_cursor *args)
{
	bool have_default = false;

	clear_resume(e);
	do {
		struct gdb_thread_action action;

		if (!parse_vcont_action(args, &action) ||
		    !apply_vcont_action(e, action, &have_default)) {
			gdb_send_error(e, GDB_ERR_INVALID);
			return GDB_EVENT_NONE;
		}
	} while (gdb_parse_char(args, ';'));
	if (!gdb_cursor_done(args)) {
		gdb_send_error(e, GDB_ERR_INVALID);
		return GDB_EVENT_NONE;
	}
	return start_resume(e);
}

/* bc / bs: the whole target runs backwards, where the target can (a replay). */
static unsigned resume_reverse(struct gdb_engine *e, bool step)
{
	int rc;

	if (!e->ops->resume_reverse) {
		gdb_send_empty(e);
		return GDB_EVENT_NONE;
	}
	rc = e->ops->resume_reverse(e->target_ctx, step);
	if (rc < 0) {
		gdb_send_failure(e, rc);
		return GDB_EVENT_NONE;
	}
	e->running = true;
	return GDB_EVENT_RESUMED;
}

unsigned gdb_cmd_reverse_continue(struct gdb_engine *e, struct gdb_cursor *args)
{
	(void)args;
	return resume_reverse(e, false);
}

unsigned gdb_cmd_reverse_step(struct gdb_engine *e, struct gdb_cursor *args)
{
	(void)args;
	return resume_reverse(e, true);
}

unsigned gdb_cmd_stop_reason(struct gdb_engine *e, struct gdb_cursor *args)
{
	(void)args;
	gdb_send_stop_reply(e, &e->stop);
	return GDB_EVENT_NONE;
}

static void reply_hex_byte(struct gdb_engine *e, uint8_t value)
{
	char text[2] = { gdb_hex_char(value >> 4), gdb_hex_char(value) };

	gdb_reply_append(e, text, sizeof(text));
}

/* "swbreak:;" etc.; GDB must have asked for swbreak/hwbreak in qSupported. */
static void reply_stop_reason(struct gdb_engine *e, const struct gdb_stop *stop)
{
	static const char *const watch_keys[] = {
		[GDB_REASON_WATCH] = "watch:",
		[GDB_REASON_RWATCH] = "rwatch:",
		[GDB_REASON_AWATCH] = "awatch:",
	};

	if (stop->reason == GDB_REASON_SWBREAK && e->gdb_swbreak)
		gdb_reply_str(e, "swbreak:;");
	else if (stop->reason == GDB_REASON_REPLAY_BEGIN)
		gdb_reply_str(e, "replaylog:begin;");
	else if (stop->reason == GDB_REASON_REPLAY_END)
		gdb_reply_str(e, "replaylog:end;");
	else if (stop->reason == GDB_REASON_HWBREAK && e->gdb_hwbreak)
		gdb_reply_str(e, "hwbreak:;");
	else if (stop->reason >= GDB_REASON_WATCH && stop->reason <= GDB_REASON_AWATCH) {
		gdb_reply_str(e, watch_keys[stop->reason]);
		gdb_reply_hex_u64(e, stop->watch_addr);
		gdb_reply_str(e, ";");
	}
}

/* rip, rsp and rbp: what GDB reads first to show the frame; and cr3. */
static void reply_expedited(struct gdb_engine *e, int64_t tid)
{
	struct uniscope_regs regs;

	memset(&regs, 0, sizeof(regs));
	if (!e->ops->read_registers || e->ops->read_registers(e->target_ctx, tid, &regs) < 0)
		return;
	gdb_reply_str(e, "10:");
	gdb_reply_le(e, regs.rip, 8);
	gdb_reply_str(e, ";07:");
	gdb_reply_le(e, regs.rsp, 8);
	gdb_reply_str(e, ";06:");
	gdb_reply_le(e, regs.rbp, 8);
	/* cr3: lets a host bridge translate addresses itself while we are stopped. */
	gdb_reply_str(e, ";2c:");
	gdb_reply_le(e, regs.cr3, 8);
	gdb_reply_str(e, ";");
}

static void reply_thread(struct gdb_engine *e, int64_t tid)
{
	gdb_reply_str(e, "thread:");
	gdb_reply_tid(e, tid);
	gdb_reply_str(e, ";");
}

static void reply_thread_names(struct gdb_engine *e, int64_t tid);

/*
 * "T05thread:1;hexname:..;qname:..;qkind:serial;swbreak:;10:...;07:...;06:...;",
 * or "Wxx" / "Xxx" on exit. GDB skips the keys it does not know (the names
 * are LLDB's).
 */
void gdb_send_stop_reply(struct gdb_engine *e, const struct gdb_stop *stop)
{
	int64_t tid = stop->tid > 0 ? stop->tid : gdb_first_thread(e);

	gdb_reply_begin(e);
	if (stop->kind == GDB_STOP_EXITED || stop->kind == GDB_STOP_TERMINATED) {
		gdb_reply_str(e, stop->kind == GDB_STOP_EXITED ? "W" : "X");
		reply_hex_byte(e, stop->signal);
		gdb_reply_send(e);
		return;
	}
	gdb_reply_str(e, "T");
	reply_hex_byte(e, stop->signal);
	if (tid > 0) {
		reply_thread(e, tid);
		reply_thread_names(e, tid);
	}
	reply_stop_reason(e, stop);
	reply_expedited(e, tid);
	gdb_reply_send(e);
}

/* LLDB's keys: the name, and the state as the thread's "queue" (it has no state of its own). */
static void reply_thread_names(struct gdb_engine *e, int64_t tid)
{
	struct gdb_thread_info info;

	if (!gdb_thread_info(e, tid, &info))
		return;
	gdb_reply_str(e, "hexname:");
	gdb_reply_hex_bytes(e, info.name, strlen(info.name));
	if (info.state[0] != '\0') {
		gdb_reply_str(e, ";qname:");
		gdb_reply_hex_bytes(e, info.state, strlen(info.state));
		gdb_reply_str(e, ";qkind:serial");
	}
	gdb_reply_str(e, ";");
}

/*
 * "qThreadStopInfoTID" (LLDB): the stop reply as that thread saw it, with
 * its name and state. The thread that stopped repeats the stop; the others
 * were merely stopped with it: signal 0, no reason.
 */
unsigned gdb_cmd_thread_stop_info(struct gdb_engine *e, struct gdb_cursor *args)
{
	int64_t tid;
	bool stopped_here;

	if (!gdb_parse_tid(args, &tid) || !gdb_cursor_done(args) || !gdb_thread_exists(e, tid)) {
		gdb_send_error(e, GDB_ERR_NO_THREAD);
		return GDB_EVENT_NONE;
	}
	stopped_here = tid == gdb_resolve_tid(e, GDB_TID_ANY);
	gdb_reply_begin(e);
	gdb_reply_str(e, "T");
	reply_hex_byte(e, stopped_here ? e->stop.signal : 0);
	reply_thread(e, tid);
	reply_thread_names(e, tid);
	if (stopped_here)
		reply_stop_reason(e, &e->stop);
	reply_expedited(e, tid);
	gdb_reply_send(e);
	return GDB_EVENT_NONE;
}
