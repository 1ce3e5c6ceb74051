/*
 * The page allocator: one bit per 4 KiB page of physical memory, set when
 * the page is free. The bitmap itself lives in the first RAM range big
 * enough to hold it. Allocation is first fit over contiguous runs, which is
 * plenty for a libOS that allocates big things (stacks, heap chunks) rarely.
 */
#include <string.h>
#include "kern.h"

struct uniscope_heap_stats heap_stats;
struct uniscope_pages page_map; /* for host tools (uniscope_info.pages) */
_Static_assert(MAX_RAM_RANGES <= UNISCOPE_PAGES_RAM_MAX, "the descriptor holds every RAM range");
static uint64_t *free_bits;
static uint64_t nr_pages; /* pages covered by the bitmap, from address 0 */
static struct { uint64_t start, end; } ram[MAX_RAM_RANGES];
static unsigned nr_ram;
static uint64_t search_hint;

static int page_is_free(uint64_t pfn) { return (free_bits[pfn / 64] >> (pfn % 64)) & 1; }
static void page_mark_free(uint64_t pfn) { free_bits[pfn / 64] |= 1ull << (pfn % 64); }
static void page_mark_used(uint64_t pfn) { free_bits[pfn / 64] &= ~(1ull << (pfn % 64)); }

void page_alloc_add_ram(uint64_t start, uint64_t end)
{
	start = PAGE_ALIGN_UP(start);
	end = PAGE_ALIGN_DOWN(end);
	if (end > start && nr_ram < MAX_RAM_RANGES) {
		ram[nr_ram].start = start;
		ram[nr_ram].end = end;
		nr_ram++;
	}
}

/* Whole words at a time: boot time matters. */
static void page_mark(uint64_t pfn, bool free)
{
	if (free)
		page_mark_free(pfn);
	else
		page_mark_used(pfn);
}

/* [pfn, end) free or used, whole words at a time: boot time matters. */
static void mark_range(uint64_t pfn, uint64_t end, bool free)
{
	for (; pfn < end && pfn % 64; pfn++)
		page_mark(pfn, free);
	for (; pfn + 64 <= end; pfn += 64)
		free_bits[pfn / 64] = free ? ~0ull : 0;
	for (; pfn < end; pfn++)
		page_mark(pfn, free);
}

/* Place the bitmap, then mark every RAM page free. */
void page_alloc_init(void)
{
	uint64_t top = 0, bytes;

	for (unsigned i = 0; i < nr_ram; i++)
		if (ram[i].end > top)
			top = ram[i].end;
	nr_pages = top / PAGE_SIZE;
	bytes = PAGE_ALIGN_UP((nr_pages + 63) / 64 * 8);
	for (unsigned i = 0; i < nr_ram && !free_bits; i++) {
		if (ram[i].end - ram[i].start >= bytes + PAGE_SIZE) {
			free_bits = (uint64_t *)ram[i].start;
			ram[i].start += bytes;
		}
	}
	if (!free_bits)
		panic("no RAM range can hold the page bitmap (%llu bytes)", (unsigned long long)bytes);
	memset(free_bits, 0, bytes);
	for (unsigned i = 0; i < nr_ram; i++) {
		heap_stats.pages_total += (ram[i].end - ram[i].start) / PAGE_SIZE;
		mark_range(ram[i].start / PAGE_SIZE, ram[i].end / PAGE_SIZE, true);
	}
	heap_stats.pages_free = heap_stats.pages_total;
	page_map.free_bits = (uint64_t)free_bits;
	page_map.nr_pages = nr_pages;
	page_map.nr_ram = nr_ram;
	memcpy(page_map.ram, ram, sizeof(ram[0]) * nr_ram);
}

static uint64_t find_free_run(uint64_t from, uint64_t count)
{
	uint64_t run = 0;

	for (uint64_t pfn = from; pfn < nr_pages; pfn++) {
		if (pfn % 64 == 0 && free_bits[pfn / 64] == ~0ull && pfn + 64 <= nr_pages &&
		    run + 64 < count) {
			run += 64; /* a whole free word: the stack arena is thousands of pages */
			pfn += 63;
			continue;
		}
		if (!page_is_free(pfn)) {
			run = 0;
			if (free_bits[pfn / 64] == 0)
				pfn |= 63; /* skip a whole used word */
			continue;
		}
		if (++run == count)
			return pfn + 1 - count;
	}
	return 0;
}

/* Returns the physical (= virtual) address of count contiguous pages, or 0. */
uint64_t page_alloc(uint64_t count)
{
	uint64_t first;

	if (!count || count > heap_stats.pages_free)
		return 0;
	first = find_free_run(search_hint, count);
	if (!first && search_hint)
		first = find_free_run(0, count);
	if (!first)
		return 0;
	mark_range(first, first + count, false);
	heap_stats.pages_free -= count;
	search_hint = first + count;
	return first * PAGE_SIZE;
}

uint64_t page_alloc_top(void)
{
	return nr_pages * PAGE_SIZE;
}

void page_free(uint64_t addr, uint64_t count)
{
	uint64_t pfn = addr / PAGE_SIZE;

	if (addr % PAGE_SIZE || pfn + count > nr_pages)
		panic("page_free(%#llx, %llu): not an allocated range",
		      (unsigned long long)addr, (unsigned long long)count);
	for (uint64_t i = 0; i < count; i++) {
		if (page_is_free(pfn + i))
			panic("page_free: page %#llx freed twice", (unsigned long long)((pfn + i) * PAGE_SIZE));
		page_mark_free(pfn + i);
	}
	heap_stats.pages_free += count;
	if (pfn < search_hint)
		search_hint = pfn;
}

/* The first allocated page at or after pfn in [pfn, end), or end. */
static uint64_t next_used(uint64_t pfn, uint64_t end)
{
	while (pfn < end) {
		if (pfn % 64 == 0 && pfn + 64 <= end && free_bits[pfn / 64] == ~0ull) {
			pfn += 64;
			continue;
		}
		if (!page_is_free(pfn))
			return pfn;
		pfn++;
	}
	return end;
}

static uint64_t next_free(uint64_t pfn, uint64_t end)
{
	while (pfn < end && !page_is_free(pfn))
		pfn++;
	return pfn;
}

/*
 * For debuggers' memory maps: the lowest run of allocated pages, within one
 * RAM range, that ends above `from`, as [*start, *end). False when none.
 */
bool page_used_run(uint64_t from, uint64_t *start, uint64_t *end)
{
	bool found = false;

	for (unsigned i = 0; i < nr_ram; i++) {
		uint64_t lo = ram[i].start / PAGE_SIZE, hi = ram[i].end / PAGE_SIZE, first;

		if (hi * PAGE_SIZE <= from)
			continue;
		if (from / PAGE_SIZE > lo)
			lo = from / PAGE_SIZE;
		first = next_used(lo, hi);
		if (first == hi || (found && first * PAGE_SIZE >= *start))
			continue;
		*start = first * PAGE_SIZE;
		*end = next_free(first, hi) * PAGE_SIZE;
		found = true;
	}
	return found;
}

