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
 * frames into the application's through the saved registers. The CFI
 * (cfi.h) holds at every instruction, from the first: the caller's rsp is
 * the CFA, its rip in rcx until the frame has it. The caller called: its
 * rip is a return address (not a signal frame).
 */
#include "cfi.h"

#define SYSCALL_VECTOR 256

	.text
	.balign 16
	.globl syscall_entry
	.type syscall_entry, @function
syscall_entry:
	.cfi_startproc simple
	.cfi_def_cfa %rsp, 0
	.cfi_register rip, rcx
	sub $128, %rsp                  /* the caller's red zone */
	.cfi_def_cfa_offset 128
	push %rax                       /* at caller rsp - 136, read back below */
	.cfi_def_cfa_offset 136
	.cfi_offset rax, -136
	lea 136(%rsp), %rax             /* the caller's rsp */
	.cfi_def_cfa rax, 0
	and $-16, %rsp
	pushq $0x10                     /* ss */
	push %rax                       /* rsp */
	cfi_cfa_saved_at 7, 0
	mov -136(%rax), %rax            /* the syscall number again */
	.cfi_same_value rax
	push %r11                       /* rflags */
	cfi_cfa_saved_at 7, 8
	pushq $0x08                     /* cs */
	cfi_cfa_saved_at 7, 16
	push %rcx                       /* rip */
	trap_cfi -16, 0
	pushq $0                        /* error code */
	trap_cfi -8, 0
	pushq $SYSCALL_VECTOR
	trap_cfi 0, 0
	trap_push_all
	mov %rsp, %rdi
	pushq 17*8(%rsp)                /* the caller's rip */
	trap_cfi 128, 15
	push %rbp
	trap_cfi 136, 15
	mov %rsp, %rbp
	call syscall_dispatch
	add $16, %rsp
	trap_cfi 120, 15
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
	.cfi_startproc simple
	.cfi_signal_frame
	trap_cfi 120, 15                /* its caller: the application, where clone returns */
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
