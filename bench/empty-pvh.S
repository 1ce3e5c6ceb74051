/*
 * The peer for the boot benchmark: a PVH kernel that exits at its entry
 * through isa-debug-exit. Everything our image does before main() is
 * measured against this.
 */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4, 8, 18
	.asciz "Xen"
	.balign 4
	.quad empty_start
	.balign 4

	.text
	.code32
	.globl empty_start
empty_start:
	mov $0, %eax
	mov $0xf4, %dx
	outl %eax, %dx
1:	hlt
	jmp 1b
