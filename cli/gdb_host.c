/*
 * The packets the bridge answers from the host (gdb_host.h), so that no
 * image carries code for them: what comes from the architecture alone or
 * from guest memory, read while the stub holds the guest stopped.
 *
 *	qXfer:features:read   the target description (gdbstub/tdesc.c); AVX
 *	                      from the descriptor's fpu_xfeatures
 *	qXfer:threads:read    the thread list, names, states
 *	qThreadExtraInfo      the same, for clients without qXfer
 *	qGetTLSAddr           a thread's TLS block, below its fs_base
 *	qRcmd (monitor)       ps, log, heap, seal, trace [MASK], help
 *	vFile                 /proc/PID/maps and cmdline, for gcore and
 *	                      `info proc mappings` (introspect/gdbmaps.c)
 *
 * Each is answered by gdbstub's own engine, the one `uniscope gdbserver`
 * runs, over introspect's view of the guest (us_gdb_target_ops): the same
 * document and replies the stub would have sent. The stub still answers
 * everything that needs its CPU: stops, resumes, registers, breakpoints,
 * and the thread packets of run control (H, T, qfThreadInfo, qC), so the
 * two never disagree on a thread: both read the same list, and the host
 * reads it anew for each packet, as the guest stands still.
 *
 * `monitor trace MASK` changes the guest: the mask goes to it as the
 * channel's TRACE_ENABLE message, which the stub's loop takes while the
 * guest is stopped, as `uniscope trace` sends it to a running one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gdb_host.h"

struct gdb_host {
	struct us_target *target; /* the caller's; NULL: the architecture alone */
	struct us_gdb_target g;
	struct gdb_target_ops ops;
	struct gdb_engine engine;
	bool (*put)(void *ctx, const void *buf, size_t len);
	bool (*trace_enable)(void *ctx, uint64_t mask);
	void *ctx;
	bool failed; /* the client did not take a reply */
	bool threads_document; /* the snapshot is the one a qXfer:threads read began with */
};

static const char *const host_prefixes[] = {
	"qXfer:features:read:", "qXfer:threads:read:", "qThreadExtraInfo,", "qGetTLSAddr:", "qRcmd,", "vFile:",
};

static bool starts_with(const char *payload, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(payload, prefix, n);
}

bool gdb_host_takes(const char *payload, size_t len)
{
	for (size_t i = 0; i < sizeof(host_prefixes) / sizeof(host_prefixes[0]); i++)
		if (starts_with(payload, len, host_prefixes[i]))
			return true;
	return false;
}

static void transport_put(void *ctx, const void *buf, size_t len)
{
	struct gdb_host *h = ctx;

	if (!h->failed && !h->put(h->ctx, buf, len))
		h->failed = true;
}

/*
 * The thread list as the stub gives it: by id (GDB numbers its threads in
 * the order of the list, so GDB's ids are the libOS's), each one's state
 * in the stub's words ("blocked (futex)").
 */
static size_t list_threads(void *ctx, size_t first, int64_t *tids, size_t max)
{
	struct us_gdb_target *g = ctx;
	size_t n = 0;

	for (size_t i = first; i < g->nr_threads && n < max; i++)
		tids[n++] = (int64_t)g->threads[g->by_id ? g->by_id[i].index : i].id;
	return n;
}

static int thread_info(void *ctx, int64_t tid, struct gdb_thread_info *info)
{
	const struct us_thread *th = us_gdb_find_thread(ctx, tid);
	uint32_t state, wait;

	if (!th)
		return GDB_ERR_NO_THREAD;
	snprintf(info->name, sizeof(info->name), "%s", th->name);
	state = th->state, wait = th->wait_reason;
	if (state < UNISCOPE_THREAD_STATE_COUNT && wait && wait < UNISCOPE_WAIT_REASON_COUNT)
		snprintf(info->state, sizeof(info->state), "%s (%s)", uniscope_thread_state_names[state],
			 uniscope_wait_reason_names[wait]);
	else
		snprintf(info->state, sizeof(info->state), "%s", state < UNISCOPE_THREAD_STATE_COUNT
			 ? uniscope_thread_state_names[state] : "?");
	info->core = 0;
	return 0;
}

