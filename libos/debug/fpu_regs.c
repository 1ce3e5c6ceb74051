/*
 * The x87/SSE registers of a libOS thread, for the stub's register packets.
 *
 * The libOS core is built without SSE (-mgeneral-regs-only), so nothing
 * between a trap and the stub touches FPU state: the thread on the CPU
 * (`current`, the one the stub stopped in) has its registers live in the
 * CPU, every other thread in the FXSAVE area the scheduler filled when it
 * switched that thread out. This file is the one place that knows it: when
 * the libOS moves to XSAVE (AVX), these functions change and nothing else.
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
		fpu_save((uint8_t *)&out->fx);
	else
		memcpy(&out->fx, saved_area(t), sizeof(out->fx));
	return 0;
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
	if (t == current)
		fpu_restore((const uint8_t *)&in->fx);
	else
		memcpy(t->fpu_state, &in->fx, sizeof(in->fx));
	return 0;
}
#endif
