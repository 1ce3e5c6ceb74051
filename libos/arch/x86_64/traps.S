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
 */
#include "param.h"

	.text
	.balign 16
	.globl trap_vectors_start
trap_vectors_start:
	.set v, 0
	.rept 256
	.balign 16
	.if (v == 8) || ((v >= 10) && (v <= 14)) || (v == 17) || (v == 21) || (v == 29) || (v == 30)
	.else
	pushq $0                        /* no CPU error code: keep the frame uniform */
	.endif
	pushq $v
	jmp trap_common
	.set v, v + 1
	.endr

	.balign 16
trap_common:
	cmp $trap_ist_top - 7*8, %rsp   /* fresh on IST_TRAP? */
	jne trap_common_frame
	mov %rax, -8(%rsp)
	mov %rcx, -16(%rsp)
	mov 5*8(%rsp), %rax             /* the interrupted rsp */
	sub $128, %rax                  /* below its red zone */
	and $-16, %rax
	sub $7*8, %rax
	.irp off, 0, 8, 16, 24, 32, 40, 48
	mov \off(%rsp), %rcx
	mov %rcx, \off(%rax)
	.endr
	mov -16(%rsp), %rcx
	xchg %rax, %rsp
	mov -8(%rax), %rax
trap_common_frame:
	.cfi_startproc simple
	.cfi_signal_frame
	.cfi_def_cfa %rsp, 7*8
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	pushq 17*8(%rsp)                /* interrupted rip */
	push %rbp
	mov %rsp, %rbp
	/*
	 * For debuggers: the caller's frame is the interrupted context saved in
	 * the trap frame at rbp+16. CFA = *(rbp + 16 + 20*8), the interrupted rsp;
	 * rip at rbp + 16 + 17*8, rbp at rbp + 16 + 8*8.
	 */
	.cfi_escape 0x0f, 0x04, 0x76, 0xb0, 0x01, 0x06
	.cfi_escape 0x10, 0x10, 0x03, 0x76, 0x98, 0x01
	.cfi_escape 0x10, 0x06, 0x03, 0x76, 0xd0, 0x00
	cld
	call trap_dispatch
	add $16, %rsp
	.globl trap_pop_frame
trap_pop_frame:
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp
	iretq
	.cfi_endproc

/* trap_return_to(frame): resume execution from a saved trap frame. */
	.globl trap_return_to
trap_return_to:
	mov %rdi, %rsp
	jmp trap_pop_frame

	.section .bss
	.balign 16
trap_ist_stack:
	.skip IST_STACK_SIZE
	.globl trap_ist_top
trap_ist_top:

	.section .note.GNU-stack, "", @progbits
