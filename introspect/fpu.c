/*
 * A thread's x87/SSE registers, from the host.
 *
 * The libOS core never touches the FPU and switches its state eagerly, so
 * the thread on a vCPU has its registers live in that vCPU (for a dead
 * guest, the thread that died: the panic path leaves the FPU alone), and
 * every other thread in the FXSAVE area of its struct thread, filled when
 * it was last switched out. Only the descriptor says where that area is
 * (thread_layout.off_fpu_state); 0 means the guest keeps none.
 */
#include <string.h>
#include "target.h"

#define FPU_AREA_SIZE sizeof(struct uniscope_fxsave)

static struct us_error *saved_fpu(struct us_target *t, const struct us_thread *th,
				  struct uniscope_fxsave *fx)
{
	const struct uniscope_info *info = us_target_info(t);
	uint32_t off = info ? info->thread_layout.off_fpu_state : 0;
	struct us_error *err;

	if (!info)
		return us_target_info_error(t);
	if (off == 0 || off % 16 || (uint64_t)off + FPU_AREA_SIZE > info->thread_layout.size)
		return us_error_create(US_ERR_UNSUPPORTED, "thread %u: the guest keeps no FPU "
				       "state for switched-out threads", th->id);
	if ((err = us_target_read(t, th->address + off, fx, sizeof(*fx))))
		return us_error_prefix(err, "thread %u: FPU state", th->id);
	return NULL;
}

struct us_error *us_thread_fpu(struct us_target *t, const struct us_thread *th,
			       struct uniscope_fxsave *fx)
{
	memset(fx, 0, sizeof(*fx));
	if (th->cpu >= 0)
		return us_target_vcpu_fpu(t, (unsigned)th->cpu, fx);
	return saved_fpu(t, th, fx);
}
