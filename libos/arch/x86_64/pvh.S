/*
 * PVH entry. The hypervisor (QEMU -kernel, Xen type="pvh") enters here in
 * 32-bit protected mode, paging off, %ebx = physical address of
 * hvm_start_info. We zero .bss, identity-map the first 4 GiB with 2 MiB
 * pages, switch to long mode and call boot_main(start_info). The final,
 * sealed page tables are built later in C.
 *
 * The 64-bit part runs on the boot stack, which it starts: it is the
 * outermost frame of every backtrace taken during boot (stack_entry.h).
 */
#include "cfi.h"
#include "stack_entry.h"
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#include "param.h"

	.section .note.Xen, "a", @note
	.balign 4
	.long 4                 /* name size */
	.long 8                 /* desc size: QEMU reads a pointer-sized field */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.quad pvh_start32
	.balign 4

	.section .text.boot, "ax", @progbits
	.code32
	.globl pvh_start32
pvh_start32:
	cld
	mov %ebx, %esi                  /* keep start_info across the bss clear */

	mov $_bss_start, %edi
	mov $_bss_end, %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl

	mov %esi, boot_start_info
	mov $boot_stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages. */
	mov $boot_pdpt, %eax
	or $0x3, %eax
	mov %eax, boot_pml4
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $12, %eax
	add $boot_pd, %eax
	or $0x3, %eax
	mov %eax, boot_pdpt(,%ecx,8)
	inc %ecx
	cmp $4, %ecx
	jb 1b
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax                  /* present, writable, 2 MiB */
	mov %eax, boot_pd(,%ecx,8)
	mov %ecx, %eax
	shr $11, %eax                   /* bits 32.. of the address */
	mov %eax, boot_pd+4(,%ecx,8)
	inc %ecx
	cmp $2048, %ecx
	jb 2b

	lgdt boot_gdt_desc
	mov %cr4, %eax
	or $0x20, %eax                  /* PAE */
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx           /* EFER: long mode + no-execute */
	rdmsr
	or $0x900, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80000001, %eax            /* paging + protection */
	mov %eax, %cr0
	ljmp $0x08, $long_mode_entry

	.code64
long_mode_entry:
	.cfi_startproc
	stack_entry_mark
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %ax, %ax
	mov %ax, %fs
	mov %ax, %gs
	mov $boot_stack_top, %rsp
	mov boot_start_info(%rip), %edi
	call boot_main
3:	cli
	hlt
	jmp 3b
	.cfi_endproc

	.section .rodata
	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff        /* 0x10: data */
boot_gdt_desc:
	.word boot_gdt_desc - boot_gdt - 1
	.long boot_gdt

	.section .bss
	.balign 4096
boot_pml4: .skip 4096
boot_pdpt: .skip 4096
boot_pd: .skip 4096 * 4
	.balign 16
boot_stack: .skip BOOT_STACK_SIZE
	.globl boot_stack_top
boot_stack_top:
	.balign 8
	.globl boot_start_info
boot_start_info: .quad 0

	.section .note.GNU-stack, "", @progbits
