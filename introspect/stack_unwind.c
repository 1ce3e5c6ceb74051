/*
 * Backtraces (target.h), in two steps.
 *
 * Physical frames. With the image's CFI, libdw unwinds (dwarf.c): right at
 * every instruction -- function entry, prologue, epilogue, a leaf that
 * never set up a frame, a fault, an interrupt frame (the libOS describes
 * its trap entry, so the unwind continues in the interrupted code). The
 * one case CFI cannot cover is a pc it does not describe at the top of
 * the stack (a jump to a wild pointer or into data): like GDB, that frame
 * is taken as just entered by a call, its return address at [rsp]. An
 * image without CFI, or no image at all, falls back to frame pointers:
 * the libOS is built with them and its trap entry pushes a frame record
 * for the interrupted code; new threads start with rbp = 0, which ends
 * the chain. That walk trusts nothing: at most US_MAX_FRAMES frames, frame
 * pointers 8-aligned, strictly increasing, inside the thread's stack when
 * its bounds are known and the registers are on it.
 *
 * Then what GDB shows of them: each physical frame becomes the functions
 * inlined at its pc, innermost first, then the function itself; between a
 * frame and its caller come the frames tail calls removed (stack_tailcall.c).
 * Frame #0 is where execution stands (GDB's stop location: an inlined
 * block that begins exactly there is not entered yet, so it is not shown);
 * every other frame's pc is a return address, looked up at pc - 1.
 *
 * Whatever stops an unwind early is said in bt->stopped; the frames found
 * so far stay valid.
 */
#include <stdio.h>
#include <string.h>
#include "dwarf.h"
#include "internal.h"
#include "stack_tailcall.h"

#define SCOPES_MAX 16
#define TAIL_CALLS_MAX 16

struct physical {
	uint64_t pc, sp;
	bool is_return; /* pc is a return address */
	bool cfi;       /* the CFI describes the frame */
	bool trap;      /* ... as a signal frame: the trap entry, its caller interrupted */
};

struct unwind_state {
	struct us_target *t;
	struct us_dwarf *dwarf; /* NULL: no DWARF, no CFI */
	uint64_t lo, hi;        /* stack bounds, or 0, 0 when not enforced */
	struct us_backtrace *bt;
	struct physical frames[US_MAX_FRAMES];
	size_t count;
};

static void stop(struct unwind_state *u, const char *fmt, unsigned long long value)
{
	snprintf(u->bt->stopped, sizeof(u->bt->stopped), fmt, value);
}

static void add_physical(struct unwind_state *u, uint64_t pc, uint64_t sp, bool is_return)
{
	struct physical *p = &u->frames[u->count++];

	*p = (struct physical){ pc, sp, is_return, false, false };
	p->cfi = us_dwarf_has_cfi(u->dwarf, is_return ? pc - 1 : pc, &p->trap);
}

/* A frame's pc is a return address unless it is the top one or it was interrupted. */
static bool called(const struct unwind_state *u)
{
	return u->count && !u->frames[u->count - 1].trap;
}

/* ---- physical frames: frame pointers ------------------------------------ */

static bool frame_pointer_ok(struct unwind_state *u, uint64_t fp, uint64_t previous)
{
	if (fp & 7) {
		stop(u, "frame pointer 0x%llx is misaligned", fp);
		return false;
	}
	if (u->hi && (fp < u->lo || fp > u->hi - 16)) {
		stop(u, "frame pointer 0x%llx leaves the thread's stack", fp);
		return false;
	}
	if (previous && fp <= previous) {
		stop(u, "frame pointer 0x%llx does not move up the stack", fp);
		return false;
	}
	return true;
}

static void walk_frame_pointers(struct unwind_state *u, uint64_t fp)
{
	uint64_t previous = 0, record[2];
	struct us_error *err;

	while (fp) {
		if (u->count >= US_MAX_FRAMES) {
			stop(u, "stopped after %llu frames", US_MAX_FRAMES);
			return;
		}
		if (!frame_pointer_ok(u, fp, previous))
			return;
		if ((err = us_target_read(u->t, fp, record, sizeof(record)))) {
			snprintf(u->bt->stopped, sizeof(u->bt->stopped), "frame at 0x%llx unreadable: %s",
				 (unsigned long long)fp, err->message);
			us_error_destroy(err);
			return;
		}
		if (record[1] == 0) /* an old image's first frame */
			return;
		add_physical(u, record[1], fp, called(u));
		previous = fp;
		fp = record[0];
	}
}

