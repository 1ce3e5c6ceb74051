/*
 * virtio-net's receive path: from used entries of the receive queue to a
 * frame (virtio_net.h). Portable, so that the fuzzer runs exactly this on
 * the host (tests/fuzz/fuzz-virtio-rx.c).
 *
 * The device says, for each buffer it filled, which one (an id) and how
 * much it wrote; with mergeable receive buffers the first buffer's header
 * says how many buffers the frame takes (num_buffers). None of it is
 * believed unchecked: virtq_pop_used refuses ids we did not give and
 * lengths beyond a buffer; here a frame must hold at least a header and an
 * Ethernet header, num_buffers must be at least 1, fit a frame the stack
 * can count, and be there in the used ring, else the frame is dropped, its
 * buffers given back, and the queue goes on with the next entry.
 */
#include <string.h>
#include "virtq.h"
#include "virtio_net.h"

const char *const vnet_drop_names[VNET_DROP_REASONS] = {
	[VNET_DROP_NONE] = "none",
	[VNET_DROP_RX_BAD_ENTRY] = "rx-bad-entry",
	[VNET_DROP_RX_SHORT] = "rx-short",
	[VNET_DROP_RX_BAD_COUNT] = "rx-bad-count",
	[VNET_DROP_RX_TOO_LONG] = "rx-too-long",
	[VNET_DROP_RX_NO_MEMORY] = "rx-no-memory",
	[VNET_DROP_TX_RING_FULL] = "tx-ring-full",
	[VNET_DROP_TX_TOO_LONG] = "tx-too-long",
	[VNET_DROP_TX_LINK_DOWN] = "tx-link-down",
};

/* Pops one buffer into the frame; its length, or -1 (bad entry: nothing added). */
static int64_t take_buffer(struct virtq *q, struct vnet_rx_frame *f)
{
	uint32_t len;
	int id = virtq_pop_used(q, &len);

	if (id < 0)
		return -1;
	f->bufs[f->nr_bufs++] = q->buf_addr[id];
	return len == VIRTQ_LEN_BAD ? -1 : (int64_t)len;
}

static void add_piece(struct vnet_rx_frame *f, uint64_t addr, uint32_t len)
{
	if (!len)
		return;
	f->pieces[f->nr_pieces++] = (struct vnet_piece){ (const uint8_t *)addr, len };
	f->len += len;
}

/* num_buffers, from the first buffer's header (little-endian, at offset 10). */
static uint16_t header_num_buffers(uint64_t addr)
{
	const uint8_t *h = (const uint8_t *)addr;

	return (uint16_t)(h[10] | h[11] << 8);
}

static int refuse(enum vnet_drop *drop, enum vnet_drop why)
{
	*drop = why;
	return -1;
}

int vnet_rx_next(struct virtq *q, uint32_t hdr_len, bool mergeable, struct vnet_rx_frame *f,
		 enum vnet_drop *drop)
{
	uint16_t pending = virtq_used_pending(q), count = 1;
	int64_t len;

	f->nr_pieces = f->nr_bufs = 0;
	f->len = 0;
	*drop = VNET_DROP_NONE;
	if (!pending)
		return 0;
	if ((len = take_buffer(q, f)) < 0)
		return refuse(drop, VNET_DROP_RX_BAD_ENTRY);
	if ((uint64_t)len < hdr_len + VNET_ETH_HLEN)
		return refuse(drop, VNET_DROP_RX_SHORT);
	if (mergeable)
		count = header_num_buffers(f->bufs[0]);
	if (!count || count > VNET_MAX_PIECES || count > pending)
		return refuse(drop, VNET_DROP_RX_BAD_COUNT);
	add_piece(f, f->bufs[0] + hdr_len, (uint32_t)len - hdr_len);
	for (uint16_t i = 1; i < count; i++) {
		if ((len = take_buffer(q, f)) < 0)
			return refuse(drop, VNET_DROP_RX_BAD_ENTRY);
		if (f->len + (uint64_t)len > VNET_MAX_FRAME)
			return refuse(drop, VNET_DROP_RX_TOO_LONG);
		add_piece(f, f->bufs[f->nr_bufs - 1], (uint32_t)len);
	}
	return 1;
}
