/*
 * Threads as a post-mortem debugger wants them (see postmortem.h).
 *
 * A guest that died filled its panic record with the registers at the
 * fault (or at panic()) and then ran on: into the panic path, a debugger
 * stub, or the --core-on-crash hold loop. So for the dead thread the
 * panic record's registers are the truth and the vCPU's are not. The dead
 * thread is the one on the CPU whose id the record names; failing that
 * (the record is untrusted), any thread with that id.
 */
#include <string.h>
#include "postmortem.h"

const char *us_exception_name(uint32_t vector)
{
	return vector < UNISCOPE_EXCEPTION_NAMED_COUNT ? uniscope_exception_names[vector] : "exception";
}

const char *us_panic_kind_name(uint32_t kind)
{
	switch (kind) {
	case UNISCOPE_PANIC_FAULT: return "fault";
	case UNISCOPE_PANIC_PANIC: return "panic";
	case UNISCOPE_PANIC_ASSERT: return "assertion failed";
	case UNISCOPE_PANIC_STACK_OVERFLOW: return "stack overflow";
	default: return "none";
	}
}

/* The libOS's own mapping (libos/kern/panic.c fault_signal), Linux numbers. */
int us_panic_signal(const struct uniscope_panic *panic)
{
	switch (panic->kind) {
	case UNISCOPE_PANIC_PANIC:
	case UNISCOPE_PANIC_ASSERT:
		return 6; /* SIGABRT */
	case UNISCOPE_PANIC_STACK_OVERFLOW:
		return 11;
	case UNISCOPE_PANIC_FAULT:
		break;
	default:
		return 0;
	}
	switch (panic->vector) {
	case 0: case 16: case 19: return 8; /* SIGFPE */
	case 6: return 4;                   /* SIGILL */
	case 1: case 3: return 5;           /* SIGTRAP */
	case 17: return 7;                  /* SIGBUS */
	default: return 11;                 /* SIGSEGV */
	}
}

static bool panic_regs_usable(const struct uniscope_panic *p)
{
	return p->kind != UNISCOPE_PANIC_NONE && (p->regs.rip || p->regs.rsp);
}

/* Index of the thread that died, or count when none matches. */
static size_t dead_thread(const struct us_thread *threads, size_t count,
			  const struct uniscope_panic *p)
{
	size_t any = count;

	for (size_t i = 0; i < count; i++) {
		if (threads[i].id != p->thread_id)
			continue;
		if (threads[i].cpu >= 0)
			return i;
		if (any == count)
			any = i;
	}
	return any;
}

static size_t on_cpu_thread(const struct us_thread *threads, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (threads[i].cpu == 0)
			return i;
	for (size_t i = 0; i < count; i++)
		if (threads[i].cpu >= 0)
			return i;
	return count;
}

static void move_first(struct us_thread *threads, size_t index)
{
	struct us_thread chosen;

	if (index == 0)
		return;
	chosen = threads[index];
	memmove(threads + 1, threads, index * sizeof(*threads));
	threads[0] = chosen;
}

struct us_error *us_postmortem_threads(struct us_target *t, struct us_thread **threads,
				       size_t *count, struct uniscope_panic *panic)
{
	struct uniscope_panic p;
	struct us_error *err = us_target_threads(t, threads, count);
	struct us_error *perr = us_target_panic(t, &p);
	size_t first, dead;

	if (perr) {
		us_error_destroy(perr);
		memset(&p, 0, sizeof(p));
	}
	if (panic)
		*panic = p;
	first = on_cpu_thread(*threads, *count);
	if (panic_regs_usable(&p) && (dead = dead_thread(*threads, *count, &p)) < *count) {
		(*threads)[dead].regs = p.regs;
		(*threads)[dead].regs_source = US_REGS_PANIC;
		first = dead;
	}
	if (first < *count)
		move_first(*threads, first);
	return err;
}
