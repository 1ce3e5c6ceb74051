/*
 * Interrupt controllers. The legacy 8259 PICs are remapped and masked; ISA
 * interrupts (the UART) and devices' pins (virtio-mmio on microvm, which
 * may have a second I/O APIC for GSIs 24-47) go through the I/O APICs,
 * edge-triggered; PCI devices use MSI-X, straight to the local APIC; the
 * local APIC timer drives the scheduler clock, calibrated against the TSC.
 */
#include <stdint.h>
#include "arch.h"
#include "cpu.h"

#define LAPIC_BASE 0xfee00000ul
#define IOAPIC_BASE 0xfec00000ul
#define IOAPIC2_BASE 0xfec10000ul /* QEMU's microvm, ioapic2: GSIs 24-47 */
#define IOAPIC_PINS 24
#define IOAPIC_VERSION 0x01
#define LAPIC_ID 0x20
#define LAPIC_EOI 0xb0
#define LAPIC_SPURIOUS 0xf0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3e0
#define LAPIC_TIMER_PERIODIC (1u << 17)
#define LAPIC_MASKED (1u << 16)
#define IOAPIC_REDIRECTION(pin) (0x10 + 2 * (pin))

static volatile uint32_t *lapic_reg(uint32_t offset)
{
	return (volatile uint32_t *)(LAPIC_BASE + offset);
}

static void ioapic_write_at(uint64_t base, uint32_t reg, uint32_t value)
{
	*(volatile uint32_t *)base = reg;
	*(volatile uint32_t *)(base + 0x10) = value;
}

static uint32_t ioapic_read_at(uint64_t base, uint32_t reg)
{
	*(volatile uint32_t *)base = reg;
	return *(volatile uint32_t *)(base + 0x10);
}


static void pic_disable(void)
{
	static const uint8_t init[][2] = {
		{ 0x20, 0x11 }, { 0xa0, 0x11 }, /* ICW1: init, ICW4 needed */
		{ 0x21, 0x20 }, { 0xa1, 0x28 }, /* ICW2: vector bases */
		{ 0x21, 0x04 }, { 0xa1, 0x02 }, /* ICW3: cascade */
		{ 0x21, 0x01 }, { 0xa1, 0x01 }, /* ICW4: 8086 mode */
		{ 0x21, 0xff }, { 0xa1, 0xff }, /* mask everything */
	};
	for (unsigned i = 0; i < sizeof(init) / sizeof(init[0]); i++)
		outb(init[i][0], init[i][1]);
}

void lapic_init(void)
{
	pic_disable();
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));
	*lapic_reg(LAPIC_SPURIOUS) = 0x100 | VECTOR_SPURIOUS;
	*lapic_reg(LAPIC_LVT_TIMER) = LAPIC_MASKED;
}

uint32_t lapic_id(void)
{
	return *lapic_reg(LAPIC_ID) >> 24;
}

void lapic_eoi(void)
{
	*lapic_reg(LAPIC_EOI) = 0;
}

/*
 * The LAPIC timer's rate is measured against the TSC over the same stretch
 * of boot as the TSC calibration: begin starts it counting down from the
 * top, lapic_timer_start reads how far it got.
 */
static uint64_t lapic_calibration_tsc;

void lapic_calibrate_begin(void)
{
	*lapic_reg(LAPIC_TIMER_DIVIDE) = 0x3;
	*lapic_reg(LAPIC_LVT_TIMER) = LAPIC_MASKED;
	*lapic_reg(LAPIC_TIMER_INITIAL) = 0xffffffffu;
	lapic_calibration_tsc = rdtsc();
}

static uint32_t lapic_ticks_per_ms(void)
{
	uint64_t min_wait = tsc_hz() / 4000, elapsed;
	uint32_t ticks;

	while ((elapsed = rdtsc() - lapic_calibration_tsc) < min_wait)
		cpu_relax();
	ticks = 0xffffffffu - *lapic_reg(LAPIC_TIMER_CURRENT);
	elapsed = rdtsc() - lapic_calibration_tsc;
	return (uint32_t)((uint64_t)ticks * (tsc_hz() / 1000) / elapsed);
}

void lapic_timer_start(uint32_t hz)
{
	uint32_t per_ms = lapic_ticks_per_ms();
	uint32_t count = (uint32_t)((uint64_t)per_ms * 1000 / hz);

	*lapic_reg(LAPIC_TIMER_DIVIDE) = 0x3;
	*lapic_reg(LAPIC_LVT_TIMER) = VECTOR_LAPIC_TIMER | LAPIC_TIMER_PERIODIC;
	*lapic_reg(LAPIC_TIMER_INITIAL) = count ? count : 1;
}

void irq_route(int isa_irq, irq_handler_fn handler)
{
	int pin = isa_irq == 0 ? 2 : isa_irq; /* the usual ISA override */

	irq_set_handler(isa_irq, handler);
	ioapic_route_gsi((uint32_t)pin, VECTOR_IRQ_BASE + isa_irq);
}

/*
 * The second I/O APIC answers its version register with its pin count
 * (bits 16-23: pins - 1); where nothing is, reads give all zeroes or all
 * ones. Its page must be mapped (paging_add_mmio) before this is asked.
 */
int ioapic_second_present(void)
{
	uint32_t v = ioapic_read_at(IOAPIC2_BASE, IOAPIC_VERSION);

	return v != 0 && v != 0xffffffffu && ((v >> 16) & 0xff) == IOAPIC_PINS - 1;
}

void ioapic_route_gsi(uint32_t gsi, int vector)
{
	uint64_t base = gsi < IOAPIC_PINS ? IOAPIC_BASE : IOAPIC2_BASE;
	uint32_t pin = gsi % IOAPIC_PINS;

	if (gsi >= 2 * IOAPIC_PINS)
		return;
	ioapic_write_at(base, IOAPIC_REDIRECTION(pin) + 1, lapic_id() << 24);
	ioapic_write_at(base, IOAPIC_REDIRECTION(pin), (uint32_t)vector);
}
