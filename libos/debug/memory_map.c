/*
 * The image's memory map, for the stub's /proc/PID/maps (gdbstub/vfile.c):
 * what GDB's `gcore` puts in a core and `info proc mappings` lists.
 *
 *	[text] [rodata] [data]   the image's sections, with their sealed rights
 *	[stack:TID]              each thread's stack (its slot of the stack arena)
 *	[heap]                   runs of pages the page allocator handed out:
 *	                         malloc, page tables, rings; the stack arena is
 *	                         left to the [stack:TID] regions (most of its
 *	                         slots are unused)
 *
 * Regions are found by address: the one with the lowest start among those
 * ending above `from`. The thread walk is bounded and checks each structure
 * is mapped before reading it: a debugger must survive a corrupt list.
 */
#include <stdio.h>
#include <string.h>
#include <uniscope/gdbstub.h>
#include "kern/kern.h"
#include "debug.h"

extern char _text_start[], _text_end[], _rodata_start[], _rodata_end[], _data_start[], _bss_end[];

struct candidate {
	struct gdb_memory_region best;
	bool found;
};

/* Keep r if it ends above `from` and starts lower than the best so far. */
static void consider(struct candidate *c, uint64_t from, const struct gdb_memory_region *r)
{
	if (r->end <= from || r->end <= r->start)
		return;
	if (c->found && r->start >= c->best.start)
		return;
	c->best = *r;
	c->found = true;
}

static void image_regions(struct candidate *c, uint64_t from)
{
	static const struct { const char *name; char *start, *end; bool write, exec; } sections[] = {
		{ "[text]", _text_start, _text_end, false, true },
		{ "[rodata]", _rodata_start, _rodata_end, false, false },
		{ "[data]", _data_start, _bss_end, true, false },
	};

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		struct gdb_memory_region r = {
			.start = (uint64_t)sections[i].start, .end = (uint64_t)sections[i].end,
			.read = true, .write = sections[i].write, .exec = sections[i].exec,
		};
		strncpy(r.name, sections[i].name, sizeof(r.name) - 1);
		consider(c, from, &r);
	}
}

static void stack_regions(struct candidate *c, uint64_t from)
{
	uint64_t arena_lo = stack_arena_start(), arena_hi = stack_arena_end();
	size_t n = 0;

	for (struct thread *t = thread_list; t && n < UNISCOPE_MAX_THREADS; t = t->next_all, n++) {
		struct gdb_memory_region r = { .read = true, .write = true };

		if (!debug_memory_mapped((uint64_t)t, sizeof(*t)))
			return;
		if (t->stack_lo < arena_lo || t->stack_hi > arena_hi || t->stack_lo >= t->stack_hi)
			continue;
		r.start = t->stack_lo;
		r.end = t->stack_hi;
		snprintf(r.name, sizeof(r.name), "[stack:%u]", t->id);
		consider(c, from, &r);
	}
}

/* Allocated pages, but none of the stack arena's. */
static void heap_regions(struct candidate *c, uint64_t from)
{
	uint64_t arena_lo = stack_arena_start(), arena_hi = stack_arena_end();
	struct gdb_memory_region r = { .read = true, .write = true, .name = "[heap]" };

	for (int tries = 0; tries < 3 && page_used_run(from, &r.start, &r.end); tries++) {
		if (r.start >= arena_lo && r.start < arena_hi) {
			from = arena_hi; /* inside the arena: look past it */
			continue;
		}
		if (r.start < arena_lo && r.end > arena_lo)
			r.end = arena_lo;
		consider(c, from, &r);
		return;
	}
}

bool debug_memory_region(void *ctx, uint64_t from, struct gdb_memory_region *out)
{
	struct candidate c = { .found = false };

	(void)ctx;
	image_regions(&c, from);
	stack_regions(&c, from);
	heap_regions(&c, from);
	if (c.found)
		*out = c.best;
	return c.found;
}
