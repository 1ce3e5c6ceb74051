/*
 * context_switch(from, to): save the callee-saved state of the running
 * thread into *from (struct uniscope_context) and resume *to. Runs with
 * interrupts disabled; the resumed thread's rflags come back with it.
 */
	.text
	.globl context_switch
	.type context_switch, @function
context_switch:
	pop %rax                        /* our return address becomes from->rip */
	mov %rsp, 0(%rdi)
	mov %rax, 8(%rdi)
	mov %rbp, 16(%rdi)
	mov %rbx, 24(%rdi)
	mov %r12, 32(%rdi)
	mov %r13, 40(%rdi)
	mov %r14, 48(%rdi)
	mov %r15, 56(%rdi)
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
	.globl context_switch_end       /* the debugger steps through us: see libos/debug/resume_plan.c */
context_switch_end:
	.size context_switch, . - context_switch

	.section .note.GNU-stack, "", @progbits
