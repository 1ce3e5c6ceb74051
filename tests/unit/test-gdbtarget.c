/*
 * The gdbstub target over a libuniscope target (introspect/gdbtarget.c,
 * gdbmaps.c: `uniscope gdbserver`, and the host answers of `uniscope
 * run`'s bridge) on synthetic guests:
 *
 * The memory map (vFile's /proc/PID/maps, `info proc mappings`, gcore):
 * heap runs from the page allocator's bitmap less the stack arena, stacks
 * splitting the runs they sit in, and hostile maps (32 RAM ranges over one
 * large bitmap, tens of thousands of threads, a bitmap of alternating
 * pages) that must give a bounded, ordered map at once. The hostile cases
 * used to cost a full scan of the bitmap and of the thread list for every
 * region of the file: hours.
 *
 * The thread list document (qXfer:threads) of as many threads as a host
 * walk takes, read in windows as GDB reads it: every window regenerates
 * the document up to its end, and each element looked the thread up in
 * the whole list (hours, too). The alarm turns such a hang into a failure.
 *
 * The guest (paging off, 24 MiB at 0): 0x10000 descriptor, 0x11000
 * thread list head / current, 0x12000 the page map, 0x20000 + i * stride
 * threads, 0x1000000 the free-page bitmap (up to 8 MiB: 64 Mi pages).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tap.h"
#include "synthetic.h"
#include "../../introspect/gdbtarget.h"

#define MEM_SIZE (24u << 20)
#define DESC 0x10000ull
#define LIST_HEAD 0x11000ull
#define CURRENT 0x11008ull
#define PAGE_MAP 0x12000ull
#define THREADS 0x20000ull
#define BITMAP 0x1000000ull
#define MAX_TEST_THREADS ((BITMAP - THREADS) / sizeof(struct test_thread))

static uint8_t *mem;

static void put64(uint64_t addr, uint64_t v) { memcpy(mem + addr, &v, 8); }
static uint64_t thread_at(unsigned i) { return THREADS + i * sizeof(struct test_thread); }

static void build_descriptor(void)
{
	struct uniscope_info info = {
		.magic = UNISCOPE_INFO_MAGIC, .version = UNISCOPE_INFO_VERSION,
		.size = sizeof(struct uniscope_info), .nr_cpus = 1,
		.thread_layout = TEST_THREAD_LAYOUT,
		.thread_list = LIST_HEAD, .current_thread = CURRENT, .pages = PAGE_MAP,
	};

	memset(mem, 0, MEM_SIZE);
	memcpy(mem + DESC, &info, sizeof(info));
}

/* n threads, thread i's stack [lo(i), lo(i) + size). */
static void build_threads(unsigned n, uint64_t (*lo)(unsigned), uint64_t size)
{
	for (unsigned i = 0; i < n; i++) {
		struct test_thread th = { .id = i + 1, .state = UNISCOPE_THREAD_BLOCKED,
					  .stack_lo = lo(i), .stack_hi = lo(i) + size,
					  .next = i + 1 < n ? thread_at(i + 1) : 0 };

		memcpy(mem + thread_at(i), &th, sizeof(th));
	}
	put64(LIST_HEAD, n ? thread_at(0) : 0);
	put64(CURRENT, n ? thread_at(0) : 0);
}

/* The page map over nr_pages pages, every one free; ranges[i] = [0, ram_end). */
static void build_page_map(uint64_t nr_pages, uint32_t nr_ram, uint64_t ram_end,
			   uint64_t arena_start, uint64_t arena_end)
{
	struct uniscope_pages p = { .free_bits = BITMAP, .nr_pages = nr_pages, .nr_ram = nr_ram,
				    .stack_arena_start = arena_start, .stack_arena_end = arena_end };

	for (uint32_t i = 0; i < nr_ram; i++)
		p.ram[i].start = 0, p.ram[i].end = ram_end;
	memcpy(mem + PAGE_MAP, &p, sizeof(p));
	memset(mem + BITMAP, 0xff, (nr_pages + 7) / 8);
}

static void use_pages(uint64_t from, uint64_t to)
{
	for (uint64_t pfn = from; pfn < to; pfn++)
		mem[BITMAP + pfn / 8] &= (uint8_t)~(1u << (pfn % 8));
}

