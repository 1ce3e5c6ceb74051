/*
 * Copying into and out of the PV console ring (see ring.h). Each function
 * reads the other side's index once into a local, checks the distance
 * against the ring size, and only then touches the buffer. The fences are
 * the ring protocol's barriers: data before the index that publishes it,
 * the index before the data it covers.
 */
#include "ring.h"

void xencons_ring_out(struct xencons_ring *r, struct xencons_interface *intf)
{
	r->buf = intf->out;
	r->size = XENCONS_OUT_SIZE;
	r->cons = &intf->out_cons;
	r->prod = &intf->out_prod;
}

void xencons_ring_in(struct xencons_ring *r, struct xencons_interface *intf)
{
	r->buf = intf->in;
	r->size = XENCONS_IN_SIZE;
	r->cons = &intf->in_cons;
	r->prod = &intf->in_prod;
}

long xencons_ring_queued(const struct xencons_ring *r)
{
	uint32_t cons = *r->cons, prod = *r->prod;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (prod - cons > r->size)
		return XENCONS_RING_BROKEN;
	return (long)(prod - cons);
}

long xencons_ring_put(const struct xencons_ring *r, const void *src, size_t len)
{
	const uint8_t *p = src;
	uint32_t cons = *r->cons, prod = *r->prod, room, n;

	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* cons read before we reuse the space */
	if (prod - cons > r->size)
		return XENCONS_RING_BROKEN;
	room = r->size - (prod - cons);
	n = len < room ? (uint32_t)len : room;
	for (uint32_t i = 0; i < n; i++)
		r->buf[(prod + i) & (r->size - 1)] = (char)p[i];
	__atomic_thread_fence(__ATOMIC_RELEASE); /* the bytes before the index */
	*r->prod = prod + n;
	return (long)n;
}

long xencons_ring_get(const struct xencons_ring *r, void *dst, size_t cap)
{
	uint8_t *p = dst;
	uint32_t cons = *r->cons, prod = *r->prod, avail, n;

	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* prod read before the bytes */
	avail = prod - cons;
	if (avail > r->size) {
		/* Indexes no producer could make: drop it all and resynchronise. */
		*r->cons = prod;
		return XENCONS_RING_BROKEN;
	}
	n = avail < cap ? avail : (uint32_t)cap;
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)r->buf[(cons + i) & (r->size - 1)];
	__atomic_thread_fence(__ATOMIC_RELEASE); /* bytes read before the space is given back */
	*r->cons = cons + n;
	return (long)n;
}
