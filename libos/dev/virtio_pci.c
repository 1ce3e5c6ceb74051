/*
 * Modern virtio over PCI (virtio 1.x, 4.1), as on QEMU's q35: a device is
 * vendor 0x1af4 with device id 0x1040 + its virtio id (modern) or
 * 0x1000-0x103f with the virtio id as subsystem id (transitional; only its
 * modern interface is used). Its vendor-specific capabilities say where,
 * in which BAR, the common configuration, the doorbells (notify), the ISR
 * byte and the device's own configuration live; the firmware assigned the
 * BARs. Each region is claimed as an MMIO window at boot (the page tables
 * are sealed afterwards), as is the MSI-X table.
 *
 * Interrupts are MSI-X: one vector for the configuration change and both
 * queues, written straight to the local APIC; the driver then looks at
 * everything. A device without MSI-X is not used.
 *
 * The device's word is checked where it decides what the libOS touches: a
 * region shorter than the fields read from it is not used, and a queue
 * whose doorbell would lie outside the notify region is refused.
 */
#include <stdio.h>
#include "kern/kern.h"
#include "arch/x86_64/paging.h"
#include "virtio.h"
#include "pci.h"

#define VIRTIO_PCI_VENDOR 0x1af4
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4
#define MSIX_ENABLE 0x8000
#define MSIX_FUNCTION_MASK 0x4000
#define NO_VECTOR 0xffff
#define COMMON_CFG_LEN 0x38 /* the fields below, up to queue_device's end */
#define NET_CFG_MIN 8       /* what the driver reads: the MAC and the status */

/* The common configuration structure's fields. */
#define COMMON_DFSELECT 0x00
#define COMMON_DF 0x04
#define COMMON_GFSELECT 0x08
#define COMMON_GF 0x0c
#define COMMON_MSIX 0x10
#define COMMON_STATUS 0x14
#define COMMON_Q_SELECT 0x16
#define COMMON_Q_SIZE 0x18
#define COMMON_Q_MSIX 0x1a
#define COMMON_Q_ENABLE 0x1c
#define COMMON_Q_NOFF 0x1e
#define COMMON_Q_DESC 0x20
#define COMMON_Q_DRIVER 0x28
#define COMMON_Q_DEVICE 0x30

#define R32(addr) (*(volatile uint32_t *)(addr))
#define R16(addr) (*(volatile uint16_t *)(addr))
#define R8(addr) (*(volatile uint8_t *)(addr))

static uint64_t pci_features(struct virtio_dev *d)
{
	uint64_t f;

	R32(d->base + COMMON_DFSELECT) = 0;
	f = R32(d->base + COMMON_DF);
	R32(d->base + COMMON_DFSELECT) = 1;
	return f | (uint64_t)R32(d->base + COMMON_DF) << 32;
}

static void pci_set_features(struct virtio_dev *d, uint64_t features)
{
	R32(d->base + COMMON_GFSELECT) = 0;
	R32(d->base + COMMON_GF) = (uint32_t)features;
	R32(d->base + COMMON_GFSELECT) = 1;
	R32(d->base + COMMON_GF) = (uint32_t)(features >> 32);
}

static uint8_t pci_status(struct virtio_dev *d)
{
	return R8(d->base + COMMON_STATUS);
}

static void pci_set_status(struct virtio_dev *d, uint8_t status)
{
	R8(d->base + COMMON_STATUS) = status;
}

static uint16_t pci_queue_max(struct virtio_dev *d, uint16_t index)
{
	if (index >= sizeof(d->notify_off) / sizeof(d->notify_off[0]))
		return 0;
	R16(d->base + COMMON_Q_SELECT) = index;
	return R16(d->base + COMMON_Q_ENABLE) ? 0 : R16(d->base + COMMON_Q_SIZE);
}

static int pci_queue_enable(struct virtio_dev *d, uint16_t index, struct virtq *q, void *mem)
{
	(void)mem;
	R16(d->base + COMMON_Q_SELECT) = index;
	R16(d->base + COMMON_Q_SIZE) = q->size;
	R16(d->base + COMMON_Q_MSIX) = 0;
	if (R16(d->base + COMMON_Q_MSIX) == NO_VECTOR)
		return -1;
	R32(d->base + COMMON_Q_DESC) = (uint32_t)(uint64_t)q->desc;
	R32(d->base + COMMON_Q_DESC + 4) = (uint32_t)((uint64_t)q->desc >> 32);
	R32(d->base + COMMON_Q_DRIVER) = (uint32_t)(uint64_t)q->avail;
	R32(d->base + COMMON_Q_DRIVER + 4) = (uint32_t)((uint64_t)q->avail >> 32);
	R32(d->base + COMMON_Q_DEVICE) = (uint32_t)(uint64_t)q->used;
	R32(d->base + COMMON_Q_DEVICE + 4) = (uint32_t)((uint64_t)q->used >> 32);
	d->notify_off[index] = R16(d->base + COMMON_Q_NOFF);
	if ((uint64_t)d->notify_off[index] * d->notify_multiplier + 2 > d->notify_len)
		return -1; /* a doorbell outside the region it claimed: never written */
	R16(d->base + COMMON_Q_ENABLE) = 1;
	return 0;
}

static void pci_notify(struct virtio_dev *d, uint16_t index)
{
	if (index < sizeof(d->notify_off) / sizeof(d->notify_off[0]))
		R16(d->notify_base + (uint64_t)d->notify_off[index] * d->notify_multiplier) = index;
}

