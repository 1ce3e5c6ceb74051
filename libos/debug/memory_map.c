/*
 * The image's memory map, for the stub's /proc/PID/maps (gdbstub/vfile.c):
 * what GDB's `gcore` puts in a core and `info proc mappings` lists.
 *
 *	[text] [rodata] [data]   the image's sections, with their sealed rights
 *	[stack:TID]              each thread's stack (a slot of the stack arena,
 *	                         or the memory a POSIX thread was given)
 *	[heap]                   runs of pages the page allocator handed out:
 *	                         malloc, mmap, page tables, rings; the stack
 *	                         arena is left to the [stack:TID] regions (most
 *	                         of its slots are unused)
 *
 * Regions are found by address: the one with the lowest start among those
 * ending above `from`, cut where another begins, so that a stack inside a
 * run of heap pages splits it and no two regions overlap. The thread walk
 * is bounded and checks each structure is mapped before reading it: a
 * debugger must survive a corrupt list.
 */
#include <stdio.h>
#include <string.h>
#include <uniscope/gdbstub.h>
#include "kern/kern.h"
#include "debug.h"
#include "image.h"

#define STACK_MAX (64ull << 20) /* larger "stacks" are a corrupt thread, not a region */

struct candidate {
	struct gdb_memory_region best;
	bool found;
	uint64_t cut; /* the lowest start above best's, or 0 */
};

static void note_cut(struct candidate *c, uint64_t start)
{
	if (!c->cut || start < c->cut)
		c->cut = start;
}

/*
 * Keep r (from `from` on) if it starts lower than the best so far, or at
 * the same place but ends sooner (a stack inside a heap run); any start
 * above the best's cuts it there.
 */
static void consider(struct candidate *c, uint64_t from, const struct gdb_memory_region *r)
{
	struct gdb_memory_region e = *r;

	if (e.end <= from || e.end <= e.start)
		return;
	if (e.start < from)
		e.start = from;
	if (!c->found || e.start < c->best.start ||
	    (e.start == c->best.start && e.end < c->best.end)) {
		if (c->found && c->best.start > e.start)
			note_cut(c, c->best.start);
		c->best = e;
		c->found = true;
	} else if (e.start > c->best.start) {
		note_cut(c, e.start);
	}
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
	struct thread_walk w;

	for (struct thread *t = thread_walk_first(&w); t; t = thread_walk_next(&w)) {
		struct gdb_memory_region r = { .read = true, .write = true };

		if (t->stack_lo >= t->stack_hi || t->stack_hi - t->stack_lo > STACK_MAX)
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
	if (!c.found)
		return false;
	if (c.cut && c.cut < c.best.end)
		c.best.end = c.cut;
	*out = c.best;
	return true;
}
