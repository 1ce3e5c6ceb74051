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
#include <string.h>
#include "internal.h"

/* What an owner field holds: a thread structure's address, or a thread id. */
struct owner_ref {
	bool by_id;
	uint64_t value; /* 0: free */
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
		*owner = (struct owner_ref){ false, waiter->wait_object };
		return NULL;
	case UNISCOPE_OWNER_THREAD:
		owner->by_id = false;
		return us_target_read_u64(t, waiter->wait_object + o->offset, &owner->value);
	case UNISCOPE_OWNER_TID:
		if ((err = us_target_read(t, waiter->wait_object + o->offset, &id, sizeof(id))))
			return err;
		*owner = (struct owner_ref){ true, id & o->id_mask };
		return NULL;
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

static int find_owner(const struct owner_ref *ref, const struct us_thread *threads, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (ref->by_id ? threads[i].id == ref->value : threads[i].address == ref->value)
			return (int)i;
	return -1;
}

static void resolve_owner(struct us_target *t, const struct us_thread *th,
			  const struct us_thread *threads, size_t count, struct us_wait *w)
{
	owner_hook *hook = hook_for(t, th->wait_reason);
	struct owner_ref ref;
	struct us_error *err;

	if (!hook || !th->wait_object)
		return;
	if ((err = hook(t, th, &ref))) {
		snprintf(w->owner_note, sizeof(w->owner_note), "owner unknown: %s", err->message);
		us_error_destroy(err);
	} else if (!ref.value) {
		snprintf(w->owner_note, sizeof(w->owner_note), "free");
	} else if ((w->owner = find_owner(&ref, threads, count)) < 0) {
		snprintf(w->owner_note, sizeof(w->owner_note), "held by %s%" PRIx64 ", not a listed thread",
			 ref.by_id ? "thread id 0x" : "0x", ref.value);
	}
}

void us_target_waits(struct us_target *t, const struct us_thread *threads, size_t count,
		     struct us_wait *waits)
{
	for (size_t i = 0; i < count; i++) {
		const struct us_thread *th = &threads[i];
		struct us_wait *w = &waits[i];

		memset(w, 0, sizeof(*w));
		w->owner = -1;
		if (th->state != UNISCOPE_THREAD_BLOCKED || !th->wait_object)
			continue;
		us_target_name_address(t, th->wait_object, w->object, sizeof(w->object));
		resolve_owner(t, th, threads, count, w);
		if (w->owner >= 0 && threads[w->owner].address == th->wait_object) {
			w->object_is_owner = true; /* a join: the object is the thread */
			snprintf(w->object, sizeof(w->object), "thread %u \"%s\"", threads[w->owner].id,
				 threads[w->owner].name);
		}
	}
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