static uint8_t pci_config_read8(struct virtio_dev *d, uint32_t offset)
{
	return R8(d->device_cfg + offset);
}

static void pci_irq(trap_frame_t *frame)
{
	struct virtio_dev *d = virtio_device_by_vector(frame->vector);

	if (d && d->interrupt)
		d->interrupt(d, VIRTIO_INT_QUEUE | VIRTIO_INT_CONFIG); /* one vector says both */
}

/* MSI-X entry 0 to this CPU's local APIC, for the configuration and every queue. */
static int pci_irq_enable(struct virtio_dev *d)
{
	int vector = irq_alloc_vector(pci_irq);

	if (vector < 0)
		return -1;
	d->vector = vector;
	R32(d->msix_table + 0) = 0xfee00000u | lapic_id() << 12;
	R32(d->msix_table + 4) = 0;
	R32(d->msix_table + 8) = (uint32_t)vector;
	R32(d->msix_table + 12) = 0; /* unmasked */
	R16(d->base + COMMON_MSIX) = 0;
	return R16(d->base + COMMON_MSIX) == NO_VECTOR ? -1 : 0;
}

static const struct virtio_transport pci_transport = {
	.name = "virtio-pci",
	.features = pci_features,
	.set_features = pci_set_features,
	.status = pci_status,
	.set_status = pci_set_status,
	.queue_max = pci_queue_max,
	.queue_enable = pci_queue_enable,
	.notify = pci_notify,
	.config_read8 = pci_config_read8,
	.irq_enable = pci_irq_enable,
};

/* A capability's region: its BAR's address plus its offset, claimed as an MMIO window. */
static uint64_t claim_region(struct pci_addr a, uint8_t bar, uint32_t offset, uint32_t length)
{
	uint64_t base = pci_bar_address(a, bar);

	if (!base || !length || paging_add_mmio(base + offset, base + offset + length) < 0)
		return 0;
	return base + offset;
}

static void read_virtio_caps(struct pci_addr a, struct virtio_dev *d)
{
	for (uint8_t cap = pci_find_capability(a, PCI_CAP_ID_VENDOR, 0); cap;
	     cap = pci_find_capability(a, PCI_CAP_ID_VENDOR, cap)) {
		uint8_t type = pci_read8(a, (uint8_t)(cap + 3)), bar = pci_read8(a, (uint8_t)(cap + 4));
		uint32_t offset = pci_read32(a, (uint8_t)(cap + 8)), length = pci_read32(a, (uint8_t)(cap + 12));
		uint64_t *slot = type == CAP_COMMON ? &d->base : type == CAP_NOTIFY ? &d->notify_base
			       : type == CAP_ISR ? &d->isr : type == CAP_DEVICE ? &d->device_cfg : 0;
		uint32_t min = type == CAP_COMMON ? COMMON_CFG_LEN : type == CAP_DEVICE ? NET_CFG_MIN
			     : type == CAP_ISR ? 1 : 2;
		if (!slot || *slot || length < min)
			continue; /* a type we do not use, a second one, or too short for what we read */
		*slot = claim_region(a, bar, offset, length);
		if (type == CAP_NOTIFY) {
			d->notify_multiplier = pci_read32(a, (uint8_t)(cap + 16));
			d->notify_len = length;
		}
	}
}

/* MSI-X on, with every entry masked but the one we program (pci_irq_enable). */
static uint64_t enable_msix(struct pci_addr a)
{
	uint8_t cap = pci_find_capability(a, PCI_CAP_ID_MSIX, 0);
	uint32_t table;
	uint16_t control, entries;
	uint64_t addr;

	if (!cap)
		return 0;
	control = pci_read16(a, (uint8_t)(cap + 2));
	entries = (uint16_t)((control & 0x7ff) + 1);
	table = pci_read32(a, (uint8_t)(cap + 4));
	addr = claim_region(a, table & 7, table & ~7u, entries * 16u);
	if (!addr)
		return 0;
	pci_write16(a, (uint8_t)(cap + 2), (uint16_t)((control & ~MSIX_FUNCTION_MASK) | MSIX_ENABLE));
	return addr;
}

static uint32_t virtio_id_of(struct pci_addr a, uint16_t device)
{
	if (device >= 0x1040 && device <= 0x107f)
		return device - 0x1040u;
	if (device >= 0x1000 && device <= 0x103f)
		return pci_read16(a, PCI_SUBSYSTEM_ID);
	return 0;
}

static void pci_found(struct pci_addr a, uint16_t vendor, uint16_t device)
{
	struct virtio_dev *d, probe = { .transport = &pci_transport };
	uint32_t id;

	if (vendor != VIRTIO_PCI_VENDOR || !(id = virtio_id_of(a, device)))
		return;
	probe.device_id = id;
	snprintf(probe.where, sizeof(probe.where), "pci %02x:%02x.%x", a.bus, a.dev, a.fn);
	read_virtio_caps(a, &probe);
	if (!probe.base || !probe.notify_base || !probe.device_cfg) {
		kprintf("uniscope: virtio device at %s has no modern interface (not used)\n", probe.where);
		return;
	}
	pci_write16(a, PCI_COMMAND, pci_read16(a, PCI_COMMAND) | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	probe.msix_table = enable_msix(a);
	if (!probe.msix_table) {
		kprintf("uniscope: virtio device at %s has no MSI-X (not used)\n", probe.where);
		return;
	}
	if ((d = virtio_device_add()))
		*d = probe;
}

void virtio_pci_probe(void)
{
	pci_scan(pci_found);
}
