/*
 * What every virtio driver does the same way, whatever the transport: the
 * table of devices found at boot, feature negotiation, queue memory.
 */
#include <string.h>
#include "kern/kern.h"
#include "virtio.h"

static struct virtio_dev devices[VIRTIO_MAX_DEVICES];
static unsigned nr_devices;

struct virtio_dev *virtio_device_add(void)
{
	if (nr_devices == VIRTIO_MAX_DEVICES)
		return 0;
	return &devices[nr_devices++];
}

struct virtio_dev *virtio_device_find(uint32_t device_id, unsigned nth)
{
	for (unsigned i = 0; i < nr_devices; i++)
		if (devices[i].device_id == device_id && nth-- == 0)
			return &devices[i];
	return 0;
}

struct virtio_dev *virtio_device_by_vector(uint64_t vector)
{
	for (unsigned i = 0; i < nr_devices; i++)
		if (devices[i].vector && (uint64_t)devices[i].vector == vector)
			return &devices[i];
	return 0;
}

uint64_t virtio_negotiate(struct virtio_dev *d, uint64_t wanted)
{
	const struct virtio_transport *t = d->transport;
	uint64_t agreed;

	t->set_status(d, 0);
	t->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	t->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	if (!d->legacy)
		wanted |= VIRTIO_F_VERSION_1;
	agreed = t->features(d) & wanted;
	if (!d->legacy && !(agreed & VIRTIO_F_VERSION_1))
		goto failed;
	t->set_features(d, agreed);
	if (d->legacy)
		return agreed; /* legacy devices have no FEATURES_OK step */
	t->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	if (t->status(d) & VIRTIO_STATUS_FEATURES_OK)
		return agreed;
failed:
	t->set_status(d, VIRTIO_STATUS_FAILED);
	kprintf("uniscope: virtio device at %s: features refused\n", d->where);
	return 0;
}

uint16_t virtio_queue_create(struct virtio_dev *d, uint16_t index, struct virtq *q, uint16_t size)
{
	uint16_t max = d->transport->queue_max(d, index);
	uint64_t mem;
	size_t bytes;

	if (!max)
		return 0;
	while (size > max || (size & (size - 1)))
		size = size > max ? (uint16_t)(size / 2) : (uint16_t)(size & (size - 1));
	if (size > VIRTQ_MAX_SIZE)
		size = VIRTQ_MAX_SIZE;
	bytes = virtq_bytes(size);
	mem = page_alloc(bytes / PAGE_SIZE);
	if (!mem)
		return 0;
	memset((void *)mem, 0, bytes);
	virtq_init(q, size, (void *)mem);
	if (d->transport->queue_enable(d, index, q, (void *)mem) < 0) {
		page_free(mem, bytes / PAGE_SIZE);
		return 0;
	}
	return size;
}
