/* What the architecture layer offers the rest of the libOS. */
#ifndef LIBOS_ARCH_H
#define LIBOS_ARCH_H

#include <stdint.h>
#include <uniscope/abi.h>

#define PAGE_SIZE 4096ul
#define PAGE_ALIGN_DOWN(x) ((x) & ~(PAGE_SIZE - 1))
#define PAGE_ALIGN_UP(x) (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

#define VECTOR_IRQ_BASE 32
/* Vectors handed to devices (MSI-X, I/O APIC pins beyond the ISA ones): irq_alloc_vector. */
#define VECTOR_DEVICE_BASE 0x40
#define VECTOR_DEVICE_COUNT 16
#define VECTOR_LAPIC_TIMER 0xf0
#define VECTOR_PLATFORM 0xf3 /* the hypervisor's own upcall (Xen event channels) */
#define VECTOR_SPURIOUS 0xff

/* Interrupt stack table slots (gdt.c, idt.c): 1-3 for faults that cannot trust rsp. */
#define IST_TRAP 4
extern char trap_ist_top[]; /* traps.S: the top of IST_TRAP's stack */
/* The vector number a syscall's frame carries (syscall.S): no real vector. */
#define SYSCALL_VECTOR 256

typedef struct uniscope_trap_frame trap_frame_t;
typedef void (*irq_handler_fn)(trap_frame_t *frame);

void gdt_init(void);
void idt_init(void);
void irq_controller_init(void);
void irq_route(int isa_irq, irq_handler_fn handler);
void irq_set_handler(int isa_irq, irq_handler_fn handler);
void irq_set_platform_handler(irq_handler_fn handler);
/* A free device vector, its handler set (an EOI follows it); -1 when none is left. */
int irq_alloc_vector(irq_handler_fn handler);
/* I/O APIC input gsi (of either I/O APIC: 24 pins each) raises vector, edge-triggered. */
void ioapic_route_gsi(uint32_t gsi, int vector);
/* Whether a second I/O APIC answers at its usual address (QEMU's microvm with ioapic2). */
int ioapic_second_present(void);
uint32_t lapic_id(void);
uint32_t hypervisor_cpuid_base(const char signature[12]);
void trap_dispatch(trap_frame_t *frame);
extern char trap_vectors_start[];     /* traps.S: exceptions 0-31, 16 bytes apart */
extern char trap_irq_vectors_start[]; /* traps.S: interrupts 32-255, 8 bytes apart */
extern trap_frame_t *trap_current_frame;
void trap_return_to(trap_frame_t *frame) __attribute__((noreturn));
void irq_acknowledge_early(const trap_frame_t *frame);

/* The kernel's hooks for faults, timer ticks and the end of a trap. */
void fault_handle(trap_frame_t *frame);
void timer_tick(trap_frame_t *frame);
void sched_trap_exit(trap_frame_t *frame);

void lapic_init(void);
void lapic_calibrate_begin(void);
void lapic_timer_start(uint32_t hz);
void lapic_eoi(void);

void tsc_calibrate_begin(void); /* the PIT counts while boot goes on */
void tsc_calibrate_end(void);
uint64_t tsc_hz(void);
uint64_t tsc_boot_value(void);
void tsc_set_hz(uint64_t hz);
uint64_t clock_ns(void);
void clock_delay_us(uint64_t us);

void fpu_init(void);
/* switch.S: save the running thread's callee-saved state in *from, resume *to. */
void context_switch(struct uniscope_context *from, struct uniscope_context *to);
extern char context_switch_end[]; /* where its code ends: a pc below is inside a switch */
/* syscall.S: the `syscall` entry (MSR_LSTAR), a clone()d thread's first
 * instruction, and the main thread's way out of the libOS into the C library. */
void syscall_entry(void);
void clone_child_start(void);
void process_enter(void *entry, uint64_t stack) __attribute__((noreturn));
void regs_from_trap_frame(struct uniscope_regs *regs, const trap_frame_t *frame);

#endif
