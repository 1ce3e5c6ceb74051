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

/* ---- the FPU lines ------------------------------------------------------ */

/*
 * "FCW=037f FSW=3800 [ST=7] FTW=80 MXCSR=00001f80", "FPRn=MANTISSA EXP"
 * (physical register n), "XMMnn=HIGH LOW" or, with AVX on, "YMMnn=Q3 Q2 Q1 Q0".
 */
struct fpu_parse {
	struct uniscope_fxsave *fx;
	uint8_t physical[8][10];
	unsigned seen; /* bit 0 FCW, bit 1 MXCSR */
};

static const char *hex_words(const char *p, uint64_t *words, int n)
{
	for (int i = 0; i < n; i++) {
		char *end;
		words[i] = strtoull(p, &end, 16);
		if (end == p)
			return NULL;
		p = end;
	}
	return p;
}

static void put_le(uint8_t *out, uint64_t value, size_t bytes)
{
	for (size_t i = 0; i < bytes; i++)
		out[i] = (uint8_t)(value >> (8 * i));
}

/* "FPR3", "XMM12", "YMM07": the number after prefix, or -1. */
static int numbered(const char *name, const char *prefix, int limit)
{
	size_t len = strlen(prefix);
	char *end;
	long n;

	if (strncmp(name, prefix, len) || !isdigit((unsigned char)name[len]))
		return -1;
	n = strtol(name + len, &end, 10);
	return *end == 0 && n >= 0 && n < limit ? (int)n : -1;
}

static void fpu_field(struct fpu_parse *f, const char *name, const char *value)
{
	uint64_t w[4];
	int n;

	if (!strcmp(name, "FCW") && hex_words(value, w, 1))
		f->fx->fcw = (uint16_t)w[0], f->seen |= 1;
	else if (!strcmp(name, "FSW") && hex_words(value, w, 1))
		f->fx->fsw = (uint16_t)w[0];
	else if (!strcmp(name, "FTW") && hex_words(value, w, 1))
		f->fx->ftw = (uint8_t)w[0];
	else if (!strcmp(name, "MXCSR") && hex_words(value, w, 1))
		f->fx->mxcsr = (uint32_t)w[0], f->seen |= 2;
	else if ((n = numbered(name, "FPR", 8)) >= 0 && hex_words(value, w, 2)) {
		put_le(f->physical[n], w[0], 8);
		put_le(f->physical[n] + 8, w[1], 2);
	} else if ((n = numbered(name, "XMM", 16)) >= 0 && hex_words(value, w, 2)) {
		put_le(f->fx->xmm[n], w[1], 8);
		put_le(f->fx->xmm[n] + 8, w[0], 8);
	} else if ((n = numbered(name, "YMM", 16)) >= 0 && hex_words(value, w, 4)) {
		put_le(f->fx->xmm[n], w[3], 8);
		put_le(f->fx->xmm[n] + 8, w[2], 8);
	}
}

struct us_error *us_parse_info_registers_fpu(const char *text, struct uniscope_fxsave *fx)
{
	struct fpu_parse f = { .fx = fx };
	unsigned top;

	memset(fx, 0, sizeof(*fx));
	for (const char *eq = strchr(text, '='); eq; eq = strchr(eq + 1, '=')) {
		char name[REG_NAME_MAX];

		if (name_before(text, eq, name))
			fpu_field(&f, name, eq + 1);
	}
	if (f.seen != 3)
		return us_error_create(US_ERR_INVALID,
				       "QEMU's 'info registers' answer has no FPU state (FCW, MXCSR)");
	top = (fx->fsw >> 11) & 7;
	for (unsigned i = 0; i < 8; i++) /* FXSAVE keeps ST(i), QEMU prints physical registers */
		memcpy(fx->st[i], f.physical[(top + i) & 7], 10);
	return NULL;
}

