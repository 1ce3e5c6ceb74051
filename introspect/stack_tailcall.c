/*
 * Tail-call frames (stack_tailcall.h), by GDB's algorithm (call_site_find_chain
 * in gdb/dwarf2/loc.c): a depth-first search from the call site at the
 * caller's return address, through the tail calls of each function it
 * reaches, to the callee's entry. Every complete path is a candidate;
 * what all candidates share at the caller's end and at the callee's end
 * is kept, the ambiguous middle is dropped, and when they share nothing,
 * or anything on the way cannot be resolved, there are no frames at all.
 *
 * The index: call sites sorted by return address; functions sorted by
 * entry, each with its tail calls when its DWARF says it lists them all
 * (GDB ignores the others) -- in reverse DIE order, the order GDB walks
 * them. The search is bounded in depth and in steps.
 */
#include <stdlib.h>
#include <string.h>
#include "symbols.h"
#include "stack_tailcall.h"

#define CHAIN_MAX 32
#define SEARCH_STEPS_MAX 4096
#define NONE SIZE_MAX

struct site {
	uint64_t return_pc, caller_entry, target; /* target 0: unresolved */
	bool tail;
	size_t next_tail; /* the next tail call of the same function, or NONE */
};

struct function {
	uint64_t entry;
	bool all_tail_calls;
	size_t first_tail; /* index into sites, or NONE */
};

struct us_tailcalls {
	struct site *sites;
	size_t nr_sites, cap_sites;
	struct function *functions;
	size_t nr_functions, cap_functions;
	const struct us_symbols *symbols;
	bool oom;
};

/* ---- building the index ------------------------------------------------ */

static bool grow(void **array, size_t *cap, size_t count, size_t size)
{
	size_t want = *cap ? 2 * *cap : 256;
	void *grown;

	if (count < *cap)
		return true;
	if (!(grown = realloc(*array, want * size)))
		return false;
	*array = grown;
	*cap = want;
	return true;
}

static void add_function(void *arg, uint64_t entry, bool all_tail_calls)
{
	struct us_tailcalls *tc = arg;

	if (tc->oom || !grow((void **)&tc->functions, &tc->cap_functions, tc->nr_functions,
			     sizeof(*tc->functions))) {
		tc->oom = true;
		return;
	}
	tc->functions[tc->nr_functions++] = (struct function){ entry, all_tail_calls, NONE };
}

static void add_site(void *arg, const struct us_dwarf_call_site *s)
{
	struct us_tailcalls *tc = arg;
	uint64_t target = s->target;
	const struct us_symbol *sym;

	if (!target && s->target_name && (sym = us_symbols_by_name(tc->symbols, s->target_name)))
		target = sym->address;
	if (tc->oom || !grow((void **)&tc->sites, &tc->cap_sites, tc->nr_sites, sizeof(*tc->sites))) {
		tc->oom = true;
		return;
	}
	tc->sites[tc->nr_sites++] = (struct site){ s->return_pc, s->caller_entry, target, s->tail,
						   NONE };
}

static int by_return_pc(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	return x->return_pc < y->return_pc ? -1 : x->return_pc > y->return_pc;
}

