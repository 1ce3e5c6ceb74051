/*
 * The guest's memory map as debuggers get it (GDB's gcore, `info proc
 * mappings`, through vFile's /proc/PID/maps): the regions of memory that
 * mean something, named as Linux names them.
 *
 *	[text] [rodata] [data]   the image's sections, with their sealed rights
 *	                         (linker symbols of the image)
 *	[stack:TID]              each thread's stack (the thread list)
 *	[heap]                   runs of pages the page allocator handed out:
 *	                         malloc, mmap, page tables, rings; the stack
 *	                         arena is left to the [stack:TID] regions (most
 *	                         of its slots are unused)
 *
 * The page allocator's bitmap comes through the descriptor
 * (uniscope_info.pages) and is read once per snapshot of the threads. A
 * region is the one with the lowest start among those ending above `from`,
 * cut where another begins, so that a stack inside a run of heap pages
 * splits it and no two regions overlap. Everything read is bounded: a
 * corrupt map gives fewer regions, never a hang.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gdbtarget.h"

#define PAGE 4096ull
#define STACK_MAX (64ull << 20) /* larger "stacks" are a corrupt thread, not a region */

void us_gdb_maps_fini(struct us_gdb_target *g)
{
	free(g->page_free_bits);
	g->page_free_bits = NULL;
}

static void section(struct us_gdb_target *g, int i, const char *start, const char *end)
{
	struct us_symbol s, e;
	struct us_error *err;

	g->sections[i][0] = g->sections[i][1] = 0;
	if ((err = us_target_lookup_symbol(g->t, start, &s)) || (err = us_target_lookup_symbol(g->t, end, &e))) {
		us_error_destroy(err);
		return;
	}
	if (s.address < e.address) {
		g->sections[i][0] = s.address;
		g->sections[i][1] = e.address;
	}
}

/* The page map and the image's sections; without a page map, the caller uses the page tables. */
void us_gdb_maps_refresh(struct us_gdb_target *g)
{
	const struct uniscope_info *info = us_target_info(g->t);
	struct us_error *err;
	size_t bytes;

	us_gdb_maps_fini(g);
	section(g, 0, "_text_start", "_text_end");
	section(g, 1, "_rodata_start", "_rodata_end");
	section(g, 2, "_data_start", "_bss_end");
	if (!info || !info->pages)
		return;
	if ((err = us_target_read(g->t, info->pages, &g->pages, sizeof(g->pages)))) {
		us_error_destroy(err);
		return;
	}
	if (g->pages.nr_pages == 0 || g->pages.nr_pages > UNISCOPE_PAGES_MAX ||
	    g->pages.nr_ram > UNISCOPE_PAGES_RAM_MAX)
		return;
	bytes = (size_t)(g->pages.nr_pages + 63) / 64 * 8;
	if (!(g->page_free_bits = malloc(bytes)))
		return;
	if ((err = us_target_read(g->t, g->pages.free_bits, g->page_free_bits, bytes))) {
		us_error_destroy(err);
		us_gdb_maps_fini(g);
	}
}

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
	if (!c->found || e.start < c->best.start || (e.start == c->best.start && e.end < c->best.end)) {
		if (c->found && c->best.start > e.start)
			note_cut(c, c->best.start);
		c->best = e;
		c->found = true;
	} else if (e.start > c->best.start) {
		note_cut(c, e.start);
	}
}

static void image_regions(const struct us_gdb_target *g, struct candidate *c, uint64_t from)
{
	static const struct { const char *name; bool write, exec; } kinds[] = {
		{ "[text]", false, true }, { "[rodata]", false, false }, { "[data]", true, false },
	};

	for (size_t i = 0; i < 3; i++) {
		struct gdb_memory_region r = { .start = g->sections[i][0], .end = g->sections[i][1],
					       .read = true, .write = kinds[i].write, .exec = kinds[i].exec };

		snprintf(r.name, sizeof(r.name), "%s", kinds[i].name);
		consider(c, from, &r);
	}
}

static void stack_regions(const struct us_gdb_target *g, struct candidate *c, uint64_t from)
{
	for (size_t i = 0; i < g->nr_threads; i++) {
		const struct us_thread *t = &g->threads[i];
		struct gdb_memory_region r = { .start = t->stack_lo, .end = t->stack_hi, .read = true, .write = true };

		if (t->stack_lo >= t->stack_hi || t->stack_hi - t->stack_lo > STACK_MAX)
			continue;
		snprintf(r.name, sizeof(r.name), "[stack:%u]", t->id);
		consider(c, from, &r);
	}
}

static bool page_free(const struct us_gdb_target *g, uint64_t pfn)
{
	return pfn >= g->pages.nr_pages || (g->page_free_bits[pfn / 64] >> (pfn % 64)) & 1;
}

/* The lowest run of allocated pages, within one RAM range, that ends above `from`. */
static bool used_run(const struct us_gdb_target *g, uint64_t from, uint64_t *start, uint64_t *end)
{
	bool found = false;

	for (uint32_t i = 0; i < g->pages.nr_ram; i++) {
		uint64_t lo = g->pages.ram[i].start / PAGE, hi = g->pages.ram[i].end / PAGE, pfn;

		if (hi > g->pages.nr_pages)
			hi = g->pages.nr_pages;
		if (hi * PAGE <= from)
			continue;
		if (from / PAGE > lo)
			lo = from / PAGE;
		for (pfn = lo; pfn < hi && page_free(g, pfn); pfn++)
			;
		if (pfn == hi || (found && pfn * PAGE >= *start))
			continue;
		*start = pfn * PAGE;
		while (pfn < hi && !page_free(g, pfn))
			pfn++;
		*end = pfn * PAGE;
		found = true;
	}
	return found;
}

/* Allocated pages, but none of the stack arena's. */
static void heap_regions(const struct us_gdb_target *g, struct candidate *c, uint64_t from)
{
	uint64_t arena_lo = g->pages.stack_arena_start, arena_hi = g->pages.stack_arena_end;
	struct gdb_memory_region r = { .read = true, .write = true, .name = "[heap]" };

	for (int tries = 0; tries < 3 && used_run(g, from, &r.start, &r.end); tries++) {
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

bool us_gdb_memory_region(const struct us_gdb_target *g, uint64_t from, struct gdb_memory_region *out)
{
	struct candidate c = { .found = false };

	image_regions(g, &c, from);
	stack_regions(g, &c, from);
	heap_regions(g, &c, from);
	if (!c.found)
		return false;
	if (c.cut && c.cut < c.best.end)
		c.best.end = c.cut;
	*out = c.best;
	return true;
}
