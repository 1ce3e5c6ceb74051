/*
 * `info registers` parsing (see hmp_regs.h). The text is a sequence of
 * NAME=HEX fields ("RAX=0000000002105c10", "R8 =...", "RFL=00000202"); the
 * segment lines ("FS =0000 0000000000000000 ffffffff 00c00000 ...") carry
 * the selector after '=' and the base as the next word. Unknown names are
 * ignored, so new QEMU fields do not break us; missing essential ones do.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hmp_regs.h"

#define REG_NAME_MAX 8

struct reg_field {
	const char *name;
	size_t offset;
	int segment_base_offset; /* for segments: where the base goes, or -1 */
};

#define R(n, f) { n, offsetof(struct uniscope_regs, f), -1 }
#define S(n, f, b) { n, offsetof(struct uniscope_regs, f), (int)offsetof(struct uniscope_regs, b) }
#define NO_BASE(n, f) { n, offsetof(struct uniscope_regs, f), -2 }

static const struct reg_field fields[] = {
	R("RAX", rax), R("RBX", rbx), R("RCX", rcx), R("RDX", rdx), R("RSI", rsi), R("RDI", rdi),
	R("RBP", rbp), R("RSP", rsp), R("R8", r8), R("R9", r9), R("R10", r10), R("R11", r11),
	R("R12", r12), R("R13", r13), R("R14", r14), R("R15", r15), R("RIP", rip),
	R("RFL", rflags), R("CR0", cr0), R("CR2", cr2), R("CR3", cr3), R("CR4", cr4),
	NO_BASE("CS", cs), NO_BASE("SS", ss), NO_BASE("DS", ds), NO_BASE("ES", es),
	S("FS", fs, fs_base), S("GS", gs, gs_base),
};

static const struct reg_field *field_named(const char *name)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strcmp(fields[i].name, name))
			return &fields[i];
	return NULL;
}

/* The register name that ends just before '=' at eq (spaces allowed). */
static int name_before(const char *text, const char *eq, char *name)
{
	const char *end = eq, *start;

	while (end > text && end[-1] == ' ')
		end--;
	start = end;
	while (start > text && isalnum((unsigned char)start[-1]))
		start--;
	if (start == end || end - start >= REG_NAME_MAX)
		return 0;
	memcpy(name, start, (size_t)(end - start));
	name[end - start] = 0;
	return 1;
}

static void store(struct uniscope_regs *regs, size_t offset, uint64_t value)
{
	memcpy((char *)regs + offset, &value, sizeof(value));
}

struct us_error *us_parse_info_registers(const char *text, struct uniscope_regs *regs)
{
	unsigned seen = 0;

	memset(regs, 0, sizeof(*regs));
	for (const char *eq = strchr(text, '='); eq; eq = strchr(eq + 1, '=')) {
		char name[REG_NAME_MAX], *end;
		const struct reg_field *f;
		uint64_t value;

		if (!name_before(text, eq, name) || !(f = field_named(name)))
			continue;
		value = strtoull(eq + 1, &end, 16);
		if (end == eq + 1)
			continue;
		store(regs, f->offset, value);
		if (f->segment_base_offset >= 0 && *end == ' ')
			store(regs, (size_t)f->segment_base_offset, strtoull(end + 1, NULL, 16));
		seen |= !strcmp(name, "RIP") << 0 | !strcmp(name, "RSP") << 1 | !strcmp(name, "CR3") << 2;
	}
	if (seen != 7)
		return us_error_create(US_ERR_INVALID,
				       "QEMU's 'info registers' answer lacks RIP, RSP or CR3");
	return NULL;
}

/* ---- x87 and SSE ---------------------------------------------------------- */

/* The hex words after "NAME=" (NAME as a whole word): how many were read. */
static int words_after(const char *text, const char *name, uint64_t *words, int max)
{
	size_t n = strlen(name);
	const char *p = text;
	int count = 0;

	while ((p = strstr(p, name)) && ((p > text && isalnum((unsigned char)p[-1])) || p[n] != '='))
		p += n;
	if (!p)
		return 0;
	for (p += n + 1; count < max; count++) {
		char *end;
		words[count] = strtoull(p, &end, 16);
		if (end == p)
			break;
		p = end + (*end == ' ');
	}
	return count;
}

static void put16(uint8_t *at, uint64_t v) { at[0] = (uint8_t)v; at[1] = (uint8_t)(v >> 8); }
static void put64(uint8_t *at, uint64_t v) { for (int i = 0; i < 8; i++) at[i] = (uint8_t)(v >> (8 * i)); }

struct us_error *us_parse_info_registers_fpu(const char *text, uint8_t fxsave[US_FXSAVE_SIZE])
{
	uint64_t w[2];
	unsigned top;
	char name[8];

	memset(fxsave, 0, US_FXSAVE_SIZE);
	if (words_after(text, "FCW", w, 1) != 1)
		return us_error_create(US_ERR_INVALID, "QEMU's 'info registers' answer has no x87 state");
	put16(fxsave + 0, w[0]);
	if (words_after(text, "FSW", w, 1) == 1)
		put16(fxsave + 2, w[0]);
	top = (fxsave[3] >> 3) & 7; /* FSW bits 11-13: the stack top */
	if (words_after(text, "FTW", w, 1) == 1)
		fxsave[4] = (uint8_t)w[0];
	if (words_after(text, "MXCSR", w, 1) != 1)
		return us_error_create(US_ERR_INVALID, "QEMU's 'info registers' answer has no MXCSR");
	put64(fxsave + 24, w[0] | 0xffffull << 32); /* MXCSR, and the mask the CPU reports */
	for (unsigned i = 0; i < 8; i++) { /* FPRn are physical registers; the slots are ST(i) */
		snprintf(name, sizeof(name), "FPR%u", i);
		if (words_after(text, name, w, 2) == 2) {
			uint8_t *slot = fxsave + 32 + 16 * ((i - top) & 7);
			put64(slot, w[0]);
			put16(slot + 8, w[1]);
		}
	}
	for (unsigned i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "XMM%02u", i);
		if (words_after(text, name, w, 2) == 2) { /* high quadword first */
			put64(fxsave + 160 + 16 * i, w[1]);
			put64(fxsave + 168 + 16 * i, w[0]);
		}
	}
	return NULL;
}
