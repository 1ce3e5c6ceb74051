/*
 * What the Xen platform files share: the hypercall page, the few hypercall
 * numbers and argument structures the libOS uses (values from
 * xen/include/public: xen.h, sched.h, event_channel.h, memory.h,
 * hvm/hvm_op.h, hvm/params.h), and the shared info page.
 */
#ifndef LIBOS_PLAT_XEN_XEN_H
#define LIBOS_PLAT_XEN_XEN_H

#include <stddef.h>
#include <stdint.h>

#define __HYPERVISOR_memory_op 12
#define __HYPERVISOR_sched_op 29
#define __HYPERVISOR_event_channel_op 32
#define __HYPERVISOR_hvm_op 34
#define HYPERCALL_STUB_SIZE 32

#define DOMID_SELF 0x7ff0

#define SCHEDOP_yield 0
#define SCHEDOP_shutdown 2
#define SHUTDOWN_poweroff 0
#define SHUTDOWN_crash 3

#define EVTCHNOP_send 4
#define EVTCHNOP_unmask 9

#define XENMEM_add_to_physmap 7
#define XENMAPSPACE_shared_info 0

#define HVMOP_set_param 0
#define HVMOP_get_param 1
#define HVM_PARAM_CALLBACK_IRQ 0
#define HVM_PARAM_CONSOLE_PFN 17
#define HVM_PARAM_CONSOLE_EVTCHN 18
#define HVM_CALLBACK_VECTOR(v) ((2ull << 56) | (v))

/* CPUID leaves relative to the Xen base (arch-x86/cpuid.h). */
#define XEN_CPUID_HYPERCALL 2 /* ebx: the MSR that loads the hypercall page */
#define XEN_CPUID_TIME 3      /* subleaf 0, ecx: guest TSC kHz */

struct xen_hvm_param {
	uint16_t domid;
	uint16_t pad;
	uint32_t index;
	uint64_t value;
};

struct xen_add_to_physmap {
	uint16_t domid;
	uint16_t size;
	uint32_t space;
	uint64_t idx;
	uint64_t gpfn;
};

struct vcpu_info {
	volatile uint8_t evtchn_upcall_pending;
	volatile uint8_t evtchn_upcall_mask;
	volatile uint64_t evtchn_pending_sel;
	uint64_t arch_cr2, arch_pad;
	uint8_t time[32];
};
_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info layout");

#define XEN_LEGACY_MAX_VCPUS 32
#define EVTCHN_WORDS 64 /* 2-level ABI: 64 words of 64 ports */

struct shared_info {
	struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
	volatile uint64_t evtchn_pending[EVTCHN_WORDS];
	volatile uint64_t evtchn_mask[EVTCHN_WORDS];
	/* wall clock and arch fields follow; not used */
};
_Static_assert(sizeof(struct shared_info) == 3072, "shared_info layout");

extern char hypercall_page[];

/* x86-64: nr picks the stub; arguments in rdi, rsi, rdx; rax returns. */
static inline long xen_hypercall3(unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t rdi __asm__("rdi") = a1;
	register uint64_t rsi __asm__("rsi") = a2;
	register uint64_t rdx __asm__("rdx") = a3;
	long ret;

	__asm__ volatile("call *%[stub]"
			 : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx)
			 : [stub] "r"(hypercall_page + nr * HYPERCALL_STUB_SIZE)
			 : "memory", "rcx", "r8", "r9", "r10", "r11");
	return ret;
}

static inline long xen_hypercall2(unsigned nr, uint64_t a1, uint64_t a2)
{
	return xen_hypercall3(nr, a1, a2, 0);
}

/* xen.c */
long xen_hvm_get_param(uint32_t index, uint64_t *value);
void xen_evtchn_send(uint32_t port);
void xen_evtchn_unmask(uint32_t port);
void xen_yield(void);
uint64_t xen_tsc_khz(void);
typedef void (*xen_evtchn_fn)(uint32_t port);
void xen_evtchn_bind(uint32_t port, xen_evtchn_fn handler);

/* console.c */
int xen_console_init(void);
void xen_console_write(const void *buf, size_t len);
int xen_console_read(void);
void xen_console_rx_irq(void (*on_byte)(uint8_t byte));
void xen_console_flush(void);

#endif
