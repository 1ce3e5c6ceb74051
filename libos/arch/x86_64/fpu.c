/*
 * FPU/SSE/AVX state. The libOS core is built without SSE (-mgeneral-regs-
 * only), so nothing between a trap or a syscall and the scheduler touches
 * this state: only the context switch saves and restores it, and
 * applications may use floating point and vectors freely.
 *
 * With XSAVE (CPUID.1:ECX.XSAVE) the libOS sets CR4.OSXSAVE and enables
 * x87, SSE and AVX in XCR0 (those the CPU has), and saves with XSAVE in
 * the standard format: the legacy region stays an FXSAVE image, which
 * thread_layout.off_fpu_state points at, and plain XSAVE (unlike XSAVEOPT
 * or XSAVEC) writes every enabled component, so that image is always whole.
 * AVX-512 and later components are left off: a thread's area is
 * FPU_STATE_SIZE bytes, and an application using AVX-512 gets #UD, as on
 * a kernel that does not enable them. Without XSAVE: FXSAVE, 512 bytes.
 * uniscope_info.fpu_xfeatures and fpu_xsave_size tell host tools which.
 */
#include <stdint.h>
#include <string.h>
#include "arch.h"
#include "cpu.h"
#include "fpu.h"

#define CPUID1_ECX_XSAVE (1u << 26)
#define CR4_OSXSAVE (1ul << 18)
#define FXSAVE_SIZE 512

static uint8_t fpu_initial_state[FPU_STATE_SIZE] __attribute__((aligned(FPU_STATE_ALIGN)));
static uint8_t fpu_scratch[FPU_STATE_SIZE] __attribute__((aligned(FPU_STATE_ALIGN)));
static uint64_t xfeatures;      /* XCR0; 0: no XSAVE, FXSAVE is used */
static uint32_t state_bytes = FXSAVE_SIZE;

static inline void xsetbv(uint32_t index, uint64_t v)
{
	__asm__ volatile("xsetbv" :: "c"(index), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* XSAVE if the CPU has it: enable what fits in FPU_STATE_SIZE. */
static void xsave_init(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	if (!(r[2] & CPUID1_ECX_XSAVE))
		return;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	cpuid(0xd, 0, r); /* eax: the user components the CPU supports */
	xfeatures = r[0] & (FPU_XFEATURE_X87 | FPU_XFEATURE_SSE | FPU_XFEATURE_AVX);
	xsetbv(0, xfeatures);
	cpuid(0xd, 0, r); /* ebx: the area XSAVE needs for what XCR0 enables */
	if (r[1] > FPU_STATE_SIZE) {
		xfeatures &= FPU_XFEATURE_X87 | FPU_XFEATURE_SSE;
		xsetbv(0, xfeatures);
		cpuid(0xd, 0, r);
	}
	state_bytes = r[1];
}

void fpu_init(void)
{
	uint32_t mxcsr = 0x1f80;

	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	xsave_init();
	__asm__ volatile("fninit; ldmxcsr %0" :: "m"(mxcsr));
	if (xfeatures & FPU_XFEATURE_AVX)
		__asm__ volatile("vzeroall" ::: "memory");
	fpu_save(fpu_initial_state);
}

uint64_t fpu_xfeatures(void)
{
	return xfeatures;
}

uint32_t fpu_state_bytes(void)
{
	return state_bytes;
}

void fpu_state_init(uint8_t *state)
{
	memcpy(state, fpu_initial_state, FPU_STATE_SIZE);
}

void fpu_save(uint8_t *state)
{
	if (xfeatures)
		__asm__ volatile("xsave64 (%0)" :: "r"(state), "a"((uint32_t)xfeatures),
				 "d"((uint32_t)(xfeatures >> 32)) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" :: "r"(state) : "memory");
}

void fpu_restore(const uint8_t *state)
{
	if (xfeatures)
		__asm__ volatile("xrstor64 (%0)" :: "r"(state), "a"((uint32_t)xfeatures),
				 "d"((uint32_t)(xfeatures >> 32)) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" :: "r"(state) : "memory");
}

void fpu_save_legacy(void *fxsave)
{
	__asm__ volatile("fxsave64 (%0)" :: "r"(fxsave) : "memory");
}

/* FXRSTOR leaves the upper halves of the ymm registers alone. */
void fpu_restore_legacy(const void *fxsave)
{
	__asm__ volatile("fxrstor64 (%0)" :: "r"(fxsave) : "memory");
}

void fpu_legacy_written(uint8_t *state)
{
	uint64_t bv;

	if (!xfeatures)
		return;
	memcpy(&bv, state + FPU_XSAVE_HEADER, sizeof(bv));
	bv |= FPU_XFEATURE_X87 | FPU_XFEATURE_SSE;
	memcpy(state + FPU_XSAVE_HEADER, &bv, sizeof(bv));
}

bool fpu_ymm_hi(const uint8_t *state, uint8_t out[16][16])
{
	uint64_t bv;

	if (!(xfeatures & FPU_XFEATURE_AVX))
		return false;
	if (!state) {
		memset(fpu_scratch + FPU_XSAVE_HEADER, 0, FPU_STATE_SIZE - FPU_XSAVE_HEADER);
		fpu_save(fpu_scratch);
		state = fpu_scratch;
	}
	memcpy(&bv, state + FPU_XSAVE_HEADER, sizeof(bv));
	if (bv & FPU_XFEATURE_AVX)
		memcpy(out, state + FPU_XSAVE_AVX, 16 * 16);
	else
		memset(out, 0, 16 * 16); /* in its initial state: zeros */
	return true;
}
