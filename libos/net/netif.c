/*
 * The network interface: the virtio-net device (libos/dev/virtio_net.c)
 * as an lwIP netif, "en0".
 *
 * Everything here runs in lwIP's tcpip thread or with the core lock held,
 * except kick(), which runs in the device's interrupt: it only queues a
 * call of the poll into the tcpip thread (tcpip_try_callback, which never
 * sleeps), once until that poll runs. A timer polls too, every
 * NETIF_POLL_MS, in case a queued call could not be made (the tcpip
 * mailbox full): the device must never wait for a poll that never comes.
 *
 * Received frames are copied into pbufs from lwIP's pool and fed to
 * ethernet_input; sent ones are gathered from their pbuf chain into the
 * driver's transmit buffer.
 */
#include <string.h>
#include "kern/kern.h"
#include "dev/net_trace.h"
#include "dev/virtio_net.h"
#include "lwip/tcpip.h"
#include "lwip/netif.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"
#include "net.h"

#define NETIF_POLL_MS 100
#define POLL_BUDGET 64 /* frames a poll takes before it lets others run */
#define NETIF_MTU 1500

static struct virtio_net nic;
static struct netif nif;
static volatile bool poll_queued;

static void poll_now(void *arg)
{
	(void)arg;
	poll_queued = false;
	virtio_net_poll(&nic, POLL_BUDGET);
}

static void poll_timer(void *arg)
{
	poll_now(arg);
	sys_timeout(NETIF_POLL_MS, poll_timer, 0);
}

/* In the interrupt. */
static void kick(struct virtio_net *n)
{
	(void)n;
	if (poll_queued)
		return;
	poll_queued = true;
	if (tcpip_try_callback(poll_now, 0) != ERR_OK)
		poll_queued = false; /* the timer polls */
}

static void input(struct virtio_net *n, const struct vnet_rx_frame *f)
{
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)f->len, PBUF_POOL);
	uint32_t at = 0;

	(void)n;
	if (!p) {
		net_stats.rx_drops++;
		net_stats.drops[VNET_DROP_RX_NO_MEMORY]++;
		trace_net_drop(vnet_drop_names[VNET_DROP_RX_NO_MEMORY], f->len);
		return;
	}
	for (unsigned i = 0; i < f->nr_pieces; at += f->pieces[i].len, i++)
		pbuf_take_at(p, f->pieces[i].data, (u16_t)f->pieces[i].len, (u16_t)at);
	if (nif.input(p, &nif) != ERR_OK)
		pbuf_free(p);
}

static void link_changed(struct virtio_net *n, bool up)
{
	(void)n;
	if (!nif.state)
		return; /* not added yet: netif_add reads the state */
	kprintf("uniscope: net: en0 link %s\n", up ? "up" : "down");
	if (up)
		netif_set_link_up(&nif);
	else
		netif_set_link_down(&nif);
}

static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
	struct vnet_piece pieces[16];
	unsigned count = 0;

	(void)netif;
	for (struct pbuf *q = p; q; q = q->next) {
		if (count == sizeof(pieces) / sizeof(pieces[0]))
			return ERR_BUF;
		if (q->len)
			pieces[count++] = (struct vnet_piece){ q->payload, q->len };
	}
	return virtio_net_send(&nic, pieces, count) == 0 ? ERR_OK : ERR_IF;
}

static err_t netif_setup(struct netif *netif)
{
	netif->name[0] = 'e';
	netif->name[1] = 'n';
	netif->mtu = NETIF_MTU;
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, nic.mac, ETH_HWADDR_LEN);
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_MLD6;
	netif->output = etharp_output;
	netif->output_ip6 = ethip6_output;
	netif->linkoutput = linkoutput;
	return ERR_OK;
}

/* Boot (the module's init): the device, before interrupts are on. */
bool netif_device_start(void)
{
	nic.stats = &net_stats;
	nic.kick = kick;
	nic.input = input;
	nic.link = link_changed;
	if (virtio_net_start(&nic) < 0)
		return false;
	memcpy(net_info.mac, nic.mac, 6);
	net_info.has_device = 1;
	return true;
}

/* In the tcpip thread: the interface, up, configured by net.c's callback. */
struct netif *netif_start(netif_status_callback_fn on_status)
{
	if (!netif_add(&nif, 0, 0, 0, &nic, netif_setup, ethernet_input))
		return 0;
	netif_set_status_callback(&nif, on_status);
	netif_set_default(&nif);
	netif_create_ip6_linklocal_address(&nif, 1);
	nif.ip6_autoconfig_enabled = 1; /* SLAAC from router advertisements */
	if (nic.link_up)
		netif_set_link_up(&nif);
	netif_set_up(&nif);
	sys_timeout(NETIF_POLL_MS, poll_timer, 0);
	return &nif;
}
