/*
 * The TSC clock. Its rate comes from the hypervisor's timing CPUID leaf when
 * there is one (KVM, VMware-style 0x40000010; Xen's leaf base+3), otherwise
 * from counting the PIT's channel 0 down for 1 ms. Channel 0 is polled
 * through latch commands, which works on machines without port 0x61
 * (QEMU microvm).
 */
#include <stdint.h>
#include "arch.h"
#include "cpu.h"

#define PIT_HZ 1193182u
#define PIT_CALIBRATION_TICKS (PIT_HZ / 1000) /* 1 ms: +-1 tick is 0.08%, and boot stays fast */
#define TSC_FALLBACK_HZ 1000000000ull

static uint64_t tsc_rate_hz;
static uint64_t tsc_boot;
static uint64_t ns_per_tick_q32; /* nanoseconds per TSC tick, 32.32 fixed point */

static uint16_t pit_read_channel0(void)
{
	uint8_t lo, hi;

	outb(0x43, 0x00); /* latch channel 0 */
	lo = inb(0x40);
	hi = inb(0x40);
	return (uint16_t)(lo | (hi << 8));
}

/*
 * PIT calibration is split in two so that boot work runs while the PIT
 * counts: begin starts channel 0 (period 65536 ticks, 55 ms), end polls
 * until at least PIT_CALIBRATION_TICKS have passed. Whatever boot did in
 * between must take well under 55 ms, or the count wraps unseen: end
 * refuses the measurement then.
 */
static struct {
	uint64_t tsc_start;
	uint64_t elapsed;
	uint16_t last;
} pit;

static void pit_calibration_begin(void)
{
	outb(0x43, 0x34); /* channel 0, lo/hi, mode 2 */
	outb(0x40, 0);
	outb(0x40, 0);
	pit.last = pit_read_channel0();
	pit.tsc_start = rdtsc();
	pit.elapsed = 0;
}

static uint64_t pit_calibration_end(void)
{
	uint64_t spins = 0;

	do {
		uint16_t now = pit_read_channel0();
		pit.elapsed += (uint16_t)(pit.last - now);
		pit.last = now;
	} while (pit.elapsed < PIT_CALIBRATION_TICKS && ++spins < 50000000);
	if (pit.elapsed < PIT_CALIBRATION_TICKS || pit.elapsed > 30000)
		return 0; /* no PIT, or too long between reads to trust */
	return (rdtsc() - pit.tsc_start) * PIT_HZ / pit.elapsed;
}

/* Xen's time leaf (base+3, subleaf 0): ecx is the guest TSC rate in kHz. */
static uint64_t tsc_hz_from_xen(void)
{
	uint32_t r[4], base = hypervisor_cpuid_base("XenVMMXenVMM");

	if (!base)
		return 0;
	cpuid(base, 0, r);
	if (r[0] < base + 3)
		return 0;
	cpuid(base + 3, 0, r);
	return (uint64_t)r[2] * 1000;
}

static uint64_t tsc_hz_from_cpuid(void)
{
	uint32_t r[4];
	uint64_t xen_hz = tsc_hz_from_xen();

	if (xen_hz)
		return xen_hz;
	cpuid(0x40000000, 0, r);
	if (r[0] >= 0x40000010) {
		cpuid(0x40000010, 0, r);
		if (r[0])
			return (uint64_t)r[0] * 1000;
	}
	return 0;
}

void tsc_calibrate_begin(void)
{
	tsc_boot = rdtsc();
	tsc_rate_hz = tsc_hz_from_cpuid();
	if (!tsc_rate_hz)
		pit_calibration_begin();
}

void tsc_calibrate_end(void)
{
	if (!tsc_rate_hz)
		tsc_rate_hz = pit_calibration_end();
	if (!tsc_rate_hz) {
		pit_calibration_begin();
		tsc_rate_hz = pit_calibration_end();
	}
	if (!tsc_rate_hz)
		tsc_rate_hz = TSC_FALLBACK_HZ;
	ns_per_tick_q32 = (1000000000ull << 32) / tsc_rate_hz;
}

void tsc_set_hz(uint64_t hz)
{
	tsc_boot = rdtsc();
	tsc_rate_hz = hz;
	ns_per_tick_q32 = (1000000000ull << 32) / hz;
}

uint64_t tsc_hz(void)
{
	return tsc_rate_hz;
}

uint64_t tsc_boot_value(void)
{
	return tsc_boot;
}

uint64_t clock_ns(void)
{
	unsigned __int128 ticks = rdtsc() - tsc_boot;

	return (uint64_t)((ticks * ns_per_tick_q32) >> 32);
}

void clock_delay_us(uint64_t us)
{
	uint64_t end = clock_ns() + us * 1000;

	while (clock_ns() < end)
		cpu_relax();
}
