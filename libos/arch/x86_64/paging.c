/*
 * The final page tables, and sealing.
 *
 * Memory is identity-mapped. Each 4 KiB page gets the permissions of what it
 * holds: image text RX, rodata R+NX, data/bss RW+NX, other RAM RW+NX, the
 * page tables themselves R+NX, stack guard pages and the first megabyte not
 * mapped at all (so a null dereference faults), the APICs uncached RW+NX,
 * pages shared with the hypervisor outside RAM (the Xen console ring)
 * cached RW+NX, the MMIO windows drivers claimed at boot (virtio-mmio
 * transports, PCI BARs: paging_add_mmio) uncached RW+NX.
 * 2 MiB regions whose pages all share plain-RAM permissions get one large
 * page; only regions that hold something special are split, so building the
 * tables costs little even for large guests.
 *
 * Permissions are final from the moment the tables are loaded, except that
 * CR0.WP is still clear, so the kernel can finish initialising read-only
 * data. Sealing sets CR0.WP: from then on nothing, not even the kernel,
 * writes text, rodata or the page tables.
 */
#include <stdint.h>
#include <string.h>
#include "arch.h"
#include "cpu.h"
#include "paging.h"
#include "image.h"

#define PTE_PRESENT (1ull << 0)
#define PTE_WRITE (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_LARGE (1ull << 7)
#define PTE_NX (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull
#define REGION_SIZE (2ull << 20)
#define PAGES_PER_REGION 512
#define FLAGS_RAM (PTE_PRESENT | PTE_WRITE | PTE_NX)
#define FLAGS_MMIO (PTE_PRESENT | PTE_WRITE | PTE_NX | PTE_PCD | PTE_PWT)
#define LOW_UNMAPPED_END 0x100000ull
#define MMIO_IOAPIC 0xfec00000ull
#define MMIO_LAPIC 0xfee00000ull

static const struct paging_layout *layout;
static uint64_t pool_start, pool_pages, pool_used;
static uint64_t root_table;
static uint32_t sealed_flag;
static uint64_t shared_pages[MAX_SHARED_PAGES];
static unsigned nr_shared_pages;

/* The platform registers these before paging_init; they stay mapped RW+NX. */
int paging_add_shared_page(uint64_t pa)
{
	if (nr_shared_pages >= MAX_SHARED_PAGES || pa % PAGE_SIZE || pa >> 52)
		return -1;
	shared_pages[nr_shared_pages++] = pa;
	return 0;
}

/* Devices' MMIO windows, claimed by drivers before paging_init (modules' early stage). */
static struct { uint64_t lo, hi; } mmio_windows[MAX_MMIO_WINDOWS];
static unsigned nr_mmio_windows;

int paging_add_mmio(uint64_t lo, uint64_t hi)
{
	lo = PAGE_ALIGN_DOWN(lo);
	hi = PAGE_ALIGN_UP(hi);
	for (unsigned i = 0; i < nr_mmio_windows; i++)
		if (mmio_windows[i].lo <= lo && hi <= mmio_windows[i].hi)
			return 0; /* claimed already */
	if (nr_mmio_windows >= MAX_MMIO_WINDOWS || hi <= lo || hi >> 46 || hi - lo > MAX_MMIO_WINDOW_SIZE)
		return -1;
	mmio_windows[nr_mmio_windows].lo = lo;
	mmio_windows[nr_mmio_windows++].hi = hi;
	return 0;
}

static int overlaps_mmio_window(uint64_t lo, uint64_t hi)
{
	for (unsigned i = 0; i < nr_mmio_windows; i++)
		if (mmio_windows[i].lo < hi && mmio_windows[i].hi > lo)
			return 1;
	return 0;
}

/* Pages never mapped, beside the stack arena's: the main thread's guard page. */
static uint64_t guard_pages[MAX_GUARD_PAGES];
static unsigned nr_guard_pages;

int paging_add_guard_page(uint64_t pa)
{
	if (nr_guard_pages >= MAX_GUARD_PAGES || pa % PAGE_SIZE)
		return -1;
	guard_pages[nr_guard_pages++] = pa;
	return 0;
}

static int overlaps_guard_page(uint64_t lo, uint64_t hi)
{
	for (unsigned i = 0; i < nr_guard_pages; i++)
		if (guard_pages[i] < hi && guard_pages[i] + PAGE_SIZE > lo)
			return 1;
	return 0;
}

static int overlaps_shared_page(uint64_t lo, uint64_t hi)
{
	for (unsigned i = 0; i < nr_shared_pages; i++)
		if (shared_pages[i] < hi && shared_pages[i] + PAGE_SIZE > lo)
			return 1;
	return 0;
}

static int in_range(uint64_t a, uint64_t lo, uint64_t hi)
{
	return a >= lo && a < hi;
}

static int is_ram(uint64_t pa)
{
	for (unsigned i = 0; i < layout->nr_ram; i++)
		if (in_range(pa, layout->ram[i].start, layout->ram[i].end))
			return 1;
	return 0;
}

