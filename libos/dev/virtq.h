/*
 * A split virtqueue (virtio 1.x, 2.6), driver side, one descriptor per
 * buffer (no chains, no indirect descriptors). Portable: no MMIO, no
 * allocation, no globals; the transport (virtio_mmio.c, virtio_pci.c) finds
 * the memory and rings the doorbell, the device driver decides what the
 * buffers hold. The fuzzers build it on the host (tests/fuzz/).
 *
 * The layout in memory is the legacy one, which modern transports accept
 * too: descriptors, then the available ring, then, at the next
 * VIRTQ_ALIGN boundary, the used ring.
 *
 * Everything the device writes (the used ring) is untrusted: an index
 * that runs ahead by more than the queue's size, an id that is not a
 * buffer we gave it, a length beyond the buffer are refused and counted
 * (virtq_pop_used returns VIRTQ_BAD); nothing the device says is used to
 * index memory before it is checked.
 */
#ifndef LIBOS_DEV_VIRTQ_H
#define LIBOS_DEV_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQ_ALIGN 4096
#define VIRTQ_MAX_SIZE 256
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

struct virtq {
	uint16_t size;       /* a power of two, at most VIRTQ_MAX_SIZE */
	uint16_t avail_idx;  /* what we published in avail->idx */
	uint16_t last_used;  /* the next used entry we take */
	uint16_t nr_free;
	uint16_t free_head;  /* free descriptors, linked through next */
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	/* Our own record of each outstanding buffer (the descriptor table is shared memory). */
	uint64_t buf_addr[VIRTQ_MAX_SIZE];
	uint32_t buf_len[VIRTQ_MAX_SIZE]; /* its size */
	bool held[VIRTQ_MAX_SIZE];        /* the device has it */
	uint64_t bad;        /* used entries refused */
	bool broken;         /* the device ran the used index past anything possible */
};

/* Bytes of queue memory for size entries (VIRTQ_ALIGN-aligned, zeroed by the caller). */
size_t virtq_bytes(uint16_t size);
void virtq_init(struct virtq *q, uint16_t size, void *mem);
/* Offers one buffer (device-writable or not); its descriptor id, or -1 when the queue is full. */
int virtq_add(struct virtq *q, uint64_t addr, uint32_t len, bool device_writes);
/* Publishes what virtq_add offered since the last call (then ring the doorbell). */
void virtq_publish(struct virtq *q);
/* Used entries waiting, as far as the device's index can be believed. */
uint16_t virtq_used_pending(struct virtq *q);

#define VIRTQ_EMPTY (-1)
#define VIRTQ_BAD (-2)
#define VIRTQ_LEN_BAD UINT32_MAX
/*
 * Takes the next used entry: the buffer's descriptor id (its descriptor is
 * free again; q->buf_addr[id] and q->buf_len[id] say which buffer it was,
 * until the next virtq_add) and the length the device wrote, checked
 * against the buffer: VIRTQ_LEN_BAD when it claims more than the buffer
 * holds. VIRTQ_EMPTY, or VIRTQ_BAD for an entry that names no buffer of
 * ours (skipped). Refused entries are counted in q->bad.
 */
int virtq_pop_used(struct virtq *q, uint32_t *len);

#endif
