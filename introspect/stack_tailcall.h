/*
 * Tail-call frames. A function that ends in a jump to another (a tail
 * call) leaves no frame behind, so between a callee and the caller an
 * unwinder finds, frames go missing: sleep_ms jumps to sleep_ns, whose
 * caller then seems to be the function that called sleep_ms. The DWARF
 * says which calls are tail calls (DW_TAG_call_site, DW_AT_call_tail_call)
 * and, for a function that lists all of them, where each jumps; GDB
 * rebuilds the missing frames from that when exactly one chain of tail
 * calls leads from the caller's call to the callee (or keeps the ends all
 * chains share). This does the same, with GDB's rules, so that uniscope's
 * backtraces list the frames GDB lists.
 */
#ifndef UNISCOPE_INTROSPECT_STACK_TAILCALL_H
#define UNISCOPE_INTROSPECT_STACK_TAILCALL_H

#include <stddef.h>
#include <stdint.h>
#include "dwarf.h"
#include "error.h"

struct us_symbols;
struct us_tailcalls;

/* Indexes every call site of d; names of declared callees resolve through s. */
struct us_error *us_tailcalls_build(struct us_dwarf *d, const struct us_symbols *s,
				    struct us_tailcalls **out);
void us_tailcalls_free(struct us_tailcalls *tc);

/*
 * The frames tail calls removed between a callee (the function entered at
 * callee_entry) and its caller, which called from the return address
 * caller_pc: each frame's pc (the address after its tail jump), the
 * callee's side first. 0 when there are none, or no single answer.
 */
size_t us_tailcalls_between(const struct us_tailcalls *tc, uint64_t caller_pc,
			    uint64_t callee_entry, uint64_t *pcs, size_t max);

#endif
