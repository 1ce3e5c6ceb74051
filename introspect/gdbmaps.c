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
 * (uniscope_info.pages). Without one, the regions are the page tables'
 * mappings, unnamed.
 *
 * The map is built once per snapshot of the threads, as a sorted list of
 * regions that do not overlap; memory_region is then a binary search. (It
 * used to be recomputed at every call, and GDB's maps file calls it once
 * per region for every read of the file: a hostile guest with many
 * threads, or 32 RAM ranges over a large free bitmap, kept the bridge busy
 * for hours.) Where candidates overlap, the region at an address is the
 * one that started there or before and ends soonest, cut where the next
 * one begins, so that a stack inside a run of heap pages splits it.
 * Everything read is bounded: a corrupt map gives fewer regions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gdbtarget.h"

#define PAGE 4096ull
#define STACK_MAX (64ull << 20) /* larger "stacks" are a corrupt thread, not a region */

enum map_kind { MAP_TEXT, MAP_RODATA, MAP_DATA, MAP_STACK, MAP_HEAP, MAP_PAGES };

/* Regions (or candidates for them) being gathered: at most `limit`, the array grown as they come. */
struct map_list {
	struct us_gdb_map *at;
	size_t count, room, limit;
	bool fixed; /* at is the caller's, of `room` entries */
};

void us_gdb_maps_fini(struct us_gdb_target *g)
{
	free(g->maps);
	g->maps = NULL;
	g->nr_maps = 0;
}

static bool full(const struct map_list *l)
{
	return l->count >= l->limit;
}

static void add(struct map_list *l, uint64_t start, uint64_t end, uint32_t kind, uint32_t arg)
{
	if (start >= end || full(l))
		return;
	if (l->count == l->room) {
		size_t room = l->room ? 2 * l->room : 64;
		struct us_gdb_map *grown = l->fixed ? NULL : realloc(l->at, room * sizeof(*grown));

		if (!grown) {
			l->limit = l->count; /* out of memory: a shorter map */
			return;
		}
		l->at = grown;
		l->room = room;
	}
	l->at[l->count++] = (struct us_gdb_map){ .start = start, .end = end, .kind = kind, .arg = arg };
}

/* ---- candidates ----------------------------------------------------------- */

static void add_section(struct us_gdb_target *g, struct map_list *l, uint32_t kind,
			const char *start, const char *end)
{
	struct us_symbol s, e;
	struct us_error *err;

	if ((err = us_target_lookup_symbol(g->t, start, &s)) || (err = us_target_lookup_symbol(g->t, end, &e))) {
		us_error_destroy(err);
		return;
	}
	add(l, s.address, e.address, kind, 0);
}

static void add_stacks(const struct us_gdb_target *g, struct map_list *l)
{
	for (size_t i = 0; i < g->nr_threads; i++) {
		const struct us_thread *t = &g->threads[i];

		if (t->stack_hi - t->stack_lo <= STACK_MAX)
			add(l, t->stack_lo, t->stack_hi, MAP_STACK, t->id);
	}
}

/* A run of used pages, less the stack arena [a0, a1). */
static void add_heap_run(struct map_list *l, uint64_t start, uint64_t end, uint64_t a0, uint64_t a1)
{
	if (a0 >= a1 || end <= a0 || start >= a1) {
		add(l, start, end, MAP_HEAP, 0);
		return;
	}
	add(l, start, a0, MAP_HEAP, 0);
	add(l, a1, end, MAP_HEAP, 0);
}

static int by_start(const void *a, const void *b)
{
	const struct us_gdb_map *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->end < y->end ? -1 : x->end > y->end;
}

/*
 * Past the pages from pfn (below hi) whose bit is `free` (1: free). A word
 * at a time, the first page that ends the run found by its lowest set bit;
 * across long runs eight words at a time, with one test for the eight (a
 * bitmap may hold millions of pages).
 */
