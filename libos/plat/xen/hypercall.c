/*
 * The hypercall page: Xen writes one 32-byte stub per hypercall here (mov
 * $nr, %eax; vmcall or vmmcall; ret) when the guest hands it the page's
 * physical address through the MSR named by CPUID. It is in the text
 * segment so that sealing leaves it executable and read-only; Xen fills it
 * through guest-physical memory, so the seal does not stand in its way.
 *
 * It takes no room in the image file: a NOBITS section that the linker
 * script puts at the end of the text segment, page-aligned there, so the
 * loader (QEMU's or Xen's) zero-fills it like .bss. A page of int3s in the
 * file cost 4 KiB, and its 4 KiB alignment made the whole text segment
 * page-aligned in the file: another ~4 KiB of padding. Until Xen fills it
 * (and forever under QEMU) it holds zeros, and nothing calls it.
 */
__asm__(".section .xen_hypercall_page, \"ax\", @nobits\n"
	".globl hypercall_page\n"
	"hypercall_page:\n"
	".skip 4096\n"
	".previous\n");
