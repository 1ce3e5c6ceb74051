/*
 * The virtio-net driver (virtio_net.c) and its receive path
 * (virtio_net_rx.c, portable: the fuzzer builds it on the host).
 *
 * The driver knows nothing of TCP/IP: the stack (libos/net/netif.c) gives
 * it three callbacks. kick() runs in the device's interrupt and must only
 * arrange for virtio_net_poll() to run soon, in the stack's own thread;
 * poll hands each received frame to input() and tells link changes to
 * link(). virtio_net_send() is called from that same thread (or with the
 * stack's lock held), never from an interrupt.
 */
#ifndef LIBOS_DEV_VIRTIO_NET_H
#define LIBOS_DEV_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <uniscope/abi.h>
#include "virtq.h"

#define VIRTIO_NET_F_MAC (1ull << 5)
#define VIRTIO_NET_F_MRG_RXBUF (1ull << 15)
#define VIRTIO_NET_F_STATUS (1ull << 16)
#define VIRTIO_NET_S_LINK_UP 1
#define VNET_HDR_LEN 12         /* with MRG_RXBUF or VERSION_1 */
#define VNET_HDR_LEN_LEGACY 10  /* legacy without MRG_RXBUF */
#define VNET_BUF_SIZE 2048      /* every receive and transmit buffer */
#define VNET_ETH_HLEN 14
#define VNET_MAX_FRAME 65535    /* what the stack's buffers can count */
#define VNET_MAX_PIECES (VNET_MAX_FRAME / (VNET_BUF_SIZE - VNET_HDR_LEN) + 2)

/* A piece of a frame, in a receive buffer or a stack's buffer. */
struct vnet_piece {
	const uint8_t *data;
	uint32_t len;
};

/* Why a frame went nowhere: trace event net_drop and the counters. */
enum vnet_drop {
	VNET_DROP_NONE,
	VNET_DROP_RX_BAD_ENTRY,   /* the device named a buffer it does not hold, or overfilled one */
	VNET_DROP_RX_SHORT,       /* shorter than the header and an Ethernet header */
	VNET_DROP_RX_BAD_COUNT,   /* num_buffers impossible: 0, too many, more than the device holds */
	VNET_DROP_RX_TOO_LONG,
	VNET_DROP_RX_NO_MEMORY,   /* the stack had no buffer for it */
	VNET_DROP_TX_RING_FULL,
	VNET_DROP_TX_TOO_LONG,
	VNET_DROP_TX_LINK_DOWN,
	VNET_DROP_REASONS
};
extern const char *const vnet_drop_names[VNET_DROP_REASONS];

/* One received frame, gathered by vnet_rx_next. */
struct vnet_rx_frame {
	struct vnet_piece pieces[VNET_MAX_PIECES]; /* after the virtio-net header */
	unsigned nr_pieces;
	uint32_t len;                              /* the frame's bytes, header excluded */
	uint64_t bufs[VNET_MAX_PIECES];            /* the receive buffers used: give them back */
	unsigned nr_bufs;
};

/*
 * Takes the next frame from the receive queue: 1 with *f filled, 0 when
 * nothing is waiting, -1 when a frame was refused (*drop says why; f->bufs
 * still lists the buffers to give back). hdr_len is the virtio-net
 * header's size; with mergeable buffers its num_buffers field says how
 * many used entries make the frame. Lengths and counts come from the
 * device and are checked against the buffers we gave it.
 */
int vnet_rx_next(struct virtq *q, uint32_t hdr_len, bool mergeable, struct vnet_rx_frame *f,
		 enum vnet_drop *drop);

struct virtio_dev;

struct virtio_net {
	struct virtio_dev *dev;
	struct virtq rx, tx;
	uint8_t mac[6];
	bool link_up;
	bool has_status;
	bool mergeable;
	uint32_t hdr_len;
	uint64_t tx_free[VIRTQ_MAX_SIZE]; /* transmit buffers not in the queue */
	unsigned nr_tx_free;
	struct vnet_rx_frame frame;       /* the frame being received (poll) */
	/* Counters (include/uniscope/abi.h: uniscope_net_stats points here). */
	struct uniscope_net_stats *stats;
	/* The stack's side. */
	void (*kick)(struct virtio_net *n);
	void (*input)(struct virtio_net *n, const struct vnet_rx_frame *f);
	void (*link)(struct virtio_net *n, bool up);
	void *stack;
};

/*
 * Sets up the first virtio-net device found at boot (buffers posted,
 * interrupt routed) for n, whose stats and stack callbacks the caller set;
 * -1 when there is none or it failed (said on the console).
 */
int virtio_net_start(struct virtio_net *n);
/* Receives what waits (at most budget frames), reclaims sent buffers, checks the link. */
void virtio_net_poll(struct virtio_net *n, unsigned budget);
/* Sends one frame (pieces without the virtio header): 0, or -1 when dropped (counted, traced). */
int virtio_net_send(struct virtio_net *n, const struct vnet_piece *pieces, unsigned count);

#endif