static int by_entry(const void *a, const void *b)
{
	const struct function *x = a, *y = b;

	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

static struct function *function_at(const struct us_tailcalls *tc, uint64_t entry)
{
	struct function key = { .entry = entry };

	return bsearch(&key, tc->functions, tc->nr_functions, sizeof(key), by_entry);
}

static const struct site *site_at(const struct us_tailcalls *tc, uint64_t return_pc)
{
	struct site key = { .return_pc = return_pc };

	return bsearch(&key, tc->sites, tc->nr_sites, sizeof(key), by_return_pc);
}

/* Each complete function's tail calls, linked last to first in address order. */
static void link_tail_calls(struct us_tailcalls *tc)
{
	for (size_t i = 0; i < tc->nr_sites; i++) {
		struct function *f = tc->sites[i].tail ? function_at(tc, tc->sites[i].caller_entry)
						       : NULL;
		if (!f || !f->all_tail_calls)
			continue;
		tc->sites[i].next_tail = f->first_tail;
		f->first_tail = i;
	}
}

struct us_error *us_tailcalls_build(struct us_dwarf *d, const struct us_symbols *s,
				    struct us_tailcalls **out)
{
	static const struct us_dwarf_call_site_ops ops = { add_function, add_site };
	struct us_tailcalls *tc = calloc(1, sizeof(*tc));

	if (!tc)
		return &us_error_nomem;
	tc->symbols = s;
	us_dwarf_call_sites(d, &ops, tc);
	if (tc->oom) {
		us_tailcalls_free(tc);
		return &us_error_nomem;
	}
	qsort(tc->sites, tc->nr_sites, sizeof(*tc->sites), by_return_pc);
	qsort(tc->functions, tc->nr_functions, sizeof(*tc->functions), by_entry);
	link_tail_calls(tc);
	*out = tc;
	return NULL;
}

void us_tailcalls_free(struct us_tailcalls *tc)
{
	if (!tc)
		return;
	free(tc->sites);
	free(tc->functions);
	free(tc);
}

/* ---- the search -------------------------------------------------------- */

struct search {
	const struct us_tailcalls *tc;
	size_t chain[CHAIN_MAX], length; /* the path: tail call sites */
	size_t result[CHAIN_MAX], result_length, callers, callees;
	bool have_result, failed;
};

static bool on_path(const struct search *s, size_t site)
{
	for (size_t i = 0; i < s->length; i++)
		if (s->tc->sites[s->chain[i]].return_pc == s->tc->sites[site].return_pc)
			return true;
	return false;
}

/* A complete path: keep what it shares with the ones before (GDB's chain_candidate). */
static void candidate(struct search *s)
{
	size_t n = s->length, callers, callees;

	if (!s->have_result) {
		memcpy(s->result, s->chain, n * sizeof(*s->chain));
		s->result_length = s->callers = s->callees = n;
		s->have_result = true;
		return;
	}
	callers = s->callers < n ? s->callers : n;
	for (size_t i = 0; i < callers; i++)
		if (s->result[i] != s->chain[i]) {
			s->callers = i;
			break;
		}
	callees = s->callees < n ? s->callees : n;
	for (size_t i = 0; i < callees; i++)
		if (s->result[s->result_length - 1 - i] != s->chain[n - 1 - i]) {
			s->callees = i;
			break;
		}
	if (!s->callers && !s->callees)
		s->failed = true; /* nothing in common: ambiguous */
}

/* The first tail call of the function a site calls; NONE; or failure. */
static size_t first_tail_of_target(struct search *s, const struct site *site)
{
	const struct function *f = site->target ? function_at(s->tc, site->target) : NULL;

	if (!f) {
		s->failed = true; /* GDB gives up on a callee it cannot find */
		return NONE;
	}
	return f->first_tail;
}

/* Enters next if it is not on the path; else backtracks to a sibling. */
static void advance(struct search *s, size_t next)
{
	for (;;) {
		if (next != NONE && !on_path(s, next)) {
			if (s->length == CHAIN_MAX) {
				s->failed = true;
				return;
			}
			s->chain[s->length++] = next;
			return;
		}
		next = NONE;
		while (s->length && next == NONE)
			next = s->tc->sites[s->chain[--s->length]].next_tail;
		if (next == NONE)
			return;
	}
}

static void search(struct search *s, const struct site *site, uint64_t callee_entry)
{
	for (int steps = 0; site && !s->failed; steps++) {
		size_t next = NONE;
		if (steps == SEARCH_STEPS_MAX || !site->target) {
			s->failed = true;
			return;
		}
		if (site->target == callee_entry)
			candidate(s);
		else
			next = first_tail_of_target(s, site);
		if (s->failed)
			return;
		advance(s, next);
		site = s->length ? &s->tc->sites[s->chain[s->length - 1]] : NULL;
	}
}

size_t us_tailcalls_between(const struct us_tailcalls *tc, uint64_t caller_pc,
			    uint64_t callee_entry, uint64_t *pcs, size_t max)
{
	struct search s = { .tc = tc };
	const struct site *first = tc ? site_at(tc, caller_pc) : NULL;
	size_t n = 0, levels;

	if (!first || !callee_entry)
		return 0;
	search(&s, first, callee_entry);
	if (s.failed || !s.have_result || !s.result_length)
		return 0;
	if (s.callers == s.result_length && s.callees == s.result_length)
		s.callees = s.result_length, s.callers = 0; /* one chain: all of it */
	levels = s.callers + s.callees;
	for (size_t i = 0; i < s.callees && n < max && n < levels; i++)
		pcs[n++] = tc->sites[s.result[s.result_length - 1 - i]].return_pc;
	for (size_t i = s.callers; i > 0 && n < max; i--)
		pcs[n++] = tc->sites[s.result[i - 1]].return_pc;
	return n;
}