static bool open_guest(struct us_gdb_target *g)
{
	struct uniscope_regs regs = { .cr0 = 0x11 }; /* paging off */
	struct us_backend *b;
	struct us_target *t = NULL;
	struct us_error *err = us_backend_buffer_borrow(mem, MEM_SIZE, 0, &regs, &b);

	if (!err)
		err = us_target_open_backend(b, "synthetic", NULL, &t);
	if (err) {
		diag("open: %s", err->message);
		us_error_destroy(err);
		return false;
	}
	us_gdb_target_init(g, t);
	us_gdb_target_refresh(g);
	return true;
}

static void close_guest(struct us_gdb_target *g)
{
	struct us_target *t = g->t;

	us_gdb_target_fini(g);
	us_target_close(t);
}

/*
 * The maps file as gdbstub/vfile.c writes it: each region the first that
 * ends above the last one's end. Counts regions; false when one is empty,
 * overlaps the last or goes backwards.
 */
/* What the vFile code calls: the target's memory_region op (the map built at the first call). */
static bool region(struct us_gdb_target *g, uint64_t from, struct gdb_memory_region *r)
{
	return us_gdb_target_ops.memory_region(g, from, r);
}

static bool walk_map(struct us_gdb_target *g, size_t *count)
{
	struct gdb_memory_region r;
	uint64_t from = 0;

	for (*count = 0; *count <= US_GDB_MAPS_MAX && region(g, from, &r); ++*count) {
		if (r.start < from || r.end <= r.start)
			return false;
		from = r.end;
	}
	return true;
}

static void expect_region(struct us_gdb_target *g, uint64_t *from, uint64_t start, uint64_t end,
			  const char *name, bool write)
{
	struct gdb_memory_region r;
	bool found = region(g, *from, &r);

	ok(found && r.start == start && r.end == end && !strcmp(r.name, name) && r.read && r.write == write &&
	   !r.exec, "%s at %#llx-%#llx", name, (unsigned long long)start, (unsigned long long)end);
	if (found && r.start != start)
		diag("got %s %#llx-%#llx", r.name, (unsigned long long)r.start, (unsigned long long)r.end);
	*from = end;
}

static uint64_t two_stacks(unsigned i) { return i ? 0x200000 : 0x104000; }

static void test_layout(void)
{
	struct us_gdb_target g;
	struct gdb_memory_region r;
	uint64_t from = 0;

	build_descriptor();
	build_threads(2, two_stacks, 0x4000);
	build_page_map(1024, 2, 4u << 20, 0x200000, 0x280000);
	use_pages(0x100, 0x110); /* a heap run with thread 1's stack in it */
	use_pages(0x200, 0x300); /* the stack arena's first half, and heap after it */
	if (!open_guest(&g))
		return;
	expect_region(&g, &from, 0x100000, 0x104000, "[heap]", true);
	expect_region(&g, &from, 0x104000, 0x108000, "[stack:1]", true);
	expect_region(&g, &from, 0x108000, 0x110000, "[heap]", true);
	expect_region(&g, &from, 0x200000, 0x204000, "[stack:2]", true);
	expect_region(&g, &from, 0x280000, 0x300000, "[heap]", true);
	ok(!region(&g, from, &r), "nothing after the last run");
	ok(region(&g, 0x106000, &r) && r.start == 0x106000 && r.end == 0x108000 &&
	   !strcmp(r.name, "[stack:1]"), "a lookup inside a region starts where it was asked");
	close_guest(&g);
}

static uint64_t spread_stacks(unsigned i) { return 0x100000000ull + i * 0x2000ull; }

