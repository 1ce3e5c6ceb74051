/*
 * `info registers` parsing (see hmp_regs.h). The text is a sequence of
 * NAME=HEX fields ("RAX=0000000002105c10", "R8 =...", "RFL=00000202"); the
 * segment lines ("FS =0000 0000000000000000 ffffffff 00c00000 ...") carry
 * the selector after '=' and the base as the next word. Unknown names are
 * ignored, so new QEMU fields do not break us; missing essential ones do.
 */
#include <ctype.h>
#include <stddef.h>
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