/* ymm0-15 in the description when the guest saves them (abi.h, fpu_xfeatures: AVX is 4). */
static bool has_avx(void *ctx)
{
	struct us_gdb_target *g = ctx;
	const struct uniscope_info *info = g->t ? us_target_info(g->t) : NULL;

	return info && (info->fpu_xfeatures & 4);
}

static void monitor_seal(struct gdb_host *h)
{
	const struct uniscope_info *info = us_target_info(h->target);
	static const char *const profiles[] = {
		[UNISCOPE_PROFILE_FULL] = "full (software breakpoints lift the seal for their write)",
		[UNISCOPE_PROFILE_SEALED] = "sealed (read-only stub; breakpoints use the 4 debug registers)",
		[UNISCOPE_PROFILE_OFF] = "off (no stub)",
	};
	uint32_t sealed = 0;
	struct us_error *err;

	if (!info) {
		gdb_engine_console_printf(&h->engine, "(no guest descriptor: cannot tell)\n");
		return;
	}
	if ((err = us_target_read(h->target, info->sealed, &sealed, sizeof(sealed)))) {
		gdb_engine_console_printf(&h->engine, "(%s)\n", err->message);
		us_error_destroy(err);
		return;
	}
	gdb_engine_console_printf(&h->engine, "image %s; profile %s\n",
				  sealed ? "sealed: text RX, data NX, page tables RO, CR0.WP on" : "not sealed yet",
				  info->profile < sizeof(profiles) / sizeof(profiles[0]) && profiles[info->profile]
					  ? profiles[info->profile] : "unknown");
}

static void monitor_trace(struct gdb_host *h, const char *arg)
{
	uint64_t mask;
	char *end;
	struct us_error *err;

	while (*arg == ' ')
		arg++;
	if (*arg) {
		mask = strtoull(arg, &end, 0);
		if (end == arg || *end) {
			gdb_engine_console_printf(&h->engine, "usage: monitor trace [MASK] (e.g. 0 for off, "
						  "0x1fff for the built-in events)\n");
			return;
		}
		if (!h->trace_enable || !h->trace_enable(h->ctx, mask)) {
			gdb_engine_console_printf(&h->engine, "(cannot reach the guest's channel)\n");
			return;
		}
		mask &= ~1ull; /* as the guest takes it: bit 0 is no event */
	} else if ((err = us_target_trace_mask(h->target, &mask))) {
		gdb_engine_console_printf(&h->engine, "(%s)\n", err->message);
		us_error_destroy(err);
		return;
	}
	gdb_engine_console_printf(&h->engine, "trace events enabled: %#llx\n", (unsigned long long)mask);
}

static void monitor_help(struct gdb_host *h)
{
	gdb_engine_console_printf(&h->engine, "monitor commands: ps (threads), log (console tail), heap, "
				  "seal (protection and profile),\n");
	gdb_engine_console_printf(&h->engine, "  trace [MASK] (show or set which trace events are on), help\n");
	gdb_engine_console_printf(&h->engine, "gcore keeps every thread's registers but only the selected "
				  "thread's stack:\n");
	gdb_engine_console_printf(&h->engine, "  `uniscope core NAME -o FILE` on the host writes a complete core\n");
}

/* The bridge's monitor: seal, trace and help here, the rest as `uniscope gdbserver`'s. */
static int monitor(void *ctx, const char *cmd, struct gdb_engine *e)
{
	struct gdb_host *h = (struct gdb_host *)((char *)ctx - offsetof(struct gdb_host, g));

	if (!strcmp(cmd, "seal"))
		monitor_seal(h);
	else if (!strncmp(cmd, "trace", 5) && (cmd[5] == 0 || cmd[5] == ' '))
		monitor_trace(h, cmd + 5);
	else if (!strcmp(cmd, "help"))
		monitor_help(h);
	else
		return us_gdb_target_ops.monitor(ctx, cmd, e);
	return 0;
}

