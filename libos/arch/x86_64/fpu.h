#ifndef LIBOS_ARCH_FPU_H
#define LIBOS_ARCH_FPU_H

#include <stdint.h>

#define FPU_STATE_SIZE 512 /* fxsave area, 16-byte aligned */

void fpu_state_init(uint8_t *state);
void fpu_save(uint8_t *state);
void fpu_restore(const uint8_t *state);

#endif
