/*
 * libFuzzer target for the core-file reader (introspect/backend_core.c):
 * the input is the note segment of an otherwise well-formed ELF core
 * (ELF header, one PT_NOTE, one PT_LOAD of guest memory), so the fuzzer
 * spends its time where cores are parsed: NT_PRSTATUS, NT_PRPSINFO,
 * NT_FILE, NT_FPREGSET, the QEMU and UNISCOPE notes, their sizes, counts
 * and strings. The core is opened as a target and read as the commands
 * read it: threads, backtraces, the x87/SSE state, the image it names.
 * Nothing may crash, leak or read outside its buffers.
 *
 * The core lives in a memfd: the reader takes a path (/proc/self/fd/N).
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../introspect/target.h"

#define NOTES_MAX (1u << 16)
#define MEMORY_AT 0x100000u
#define MEMORY_SIZE 4096u

static size_t build_core(uint8_t *out, const uint8_t *notes, size_t len)
{
	Elf64_Ehdr eh = { .e_type = ET_CORE, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
			  .e_phoff = sizeof(Elf64_Ehdr), .e_ehsize = sizeof(Elf64_Ehdr),
			  .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 2 };
	size_t notes_at = sizeof(eh) + 2 * sizeof(Elf64_Phdr), memory_at = notes_at + len;
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_NOTE, .p_offset = notes_at, .p_filesz = len, .p_align = 4 },
		{ .p_type = PT_LOAD, .p_offset = memory_at, .p_vaddr = MEMORY_AT, .p_paddr = MEMORY_AT,
		  .p_filesz = MEMORY_SIZE, .p_memsz = MEMORY_SIZE, .p_flags = PF_R, .p_align = 4096 },
	};

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	memcpy(out, &eh, sizeof(eh));
	memcpy(out + sizeof(eh), ph, sizeof(ph));
	memcpy(out + notes_at, notes, len);
	memset(out + memory_at, 0, MEMORY_SIZE);
	return memory_at + MEMORY_SIZE;
}

static void exercise(struct us_target *t)
{
	struct us_backtrace *bt = malloc(sizeof(*bt));
	struct us_thread *threads = NULL;
	struct uniscope_fxsave fx;
	size_t count = 0;

	us_error_destroy(us_target_threads(t, &threads, &count));
	for (size_t i = 0; bt && i < count && i < 16; i++) {
		us_target_backtrace(t, &threads[i], bt);
		us_error_destroy(us_thread_fpu(t, &threads[i], &fx));
	}
	free(threads);
	free(bt);
	(void)us_target_image(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *file;
	struct us_target *t;
	struct us_error *err;
	char path[64];
	size_t len;
	int fd;

	if (size > NOTES_MAX)
		return 0;
	if (!file && !(file = malloc(sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr) + NOTES_MAX +
				     MEMORY_SIZE)))
		return 0;
	len = build_core(file, data, size);
	if ((fd = memfd_create("fuzz-core", MFD_CLOEXEC)) < 0)
		return 0;
	if (write(fd, file, len) == (ssize_t)len) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if ((err = us_target_open(path, NULL, &t)))
			us_error_destroy(err);
		else {
			exercise(t);
			us_target_close(t);
		}
	}
	close(fd);
	return 0;
}
