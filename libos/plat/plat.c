/* Platform selection: QEMU/KVM (16550 UART) now; Xen PVH joins here. */
#include "plat.h"

void uart_init(void);

const struct plat_ops *plat = &plat_qemu_ops;

void plat_init(void)
{
	plat = &plat_qemu_ops;
	uart_init();
}
