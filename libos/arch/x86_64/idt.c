/*
 * The IDT: every one of the 256 vectors has an entry (see traps.S), so an
 * unexpected vector is reported instead of triple-faulting.
 */
#include <stdint.h>
#include "arch.h"

#define VECTOR_NMI 2
#define VECTOR_DOUBLE_FAULT 8
#define VECTOR_PAGE_FAULT 14
#define VECTOR_MACHINE_CHECK 18

struct idt_entry {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t zero;
} __attribute__((packed));

static struct idt_entry idt[256];

static uint8_t vector_ist(int vector)
{
	switch (vector) {
	case VECTOR_DOUBLE_FAULT: return 1;
	case VECTOR_PAGE_FAULT: return 2;
	case VECTOR_NMI:
	case VECTOR_MACHINE_CHECK: return 3;
	default: return IST_TRAP; /* everything else: traps.S moves below the red zone */
	}
}

void idt_init(void)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) ptr;

	for (int v = 0; v < 256; v++) {
		uint64_t handler = v < 32 ? (uint64_t)trap_vectors_start + (uint64_t)v * 16
					  : (uint64_t)trap_irq_vectors_start + (uint64_t)(v - 32) * 8;
		idt[v] = (struct idt_entry){
			.offset_lo = handler & 0xffff,
			.selector = 0x08,
			.ist = vector_ist(v),
			.type = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
			.offset_mid = (handler >> 16) & 0xffff,
			.offset_hi = handler >> 32,
		};
	}
	ptr.limit = sizeof(idt) - 1;
	ptr.base = (uint64_t)idt;
	__asm__ volatile("lidt %0" :: "m"(ptr));
}
