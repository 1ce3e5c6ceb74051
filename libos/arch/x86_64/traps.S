/*
 * Interrupt and exception entry. Every vector has a stub that makes the
 * stack look the same (error code, vector) and jumps to trap_common, which
 * saves the general registers as a struct uniscope_trap_frame and calls
 * trap_dispatch(frame). A frame record (interrupted rip, rbp) is pushed on
 * top so frame-pointer unwinders walk through interrupts.
 *
 * For CFI unwinders (debuggers) every instruction from the vector stub to
 * the iretq is described (cfi.h): the caller of a trap frame is the
 * interrupted code, whose rsp and rip the CPU pushed and whose general
 * registers trap_common pushes one by one. "Signal frame" says the
 * interrupted rip is where it stopped, not a return address.
 */
#include "cfi.h"

/*
 * The trap frame's CFI when its vector slot is at rsp + s (negative before
 * the stub pushed it) and the first n general registers, in trap_common's
 * push order, are saved below it.
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

	.text
	.balign 16
	.globl trap_vectors_start
trap_vectors_start:
	.set v, 0
	.rept 256
	.balign 16
	.cfi_startproc simple
	.cfi_signal_frame
	.if (v == 8) || ((v >= 10) && (v <= 14)) || (v == 17) || (v == 21) || (v == 29) || (v == 30)
	trap_cfi -8, 0
	.else
	trap_cfi -16, 0
	pushq $0                        /* no CPU error code: keep the frame uniform */
	trap_cfi -8, 0
	.endif
	pushq $v
	trap_cfi 0, 0
	jmp trap_common
	.cfi_endproc
	.set v, v + 1
	.endr

	.balign 16
trap_common:
	.cfi_startproc simple
	.cfi_signal_frame
	trap_cfi 0, 0
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
	mov %rsp, %rdi
	pushq 17*8(%rsp)                /* interrupted rip */
	trap_cfi 128, 15
	push %rbp
	trap_cfi 136, 15
	mov %rsp, %rbp
	cld
	call trap_dispatch
	add $16, %rsp
	trap_cfi 120, 15
	.globl trap_pop_frame
trap_pop_frame:
	trap_pop r15, 15, 112, 14
	trap_pop r14, 14, 104, 13
	trap_pop r13, 13, 96, 12
	trap_pop r12, 12, 88, 11
	trap_pop r11, 11, 80, 10
	trap_pop r10, 10, 72, 9
	trap_pop r9, 9, 64, 8
	trap_pop r8, 8, 56, 7
	trap_pop rbp, 6, 48, 6
	trap_pop rdi, 5, 40, 5
	trap_pop rsi, 4, 32, 4
	trap_pop rdx, 1, 24, 3
	trap_pop rcx, 2, 16, 2
	trap_pop rbx, 3, 8, 1
	trap_pop rax, 0, 0, 0
	add $16, %rsp
	trap_cfi -16, 0
	iretq
	.cfi_endproc

/* trap_return_to(frame): resume execution from a saved trap frame. */
	.globl trap_return_to
trap_return_to:
	.cfi_startproc
	mov %rdi, %rsp
	trap_cfi 120, 15
	jmp trap_pop_frame
	.cfi_endproc
