/*
 * The core writer over a synthetic guest built in code: the ELF layout
 * (header, NOTE first, PT_LOADs sorted, page-aligned and back to back),
 * the notes (NT_PRSTATUS per thread, the dead thread first with the panic
 * record's registers, pr_pid = thread id; NT_PRPSINFO; the UNISCOPE note),
 * which memory goes in (short zero runs next to data kept, long ones and
 * untouched mappings left out, unbacked mappings counted, the log ring
 * kept although it is all zero, permissions and physical addresses right),
 * and the core read back through libuniscope.
 *
 * The synthetic guest (8 MiB of physical memory at 0, paging on):
 *	PT  4 KiB pages 0x1000-0x1fffff identity, RW+NX, except 0x100000-
 *	    0x10ffff read-only and executable (the "text");
 *	PD[1] 2 MiB identity RW+NX: data at 0x200000, a 60 KiB zero run,
 *	    data at 0x210000, ~1 MiB of zeros, data at 0x300000;
 *	PD[2] va 4M -> pa 2M, read-only, executable (an alias);
 *	PD[3] va 6M -> pa 6M, all zero (never touched);
 *	PD[4] va 8M -> pa 8M, past the end of memory (unbacked).
 */
#include <elf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tap.h"
#include "synthetic.h"
#include "../../introspect/corefile.h"
#include "../../introspect/postmortem.h"

#define MEM_SIZE (8u << 20)
#define DESC 0x10000ull
#define LIST_HEAD 0x11000ull
#define CURRENT 0x11008ull
#define COUNT 0x11010ull
#define PANIC 0x14000ull
#define THREADS 0x20000ull
#define LOG 0x40000ull
#define LOG_SIZE (128u << 10)
#define STACKS 0x180000ull
#define STACK_SIZE 0x4000ull
#define NR_THREADS 3

static uint8_t *mem;
static char path[] = "/tmp/uniscope-test-corewrite.XXXXXX";

static void put64(uint64_t addr, uint64_t v) { memcpy(mem + addr, &v, 8); }

static void build_page_tables(void)
{
	put64(0x1000, 0x2000 | 3);
	put64(0x2000, 0x3000 | 3);
	put64(0x3000, 0x4000 | 3);
	for (uint64_t i = 1; i < 512; i++) {
		bool text = i >= 0x100 && i < 0x110;
		put64(0x4000 + i * 8, (i << 12) | (text ? 1 : 3 | (1ull << 63)));
	}
	put64(0x3008, 0x200000 | 0x83 | (1ull << 63));
	put64(0x3010, 0x200000 | 0x81);
	put64(0x3018, 0x600000 | 0x83 | (1ull << 63));
	put64(0x3020, 0x800000 | 0x83 | (1ull << 63));
}

static void build_descriptor(void)
{
	struct uniscope_info info = {
		.magic = UNISCOPE_INFO_MAGIC, .version = UNISCOPE_INFO_VERSION,
		.size = sizeof(struct uniscope_info), .nr_cpus = 1, .build_id_len = 4,
		.build_id = { 0xca, 0xfe, 0xf0, 0x0d },
		.thread_layout = TEST_THREAD_LAYOUT,
		.thread_list = LIST_HEAD, .current_thread = CURRENT, .thread_count = COUNT,
		.console_log = LOG, .panic = PANIC,
	};
	struct uniscope_log log = { UNISCOPE_LOG_MAGIC, LOG_SIZE, 0 };

	memcpy(mem + DESC, &info, sizeof(info));
	memcpy(mem + LOG, &log, sizeof(log));
}

/* Thread i (id i + 1): stack with one frame record; id 2 is on the CPU and died. */
static void build_threads(void)
{
	static const char *const names[NR_THREADS] = { "main", "crasher", "bystander" };

	for (unsigned i = 0; i < NR_THREADS; i++) {
		uint64_t lo = STACKS + i * 2 * STACK_SIZE, hi = lo + STACK_SIZE, fp = hi - 0x40;
		struct test_thread th = { .id = i + 1, .state = i == 1, .stack_lo = lo, .stack_hi = hi };
		snprintf(th.name, sizeof(th.name), "%s", names[i]);
		th.context = (struct uniscope_context){ .rsp = fp - 0x20, .rip = 0x100100 + i, .rbp = fp };
		th.next = i + 1 < NR_THREADS ? THREADS + (i + 1) * 0x200 : 0;
		put64(fp, 0);
		put64(fp + 8, 0);
		memcpy(mem + THREADS + i * 0x200, &th, sizeof(th));
	}
	put64(LIST_HEAD, THREADS);
	put64(CURRENT, THREADS + 0x200);
	put64(COUNT, NR_THREADS);
}

static void build_panic(void)
{
	struct uniscope_panic p = { .kind = UNISCOPE_PANIC_FAULT, .vector = 14, .error_code = 2,
				    .thread_id = 2, .message = "page fault: write to an unmapped page" };

	p.regs = (struct uniscope_regs){ .rip = 0x100042, .rsp = STACKS + 3 * STACK_SIZE - 0x80,
					 .rbp = STACKS + 3 * STACK_SIZE - 0x40, .rax = 0xdead };
	memcpy(mem + PANIC, &p, sizeof(p));
}