/* ---- physical frames: CFI ----------------------------------------------- */

static bool read_guest_word(void *arg, uint64_t addr, uint64_t *word)
{
	struct us_error *err = us_target_read(arg, addr, word, sizeof(*word));

	us_error_destroy(err);
	return !err;
}

static void dwarf_registers(const struct uniscope_regs *r, uint64_t out[US_DWARF_NREGS])
{
	const uint64_t v[US_DWARF_NREGS] = {
		r->rax, r->rdx, r->rcx, r->rbx, r->rsi, r->rdi, r->rbp, r->rsp,
		r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15, r->rip,
	};

	memcpy(out, v, sizeof(v));
}

/* A pc the CFI does not describe, on top: entered by a call, return address at [rsp]. */
static bool step_over_frameless(struct unwind_state *u, uint64_t regs[US_DWARF_NREGS])
{
	uint64_t ret;

	add_physical(u, regs[US_DWARF_RIP], regs[US_DWARF_RSP], false);
	if (!read_guest_word(u->t, regs[US_DWARF_RSP], &ret)) {
		stop(u, "stack at 0x%llx unreadable", regs[US_DWARF_RSP]);
		return false;
	}
	regs[US_DWARF_RIP] = ret;
	regs[US_DWARF_RSP] += 8;
	return ret != 0;
}

static void walk_cfi(struct unwind_state *u, const struct uniscope_regs *r)
{
	struct us_dwarf_frame frames[US_MAX_FRAMES];
	uint64_t regs[US_DWARF_NREGS];
	size_t n;

	dwarf_registers(r, regs);
	if (!us_dwarf_has_cfi(u->dwarf, r->rip, NULL) && !step_over_frameless(u, regs))
		return;
	n = us_dwarf_unwind(u->dwarf, regs, read_guest_word, u->t, frames,
			    US_MAX_FRAMES - u->count, u->bt->stopped, sizeof(u->bt->stopped));
	for (size_t i = 0; i < n; i++)
		add_physical(u, frames[i].pc, frames[i].sp, called(u));
}

/* ---- what GDB shows of them --------------------------------------------- */

static void emit(struct unwind_state *u, uint64_t pc, uint64_t fp, enum us_frame_kind kind,
		 const struct us_symbolized *sym)
{
	struct us_frame *f;

	if (u->bt->count >= US_MAX_FRAMES) {
		stop(u, "stopped after %llu frames", US_MAX_FRAMES);
		return;
	}
	f = &u->bt->frames[u->bt->count++];
	*f = (struct us_frame){ .pc = pc, .fp = fp, .sym = *sym, .kind = kind };
}

/* Symbol table only: function+offset of pc (of pc - 1 for a return address). */
static void symtab_symbolize(struct unwind_state *u, uint64_t pc, bool is_return,
			     struct us_symbolized *sym)
{
	us_target_symbolize(u->t, is_return && pc ? pc - 1 : pc, sym);
	if (is_return && sym->function)
		sym->offset++;
}

/* One function instance at pc: an inlined block, or the function itself. */
static void scope_symbolize(struct unwind_state *u, const struct us_dwarf_scope *s, uint64_t pc,
			    bool is_return, struct us_symbolized *sym)
{
	symtab_symbolize(u, pc, is_return, sym);
	sym->file = s->file;
	sym->line = s->file ? s->line : 0;
	sym->inlined = s->inlined;
	if (s->inlined) {
		sym->function = s->function;
		sym->offset = 0;
	} else if (s->function && pc >= s->entry) { /* DWARF's name: "f", not "f.constprop.0" */
		sym->function = s->function;
		sym->offset = pc - s->entry;
	}
}

/* The entry of the function whose code pc is in (for tail calls), or 0. */
static uint64_t function_entry(struct unwind_state *u, const struct us_dwarf_scope *s, size_t n,
			       uint64_t addr)
{
	struct us_symbolized sym;

	if (n && !s[n - 1].inlined)
		return s[n - 1].entry;
	us_target_symbolize(u->t, addr, &sym);
	return sym.function ? addr - sym.offset : 0;
}

