/*
 * libuniscope over synthetic guests built in code: page walk, descriptor
 * scan, thread-list walk, unwinder, log ring, register parsing and the core
 * reader, each with hostile variants (cycles, wild pointers, absurd sizes,
 * self-referencing page tables) that must end in errors, in bounded time.
 *
 * The synthetic guest (8 MiB of physical memory at 0):
 *	0x1000 PML4, 0x2000 PDPT, 0x3000 PD, 0x4000 PT (4 KiB pages of 0-2M,
 *	page 0 and page 0x1ff000 unmapped); PD[1] 2 MiB identity RW+NX;
 *	PD[2] va 4M -> pa 6M, read-only, executable; PDPT[1] 1 GiB va 1G -> pa 0.
 *	0x10000 descriptor, 0x11000 thread list head / current / count,
 *	0x12000 log ring (256 bytes), 0x13000 heap stats, 0x14000 panic,
 *	0x20000 + i * 0x200 threads, stacks at 0x200000 + i * 0x10000.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "tap.h"
#include "synthetic.h"
#include "../../introspect/corefile.h"
#include "../../introspect/hmp_regs.h"
#include "../../introspect/json_out.h"
#include "../../introspect/postmortem.h"
#include "../../introspect/target.h"

#define MEM_SIZE (8u << 20)
#define DESC 0x10000ull
#define LIST_HEAD 0x11000ull
#define CURRENT 0x11008ull
#define COUNT 0x11010ull
#define LOG 0x12000ull
#define LOG_SIZE 256
#define HEAP 0x13000ull
#define PANIC 0x14000ull
#define THREADS 0x20000ull
#define THREAD_STRIDE 0x200ull
#define STACKS 0x200000ull
#define STACK_SIZE 0x10000ull

static uint8_t *mem;

static void put64(uint64_t addr, uint64_t v) { memcpy(mem + addr, &v, 8); }
static void put32(uint64_t addr, uint32_t v) { memcpy(mem + addr, &v, 4); }
static uint64_t thread_at(unsigned i) { return THREADS + i * THREAD_STRIDE; }

static struct uniscope_regs vcpu_regs(void)
{
	return (struct uniscope_regs){ .cr0 = 0x80000011, .cr3 = 0x1000, .cr4 = 0x20,
				       .rip = 0x1234, .rsp = STACKS + STACK_SIZE - 0x100,
				       .rbp = 0 };
}

static void build_page_tables(void)
{
	put64(0x1000, 0x2000 | 3);                           /* PML4[0] -> PDPT */
	put64(0x2000, 0x3000 | 3);                           /* PDPT[0] -> PD */
	put64(0x2008, 0x0 | 0x83);                           /* PDPT[1]: 1 GiB at pa 0 */
	put64(0x3000, 0x4000 | 3);                           /* PD[0] -> PT */
	put64(0x3008, 0x200000 | 0x83 | (1ull << 63));      /* PD[1]: 2M identity, NX */
	put64(0x3010, 0x600000 | 0x81);                      /* PD[2]: va 4M -> pa 6M, RO */
	for (uint64_t i = 1; i < 511; i++)
		put64(0x4000 + i * 8, (i << 12) | 3 | (1ull << 63));
}

static void build_descriptor(void)
{
	struct uniscope_info info = {
		.magic = UNISCOPE_INFO_MAGIC, .version = UNISCOPE_INFO_VERSION,
		.size = sizeof(struct uniscope_info), .nr_cpus = 1, .build_id_len = 4,
		.build_id = { 1, 2, 3, 4 },
		.thread_layout = TEST_THREAD_LAYOUT,
		.thread_list = LIST_HEAD, .current_thread = CURRENT, .thread_count = COUNT,
		.console_log = LOG, .panic = PANIC, .heap_stats = HEAP,
	};
	memcpy(mem + DESC, &info, sizeof(info));
}

/* Thread i: a three-frame stack whose rbp chain ends in a 0 return address. */
static void build_thread(unsigned i, const char *name, uint32_t state, uint32_t reason)
{
	uint64_t lo = STACKS + i * STACK_SIZE, hi = lo + STACK_SIZE, fp = hi - 0x100;
	struct test_thread th = { .id = i, .state = state, .wait_reason = reason,
				  .stack_lo = lo, .stack_hi = hi, .switches = 10 + i,
				  .cpu_ns = 1000000ull * i };

	snprintf(th.name, sizeof(th.name), "%s", name);
	th.context = (struct uniscope_context){ .rsp = fp - 0x40, .rip = 0x5000 + i, .rbp = fp };
	put64(fp, fp + 0x20);        /* frame 1 */
	put64(fp + 8, 0x6000 + i);
	put64(fp + 0x20, fp + 0x40); /* frame 2 */
	put64(fp + 0x28, 0x7000 + i);
	put64(fp + 0x40, 0);         /* the first frame of the thread */
	put64(fp + 0x48, 0);
	memcpy(mem + thread_at(i), &th, sizeof(th));
}