static void build_guest(void)
{
	memset(mem, 0, MEM_SIZE);
	build_page_tables();
	build_descriptor();
	build_threads();
	build_panic();
	memset(mem + 0x100000, 0x90, 0x10000);    /* text */
	memset(mem + 0x200000, 0xaa, 0x1000);     /* data, a 60 KiB gap, data */
	memset(mem + 0x210000, 0xbb, 0x1000);
	memset(mem + 0x300000, 0xcc, 0x1000);     /* after ~1 MiB of zeros */
}

static struct us_target *open_guest(void)
{
	struct uniscope_regs regs = { .cr0 = 0x80000011, .cr3 = 0x1000, .cr4 = 0x20,
				      .rip = 0x100999, .rsp = STACKS + 0x100 };
	struct us_backend *b;
	struct us_target *t = NULL;
	struct us_error *err = us_backend_buffer_open(mem, MEM_SIZE, 0, &regs, &b);

	if (!err)
		err = us_target_open_backend(b, "synthetic", NULL, &t);
	if (err) {
		diag("open: %s", err->message);
		us_error_destroy(err);
	}
	return t;
}

/* ---- reading the core back ------------------------------------------- */

static uint8_t *core;
static size_t core_size;

static bool load_core(void)
{
	FILE *f = fopen(path, "rb");

	free(core);
	core = NULL;
	if (!f)
		return false;
	fseek(f, 0, SEEK_END);
	core_size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	core = malloc(core_size);
	if (!core || fread(core, 1, core_size, f) != core_size)
		core_size = 0;
	fclose(f);
	return core_size > 0;
}

static const Elf64_Ehdr *ehdr(void) { return (const Elf64_Ehdr *)core; }
static const Elf64_Phdr *phdr(size_t i) { return (const Elf64_Phdr *)(core + ehdr()->e_phoff) + i; }

static const Elf64_Phdr *segment_holding(uint64_t va)
{
	for (size_t i = 1; i < ehdr()->e_phnum; i++)
		if (va >= phdr(i)->p_vaddr && va < phdr(i)->p_vaddr + phdr(i)->p_filesz)
			return phdr(i);
	return NULL;
}

static void test_header(void)
{
	const Elf64_Ehdr *e = ehdr();
	bool sorted = true, aligned = true, contiguous = true;
	uint64_t next = 0;

	ok(!memcmp(e->e_ident, ELFMAG, SELFMAG) && e->e_type == ET_CORE && e->e_machine == EM_X86_64 &&
	   e->e_ident[EI_CLASS] == ELFCLASS64 && e->e_phoff == sizeof(*e), "an x86-64 ELF core");
	ok(e->e_phnum >= 2 && phdr(0)->p_type == PT_NOTE, "the first program header is the notes");
	for (size_t i = 1; i < e->e_phnum; i++) {
		const Elf64_Phdr *p = phdr(i);
		sorted &= p->p_type == PT_LOAD && (i == 1 || p->p_vaddr >= phdr(i - 1)->p_vaddr +
						   phdr(i - 1)->p_filesz);
		aligned &= p->p_offset % 4096 == 0 && p->p_filesz % 4096 == 0 && p->p_memsz == p->p_filesz;
		contiguous &= i == 1 || p->p_offset == next;
		next = p->p_offset + p->p_filesz;
	}
	ok(sorted, "PT_LOADs sorted by address, not overlapping");
	ok(aligned, "segments page-aligned in the file, memsz == filesz");
	ok(contiguous && next == core_size, "segment data back to back up to the end of the file");
}

static bool segment_matches_memory(const Elf64_Phdr *p)
{
	return !memcmp(core + p->p_offset, mem + p->p_paddr, p->p_filesz);
}

static void test_memory(const struct us_core_stats *s)
{
	const Elf64_Phdr *text = segment_holding(0x100000), *data = segment_holding(0x200000);
	const Elf64_Phdr *alias = segment_holding(0x400000);
	bool all_match = true;

	for (size_t i = 1; i < ehdr()->e_phnum; i++)
		all_match &= segment_matches_memory(phdr(i));
	ok(all_match, "every segment holds the guest memory of its physical address");
	ok(text && text->p_flags == (PF_R | PF_X), "text is R+X");
	ok(data && data->p_flags == (PF_R | PF_W) && data == segment_holding(0x20ffff) &&
	   data == segment_holding(0x210000), "a 60 KiB zero run between data stays in the segment");
	ok(!segment_holding(0x211000) && !segment_holding(0x2fffff) && segment_holding(0x300000),
	   "a 1 MiB zero run is left out, the data after it is in");
	ok(alias && alias->p_vaddr == 0x400000 && alias->p_paddr == 0x200000 &&
	   alias->p_flags == (PF_R | PF_X), "an alias: virtual address, physical address, flags");
	ok(!segment_holding(0x600000) && !segment_holding(0x800000),
	   "untouched and unbacked mappings are out");
	ok(segment_holding(LOG) && segment_holding(LOG + 0x10 + LOG_SIZE),
	   "the all-zero log ring is kept whole for the host tools");
	ok(s->unreadable == 2u << 20 && s->segments == ehdr()->e_phnum - 1u && s->threads == NR_THREADS,
	   "stats: 2 MiB unbacked, segment and thread counts");
}

