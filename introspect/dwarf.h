/*
 * The image's DWARF through libdw (libdwfl): the only file that includes
 * <elfutils/libdw.h> and <elfutils/libdwfl.h>. It answers four questions
 * about a code address:
 *
 *	lines      file:line ("libos/kern/sched.c" relative to the
 *	           compilation directory when inside it, as GDB shows it);
 *	unwinding  the physical frames from a set of registers, through the
 *	           image's CFI (.debug_frame, .eh_frame) by libdw's unwinder,
 *	           guest memory read through a callback;
 *	scopes     the function instances at an address: the blocks inlined
 *	           there, innermost first, and the function they are in;
 *	call sites every DW_TAG_call_site, so that stack_tailcall.c can rebuild the
 *	           frames tail calls removed, as GDB does.
 */
#ifndef UNISCOPE_INTROSPECT_DWARF_H
#define UNISCOPE_INTROSPECT_DWARF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"

struct us_dwarf;

/* Fails with US_ERR_NOT_FOUND when the file has neither DWARF nor CFI. */
struct us_error *us_dwarf_open(const char *path, struct us_dwarf **out);
void us_dwarf_close(struct us_dwarf *d);
/* file points into d (valid until us_dwarf_close); false when addr has no line. */
bool us_dwarf_line(struct us_dwarf *d, uint64_t addr, const char **file, int *line);

/* ---- unwinding ----------------------------------------------------------- */

/* DWARF's x86-64 registers: rax rdx rcx rbx rsi rdi rbp rsp r8-r15, then rip. */
#define US_DWARF_NREGS 17
#define US_DWARF_RBP 6
#define US_DWARF_RSP 7
#define US_DWARF_RIP 16

/* One guest word at addr; false when it cannot be read. */
typedef bool us_dwarf_read_fn(void *arg, uint64_t addr, uint64_t *word);

struct us_dwarf_frame {
	uint64_t pc, sp;
	bool activation; /* pc is where execution stands, not a return address */
};

/* True when the image has CFI to unwind with. */
bool us_dwarf_can_unwind(const struct us_dwarf *d);
/*
 * True when the image's CFI describes pc; *signal_frame (may be NULL) then
 * says whether it is a signal frame (a trap entry, whose caller was
 * interrupted rather than called).
 */
bool us_dwarf_has_cfi(struct us_dwarf *d, uint64_t pc, bool *signal_frame);
/*
 * Up to max physical frames from regs (frames[0] is regs' pc), through the
 * CFI and, where there is none, libdw's frame-pointer fallback. Returns the
 * count; why is "" when the outermost frame was reached, else why the
 * unwind stopped.
 */
size_t us_dwarf_unwind(struct us_dwarf *d, const uint64_t regs[US_DWARF_NREGS],
		       us_dwarf_read_fn *read, void *arg, struct us_dwarf_frame *frames,
		       size_t max, char *why, size_t why_len);

/* ---- scopes -------------------------------------------------------------- */

struct us_dwarf_scope {
	const char *function;  /* NULL when the DWARF names none */
	const char *file;      /* NULL when unknown */
	int line;
	uint64_t entry;        /* where this instance is entered */
	bool inlined;          /* an inlined block, not the function itself */
	bool entered_at;       /* the address is where the inlined block begins */
};

/*
 * The function instances containing addr: each block inlined there,
 * innermost first, then the function they are in (last). The first's
 * file:line is addr's, each other's is where the one before was inlined.
 * 0 when addr is in no function the DWARF describes.
 */
size_t us_dwarf_scopes(struct us_dwarf *d, uint64_t addr, struct us_dwarf_scope *out, size_t max);

/* ---- call sites ---------------------------------------------------------- */

struct us_dwarf_call_site {
	uint64_t return_pc;      /* the address after the call or jump */
	uint64_t caller_entry;   /* the function it is in */
	uint64_t target;         /* the callee's entry, 0 when not given by address */
	const char *target_name; /* a declared callee, to find by name; or NULL */
	bool tail;               /* a jump that replaced the caller's frame */
};

struct us_dwarf_call_site_ops {
	/* A function with code; all_tail_calls: its tail calls are all listed. */
	void (*function)(void *arg, uint64_t entry, bool all_tail_calls);
	void (*call_site)(void *arg, const struct us_dwarf_call_site *site);
};

/* Every function and call site of every compilation unit (bounded walks). */
void us_dwarf_call_sites(struct us_dwarf *d, const struct us_dwarf_call_site_ops *ops, void *arg);

#endif
