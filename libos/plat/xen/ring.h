/*
 * The Xen PV console ring (xen/include/public/io/console.h), and the copy
 * logic over it. Portable: no hypercalls, no platform knowledge, so the
 * same code is unit tested and fuzzed on the host (tests/unit, tests/fuzz).
 *
 * Each direction is a power-of-two byte ring with free-running 32-bit
 * indexes: the producer owns prod, the consumer owns cons, and prod - cons
 * is the number of bytes queued. The page is shared with dom0, so every
 * index read from it is untrusted: a distance larger than the ring means
 * the other side is broken or hostile, and the copy refuses (put) or
 * drops what is queued (get) instead of walking outside the ring.
 */
#ifndef LIBOS_PLAT_XEN_RING_H
#define LIBOS_PLAT_XEN_RING_H

#include <stddef.h>
#include <stdint.h>

#define XENCONS_IN_SIZE 1024
#define XENCONS_OUT_SIZE 2048

/* The layout Xen and xenconsoled share; later fields are not used here. */
struct xencons_interface {
	char in[XENCONS_IN_SIZE];   /* dom0 -> guest */
	char out[XENCONS_OUT_SIZE]; /* guest -> dom0 */
	uint32_t in_cons, in_prod;
	uint32_t out_cons, out_prod;
};
_Static_assert(offsetof(struct xencons_interface, in_cons) == 3072, "console.h layout");
_Static_assert(offsetof(struct xencons_interface, out_prod) == 3084, "console.h layout");

/* One direction of the ring, as seen by one side. */
struct xencons_ring {
	volatile char *buf;
	uint32_t size; /* a power of two */
	volatile uint32_t *cons, *prod;
};

#define XENCONS_RING_BROKEN (-1)

void xencons_ring_out(struct xencons_ring *r, struct xencons_interface *intf);
void xencons_ring_in(struct xencons_ring *r, struct xencons_interface *intf);

/* Producer: queue up to len bytes; how many went, or XENCONS_RING_BROKEN. */
long xencons_ring_put(const struct xencons_ring *r, const void *src, size_t len);

/* Producer: bytes queued and not yet consumed, or XENCONS_RING_BROKEN. */
long xencons_ring_queued(const struct xencons_ring *r);

/*
 * Consumer: take up to cap bytes; how many were taken, or
 * XENCONS_RING_BROKEN after dropping what the indexes claim is queued.
 */
long xencons_ring_get(const struct xencons_ring *r, void *dst, size_t cap);

#endif
