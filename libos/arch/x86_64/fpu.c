/*
 * FPU/SSE state. The libOS core is built without SSE, so only the context
 * switch saves and restores it: applications may use floating point.
 */
#include <stdint.h>
#include <string.h>
#include "arch.h"
#include "cpu.h"
#include "fpu.h"

static uint8_t fpu_initial_state[FPU_STATE_SIZE] __attribute__((aligned(16)));

void fpu_init(void)
{
	uint32_t mxcsr = 0x1f80;

	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	__asm__ volatile("fninit; ldmxcsr %0" :: "m"(mxcsr));
	fpu_save(fpu_initial_state);
}

void fpu_state_init(uint8_t *state)
{
	memcpy(state, fpu_initial_state, FPU_STATE_SIZE);
}

void fpu_save(uint8_t *state)
{
	__asm__ volatile("fxsave64 (%0)" :: "r"(state) : "memory");
}

void fpu_restore(const uint8_t *state)
{
	__asm__ volatile("fxrstor64 (%0)" :: "r"(state) : "memory");
}
