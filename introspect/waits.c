/*
 * What blocked threads wait on, and who holds it.
 *
 * The waited-on object is named generically: any address becomes the data
 * or code symbol that contains it plus a decimal offset, as GDB prints
 * (`store_lock`, `queue+32`), or stays an address when no symbol covers it
 * (a lock on the heap).
 *
 * Who holds it depends on the kind of wait, so the owner lookup is a hook
 * per wait reason (owner_hooks[] below). The libOS's own reasons all use
 * owner_from_descriptor(): the guest descriptor's wait_owners table says
 * where in the waited-on object the owner is kept and how (a thread
 * structure's address, or a thread id under a mask), so no layout is
 * guessed here. A wait reason that needs more (a futex word whose owner
 * the C library keeps elsewhere) adds its own hook to the table.
 *
 * Owners are resolved against the thread list the caller walked: an owner
 * that is not on it is reported as such, never followed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

/* What an owner field holds: a thread structure's address, or a thread id. */
struct owner_ref {
	bool by_id;
	uint64_t value; /* 0: free */
	bool no_lock;   /* the object is no lock (a futex that is no mutex): no owner to name */
};

typedef struct us_error *owner_hook(struct us_target *t, const struct us_thread *waiter,
				    struct owner_ref *owner);

static const struct uniscope_wait_owner *owner_entry(const struct us_target *t, uint32_t reason)
{
	for (unsigned i = 0; i < UNISCOPE_WAIT_OWNERS_MAX; i++) {
		const struct uniscope_wait_owner *o = &t->info.wait_owners[i];
		if (o->kind == UNISCOPE_OWNER_NONE)
			break;
		if (o->wait_reason == reason)
			return o;
	}
	return NULL;
}

/* musl's mutex types (its pthread_mutexattr_t bits): 1 recursive, 2 error-checking, 4 robust, 8 PI, 128 shared. */
#define MUSL_MUTEX_TYPE_BITS 0x8fu
/* Set by a waiter before it sleeps: a mutex someone is blocked on has it (a join's word never does). */
#define MUSL_MUTEX_WAITERS 0x80000000u

/*
 * A musl mutex's lock word (UNISCOPE_OWNER_MUSL_MUTEX): the type below it
 * says whether the word is a mutex's. uniscope's musl keeps the owner's
 * thread id there for every type, normal ones included (mk/musl.sh).
 * Anything else waited on with a futex (a condition variable's sequence, a
 * join) reads as no mutex.
 */
static struct us_error *owner_from_musl_mutex(struct us_target *t, const struct us_thread *waiter,
					      const struct uniscope_wait_owner *o, struct owner_ref *owner)
{
	uint32_t type, lock;
	struct us_error *err;

	if ((err = us_target_read(t, waiter->wait_object - o->offset, &type, sizeof(type))) ||
	    (err = us_target_read(t, waiter->wait_object, &lock, sizeof(lock))))
		return err;
	if ((type & ~MUSL_MUTEX_TYPE_BITS) || (type & 3) == 3 || !(lock & MUSL_MUTEX_WAITERS) ||
	    !(lock & o->id_mask))
		*owner = (struct owner_ref){ .no_lock = true };
	else
		*owner = (struct owner_ref){ true, lock & o->id_mask, false };
	return NULL;
}

static struct us_error *owner_from_descriptor(struct us_target *t, const struct us_thread *waiter,
					      struct owner_ref *owner)
{
	const struct uniscope_wait_owner *o = owner_entry(t, waiter->wait_reason);
	uint32_t id;
	struct us_error *err;

	if (!o)
		return us_error_create(US_ERR_NOT_FOUND, "the guest does not say who holds it");
	switch (o->kind) {
	case UNISCOPE_OWNER_SELF:
		*owner = (struct owner_ref){ false, waiter->wait_object, false };
		return NULL;
	case UNISCOPE_OWNER_THREAD:
		owner->by_id = false;
		return us_target_read_u64(t, waiter->wait_object + o->offset, &owner->value);
	case UNISCOPE_OWNER_TID:
		if ((err = us_target_read(t, waiter->wait_object + o->offset, &id, sizeof(id))))
			return err;
		*owner = (struct owner_ref){ true, id & o->id_mask, false };
		return NULL;
	case UNISCOPE_OWNER_MUSL_MUTEX:
		return owner_from_musl_mutex(t, waiter, o, owner);
	default:
		return us_error_create(US_ERR_UNSUPPORTED, "owner kind %u is unknown", o->kind);
	}
}

/*
 * Per wait reason. A reason with no hook here still gets
 * owner_from_descriptor() when the guest's wait_owners describe it, so a
 * guest can describe a new kind of lock without a new host; a reason that
 * needs more than an owner field (a C library's futex word) gets a hook.
 */
static owner_hook *const owner_hooks[UNISCOPE_WAIT_REASON_COUNT] = {
	[UNISCOPE_WAIT_MUTEX] = owner_from_descriptor,
	[UNISCOPE_WAIT_JOIN] = owner_from_descriptor,
};

static owner_hook *hook_for(const struct us_target *t, uint32_t reason)
{
	if (reason < UNISCOPE_WAIT_REASON_COUNT && owner_hooks[reason])
		return owner_hooks[reason];
	return owner_entry(t, reason) ? owner_from_descriptor : NULL;
}

