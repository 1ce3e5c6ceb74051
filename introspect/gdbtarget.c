/*
 * struct gdb_target_ops over a libuniscope target (see gdbtarget.h).
 * Operations return GDB_ERR_* codes; libuniscope errors are dropped here
 * (GDB shows its own text for E replies), except in `monitor` output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gdbtarget.h"

#define PAGE 4096u
#define MONITOR_LOG_TAIL 4096

void us_gdb_target_init(struct us_gdb_target *g, struct us_target *t)
{
	memset(g, 0, sizeof(*g));
	g->t = t;
	g->live = us_target_is_live(t);
}

void us_gdb_target_fini(struct us_gdb_target *g)
{
	us_gdb_maps_fini(g);
	free(g->by_id);
	g->by_id = NULL;
	free(g->threads);
	g->threads = NULL;
	g->nr_threads = 0;
}

static int by_id_then_index(const void *a, const void *b)
{
	const struct us_gdb_thread_key *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

void us_gdb_target_index_threads(struct us_gdb_target *g)
{
	free(g->by_id);
	g->by_id = NULL;
	if (!g->nr_threads || !(g->by_id = malloc(g->nr_threads * sizeof(*g->by_id))))
		return;
	for (size_t i = 0; i < g->nr_threads; i++)
		g->by_id[i] = (struct us_gdb_thread_key){ .id = g->threads[i].id, .index = (uint32_t)i };
	qsort(g->by_id, g->nr_threads, sizeof(*g->by_id), by_id_then_index);
}

const struct us_thread *us_gdb_find_thread(const struct us_gdb_target *g, int64_t tid)
{
	size_t lo = 0, hi = g->nr_threads;

	if (tid < 0 || tid > UINT32_MAX)
		return NULL;
	if (!g->by_id) {
		for (size_t i = 0; i < g->nr_threads; i++)
			if ((int64_t)g->threads[i].id == tid)
				return &g->threads[i];
		return NULL;
	}
	while (lo < hi) { /* the first key with id >= tid */
		size_t mid = lo + (hi - lo) / 2;

		if (g->by_id[mid].id < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->nr_threads && g->by_id[lo].id == tid ? &g->threads[g->by_id[lo].index] : NULL;
}

static void snapshot(struct us_gdb_target *g)
{
	struct us_error *err;

	us_gdb_target_fini(g);
	g->problem[0] = 0;
	err = us_postmortem_threads(g->t, &g->threads, &g->nr_threads, &g->panic);
	if (err) {
		snprintf(g->problem, sizeof(g->problem), "%s", err->message);
		us_error_destroy(err);
	}
	us_gdb_target_index_threads(g);
	g->maps_read = false; /* read again when asked (memory_region) */
}

void us_gdb_target_refresh(struct us_gdb_target *g)
{
	snapshot(g);
}

struct us_error *us_gdb_target_stop(struct us_gdb_target *g)
{
	struct us_error *err;

	if (g->live && !g->paused) {
		if ((err = us_target_pause(g->t)))
			return err;
		g->paused = true;
	}
	snapshot(g);
	return NULL;
}

struct us_error *us_gdb_target_release(struct us_gdb_target *g)
{
	if (!g->paused)
		return NULL;
	g->paused = false;
	return us_target_resume(g->t);
}

static int gdb_signal(int linux_signal)
{
	return linux_signal == 7 ? GDB_SIGNAL_BUS : linux_signal; /* the rest agree */
}

void us_gdb_target_stop_reply(const struct us_gdb_target *g, int signal, struct gdb_stop *out)
{
	memset(out, 0, sizeof(*out));
	out->kind = GDB_STOP_SIGNAL;
	out->signal = (uint8_t)signal;
	if (g->panic.kind != UNISCOPE_PANIC_NONE)
		out->signal = (uint8_t)gdb_signal(us_panic_signal(&g->panic));
	out->tid = g->nr_threads ? (int64_t)g->threads[0].id : 1;
}

bool us_gdb_target_died(struct us_gdb_target *g)
{
	struct uniscope_panic p;
	struct us_error *err = us_target_panic(g->t, &p);

	if (err) {
		us_error_destroy(err);
		return false;
	}
	return p.kind != UNISCOPE_PANIC_NONE;
}

/* ---- threads and registers -------------------------------------------- */

static int read_registers(void *ctx, int64_t tid, struct uniscope_regs *regs)
{
	struct us_gdb_target *g = ctx;
	const struct us_thread *th = us_gdb_find_thread(g, tid);
	struct us_error *err;

	if (th) {
		*regs = th->regs;
		return 0;
	}
	if (g->nr_threads || tid > 1)
		return GDB_ERR_NO_THREAD;
	if ((err = us_target_vcpu_regs(g->t, 0, regs))) { /* no threads: vCPU 0 is thread 1 */
		us_error_destroy(err);
		return GDB_ERR_GENERIC;
	}
	return 0;
}

