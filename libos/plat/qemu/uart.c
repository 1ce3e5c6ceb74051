/*
 * The 16550 UART at COM1: polled transmit, receive polled or by interrupt
 * (IRQ 4 through the I/O APIC).
 */
#include <stdint.h>
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "plat/plat.h"

#define COM1 0x3f8
#define UART_DATA 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
#define UART_TX_SPIN_LIMIT 1000000

static plat_rx_fn uart_on_byte;

void uart_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80); /* divisor latch: 115200 baud */
	outb(COM1 + 0, 0x01);
	outb(COM1 + 1, 0x00);
	outb(COM1 + UART_LCR, 0x03); /* 8n1 */
	outb(COM1 + UART_FCR, 0x07); /* enable and clear FIFOs */
	outb(COM1 + UART_MCR, 0x0b); /* DTR, RTS, OUT2 (interrupts to the APIC) */
}

static void uart_write(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		for (int spin = 0; spin < UART_TX_SPIN_LIMIT; spin++)
			if (inb(COM1 + UART_LSR) & LSR_THR_EMPTY)
				break;
		outb(COM1 + UART_DATA, p[i]);
	}
}

static int uart_read(void)
{
	if (!(inb(COM1 + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(COM1 + UART_DATA);
}

static void uart_irq(trap_frame_t *frame)
{
	int c, budget = 64;

	(void)frame;
	while (budget-- > 0 && (c = uart_read()) >= 0)
		if (uart_on_byte)
			uart_on_byte((uint8_t)c);
}

static void uart_rx_irq(plat_rx_fn on_byte)
{
	uart_on_byte = on_byte;
	irq_route(4, uart_irq);
	outb(COM1 + UART_IER, 0x01); /* receive data available */
}

/* isa-debug-exit at 0xf4: QEMU exits with (status << 1) | 1. */
__attribute__((noreturn)) static void qemu_exit(int status)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) no_idt = { 0, 0 };

	outl(0xf4, (uint32_t)status);
	/* No exit device: a triple fault ends QEMU when run with -no-reboot. */
	__asm__ volatile("lidt %0; int3" :: "m"(no_idt));
	for (;;)
		__asm__ volatile("cli; hlt");
}

const struct plat_ops plat_qemu_ops = {
	.name = "qemu",
	.console_write = uart_write,
	.console_read = uart_read,
	.console_rx_irq = uart_rx_irq,
	.exit = qemu_exit,
	.wall_clock_ns = rtc_wall_clock_ns,
};
