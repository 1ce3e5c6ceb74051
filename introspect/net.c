/*
 * The guest's TCP connections, read from its memory with no help from it
 * (`uniscope net`, report, top): lwIP's PCB lists and the libOS's socket
 * table, through the network descriptor (uniscope_info.net ->
 * struct uniscope_net_info, include/uniscope/abi.h). Nothing here knows
 * lwIP's layout: every offset comes from the descriptor, and the
 * descriptor is checked first (each offset plus its field's size inside
 * the structure it describes, the structures of a sane size).
 *
 * Each list (listening, active, TIME-WAIT) is walked with the bounds the
 * thread walk has: at most UNISCOPE_NET_MAX_PCBS nodes, Brent's cycle
 * detection, every node copied whole into a local buffer before a field
 * is decoded. A list that loops, or a node that cannot be read, ends the
 * walk with an error naming the list and the node; what was read before
 * is kept.
 *
 * Who owns a connection: its netconn (the PCB's callback_arg) names the
 * socket table's entry (netconn.socket), whose owner_tid is the thread
 * that last called on it; a thread blocked in the stack (wait reason net)
 * on one of the netconn's mailboxes or its semaphore owns it more surely,
 * and is named instead.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

#define NET_STRUCT_MAX 4096u    /* a PCB, a netconn, a socket: larger is absurd */
#define IPADDR_TYPE_V6 6
#define IPADDR_TYPE_ANY 46

static const char *const tcp_state_names[] = {
	"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECV", "ESTAB", "FIN-WAIT-1", "FIN-WAIT-2",
	"CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
};

const char *us_tcp_state_name(uint32_t state)
{
	return state < sizeof(tcp_state_names) / sizeof(tcp_state_names[0]) ? tcp_state_names[state] : "?";
}

/* ---- checking the descriptor ------------------------------------------ */

static bool field_fits(uint32_t off, uint32_t width, uint32_t size)
{
	return size <= NET_STRUCT_MAX && off <= size && width <= size - off;
}

static struct us_error *check_tcp_layout(const struct uniscope_tcp_pcb_layout *l)
{
	uint32_t s = l->size, ls = l->listen_size, w = l->wnd_size;
	bool ok = s >= 8 && ls >= 8 && (w == 2 || w == 4) && field_fits(l->off_next, 8, ls) &&
		  field_fits(l->off_state, 4, ls) && field_fits(l->off_local_ip, 16, ls) &&
		  field_fits(l->off_local_port, 2, ls) && field_fits(l->off_callback_arg, 8, ls) &&
		  field_fits(l->off_next, 8, s) && field_fits(l->off_state, 4, s) &&
		  field_fits(l->off_local_ip, 16, s) && field_fits(l->off_remote_ip, 16, s) &&
		  field_fits(l->off_local_port, 2, s) && field_fits(l->off_remote_port, 2, s) &&
		  field_fits(l->off_callback_arg, 8, s) && field_fits(l->off_snd_buf, w, s) &&
		  field_fits(l->off_snd_queuelen, 2, s) && field_fits(l->off_rcv_wnd, w, s) &&
		  field_fits(l->off_unacked, 8, s) && field_fits(l->off_nrtx, 1, s) &&
		  (!l->off_backlog || field_fits(l->off_backlog, 1, ls));

	if (ok && l->addr_type_offset != ~0u)
		ok = l->addr_type_offset >= 16 && l->addr_type_offset < 32 &&
		     field_fits(l->off_local_ip + l->addr_type_offset, 1, ls) &&
		     field_fits(l->off_remote_ip + l->addr_type_offset, 1, s);
	return ok ? NULL : us_error_create(US_ERR_INVALID, "the network descriptor's TCP PCB layout is absurd");
}

