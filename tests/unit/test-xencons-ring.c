/*
 * Unit tests of the Xen PV console ring copy (libos/plat/xen/ring.c), the
 * guest's code compiled for the host: wrap-around of the buffer and of the
 * 32-bit indexes, full and empty rings, indexes a broken or hostile dom0
 * could write, and a long producer/consumer stream with sizes from a
 * fixed-seed generator.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "libos/plat/xen/ring.c"

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static struct xencons_interface intf;
static struct xencons_ring out, in;

static void reset(uint32_t index)
{
	memset(&intf, 0, sizeof(intf));
	intf.out_cons = intf.out_prod = intf.in_cons = intf.in_prod = index;
	xencons_ring_out(&out, &intf);
	xencons_ring_in(&in, &intf);
}

static void test_put_wraps(void)
{
	uint8_t src[XENCONS_OUT_SIZE];

	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)i;
	reset(UINT32_MAX - 10); /* the indexes wrap during the copy */
	intf.out_cons = intf.out_prod = UINT32_MAX - 10;
	is_int(xencons_ring_put(&out, src, 100), 100, "put 100 bytes across the index wrap");
	is_int(intf.out_prod, (uint32_t)(UINT32_MAX - 10 + 100), "prod advanced by 100");
	ok(intf.out[(UINT32_MAX - 10) & (XENCONS_OUT_SIZE - 1)] == 0 && intf.out[(uint32_t)(UINT32_MAX - 10 + 99) & (XENCONS_OUT_SIZE - 1)] == 99,
	   "bytes placed at masked positions");
	is_int(xencons_ring_queued(&out), 100, "100 queued");
	is_int(xencons_ring_put(&out, src, sizeof(src)), XENCONS_OUT_SIZE - 100, "put fills the rest");
	is_int(xencons_ring_put(&out, src, 1), 0, "a full ring takes nothing");
	is_int(xencons_ring_queued(&out), XENCONS_OUT_SIZE, "full ring: all queued");
}

static void test_put_broken(void)
{
	uint8_t src[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	reset(0);
	intf.out_cons = 5000; /* ahead of prod: prod - cons wraps to a huge distance */
	is_int(xencons_ring_put(&out, src, sizeof(src)), XENCONS_RING_BROKEN, "cons ahead of prod: refused");
	is_int(intf.out_prod, 0, "prod untouched");
	is_int(xencons_ring_queued(&out), XENCONS_RING_BROKEN, "queued says broken");
	intf.out_cons = (uint32_t)-(XENCONS_OUT_SIZE + 1);
	is_int(xencons_ring_put(&out, src, sizeof(src)), XENCONS_RING_BROKEN, "distance size+1: refused");
	intf.out_cons = (uint32_t)-XENCONS_OUT_SIZE;
	is_int(xencons_ring_put(&out, src, sizeof(src)), 0, "distance exactly size: full, not broken");
}

static void test_get(void)
{
	uint8_t dst[XENCONS_IN_SIZE + 16];

	reset(UINT32_MAX - 3);
	for (int i = 0; i < 10; i++)
		intf.in[(intf.in_prod + (uint32_t)i) & (XENCONS_IN_SIZE - 1)] = (char)('a' + i);
	intf.in_prod += 10;
	is_int(xencons_ring_get(&in, dst, 4), 4, "get 4 of 10");
	ok(memcmp(dst, "abcd", 4) == 0, "in order");
	is_int(xencons_ring_get(&in, dst, sizeof(dst)), 6, "get the other 6 across the wrap");
	ok(memcmp(dst, "efghij", 6) == 0, "in order across the wrap");
	is_int(xencons_ring_get(&in, dst, sizeof(dst)), 0, "empty ring: nothing");

	intf.in_prod = intf.in_cons + XENCONS_IN_SIZE + 1;
	is_int(xencons_ring_get(&in, dst, sizeof(dst)), XENCONS_RING_BROKEN, "prod too far ahead: broken");
	is_int(intf.in_cons, intf.in_prod, "cons resynchronised to prod");
	is_int(xencons_ring_get(&in, dst, sizeof(dst)), 0, "then empty");
	intf.in_prod = intf.in_cons - 1;
	is_int(xencons_ring_get(&in, dst, sizeof(dst)), XENCONS_RING_BROKEN, "prod behind cons: broken");
	intf.in_prod = intf.in_cons + XENCONS_IN_SIZE;
	is_int(xencons_ring_get(&in, dst, sizeof(dst)), XENCONS_IN_SIZE, "a full ring is whole");
}

/* The guest produces on out; a simulated dom0 consumes at its own pace. */
static void test_stream(void)
{
	static uint8_t sent[1 << 20], got[1 << 20];
	struct xencons_ring dom0 = out;
	size_t put_at = 0, got_at = 0;
	int bad = 0;

	for (size_t i = 0; i < sizeof(sent); i++)
		sent[i] = (uint8_t)rng();
	reset(rng());
	while (got_at < sizeof(got) && !bad) {
		size_t want = rng() % 3000, cap = rng() % 3000;
		long n;

		if (want > sizeof(sent) - put_at)
			want = sizeof(sent) - put_at;
		n = xencons_ring_put(&out, sent + put_at, want);
		bad |= n < 0 || (size_t)n > want;
		put_at += n > 0 ? (size_t)n : 0;
		if (cap > sizeof(got) - got_at)
			cap = sizeof(got) - got_at;
		n = xencons_ring_get(&dom0, got + got_at, cap);
		bad |= n < 0;
		got_at += n > 0 ? (size_t)n : 0;
	}
	ok(!bad && got_at == sizeof(got) && memcmp(sent, got, sizeof(got)) == 0,
	   "1 MiB through the ring in random-sized pieces arrives intact");
}

int main(void)
{
	test_put_wraps();
	test_put_broken();
	test_get();
	test_stream();
	return done_testing();
}
