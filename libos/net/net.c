/*
 * The network module (kern/module.h): linked into an image only when the
 * application calls socket() — uniscope-cc links with --wrap=socket, and
 * __wrap_socket below is the module's root.
 *
 * Boot: the early stage finds virtio-net devices (virtio-mmio on microvm,
 * virtio-pci on q35) and claims their MMIO; init starts the device and
 * lwIP (its tcpip thread), and registers the socket syscalls; the ready
 * stage, in the main thread before main(), waits until the interface has
 * an address (at most net_wait= seconds, default 10; not at all without a
 * device or with the link down), so a server's first accept() is
 * reachable. Without a device the stack still runs: loopback (127.0.0.1,
 * ::1) works.
 *
 * The address: `ip=ADDR/PREFIX[,gw=ADDR]` on the command line (--append)
 * sets it; otherwise DHCP asks for one (QEMU's user networking answers).
 * IPv6 configures itself (link-local, then SLAAC from router
 * advertisements). The console says what the interface got.
 *
 * The descriptor (uniscope_info.net -> net_info) tells host tools where
 * lwIP's connections are and how to read them (include/uniscope/abi.h).
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "kern/kern.h"
#include "kern/module.h"
#include "arch/x86_64/cpu.h"
#include "dev/virtio.h"
#include "plat/plat.h"
#include "lwip/tcpip.h"
#include "lwip/dhcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/api.h"
#include "net.h"

#define NET_WAIT_DEFAULT_S 10

struct uniscope_net_stats net_stats;
struct uniscope_net_info net_info = {
	.magic = UNISCOPE_NET_MAGIC,
	.version = UNISCOPE_NET_VERSION,
	.size = sizeof(struct uniscope_net_info),
};

static struct netif *interface;
static struct wait_queue configured_waiters;
static bool use_dhcp;

extern int __real_socket(int domain, int type, int protocol);

static void net_early(void);
static void net_init(void);
static void net_ready(void);
LIBOS_MODULE(net) = { "net", net_early, net_init, net_ready };

/* The module's root: an application that calls socket() links the network. */
int __wrap_socket(int domain, int type, int protocol)
{
	LIBOS_MODULE_KEEP(net);
	return __real_socket(domain, type, protocol);
}

/* Under Xen no device is looked for (a later issue): a PVH domain has no PCI or virtio-mmio. */
static void net_early(void)
{
	if (plat == &plat_xen_ops)
		return;
	virtio_mmio_probe();
	virtio_pci_probe();
}

static int prefix_to_mask(long prefix, ip4_addr_t *mask)
{
	if (prefix < 0 || prefix > 32)
		return -1;
	ip4_addr_set_u32(mask, prefix ? lwip_htonl(0xffffffffu << (32 - prefix)) : 0);
	return 0;
}

/* "ADDR/PREFIX[,gw=ADDR]": 0, or -1 when it does not parse. */
static int parse_static(const char *spec, ip4_addr_t *addr, ip4_addr_t *mask, ip4_addr_t *gw)
{
	char buf[64], *slash, *comma;

	if (strlen(spec) >= sizeof(buf))
		return -1;
	strcpy(buf, spec);
	ip4_addr_set_zero(gw);
	if ((comma = strchr(buf, ','))) {
		*comma = 0;
		if (strncmp(comma + 1, "gw=", 3) || !ip4addr_aton(comma + 4, gw))
			return -1;
	}
	if (!(slash = strchr(buf, '/')))
		return -1;
	*slash = 0;
	if (!ip4addr_aton(buf, addr) || !slash[1])
		return -1;
	return prefix_to_mask(strtol(slash + 1, 0, 10), mask);
}

static void say_address(struct netif *n)
{
	char addr[16], mask[16], gw[16];

	snprintf(addr, sizeof(addr), "%s", ip4addr_ntoa(netif_ip4_addr(n)));
	snprintf(mask, sizeof(mask), "%s", ip4addr_ntoa(netif_ip4_netmask(n)));
	snprintf(gw, sizeof(gw), "%s", ip4addr_ntoa(netif_ip4_gw(n)));
	kprintf("uniscope: net: en0 %02x:%02x:%02x:%02x:%02x:%02x %s netmask %s gateway %s (%s)\n",
		n->hwaddr[0], n->hwaddr[1], n->hwaddr[2], n->hwaddr[3], n->hwaddr[4], n->hwaddr[5],
		addr, mask, gw, use_dhcp ? "dhcp" : "static");
}

/* In the tcpip thread: the interface's addresses changed. */
static void on_status(struct netif *n)
{
	uint64_t flags;

	net_info.ipv4_addr = ip4_addr_get_u32(netif_ip4_addr(n));
	net_info.ipv4_netmask = ip4_addr_get_u32(netif_ip4_netmask(n));
	net_info.ipv4_gateway = ip4_addr_get_u32(netif_ip4_gw(n));
	if (!net_info.ipv4_addr || net_info.configured)
		return;
	net_info.configured = 1;
	say_address(n);
	flags = irq_save();
	wait_queue_wake_all(&configured_waiters);
	irq_restore(flags);
}

