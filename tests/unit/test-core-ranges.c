/*
 * Guest memory whose ranges a hostile core (or backend) places: the core
 * backend's segments where PT_LOADs overlap (the one that starts first
 * wins, and every address reads its own file bytes), and the descriptor
 * scan over a range that ends near 2^64 (it must not wrap back to address
 * 0 and walk the whole address space: a 64 KB core found by fuzz-core-e2e
 * kept it busy for hours). The alarm turns such a hang into a failure.
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tap.h"
#include "../../introspect/internal.h"

struct load { uint64_t paddr, offset, filesz; };

/* The file's byte at offset off: no two offsets a multiple of 256 apart alike. */
static int pattern(uint64_t off)
{
	return (int)((off ^ (off >> 8) * 29) & 0xff);
}

/* An ELF core of PT_LOADs only (QEMU's kind: addresses are p_paddr) over pattern() bytes. */
static const char *write_core(const struct load *loads, size_t n, size_t file_size)
{
	static char path[] = "/tmp/test-core-ranges.XXXXXX";
	uint8_t *file = calloc(1, file_size);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)file;
	int fd;

	for (size_t i = sizeof(*eh) + n * sizeof(Elf64_Phdr); i < file_size; i++)
		file[i] = (uint8_t)pattern(i);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_CORE;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = (uint16_t)n;
	for (size_t i = 0; i < n; i++)
		((Elf64_Phdr *)(file + sizeof(*eh)))[i] = (Elf64_Phdr){
			.p_type = PT_LOAD, .p_offset = loads[i].offset, .p_paddr = loads[i].paddr,
			.p_vaddr = loads[i].paddr, .p_filesz = loads[i].filesz, .p_memsz = loads[i].filesz,
		};
	strcpy(path, "/tmp/test-core-ranges.XXXXXX");
	if ((fd = mkstemp(path)) < 0 || write(fd, file, file_size) != (ssize_t)file_size)
		exit(1);
	close(fd);
	free(file);
	return path;
}

/* The byte at addr, or -1 when the core does not hold it. */
static int byte_at(struct us_backend *b, uint64_t addr)
{
	uint8_t v;
	struct us_error *err = us_backend_read(b, addr, &v, 1);

	us_error_destroy(err);
	return err ? -1 : v;
}

static void test_overlapping_segments(void)
{
	/* A [0x1000,0x1400) from offset 0x400; B inside it; C from inside A past its end. */
	static const struct load loads[] = {
		{ 0x1000, 0x400, 0x400 },
		{ 0x1100, 0x900, 0x100 },
		{ 0x1200, 0xa00, 0x400 },
	};
	const char *path = write_core(loads, 3, 0x1000);
	struct us_backend *b = NULL;
	struct us_error *err = us_backend_core_open(path, &b);
	bool disjoint = true;

	ok(!err, "a core of overlapping PT_LOADs opens");
	us_error_destroy(err);
	if (err)
		return;
	for (size_t i = 1; i < b->nr_ranges; i++)
		disjoint &= b->ranges[i].start >= b->ranges[i - 1].end;
	ok(disjoint && b->nr_ranges == 2, "its ranges are sorted and disjoint (%zu)", b->nr_ranges);
	is_int(byte_at(b, 0x1150), pattern(0x400 + 0x150), "inside the first: the first segment's byte");
	is_int(byte_at(b, 0x1250), pattern(0x400 + 0x250), "where all overlap: still the first's");
	/* past A's end, C's own bytes: 0x1400 is C's 0x200th byte */
	is_int(byte_at(b, 0x1400), pattern(0xa00 + 0x200), "past the first: the third's byte for that address");
	is_int(byte_at(b, 0x15ff), pattern(0xa00 + 0x3ff), "the third's last byte");
	is_int(byte_at(b, 0x1600), -1, "past every segment: no byte");
	us_backend_destroy(b);
	unlink(path);
}

/* No descriptor in a guest whose only range ends 4 bytes below 2^64, its start unaligned. */
static void test_scan_at_the_top(void)
{
	static uint8_t mem[4096];
	struct uniscope_regs regs = { .cr0 = 0x11 };
	struct us_backend *b;
	struct us_target *t = NULL;
	struct us_error *err = us_backend_buffer_borrow(mem, sizeof(mem), UINT64_MAX - 4099, &regs, &b);

	if (!err)
		err = us_target_open_backend(b, "top", NULL, &t);
	ok(!err && t && !us_target_info(t), "a guest at the top of the address space: scanned, no descriptor");
	us_error_destroy(err);
	us_target_close(t);
}

int main(void)
{
	alarm(60); /* a hang is a failure: the file runs in well under a second */
	test_overlapping_segments();
	test_scan_at_the_top();
	return done_testing();
}
