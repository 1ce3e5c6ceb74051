/*
 * The final GDT: flat 64-bit code and data, and a TSS whose interrupt stack
 * table gives double faults, page faults and NMIs their own stacks: a stack
 * overflow into a guard page must still be able to report itself.
 */
#include <stdint.h>
#include <string.h>
#include "arch.h"
#include "param.h"


struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

static struct tss cpu_tss;
/* IST_TRAP's stack is in traps.S, which recognises a fresh entry by its address. */
static uint8_t ist_stacks[IST_TRAP - 1][IST_STACK_SIZE] __attribute__((aligned(16)));
static uint64_t gdt[5];

struct gdt_pointer {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static void gdt_set_tss(int slot, uint64_t base, uint32_t limit)
{
	gdt[slot] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		    ((uint64_t)((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[slot + 1] = base >> 32;
}

void gdt_init(void)
{
	struct gdt_pointer ptr = { sizeof(gdt) - 1, (uint64_t)gdt };

	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffull;
	gdt[2] = 0x00cf92000000ffffull;
	for (int i = 0; i < IST_TRAP - 1; i++)
		cpu_tss.ist[i] = (uint64_t)&ist_stacks[i][IST_STACK_SIZE];
	cpu_tss.ist[IST_TRAP - 1] = (uint64_t)trap_ist_top;
	cpu_tss.iomap_base = sizeof(cpu_tss);
	gdt_set_tss(3, (uint64_t)&cpu_tss, sizeof(cpu_tss) - 1);

	__asm__ volatile("lgdt %0\n\t"
			 "pushq $0x08\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov $0x10, %%ax\n\t"
			 "mov %%ax, %%ds\n\t"
			 "mov %%ax, %%es\n\t"
			 "mov %%ax, %%ss\n\t"
			 "mov $0x18, %%ax\n\t"
			 "ltr %%ax"
			 :: "m"(ptr) : "rax", "memory");
}