static void configure(struct netif *n)
{
	const char *spec = cmdline_get("ip");
	ip4_addr_t addr, mask, gw;

	if (spec && parse_static(spec, &addr, &mask, &gw) == 0) {
		netif_set_addr(n, &addr, &mask, &gw);
		return;
	}
	if (spec)
		kprintf("uniscope: net: ip=%s: not ADDR/PREFIX[,gw=ADDR] (asking DHCP instead)\n", spec);
	use_dhcp = true;
	if (dhcp_start(n) != ERR_OK)
		kprintf("uniscope: net: cannot start DHCP\n");
}

/* In the tcpip thread, holding the core lock, before its loop. */
static void stack_started(void *arg)
{
	(void)arg;
	if (!net_info.has_device)
		return;
	interface = netif_start(on_status);
	if (interface)
		configure(interface);
}

#define PCB_OFF(field) ((uint32_t)offsetof(struct tcp_pcb, field))
#define PCB_FIELD_SIZE(field) sizeof(((struct tcp_pcb *)0)->field)
#define SAME_IN_LISTEN(field) (offsetof(struct tcp_pcb_listen, field) == offsetof(struct tcp_pcb, field))

/* What the descriptor says of these fields' sizes (include/uniscope/abi.h) host tools rely on. */
_Static_assert(PCB_FIELD_SIZE(next) == 8 && PCB_FIELD_SIZE(callback_arg) == 8 &&
	       PCB_FIELD_SIZE(unacked) == 8, "tcp_pcb pointers");
_Static_assert(PCB_FIELD_SIZE(state) == 4, "tcp_pcb state is a u32 enum");
_Static_assert(PCB_FIELD_SIZE(local_port) == 2 && PCB_FIELD_SIZE(remote_port) == 2, "tcp_pcb ports");
_Static_assert(PCB_FIELD_SIZE(snd_queuelen) == 2 && PCB_FIELD_SIZE(nrtx) == 1, "tcp_pcb counters");
_Static_assert(PCB_FIELD_SIZE(snd_buf) == sizeof(tcpwnd_size_t) &&
	       PCB_FIELD_SIZE(rcv_wnd) == sizeof(tcpwnd_size_t), "tcp_pcb windows");
_Static_assert(sizeof(ip_addr_t) >= 17 && sizeof(((ip_addr_t *)0)->type) == 1, "ip_addr_t: 16 bytes and a type");
_Static_assert(SAME_IN_LISTEN(next) && SAME_IN_LISTEN(state) && SAME_IN_LISTEN(local_ip) &&
	       SAME_IN_LISTEN(local_port) && SAME_IN_LISTEN(callback_arg),
	       "a listening PCB's fields host tools read are where a PCB has them");
_Static_assert(sizeof(((struct tcp_pcb_listen *)0)->backlog) == 1, "a listening PCB's backlog is a u8");
_Static_assert(TCP_WND <= 0xffffffffu && TCP_SND_BUF <= 0xffffffffu, "window sizes fit the descriptor");

static void describe_stack(void)
{
	net_info.stats = (uint64_t)&net_stats;
	net_info.tcp_active_pcbs = (uint64_t)&tcp_active_pcbs;
	net_info.tcp_listen_pcbs = (uint64_t)&tcp_listen_pcbs;
	net_info.tcp_tw_pcbs = (uint64_t)&tcp_tw_pcbs;
	net_info.tcp_bound_pcbs = (uint64_t)&tcp_bound_pcbs;
	net_info.tcp = (struct uniscope_tcp_pcb_layout){
		.size = sizeof(struct tcp_pcb), .listen_size = sizeof(struct tcp_pcb_listen),
		.off_next = PCB_OFF(next), .off_state = PCB_OFF(state),
		.off_local_ip = PCB_OFF(local_ip), .off_remote_ip = PCB_OFF(remote_ip),
		.addr_type_offset = (uint32_t)offsetof(ip_addr_t, type),
		.off_local_port = PCB_OFF(local_port), .off_remote_port = PCB_OFF(remote_port),
		.off_callback_arg = PCB_OFF(callback_arg), .off_snd_buf = PCB_OFF(snd_buf),
		.off_snd_queuelen = PCB_OFF(snd_queuelen), .off_rcv_wnd = PCB_OFF(rcv_wnd),
		.off_unacked = PCB_OFF(unacked), .off_nrtx = PCB_OFF(nrtx),
		.wnd_size = sizeof(tcpwnd_size_t), .wnd_max = TCP_WND, .snd_buf_max = TCP_SND_BUF,
		.off_backlog = (uint32_t)offsetof(struct tcp_pcb_listen, backlog),
	};
	socket_describe(&net_info);
	uniscope_info.net = (uint64_t)&net_info; /* before sealing: the descriptor is writable */
}

static void net_init(void)
{
	netif_device_start();
	tcpip_init(stack_started, 0);
	socket_register();
	describe_stack();
}

static void net_ready(void)
{
	long wait_s = cmdline_get_long("net_wait", NET_WAIT_DEFAULT_S);
	uint64_t deadline = clock_ns() + (uint64_t)(wait_s > 0 ? wait_s : 0) * 1000000000ull, flags;

	if (!net_info.has_device || !net_stats.link_up || wait_s <= 0)
		return;
	flags = irq_save();
	while (!net_info.configured && clock_ns() < deadline)
		wait_queue_block_until(&configured_waiters, UNISCOPE_WAIT_NET, &configured_waiters, deadline);
	irq_restore(flags);
	if (!net_info.configured)
		kprintf("uniscope: net: no address after %ld s (DHCP unanswered? starting anyway)\n", wait_s);
}
