/*
 * libFuzzer target for the Xen PV console ring copy (libos/plat/xen/ring.c):
 * the input plays a hostile dom0, setting the shared indexes between the
 * guest's puts and gets. The ring lives in its own heap block, so ASan
 * catches any access outside it; every count returned must fit the ring
 * and the request, and a successful get must leave cons == old cons + n.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libos/plat/xen/ring.c"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xencons_interface *intf = malloc(sizeof(*intf));
	static uint8_t buf[4096];
	struct xencons_ring out, in;

	memset(intf, 0, sizeof(*intf));
	xencons_ring_out(&out, intf);
	xencons_ring_in(&in, intf);
	/* Each step: an operation byte and a 32-bit value (an index or a length). */
	for (; size >= 5; data += 5, size -= 5) {
		uint8_t op = data[0];
		uint32_t v, len;
		long n;

		memcpy(&v, data + 1, sizeof(v));
		len = v % sizeof(buf);

		switch (op % 6) {
		case 0: intf->out_cons = v; break;
		case 1: intf->in_prod = v; break;
		case 2: intf->out_prod = v; intf->in_cons = ~v; break;
		case 3:
			n = xencons_ring_put(&out, buf, len);
			CHECK(n == XENCONS_RING_BROKEN || (n >= 0 && (uint32_t)n <= len && n <= XENCONS_OUT_SIZE));
			break;
		case 4: {
			uint32_t cons = intf->in_cons;
			n = xencons_ring_get(&in, buf, len);
			CHECK(n == XENCONS_RING_BROKEN || (n >= 0 && (uint32_t)n <= len && n <= XENCONS_IN_SIZE));
			CHECK(n < 0 || intf->in_cons == cons + (uint32_t)n);
			break;
		}
		default:
			n = xencons_ring_queued(&out);
			CHECK(n == XENCONS_RING_BROKEN || (n >= 0 && n <= XENCONS_OUT_SIZE));
			break;
		}
	}
	free(intf);
	return 0;
}
