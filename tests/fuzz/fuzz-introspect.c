/*
 * libFuzzer target for libuniscope's guest readers: random bytes become
 * guest memory, and every reader runs over it (descriptor scan, page walk,
 * thread-list walk, unwinder, log ring, panic and heap records,
 * disassembly), plus the `info registers` text parser. They must never
 * crash, hang, leak or read outside their buffers: ASan and UBSan watch,
 * libFuzzer's -timeout catches unbounded walks.
 *
 * The page-table enumerator (us_target_mappings) runs over the same memory.
 *
 * Input layout: byte 0 flags, bytes 1..8 a CR3, bytes 9..16 an address to
 * disassemble and read; the rest is copied into guest memory at 0x10000.
 *	flag 1  paging on with the input's CR3 (else a fixed identity map)
 *	flag 2  plant a valid descriptor header at 0x10000 (magic/version/size)
 *	flag 4  plant a whole valid descriptor at 0x8000 whose pointers lead
 *	        into the input (thread list head at 0x10000, current thread
 *	        0x10008, log 0x10010, panic 0x10100, heap 0x10200), so the
 *	        fuzzer reaches the thread walker and the record readers at once
 *	flag 8  the descriptor's address (0x8000) is given, as a core's
 *	        UNISCOPE note gives it: tried first, the scan only when it is
 *	        no descriptor (a scan reads and compares all 128 KiB: without
 *	        this flag every run paid it)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../introspect/hmp_regs.h"
#include "../../introspect/backend.h"
#include "../../introspect/target.h"
#include "synthetic.h"

#define GUEST_SIZE (1u << 17) /* small: every run builds, copies and scans it */
#define INPUT_AT 0x10000u
#define MAX_BACKTRACES 64

static void put64(uint8_t *mem, uint64_t at, uint64_t v) { memcpy(mem + at, &v, 8); }

#define FULL_DESC_AT 0x8000u

static void plant_full_descriptor(uint8_t *mem)
{
	struct uniscope_info info = {
		.magic = UNISCOPE_INFO_MAGIC, .version = UNISCOPE_INFO_VERSION,
		.size = sizeof(struct uniscope_info), .nr_cpus = 1,
		.thread_layout = TEST_THREAD_LAYOUT,
		.thread_list = INPUT_AT, .current_thread = INPUT_AT + 8, .console_log = INPUT_AT + 16,
		.panic = INPUT_AT + 0x100, .heap_stats = INPUT_AT + 0x200,
	};

	memcpy(mem + FULL_DESC_AT, &info, sizeof(info));
}

static void build_memory(uint8_t *mem, const uint8_t *data, size_t size, uint8_t flags)
{
	size_t n = size < GUEST_SIZE - INPUT_AT ? size : GUEST_SIZE - INPUT_AT;

	memset(mem, 0, GUEST_SIZE);
	memcpy(mem + INPUT_AT, data, n);
	if (!(flags & 1)) { /* identity: PML4 -> PDPT -> PD with one 2 MiB page */
		put64(mem, 0x1000, 0x2000 | 3);
		put64(mem, 0x2000, 0x3000 | 3);
		put64(mem, 0x3000, 0x83);
	}
	if (flags & 4)
		plant_full_descriptor(mem);
	if (flags & 2) {
		uint32_t version = UNISCOPE_INFO_VERSION, isize = sizeof(struct uniscope_info);
		put64(mem, INPUT_AT, UNISCOPE_INFO_MAGIC);
		memcpy(mem + INPUT_AT + 8, &version, 4);
		memcpy(mem + INPUT_AT + 12, &isize, 4);
	}
}

static void exercise_threads(struct us_target *t)
{
	struct us_backtrace *bt = malloc(sizeof(*bt));
	struct us_thread *threads = NULL;
	size_t count = 0;

	us_error_destroy(us_target_threads(t, &threads, &count));
	for (size_t i = 0; bt && i < count && i < MAX_BACKTRACES; i++)
		us_target_backtrace(t, &threads[i], bt);
	free(threads);
	free(bt);
}

static int count_mapping(void *arg, const struct us_mapping *m)
{
	(void)m;
	return ++*(size_t *)arg > 100000; /* enough: stop */
}

static void exercise_records(struct us_target *t, uint64_t addr)
{
	struct us_insn insns[16];
	struct uniscope_heap_stats heap;
	struct uniscope_panic panic;
	uint8_t buf[256];
	uint64_t lost;
	size_t len, n;
	char *text = NULL;

	struct us_error *err = us_target_log(t, &text, &len, &lost);

	if (err)
		us_error_destroy(err);
	else
		free(text);
	us_error_destroy(us_target_panic(t, &panic));
	us_error_destroy(us_target_heap(t, &heap));
	us_error_destroy(us_target_disassemble(t, addr, 16, insns, &n));
	us_error_destroy(us_target_read(t, addr, buf, sizeof(buf)));
	n = 0;
	us_error_destroy(us_target_mappings(t, count_mapping, &n));
}

static void exercise_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct uniscope_regs regs;
	struct uniscope_fxsave fx;

	if (!text)
		return;
	memcpy(text, data, size);
	text[size] = 0;
	us_error_destroy(us_parse_info_registers(text, &regs));
	us_error_destroy(us_parse_info_registers_fpu(text, &fx));
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *mem;
	struct uniscope_regs regs = { .cr0 = 0x80000011, .cr3 = 0x1000, .cr4 = 0x20 };
	struct us_backend *b;
	struct us_target *t;
	struct us_error *err;
	uint64_t addr;

	exercise_text(data, size);
	if (size < 17)
		return 0;
	if (!mem && !(mem = malloc(GUEST_SIZE)))
		return 0;
	if (data[0] & 1)
		memcpy(&regs.cr3, data + 1, 8);
	memcpy(&addr, data + 9, 8);
	regs.rip = addr;
	regs.rbp = addr;
	build_memory(mem, data + 17, size - 17, data[0]);
	if ((err = us_backend_buffer_borrow(mem, GUEST_SIZE, 0, &regs, &b))) {
		us_error_destroy(err);
		return 0;
	}
	if (data[0] & 8)
		b->info_address = FULL_DESC_AT;
	if ((err = us_target_open_backend(b, "fuzz", NULL, &t))) {
		us_error_destroy(err);
		return 0;
	}
	exercise_threads(t);
	exercise_records(t, addr);
	us_target_close(t);
	return 0;
}