static struct us_error *check_socket_layout(const struct uniscope_net_info *n)
{
	const struct uniscope_socket_layout *l = &n->socket;
	uint32_t s = l->socket_size;
	bool ok = n->nr_sockets <= UNISCOPE_NET_MAX_SOCKETS && (!n->nr_sockets || s >= 8) &&
		  (!n->nr_sockets || (field_fits(l->socket_off_conn, 8, s) &&
				      field_fits(l->socket_off_fd, 4, s) &&
				      field_fits(l->socket_off_owner_tid, 4, s) &&
				      field_fits(l->socket_off_rx_pending, 4, s) &&
				      (!l->socket_off_rcvevent || field_fits(l->socket_off_rcvevent, 4, s)) &&
				      (!n->socket_off_call_seq || field_fits(n->socket_off_call_seq, 8, s)))) &&
		  l->netconn_off_socket <= NET_STRUCT_MAX - 4;

	return ok ? NULL : us_error_create(US_ERR_INVALID, "the network descriptor's socket layout is absurd");
}

static struct us_error *read_descriptor(struct us_target *t, struct uniscope_net_info *n)
{
	const struct uniscope_info *info = us_target_info(t);
	struct us_error *err;

	if (!info)
		return us_target_info_error(t);
	if (!info->net)
		return us_error_create(US_ERR_NOT_FOUND,
				       "%s: no network stack in this image (it never calls socket())",
				       us_target_name(t));
	if ((err = us_target_read(t, info->net, n, sizeof(*n))))
		return us_error_prefix(err, "network descriptor at 0x%llx", (unsigned long long)info->net);
	if (n->magic != UNISCOPE_NET_MAGIC || n->version != UNISCOPE_NET_VERSION || n->size < sizeof(*n))
		return us_error_create(US_ERR_INVALID,
				       "network descriptor at 0x%llx: bad magic, version %u or size %u "
				       "(an image from another uniscope?)",
				       (unsigned long long)info->net, n->version, n->size);
	if ((err = check_tcp_layout(&n->tcp)))
		return err;
	return check_socket_layout(n);
}

/* ---- decoding --------------------------------------------------------- */

static uint64_t get_u(const uint8_t *node, uint32_t off, uint32_t width)
{
	uint64_t v = 0;

	memcpy(&v, node + off, width); /* little endian */
	return v;
}

static void decode_address(const struct uniscope_tcp_pcb_layout *l, const uint8_t *node, uint32_t off,
			   uint8_t ip[16], uint8_t *type)
{
	memcpy(ip, node + off, 16);
	*type = l->addr_type_offset == ~0u ? 0 : node[off + l->addr_type_offset];
}

static void decode_pcb(const struct uniscope_tcp_pcb_layout *l, const uint8_t *node, bool listening,
		       uint64_t address, struct us_net_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->pcb = address;
	c->fd = c->socket = -1;
	c->state = (uint32_t)get_u(node, l->off_state, 4);
	c->netconn = get_u(node, l->off_callback_arg, 8);
	c->local_port = (uint16_t)get_u(node, l->off_local_port, 2);
	decode_address(l, node, l->off_local_ip, c->local_ip, &c->local_type);
	c->recv_queue = c->send_queue = US_NET_UNKNOWN;
	if (listening) { /* no peer; Send-Q is the backlog, as ss shows it (Recv-Q: join_socket) */
		c->remote_type = IPADDR_TYPE_ANY;
		if (l->off_backlog)
			c->send_queue = node[l->off_backlog];
		return;
	}
	c->remote_port = (uint16_t)get_u(node, l->off_remote_port, 2);
	decode_address(l, node, l->off_remote_ip, c->remote_ip, &c->remote_type);
	c->retransmits = (uint8_t)get_u(node, l->off_nrtx, 1);
	if (l->wnd_max) {
		uint64_t wnd = get_u(node, l->off_rcv_wnd, l->wnd_size);
		c->recv_queue = wnd <= l->wnd_max ? l->wnd_max - wnd : 0;
	}
	if (l->snd_buf_max) {
		uint64_t room = get_u(node, l->off_snd_buf, l->wnd_size);
		c->send_queue = room <= l->snd_buf_max ? l->snd_buf_max - room : 0;
	}
}

/* ---- walking the lists ------------------------------------------------ */

struct net_walk {
	struct us_target *t;
	const struct uniscope_net_info *info;
	uint8_t node[NET_STRUCT_MAX];
	struct us_net *out;
	size_t cap;
};