static void link_threads(unsigned n)
{
	put64(LIST_HEAD, n ? thread_at(0) : 0);
	for (unsigned i = 0; i < n; i++)
		put64(thread_at(i), i + 1 < n ? thread_at(i + 1) : 0);
	put32(COUNT, n);
}

static void build_guest(void)
{
	memset(mem, 0, MEM_SIZE);
	build_page_tables();
	build_descriptor();
	build_thread(0, "idle", UNISCOPE_THREAD_RUNNING, UNISCOPE_WAIT_NONE);
	build_thread(1, "producer-0", UNISCOPE_THREAD_BLOCKED, UNISCOPE_WAIT_CONDVAR);
	build_thread(2, "sleeper-10", UNISCOPE_THREAD_SLEEPING, UNISCOPE_WAIT_SLEEP);
	link_threads(3);
	put64(CURRENT, thread_at(0));
}

static struct us_target *open_guest(const struct uniscope_regs *regs)
{
	struct us_backend *b;
	struct us_target *t = NULL;
	struct us_error *err = us_backend_buffer_open(mem, MEM_SIZE, 0, regs, &b);

	if (!err)
		err = us_target_open_backend(b, "synthetic", NULL, &t);
	if (err) {
		diag("open: %s", err->message);
		us_error_destroy(err);
	}
	return t;
}

static struct us_target *open_default(void)
{
	struct uniscope_regs regs = vcpu_regs();

