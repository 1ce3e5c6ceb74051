#ifndef LIBOS_ARCH_PAGING_H
#define LIBOS_ARCH_PAGING_H

#include <stdint.h>

#include "param.h"

#define PAGING_MAX_RAM_RANGES MAX_RAM_RANGES
#define PTE_FLAG_PRESENT (1ull << 0)
#define PTE_FLAG_WRITE (1ull << 1)
#define PTE_FLAG_NX (1ull << 63)

struct paging_layout {
	struct { uint64_t start, end; } ram[PAGING_MAX_RAM_RANGES];
	unsigned nr_ram;
	/* Thread stacks: slots of guard_stride bytes, each starting with a guard page. */
	uint64_t arena_start, arena_end, guard_stride;
};

int paging_add_shared_page(uint64_t pa);
int paging_add_guard_page(uint64_t pa);
/* Maps [lo, hi) uncached RW+NX; before paging_init only (the tables are then sealed). */
int paging_add_mmio(uint64_t lo, uint64_t hi);
int paging_init(const struct paging_layout *layout, uint64_t (*alloc_pages)(uint64_t count));
void paging_seal(void);
uint32_t *paging_sealed_flag(void);
uint64_t paging_unseal(void);
void paging_reseal(uint64_t saved_cr0);
uint64_t paging_lookup(uint64_t va, uint64_t *page_size);
int paging_is_guard(uint64_t va);
int paging_is_mapped(uint64_t va);
/* Every byte of [va, va + len) is mapped (and the range does not wrap). */
int paging_range_mapped(uint64_t va, uint64_t len);

#endif