static int is_guard_page(uint64_t pa)
{
	uint64_t off;

	if (overlaps_guard_page(pa, pa + 1))
		return 1;
	if (!layout->guard_stride || !in_range(pa, layout->arena_start, layout->arena_end))
		return 0;
	off = pa - layout->arena_start;
	return off % layout->guard_stride < PAGE_SIZE;
}

/* Sets pt entries for the pages of [lo, hi) inside region to flags (0: unmapped). */
static void fill_range(uint64_t *pt, uint64_t region, uint64_t lo, uint64_t hi, uint64_t flags)
{
	if (lo < region)
		lo = region;
	if (hi > region + REGION_SIZE)
		hi = region + REGION_SIZE;
	for (uint64_t pa = PAGE_ALIGN_DOWN(lo); pa < hi; pa += PAGE_SIZE)
		pt[(pa - region) / PAGE_SIZE] = flags ? pa | flags : 0;
}

static void fill_guard_pages(uint64_t *pt, uint64_t region)
{
	uint64_t lo = layout->arena_start, hi = layout->arena_end;

	if (!layout->guard_stride || hi <= region || lo >= region + REGION_SIZE)
		return;
	if (lo < region)
		lo += (region - lo + layout->guard_stride - 1) / layout->guard_stride * layout->guard_stride;
	for (uint64_t pa = lo; pa < hi && pa < region + REGION_SIZE; pa += layout->guard_stride)
		pt[(pa - region) / PAGE_SIZE] = 0;
}

/*
 * A split region's table: plain RAM first, then what is special on top.
 */
static void fill_region_table(uint64_t *pt, uint64_t region)
{
	for (unsigned i = 0; i < layout->nr_ram; i++)
		fill_range(pt, region, layout->ram[i].start, layout->ram[i].end, FLAGS_RAM);
	fill_range(pt, region, 0, LOW_UNMAPPED_END, 0);
	fill_range(pt, region, (uint64_t)_image_start, (uint64_t)_text_start, PTE_PRESENT | PTE_NX);
	fill_range(pt, region, (uint64_t)_text_start, (uint64_t)_text_end, PTE_PRESENT);
	fill_range(pt, region, (uint64_t)_text_end, (uint64_t)_rodata_end, PTE_PRESENT | PTE_NX);
	fill_range(pt, region, (uint64_t)_rodata_end, (uint64_t)_image_end, FLAGS_RAM);
	fill_range(pt, region, pool_start, pool_start + pool_pages * PAGE_SIZE, PTE_PRESENT | PTE_NX);
	fill_range(pt, region, MMIO_IOAPIC, MMIO_IOAPIC + PAGE_SIZE, FLAGS_MMIO);
	fill_range(pt, region, MMIO_LAPIC, MMIO_LAPIC + PAGE_SIZE, FLAGS_MMIO);
	for (unsigned i = 0; i < nr_shared_pages; i++)
		fill_range(pt, region, shared_pages[i], shared_pages[i] + PAGE_SIZE, FLAGS_RAM);
	for (unsigned i = 0; i < nr_mmio_windows; i++)
		fill_range(pt, region, mmio_windows[i].lo, mmio_windows[i].hi, FLAGS_MMIO);
	fill_guard_pages(pt, region);
	for (unsigned i = 0; i < nr_guard_pages; i++)
		fill_range(pt, region, guard_pages[i], guard_pages[i] + PAGE_SIZE, 0);
}

static int overlaps(uint64_t region, uint64_t lo, uint64_t hi)
{
	return lo < region + REGION_SIZE && hi > region;
}

/* A region needs 4 KiB pages unless all of it is plain RAM or all unmapped. */
static int region_is_special(uint64_t region)
{
	if (overlaps(region, 0, LOW_UNMAPPED_END) ||
	    overlaps(region, (uint64_t)_image_start, (uint64_t)_image_end) ||
	    overlaps(region, layout->arena_start, layout->arena_end) ||
	    overlaps(region, pool_start, pool_start + pool_pages * PAGE_SIZE) ||
	    overlaps(region, MMIO_IOAPIC, MMIO_IOAPIC + PAGE_SIZE) ||
	    overlaps(region, MMIO_LAPIC, MMIO_LAPIC + PAGE_SIZE) ||
	    overlaps_shared_page(region, region + REGION_SIZE) ||
	    overlaps_mmio_window(region, region + REGION_SIZE) ||
	    overlaps_guard_page(region, region + REGION_SIZE))
		return 1;
	for (unsigned i = 0; i < layout->nr_ram; i++) {
		uint64_t s = layout->ram[i].start, e = layout->ram[i].end;
		if (overlaps(region, s, e) && (s > region || e < region + REGION_SIZE))
			return 1;
	}
	return 0;
}

static uint64_t *table_alloc(void)
{
	uint64_t *t;

	if (pool_used >= pool_pages)
		return 0;
	t = (uint64_t *)(pool_start + pool_used++ * PAGE_SIZE);
	memset(t, 0, PAGE_SIZE);
	return t;
}

static uint64_t *table_next(uint64_t *table, unsigned index)
{
	uint64_t *next;

	if (table[index] & PTE_PRESENT)
		return (uint64_t *)(table[index] & PTE_ADDR_MASK);
	next = table_alloc();
	if (next)
		table[index] = (uint64_t)next | PTE_PRESENT | PTE_WRITE;
	return next;
}

