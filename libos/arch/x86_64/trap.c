/*
 * Trap dispatch: exceptions go to the debugger (when one is linked and the
 * trap is a debug trap) or to the kernel's fault handler; device interrupts
 * go to the handler routed with irq_route(); the LAPIC timer drives the
 * scheduler clock.
 */
#include <stdbool.h>
#include <stddef.h>
#include "arch.h"
#include "cpu.h"
#include "debug/hooks.h"
#include "kern/trace.h"

#define VECTOR_DEBUG 1
#define VECTOR_BREAKPOINT 3
#define NR_ISA_IRQS 16

static irq_handler_fn isa_irq_handlers[NR_ISA_IRQS];
static irq_handler_fn device_handlers[VECTOR_DEVICE_COUNT];
static irq_handler_fn platform_handler;
static void trap_dispatch_vector(trap_frame_t *frame);

void irq_set_handler(int isa_irq, irq_handler_fn handler)
{
	if (isa_irq >= 0 && isa_irq < NR_ISA_IRQS)
		isa_irq_handlers[isa_irq] = handler;
}

/*
 * VECTOR_PLATFORM is injected by the hypervisor itself, not through the
 * LAPIC, so its handler acknowledges its source and no EOI follows.
 */
void irq_set_platform_handler(irq_handler_fn handler)
{
	platform_handler = handler;
}

int irq_alloc_vector(irq_handler_fn handler)
{
	for (int i = 0; i < VECTOR_DEVICE_COUNT; i++) {
		if (!device_handlers[i]) {
			device_handlers[i] = handler;
			return VECTOR_DEVICE_BASE + i;
		}
	}
	return -1;
}

static bool is_device_vector(uint64_t v)
{
	return v >= VECTOR_DEVICE_BASE && v < VECTOR_DEVICE_BASE + VECTOR_DEVICE_COUNT;
}

static void dispatch_device_irq(trap_frame_t *frame)
{
	irq_handler_fn handler = device_handlers[frame->vector - VECTOR_DEVICE_BASE];

	if (handler)
		handler(frame);
	lapic_eoi();
}

static void dispatch_isa_irq(trap_frame_t *frame)
{
	int irq = (int)frame->vector - VECTOR_IRQ_BASE;

	if (isa_irq_handlers[irq])
		isa_irq_handlers[irq](frame);
	lapic_eoi();
}

/*
 * A debugger stop inside an interrupt handler (the UART's, bringing a
 * debugger's first bytes): the interrupt is acknowledged now, so the next
 * one (the host knocking) can end the stop's halt. The handler's own EOI
 * then finds nothing in service, which the LAPIC ignores.
 */
void irq_acknowledge_early(const trap_frame_t *frame)
{
	if (frame && frame->vector >= VECTOR_IRQ_BASE && frame->vector < VECTOR_IRQ_BASE + NR_ISA_IRQS)
		lapic_eoi();
}

/* The innermost trap being handled: what a debugger stopping here reports. */
trap_frame_t *trap_current_frame;

void trap_dispatch(trap_frame_t *frame)
{
	trap_frame_t *outer = trap_current_frame;

	trap_current_frame = frame;
	trap_dispatch_vector(frame);
	trap_current_frame = outer;
	if (!outer)
		sched_trap_exit(frame); /* a thread the debugger holds leaves the CPU */
}

static void trap_dispatch_vector(trap_frame_t *frame)
{
	uint64_t v = frame->vector;

	if (v >= VECTOR_IRQ_BASE && v != VECTOR_SPURIOUS)
		trace_irq_entry(v);
	if (v == VECTOR_LAPIC_TIMER) {
		lapic_eoi();
		timer_tick(frame);
	} else if (v >= VECTOR_IRQ_BASE && v < VECTOR_IRQ_BASE + NR_ISA_IRQS) {
		dispatch_isa_irq(frame);
	} else if (is_device_vector(v)) {
		dispatch_device_irq(frame);
	} else if (v == VECTOR_PLATFORM && platform_handler) {
		platform_handler(frame);
	} else if (v == VECTOR_SPURIOUS) {
		return;
	} else if ((v == VECTOR_DEBUG || v == VECTOR_BREAKPOINT) && debug_trap(frame)) {
		return;
	} else if (v < VECTOR_IRQ_BASE) {
		trace_exception(v, frame->error_code, frame->rip);
		fault_handle(frame);
	} else {
		lapic_eoi(); /* unexpected vector: acknowledge and ignore */
	}
	if (v >= VECTOR_IRQ_BASE)
		trace_irq_exit(v);
}

void regs_from_trap_frame(struct uniscope_regs *r, const trap_frame_t *f)
{
	*r = (struct uniscope_regs){
		.rax = f->rax, .rbx = f->rbx, .rcx = f->rcx, .rdx = f->rdx,
		.rsi = f->rsi, .rdi = f->rdi, .rbp = f->rbp, .rsp = f->rsp,
		.r8 = f->r8, .r9 = f->r9, .r10 = f->r10, .r11 = f->r11,
		.r12 = f->r12, .r13 = f->r13, .r14 = f->r14, .r15 = f->r15,
		.rip = f->rip, .rflags = f->rflags, .cs = f->cs, .ss = f->ss,
		.ds = 0x10, .es = 0x10,
		.fs_base = rdmsr(MSR_FS_BASE), .gs_base = rdmsr(MSR_GS_BASE),
		.cr0 = read_cr0(), .cr2 = read_cr2(), .cr3 = read_cr3(), .cr4 = read_cr4(),
	};
}
