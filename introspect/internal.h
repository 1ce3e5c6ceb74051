/*
 * What the files of libuniscope's target layer share: the target itself
 * and the functions one file offers another. Not for users of the library
 * (they include target.h).
 */
#ifndef UNISCOPE_INTROSPECT_INTERNAL_H
#define UNISCOPE_INTROSPECT_INTERNAL_H

#include "target.h"

/* Bounds on what a guest descriptor may claim (the guest is untrusted). */
#define US_THREAD_STRUCT_MAX (64u * 1024)
#define US_STACK_SIZE_MAX (1ull << 30)
#define US_SCAN_CHUNK (1u << 20)

struct us_target {
	struct us_backend *backend;
	char *name;
	struct us_pagewalk walk;
	unsigned pause_depth;

	struct uniscope_regs vcpu_regs[US_MAX_VCPUS];
	bool vcpu_regs_valid[US_MAX_VCPUS];

	struct uniscope_info info;
	uint64_t info_address;
	bool have_info;
	char info_problem[256]; /* why there is no descriptor */

	struct us_symbols *symbols;
	char warning[512];
};

/* target.c */
void us_target_warn(struct us_target *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* descriptor.c: fills t->info, or t->info_problem. */
void us_descriptor_find(struct us_target *t);
/* Checks a candidate descriptor read from the guest. NULL when it is sound. */
struct us_error *us_descriptor_check(const struct uniscope_info *info);

/* disasm.c: Capstone behind one file. */
struct us_error *us_disasm(const uint8_t *code, size_t len, uint64_t addr, size_t max,
			   struct us_insn *insns, size_t *count);

#endif
