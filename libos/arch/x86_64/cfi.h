/*
 * Call frame information for hand-written assembly, so that debuggers
 * unwind correctly at every instruction of it, not only where C code
 * takes over. For .S files only.
 *
 * The CFI goes to .debug_frame, with the C code's (gcc is built with
 * -fno-asynchronous-unwind-tables, so it emits .debug_frame too): it stays
 * out of the loaded image and is stripped with the debug information.
 *
 * Frames whose caller's registers sit in memory at an offset from some
 * register (an interrupt frame, a saved context) need DWARF expressions;
 * .cfi_escape writes them byte by byte. Offsets are written as two-byte
 * SLEB128 (a valid, if not minimal, encoding of -8192..8191), so the
 * expression lengths are fixed. Register numbers are DWARF's:
 * rax 0, rdx 1, rcx 2, rbx 3, rsi 4, rdi 5, rbp 6, rsp 7, r8-r15 8-15,
 * rip 16.
 */
#ifndef LIBOS_ARCH_CFI_H
#define LIBOS_ARCH_CFI_H

#ifdef __ASSEMBLY__

	.cfi_sections .debug_frame

#define DW_OP_BREG(r) (0x70 + (r))
#define CFI_SLEB2(off) (((off) & 0x7f) | 0x80), (((off) >> 7) & 0x7f)

/* CFA = *(base + off): the caller's rsp was saved at base + off. */
.macro cfi_cfa_saved_at base, off
	.cfi_escape 0x0f, 4, DW_OP_BREG(\base), CFI_SLEB2(\off), 0x06
.endm

/* The caller's register reg is saved at base + off. */
.macro cfi_reg_saved_at reg, base, off
	.cfi_escape 0x10, \reg, 3, DW_OP_BREG(\base), CFI_SLEB2(\off)
.endm

#endif
#endif
