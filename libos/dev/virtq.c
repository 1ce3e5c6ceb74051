/*
 * The split virtqueue (virtq.h). The driver owns the descriptor table and
 * the available ring; the device owns the used ring. Ordering on x86 is
 * the program's, so a compiler barrier is enough between filling a
 * descriptor and publishing it, and between reading the used index and
 * the entries below it.
 */
#include <string.h>
#include "virtq.h"

#define barrier() __asm__ volatile("" ::: "memory")

static size_t align_up(size_t x, size_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static size_t used_offset(uint16_t size)
{
	return align_up(16u * size + 6u + 2u * size, VIRTQ_ALIGN);
}

size_t virtq_bytes(uint16_t size)
{
	return align_up(used_offset(size) + 6u + 8u * size, VIRTQ_ALIGN);
}

void virtq_init(struct virtq *q, uint16_t size, void *mem)
{
	uint8_t *base = mem;

	memset(q, 0, sizeof(*q));
	q->size = size;
	q->desc = (volatile struct virtq_desc *)base;
	q->avail = (volatile struct virtq_avail *)(base + 16u * size);
	q->used = (volatile struct virtq_used *)(base + used_offset(size));
	for (uint16_t i = 0; i < size; i++)
		q->desc[i].next = (uint16_t)(i + 1);
	q->nr_free = size;
	q->free_head = 0;
}

int virtq_add(struct virtq *q, uint64_t addr, uint32_t len, bool device_writes)
{
	uint16_t id;

	if (!q->nr_free || !len)
		return -1;
	id = q->free_head;
	q->free_head = q->desc[id].next;
	q->nr_free--;
	q->desc[id].addr = addr;
	q->desc[id].len = len;
	q->desc[id].flags = device_writes ? VIRTQ_DESC_F_WRITE : 0;
	q->desc[id].next = 0;
	q->buf_addr[id] = addr;
	q->buf_len[id] = len;
	q->held[id] = true;
	q->avail->ring[q->avail_idx & (q->size - 1)] = id;
	q->avail_idx++;
	return id;
}

void virtq_publish(struct virtq *q)
{
	barrier();
	q->avail->idx = q->avail_idx;
	barrier();
}

uint16_t virtq_used_pending(struct virtq *q)
{
	uint16_t pending = (uint16_t)(q->used->idx - q->last_used);

	barrier();
	if (pending > q->size) { /* more than ever offered: a broken device */
		q->broken = true;
		return 0;
	}
	return q->broken ? 0 : pending;
}

/* The buffer's record stays readable (buf_addr, buf_len) until the descriptor is reused. */
static void free_desc(struct virtq *q, uint16_t id)
{
	q->desc[id].next = q->free_head;
	q->free_head = id;
	q->nr_free++;
}

int virtq_pop_used(struct virtq *q, uint32_t *len)
{
	uint32_t id, used_len;

	if (!virtq_used_pending(q))
		return VIRTQ_EMPTY;
	id = q->used->ring[q->last_used & (q->size - 1)].id;
	used_len = q->used->ring[q->last_used & (q->size - 1)].len;
	q->last_used++;
	if (id >= q->size || !q->held[id]) { /* not a buffer the device holds */
		q->bad++;
		return VIRTQ_BAD;
	}
	q->held[id] = false;
	free_desc(q, (uint16_t)id);
	if (used_len > q->buf_len[id]) {
		q->bad++;
		used_len = VIRTQ_LEN_BAD;
	}
	*len = used_len;
	return (int)id;
}
