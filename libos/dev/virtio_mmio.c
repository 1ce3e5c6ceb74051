/*
 * virtio over MMIO (virtio 1.x, 4.2), as QEMU's microvm offers it: a row
 * of 512-byte transports from 0xfeb00000, each wired to one I/O APIC pin.
 *
 * How the guest learns them: with ACPI off, microvm appends
 * "virtio_mmio.device=512@0xfeb00e00:12" words to the kernel command line
 * for each transport that has a device (auto-kernel-cmdline); with ACPI on
 * (the default) it says so only in the DSDT, which the libOS does not
 * interpret. So the command line is read first, and without such words the
 * known window is probed: 24 transports with GSIs from 24 when the second
 * I/O APIC is there (ioapic2, the default with ACPI), else 8 from 16 (ACPI)
 * or from 5 (no ACPI) — microvm's own rule. A transport whose magic or
 * device id is missing is empty. A PCI host bridge means this is not a
 * microvm: the window is not probed.
 *
 * Both versions of the register layout work: version 2 (modern) and
 * version 1 (legacy, QEMU's default unless
 * -global virtio-mmio.force-legacy=false), which places a queue by page
 * frame number and knows no VERSION_1 feature.
 */
#include <string.h>
#include <stdlib.h>
#include <stdio.h>
#include "kern/kern.h"
#include "arch/x86_64/paging.h"
#include "virtio.h"
#include "pci.h"

#define MICROVM_MMIO_BASE 0xfeb00000ull
#define MICROVM_MMIO_STRIDE 512
#define MICROVM_MMIO_MAX 24
#define IOAPIC2_PAGE 0xfec10000ull

#define MAGIC_VALUE 0x74726976u /* "virt" */
#define REG_MAGIC 0x000
#define REG_VERSION 0x004
#define REG_DEVICE_ID 0x008
#define REG_DEVICE_FEATURES 0x010
#define REG_DEVICE_FEATURES_SEL 0x014
#define REG_DRIVER_FEATURES 0x020
#define REG_DRIVER_FEATURES_SEL 0x024
#define REG_GUEST_PAGE_SIZE 0x028 /* legacy */
#define REG_QUEUE_SEL 0x030
#define REG_QUEUE_NUM_MAX 0x034
#define REG_QUEUE_NUM 0x038
#define REG_QUEUE_ALIGN 0x03c /* legacy */
#define REG_QUEUE_PFN 0x040   /* legacy */
#define REG_QUEUE_READY 0x044
#define REG_QUEUE_NOTIFY 0x050
#define REG_INTERRUPT_STATUS 0x060
#define REG_INTERRUPT_ACK 0x064
#define REG_STATUS 0x070
#define REG_QUEUE_DESC 0x080
#define REG_QUEUE_DRIVER 0x090
#define REG_QUEUE_DEVICE 0x0a0
#define REG_CONFIG 0x100

static uint32_t reg_read(struct virtio_dev *d, uint32_t reg)
{
	return *(volatile uint32_t *)(d->base + reg);
}

static void reg_write(struct virtio_dev *d, uint32_t reg, uint32_t value)
{
	*(volatile uint32_t *)(d->base + reg) = value;
}

static uint64_t mmio_features(struct virtio_dev *d)
{
	uint64_t f;

	reg_write(d, REG_DEVICE_FEATURES_SEL, 0);
	f = reg_read(d, REG_DEVICE_FEATURES);
	if (d->legacy)
		return f;
	reg_write(d, REG_DEVICE_FEATURES_SEL, 1);
	return f | (uint64_t)reg_read(d, REG_DEVICE_FEATURES) << 32;
}

static void mmio_set_features(struct virtio_dev *d, uint64_t features)
{
	reg_write(d, REG_DRIVER_FEATURES_SEL, 0);
	reg_write(d, REG_DRIVER_FEATURES, (uint32_t)features);
	if (d->legacy)
		return;
	reg_write(d, REG_DRIVER_FEATURES_SEL, 1);
	reg_write(d, REG_DRIVER_FEATURES, (uint32_t)(features >> 32));
}

static uint8_t mmio_status(struct virtio_dev *d)
{
	return (uint8_t)reg_read(d, REG_STATUS);
}

static void mmio_set_status(struct virtio_dev *d, uint8_t status)
{
	reg_write(d, REG_STATUS, status);
}

static uint16_t mmio_queue_max(struct virtio_dev *d, uint16_t index)
{
	uint32_t max;

	reg_write(d, REG_QUEUE_SEL, index);
	if (d->legacy ? reg_read(d, REG_QUEUE_PFN) : reg_read(d, REG_QUEUE_READY))
		return 0; /* already in use */
	max = reg_read(d, REG_QUEUE_NUM_MAX);
	return max > 0xffff ? 0xffff : (uint16_t)max;
}

static void write64(struct virtio_dev *d, uint32_t reg, uint64_t value)
{
	reg_write(d, reg, (uint32_t)value);
	reg_write(d, reg + 4, (uint32_t)(value >> 32));
}

