/*
 * A thread's x87/SSE/AVX state (fpu.c): saved and restored with XSAVE/XRSTOR
 * where the CPU has them (x87, SSE and AVX enabled in XCR0), FXSAVE/FXRSTOR
 * otherwise. The area starts with the 512-byte FXSAVE-format legacy region
 * in both cases, so readers of x87/SSE (the stub, host tools through
 * thread_layout.off_fpu_state) read it the same way; with XSAVE the header
 * (XSTATE_BV) follows at 512 and the upper halves of ymm0-15 at 576.
 */
#ifndef LIBOS_ARCH_FPU_H
#define LIBOS_ARCH_FPU_H

#include <stdbool.h>
#include <stdint.h>

#define FPU_STATE_SIZE 832      /* room for the legacy region, header and AVX */
#define FPU_STATE_ALIGN 64      /* what XSAVE asks of its area */
#define FPU_XSAVE_HEADER 512    /* offset of XSTATE_BV */
#define FPU_XSAVE_AVX 576       /* offset of ymm0-15's upper halves (standard format) */
#define FPU_XFEATURE_X87 1ull
#define FPU_XFEATURE_SSE 2ull
#define FPU_XFEATURE_AVX 4ull

void fpu_state_init(uint8_t *state);
/* A thread's whole state, into and out of its FPU_STATE_ALIGN-aligned area. */
void fpu_save(uint8_t *state);
void fpu_restore(const uint8_t *state);
/* The live x87/SSE registers as a 512-byte FXSAVE image (16-aligned), and back. */
void fpu_save_legacy(void *fxsave);
void fpu_restore_legacy(const void *fxsave);
/* A debugger wrote a saved area's legacy region: XRSTOR must load it. */
void fpu_legacy_written(uint8_t *state);
/* The upper halves of ymm0-15 (16 x 16 bytes) of a saved area, or the CPU's (state NULL). */
bool fpu_ymm_hi(const uint8_t *state, uint8_t out[16][16]);
/* What the libOS saves: XCR0's features (0: FXSAVE only) and the bytes per thread. */
uint64_t fpu_xfeatures(void);
uint32_t fpu_state_bytes(void);

#endif
