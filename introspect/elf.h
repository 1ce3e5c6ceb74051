/*
 * ELF files through libelf: the only file that includes <libelf.h>/<gelf.h>.
 * Images (symbols, build-id) and cores (segments, notes) are both read here;
 * libelf's errors become us_error objects naming the file.
 */
#ifndef UNISCOPE_INTROSPECT_ELF_H
#define UNISCOPE_INTROSPECT_ELF_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

#define US_ELF_PT_LOAD 1
#define US_ELF_PT_NOTE 4
#define US_ELF_ET_EXEC 2
#define US_ELF_ET_CORE 4
#define US_ELF_NT_PRSTATUS 1
#define US_ELF_NT_FPREGSET 2
#define US_ELF_NT_PRPSINFO 3
#define US_ELF_NT_FILE 0x46494c45u
#define US_ELF_NT_GNU_BUILD_ID 3

enum us_symbol_kind { US_SYM_OTHER, US_SYM_FUNC, US_SYM_OBJECT };

struct us_elf_segment {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

struct us_elf;

struct us_error *us_elf_open(const char *path, struct us_elf **out);
void us_elf_close(struct us_elf *e);
const char *us_elf_path(const struct us_elf *e);
/* ET_EXEC, ET_CORE, ...; 0 when not a 64-bit little-endian x86-64 ELF. */
unsigned us_elf_type(const struct us_elf *e);
/* The whole file, mapped read-only. */
const uint8_t *us_elf_bytes(const struct us_elf *e, size_t *size);

struct us_error *us_elf_segments(struct us_elf *e, struct us_elf_segment **out, size_t *count);
/* The entry point and where the program headers are in the file. */
struct us_error *us_elf_entry(struct us_elf *e, uint64_t *entry, uint64_t *phoff);

/* Calls fn for every note of every PT_NOTE segment; fn returns non-zero to stop. */
typedef int us_elf_note_fn(void *arg, const char *name, uint32_t type, const void *desc,
			   size_t descsz);
struct us_error *us_elf_for_each_note(struct us_elf *e, us_elf_note_fn *fn, void *arg);

/* The GNU build-id (len 0 when the file has none). */
struct us_error *us_elf_build_id(struct us_elf *e, uint8_t *id, size_t cap, size_t *len);

/* The bytes of the section called name (NOT_FOUND when there is none); they live as long as e. */
struct us_error *us_elf_section(struct us_elf *e, const char *name, const void **data, size_t *size);

/* Calls fn for every named, defined symbol of .symtab (or .dynsym). */
typedef void us_elf_symbol_fn(void *arg, const char *name, uint64_t value, uint64_t size,
			      enum us_symbol_kind kind);
struct us_error *us_elf_for_each_symbol(struct us_elf *e, us_elf_symbol_fn *fn, void *arg);

#endif