static struct us_error *append(struct net_walk *w, const struct us_net_conn *c)
{
	if (w->out->count == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct us_net_conn *more = realloc(w->out->conns, cap * sizeof(*more));

		if (!more)
			return &us_error_nomem;
		w->out->conns = more;
		w->cap = cap;
	}
	w->out->conns[w->out->count++] = *c;
	return NULL;
}

static struct us_error *walk_list(struct net_walk *w, const char *name, uint64_t head_at, bool listening)
{
	const struct uniscope_tcp_pcb_layout *l = &w->info->tcp;
	uint32_t span = listening ? l->listen_size : l->size;
	uint64_t node, mark = 0, power = 1, lambda = 0;
	struct us_net_conn c;
	struct us_error *err;

	if (!head_at)
		return NULL;
	if ((err = us_target_read_u64(w->t, head_at, &node)))
		return us_error_prefix(err, "%s: list head at 0x%llx", name, (unsigned long long)head_at);
	for (uint32_t n = 0; node; n++) {
		if (n == UNISCOPE_NET_MAX_PCBS)
			return us_error_create(US_ERR_INVALID, "%s: more than %u PCBs (a corrupt list?)", name,
					       UNISCOPE_NET_MAX_PCBS);
		if (node == mark)
			return us_error_create(US_ERR_INVALID, "%s: the list loops back to PCB 0x%llx", name,
					       (unsigned long long)node);
		if (++lambda == power) { /* Brent: move the mark forward */
			mark = node;
			power *= 2;
			lambda = 0;
		}
		if ((err = us_target_read(w->t, node, w->node, span)))
			return us_error_prefix(err, "%s: PCB at 0x%llx", name, (unsigned long long)node);
		decode_pcb(l, w->node, listening, node, &c);
		if ((err = append(w, &c)))
			return err;
		node = get_u(w->node, l->off_next, 8);
	}
	return NULL;
}

/* ---- sockets and owners ----------------------------------------------- */

/* A read whose failure only means "not known": true when it worked. */
static bool read_quietly(struct us_target *t, uint64_t vaddr, void *buf, size_t len)
{
	struct us_error *err = us_target_read(t, vaddr, buf, len);

	us_error_destroy(err);
	return !err;
}

static void join_socket(struct net_walk *w, struct us_net_conn *c)
{
	const struct uniscope_net_info *n = w->info;
	const struct uniscope_socket_layout *l = &n->socket;
	uint32_t index;
	uint8_t *s = w->node;

	if (!c->netconn || !read_quietly(w->t, c->netconn + l->netconn_off_socket, &index, 4) ||
	    index >= n->nr_sockets)
		return;
	if (!read_quietly(w->t, n->sockets + (uint64_t)index * l->socket_size, s, l->socket_size) ||
	    get_u(s, l->socket_off_conn, 8) != c->netconn)
		return; /* not (or no longer) this connection's entry */
	c->socket = (int32_t)index;
	c->fd = (int32_t)get_u(s, l->socket_off_fd, 4);
	c->owner_tid = (uint32_t)get_u(s, l->socket_off_owner_tid, 4);
	if (n->socket_off_call_seq)
		c->call_seq = get_u(s, n->socket_off_call_seq, 8);
	if (c->state == US_TCP_LISTEN && l->socket_off_rcvevent) {
		int32_t waiting = (int32_t)get_u(s, l->socket_off_rcvevent, 4);
		c->recv_queue = waiting > 0 ? (uint64_t)waiting : 0; /* the accept queue */
	} else if (c->recv_queue != US_NET_UNKNOWN) {
		c->recv_queue += (uint32_t)get_u(s, l->socket_off_rx_pending, 4);
	}
}

/* The netconn a thread blocked in the stack waits in, or 0. */
static uint64_t waited_netconn(const struct uniscope_socket_layout *l, const struct us_thread *th,
			       uint64_t netconn)
{
	uint64_t o = th->wait_object;

	if (th->wait_reason != UNISCOPE_WAIT_NET || !o)
		return 0;
	if (o - l->netconn_off_recvmbox == netconn || o - l->netconn_off_acceptmbox == netconn ||
	    o - l->netconn_off_op_completed == netconn)
		return netconn;
	return 0;
}

