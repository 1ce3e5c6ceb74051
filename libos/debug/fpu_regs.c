/*
 * The x87/SSE registers of a libOS thread, for the stub's register packets.
 *
 * The libOS core is built without SSE (-mgeneral-regs-only), so nothing
 * between a trap and the stub touches FPU state: the thread on the CPU
 * (`current`, the one the stub stopped in) has its registers live in the
 * CPU, every other thread in the FXSAVE area the scheduler filled when it
 * switched that thread out (with XSAVE, the FXSAVE-format legacy region
 * of its XSAVE area; the ymm upper halves come from the AVX component).
 * This file is the one place that knows it.
 *
 * Writes (full profile only) go back where the state lives: into the CPU
 * with fxrstor, or into the saved area. An MXCSR with reserved bits set
 * would fault the fxrstor, now or at the next switch-in: it is refused.
 */
#include <string.h>
#include <uniscope/gdbstub.h>
#include "kern/kern.h"
#include "debug.h"

#define MXCSR_MASK_DEFAULT 0xffbf /* when FXSAVE reports a mask of 0 */

static const struct uniscope_fxsave *saved_area(const struct thread *t)
{
	return (const struct uniscope_fxsave *)t->fpu_state;
}

int debug_fpu_read(void *ctx, int64_t tid, struct gdb_fpu_state *out)
{
	struct thread *t = debug_thread(tid);

	(void)ctx;
	if (!t)
		return GDB_ERR_NO_THREAD;
	memset(out, 0, sizeof(*out));
	if (t == current)
		fpu_save_legacy(&out->fx);
	else
		memcpy(&out->fx, saved_area(t), sizeof(out->fx));
	out->has_ymm = fpu_ymm_hi(t == current ? 0 : t->fpu_state, out->ymm_hi);
	return 0;
}

/* GDB's target description offers ymm0-15 when the libOS saves AVX state. */
bool debug_fpu_has_avx(void *ctx)
{
	(void)ctx;
	return (fpu_xfeatures() & FPU_XFEATURE_AVX) != 0;
}

#ifdef UNISCOPE_DEBUG_FULL
static bool mxcsr_valid(const struct thread *t, uint32_t mxcsr)
{
	uint32_t mask = saved_area(t)->mxcsr_mask;

	return (mxcsr & ~(mask ? mask : MXCSR_MASK_DEFAULT)) == 0;
}

int debug_fpu_write(void *ctx, int64_t tid, const struct gdb_fpu_state *in)
{
	struct thread *t = debug_thread(tid);

	(void)ctx;
	if (!t)
		return GDB_ERR_NO_THREAD;
	if (!mxcsr_valid(t, in->fx.mxcsr))
		return GDB_ERR_INVALID;
	if (t == current) {
		fpu_restore_legacy(&in->fx);
	} else {
		memcpy(t->fpu_state, &in->fx, sizeof(in->fx));
		fpu_legacy_written(t->fpu_state);
	}
	return 0;
}
#endif