static int mmio_queue_enable(struct virtio_dev *d, uint16_t index, struct virtq *q, void *mem)
{
	reg_write(d, REG_QUEUE_SEL, index);
	reg_write(d, REG_QUEUE_NUM, q->size);
	if (d->legacy) {
		reg_write(d, REG_GUEST_PAGE_SIZE, PAGE_SIZE);
		reg_write(d, REG_QUEUE_ALIGN, VIRTQ_ALIGN);
		reg_write(d, REG_QUEUE_PFN, (uint32_t)((uint64_t)mem / PAGE_SIZE));
		return 0;
	}
	write64(d, REG_QUEUE_DESC, (uint64_t)q->desc);
	write64(d, REG_QUEUE_DRIVER, (uint64_t)q->avail);
	write64(d, REG_QUEUE_DEVICE, (uint64_t)q->used);
	reg_write(d, REG_QUEUE_READY, 1);
	return 0;
}

static void mmio_notify(struct virtio_dev *d, uint16_t index)
{
	reg_write(d, REG_QUEUE_NOTIFY, index);
}

static uint8_t mmio_config_read8(struct virtio_dev *d, uint32_t offset)
{
	return *(volatile uint8_t *)(d->base + REG_CONFIG + offset);
}

/*
 * The interrupt, acknowledged before the driver looks at its queues: news
 * that arrives while it does raises the line again. The pin is
 * edge-triggered, so the status is read again until it reads 0: a bit set
 * between the read and the acknowledgement would keep the line up, and no
 * edge would ever come again.
 */
#define IRQ_STATUS_ROUNDS 8

static void mmio_irq(trap_frame_t *frame)
{
	struct virtio_dev *d = virtio_device_by_vector(frame->vector);
	uint32_t why, all = 0;

	for (int i = 0; d && i < IRQ_STATUS_ROUNDS && (why = reg_read(d, REG_INTERRUPT_STATUS)); i++) {
		reg_write(d, REG_INTERRUPT_ACK, why);
		all |= why;
	}
	if (all && d->interrupt)
		d->interrupt(d, all & (VIRTIO_INT_QUEUE | VIRTIO_INT_CONFIG));
}

static int mmio_irq_enable(struct virtio_dev *d)
{
	int vector = irq_alloc_vector(mmio_irq);

	if (vector < 0)
		return -1;
	d->vector = vector;
	ioapic_route_gsi(d->irq, vector);
	return 0;
}

static const struct virtio_transport mmio_transport = {
	.name = "virtio-mmio",
	.features = mmio_features,
	.set_features = mmio_set_features,
	.status = mmio_status,
	.set_status = mmio_set_status,
	.queue_max = mmio_queue_max,
	.queue_enable = mmio_queue_enable,
	.notify = mmio_notify,
	.config_read8 = mmio_config_read8,
	.irq_enable = mmio_irq_enable,
};

/* A transport at base with its GSI: kept when it holds a device. */
static void mmio_found(uint64_t base, uint32_t gsi)
{
	volatile uint32_t *r = (volatile uint32_t *)base;
	uint32_t version = r[REG_VERSION / 4], id = r[REG_DEVICE_ID / 4];
	struct virtio_dev *d;

	if (r[REG_MAGIC / 4] != MAGIC_VALUE || (version != 1 && version != 2) || !id || gsi >= 48)
		return;
	if (!(d = virtio_device_add()))
		return;
	*d = (struct virtio_dev){ .transport = &mmio_transport, .device_id = id, .legacy = version == 1,
				  .base = base, .irq = gsi };
	snprintf(d->where, sizeof(d->where), "mmio@%#llx gsi %u", (unsigned long long)base, gsi);
}

/* "virtio_mmio.device=SIZE@ADDR:IRQ" words; how many there were. */
static unsigned mmio_from_cmdline(void)
{
	const char *p = cmdline_string();
	unsigned found = 0;

	while ((p = strstr(p, "virtio_mmio.device="))) {
		char *end;
		uint64_t size = strtoul(p + 19, &end, 0), addr = 0, irq = 0;
		if (*end == '@')
			addr = strtoul(end + 1, &end, 0);
		if (*end == ':')
			irq = strtoul(end + 1, &end, 0);
		p = end;
		if (size < REG_CONFIG || size > PAGE_SIZE || addr < 0x100000000ull - (64ull << 20) ||
		    addr >= 0x100000000ull || addr % 512)
			continue; /* not where microvm puts them: not to be trusted */
		found++;
		if (irq >= 24)
			paging_add_mmio(IOAPIC2_PAGE, IOAPIC2_PAGE + PAGE_SIZE); /* at most once: same window */
		if (paging_add_mmio(addr, addr + size) == 0)
			mmio_found(addr, (uint32_t)irq);
	}
	return found;
}

static void mmio_probe_window(void)
{
	uint32_t gsi_base = 5, count = 8;

	if (paging_add_mmio(IOAPIC2_PAGE, IOAPIC2_PAGE + PAGE_SIZE) == 0 && ioapic_second_present())
		gsi_base = 24, count = MICROVM_MMIO_MAX;
	else if (boot_acpi_rsdp())
		gsi_base = 16;
	if (paging_add_mmio(MICROVM_MMIO_BASE, MICROVM_MMIO_BASE + MICROVM_MMIO_MAX * MICROVM_MMIO_STRIDE) < 0)
		return;
	for (uint32_t i = 0; i < count; i++)
		mmio_found(MICROVM_MMIO_BASE + i * MICROVM_MMIO_STRIDE, gsi_base + i);
}

void virtio_mmio_probe(void)
{
	if (mmio_from_cmdline() || pci_host_present())
		return;
	mmio_probe_window();
}