/* A core, or a thread whose FPU state is not to be had: unavailable, not an error. */
static int read_fpu(void *ctx, int64_t tid, struct gdb_fpu_state *fpu)
{
	struct us_gdb_target *g = ctx;
	const struct us_thread *th = us_gdb_find_thread(g, tid);
	struct us_error *err;

	if (!th)
		return g->nr_threads ? GDB_ERR_NO_THREAD : GDB_ERR_UNSUPPORTED;
	if ((err = us_thread_fpu(g->t, th, &fpu->fx))) {
		us_error_destroy(err);
		return GDB_ERR_UNSUPPORTED;
	}
	return 0;
}

static size_t list_threads(void *ctx, size_t first, int64_t *tids, size_t max)
{
	struct us_gdb_target *g = ctx;
	size_t n = 0;

	if (!g->nr_threads) { /* vCPU 0 alone */
		if (first > 0 || max == 0)
			return 0;
		tids[0] = 1;
		return 1;
	}
	for (size_t i = first; i < g->nr_threads && n < max; i++)
		tids[n++] = (int64_t)g->threads[i].id;
	return n;
}

static void describe_state(const struct us_thread *th, char *out, size_t cap)
{
	if (th->regs_source == US_REGS_PANIC)
		snprintf(out, cap, "died");
	else if (th->wait_reason)
		snprintf(out, cap, "%s on %s", us_thread_state_name(th->state),
			 us_wait_reason_name(th->wait_reason));
	else
		snprintf(out, cap, "%s", us_thread_state_name(th->state));
}

static int thread_info(void *ctx, int64_t tid, struct gdb_thread_info *info)
{
	struct us_gdb_target *g = ctx;
	const struct us_thread *th = us_gdb_find_thread(g, tid);

	if (!th && (g->nr_threads || tid != 1))
		return GDB_ERR_NO_THREAD;
	if (!th) {
		snprintf(info->name, sizeof(info->name), "vCPU 0");
		snprintf(info->state, sizeof(info->state), "no libOS threads found");
		info->core = 0;
		return 0;
	}
	snprintf(info->name, sizeof(info->name), "%s", th->name);
	describe_state(th, info->state, sizeof(info->state));
	info->core = th->cpu;
	return 0;
}

static bool thread_alive(void *ctx, int64_t tid)
{
	struct us_gdb_target *g = ctx;

	return us_gdb_find_thread(g, tid) || (!g->nr_threads && tid == 1);
}

/* ---- memory ----------------------------------------------------------- */

/* As much as reads from addr on, page by page after the first failure. */
static int read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct us_gdb_target *g = ctx;
	struct us_error *err = us_target_read(g->t, addr, buf, len);
	size_t done = 0;

	if (!err)
		return (int)len;
	us_error_destroy(err);
	while (done < len) {
		size_t room = PAGE - (size_t)((addr + done) % PAGE);
		size_t n = len - done < room ? len - done : room;
		if ((err = us_target_read(g->t, addr + done, (uint8_t *)buf + done, n))) {
			us_error_destroy(err);
			break;
		}
		done += n;
	}
	return done ? (int)done : GDB_ERR_FAULT;
}

/* For /proc/PID/maps: named regions, or without a page map the page tables' mappings (gdbmaps.c). */
static bool memory_region(void *ctx, uint64_t from, struct gdb_memory_region *out)
{
	struct us_gdb_target *g = ctx;

	if (!g->maps_read) {
		us_gdb_maps_refresh(g);
		g->maps_read = true;
	}
	return us_gdb_memory_region(g, from, out);
}

static int refuse_registers(void *ctx, int64_t tid, const struct uniscope_regs *regs)
{
	(void)ctx, (void)tid, (void)regs;
	return GDB_ERR_REFUSED;
}

static int refuse_memory(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	(void)ctx, (void)addr, (void)buf, (void)len;
	return GDB_ERR_REFUSED;
}

/* ---- execution -------------------------------------------------------- */

static bool steps(const struct gdb_resume *r)
{
	if (r->others.kind == GDB_RESUME_STEP)
		return true;
	for (uint32_t i = 0; i < r->nr_threads; i++)
		if (r->threads[i].kind == GDB_RESUME_STEP)
			return true;
	return false;
}

/* Cores, dead guests and steps stay stopped: GDB says "Remote failure reply". */
static int resume(void *ctx, const struct gdb_resume *r)
{
	struct us_gdb_target *g = ctx;
	struct us_error *err;

	if (!g->live || steps(r) || g->panic.kind != UNISCOPE_PANIC_NONE)
		return GDB_ERR_REFUSED;
	if ((err = us_gdb_target_release(g))) {
		us_error_destroy(err);
		return GDB_ERR_GENERIC;
	}
	return 0;
}

static void detach(void *ctx)
{
	us_error_destroy(us_gdb_target_release(ctx));
}

/* ---- monitor ---------------------------------------------------------- */

static void monitor_ps(struct us_gdb_target *g, struct gdb_engine *e)
{
	char state[GDB_THREAD_STATE_MAX];

	gdb_engine_console_printf(e, "%5s %-20s %-22s %10s %10s\n", "TID", "NAME", "STATE", "CPU(ms)", "SWITCHES");
	for (size_t i = 0; i < g->nr_threads; i++) {
		const struct us_thread *th = &g->threads[i];
		describe_state(th, state, sizeof(state));
		gdb_engine_console_printf(e, "%5u %-20s %-22s %10llu %10llu\n", th->id, th->name, state,
		    (unsigned long long)(th->cpu_ns / 1000000), (unsigned long long)th->switches);
	}
	if (g->problem[0])
		gdb_engine_console_printf(e, "(%s)\n", g->problem);
}