static uint64_t skip_pages(const uint64_t *bits, uint64_t pfn, uint64_t hi, bool free)
{
	const uint64_t flip = free ? ~0ull : 0;

	while (pfn < hi) {
		const uint64_t *w = bits + pfn / 64;
		uint64_t enders;
		if (pfn % 512 == 0 && hi - pfn >= 512 &&
		    !((w[0] ^ flip) | (w[1] ^ flip) | (w[2] ^ flip) | (w[3] ^ flip) |
		      (w[4] ^ flip) | (w[5] ^ flip) | (w[6] ^ flip) | (w[7] ^ flip))) {
			pfn += 512;
			continue;
		}
		enders = (w[0] ^ flip) >> (pfn % 64);
		if (enders) {
			uint64_t end = pfn + (uint64_t)__builtin_ctzll(enders);
			return end < hi ? end : hi;
		}
		pfn = (pfn | 63) + 1;
	}
	return hi;
}

/*
 * The used pages of the RAM ranges, as runs. Ranges are merged first, so
 * that overlapping ones (a corrupt map) are scanned once: at most
 * nr_pages bits in all.
 */
static void add_heap(struct map_list *l, const struct uniscope_pages *p, const uint64_t *bits)
{
	struct us_gdb_map ram[UNISCOPE_PAGES_RAM_MAX];
	struct map_list ranges = { .at = ram, .room = UNISCOPE_PAGES_RAM_MAX, .limit = UNISCOPE_PAGES_RAM_MAX,
				   .fixed = true };
	size_t merged = 0;

	for (uint32_t i = 0; i < p->nr_ram; i++)
		add(&ranges, p->ram[i].start / PAGE,
		    p->ram[i].end / PAGE < p->nr_pages ? p->ram[i].end / PAGE : p->nr_pages, 0, 0);
	qsort(ram, ranges.count, sizeof(*ram), by_start);
	for (size_t i = 0; i < ranges.count; i++) {
		if (merged && ram[i].start <= ram[merged - 1].end) {
			if (ram[i].end > ram[merged - 1].end)
				ram[merged - 1].end = ram[i].end;
		} else {
			ram[merged++] = ram[i];
		}
	}
	for (size_t i = 0; i < merged && !full(l); i++) {
		for (uint64_t pfn = ram[i].start; pfn < ram[i].end && !full(l);) {
			uint64_t used = skip_pages(bits, pfn, ram[i].end, true);
			pfn = skip_pages(bits, used, ram[i].end, false);
			add_heap_run(l, used * PAGE, pfn * PAGE, p->stack_arena_start, p->stack_arena_end);
		}
	}
}

/* The page allocator's map, or false when the guest gives none (or a corrupt one). */
static bool add_page_map(struct us_gdb_target *g, struct map_list *l)
{
	const struct uniscope_info *info = us_target_info(g->t);
	struct uniscope_pages pages;
	struct us_error *err;
	uint64_t *bits;
	size_t bytes;

	if (!info || !info->pages)
		return false;
	if ((err = us_target_read(g->t, info->pages, &pages, sizeof(pages)))) {
		us_error_destroy(err);
		return false;
	}
	if (pages.nr_pages == 0 || pages.nr_pages > UNISCOPE_PAGES_MAX || pages.nr_ram > UNISCOPE_PAGES_RAM_MAX)
		return false;
	bytes = (size_t)(pages.nr_pages + 63) / 64 * 8;
	if (!(bits = malloc(bytes)))
		return false;
	if ((err = us_target_read(g->t, pages.free_bits, bits, bytes))) {
		us_error_destroy(err);
		free(bits);
		return false;
	}
	add_section(g, l, MAP_TEXT, "_text_start", "_text_end");
	add_section(g, l, MAP_RODATA, "_rodata_start", "_rodata_end");
	add_section(g, l, MAP_DATA, "_data_start", "_bss_end");
	add_stacks(g, l);
	add_heap(l, &pages, bits);
	free(bits);
	return true;
}

static int add_mapping(void *arg, const struct us_mapping *m)
{
	struct map_list *l = arg;

	if (m->vaddr + m->size > m->vaddr)
		add(l, m->vaddr, m->vaddr + m->size, MAP_PAGES, m->writable | m->executable << 1);
	return full(l);
}

/* ---- the sweep: candidates to regions ---------------------------------------- */

/* A min-heap of candidate indices by end: those that have begun. */
struct open_set {
	size_t *at, count;
	const struct us_gdb_map *c;
};

