/*
 * The network's trace points: frames received and sent, and those that
 * went nowhere (with the reason: vnet_drop_names). Declared here, their
 * metadata defined in virtio_net.c (NET_TRACE_META) rather than with the
 * libOS's own in kern/trace.c: it goes into a section of its own that the
 * linker keeps only when the driver is linked, so images without the
 * network carry none of it. The linker script puts it beside the rest of
 * .uniscope_trace_meta, where host tools read it.
 */
#ifndef LIBOS_DEV_NET_TRACE_H
#define LIBOS_DEV_NET_TRACE_H

#include "kern/trace.h"

#define NET_TRACE_POINTS(X) \
	X(net_rx, UNISCOPE_TRACE_ID_NET_RX, "len=%u type=%x", (u64, len), (hex, ethertype)) \
	X(net_tx, UNISCOPE_TRACE_ID_NET_TX, "len=%u type=%x", (u64, len), (hex, ethertype)) \
	X(net_drop, UNISCOPE_TRACE_ID_NET_DROP, "reason=%s len=%u", (str, reason), (u64, len))

/* kern/trace.h defined UNISCOPE_TRACE_META_ELSEWHERE: these emit no metadata of their own. */
NET_TRACE_POINTS(UNISCOPE_TRACE_POINT)

#endif