static void name_owners(struct net_walk *w)
{
	struct us_thread *threads = NULL;
	size_t count = 0;

	us_error_destroy(us_target_threads(w->t, &threads, &count)); /* what it read is enough */
	for (size_t i = 0; i < w->out->count; i++) {
		struct us_net_conn *c = &w->out->conns[i];

		for (size_t j = 0; j < count && c->netconn; j++)
			if (waited_netconn(&w->info->socket, &threads[j], c->netconn)) {
				c->owner_tid = threads[j].id;
				c->owner_blocked = true;
			}
		for (size_t j = 0; j < count && c->owner_tid; j++)
			if (threads[j].id == c->owner_tid)
				snprintf(c->owner_name, sizeof(c->owner_name), "%s", threads[j].name);
	}
	free(threads);
}

/* ---- the whole picture ------------------------------------------------ */

static void copy_interface(const struct uniscope_net_info *n, struct us_net *out)
{
	out->has_device = n->has_device;
	out->configured = n->configured;
	memcpy(out->mac, n->mac, sizeof(out->mac));
	out->ipv4_addr = n->ipv4_addr;
	out->ipv4_netmask = n->ipv4_netmask;
	out->ipv4_gateway = n->ipv4_gateway;
}

struct us_error *us_target_net_stats(struct us_target *t, struct uniscope_net_stats *stats)
{
	struct uniscope_net_info n;
	struct us_error *err;

	if ((err = read_descriptor(t, &n)))
		return err;
	if (!n.stats)
		return us_error_create(US_ERR_NOT_FOUND, "%s: the network descriptor has no statistics",
				       us_target_name(t));
	if ((err = us_target_read(t, n.stats, stats, sizeof(*stats))))
		return us_error_prefix(err, "network statistics at 0x%llx", (unsigned long long)n.stats);
	return NULL;
}

struct us_error *us_target_net(struct us_target *t, struct us_net *out)
{
	struct uniscope_net_info info;
	struct net_walk *w;
	struct us_error *err;

	memset(out, 0, sizeof(*out));
	if ((err = read_descriptor(t, &info)))
		return err;
	copy_interface(&info, out);
	if ((err = us_target_net_stats(t, &out->stats)))
		us_error_destroy(err);
	else
		out->have_stats = true;
	if (!(w = calloc(1, sizeof(*w))))
		return &us_error_nomem;
	*w = (struct net_walk){ .t = t, .info = &info, .out = out };
	if (!(err = walk_list(w, "tcp_listen_pcbs", info.tcp_listen_pcbs, true)) &&
	    !(err = walk_list(w, "tcp_active_pcbs", info.tcp_active_pcbs, false)))
		err = walk_list(w, "tcp_tw_pcbs", info.tcp_tw_pcbs, false);
	for (size_t i = 0; i < out->count; i++)
		join_socket(w, &out->conns[i]);
	name_owners(w);
	free(w);
	return err;
}

void us_net_release(struct us_net *net)
{
	free(net->conns);
	net->conns = NULL;
	net->count = 0;
}

/* "10.0.2.15:8080", "[fe80::1]:22", "*:8080" (any address), "*:*" (no peer). */
void us_net_endpoint(const struct us_net_conn *c, bool local, char *buf, size_t cap)
{
	const uint8_t *ip = local ? c->local_ip : c->remote_ip;
	uint8_t type = local ? c->local_type : c->remote_type;
	uint16_t port = local ? c->local_port : c->remote_port;
	static const uint8_t zero[16];
	char host[INET6_ADDRSTRLEN + 2] = "*";

	if (type == IPADDR_TYPE_V6) {
		host[0] = '[';
		inet_ntop(AF_INET6, ip, host + 1, INET6_ADDRSTRLEN);
		strcat(host, "]");
	} else if (type != IPADDR_TYPE_ANY || memcmp(ip, zero, 16)) {
		inet_ntop(AF_INET, ip, host, sizeof(host));
	}
	if (port)
		snprintf(buf, cap, "%s:%u", host, port);
	else
		snprintf(buf, cap, "%s:*", host);
}