	return open_guest(&regs);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- page walk -------------------------------------------------------- */

static void test_translation(struct us_target *t, uint64_t va, uint64_t want_pa,
			     uint64_t want_size, const char *what)
{
	struct us_translation tr = { 0 };
	struct us_error *err = us_target_translate(t, va, &tr);

	ok(!err && tr.paddr == want_pa && tr.page_size == want_size, "page walk: %s", what);
	if (err)
		diag("%s", err->message);
	us_error_destroy(err);
}

static void test_fault(struct us_target *t, uint64_t va, size_t len, uint64_t want_addr,
		       const char *what)
{
	uint8_t buf[64];
	struct us_error *err = us_target_read(t, va, buf, len);

	ok(err && err->code == US_ERR_FAULT && err->address == want_addr, "fault: %s", what);
	if (err)
		diag("%s", err->message);
	us_error_destroy(err);
}

static void test_pagewalk(void)
{
	struct us_translation tr;
	struct us_target *t;
	uint64_t v = 0;

	build_guest();
	put64(0x600000 + 0x1238, 0xfeedface);
	put64(0x5008, 0xabcdef);
	if (!ok((t = open_default()) != NULL, "a synthetic guest opens"))
		return;
	test_translation(t, 0x5008, 0x5008, 4096, "4 KiB identity page");
	test_translation(t, 0x212345, 0x212345, 2u << 20, "2 MiB page");
	test_translation(t, 0x401238, 0x601238, 2u << 20, "2 MiB page elsewhere");
	test_translation(t, (1ull << 30) + 0x5008, 0x5008, 1u << 30, "1 GiB page");
	ok(!us_target_read_u64(t, (1ull << 30) + 0x5008, &v) && v == 0xabcdef,
	   "read through a 1 GiB page");
	ok(!us_target_read_u64(t, 0x401238, &v) && v == 0xfeedface, "read through a moved 2 MiB page");
	ok(!us_target_translate(t, 0x401000, &tr) && !tr.writable && tr.executable,
	   "permissions: read-only, executable");
	ok(!us_target_translate(t, 0x201000, &tr) && tr.writable && !tr.executable,
	   "permissions: writable, no-execute");
	test_fault(t, 0x10, 8, 0x10, "page 0 is not mapped");
	test_fault(t, 0x1feff8, 16, 0x1ff000, "a read straddling into an unmapped page faults there");
	test_fault(t, 0x600000, 8, 0x600000, "PD entry not present");
	test_fault(t, 0x800000000000ull, 8, 0x800000000000ull, "non-canonical address");
	us_target_close(t);
}

static void test_hostile_page_tables(void)
{
	struct us_translation tr;
	struct us_error *err;
	struct us_target *t;
	double start;

	build_guest();
	put64(0x1000, 0x1000 | 3);          /* PML4[0] points at the PML4 itself */
	put64(0x1008, 0x7ff000000000ull | 3); /* PML4[1] -> far outside memory */
	put64(0x1010, 0x1000 | 0x83);       /* PML4[2]: PS set, reserved */
	if (!(t = open_default()))
		return;
	start = now_s();
	for (int i = 0; i < 10000; i++)
		us_error_destroy(us_target_translate(t, (uint64_t)i << 12, &tr));
	ok(now_s() - start < 2.0, "self-referencing tables: 10000 walks end quickly");
	err = us_target_translate(t, 1ull << 39, &tr);
	ok(err && err->code == US_ERR_FAULT && strstr(err->message, "outside guest memory"),
	   "a table pointer past RAM is a fault");
	us_error_destroy(err);
	err = us_target_translate(t, 2ull << 39, &tr);
	ok(err && err->code == US_ERR_FAULT, "PS in a PML4 entry is rejected");
	us_error_destroy(err);
	us_target_close(t);
}

struct mapping_list {
	struct us_mapping m[16];
	size_t n, total;
};

static int collect_mapping(void *arg, const struct us_mapping *m)
{
	struct mapping_list *l = arg;

	if (l->n < 16)
		l->m[l->n++] = *m;
	l->total++;
	return 0;
}

static void test_mappings(void)
{
	struct mapping_list l = { .n = 0 };
	struct us_target *t;
	struct us_error *err;
	double start;

	build_guest();
	if (!(t = open_default()))
		return;
	err = us_target_mappings(t, collect_mapping, &l);
	ok(!err && l.total == 4, "mappings: four merged runs");
	if (l.total == 4) {
		ok(l.m[0].vaddr == 0x1000 && l.m[0].size == 0x1fe000 && l.m[0].writable &&
		   !l.m[0].executable, "mappings: 4 KiB pages merged, holes respected");
		ok(l.m[1].vaddr == 0x200000 && l.m[1].paddr == 0x200000 && l.m[1].size == 0x200000,
		   "mappings: a 2 MiB page");
		ok(l.m[2].vaddr == 0x400000 && l.m[2].paddr == 0x600000 && !l.m[2].writable &&
		   l.m[2].executable, "mappings: a moved read-only page");
		ok(l.m[3].vaddr == 1ull << 30 && l.m[3].paddr == 0 && l.m[3].size == 1ull << 30,
		   "mappings: a 1 GiB page");
	}
	us_error_destroy(err);
	us_target_close(t);
	build_guest();
	for (uint64_t i = 0; i < 512; i++) /* every PML4 entry points back at the PML4 */
		put64(0x1000 + 8 * i, 0x1000 | 3);
	if (!(t = open_default()))
		return;
	start = now_s();
	memset(&l, 0, sizeof(l));
	err = us_target_mappings(t, collect_mapping, &l);
	ok(err && strstr(err->message, "looping") && now_s() - start < 10.0,
	   "mappings: self-referencing tables end in an error, in bounded time");
	if (err)
		diag("%s (%.2f s)", err->message, now_s() - start);
	us_error_destroy(err);
	us_target_close(t);
}

/* ---- descriptor ------------------------------------------------------- */

static void expect_no_descriptor(const char *what, const char *why)
{
	struct us_target *t = open_default();
	struct us_error *err = t ? us_target_info_error(t) : NULL;

	ok(t && !us_target_info(t) && err && strstr(err->message, why), "descriptor rejected: %s", what);
	if (err)
		diag("%s", err->message);
	us_error_destroy(err);
	us_target_close(t);
}

static void test_descriptor(void)
{
	struct us_target *t;

	build_guest();
	if ((t = open_default())) {
		ok(us_target_info(t) && us_target_info_address(t) == DESC, "descriptor found by scanning");
		us_target_close(t);
	}
	build_guest();
	put32(DESC + offsetof(struct uniscope_info, version), 99);
	expect_no_descriptor("wrong version", "version 99");
	build_guest();
	put32(DESC + offsetof(struct uniscope_info, size), 12);
	expect_no_descriptor("wrong size", "size 12");
	build_guest();
	put32(DESC + offsetof(struct uniscope_info, thread_layout.size), 1u << 30);
	expect_no_descriptor("absurd thread size", "absurd");
	build_guest();
	put32(DESC + offsetof(struct uniscope_info, thread_layout.off_context), 200);
	expect_no_descriptor("field outside the structure", "outside");
	build_guest(); /* an optional field too: each thread read would be 4 GiB */
	put32(DESC + offsetof(struct uniscope_info, thread_layout.off_fs_base), 0xfffffff0u);
	expect_no_descriptor("TLS pointer outside the structure", "'fs_base' at offset 4294967280 lies outside");
	build_guest();
	memset(mem + DESC, 0, 8);
	expect_no_descriptor("no magic anywhere", "no uniscope descriptor");
}

/* ---- threads ---------------------------------------------------------- */

static void test_threads(void)
{
	struct us_thread *th = NULL;
	struct us_target *t;
	struct us_error *err;
	size_t n = 0;

	build_guest();
	if (!(t = open_default()))
		return;
	err = us_target_threads(t, &th, &n);
	ok(!err && n == 3, "three threads walked");
	if (n == 3) {
		is_str(th[1].name, "producer-0", "names decoded through the layout");
		ok(th[0].cpu == 0 && th[0].regs_source == US_REGS_VCPU && th[0].regs.rip == 0x1234,
		   "the thread on the CPU gets the vCPU's registers");
		ok(th[1].cpu == -1 && th[1].regs_source == US_REGS_CONTEXT && th[1].regs.rip == 0x5001,
		   "a switched-out thread gets its saved context");
		ok(th[2].state == UNISCOPE_THREAD_SLEEPING && th[2].wait_reason == UNISCOPE_WAIT_SLEEP,
		   "state and wait reason");
		is_str(us_wait_reason_name(th[1].wait_reason), "condvar", "wait reason name");
	}
	us_error_destroy(err);
	free(th);
	us_target_close(t);
}

static void test_trap_frame(void)
{
	struct uniscope_trap_frame frame = { .rip = 0x8888, .rbp = 0x1, .rsp = 0x2, .rax = 7 };
	uint64_t slot = thread_at(1) + offsetof(struct test_thread, trap_frame);
	uint64_t at = STACKS + STACK_SIZE + 0x800; /* on thread 1's stack */
	struct us_thread *th = NULL;
	struct us_target *t;
	size_t n = 0;

	build_guest();
	memcpy(mem + at, &frame, sizeof(frame));
	put64(slot, at);
	put64(thread_at(2) + offsetof(struct test_thread, trap_frame), 0x7fff0000); /* wild */
	if (!(t = open_default()))
		return;
	us_error_destroy(us_target_threads(t, &th, &n));
	ok(n == 3 && th[1].regs_source == US_REGS_TRAP_FRAME && th[1].regs.rip == 0x8888 &&
	   th[1].regs.rax == 7, "a preempted thread gets its trap frame's registers");
	ok(n == 3 && th[2].regs_source == US_REGS_CONTEXT && strstr(th[2].note, "trap frame"),
	   "a wild trap frame pointer falls back to the context, with a note");
	free(th);
	us_target_close(t);
}

static void expect_walk_error(const char *what, const char *why, size_t max_threads)
{
	struct us_thread *th = NULL;
	struct us_target *t = open_default();
	struct us_error *err;
	double start = now_s();
	size_t n = 0;

	if (!t)
		return;
	err = us_target_threads(t, &th, &n);
	ok(err && strstr(err->message, why) && n <= max_threads && now_s() - start < 5.0,
	   "thread walk: %s", what);
	if (err)
		diag("%s (%zu threads read)", err->message, n);
	us_error_destroy(err);
	free(th);
	us_target_close(t);
}

/* Nodes 8 bytes apart, overlapping: each one's next field is its own word. */
static void build_long_chain(unsigned nodes, bool cyclic)
{
	uint64_t base = 0x240000; /* above the threads' stacks, inside the 2 MiB page */

	build_guest();
	put64(LIST_HEAD, base);
	for (unsigned i = 0; i < nodes; i++)
		put64(base + 8ull * i, i + 1 < nodes ? base + 8ull * (i + 1) : cyclic ? base + 8 * 17 : 0);
}

static void test_hostile_thread_lists(void)
{
	build_guest();
	put64(thread_at(2), thread_at(1)); /* 0 -> 1 -> 2 -> 1 */
	expect_walk_error("a cycle is detected", "loops back", 8);
	build_guest();
	put64(thread_at(0), thread_at(0)); /* a self-loop */
	expect_walk_error("a self-loop is detected", "loops back", 4);
	build_guest();
	put64(thread_at(1), 0xdead0000000ull);
	expect_walk_error("a wild next pointer is an error naming it", "0xdead0000000", 2);
	build_long_chain(UNISCOPE_MAX_THREADS + 10, false);
	expect_walk_error("a list longer than UNISCOPE_MAX_THREADS is cut", "longer than",
			  UNISCOPE_MAX_THREADS);
	build_long_chain(20000, true);
	expect_walk_error("a long cycle is found in bounded time", "loops back", UNISCOPE_MAX_THREADS);
	build_guest();
	link_threads(1);
	{
		struct us_target *t = open_default();
		struct us_thread *th = NULL;
		size_t n = 0;
		struct us_error *err = t ? us_target_threads(t, &th, &n) : NULL;
		ok(t && !err && n == 1, "a one-thread list is not a cycle");
		us_error_destroy(err);
		free(th);
		us_target_close(t);
	}
	build_guest();
	put32(DESC + offsetof(struct uniscope_info, nr_cpus), 1000);
	expect_no_descriptor("absurd CPU count", "CPUs");
}

/* ---- unwinder --------------------------------------------------------- */

/* The buffer backend copies memory: reopen after changing the guest. */
static void unwind_fresh(struct uniscope_regs *regs, uint64_t lo, uint64_t hi,
			 struct us_backtrace *bt)
{
	struct us_target *t = open_default();

