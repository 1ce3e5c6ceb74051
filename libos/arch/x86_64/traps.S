/*
 * Interrupt and exception entry. Every vector has a stub that makes the
 * stack look the same (error code, vector) and jumps to trap_common, which
 * saves the general registers as a struct uniscope_trap_frame and calls
 * trap_dispatch(frame). A frame record (interrupted rip, rbp) is pushed on
 * top so frame-pointer unwinders walk through interrupts.
 *
 * Applications keep data in the 128-byte red zone below rsp, and an
 * interrupt in ring 0 would push its frame right there. So every vector
 * but the four with stacks of their own (double fault, page fault, NMI,
 * machine check) enters on the interrupt stack IST_TRAP (gdt.c), and
 * trap_common first moves the CPU's frame to the interrupted stack, below
 * its red zone, and continues there: the IST stack is free again before
 * anything can interrupt, and a preempted thread's frame stays on its own
 * stack.
 *
 * For CFI unwinders (debuggers) every instruction from the vector stub to
 * the iretq is described (cfi.h): the caller of a trap frame is the
 * interrupted code, whose rsp and rip the CPU pushed and whose general
 * registers trap_common pushes one by one. "Signal frame" says the
 * interrupted rip is where it stopped, not a return address.
 */
#include "cfi.h"
#include "param.h"

	.text
	.balign 16
	.globl trap_vectors_start
trap_vectors_start:                     /* the exceptions, 0-31: 16 bytes each */
	.set v, 0
	.rept 32
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

/*
 * The interrupts, 32-255, none with an error code: 8 bytes each (a 2-byte
 * push of vector - 128 as a signed byte, a 5-byte jump), half the size of
 * the exceptions' stubs. trap_irq_common makes the frame uniform.
 */
	.balign 8
	.globl trap_irq_vectors_start
trap_irq_vectors_start:
	.rept 224
	.balign 8
	.cfi_startproc simple
	.cfi_signal_frame
	trap_cfi -16, 0
	.byte 0x6a, v - 128             /* pushq $(v - 128), sign-extended */
	trap_cfi -8, 0
	jmp trap_irq_common
	.cfi_endproc
	.set v, v + 1
	.endr

/* [vector - 128] -> [0 error code, vector], then as the exceptions. */
trap_irq_common:
	.cfi_startproc simple
	.cfi_signal_frame
	trap_cfi -8, 0
	pushq (%rsp)
	trap_cfi 0, 0
	movq $0, 8(%rsp)
	addq $128, (%rsp)
	jmp trap_common
	.cfi_endproc

	.balign 16
trap_common:
	.cfi_startproc simple
	.cfi_signal_frame
	trap_cfi 0, 0
	cmp $trap_ist_top - 7*8, %rsp   /* fresh on IST_TRAP? */
	jne .Ltrap_frame_here        /* not a symbol: LLDB places CFI rows by the symbol a pc is in */
	mov %rax, -8(%rsp)
	cfi_reg_saved_at 0, 7, -8
	mov %rcx, -16(%rsp)
	cfi_reg_saved_at 2, 7, -16
	mov 5*8(%rsp), %rax             /* the interrupted rsp */
	sub $128, %rax                  /* below its red zone */
	and $-16, %rax
	sub $7*8, %rax
	.irp off, 0, 8, 16, 24, 32, 40, 48
	mov \off(%rsp), %rcx
	mov %rcx, \off(%rax)
	.endr
	mov -16(%rsp), %rcx
	.cfi_same_value 2
	xchg %rax, %rsp
	cfi_reg_saved_at 0, 0, -8       /* rax: at the IST stack's old rsp - 8 */
	mov -8(%rax), %rax
	.cfi_same_value 0
.Ltrap_frame_here:
	trap_push_all
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

	.section .bss
	.balign 16
trap_ist_stack:
	.skip IST_STACK_SIZE
	.globl trap_ist_top
trap_ist_top:

	.section .note.GNU-stack, "", @progbits