static void monitor_log(struct us_gdb_target *g, struct gdb_engine *e)
{
	char *text;
	size_t len, from;
	uint64_t lost;
	struct us_error *err = us_target_log(g->t, &text, &len, &lost);

	if (err) {
		gdb_engine_console_printf(e, "%s\n", err->message);
		us_error_destroy(err);
		return;
	}
	from = len > MONITOR_LOG_TAIL ? len - MONITOR_LOG_TAIL : 0;
	for (size_t i = from; i < len; i++) /* guest text: printable only */
		if ((text[i] < 0x20 || text[i] > 0x7e) && text[i] != '\n' && text[i] != '\t')
			text[i] = '?';
	gdb_engine_console_write(e, text + from, len - from);
	free(text);
}

static void monitor_heap(struct us_gdb_target *g, struct gdb_engine *e)
{
	struct uniscope_heap_stats h;
	struct us_error *err = us_target_heap(g->t, &h);

	if (err) {
		gdb_engine_console_printf(e, "%s\n", err->message);
		us_error_destroy(err);
		return;
	}
	gdb_engine_console_printf(e, "pages: %llu total, %llu free\nheap: %llu bytes in use, %llu peak, %llu allocs, "
	    "%llu frees, %llu failures\n", (unsigned long long)h.pages_total,
	    (unsigned long long)h.pages_free, (unsigned long long)h.heap_bytes_in_use,
	    (unsigned long long)h.heap_bytes_peak, (unsigned long long)h.heap_allocs,
	    (unsigned long long)h.heap_frees, (unsigned long long)h.heap_failures);
}

static void monitor_help(struct us_gdb_target *g, struct gdb_engine *e)
{
	gdb_engine_console_printf(e, "uniscope gdbserver over %s '%s': the guest is read from the host, no stub in it.\n",
	    us_target_kind(g->t), us_target_name(g->t));
	gdb_engine_console_printf(e, "monitor commands: ps (threads), log (console tail), heap, help\n");
	gdb_engine_console_printf(e, "read-only: memory and registers cannot be written. %s\n",
	    g->live ? "continue resumes the VM, Ctrl-C stops it, detach leaves it running."
		    : "a core cannot be resumed.");
	gdb_engine_console_printf(e, "no breakpoints, watchpoints or single-stepping here (hardware or software): "
	    "use the in-guest stub (uniscope run --gdb, uniscope gdb) for those.\n");
}

static int monitor(void *ctx, const char *cmd, struct gdb_engine *e)
{
	static const struct {
		const char *name;
		void (*fn)(struct us_gdb_target *, struct gdb_engine *);
	} table[] = {
		{ "ps", monitor_ps }, { "log", monitor_log }, { "heap", monitor_heap },
		{ "help", monitor_help },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (!strcmp(cmd, table[i].name)) {
			table[i].fn(ctx, e);
			return 0;
		}
	}
	gdb_engine_console_printf(e, "unknown monitor command '%s'; try 'monitor help'\n", cmd);
	return 0;
}

/*
 * qGetTLSAddr for the executable (lm 0): below the thread's FS base lies
 * its static TLS block, _tls_block_size bytes (a linker-script symbol of
 * the image). Offsets past the block reach the C library's thread
 * structure above the thread pointer, up to a page: errno_dwarf.S's errno.
 * `uniscope run`'s bridge answers GDB's qGetTLSAddr with this too.
 */
static int tls_address(void *ctx, int64_t tid, uint64_t offset, uint64_t lm, uint64_t *addr)
{
	struct us_gdb_target *g = ctx;
	const struct us_thread *th = us_gdb_find_thread(g, tid);
	struct us_symbol block;
	struct us_error *err;

	if (!th)
		return GDB_ERR_NO_THREAD;
	if (lm || !th->regs.fs_base)
		return GDB_ERR_INVALID;
	if ((err = us_target_lookup_symbol(g->t, "_tls_block_size", &block))) {
		us_error_destroy(err);
		return GDB_ERR_UNSUPPORTED;
	}
	if (offset >= block.address + PAGE || block.address > th->regs.fs_base)
		return GDB_ERR_INVALID;
	*addr = th->regs.fs_base - block.address + offset;
	return 0;
}

const struct gdb_target_ops us_gdb_target_ops = {
	.read_registers = read_registers,
	.write_registers = refuse_registers,
	.read_fpu = read_fpu,
	.read_memory = read_memory,
	.write_memory = refuse_memory,
	.list_threads = list_threads,
	.thread_info = thread_info,
	.thread_alive = thread_alive,
	.memory_region = memory_region,
	.resume = resume,
	.monitor = monitor,
	.detach = detach,
	.kill = detach, /* the VM is not ours to kill: `uniscope stop` does that */
	.tls_address = tls_address,
};