	bt->count = 0;
	strcpy(bt->stopped, "not opened");
	if (t)
		us_target_unwind(t, regs, lo, hi, bt);
	us_target_close(t);
}

static void test_unwind(void)
{
	struct us_backtrace *bt = malloc(sizeof(*bt));
	uint64_t lo = STACKS, hi = STACKS + STACK_SIZE, fp = hi - 0x100;
	struct uniscope_regs regs = { .rip = 0x1111, .rbp = fp, .rsp = fp - 0x10 };

	if (!bt)
		return;
	build_guest();
	unwind_fresh(&regs, lo, hi, bt);
	ok(bt->count == 3 && bt->frames[1].pc == 0x6000 && bt->frames[2].pc == 0x7000 &&
	   !bt->stopped[0], "unwind: three frames, ending at a 0 return address");
	put64(fp, fp); /* a frame pointing at itself */
	unwind_fresh(&regs, lo, hi, bt);
	ok(bt->count == 2 && strstr(bt->stopped, "does not move up"), "unwind: a self-loop stops");
	put64(fp, 0x7fffffff000ull);
	unwind_fresh(&regs, lo, hi, bt);
	ok(bt->count == 2 && strstr(bt->stopped, "leaves the thread's stack"),
	   "unwind: a frame pointer off the stack stops");
	unwind_fresh(&regs, 0, 0, bt);
	ok(bt->count == 2 && strstr(bt->stopped, "unreadable"), "unwind: without bounds, a fault stops");
	put64(fp, fp + 3);
	unwind_fresh(&regs, lo, hi, bt);
	ok(strstr(bt->stopped, "misaligned") != NULL, "unwind: a misaligned frame pointer stops");
	for (uint64_t f = lo; f + 16 < hi; f += 16) { /* 4000 frames, all valid */
		put64(f, f + 16);
		put64(f + 8, 0x9999);
	}
	regs.rbp = lo;
	unwind_fresh(&regs, lo, hi, bt);
	ok(bt->count == US_MAX_FRAMES && strstr(bt->stopped, "256 frames"), "unwind: capped at 256 frames");
	free(bt);
}

/* ---- log, heap, panic ------------------------------------------------- */

static void put_log(uint64_t magic, uint64_t size, uint64_t written, const char *data)
{
	struct uniscope_log h = { magic, size, written };

	memcpy(mem + LOG, &h, sizeof(h));
	memcpy(mem + LOG + sizeof(h), data, strlen(data));
}

static void expect_log(const char *want, uint64_t want_lost, const char *what)
{
	struct us_target *t = open_default();
	struct us_error *err;
	uint64_t lost = 0;
	char *text = NULL;
	size_t len = 0;

	if (!t)
		return;
	err = us_target_log(t, &text, &len, &lost);
	ok(!err && len == strlen(want) && !memcmp(text, want, len) && lost == want_lost, "log: %s", what);
	if (err)
		diag("%s", err->message);
	us_error_destroy(err);
	free(text);
	us_target_close(t);
}

static void expect_log_error(const char *why, const char *what)
{
	struct us_target *t = open_default();
	struct us_error *err;
	uint64_t lost;
	char *text;
	size_t len;

	if (!t)
		return;
	err = us_target_log(t, &text, &len, &lost);
	ok(err && strstr(err->message, why), "log: %s", what);
	us_error_destroy(err);
	us_target_close(t);
}

static void test_log(void)
{
	char ring[LOG_SIZE + 1];

	build_guest();
	put_log(UNISCOPE_LOG_MAGIC, LOG_SIZE, 6, "hello\n");
	expect_log("hello\n", 0, "a ring not yet full");
	memset(ring, 'x', LOG_SIZE);
	memcpy(ring, "NEW", 3);     /* bytes 256..258 overwrote the start */
	memcpy(ring + 3, "old", 3); /* the oldest surviving bytes */
	ring[LOG_SIZE] = 0;
	build_guest();
	put_log(UNISCOPE_LOG_MAGIC, LOG_SIZE, LOG_SIZE + 3, ring);
	{
		char want[LOG_SIZE + 1];
		memcpy(want, ring + 3, LOG_SIZE - 3);
		memcpy(want + LOG_SIZE - 3, "NEW", 3);
		want[LOG_SIZE] = 0;
		expect_log(want, 3, "a wrapped ring reads oldest first");
	}
	build_guest();
	put_log(0x1234, LOG_SIZE, 6, "hello\n");
	expect_log_error("bad magic", "bad magic");
	build_guest();
	put_log(UNISCOPE_LOG_MAGIC, 1ull << 40, 6, "hello\n");
	expect_log_error("absurd", "absurd size");
	build_guest();
	put_log(UNISCOPE_LOG_MAGIC, 100, 6, "hello\n");
	expect_log_error("absurd", "size not a power of two");
}

static void test_records(void)
{
	struct uniscope_heap_stats h = { .pages_total = 100, .heap_allocs = 7 };
	struct uniscope_panic p;
	struct us_target *t;

	build_guest();
	memcpy(mem + HEAP, &h, sizeof(h));
	memset(mem + PANIC, 'A', sizeof(p)); /* no NUL anywhere */
	if (!(t = open_default()))
		return;
	memset(&h, 0, sizeof(h));
	ok(!us_target_heap(t, &h) && h.pages_total == 100 && h.heap_allocs == 7, "heap statistics");
	ok(!us_target_panic(t, &p) && strlen(p.message) < sizeof(p.message) &&
	   strlen(p.file) < sizeof(p.file), "panic strings are terminated even when the guest did not");
	us_target_close(t);
}

/* ---- registers, cores, targets ---------------------------------------- */

static void test_info_registers(void)
{
	const char *text =
		"\r\nCPU#0\r\nRAX=0000000002105c10 RBX=0000000000000000 RCX=0000000007346e90 "
		"RDX=00000001ad6ea01e\r\nRSI=0000000002105c68 RDI=0000000002105d10 "
		"RBP=0000000000140fd8 RSP=0000000000140fd0\r\nR8 =0000000000145e84 "
		"R9 =00000000000003f8 R10=000000000000000a R11=80000000021ff003\r\n"
		"R12=0000000000000000 R13=0000000000000000 R14=0000000000000000 R15=0000000000000042\r\n"
		"RIP=0000000000103f6f RFL=00000202 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=1\r\n"
		"CS =0008 0000000000000000 ffffffff 00af9a00 DPL=0 CS64 [-R-]\r\n"
		"FS =0000 00000000deadb000 00000000 00000000\r\n"
		"CR0=80010013 CR2=0000000000000000 CR3=00000000020ea000 CR4=00000620\r\n"
		"EFER=0000000000000d00\r\nXMM00=0000000000000000 0000000000000000\r\n";
	struct uniscope_regs r;
	struct us_error *err = us_parse_info_registers(text, &r);

	ok(!err && r.rip == 0x103f6f && r.rsp == 0x140fd0 && r.rbp == 0x140fd8 && r.r8 == 0x145e84 &&
	   r.r15 == 0x42 && r.cr3 == 0x20ea000 && r.rflags == 0x202 && r.cs == 8 &&
	   r.fs_base == 0xdeadb000, "info registers text parsed");
	us_error_destroy(err);
	err = us_parse_info_registers("RAX=1 garbage ==== R8 =", &r);
	ok(err != NULL, "info registers without RIP/RSP/CR3 is an error");
	us_error_destroy(err);
}

/* QEMU 7.2's FPU lines, as the fpu example's spinning thread leaves them. */
static void test_info_registers_fpu(void)
{
	static const uint8_t pi[10] = { 0x35, 0xc2, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0x40 };
	static const uint8_t xmm0[16] = { 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0, 0, 0, 0, 0x02, 0xc0 };
	const char *text =
		"EFER=0000000000000d00\r\n"
		"FCW=037f FSW=3800 [ST=7] FTW=80 MXCSR=00001f80\r\n"
		"FPR0=0000000000000000 0000 FPR1=0000000000000000 0000\r\n"
		"FPR6=0000000000000000 0000 FPR7=c90fdaa22168c235 4000\r\n"
		"XMM00=c002000000000000 3ff8000000000000 XMM01=0000000000000000 0000000000000000\r\n"
		"XMM14=0000000000000000 0000000000000000 XMM15=fffffff100000015 0000000f05151515\r\n";
	struct uniscope_fxsave fx;
	struct us_error *err = us_parse_info_registers_fpu(text, &fx);

	ok(!err && fx.fcw == 0x37f && fx.fsw == 0x3800 && fx.ftw == 0x80 && fx.mxcsr == 0x1f80,
	   "FCW, FSW, FTW and MXCSR parsed");
	ok(!memcmp(fx.st[0], pi, sizeof(pi)), "ST(0) is physical register 7 (top 7): pi");
	ok(!memcmp(fx.xmm[0], xmm0, sizeof(xmm0)), "XMM00 printed high word first, stored low first");
	ok(fx.xmm[15][0] == 0x15 && fx.xmm[15][4] == 0x0f && fx.xmm[15][15] == 0xff, "XMM15");
	us_error_destroy(err);
	err = us_parse_info_registers_fpu("RIP=0000000000103f6f FPR9=1 2 XMM99=1 2", &fx);
	ok(err != NULL, "no FCW/MXCSR: an error, not zeros");
	us_error_destroy(err);
}

struct core_image {
	uint8_t bytes[4096 + (1u << 20)];
	size_t size;
};

/* An ELF core: one NOTE (NT_PRSTATUS + QEMU state), one LOAD of 1 MiB at physical 0. */
static void build_core(struct core_image *c, const uint8_t *ram, size_t ram_size)
{
	struct __attribute__((packed)) { uint32_t namesz, descsz, type; char name[8]; struct us_prstatus p; } prs = {
		5, sizeof(struct us_prstatus), 1, "CORE", { .rip = 0x1234 } };
	struct __attribute__((packed)) { uint32_t namesz, descsz, type; char name[8]; struct us_qemu_cpu_state s; } qs = {
		5, sizeof(struct us_qemu_cpu_state), 0, "QEMU",
		{ .rip = 0x1234, .rsp = 0x5555, .rbp = 0x6666, .cr = { 0x80000011, 0, 0, 0x1000, 0x20 } } };
	uint8_t ehdr[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	uint8_t phdrs[2][56] = { { 0 } };
	uint64_t note_off = 64 + sizeof(phdrs), notes = sizeof(prs) + sizeof(qs), load_off = 4096;

	memset(c, 0, sizeof(*c));
	{
		uint16_t type = 4, machine = 62, phentsize = 56, phnum = 2, ehsize = 64;
		uint32_t version = 1;
		uint64_t phoff = 64;
		memcpy(ehdr + 16, &type, 2); memcpy(ehdr + 18, &machine, 2); memcpy(ehdr + 20, &version, 4);
		memcpy(ehdr + 32, &phoff, 8); memcpy(ehdr + 52, &ehsize, 2);
		memcpy(ehdr + 54, &phentsize, 2); memcpy(ehdr + 56, &phnum, 2);
	}
	{
		uint32_t note = 4, load = 1;
		uint64_t size = ram_size;
		memcpy(phdrs[0], &note, 4); memcpy(phdrs[0] + 8, &note_off, 8);
		memcpy(phdrs[0] + 32, &notes, 8); memcpy(phdrs[0] + 40, &notes, 8);
		memcpy(phdrs[1], &load, 4); memcpy(phdrs[1] + 8, &load_off, 8);
		memcpy(phdrs[1] + 32, &size, 8); memcpy(phdrs[1] + 40, &size, 8);
	}
	memcpy(c->bytes, ehdr, 64);
	memcpy(c->bytes + 64, phdrs, sizeof(phdrs));
	memcpy(c->bytes + note_off, &prs, sizeof(prs));
	memcpy(c->bytes + note_off + sizeof(prs), &qs, sizeof(qs));
	memcpy(c->bytes + load_off, ram, ram_size);
	c->size = load_off + ram_size;
}

static void test_core(void)
{
	static struct core_image core;
	char path[] = "/tmp/uniscope-test-core.XXXXXX";
	struct us_target *t = NULL;
	struct us_thread *th = NULL;
	struct us_error *err;
	size_t n = 0;
	int fd;

	build_guest();
	build_core(&core, mem, 1u << 20);
	if ((fd = mkstemp(path)) < 0 || write(fd, core.bytes, core.size) != (ssize_t)core.size) {
		ok(0, "core: cannot write a temporary file");
		return;
	}
	close(fd);
	err = us_target_open(path, NULL, &t);
	ok(!err && t && us_target_info(t), "core: opens, descriptor found by scanning");
	if (err)
		diag("%s", err->message);
	us_error_destroy(err);
	if (t) {
		err = us_target_threads(t, &th, &n);
		ok(!err && n == 3 && th[0].regs.rip == 0x1234 && th[0].regs.rsp == 0x5555,
		   "core: threads walked, vCPU registers from the QEMU note (rsp before rbp)");
		us_error_destroy(err);
		free(th);
		us_target_close(t);
	}
	truncate(path, 4096 + 0x8000); /* the thread list now points past the file */
	err = us_target_open(path, NULL, &t);
	ok(!err && t && !us_target_info(t), "core: a truncated file is read up to where it ends");
	us_error_destroy(err);
	us_target_close(err ? NULL : t);
	unlink(path);
}

static void test_target_specs(void)
{
	struct us_target *t = NULL;
	struct us_error *err = us_target_open("xen:7", NULL, &t);

	ok(err && err->code == US_ERR_UNSUPPORTED && strstr(err->message, "xen:7"),
	   "xen: is a clear 'not supported in this build' error");
	us_error_destroy(err);
	err = us_target_open("no-such-session-here", NULL, &t);
	ok(err && err->code == US_ERR_NOT_FOUND && strstr(err->message, "uniscope ls"),
	   "an unknown name says how to list sessions");
	us_error_destroy(err);
}

/* The names of abi.h's enums, as the host prints them: out of range is no crash. */
static void test_names(void)
{
	is_str(us_thread_state_name(UNISCOPE_THREAD_SLEEPING), "sleeping", "thread state name");
	is_str(us_thread_state_name(UNISCOPE_THREAD_STATE_COUNT), "?", "a state no enum holds");
	is_str(us_wait_reason_name(UNISCOPE_WAIT_NONE), "-", "no wait reason is '-'");
	is_str(us_wait_reason_name(UNISCOPE_WAIT_NET), "net", "the last wait reason");
	is_str(us_wait_reason_name(0xffffffffu), "?", "a wait reason no enum holds");
	is_str(us_exception_name(UNISCOPE_EXC_PAGE_FAULT), "page fault", "vector 14");
	is_str(us_exception_name(UNISCOPE_EXC_CONTROL_PROTECTION), "control protection exception",
	       "the last named vector");
	is_str(us_exception_name(UNISCOPE_EXCEPTION_NAMED_COUNT), "exception", "an unnamed vector");
}

/* The one JSON escaper: guest bytes that are not UTF-8 still make valid JSON. */
static void test_json_out(void)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct us_symbolized sym = { .function = "main", .offset = 0x1a, .file = NULL };

	if (!ok(f != NULL, "a memory stream"))
		return;
	us_json_string(f, "a\"b\\c\n\t\r\x01\x7f\xff");
	fputc(' ', f);
	us_json_string(f, NULL);
	fputc(' ', f);
	us_json_address(f, 0xffffffff80001000ull);
	fputc(' ', f);
	us_json_symbolized(f, &sym);
	fclose(f);
	is_str(text, "\"a\\\"b\\\\c\\n\\t\\r\\u0001\\u007f\\u00ff\" null \"0xffffffff80001000\" "
	       "\"function\": \"main\", \"offset\": 26, \"file\": null, \"line\": 0, \"inlined\": false",
	       "escapes, null, address, symbolized");
	free(text);
}

/* The one backtrace line: bt, the report and the TUI print frames with it. */
static void test_frame_line(void)
{
	struct us_frame f = { .pc = 0x1234ab, .sym = { .function = "schedule", .offset = 0x1a,
						       .file = "libos/kern/sched.c", .line = 29 } };
	char line[US_FRAME_LINE_MAX], text[US_SYMBOLIZED_TEXT_MAX];

	is_str(us_frame_line(3, &f, line, sizeof(line)),
	       "#3  0x00000000001234ab in schedule+0x1a at libos/kern/sched.c:29", "a frame with a line");
	is_str(us_symbolized_text(&f.sym, true, text, sizeof(text)), "schedule+0x1a at sched.c:29",
	       "the file's base name");
	f.sym = (struct us_symbolized){ 0 };
	is_str(us_frame_line(12, &f, line, sizeof(line)), "#12 0x00000000001234ab in ??",
	       "an unknown frame");
}

int main(void)
{
	if (!(mem = malloc(MEM_SIZE)))
		return 1;
	test_pagewalk();
	test_hostile_page_tables();
	test_mappings();
	test_descriptor();
	test_threads();
	test_trap_frame();
	test_hostile_thread_lists();
	test_unwind();
	test_log();
	test_records();
	test_info_registers();
	test_info_registers_fpu();
	test_core();
	test_target_specs();
	test_names();
	test_json_out();
	test_frame_line();
	free(mem);
	return done_testing();
}
