/*
 * uniscope net TARGET: the guest's TCP sockets and connections, as
 * `ss -tanp` shows a Linux host's — state, local and peer address, the
 * receive and send queues, the descriptor and the owning thread — read
 * from guest memory with no help from the guest (introspect/net.c), so it
 * works on a live session, a stopped one, and a core. A live guest is
 * paused for the walk (unless --no-pause): one consistent snapshot.
 */
#include <stdlib.h>
#include "cli.h"
#include "introspect_cli.h"

static void print_queue(uint64_t bytes)
{
	if (bytes == US_NET_UNKNOWN)
		printf(" %7s", "-");
	else
		printf(" %7llu", (unsigned long long)bytes);
}

static void print_owner(const struct us_net_conn *c)
{
	if (c->fd >= 0)
		printf("fd=%d ", c->fd);
	if (c->owner_tid)
		printf("tid=%u(\"%s\")%s", c->owner_tid, c->owner_name, c->owner_blocked ? " blocked" : "");
}

static void print_header(const struct us_net *net)
{
	const uint8_t *m = net->mac;
	const uint8_t *a = (const uint8_t *)&net->ipv4_addr;

	if (net->has_device)
		printf("en0 %02x:%02x:%02x:%02x:%02x:%02x inet %u.%u.%u.%u%s\n", m[0], m[1], m[2], m[3],
		       m[4], m[5], a[0], a[1], a[2], a[3], net->configured ? "" : " (no address yet)");
	else
		printf("no network device (loopback only)\n");
	if (net->have_stats)
		printf("rx %llu packets %llu bytes, tx %llu packets %llu bytes, drops rx %llu tx %llu\n",
		       (unsigned long long)net->stats.rx_packets, (unsigned long long)net->stats.rx_bytes,
		       (unsigned long long)net->stats.tx_packets, (unsigned long long)net->stats.tx_bytes,
		       (unsigned long long)net->stats.rx_drops, (unsigned long long)net->stats.tx_drops);
}

static void print_table(const struct us_net *net)
{
	char local[US_NET_ENDPOINT_MAX], peer[US_NET_ENDPOINT_MAX];

	print_header(net);
	printf("%-11s %7s %7s %-24s %-24s %s\n", "STATE", "RECV-Q", "SEND-Q", "LOCAL", "PEER", "PROCESS");
	for (size_t i = 0; i < net->count; i++) {
		const struct us_net_conn *c = &net->conns[i];

		us_net_endpoint(c, true, local, sizeof(local));
		us_net_endpoint(c, false, peer, sizeof(peer));
		printf("%-11s", us_tcp_state_name(c->state));
		print_queue(c->recv_queue);
		print_queue(c->send_queue);
		printf(" %-24s %-24s ", local, peer);
		print_owner(c);
		putchar('\n');
	}
}

static void print_json_queue(const char *name, uint64_t bytes)
{
	if (bytes == US_NET_UNKNOWN)
		printf(", \"%s\": null", name);
	else
		printf(", \"%s\": %llu", name, (unsigned long long)bytes);
}

static void print_json_conn(const struct us_net_conn *c)
{
	char local[US_NET_ENDPOINT_MAX], peer[US_NET_ENDPOINT_MAX];

	us_net_endpoint(c, true, local, sizeof(local));
	us_net_endpoint(c, false, peer, sizeof(peer));
	printf("{\"state\": \"%s\", \"local\": ", us_tcp_state_name(c->state));
	us_json_string(stdout, local);
	printf(", \"local_port\": %u, \"peer\": ", c->local_port);
	us_json_string(stdout, peer);
	printf(", \"peer_port\": %u", c->remote_port);
	print_json_queue("recv_q", c->recv_queue);
	print_json_queue("send_q", c->send_queue);
	printf(", \"retransmits\": %u, \"fd\": %d, \"socket\": %d, \"owner\": ", c->retransmits, c->fd,
	       c->socket);
	if (c->owner_tid) {
		printf("{\"tid\": %u, \"name\": ", c->owner_tid);
		us_json_string(stdout, c->owner_name);
		printf(", \"blocked\": %s}", c->owner_blocked ? "true" : "false");
	} else {
		printf("null");
	}
	printf(", \"pcb\": ");
	us_json_address(stdout, c->pcb);
	printf(", \"netconn\": ");
	us_json_address(stdout, c->netconn);
	printf("}");
}

static void print_json(const struct us_net *net, const char *error)
{
	const struct uniscope_net_stats *s = &net->stats;

	printf("{\"device\": %s, \"configured\": %s", net->has_device ? "true" : "false",
	       net->configured ? "true" : "false");
	if (net->have_stats)
		printf(", \"stats\": {\"rx_packets\": %llu, \"rx_bytes\": %llu, \"tx_packets\": %llu, "
		       "\"tx_bytes\": %llu, \"rx_drops\": %llu, \"tx_drops\": %llu, \"link_up\": %s}",
		       (unsigned long long)s->rx_packets, (unsigned long long)s->rx_bytes,
		       (unsigned long long)s->tx_packets, (unsigned long long)s->tx_bytes,
		       (unsigned long long)s->rx_drops, (unsigned long long)s->tx_drops,
		       s->link_up ? "true" : "false");
	printf(", \"connections\": [");
	for (size_t i = 0; i < net->count; i++) {
		printf(i ? ",\n  " : "\n  ");
		print_json_conn(&net->conns[i]);
	}
	printf("\n], \"error\": ");
	us_json_string(stdout, error); /* null when none */
	printf("}\n");
}

int cmd_net(int argc, char **argv)
{
	struct cli_target_args a;
	struct us_error *err;
	struct us_target *t;
	struct us_net net;
	int status;

	if ((status = cli_target_parse(argc, argv, &a, 1, 1)))
		return status;
	if (!(t = cli_target_open_paused(&a)))
		return 1;
	err = us_target_net(t, &net);
	status = cli_target_resume(t, &a, 0);
	if (err && err->code == US_ERR_NOT_FOUND && !net.count) {
		us_net_release(&net);
		us_target_close(t);
		return cli_report(err);
	}
	if (a.json)
		print_json(&net, err ? err->message : NULL);
	else
		print_table(&net);
	if (err)
		status = cli_report(err);
	us_net_release(&net);
	us_target_close(t);
	return status;
}