static bool ends_before(const struct open_set *h, size_t a, size_t b)
{
	return h->c[h->at[a]].end < h->c[h->at[b]].end;
}

static void swap(struct open_set *h, size_t a, size_t b)
{
	size_t t = h->at[a];

	h->at[a] = h->at[b];
	h->at[b] = t;
}

static void open_push(struct open_set *h, size_t index)
{
	size_t i = h->count++;

	h->at[i] = index;
	for (; i && ends_before(h, i, (i - 1) / 2); i = (i - 1) / 2)
		swap(h, i, (i - 1) / 2);
}

static void open_pop(struct open_set *h)
{
	size_t i = 0;

	h->at[0] = h->at[--h->count];
	for (;;) {
		size_t least = i, left = 2 * i + 1, right = left + 1;

		if (left < h->count && ends_before(h, left, least))
			least = left;
		if (right < h->count && ends_before(h, right, least))
			least = right;
		if (least == i)
			return;
		swap(h, i, least);
		i = least;
	}
}

/*
 * Regions in address order from candidates sorted by start: at each
 * address, the candidate that covers it and ends soonest, or else the next
 * to begin; cut where another begins.
 */
static void sweep(const struct map_list *c, struct open_set *open, struct map_list *out)
{
	uint64_t from = 0;
	size_t next = 0;

	while (!full(out)) {
		struct us_gdb_map best;

		while (next < c->count && c->at[next].start <= from)
			open_push(open, next++);
		while (open->count && c->at[open->at[0]].end <= from)
			open_pop(open);
		if (open->count) {
			best = c->at[open->at[0]];
			best.start = from;
		} else if (next < c->count) {
			best = c->at[next];
			open_push(open, next++);
			while (next < c->count && c->at[next].start == best.start)
				open_push(open, next++);
		} else {
			return;
		}
		if (next < c->count && c->at[next].start < best.end)
			best.end = c->at[next].start;
		add(out, best.start, best.end, best.kind, best.arg);
		from = best.end;
	}
}

void us_gdb_maps_refresh(struct us_gdb_target *g)
{
	struct map_list candidates = { .limit = 3 + g->nr_threads + US_GDB_MAPS_MAX };
	struct map_list regions = { .limit = US_GDB_MAPS_MAX };
	struct open_set open = { .at = NULL };

	us_gdb_maps_fini(g);
	if (!add_page_map(g, &candidates))
		us_error_destroy(us_target_mappings(g->t, add_mapping, &candidates));
	if (candidates.count && (open.at = malloc(candidates.count * sizeof(size_t)))) {
		open.c = candidates.at;
		qsort(candidates.at, candidates.count, sizeof(struct us_gdb_map), by_start);
		sweep(&candidates, &open, &regions);
	}
	free(candidates.at);
	free(open.at);
	g->maps = regions.at;
	g->nr_maps = regions.count;
}

static void describe(const struct us_gdb_map *m, struct gdb_memory_region *out)
{
	static const char *const names[] = { "[text]", "[rodata]", "[data]", "", "[heap]", "" };

	*out = (struct gdb_memory_region){ .start = m->start, .end = m->end, .read = true };
	snprintf(out->name, sizeof(out->name), "%s", names[m->kind]);
	switch (m->kind) {
	case MAP_TEXT:
		out->exec = true;
		break;
	case MAP_RODATA:
		break;
	case MAP_STACK:
		snprintf(out->name, sizeof(out->name), "[stack:%u]", m->arg);
		/* fall through */
	case MAP_DATA:
	case MAP_HEAP:
		out->write = true;
		break;
	default: /* MAP_PAGES */
		out->write = m->arg & 1;
		out->exec = m->arg >> 1 & 1;
	}
}

bool us_gdb_memory_region(const struct us_gdb_target *g, uint64_t from, struct gdb_memory_region *out)
{
	size_t lo = 0, hi = g->nr_maps;

	while (lo < hi) { /* the first region that ends above from */
		size_t mid = lo + (hi - lo) / 2;

		if (g->maps[mid].end <= from)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == g->nr_maps)
		return false;
	describe(&g->maps[lo], out);
	if (out->start < from)
		out->start = from;
	return true;
}
