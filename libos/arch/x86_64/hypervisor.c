/*
 * Which hypervisor we run on, by its CPUID signature. Hypervisors put their
 * leaves at 0x40000000, or at the next free 0x100 boundary when they also
 * offer another's interface (Xen with Viridian at 0x40000100), so all
 * sixteen possible bases are looked at.
 */
#include <stdint.h>
#include <string.h>
#include "arch.h"
#include "cpu.h"

#define CPUID_HYPERVISOR_BIT (1u << 31) /* leaf 1, ecx */
#define HYPERVISOR_BASES 16

uint32_t hypervisor_cpuid_base(const char signature[12])
{
	uint32_t r[4];

	cpuid(1, 0, r);
	if (!(r[2] & CPUID_HYPERVISOR_BIT))
		return 0;
	for (uint32_t i = 0; i < HYPERVISOR_BASES; i++) {
		uint32_t base = 0x40000000u + 0x100u * i;
		char sig[12];

		cpuid(base, 0, r);
		memcpy(sig, &r[1], 4);
		memcpy(sig + 4, &r[2], 4);
		memcpy(sig + 8, &r[3], 4);
		if (memcmp(sig, signature, sizeof(sig)) == 0 && r[0] - base >= 2 && r[0] - base < 0x100)
			return base;
	}
	return 0;
}
