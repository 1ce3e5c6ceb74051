/*
 * The virtio-net driver: one device (the first found), one receive and one
 * transmit queue, buffers of VNET_BUF_SIZE from the page allocator.
 *
 * Receive: every receive descriptor holds one empty buffer; with mergeable
 * receive buffers (VIRTIO_NET_F_MRG_RXBUF, which QEMU offers) a frame may
 * span several (virtio_net_rx.c gathers and checks them). The stack copies
 * a frame out, and its buffers go straight back to the device.
 * Transmit: a frame is copied behind a zeroed header into a free transmit
 * buffer, one descriptor per frame; sent buffers are reclaimed at the next
 * send and at each poll, and the transmit queue asks for no interrupts.
 *
 * The MAC comes from the device (VIRTIO_NET_F_MAC); link state from its
 * status field (VIRTIO_NET_F_STATUS), re-read at each poll, which a
 * configuration-change interrupt triggers (QEMU's set_link).
 *
 * Trace points: net_rx and net_tx for each frame (its length and
 * EtherType), net_drop for each frame that went nowhere, with the reason.
 */
#include <string.h>
#include "kern/kern.h"
#include "arch/x86_64/cpu.h"
#include "net_trace.h"
#include "virtio.h"
#include "virtio_net.h"

#define RX_QUEUE 0
#define TX_QUEUE 1
#define QUEUE_SIZE 256
#define CONFIG_MAC 0
#define CONFIG_STATUS 6

/* The trace points' metadata (net_trace.h): kept by the reference in virtio_net_start. */
#define NET_TRACE_META(tp_name, tp_id, tp_format, ...) \
	__attribute__((section(".uniscope_trace_meta.net"), aligned(4))) \
	const struct uniscope_trace_meta net_trace_meta_##tp_name = \
		UTP_META_INIT(tp_name, tp_id, tp_format, __VA_ARGS__);
NET_TRACE_POINTS(NET_TRACE_META)

static uint16_t ethertype(const uint8_t *frame, uint32_t len)
{
	return len >= VNET_ETH_HLEN ? (uint16_t)(frame[12] << 8 | frame[13]) : 0;
}

static void count_drop(struct virtio_net *n, enum vnet_drop why, uint32_t len, bool rx)
{
	if (rx)
		n->stats->rx_drops++;
	else
		n->stats->tx_drops++;
	if (why < UNISCOPE_NET_DROP_REASONS)
		n->stats->drops[why]++;
	trace_net_drop(vnet_drop_names[why], len);
}

static void rx_post(struct virtio_net *n, uint64_t buf)
{
	virtq_add(&n->rx, buf, VNET_BUF_SIZE, true);
}

static void read_link(struct virtio_net *n)
{
	const struct virtio_transport *t = n->dev->transport;
	bool up = !n->has_status || (t->config_read8(n->dev, CONFIG_STATUS) & VIRTIO_NET_S_LINK_UP);

	if (up == n->link_up)
		return;
	n->link_up = up;
	n->stats->link_up = up;
	if (n->link)
		n->link(n, up);
}

static void receive(struct virtio_net *n, unsigned budget)
{
	struct vnet_rx_frame *f = &n->frame;
	enum vnet_drop why;
	bool posted = false;
	int got;

	while (budget-- && (got = vnet_rx_next(&n->rx, n->hdr_len, n->mergeable, f, &why)) != 0) {
		if (got > 0) {
			n->stats->rx_packets++;
			n->stats->rx_bytes += f->len;
			trace_net_rx(f->len, ethertype(f->pieces[0].data, f->pieces[0].len));
			n->input(n, f);
		} else {
			count_drop(n, why, f->len, true);
		}
		for (unsigned i = 0; i < f->nr_bufs; i++)
			rx_post(n, f->bufs[i]);
		posted |= f->nr_bufs > 0;
	}
	if (posted) {
		virtq_publish(&n->rx);
		n->dev->transport->notify(n->dev, RX_QUEUE);
	}
	if (virtq_used_pending(&n->rx))
		n->kick(n); /* the budget ran out: the rest at the next poll */
}

static void reclaim_tx(struct virtio_net *n)
{
	uint32_t len;
	int id;

	while ((id = virtq_pop_used(&n->tx, &len)) != VIRTQ_EMPTY)
		if (id >= 0)
			n->tx_free[n->nr_tx_free++] = n->tx.buf_addr[id];
}

void virtio_net_poll(struct virtio_net *n, unsigned budget)
{
	read_link(n);
	receive(n, budget);
	reclaim_tx(n);
}

