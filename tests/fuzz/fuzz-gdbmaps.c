/*
 * libFuzzer target for the memory map host tools give GDB
 * (introspect/gdbmaps.c, through the gdbstub target's memory_region op:
 * vFile's /proc/PID/maps, `info proc mappings`, gcore). The input is the
 * guest's page allocator map (struct uniscope_pages: RAM ranges, stack
 * arena, bitmap pointer and size) and the memory behind it: the bitmap and
 * the thread list whose stacks become regions. The map must come out in
 * address order, regions neither empty nor overlapping, at most
 * US_GDB_MAPS_MAX of them, without reading outside the guest or taking
 * long (libFuzzer's -timeout).
 *
 * Input layout: byte 0 flags, bytes 1..8 the thread list's head; the rest
 * is guest memory from PAGES_AT (struct uniscope_pages first).
 *	flag 1  the bitmap is the input's bytes after the struct (else the
 *	        struct's own free_bits pointer, wherever it leads)
 *	flag 2  nr_pages no more than that bitmap holds and ranges inside it,
 *	        so that the fuzzer reaches the scan and not only the checks
 *	flag 4  paging on with an identity map (else off)
 */
#include <stdlib.h>
#include <string.h>

#include "../../introspect/gdbtarget.h"
#include "synthetic.h"

#define GUEST_SIZE (1u << 18)
#define DESC_AT 0x1000u
#define LIST_HEAD 0x1800u
#define PAGES_AT 0x4000u
#define BITMAP_AT (PAGES_AT + sizeof(struct uniscope_pages))

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void put64(uint8_t *mem, uint64_t at, uint64_t v) { memcpy(mem + at, &v, 8); }

static void plant_descriptor(uint8_t *mem)
{
	struct uniscope_info info = {
		.magic = UNISCOPE_INFO_MAGIC, .version = UNISCOPE_INFO_VERSION,
		.size = sizeof(struct uniscope_info), .nr_cpus = 1, .thread_layout = TEST_THREAD_LAYOUT,
		.thread_list = LIST_HEAD, .current_thread = LIST_HEAD + 8, .pages = PAGES_AT,
	};

	memcpy(mem + DESC_AT, &info, sizeof(info));
}

/* Flags 1 and 2: a bitmap that is there, ranges that fall inside it. */
static void tame_pages(uint8_t *mem, uint8_t flags)
{
	struct uniscope_pages p;
	uint64_t bitmap_pages = (GUEST_SIZE - BITMAP_AT) * 8;

	memcpy(&p, mem + PAGES_AT, sizeof(p));
	if (flags & 1)
		p.free_bits = BITMAP_AT;
	if (flags & 2) {
		p.nr_pages = p.nr_pages % bitmap_pages + 1;
		p.nr_ram %= UNISCOPE_PAGES_RAM_MAX + 1;
		for (uint32_t i = 0; i < p.nr_ram; i++) {
			p.ram[i].start %= p.nr_pages * 4096;
			p.ram[i].end %= p.nr_pages * 4096 + 1;
		}
	}
	memcpy(mem + PAGES_AT, &p, sizeof(p));
}

static void build_memory(uint8_t *mem, const uint8_t *data, size_t size)
{
	size_t n = size - 9 < GUEST_SIZE - PAGES_AT ? size - 9 : GUEST_SIZE - PAGES_AT;
	uint64_t head;

	memset(mem, 0, GUEST_SIZE);
	put64(mem, 0x2000, 0x3000 | 3); /* PML4 -> PDPT -> PD: one 2 MiB page at 0 */
	put64(mem, 0x3000, 0x3800 | 3);
	put64(mem, 0x3800, 0x83);
	plant_descriptor(mem);
	memcpy(&head, data + 1, 8);
	put64(mem, LIST_HEAD, head);
	memcpy(mem + PAGES_AT, data + 9, n);
	tame_pages(mem, data[0]);
}

/* The map as gdbstub/vfile.c reads it: each region the first that ends above the last one's end. */
static void walk_map(struct us_gdb_target *g)
{
	struct gdb_memory_region r;
	uint64_t from = 0;
	size_t count = 0;

	while (us_gdb_target_ops.memory_region(g, from, &r)) {
		CHECK(r.start >= from && r.end > r.start);
		CHECK(++count <= US_GDB_MAPS_MAX);
		CHECK(memchr(r.name, 0, sizeof(r.name)));
		from = r.end;
	}
	for (size_t i = 1; i < g->nr_maps; i++)
		CHECK(g->maps[i].start >= g->maps[i - 1].end);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *mem;
	struct uniscope_regs regs = { .cr0 = 0x11 };
	struct us_gdb_target g;
	struct us_backend *b;
	struct us_target *t;
	struct us_error *err;

	if (size < 9 || (!mem && !(mem = malloc(GUEST_SIZE))))
		return 0;
	build_memory(mem, data, size);
	if (data[0] & 4)
		regs = (struct uniscope_regs){ .cr0 = 0x80000011, .cr3 = 0x2000, .cr4 = 0x20 };
	if ((err = us_backend_buffer_borrow(mem, GUEST_SIZE, 0, &regs, &b))) {
		us_error_destroy(err);
		return 0;
	}
	b->info_address = DESC_AT;
	if ((err = us_target_open_backend(b, "fuzz", NULL, &t))) {
		us_error_destroy(err);
		return 0;
	}
	us_gdb_target_init(&g, t);
	us_gdb_target_refresh(&g);
	walk_map(&g);
	us_gdb_target_fini(&g);
	us_target_close(t);
	return 0;
}