void us_target_name_address(struct us_target *t, uint64_t addr, char *buf, size_t cap)
{
	const struct us_symbol *sym = t->symbols ? us_symbols_by_address(t->symbols, addr) : NULL;

	if (!sym)
		snprintf(buf, cap, "0x%" PRIx64, addr);
	else if (addr == sym->address)
		snprintf(buf, cap, "%s", sym->name);
	else
		snprintf(buf, cap, "%s+%" PRIu64, sym->name, addr - sym->address);
}

/*
 * The threads by address and by id, for the owner lookups: one per
 * blocked thread, and a hostile guest lists 65,536 threads (a search of
 * the whole list each time took seconds). Ties keep list order: the first
 * listed thread wins, as a walk of the list would find it.
 */
struct thread_key {
	uint64_t value;
	size_t index;
};

struct owner_index {
	struct thread_key *by_address, *by_id; /* NULL: search the list */
	const struct us_thread *threads;
	size_t count;
};

static int by_value_then_index(const void *a, const void *b)
{
	const struct thread_key *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static struct thread_key *sorted_keys(const struct us_thread *threads, size_t count, bool by_id)
{
	struct thread_key *keys = malloc((count ? count : 1) * sizeof(*keys));

	if (!keys)
		return NULL;
	for (size_t i = 0; i < count; i++)
		keys[i] = (struct thread_key){ .value = by_id ? threads[i].id : threads[i].address, .index = i };
	qsort(keys, count, sizeof(*keys), by_value_then_index);
	return keys;
}

static void owner_index_init(struct owner_index *x, const struct us_thread *threads, size_t count)
{
	*x = (struct owner_index){ .threads = threads, .count = count };
	if ((x->by_address = sorted_keys(threads, count, false)) && !(x->by_id = sorted_keys(threads, count, true))) {
		free(x->by_address);
		x->by_address = NULL;
	}
}

static void owner_index_fini(struct owner_index *x)
{
	free(x->by_address);
	free(x->by_id);
}

static int find_owner(const struct owner_ref *ref, const struct owner_index *x)
{
	const struct thread_key *keys = ref->by_id ? x->by_id : x->by_address;
	size_t lo = 0, hi = x->count;

	if (!keys) {
		for (size_t i = 0; i < x->count; i++)
			if (ref->by_id ? x->threads[i].id == ref->value : x->threads[i].address == ref->value)
				return (int)i;
		return -1;
	}
	while (lo < hi) { /* the first key >= value */
		size_t mid = lo + (hi - lo) / 2;

		if (keys[mid].value < ref->value)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < x->count && keys[lo].value == ref->value ? (int)keys[lo].index : -1;
}

static void resolve_owner(struct us_target *t, const struct us_thread *th, const struct owner_index *x,
			  struct us_wait *w)
{
	owner_hook *hook = hook_for(t, th->wait_reason);
	struct owner_ref ref = { 0 };
	struct us_error *err;

	if (!hook || !th->wait_object)
		return;
	if ((err = hook(t, th, &ref))) {
		snprintf(w->owner_note, sizeof(w->owner_note), "owner unknown: %s", err->message);
		us_error_destroy(err);
	} else if (ref.no_lock) {
		return;
	} else if (!ref.value) {
		snprintf(w->owner_note, sizeof(w->owner_note), "free");
	} else if ((w->owner = find_owner(&ref, x)) < 0) {
		snprintf(w->owner_note, sizeof(w->owner_note), "held by %s%" PRIx64 ", not a listed thread",
			 ref.by_id ? "thread id 0x" : "0x", ref.value);
	}
}

void us_target_waits(struct us_target *t, const struct us_thread *threads, size_t count,
		     struct us_wait *waits)
{
	struct owner_index owners;

	owner_index_init(&owners, threads, count);
	for (size_t i = 0; i < count; i++) {
		const struct us_thread *th = &threads[i];
		struct us_wait *w = &waits[i];

		memset(w, 0, sizeof(*w));
		w->owner = -1;
		if (th->state != UNISCOPE_THREAD_BLOCKED || !th->wait_object)
			continue;
		us_target_name_address(t, th->wait_object, w->object, sizeof(w->object));
		resolve_owner(t, th, &owners, w);
		if (w->owner >= 0 && threads[w->owner].address == th->wait_object) {
			w->object_is_owner = true; /* a join: the object is the thread */
			snprintf(w->object, sizeof(w->object), "thread %u \"%s\"", threads[w->owner].id,
				 threads[w->owner].name);
		}
	}
	owner_index_fini(&owners);
}

void us_wait_describe(const struct us_wait *w, const struct us_thread *threads, char *buf, size_t cap)
{
	if (!w->object[0] || w->object_is_owner)
		snprintf(buf, cap, "%s", w->object);
	else if (w->owner >= 0)
		snprintf(buf, cap, "%s held by %u \"%s\"", w->object, threads[w->owner].id,
			 threads[w->owner].name);
	else if (w->owner_note[0])
		snprintf(buf, cap, "%s (%s)", w->object, w->owner_note);
	else
		snprintf(buf, cap, "%s", w->object);
}

struct us_error *us_target_clock(struct us_target *t, uint64_t *ns)
{
	if (!t->have_info)
		return us_target_info_error(t);
	if (!t->info.clock)
		return us_error_create(US_ERR_UNSUPPORTED, "%s: the guest keeps no clock for host tools",
				       t->name);
	return us_target_read_u64(t, t->info.clock, ns);
}
