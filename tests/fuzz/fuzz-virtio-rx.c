/*
 * libFuzzer target for virtio-net's receive path (libos/dev/virtq.c and
 * virtio_net_rx.c, built here exactly as the guest builds them): the input
 * plays a hostile device. It picks the header size and whether receive
 * buffers are mergeable, then writes used entries of its choice (any id,
 * any length), the bytes of the buffers they name (num_buffers included),
 * and moves the used index as it likes, even backwards or far ahead. The
 * driver's side takes frames and gives the buffers back, as the driver
 * does. Checked: every piece of every frame lies inside a buffer the
 * driver posted (ASan also sees every byte read), frames stay within the
 * limits, no buffer is given back twice or lost, nothing hangs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libos/dev/virtq.c"
#include "libos/dev/virtio_net_rx.c"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)
#define QSIZE 16

static uint8_t ring_mem[VIRTQ_ALIGN * 4] __attribute__((aligned(VIRTQ_ALIGN)));
static uint8_t buffers[QSIZE][VNET_BUF_SIZE];
static struct virtq q;
static struct vnet_rx_frame frame;

struct input {
	const uint8_t *data;
	size_t len, at;
};

static uint32_t take(struct input *in, unsigned bytes)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint32_t)(in->at < in->len ? in->data[in->at++] : 0) << (8 * i);
	return v;
}

static int buffer_index(uint64_t addr)
{
	for (int i = 0; i < QSIZE; i++)
		if (addr == (uint64_t)buffers[i])
			return i;
	return -1;
}

static void check_frame(const struct vnet_rx_frame *f, uint32_t hdr_len)
{
	static uint8_t flat[VNET_MAX_FRAME];
	uint64_t total = 0;

	CHECK(f->nr_pieces <= VNET_MAX_PIECES && f->nr_bufs <= VNET_MAX_PIECES);
	for (unsigned i = 0; i < f->nr_pieces; i++) {
		const uint8_t *p = f->pieces[i].data;
		int owner = -1;
		for (int b = 0; b < QSIZE; b++)
			if (p >= buffers[b] && p < buffers[b] + VNET_BUF_SIZE)
				owner = b;
		CHECK(owner >= 0 && p + f->pieces[i].len <= buffers[owner] + VNET_BUF_SIZE);
		CHECK(total + f->pieces[i].len <= sizeof(flat));
		memcpy(flat + total, p, f->pieces[i].len);
		total += f->pieces[i].len;
	}
	CHECK(total == f->len && f->len <= VNET_MAX_FRAME);
	CHECK(f->nr_pieces == 0 || f->len + hdr_len >= VNET_ETH_HLEN);
}

/* The device: one used entry, its buffer's bytes, and the used index's move. */
static void device_step(struct input *in)
{
	uint16_t slot = (uint16_t)(q.used->idx & (QSIZE - 1)), id = (uint16_t)take(in, 1);
	uint32_t len = take(in, 2) * (take(in, 1) & 1 ? 37u : 1u);
	uint8_t nbytes = (uint8_t)take(in, 1) & 31;

	q.used->ring[slot].id = id;
	q.used->ring[slot].len = len;
	if (id < QSIZE)
		for (unsigned i = 0; i < nbytes; i++)
			buffers[id][take(in, 1) & 15] = (uint8_t)take(in, 1);
	q.used->idx = (uint16_t)(q.used->idx + (take(in, 1) % 4 == 3 ? take(in, 2) : 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size, 0 };
	uint32_t hdr_len = take(&in, 1) & 1 ? VNET_HDR_LEN : VNET_HDR_LEN_LEGACY;
	bool mergeable = take(&in, 1) & 1, held[QSIZE];
	enum vnet_drop why;

	memset(ring_mem, 0, sizeof(ring_mem));
	CHECK(virtq_bytes(QSIZE) <= sizeof(ring_mem));
	virtq_init(&q, QSIZE, ring_mem);
	for (int i = 0; i < QSIZE; i++)
		CHECK(virtq_add(&q, (uint64_t)buffers[i], VNET_BUF_SIZE, true) >= 0);
	virtq_publish(&q);
	for (int steps = 0; steps < 64 && in.at < in.len; steps++) {
		device_step(&in);
		for (int frames = 0; frames < 2 * QSIZE; frames++) {
			int got = vnet_rx_next(&q, hdr_len, mergeable, &frame, &why);
			if (!got)
				break;
			CHECK(got == 1 ? why == VNET_DROP_NONE : why != VNET_DROP_NONE);
			if (got == 1)
				check_frame(&frame, hdr_len);
			for (unsigned i = 0; i < frame.nr_bufs; i++) {
				CHECK(buffer_index(frame.bufs[i]) >= 0);
				CHECK(virtq_add(&q, frame.bufs[i], VNET_BUF_SIZE, true) >= 0);
			}
			virtq_publish(&q);
		}
	}
	/* No buffer lost or doubled: the device holds each exactly once. */
	memset(held, 0, sizeof(held));
	int count = 0;
	for (int d = 0; d < QSIZE; d++) {
		int b;
		if (!q.held[d])
			continue;
		b = buffer_index(q.buf_addr[d]);
		CHECK(b >= 0 && !held[b]);
		held[b] = true;
		count++;
	}
	CHECK(count == QSIZE && q.nr_free == 0);
	return 0;
}
