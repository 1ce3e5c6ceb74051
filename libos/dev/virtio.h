/*
 * virtio devices, whatever carries them: virtio-mmio (QEMU's microvm,
 * virtio_mmio.c) or modern virtio-pci (q35, virtio_pci.c). A transport
 * finds devices at boot (the modules' early stage: before the page tables
 * are built, it claims their MMIO windows) and offers the operations below;
 * device drivers (virtio_net.c) use only these.
 */
#ifndef LIBOS_DEV_VIRTIO_H
#define LIBOS_DEV_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>
#include "virtq.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_MAX_DEVICES 4

#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_FAILED 128

#define VIRTIO_F_ANY_LAYOUT (1ull << 27)
#define VIRTIO_F_VERSION_1 (1ull << 32)

/* Why a device interrupted (bits): its queues have news, its configuration changed. */
#define VIRTIO_INT_QUEUE 1u
#define VIRTIO_INT_CONFIG 2u

struct virtio_dev;

struct virtio_transport {
	const char *name;
	uint64_t (*features)(struct virtio_dev *d);
	void (*set_features)(struct virtio_dev *d, uint64_t features);
	uint8_t (*status)(struct virtio_dev *d);
	void (*set_status)(struct virtio_dev *d, uint8_t status); /* 0 resets the device */
	uint16_t (*queue_max)(struct virtio_dev *d, uint16_t index); /* 0: no such queue */
	/* Tells the device where queue index lives (q initialised over mem, physical = virtual). */
	int (*queue_enable)(struct virtio_dev *d, uint16_t index, struct virtq *q, void *mem);
	void (*notify)(struct virtio_dev *d, uint16_t index);
	uint8_t (*config_read8)(struct virtio_dev *d, uint32_t offset);
	/* Routes the device's interrupt to dev->interrupt; -1 when it cannot. */
	int (*irq_enable)(struct virtio_dev *d);
	/* The transport's own mapping of a queue's memory; 0 when any page will do. */
};

struct virtio_dev {
	const struct virtio_transport *transport;
	uint32_t device_id;
	bool legacy;      /* virtio-mmio version 1: no VERSION_1, the queue by page frame */
	char where[32];   /* "mmio@0xfeb00e00 gsi 24", "pci 00:03.0": for messages */
	/* Set by the driver: called in the interrupt with VIRTIO_INT_* bits. */
	void (*interrupt)(struct virtio_dev *d, uint32_t why);
	void *driver;
	/* The transport's state. */
	uint64_t base;    /* mmio: the registers; pci: the common configuration */
	uint32_t irq;     /* mmio: the GSI */
	int vector;       /* the CPU vector its interrupt raises, once enabled */
	uint64_t notify_base, isr, device_cfg;
	uint32_t notify_len, device_cfg_len; /* pci: the regions' lengths, as the device gave them */
	uint32_t notify_multiplier;
	uint16_t notify_off[2];
	uint64_t msix_table;
};

/* The devices the transports found at boot (virtio.c). */
struct virtio_dev *virtio_device_add(void);
struct virtio_dev *virtio_device_find(uint32_t device_id, unsigned nth);
struct virtio_dev *virtio_device_by_vector(uint64_t vector);
/*
 * The initialisation sequence up to the features (3.1.1): reset,
 * ACKNOWLEDGE, DRIVER, the features both sides have of `wanted`
 * (VERSION_1 added for a modern device), FEATURES_OK checked. The
 * features agreed, or 0 with the device marked FAILED.
 */
uint64_t virtio_negotiate(struct virtio_dev *d, uint64_t wanted);
/* A queue of at most `size` entries, its memory from the page allocator; the size, or 0. */
uint16_t virtio_queue_create(struct virtio_dev *d, uint16_t index, struct virtq *q, uint16_t size);

/* Transports: find devices, claim their windows (before paging_init). */
void virtio_mmio_probe(void);
void virtio_pci_probe(void);

#endif