static int map_region(uint64_t *pml4, uint64_t region)
{
	uint64_t *pdpt = table_next(pml4, (region >> 39) & 511);
	uint64_t *pd = pdpt ? table_next(pdpt, (region >> 30) & 511) : 0;
	unsigned pd_index = (region >> 21) & 511;
	uint64_t *pt;

	if (!pd)
		return -1;
	if (!region_is_special(region)) {
		if (is_ram(region))
			pd[pd_index] = region | FLAGS_RAM | PTE_LARGE;
		return 0;
	}
	pt = table_next(pd, pd_index);
	if (!pt)
		return -1;
	fill_region_table(pt, region);
	return 0;
}

static uint64_t map_end(void)
{
	uint64_t end = MMIO_LAPIC + REGION_SIZE;

	for (unsigned i = 0; i < layout->nr_ram; i++)
		if (layout->ram[i].end > end)
			end = layout->ram[i].end;
	for (unsigned i = 0; i < nr_shared_pages; i++)
		if (shared_pages[i] + PAGE_SIZE > end)
			end = shared_pages[i] + PAGE_SIZE;
	return (end + REGION_SIZE - 1) & ~(REGION_SIZE - 1);
}

/* An upper bound on table pages: every split region, every directory. */
static uint64_t tables_needed(uint64_t end)
{
	uint64_t special = 0;

	for (uint64_t r = 0; r < end; r += REGION_SIZE)
		special += region_is_special(r);
	for (unsigned i = 0; i < nr_mmio_windows; i++) /* its regions and directories */
		special += (mmio_windows[i].hi - mmio_windows[i].lo) / REGION_SIZE + 2 + 2;
	return 2 + (end >> 30) + 1 + special + 2; /* +2: the pool's own regions */
}

/* Windows beyond the RAM's end (a PCI BAR above 4 GiB): their regions only. */
static int map_mmio_windows(uint64_t *pml4, uint64_t end)
{
	for (unsigned i = 0; i < nr_mmio_windows; i++) {
		uint64_t lo = mmio_windows[i].lo & ~(REGION_SIZE - 1);
		for (uint64_t r = lo < end ? end : lo; r < mmio_windows[i].hi; r += REGION_SIZE)
			if (map_region(pml4, r) < 0)
				return -1;
	}
	return 0;
}

int paging_init(const struct paging_layout *l, uint64_t (*alloc_pages)(uint64_t count))
{
	uint64_t end, *pml4;

	layout = l;
	end = map_end();
	pool_pages = tables_needed(end);
	if (pool_pages > MAX_PT_POOL_PAGES)
		return -1;
	pool_start = alloc_pages(pool_pages);
	if (!pool_start)
		return -1;
	pml4 = table_alloc();
	for (uint64_t r = 0; r < end; r += REGION_SIZE)
		if (map_region(pml4, r) < 0)
			return -1;
	if (map_mmio_windows(pml4, end) < 0)
		return -1;
	root_table = (uint64_t)pml4;
	write_cr3(root_table);
	return 0;
}

void paging_seal(void)
{
	write_cr0(read_cr0() | CR0_WP);
	sealed_flag = 1;
}

uint32_t *paging_sealed_flag(void)
{
	return &sealed_flag;
}

/* Lift the seal for one write; only the full debug profile does this. */
uint64_t paging_unseal(void)
{
	uint64_t cr0 = read_cr0();

	write_cr0(cr0 & ~CR0_WP);
	return cr0;
}

void paging_reseal(uint64_t saved_cr0)
{
	write_cr0(saved_cr0);
}

/* The leaf entry mapping va, or 0: lets the stub check an address before touching it. */
uint64_t paging_lookup(uint64_t va, uint64_t *page_size)
{
	uint64_t *table = (uint64_t *)root_table;

	if (!table || (va >> 48) != 0)
		return 0;
	for (int level = 3; level >= 0; level--) {
		uint64_t e = table[(va >> (12 + 9 * level)) & 511];
		if (!(e & PTE_PRESENT))
			return 0;
		if (level == 0 || (e & PTE_LARGE)) {
			*page_size = 1ull << (12 + 9 * level);
			return e;
		}
		table = (uint64_t *)(e & PTE_ADDR_MASK);
	}
	return 0;
}

int paging_is_guard(uint64_t va)
{
	return is_guard_page(PAGE_ALIGN_DOWN(va));
}

int paging_is_mapped(uint64_t va)
{
	uint64_t page_size;

	return paging_lookup(va, &page_size) != 0;
}

int paging_range_mapped(uint64_t va, uint64_t len)
{
	uint64_t last = PAGE_ALIGN_DOWN(va + len - 1);

	if (len == 0 || va + len - 1 < va)
		return len == 0;
	for (uint64_t page = PAGE_ALIGN_DOWN(va);; page += PAGE_SIZE) {
		if (!paging_is_mapped(page))
			return 0;
		if (page == last)
			return 1;
	}
}
