/*
 * The network's trace points: frames received and sent, and those that
 * went nowhere (with the reason: vnet_drop_names); TCP's (libos/net/
 * tcp_trace.c): state changes as the socket layer sees them, accepts,
 * closes, resets (evidence ring) and retransmissions (evidence ring). Declared here, their
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
	X(net_drop, UNISCOPE_TRACE_ID_NET_DROP, "reason=%s len=%u", (str, reason), (u64, len)) \
	X(tcp_state, UNISCOPE_TRACE_ID_TCP_STATE, "fd=%d %s port=%u peer_port=%u", (s64, fd), \
	  (str, state), (u64, port), (u64, peer_port)) \
	X(tcp_accept, UNISCOPE_TRACE_ID_TCP_ACCEPT, "fd=%d listen_fd=%d port=%u peer_port=%u", \
	  (s64, fd), (s64, listen_fd), (u64, port), (u64, peer_port)) \
	X(tcp_close, UNISCOPE_TRACE_ID_TCP_CLOSE, "fd=%d state=%s", (s64, fd), (str, state)) \
	X(tcp_reset, UNISCOPE_TRACE_ID_TCP_RESET, "fd=%d err=%d port=%u peer_port=%u", (s64, fd), \
	  (s64, err), (u64, port), (u64, peer_port)) \
	X(tcp_retransmit, UNISCOPE_TRACE_ID_TCP_RETRANSMIT, "port=%u peer_port=%u seq=%x tries=%u", \
	  (u64, port), (u64, peer_port), (hex, seq), (u64, tries))

/* kern/trace.h defined UNISCOPE_TRACE_META_ELSEWHERE: these emit no metadata of their own. */
NET_TRACE_POINTS(UNISCOPE_TRACE_POINT)

#endif
