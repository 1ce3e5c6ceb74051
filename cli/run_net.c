/*
 * uniscope run --net and --port: the image gets a virtio-net device on
 * QEMU's user networking (slirp: DHCP gives it 10.0.2.15, the host is
 * 10.0.2.2), and each --port [HOSTADDR:]HOSTPORT:GUESTPORT forwards a
 * host TCP port to the guest's, bound to 127.0.0.1 unless an address is
 * given (host sockets are the user's alone by default). --port implies
 * --net.
 *
 * The device is virtio-mmio on microvm in its modern form (version 2:
 * -global virtio-mmio.force-legacy=false); the libOS drives the legacy one
 * too, which plain QEMU gives by default. The session's metadata records
 * the forwards (net, ports), so `uniscope ls` shows them.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "run.h"

/* One forward: [ADDR:]HOST:GUEST, ports 1-65535, ADDR an IPv4 address. */
static int parse_port(const char *spec, char *addr, size_t cap, unsigned *host, unsigned *guest)
{
	char copy[128], *guest_s, *host_s, *end;
	struct in_addr in;
	unsigned long h, g;

	if (strlen(spec) >= sizeof(copy))
		return -1;
	strcpy(copy, spec);
	if (!(guest_s = strrchr(copy, ':')))
		return -1;
	*guest_s++ = 0;
	host_s = strrchr(copy, ':');
	if (host_s)
		*host_s++ = 0;
	else
		host_s = copy;
	snprintf(addr, cap, "%s", host_s == copy ? "127.0.0.1" : copy);
	h = strtoul(host_s, &end, 10);
	if (*end || !*host_s || h < 1 || h > 65535)
		return -1;
	g = strtoul(guest_s, &end, 10);
	if (*end || !*guest_s || g < 1 || g > 65535 || inet_pton(AF_INET, addr, &in) != 1)
		return -1;
	*host = (unsigned)h;
	*guest = (unsigned)g;
	return 0;
}

int run_net_check(struct run_options *o)
{
	char addr[64];
	unsigned host, guest;

	if (o->nr_ports)
		o->net = true;
	if (o->net && o->xen)
		return cli_error("--net and --port are for QEMU (networking under Xen is still to come)");
	if (o->net && o->record_dir)
		return cli_error("--net and --record together: a recording does not hold the network's "
				 "traffic, so it would not replay (record without --net)");
	for (int i = 0; i < o->nr_ports; i++)
		if (parse_port(o->ports[i], addr, sizeof(addr), &host, &guest) < 0)
			return cli_error("--port '%s': not [HOSTADDR:]HOSTPORT:GUESTPORT (an IPv4 address, "
					 "ports 1-65535)", o->ports[i]);
	return 0;
}

/* The forwards as the session records them: "ADDR:HOST:GUEST ..." (run_net_check passed). */
void run_net_describe(const struct run_options *o, struct session *s)
{
	size_t at = 0;

	snprintf(s->net, sizeof(s->net), "%s", o->net ? "user" : "");
	s->ports[0] = 0;
	for (int i = 0; i < o->nr_ports && at < sizeof(s->ports); i++) {
		char addr[64];
		unsigned host, guest;
		parse_port(o->ports[i], addr, sizeof(addr), &host, &guest);
		at += (size_t)snprintf(s->ports + at, sizeof(s->ports) - at, "%s%s:%u:%u", i ? " " : "", addr,
				       host, guest);
	}
}

/* QEMU's arguments: the user-mode network with the forwards, and the device on it. */
int run_net_qemu_args(const struct run_options *o, const char **argv, char *netdev, size_t cap)
{
	size_t at;
	int n = 0;

	if (!o->net)
		return 0;
	at = (size_t)snprintf(netdev, cap, "user,id=net0");
	for (int i = 0; i < o->nr_ports && at < cap; i++) {
		char addr[64];
		unsigned host, guest;
		parse_port(o->ports[i], addr, sizeof(addr), &host, &guest);
		at += (size_t)snprintf(netdev + at, cap - at, ",hostfwd=tcp:%s:%u-:%u", addr, host, guest);
	}
	argv[n++] = "-netdev";
	argv[n++] = netdev;
	argv[n++] = "-device";
	argv[n++] = "virtio-net-device,netdev=net0";
	argv[n++] = "-global";
	argv[n++] = "virtio-mmio.force-legacy=false";
	return n;
}
