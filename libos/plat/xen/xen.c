/*
 * Xen PVH: detection, the hypercall page, the shared info page, event
 * channels, and how to leave.
 *
 * Event delivery uses HVM_PARAM_CALLBACK_IRQ with the "vector" callback
 * type rather than the per-vCPU HVMOP_set_evtchn_upcall_vector: the libOS
 * runs on one vCPU, so one domain-wide hypercall is enough, and Xen injects
 * the vector directly (not through the emulated LAPIC), so there is no EOI
 * to get wrong. The vector is re-injected for as long as
 * evtchn_upcall_pending is set and interrupts are enabled, so the handler
 * clears that flag first, then scans the pending words.
 *
 * Exit: SCHEDOP_shutdown, poweroff for an ordinary exit, crash for a panic
 * or fault, so that on_crash="preserve" keeps a dead domain for inspection.
 * Xen carries no exit status; the channel's EXIT frame does, and in plain
 * text mode a last console line says it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "plat/plat.h"
#include "kern/channel.h"
#include "xen.h"

#define MAX_BOUND_PORTS 4

static struct shared_info *shared;
static uint8_t shared_info_page[4096] __attribute__((aligned(4096)));
static uint32_t cpuid_base;
static struct {
	uint32_t port;
	xen_evtchn_fn handler;
} bound[MAX_BOUND_PORTS];


long xen_hvm_get_param(uint32_t index, uint64_t *value)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };
	long rc = xen_hypercall2(__HYPERVISOR_hvm_op, HVMOP_get_param, (uint64_t)&p);

	*value = p.value;
	return rc;
}

static long xen_hvm_set_param(uint32_t index, uint64_t value)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index, .value = value };

	return xen_hypercall2(__HYPERVISOR_hvm_op, HVMOP_set_param, (uint64_t)&p);
}

void xen_evtchn_send(uint32_t port)
{
	uint32_t arg = port;

	xen_hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_send, (uint64_t)&arg);
}

void xen_evtchn_unmask(uint32_t port)
{
	uint32_t arg = port;

	xen_hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_unmask, (uint64_t)&arg);
}

/* Let dom0 run (xenconsoled draining our ring) instead of spinning. */
void xen_yield(void)
{
	xen_hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0);
}

uint64_t xen_tsc_khz(void)
{
	uint32_t r[4];

	cpuid(cpuid_base + XEN_CPUID_TIME, 0, r);
	return r[2];
}

void xen_evtchn_bind(uint32_t port, xen_evtchn_fn handler)
{
	for (unsigned i = 0; i < MAX_BOUND_PORTS; i++) {
		if (!bound[i].handler) {
			bound[i].port = port;
			bound[i].handler = handler;
			xen_evtchn_unmask(port);
			return;
		}
	}
}

static void evtchn_dispatch(uint32_t port)
{
	for (unsigned i = 0; i < MAX_BOUND_PORTS; i++)
		if (bound[i].handler && bound[i].port == port)
			bound[i].handler(port);
}

/*
 * The upcall. Both loops are bounded by the width of a word: at most 64
 * selector bits, each covering 64 ports. Events for ports nobody bound are
 * cleared and ignored.
 */
static void evtchn_upcall(trap_frame_t *frame)
{
	struct vcpu_info *v = &shared->vcpu_info[0];
	uint64_t sel;

	(void)frame;
	v->evtchn_upcall_pending = 0;
	sel = __atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	while (sel) {
		unsigned word = (unsigned)__builtin_ctzll(sel);
		uint64_t bits = shared->evtchn_pending[word] & ~shared->evtchn_mask[word];

		sel &= sel - 1;
		while (bits) {
			unsigned bit = (unsigned)__builtin_ctzll(bits);

			bits &= bits - 1;
			__atomic_fetch_and(&shared->evtchn_pending[word], ~(1ull << bit), __ATOMIC_SEQ_CST);
			evtchn_dispatch(word * 64 + bit);
		}
	}
}

static int hypercall_page_init(void)
{
	uint32_t r[4];

	cpuid(cpuid_base + XEN_CPUID_HYPERCALL, 0, r);
	if (r[0] < 1)
		return -1;
	wrmsr(r[1], (uint64_t)hypercall_page);
	/* Xen fills the page during the wrmsr (mov $0, %eax first); a zero left means it did not. */
	return *(volatile char *)hypercall_page == 0 ? -1 : 0;
}

static int shared_info_init(void)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.idx = 0,
		.gpfn = (uint64_t)shared_info_page >> 12,
	};

	if (xen_hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (uint64_t)&xatp) < 0)
		return -1;
	shared = (struct shared_info *)shared_info_page;
	shared->vcpu_info[0].evtchn_upcall_mask = 0;
	irq_set_platform_handler(evtchn_upcall);
	return xen_hvm_set_param(HVM_PARAM_CALLBACK_IRQ, HVM_CALLBACK_VECTOR(VECTOR_PLATFORM)) < 0 ? -1 : 0;
}

/* 0 when running on Xen with everything the libOS needs set up. */
int xen_init(void)
{
	cpuid_base = hypervisor_cpuid_base("XenVMMXenVMM");
	if (!cpuid_base)
		return -1;
	if (hypercall_page_init() < 0 || shared_info_init() < 0)
		return -1;
	return xen_console_init();
}

__attribute__((noreturn)) static void xen_exit(int status)
{
	uint32_t reason = status == EXIT_STATUS_PANIC ? SHUTDOWN_crash : SHUTDOWN_poweroff;

	if (!channel_framed()) {
		char line[48];
		int n = snprintf(line, sizeof(line), "uniscope: exit status %d\n", status);
		xen_console_write(line, (size_t)n);
	}
	xen_console_flush();
	xen_hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (uint64_t)&reason);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/*
 * The wall clock Xen keeps in the shared info page after the event masks:
 * wc_version (odd while Xen updates it), wc_sec, wc_nsec; the time of day
 * at system time zero, to which the guest adds its own uptime.
 */
static uint64_t xen_wall_clock_ns(void)
{
	volatile uint32_t *wc = (volatile uint32_t *)((uint8_t *)shared + sizeof(*shared));
	uint32_t version, sec, nsec;
	int tries = 0;

	do {
		version = wc[0];
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		sec = wc[1];
		nsec = wc[2];
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (((version & 1) || version != wc[0]) && ++tries < 1000);
	return (uint64_t)sec * 1000000000ull + nsec + clock_ns();
}

const struct plat_ops plat_xen_ops = {
	.name = "xen",
	.console_write = xen_console_write,
	.console_read = xen_console_read,
	.console_rx_irq = xen_console_rx_irq,
	.exit = xen_exit,
	.wall_clock_ns = xen_wall_clock_ns,
};
