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

/*
 * A trap frame (struct uniscope_trap_frame) whose vector slot is at
 * rsp + s (negative while the entry is still building it) and whose first
 * n general registers, in the push order of trap_common, are saved below
 * it: the caller is the interrupted code, its rsp and rip where the CPU
 * (or the syscall entry) put them. For an FDE marked .cfi_signal_frame.
 */
.macro trap_cfi s, n
	cfi_cfa_saved_at 7, (\s + 5 * 8)
	cfi_reg_saved_at 16, 7, (\s + 2 * 8)
	.set trap_cfi_slot, 0
	.irp reg, 0, 3, 2, 1, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15
	.set trap_cfi_slot, trap_cfi_slot + 1
	.if trap_cfi_slot <= \n
	cfi_reg_saved_at \reg, 7, (\s - 8 * trap_cfi_slot)
	.endif
	.endr
.endm

/* trap_common's pushes and pops, each with the frame's CFI after it. */
.macro trap_push reg, s, n
	push %\reg
	trap_cfi \s, \n
.endm

/* A register comes back: from here on it holds the interrupted value itself. */
.macro trap_pop reg, dwarf, s, n
	pop %\reg
	.cfi_same_value \dwarf
	trap_cfi \s, \n
.endm

/* Pushes the 15 general registers of a trap frame whose vector slot is at rsp. */
.macro trap_push_all
	trap_push rax, 8, 1
	trap_push rbx, 16, 2
	trap_push rcx, 24, 3
	trap_push rdx, 32, 4
	trap_push rsi, 40, 5
	trap_push rdi, 48, 6
	trap_push rbp, 56, 7
	trap_push r8, 64, 8
	trap_push r9, 72, 9
	trap_push r10, 80, 10
	trap_push r11, 88, 11
	trap_push r12, 96, 12
	trap_push r13, 104, 13
	trap_push r14, 112, 14
	trap_push r15, 120, 15
.endm

#endif
#endif
