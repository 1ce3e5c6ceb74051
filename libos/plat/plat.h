/*
 * The platform interface: the one byte stream to the host (16550 UART under
 * QEMU/KVM, the PV console ring under Xen) and how to leave. The platform is
 * chosen at boot (plat_init), so one image runs everywhere.
 */
#ifndef LIBOS_PLAT_H
#define LIBOS_PLAT_H

#include <stddef.h>
#include <stdint.h>

/* Exit status the libOS reports for a panic or fault. */
#define EXIT_STATUS_PANIC 125

typedef void (*plat_rx_fn)(uint8_t byte);

struct plat_ops {
	const char *name;
	void (*console_write)(const void *buf, size_t len); /* polled, complete on return */
	int (*console_read)(void);                          /* polled: a byte, or -1 */
	void (*console_rx_irq)(plat_rx_fn on_byte);         /* interrupt-driven receive */
	void (*exit)(int status) __attribute__((noreturn));
	uint64_t (*wall_clock_ns)(void);                   /* the host's time of day, or 0 */
};

extern const struct plat_ops *plat;

void plat_init(void);
extern const struct plat_ops plat_qemu_ops;
extern const struct plat_ops plat_xen_ops;
/* Each platform's probe and set-up: qemu/uart.c, xen/xen.c (0: running on Xen). */
void uart_init(void);
uint64_t rtc_wall_clock_ns(void); /* qemu/rtc.c */
int xen_init(void);

#endif
