/*
 * The lwIP hooks the libOS defines (lwipopts.h names this file as
 * LWIP_HOOK_FILENAME, so lwIP's tcp_in.c and tcp_out.c include it):
 * declarations only. net_tcp_segment_out (libos/net/tcp_trace.c) sees
 * every TCP segment sent, to trace retransmissions.
 */
#ifndef LIBOS_NET_ARCH_TCP_HOOKS_H
#define LIBOS_NET_ARCH_TCP_HOOKS_H

#include "lwip/arch.h"

struct pbuf;
struct tcp_hdr;
struct tcp_pcb;

/* pcb is NULL for a reset sent for no connection. */
u8_t *net_tcp_segment_out(const struct pbuf *p, const struct tcp_hdr *hdr, const struct tcp_pcb *pcb,
			  u8_t *opts);

#endif
