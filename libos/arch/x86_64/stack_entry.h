/*
 * Where a stack begins: the outermost frame, marked so that every unwinder
 * stops there instead of inventing a caller. Without the mark GDB (live, on
 * cores, over MI), LLDB, eu-stack, drgn and uniscope's own unwinder each
 * read whatever lies above the first frame as a return address and end
 * every backtrace in a junk "0x0000000000000000 in ?? ()" frame.
 *
 * The mark is the DWARF CFI rule "the return address is undefined"
 * (.cfi_undefined rip), which holds from the entry's first instruction,
 * plus rbp = 0 for frame-pointer walkers. A C entry point cannot carry it
 * (its prologue runs before any statement), so an entry is a naked
 * function whose body is STACK_ENTRY(start): it marks the frame and calls
 * start(), a normal C function that must never return. Any code that
 * starts a stack uses it: the thread trampoline (kern/thread.c), a future
 * clone() or syscall entry that begins a new thread, the boot stack
 * (pvh.S uses the assembler form, stack_entry_mark).
 *
 * At entry rsp must be 16-byte aligned: the call then leaves start() with
 * the alignment the ABI promises a function (rsp + 8 a multiple of 16).
 */
#ifndef LIBOS_ARCH_STACK_ENTRY_H
#define LIBOS_ARCH_STACK_ENTRY_H

#ifdef __ASSEMBLY__

.macro stack_entry_mark
	.cfi_undefined rip
	.cfi_undefined rsp
	.cfi_undefined rbp
	.cfi_undefined rbx
	.cfi_undefined r12
	.cfi_undefined r13
	.cfi_undefined r14
	.cfi_undefined r15
	xor %ebp, %ebp
.endm

#else

#define STACK_ENTRY_STRINGIFY(x) #x
/* The whole body of a naked entry function; start is a function name. */
#define STACK_ENTRY(start)                                  \
	__asm__(".cfi_undefined rip\n\t"                    \
		".cfi_undefined rsp\n\t"                    \
		".cfi_undefined rbp\n\t"                    \
		".cfi_undefined rbx\n\t"                    \
		".cfi_undefined r12\n\t"                    \
		".cfi_undefined r13\n\t"                    \
		".cfi_undefined r14\n\t"                    \
		".cfi_undefined r15\n\t"                    \
		"xor %ebp, %ebp\n\t"                        \
		"call " STACK_ENTRY_STRINGIFY(start) "\n\t" \
		"ud2")

#endif
#endif