int virtio_net_send(struct virtio_net *n, const struct vnet_piece *pieces, unsigned count)
{
	uint32_t total = 0;
	uint8_t *buf;

	for (unsigned i = 0; i < count; i++)
		total += pieces[i].len;
	reclaim_tx(n);
	if (!n->link_up || total + n->hdr_len > VNET_BUF_SIZE || !n->nr_tx_free) {
		count_drop(n, !n->link_up ? VNET_DROP_TX_LINK_DOWN : n->nr_tx_free ? VNET_DROP_TX_TOO_LONG
				: VNET_DROP_TX_RING_FULL, total, false);
		return -1;
	}
	buf = (uint8_t *)n->tx_free[--n->nr_tx_free];
	memset(buf, 0, n->hdr_len);
	for (uint32_t i = 0, at = n->hdr_len; i < count; at += pieces[i].len, i++)
		memcpy(buf + at, pieces[i].data, pieces[i].len);
	virtq_add(&n->tx, (uint64_t)buf, n->hdr_len + total, false);
	virtq_publish(&n->tx);
	n->dev->transport->notify(n->dev, TX_QUEUE);
	n->stats->tx_packets++;
	n->stats->tx_bytes += total;
	trace_net_tx(total, ethertype(buf + n->hdr_len, total));
	return 0;
}

static void nic_interrupt(struct virtio_dev *d, uint32_t why)
{
	struct virtio_net *n = d->driver;

	(void)why;
	if (n->kick)
		n->kick(n);
}

static void read_mac(struct virtio_net *n, uint64_t features)
{
	if (features & VIRTIO_NET_F_MAC) {
		for (int i = 0; i < 6; i++)
			n->mac[i] = n->dev->transport->config_read8(n->dev, CONFIG_MAC + (uint32_t)i);
		return;
	}
	uint64_t r = rdtsc() * 0x9e3779b97f4a7c15ull;
	memcpy(n->mac, &r, 6);
	n->mac[0] = (uint8_t)((n->mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
}

/* Buffers for both queues: every receive one posted, every transmit one free. */
static int buffers_init(struct virtio_net *n)
{
	uint64_t per_page = PAGE_SIZE / VNET_BUF_SIZE, rx_pages = (n->rx.size + per_page - 1) / per_page,
		 tx_pages = (n->tx.size + per_page - 1) / per_page;
	uint64_t rx = page_alloc(rx_pages), tx = page_alloc(tx_pages);

	if (!rx || !tx)
		return -1;
	for (uint16_t i = 0; i < n->rx.size; i++)
		rx_post(n, rx + (uint64_t)i * VNET_BUF_SIZE);
	virtq_publish(&n->rx);
	for (uint16_t i = 0; i < n->tx.size; i++)
		n->tx_free[n->nr_tx_free++] = tx + (uint64_t)i * VNET_BUF_SIZE;
	n->tx.avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	return 0;
}

static int nic_fail(struct virtio_dev *d, const char *what)
{
	d->transport->set_status(d, VIRTIO_STATUS_FAILED);
	kprintf("uniscope: virtio-net at %s: %s (no network)\n", d->where, what);
	return -1;
}

int virtio_net_start(struct virtio_net *n)
{
	struct virtio_dev *d = virtio_device_find(VIRTIO_ID_NET, 0);
	uint64_t features;

	if (!d)
		return -1;
	__asm__ volatile("" ::"r"(&net_trace_meta_net_rx), "r"(&net_trace_meta_net_tx),
			 "r"(&net_trace_meta_net_drop)); /* keeps the metadata with the driver */
	features = virtio_negotiate(d, VIRTIO_NET_F_MAC | VIRTIO_NET_F_MRG_RXBUF | VIRTIO_NET_F_STATUS |
					       (d->legacy ? VIRTIO_F_ANY_LAYOUT : 0));
	if (!features)
		return -1;
	n->dev = d;
	n->has_status = features & VIRTIO_NET_F_STATUS;
	n->mergeable = features & VIRTIO_NET_F_MRG_RXBUF;
	n->hdr_len = n->mergeable || !d->legacy ? VNET_HDR_LEN : VNET_HDR_LEN_LEGACY;
	if (d->legacy && !(features & VIRTIO_F_ANY_LAYOUT))
		return nic_fail(d, "the device wants the header in a descriptor of its own");
	if (!virtio_queue_create(d, RX_QUEUE, &n->rx, QUEUE_SIZE) ||
	    !virtio_queue_create(d, TX_QUEUE, &n->tx, QUEUE_SIZE) || buffers_init(n) < 0)
		return nic_fail(d, "cannot set its queues up");
	d->driver = n;
	d->interrupt = nic_interrupt;
	if (d->transport->irq_enable(d) < 0)
		return nic_fail(d, "no interrupt");
	read_mac(n, features);
	d->transport->set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
					    (d->legacy ? 0 : VIRTIO_STATUS_FEATURES_OK) | VIRTIO_STATUS_DRIVER_OK);
	d->transport->notify(d, RX_QUEUE);
	read_link(n);
	return 0;
}