struct notes {
	struct us_prstatus pr[8];
	size_t nr_pr;
	char fname[17];
	struct us_core_note_info info;
	bool have_info;
};

static void read_notes(struct notes *n)
{
	const Elf64_Phdr *p = phdr(0);

	memset(n, 0, sizeof(*n));
	for (uint64_t off = p->p_offset; off + 12 <= p->p_offset + p->p_filesz;) {
		uint32_t h[3];
		memcpy(h, core + off, 12);
		const char *name = (const char *)core + off + 12;
		const uint8_t *desc = core + off + 12 + ((h[0] + 3) & ~3u);
		if (!strcmp(name, "CORE") && h[2] == NT_PRSTATUS && n->nr_pr < 8)
			memcpy(&n->pr[n->nr_pr++], desc, sizeof(n->pr[0]));
		else if (!strcmp(name, "CORE") && h[2] == NT_PRPSINFO)
			memcpy(n->fname, desc + 40, 16);
		else if (!strcmp(name, US_CORE_NOTE_NAME) && h[2] == US_CORE_NOTE_INFO)
			n->have_info = memcpy(&n->info, desc, sizeof(n->info)) != NULL;
		off += 12 + ((h[0] + 3) & ~3u) + ((h[1] + 3) & ~3u);
	}
}

static void test_notes(void)
{
	struct notes n;

	read_notes(&n);
	ok(n.nr_pr == NR_THREADS, "one NT_PRSTATUS per thread");
	ok(n.pr[0].pid == 2 && n.pr[0].rip == 0x100042 && n.pr[0].rax == 0xdead,
	   "the dead thread first, pr_pid = thread id, registers from the panic record");
	ok(n.pr[1].pid == 1 && n.pr[2].pid == 3 && n.pr[2].rip == 0x100102,
	   "the others in list order, registers from their saved context");
	ok(n.pr[0].cursig == 11 && n.pr[2].cursig == 11, "every thread carries the death's signal");
	ok(!strcmp(n.fname, "unikernel"), "NT_PRPSINFO names the program");
	ok(n.have_info && n.info.info_address == DESC && n.info.build_id_len == 4 &&
	   n.info.build_id[0] == 0xca, "the UNISCOPE note: descriptor address and build-id");
}

static void test_read_back(void)
{
	struct us_target *t = NULL;
	struct us_thread *th = NULL;
	struct uniscope_regs regs;
	size_t count = 0;
	char *text = NULL;
	size_t len;
	uint64_t lost;
	struct us_error *err = us_target_open(path, NULL, &t);

	ok(!err && t && us_target_info(t), "libuniscope opens the core, descriptor from the note");
	if (err || !t) {
		us_error_destroy(err);
		return;
	}
	err = us_target_threads(t, &th, &count);
	ok(!err && count == NR_THREADS && th[1].cpu == 0, "the threads read back, the dead one on vCPU 0");
	us_error_destroy(err);
	err = us_target_vcpu_regs(t, 0, &regs);
	ok(!err && regs.rip == 0x100042, "vCPU 0 of the core is the dead thread at the fault");
	us_error_destroy(err);
	err = us_target_log(t, &text, &len, &lost);
	ok(!err && len == 0, "the (empty) console log reads back");
	us_error_destroy(err);
	free(text);
	free(th);
	us_target_close(t);
}

static void test_errors(struct us_target *t)
{
	struct us_error *err = us_core_write(t, "/nonexistent-dir/x.core", NULL, NULL);

	ok(err && strstr(err->message, "cannot create core file '/nonexistent-dir/x.core'"),
	   "an unwritable path is a clear error");
	us_error_destroy(err);
}

static void test_zero_skip(struct us_target *t, const struct us_core_stats *full)
{
	struct us_core_options o = { .zero_skip = 4096 };
	struct us_core_stats s;
	struct us_error *err = us_core_write(t, path, &o, &s);

	ok(!err && s.written < full->written && s.segments > full->segments,
	   "a smaller zero_skip leaves out more zero pages, in more segments");
	us_error_destroy(err);
}

int main(void)
{
	struct us_core_stats stats;
	struct us_target *t;
	struct us_error *err;
	int fd;

	if (!(mem = malloc(MEM_SIZE)) || (fd = mkstemp(path)) < 0)
		return 1;
	close(fd);
	build_guest();
	if (!(t = open_guest()))
		return 1;
	err = us_core_write(t, path, NULL, &stats);
	ok(!err, "us_core_write succeeds");
	if (err)
		diag("%s", err->message);
	us_error_destroy(err);
	if (!err && load_core()) {
		test_header();
		test_memory(&stats);
		test_notes();
		test_read_back();
	}
	test_zero_skip(t, &stats);
	test_errors(t);
	us_target_close(t);
	unlink(path);
	free(core);
	free(mem);
	return done_testing();
}