struct gdb_host *gdb_host_new(bool (*put)(void *ctx, const void *buf, size_t len),
			      bool (*trace_enable)(void *ctx, uint64_t mask), void *ctx)
{
	struct gdb_host *h = calloc(1, sizeof(*h));
	struct gdb_transport transport = { transport_put, NULL };

	if (!h)
		return NULL;
	h->put = put;
	h->trace_enable = trace_enable;
	h->ctx = ctx;
	h->ops = us_gdb_target_ops;
	h->ops.has_avx = has_avx;
	h->ops.list_threads = list_threads;
	h->ops.thread_info = thread_info;
	h->ops.monitor = monitor;
	transport.ctx = h;
	gdb_engine_init(&h->engine, &h->ops, &h->g, &transport);
	gdb_host_client_connected(h);
	return h;
}

void gdb_host_free(struct gdb_host *h)
{
	if (!h)
		return;
	us_gdb_target_fini(&h->g);
	free(h);
}

/* A new client: nothing half-read, no acknowledgements (the bridge makes them). */
void gdb_host_client_connected(struct gdb_host *h)
{
	gdb_engine_reset(&h->engine);
	h->engine.no_ack = true;
}

/*
 * The thread list document and a thread's extra info need ids, names and
 * states alone, read from memory: no registers (the on-CPU thread's cost
 * a query of QEMU per packet, and GDB asks for the list after every step),
 * no panic record, no memory map.
 */
static bool names_and_states(const char *payload, size_t len)
{
	return starts_with(payload, len, "qXfer:threads:read:") || starts_with(payload, len, "qThreadExtraInfo,");
}

static void refresh(struct us_gdb_target *g, bool light)
{
	if (!light) {
		us_gdb_target_refresh(g);
		return;
	}
	us_gdb_target_fini(g);
	g->maps_read = false; /* as a full snapshot leaves it: read again when asked */
	/* A broken list ends where it broke, as the stub's did. */
	us_error_destroy(us_target_thread_list(g->t, &g->threads, &g->nr_threads));
	us_gdb_target_index_threads(g);
}

/*
 * A later window of the thread list document (GDB reads it from offset 0
 * on, one reply at a time): it comes from the snapshot the first window
 * took, so the document is one list, and a long list is walked once, not
 * once per window.
 */
static bool threads_document_continues(const struct gdb_host *h, const char *payload, size_t len)
{
	static const char prefix[] = "qXfer:threads:read::";
	size_t at = sizeof(prefix) - 1;

	if (!h->threads_document || !starts_with(payload, len, prefix))
		return false;
	while (at < len && payload[at] == '0')
		at++;
	return at < len && payload[at] != ','; /* an offset other than 0 */
}

bool gdb_host_answer(struct gdb_host *h, struct us_target *target, const char *payload, size_t len)
{
	char framed[GDB_RX_BUF_SIZE + 4];
	size_t n = gdb_frame_packet(framed, sizeof(framed), payload, len);
	bool description = starts_with(payload, len, "qXfer:features");

	if (target != h->target) {
		us_gdb_target_fini(&h->g);
		if (target)
			us_gdb_target_init(&h->g, target);
		h->target = target;
		h->threads_document = false;
	}
	if (target && !description && !threads_document_continues(h, payload, len)) {
		/* threads, names and TLS as the guest stands now */
		refresh(&h->g, names_and_states(payload, len));
	}
	h->threads_document = target && starts_with(payload, len, "qXfer:threads:read:");
	if (!target && !description) {
		static const char none[] = "E.nohost.uniscope: no view of the guest's memory from the host";
		n = gdb_frame_packet(framed, sizeof(framed), none, sizeof(none) - 1);
		return h->put(h->ctx, framed, n);
	}
	h->failed = false;
	if (!n)
		return false;
	gdb_engine_input(&h->engine, (const uint8_t *)framed, n);
	return !h->failed;
}
