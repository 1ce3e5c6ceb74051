/*
 * The hypercall page: Xen writes one 32-byte stub per hypercall here (mov
 * $nr, %eax; vmcall or vmmcall; ret) when the guest hands it the page's
 * physical address through the MSR named by CPUID. It is in text so that
 * sealing leaves it executable and read-only; Xen fills it through
 * guest-physical memory, so the seal does not stand in its way. Until
 * then (and forever under QEMU) it holds int3s.
 */
__asm__(".section .text.xen_hypercall_page, \"ax\", @progbits\n"
	".balign 4096\n"
	".globl hypercall_page\n"
	"hypercall_page:\n"
	".fill 4096, 1, 0xcc\n"
	".previous\n");