static uint64_t expand_physical(struct unwind_state *u, const struct physical *p, bool stop_location)
{
	struct us_dwarf_scope scopes[SCOPES_MAX];
	uint64_t addr = p->is_return ? p->pc - 1 : p->pc;
	size_t n = us_dwarf_scopes(u->dwarf, addr, scopes, SCOPES_MAX), first = 0;
	struct us_symbolized sym;

	if (!n) {
		symtab_symbolize(u, p->pc, p->is_return, &sym);
		emit(u, p->pc, p->sp, p->trap ? US_FRAME_TRAP : US_FRAME_NORMAL, &sym);
		return function_entry(u, scopes, 0, addr);
	}
	while (stop_location && first + 1 < n && scopes[first].inlined && scopes[first].entered_at)
		first++;
	for (size_t i = first; i < n; i++) {
		scope_symbolize(u, &scopes[i], p->pc, p->is_return, &sym);
		emit(u, p->pc, p->sp, scopes[i].inlined ? US_FRAME_INLINED
				      : p->trap ? US_FRAME_TRAP : US_FRAME_NORMAL, &sym);
	}
	return function_entry(u, scopes, n, addr);
}

/* The frames tail calls removed between a frame (its function entered at callee) and its caller. */
static void expand_tail_calls(struct unwind_state *u, uint64_t callee, const struct physical *caller)
{
	const struct us_tailcalls *tc = u->t->symbols ? us_symbols_tailcalls(u->t->symbols) : NULL;
	uint64_t pcs[TAIL_CALLS_MAX];
	size_t n = us_tailcalls_between(tc, caller->pc, callee, pcs, TAIL_CALLS_MAX);
	struct us_dwarf_scope scope;
	struct us_symbolized sym;

	for (size_t i = 0; i < n; i++) {
		if (us_dwarf_scopes(u->dwarf, pcs[i] - 1, &scope, 1))
			scope_symbolize(u, &scope, pcs[i], true, &sym);
		else
			symtab_symbolize(u, pcs[i], true, &sym);
		emit(u, pcs[i], 0, US_FRAME_TAIL_CALL, &sym);
	}
}

static void expand(struct unwind_state *u)
{
	for (size_t i = 0; i < u->count; i++) {
		uint64_t entry = expand_physical(u, &u->frames[i], i == 0);
		if (u->frames[i].cfi && i + 1 < u->count)
			expand_tail_calls(u, entry, &u->frames[i + 1]);
	}
}

/* ---- entry points -------------------------------------------------------- */

const char *us_frame_kind_name(enum us_frame_kind kind)
{
	switch (kind) {
	case US_FRAME_INLINED: return "inlined";
	case US_FRAME_TAIL_CALL: return "tail call";
	case US_FRAME_TRAP: return "trap";
	default: return "normal";
	}
}

static bool on_stack(uint64_t addr, uint64_t lo, uint64_t hi)
{
	return addr >= lo && addr < hi;
}

void us_target_unwind(struct us_target *t, const struct uniscope_regs *regs, uint64_t lo,
		      uint64_t hi, struct us_backtrace *bt)
{
	struct unwind_state u = { .t = t, .bt = bt };

	u.dwarf = t->symbols ? us_symbols_dwarf(t->symbols) : NULL;
	bt->count = 0;
	bt->stopped[0] = 0;
	bt->cfi = us_dwarf_can_unwind(u.dwarf);
	if (hi > lo && (on_stack(regs->rsp, lo, hi) || on_stack(regs->rbp, lo, hi))) {
		u.lo = lo;
		u.hi = hi;
	}
	if (bt->cfi) {
		walk_cfi(&u, regs);
	} else {
		add_physical(&u, regs->rip, regs->rbp, false);
		walk_frame_pointers(&u, regs->rbp);
	}
	expand(&u);
}

void us_target_backtrace(struct us_target *t, const struct us_thread *thread,
			 struct us_backtrace *bt)
{
	us_target_unwind(t, &thread->regs, thread->stack_lo, thread->stack_hi, bt);
}
