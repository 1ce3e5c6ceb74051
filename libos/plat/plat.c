/*
 * Platform selection at boot: Xen PVH when CPUID says Xen and its console
 * ring is there, the 16550 UART (QEMU/KVM, other PVH monitors) otherwise.
 */
#include "plat.h"

const struct plat_ops *plat = &plat_qemu_ops;

void plat_init(void)
{
	if (xen_init() == 0) {
		plat = &plat_xen_ops;
		return;
	}
	plat = &plat_qemu_ops;
	uart_init();
}
