/*
 * context_switch(from, to): save the callee-saved state of the running
 * thread into *from (struct uniscope_context) and resume *to. Runs with
 * interrupts disabled; the resumed thread's rflags come back with it.
 *
 * CFI (cfi.h): once a register is in *from, the caller's value is read
 * there (rdi keeps pointing at it), so an unwinder stopped at any
 * instruction, even after the switch to the next thread's registers and
 * stack, still finds the caller of the thread that is leaving.
 */
#include "cfi.h"

	.text
	.globl context_switch
	.type context_switch, @function
context_switch:
	.cfi_startproc
	pop %rax                        /* our return address becomes from->rip */
	.cfi_def_cfa_offset 0
	.cfi_register rip, rax
	mov %rsp, 0(%rdi)
	cfi_cfa_saved_at 5, 0
	mov %rax, 8(%rdi)
	cfi_reg_saved_at 16, 5, 8
	mov %rbp, 16(%rdi)
	cfi_reg_saved_at 6, 5, 16
	mov %rbx, 24(%rdi)
	cfi_reg_saved_at 3, 5, 24
	mov %r12, 32(%rdi)
	cfi_reg_saved_at 12, 5, 32
	mov %r13, 40(%rdi)
	cfi_reg_saved_at 13, 5, 40
	mov %r14, 48(%rdi)
	cfi_reg_saved_at 14, 5, 48
	mov %r15, 56(%rdi)
	cfi_reg_saved_at 15, 5, 56
	pushfq
	popq 64(%rdi)

	mov 16(%rsi), %rbp
	mov 24(%rsi), %rbx
	mov 32(%rsi), %r12
	mov 40(%rsi), %r13
	mov 48(%rsi), %r14
	mov 56(%rsi), %r15
	pushq 64(%rsi)
	popfq
	mov 0(%rsi), %rsp
	jmp *8(%rsi)
	.cfi_endproc
	.globl context_switch_end       /* the debugger steps through us: see libos/debug/resume_plan.c */
context_switch_end:
	.size context_switch, . - context_switch

	.section .note.GNU-stack, "", @progbits
