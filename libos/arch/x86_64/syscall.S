/*
 * The Linux x86-64 system-call ABI, in ring 0.
 *
 * `syscall` lands in syscall_entry (MSR_LSTAR) with the caller's rip in rcx
 * and rflags in r11, on the caller's stack (there is no privilege change,
 * so no stack switch), and with IF, TF, DF and AC cleared by MSR_FMASK. The
 * caller may keep data in the 128-byte red zone below its rsp, so the entry
 * starts below it. It saves every register as a struct uniscope_trap_frame
 * (vector SYSCALL_VECTOR, so debuggers and unwinders treat both alike) and
 * calls syscall_dispatch(frame), which leaves the result in frame->rax.
 * There is no sysret back to ring 0: the way out is trap_pop_frame's iretq,
 * which restores the caller's rsp, rip and rflags in one step.
 *
 * The frame record (rip, rbp) pushed above the frame and the CFI below are
 * trap_common's: frame-pointer and DWARF unwinders walk from the libOS's
 * frames into the application's through the saved registers.
 */
#define SYSCALL_VECTOR 256

	.text
	.balign 16
	.globl syscall_entry
	.type syscall_entry, @function
syscall_entry:
	sub $128, %rsp                  /* the caller's red zone */
	push %rax                       /* at caller rsp - 136, read back below */
	lea 136(%rsp), %rax             /* the caller's rsp */
	and $-16, %rsp
	pushq $0x10                     /* ss */
	push %rax                       /* rsp */
	mov -136(%rax), %rax            /* the syscall number again */
	push %r11                       /* rflags */
	pushq $0x08                     /* cs */
	push %rcx                       /* rip */
	pushq $0                        /* error code */
	pushq $SYSCALL_VECTOR
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
	pushq 17*8(%rsp)                /* the caller's rip */
	push %rbp
	mov %rsp, %rbp
	.cfi_escape 0x0f, 0x04, 0x76, 0xb0, 0x01, 0x06
	.cfi_escape 0x10, 0x10, 0x03, 0x76, 0x98, 0x01
	.cfi_escape 0x10, 0x06, 0x03, 0x76, 0xd0, 0x00
	call syscall_dispatch
	add $16, %rsp
	cli                             /* iretq turns interrupts back on with the caller's rflags */
	jmp trap_pop_frame
	.cfi_endproc
	.size syscall_entry, . - syscall_entry

/*
 * A thread made by clone() starts here, switched to by the scheduler with
 * rsp at a copy of its parent's syscall frame (rax = 0, rsp = the new
 * stack): the first-run bookkeeping, then "return" from the syscall.
 */
	.globl clone_child_start
	.type clone_child_start, @function
clone_child_start:
	.cfi_startproc
	.cfi_undefined rip
	call thread_first_run
	jmp trap_pop_frame
	.cfi_endproc
	.size clone_child_start, . - clone_child_start

/*
 * process_enter(entry, stack): the main thread leaves the libOS for the C
 * library's _start, with rsp at argc (the Linux process entry state): rdx
 * 0 (no function for atexit), rbp 0 (the end of frame-pointer chains).
 */
	.globl process_enter
	.type process_enter, @function
process_enter:
	.cfi_startproc
	.cfi_undefined rip
	mov %rsi, %rsp
	xor %edx, %edx
	xor %ebp, %ebp
	jmp *%rdi
	.cfi_endproc
	.size process_enter, . - process_enter

	.section .note.GNU-stack, "", @progbits
