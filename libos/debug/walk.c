/*
 * The stub's walks over the libOS's own structures. A debugger exists for
 * programs that went wrong, so the stub trusts nothing it walks: a pointer
 * is followed only when it is non-null, canonical, aligned and the whole
 * object it points to is mapped; a walk takes at most UNISCOPE_MAX_THREADS
 * steps and stops at the first repeat (Brent's cycle detection, so a loop
 * costs a few times its length, not the whole bound). A broken structure
 * becomes an error for the caller to report, never a fault or a hang
 * inside the stub.
 */
#include "arch/x86_64/paging.h"
#include "debug.h"

static bool canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16) == a;
}

bool stub_object_ok(const void *p, size_t size, size_t align)
{
	uint64_t a = (uint64_t)p;

	return a && canonical(a) && a % align == 0 && paging_range_mapped(a, size);
}

bool stub_thread_ok(const struct thread *t)
{
	return stub_object_ok(t, sizeof(*t), _Alignof(struct thread));
}

bool stub_trap_frame_ok(const trap_frame_t *f)
{
	return stub_object_ok(f, sizeof(*f), _Alignof(trap_frame_t));
}

static struct thread *walk_to(struct thread_walk *w, struct thread *t)
{
	if (!t)
		return 0;
	if (!stub_thread_ok(t) || t == w->tortoise || w->steps >= UNISCOPE_MAX_THREADS) {
		w->error = GDB_ERR_FAULT;
		return 0;
	}
	if (w->lambda == w->power) { /* the tortoise jumps ahead to the hare */
		w->tortoise = t;
		w->power *= 2;
		w->lambda = 0;
	}
	w->lambda++;
	w->steps++;
	w->at = t;
	return t;
}

struct thread *thread_walk_first(struct thread_walk *w)
{
	*w = (struct thread_walk){ .power = 1 };
	return walk_to(w, thread_list);
}

struct thread *thread_walk_next(struct thread_walk *w)
{
	return w->at ? walk_to(w, w->at->next_all) : 0;
}

int stub_thread_find(int64_t tid, struct thread **out)
{
	struct thread_walk w;

	for (struct thread *t = thread_walk_first(&w); t; t = thread_walk_next(&w)) {
		if (TID_OF(t) == tid) {
			*out = t;
			return 0;
		}
	}
	return w.error ? w.error : GDB_ERR_NO_THREAD;
}
