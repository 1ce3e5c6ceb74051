/*
 * `monitor` commands of the in-guest stub: ps, log, heap, seal, trace,
 * help. Their text goes back to GDB in 'O' packets while it waits for the
 * answer to qRcmd. What they walk is walked as the rest of the stub walks
 * it (walk.c): bounded, and a broken list says so instead of hanging.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arch/x86_64/paging.h"
#include "debug.h"
#include "kern/trace.h"

#define LOG_TAIL 2048

static void monitor_ps(struct gdb_engine *e)
{
	struct thread_walk w;

	gdb_engine_console_printf(e, "%5s %-20s %-9s %10s %10s\n", "TID", "NAME", "STATE", "CPU(ms)", "SWITCHES");
	for (struct thread *t = thread_walk_first(&w); t; t = thread_walk_next(&w))
		gdb_engine_console_printf(e, "%5u %-20.31s %-9s %10llu %10llu\n", t->id, t->name, stub_thread_state_name(t->state),
		    (unsigned long long)(t->cpu_ns / 1000000), (unsigned long long)t->switches);
	if (w.error)
		gdb_engine_console_printf(e, "(the thread list is broken after thread %u: a bad pointer or a cycle)\n",
		    w.at ? w.at->id : 0);
}

/* The log's header is guest data like the rest: its size is checked before use. */
static void monitor_log(struct gdb_engine *e)
{
	uint64_t size = console_log->size, end = console_log->written;
	uint64_t start = end > LOG_TAIL ? end - LOG_TAIL : 0;
	char chunk[256];
	size_t n = 0;

	if (!size || size > UNISCOPE_LOG_SIZE_MAX || (size & (size - 1)) ||
	    !stub_object_ok(console_log->data, size, 1)) {
		gdb_engine_console_printf(e, "(the console log's header is broken: size %llu)\n", (unsigned long long)size);
		return;
	}

	for (uint64_t i = start; i < end; i++) {
		chunk[n++] = (char)console_log->data[i % size];
		if (n == sizeof(chunk)) {
			gdb_engine_console_write(e, chunk, n);
			n = 0;
		}
	}
	gdb_engine_console_write(e, chunk, n);
}

static void monitor_heap(struct gdb_engine *e)
{
	gdb_engine_console_printf(e, "pages: %llu total, %llu free\nheap: %llu bytes in use, %llu peak, %llu allocs, %llu frees, %llu failures\n",
	    (unsigned long long)heap_stats.pages_total, (unsigned long long)heap_stats.pages_free,
	    (unsigned long long)heap_stats.heap_bytes_in_use, (unsigned long long)heap_stats.heap_bytes_peak,
	    (unsigned long long)heap_stats.heap_allocs, (unsigned long long)heap_stats.heap_frees,
	    (unsigned long long)heap_stats.heap_failures);
}

static void monitor_seal(struct gdb_engine *e)
{
	gdb_engine_console_printf(e, "image %s; profile %s\n", *paging_sealed_flag() ? "sealed: text RX, data NX, page tables RO, CR0.WP on"
							      : "not sealed yet", stub_profile_description);
}

static void monitor_trace(struct gdb_engine *e, const char *arg)
{
	if (*arg) {
		char *end;
		uint64_t mask = strtoul(arg, &end, 0);
		if (*end) {
			gdb_engine_console_printf(e, "usage: monitor trace [MASK] (e.g. 0 for off, 0x1fff for the built-in events)\n");
			return;
		}
		trace_set_enabled(mask);
	}
	gdb_engine_console_printf(e, "trace events enabled: %#llx\n", (unsigned long long)trace_enabled());
}

static void monitor_help(struct gdb_engine *e)
{
	gdb_engine_console_printf(e, "monitor commands: ps (threads), log (console tail), heap, seal (protection and profile),\n"
	       "  trace [MASK] (show or set which trace events are on), help\n"
	       "gcore keeps every thread's registers but only the selected thread's stack:\n"
	       "  `uniscope core NAME -o FILE` on the host writes a complete core\n");
}

int stub_monitor(void *ctx, const char *cmd, struct gdb_engine *e)
{
	static const struct { const char *name; void (*fn)(struct gdb_engine *); } table[] = {
		{ "ps", monitor_ps }, { "log", monitor_log }, { "heap", monitor_heap },
		{ "seal", monitor_seal }, { "help", monitor_help },
	};

	(void)ctx;
	if (!strncmp(cmd, "trace", 5) && (cmd[5] == 0 || cmd[5] == ' ')) {
		monitor_trace(e, cmd[5] ? cmd + 6 : "");
		return 0;
	}
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (!strcmp(cmd, table[i].name)) {
			table[i].fn(e);
			return 0;
		}
	}
	gdb_engine_console_printf(e, "unknown monitor command '%s'; try 'monitor help'\n", cmd);
	return 0;
}
