/*
 * The network module (libos/net/): lwIP over the virtio-net device, and the
 * BSD sockets of the Linux syscall ABI on top. Internal to the module.
 */
#ifndef LIBOS_NET_NET_H
#define LIBOS_NET_NET_H

#include <stdbool.h>
#include <uniscope/abi.h>
#include "lwip/netif.h"

/* net.c: what host tools read (uniscope_info.net), kept current. */
extern struct uniscope_net_info net_info;
extern struct uniscope_net_stats net_stats;

/* netif.c */
bool netif_device_start(void);
struct netif *netif_start(netif_status_callback_fn on_status);

/* socket.c: the socket table and syscalls (socket_register at boot). */
void socket_register(void);
void socket_describe(struct uniscope_net_info *info);

/* sys_arch.c */
uint32_t sys_mbox_count(sys_mbox_t *mbox);

#endif