static void test_hostile(void)
{
	struct us_gdb_target g;
	size_t count;
	unsigned threads = 20000;

	/* 32 copies of one RAM range over 64 Mi free pages, and 20,000 stacks. */
	build_descriptor();
	build_threads(threads, spread_stacks, 0x1000);
	build_page_map(UNISCOPE_PAGES_MAX, UNISCOPE_PAGES_RAM_MAX, UNISCOPE_PAGES_MAX * 4096, 0, 0);
	use_pages(5, 6);
	if (open_guest(&g)) {
		bool in_order = walk_map(&g, &count);
		ok(in_order && count == threads + 1,
		   "32 overlapping ranges, 64 Mi pages, %u stacks: %zu regions in order", threads, count);
		close_guest(&g);
	}

	/* Every other page used: as many heap runs as a map holds, and no more. */
	build_descriptor();
	build_threads(1, two_stacks, 0x4000);
	build_page_map(1u << 20, 1, 1ull << 32, 0, 0);
	memset(mem + BITMAP, 0xaa, (1u << 20) / 8);
	if (open_guest(&g)) {
		bool in_order = walk_map(&g, &count);
		ok(in_order && count == US_GDB_MAPS_MAX,
		   "alternating pages: %zu regions, in order (at most %u)", count, US_GDB_MAPS_MAX);
		close_guest(&g);
	}

	/* Stacks that overlap each other and the heap, in any order: still a map in order. */
	build_descriptor();
	build_threads(MAX_TEST_THREADS < 5000 ? MAX_TEST_THREADS : 5000, two_stacks, 0x4000);
	build_page_map(1024, 3, 4u << 20, 0x1ff000, 0x201000);
	use_pages(0, 1024);
	if (open_guest(&g)) {
		bool in_order = walk_map(&g, &count);
		ok(in_order && count >= 3, "overlapping stacks and heap: %zu regions in order",
		   count);
		close_guest(&g);
	}
}

/* ---- the thread list document ------------------------------------------- */

static char reply[GDB_TX_BUF_SIZE + 64];
static size_t reply_len;

static void take_reply(void *ctx, const void *buf, size_t len)
{
	(void)ctx;
	if (reply_len + len < sizeof(reply)) {
		memcpy(reply + reply_len, buf, len);
		reply_len += len;
	}
	reply[reply_len] = 0;
}

/* The reply's payload (between '$' and '#'), or NULL. */
static const char *ask(struct gdb_engine *e, const char *payload, size_t *len)
{
	char framed[256];
	unsigned sum = 0;
	int n;

	for (const char *c = payload; *c; c++)
		sum += (uint8_t)*c;
	n = snprintf(framed, sizeof(framed), "$%s#%02x", payload, sum & 0xff);
	reply_len = 0;
	gdb_engine_input(e, (const uint8_t *)framed, (size_t)n);
	if (reply_len < 4 || reply[0] != '$' || reply[reply_len - 3] != '#')
		return NULL;
	*len = reply_len - 4;
	return reply + 1;
}

static uint64_t one_stack(unsigned i) { (void)i; return 0x100000; }

static void test_threads_document(void)
{
	static const struct gdb_transport transport = { .put = take_reply };
	unsigned threads = MAX_TEST_THREADS < UNISCOPE_MAX_THREADS ? MAX_TEST_THREADS : UNISCOPE_MAX_THREADS;
	struct gdb_engine *e = calloc(1, sizeof(*e));
	struct us_gdb_target g;
	uint64_t offset = 0;
	size_t elements = 0, windows = 0, len;
	const char *p;
	char *document = NULL, *grown;
	bool last = false, malformed = false;

	build_descriptor();
	build_threads(threads, one_stack, 0x1000);
	if (!e || !open_guest(&g)) {
		free(e);
		return;
	}
	gdb_engine_init(e, &us_gdb_target_ops, &g, &transport);
	e->no_ack = true;
	while (!last && !malformed && windows < 100000) {
		char request[64];

		snprintf(request, sizeof(request), "qXfer:threads:read::%llx,ffb", (unsigned long long)offset);
		if (!(p = ask(e, request, &len)) || (p[0] != 'm' && p[0] != 'l')) {
			malformed = true;
			break;
		}
		last = p[0] == 'l';
		if (!(grown = realloc(document, offset + len))) {
			malformed = true;
			break;
		}
		document = grown;
		memcpy(document + offset, p + 1, len - 1); /* no byte of this document needs escaping */
		offset += len - 1;
		windows++;
	}
	for (const char *at = document; at && (at = memmem(at, offset - (size_t)(at - document), "<thread ", 8)); at++)
		elements++;
	free(document);
	ok(!malformed && last && elements == threads, "qXfer:threads of %u threads: %zu elements in %zu windows",
	   threads, elements, windows);
	p = ask(e, "qThreadExtraInfo,10", &len);
	ok(p && len && p[0] != 'E', "qThreadExtraInfo of thread 16 among them");
	close_guest(&g);
	free(e);
}

int main(void)
{
	alarm(300); /* a hang is a failure: the whole file runs in a few seconds */
	if (!(mem = malloc(MEM_SIZE)))
		return 1;
	test_layout();
	test_hostile();
	test_threads_document();
	free(mem);
	return done_testing();
}
