/*
 * The console channel over the Xen PV console: the ring page and event
 * channel the toolstack set up (HVM_PARAM_CONSOLE_PFN/EVTCHN), served by
 * xenconsoled in dom0. The same byte stream as the UART: text, then the
 * framed protocol once the host says HELLO.
 *
 * Transmit is polled and complete on return, like the UART: when the out
 * ring is full we notify dom0 and yield the vCPU to it until it makes room.
 * If dom0 makes no progress for CONSOLE_STALL_MS (nobody is reading), the
 * console is marked stalled and later writes keep only what fits, so a
 * guest with no reader does not crawl; any progress clears the mark.
 * Receive is polled (console_read) or driven by the event channel.
 */
#include <stdbool.h>
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "ring.h"
#include "xen.h"

#define CONSOLE_STALL_MS 2000
#define CONSOLE_FLUSH_MS 2000
#define LOW_4G (1ull << 32)

static struct {
	struct xencons_interface *intf;
	struct xencons_ring out, in;
	uint32_t port;
	bool stalled;
	uint64_t tsc_per_ms;
	void (*on_byte)(uint8_t byte);
} con;

int xen_console_init(void)
{
	uint64_t pfn, port;

	if (xen_hvm_get_param(HVM_PARAM_CONSOLE_PFN, &pfn) < 0 ||
	    xen_hvm_get_param(HVM_PARAM_CONSOLE_EVTCHN, &port) < 0)
		return -1;
	/* Boot maps the low 4 GiB; the ring is a special page just below it. */
	if (!pfn || pfn >= LOW_4G / PAGE_SIZE || port > UINT32_MAX)
		return -1;
	if (paging_add_shared_page(pfn * PAGE_SIZE) < 0)
		return -1;
	con.intf = (struct xencons_interface *)(pfn * PAGE_SIZE);
	con.port = (uint32_t)port;
	xencons_ring_out(&con.out, con.intf);
	xencons_ring_in(&con.in, con.intf);
	con.tsc_per_ms = xen_tsc_khz();
	if (!con.tsc_per_ms)
		con.tsc_per_ms = 1000000; /* 1 GHz: only bounds the waits */
	return 0;
}

/* Yields to dom0 until its consumer index moves, for up to ms; whether it moved. */
static bool wait_for_consumer(uint32_t cons_before, uint64_t ms)
{
	uint64_t end = rdtsc() + ms * con.tsc_per_ms;

	xen_evtchn_send(con.port);
	while (*con.out.cons == cons_before) {
		if (rdtsc() > end)
			return false;
		xen_yield();
	}
	return true;
}

void xen_console_write(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		uint32_t cons = *con.out.cons;
		long n = xencons_ring_put(&con.out, p, len);

		if (n < 0)
			return; /* broken indexes: nothing sane to write into */
		if (n > 0)
			con.stalled = false;
		p += n;
		len -= (size_t)n;
		if (len == 0 || con.stalled)
			break;
		if (!wait_for_consumer(cons, CONSOLE_STALL_MS))
			con.stalled = true;
	}
	xen_evtchn_send(con.port);
}

/* Before shutdown: give xenconsoled the chance to read the last words. */
void xen_console_flush(void)
{
	for (int round = 0; round < 64; round++) {
		long queued = xencons_ring_queued(&con.out);
		if (queued <= 0 || con.stalled)
			return;
		if (!wait_for_consumer(*con.out.cons, CONSOLE_FLUSH_MS / 8))
			return;
	}
}

/* Taking bytes frees ring space; dom0 waits for a notification to refill. */
static long take(uint8_t *dst, size_t cap)
{
	long n = xencons_ring_get(&con.in, dst, cap);

	if (n != 0 && xencons_ring_queued(&con.in) == 0)
		xen_evtchn_send(con.port);
	return n;
}

int xen_console_read(void)
{
	uint8_t c;

	return take(&c, 1) == 1 ? c : -1;
}

/*
 * From the event-channel upcall: drain what is there, bounded by the ring
 * size. One byte at a time, as from the UART: a byte may enter the debugger
 * stub, which then polls the ring itself, so nothing may sit in a local
 * buffer behind it.
 */
static void console_event(uint32_t port)
{
	int c;

	(void)port;
	for (int i = 0; i < XENCONS_IN_SIZE && (c = xen_console_read()) >= 0; i++)
		if (con.on_byte)
			con.on_byte((uint8_t)c);
}

/*
 * Bytes that came before this stay in the ring: their event is still
 * pending (or is raised again by the unmask in xen_evtchn_bind), so the
 * first upcall after boot enables interrupts delivers them. Draining here
 * would hand them to the channel during boot, before there are threads
 * for a debugger request to look at.
 */
void xen_console_rx_irq(void (*on_byte)(uint8_t byte))
{
	con.on_byte = on_byte;
	xen_evtchn_bind(con.port, console_event);
}
