/*
 * Sockets (socket.h): the table, the descriptor object, readiness from
 * lwIP's netconn callback, and the connection calls: socket, bind,
 * listen, accept/accept4, connect, shutdown, getsockname, getpeername.
 *
 * Every application pointer is checked before lwIP runs (a bad one is
 * -EFAULT and nothing happened: accept checks where the peer's address
 * goes before it takes a connection); every length and family is checked
 * as Linux checks it (sockarg.c).
 */
#include <string.h>
#include "kern/kern.h"
#include "arch/x86_64/cpu.h"
#include "lwip/tcpip.h"
#include "lwip/priv/tcp_priv.h"
#include "socket.h"
#include "tcp_trace.h"
#include "net.h"

struct socket sockets[MAX_SOCKETS];
static uint64_t socket_calls; /* stamps socket.call_seq */

static void socket_release(struct fd_object *o);

const struct fd_ops socket_ops = {
	.st_mode = LINUX_S_IFSOCK | 0777,
	.read = socket_read,
	.write = socket_write,
	.readv = socket_readv,
	.writev = socket_writev,
	.ioctl = socket_ioctl,
	.poll = socket_poll,
	.release = socket_release,
};

int64_t lwip_to_errno(err_t err)
{
	switch (err) {
	case ERR_OK: return 0;
	case ERR_MEM: return -LINUX_ENOMEM;
	case ERR_BUF: return -LINUX_ENOBUFS;
	case ERR_TIMEOUT: return -LINUX_EAGAIN;
	case ERR_RTE: return -LINUX_EHOSTUNREACH;
	case ERR_INPROGRESS: return -LINUX_EINPROGRESS;
	case ERR_VAL: return -LINUX_EINVAL;
	case ERR_WOULDBLOCK: return -LINUX_EAGAIN;
	case ERR_USE: return -LINUX_EADDRINUSE;
	case ERR_ALREADY: return -LINUX_EALREADY;
	case ERR_ISCONN: return -LINUX_EISCONN;
	case ERR_CONN: return -LINUX_ENOTCONN;
	case ERR_IF: return -LINUX_ENETDOWN;
	case ERR_ABRT: return -LINUX_ECONNABORTED;
	case ERR_RST: return -LINUX_ECONNRESET;
	case ERR_CLSD: return -LINUX_ENOTCONN;
	case ERR_ARG: return -LINUX_EINVAL;
	default: return -LINUX_EIO;
	}
}

/* ---- readiness ---------------------------------------------------------------- */

uint32_t socket_poll(struct fd_object *o)
{
	struct socket *so = (struct socket *)o;
	uint32_t events = 0;

	if (so->rx_pbuf || so->rx_netbuf || so->rcvevent > 0 || so->eof)
		events |= LINUX_POLLIN | LINUX_POLLRDNORM;
	if (so->eof)
		events |= LINUX_POLLRDHUP;
	if (so->sendevent && !so->listening)
		events |= LINUX_POLLOUT | LINUX_POLLWRNORM;
	if (so->errevent || so->pending_error)
		events |= LINUX_POLLERR;
	if (so->errevent && so->type == LINUX_SOCK_STREAM)
		events |= LINUX_POLLHUP | LINUX_POLLIN;
	return events;
}

/* lwIP's news about a netconn: tcpip thread, or a caller holding the core lock. */
static void conn_event(struct netconn *conn, enum netconn_evt evt, u16_t len)
{
	int s = conn->socket;
	struct socket *so;
	uint64_t flags;

	(void)len;
	if (s < 0) { /* accepted, no socket yet: count what it will find */
		if (evt == NETCONN_EVT_RCVPLUS)
			conn->socket--;
		return;
	}
	if (s >= MAX_SOCKETS || sockets[s].conn != conn)
		return;
	so = &sockets[s];
	flags = irq_save();
	switch (evt) {
	case NETCONN_EVT_RCVPLUS: so->rcvevent++; break;
	case NETCONN_EVT_RCVMINUS: so->rcvevent--; break;
	case NETCONN_EVT_SENDPLUS:
		so->sendevent = true;
		if (so->type == LINUX_SOCK_STREAM && conn->pcb.tcp && conn->pcb.tcp->state == ESTABLISHED)
			so->established = true;
		break;
	case NETCONN_EVT_SENDMINUS: so->sendevent = false; break;
	case NETCONN_EVT_ERROR: so->errevent = true; break;
	}
	irq_restore(flags);
	if (evt == NETCONN_EVT_ERROR)
		tcp_trace_error(so, conn->pending_err);
	else
		tcp_trace_event(so);
	fd_notify(&so->object, socket_poll(&so->object));
}

/* ---- the table ------------------------------------------------------------------ */

static struct socket *socket_alloc(struct netconn *conn, uint16_t family, uint16_t type)
{
	uint64_t flags = irq_save();
	struct socket *so = 0;

	for (int i = 0; i < MAX_SOCKETS && !so; i++) {
		if (sockets[i].conn)
			continue;
		so = &sockets[i];
		*so = (struct socket){ .conn = conn, .family = family, .type = type, .fd = -1,
				       .linger_seconds = -1 };
		socket_touch(so);
		fd_object_init(&so->object, &socket_ops);
	}
	irq_restore(flags);
	return so;
}

static int socket_index(const struct socket *so)
{
	return (int)(so - sockets);
}

/* Detaches the netconn from the socket (no more callbacks), then deletes it. */
static void socket_release(struct fd_object *o)
{
	struct socket *so = (struct socket *)o;
	struct netconn *conn = so->conn;

	tcp_trace_close(so);
	if (so->rx_pbuf)
		pbuf_free(so->rx_pbuf);
	if (so->rx_netbuf)
		netbuf_delete(so->rx_netbuf);
	LOCK_TCPIP_CORE();
	conn->callback = 0;
	conn->socket = -1;
	if (so->linger_abort && NETCONNTYPE_GROUP(conn->type) == NETCONN_TCP && conn->pcb.tcp &&
	    conn->pcb.tcp->state != LISTEN)
		tcp_abort(conn->pcb.tcp); /* SO_LINGER {1, 0}: a reset, not a FIN */
	UNLOCK_TCPIP_CORE();
	netconn_delete(conn);
	uint64_t flags = irq_save();
	so->conn = 0;
	irq_restore(flags);
}

/* A new socket's descriptor, with SOCK_NONBLOCK and SOCK_CLOEXEC applied. */
static int64_t socket_install(struct socket *so, int flags)
{
	int fd;

	if (flags & LINUX_SOCK_NONBLOCK)
		so->object.status |= LINUX_O_NONBLOCK;
	fd = fd_install(&so->object, (flags & LINUX_SOCK_CLOEXEC) != 0);
	if (fd >= 0)
		so->fd = fd;
	return fd;
}

int64_t socket_get(int fd, struct socket **out)
{
	struct fd_object *o = fd_get(fd);

	if (!o)
		return fd >= 0 && fd < FD_MAX && (fd < 3 || fs_valid_fd(fd)) ? -LINUX_ENOTSOCK : -LINUX_EBADF;
	if (o->ops != &socket_ops) {
		fd_put(o);
		return -LINUX_ENOTSOCK;
	}
	*out = (struct socket *)o;
	socket_touch(*out);
	return 0;
}

void socket_touch(struct socket *so)
{
	so->owner_tid = current->id;
	so->call_seq = __atomic_add_fetch(&socket_calls, 1, __ATOMIC_RELAXED);
}

void socket_put(struct socket *so)
{
	fd_put(&so->object);
}

/* ---- addresses ------------------------------------------------------------------- */

static void sa_from_ip(const ip_addr_t *ip, uint16_t port, struct sa_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->port = port;
	if (IP_IS_V4(ip)) {
		a->family = SA_AF_INET;
		a->v4 = ip4_addr_get_u32(ip_2_ip4(ip));
	} else {
		a->family = SA_AF_INET6;
		memcpy(a->v6, ip_2_ip6(ip)->addr, 16);
	}
}

int64_t socket_address_out(struct socket *so, const ip_addr_t *ip, uint16_t port, uint64_t uaddr, uint64_t ulen)
{
	uint8_t buf[SA_SOCKADDR_IN6_LEN];
	struct sa_addr a;
	int32_t len;
	uint32_t n;

	if (!uaddr)
		return 0;
	if (copy_from_user(&len, ulen, sizeof(len)) < 0)
		return -LINUX_EFAULT;
	if (len < 0)
		return -LINUX_EINVAL;
	sa_from_ip(ip, port, &a);
	n = sa_format(&a, so->family, buf);
	if (copy_to_user(uaddr, buf, (uint32_t)len < n ? (uint32_t)len : n) < 0 ||
	    copy_to_user(ulen, &n, sizeof(n)) < 0)
		return -LINUX_EFAULT;
	return 0;
}

int64_t socket_copy_address(struct socket *so, bool local, uint64_t uaddr, uint64_t ulen)
{
	ip_addr_t ip;
	uint16_t port;
	err_t err = netconn_getaddr(so->conn, &ip, &port, local);

	if (err != ERR_OK)
		return err == ERR_CONN ? -LINUX_ENOTCONN : lwip_to_errno(err);
	return socket_address_out(so, &ip, port, uaddr, ulen);
}

static void ip_from_sa(const struct sa_addr *a, ip_addr_t *ip)
{
	if (a->family == SA_AF_INET || a->v4_mapped) {
		ip_addr_set_ip4_u32_val(*ip, a->v4);
		return;
	}
	IP_ADDR6(ip, 0, 0, 0, 0);
	memcpy(ip_2_ip6(ip)->addr, a->v6, 16);
	ip6_addr_clear_zone(ip_2_ip6(ip));
}

int64_t socket_address_in(struct socket *so, uint64_t uaddr, uint64_t len, ip_addr_t *ip, uint16_t *port,
			  bool for_bind)
{
	uint8_t buf[SA_SOCKADDR_MAX];
	struct sa_addr a;
	int err;

	if (sa_check_len((uint32_t)len, SA_SOCKADDR_MAX) < 0 || len >> 32)
		return -LINUX_EINVAL;
	if (copy_from_user(buf, uaddr, len) < 0)
		return -LINUX_EFAULT;
	if ((err = sa_parse(buf, (uint32_t)len, so->family, &a)) < 0)
		return err;
	if (for_bind && so->family == LINUX_AF_INET6 && a.family == SA_AF_INET)
		return -LINUX_EAFNOSUPPORT; /* Linux binds an IPv6 socket to IPv6 addresses only */
	*port = a.port;
	if (for_bind && a.any && so->family == LINUX_AF_INET6 && !so->v6only)
		*ip = *IP_ANY_TYPE; /* dual stack: IPv4 and IPv6 */
	else
		ip_from_sa(&a, ip);
	return 0;
}

/* ---- the syscalls ---------------------------------------------------------------- */

static enum netconn_type netconn_type_for(int family, int type)
{
	if (type == LINUX_SOCK_STREAM)
		return family == LINUX_AF_INET6 ? NETCONN_TCP_IPV6 : NETCONN_TCP;
	return family == LINUX_AF_INET6 ? NETCONN_UDP_IPV6 : NETCONN_UDP;
}

static int64_t check_socket_args(int family, int type, int protocol)
{
	if (family != LINUX_AF_INET && family != LINUX_AF_INET6) {
		posix_unsupported("socket family (only AF_INET and AF_INET6), which returns -EAFNOSUPPORT",
				  (uint64_t)family);
		return -LINUX_EAFNOSUPPORT;
	}
	if (type != LINUX_SOCK_STREAM && type != LINUX_SOCK_DGRAM)
		return -LINUX_EINVAL;
	if (protocol && protocol != (type == LINUX_SOCK_STREAM ? LINUX_IPPROTO_TCP : LINUX_IPPROTO_UDP))
		return -LINUX_EPROTONOSUPPORT;
	return 0;
}

SYSCALL_HANDLER(socket)
{
	int family = (int)args->a[0], type = (int)args->a[1] & 0xf, flags = (int)args->a[1] & ~0xf;
	struct netconn *conn;
	struct socket *so;
	int64_t err;

	if ((err = check_socket_args(family, type, (int)args->a[2])) < 0)
		return err;
	if (flags & ~(LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC))
		return -LINUX_EINVAL;
	conn = netconn_new_with_callback(netconn_type_for(family, type), conn_event);
	if (!conn)
		return -LINUX_ENOBUFS;
	if (!(so = socket_alloc(conn, (uint16_t)family, (uint16_t)type))) {
		netconn_delete(conn);
		return -LINUX_ENFILE;
	}
	so->sendevent = type == LINUX_SOCK_DGRAM;
	LOCK_TCPIP_CORE();
	conn->socket = socket_index(so);
	UNLOCK_TCPIP_CORE();
	return socket_install(so, flags);
}

SYSCALL_HANDLER(socketpair)
{
	(void)args;
	posix_unsupported("socketpair (no AF_UNIX sockets), which returns -EOPNOTSUPP", 0);
	return -LINUX_EOPNOTSUPP;
}

SYSCALL_HANDLER(bind)
{
	struct socket *so;
	ip_addr_t ip;
	uint16_t port;
	int64_t err = socket_get((int)args->a[0], &so);

	if (err < 0)
		return err;
	if ((err = socket_address_in(so, args->a[1], (uint32_t)args->a[2], &ip, &port, true)) == 0)
		err = lwip_to_errno(netconn_bind(so->conn, &ip, port));
	socket_put(so);
	return err;
}

SYSCALL_HANDLER(listen)
{
	struct socket *so;
	int backlog = (int)args->a[1];
	int64_t err = socket_get((int)args->a[0], &so);

	if (err < 0)
		return err;
	if (so->type != LINUX_SOCK_STREAM) {
		socket_put(so);
		return -LINUX_EOPNOTSUPP;
	}
	backlog = backlog < 1 ? 1 : backlog > 255 ? 255 : backlog;
	err = lwip_to_errno(netconn_listen_with_backlog(so->conn, (u8_t)backlog));
	if (!err)
		so->listening = true;
	socket_put(so);
	return err;
}

/* Where a peer's address goes must be writable before a connection or datagram is taken. */
int64_t socket_check_address_out(uint64_t uaddr, uint64_t ulen)
{
	int32_t len;

	if (!uaddr)
		return 0;
	if (!user_ok(ulen, sizeof(len), true) || copy_from_user(&len, ulen, sizeof(len)) < 0)
		return -LINUX_EFAULT;
	if (len < 0)
		return -LINUX_EINVAL;
	return user_ok(uaddr, (uint32_t)len, true) ? 0 : -LINUX_EFAULT;
}

/* The accepted connection's socket: events it had before it had one become its count. */
static struct socket *adopt(struct socket *listener, struct netconn *conn)
{
	struct socket *so = socket_alloc(conn, listener->family, listener->type);

	if (!so)
		return 0;
	so->sendevent = so->established = true;
	LOCK_TCPIP_CORE();
	so->rcvevent = -1 - conn->socket;
	conn->socket = socket_index(so);
	UNLOCK_TCPIP_CORE();
	return so;
}

static int64_t do_accept(int fd, uint64_t uaddr, uint64_t ulen, int flags)
{
	struct socket *so, *new_so;
	struct netconn *conn;
	int64_t err = socket_get(fd, &so);

	if (err < 0)
		return err;
	if (flags & ~(LINUX_SOCK_NONBLOCK | LINUX_SOCK_CLOEXEC))
		err = -LINUX_EINVAL;
	else if (!so->listening)
		err = -LINUX_EINVAL;
	else
		err = socket_check_address_out(uaddr, ulen);
	if (err < 0)
		goto out;
	netconn_set_nonblocking(so->conn, fd_nonblocking(&so->object));
	if ((err = lwip_to_errno(netconn_accept(so->conn, &conn))) < 0)
		goto out;
	if (!(new_so = adopt(so, conn))) {
		netconn_delete(conn);
		err = -LINUX_ENFILE;
		goto out;
	}
	if ((err = socket_copy_address(new_so, false, uaddr, ulen)) == -LINUX_ENOTCONN)
		err = 0; /* reset already: its reads say so */
	err = err < 0 ? err : socket_install(new_so, flags);
	if (err < 0)
		socket_put(new_so);
	else
		tcp_trace_accept(so, new_so);
out:
	socket_put(so);
	return err;
}

SYSCALL_HANDLER(accept)
{
	return do_accept((int)args->a[0], args->a[1], args->a[2], 0);
}

SYSCALL_HANDLER(accept4)
{
	return do_accept((int)args->a[0], args->a[1], args->a[2], (int)args->a[3]);
}

/* A refused or failed connection: what Linux says for it. */
static int64_t connect_error(err_t err)
{
	if (err == ERR_RST || err == ERR_CLSD)
		return -LINUX_ECONNREFUSED;
	if (err == ERR_ABRT || err == ERR_TIMEOUT)
		return -LINUX_ETIMEDOUT;
	return lwip_to_errno(err);
}

SYSCALL_HANDLER(connect)
{
	struct socket *so;
	ip_addr_t ip;
	uint16_t port;
	err_t lerr;
	int64_t err = socket_get((int)args->a[0], &so);

	if (err < 0)
		return err;
	if ((err = socket_address_in(so, args->a[1], (uint32_t)args->a[2], &ip, &port, false)) < 0)
		goto out;
	netconn_set_nonblocking(so->conn, fd_nonblocking(&so->object));
	lerr = netconn_connect(so->conn, &ip, port);
	err = lerr == ERR_INPROGRESS ? -LINUX_EINPROGRESS : connect_error(lerr);
	if (lerr == ERR_OK && so->type == LINUX_SOCK_STREAM)
		so->sendevent = so->established = true;
out:
	socket_put(so);
	return err;
}

SYSCALL_HANDLER(shutdown)
{
	struct socket *so;
	int how = (int)args->a[1];
	int64_t err = socket_get((int)args->a[0], &so);

	if (err < 0)
		return err;
	if (how < LINUX_SHUT_RD || how > LINUX_SHUT_RDWR)
		err = -LINUX_EINVAL;
	else if (so->type != LINUX_SOCK_STREAM || !so->conn->pcb.tcp)
		err = -LINUX_ENOTCONN;
	else
		err = lwip_to_errno(netconn_shutdown(so->conn, how != LINUX_SHUT_WR, how != LINUX_SHUT_RD));
	if (!err && how != LINUX_SHUT_WR) {
		so->eof = true;
		fd_notify(&so->object, socket_poll(&so->object));
	}
	socket_put(so);
	return err;
}

static int64_t name_of(const struct syscall_args *args, bool local)
{
	struct socket *so;
	int64_t err = socket_get((int)args->a[0], &so);

	if (err < 0)
		return err;
	if (!args->a[1] || !args->a[2])
		err = -LINUX_EFAULT;
	else
		err = socket_copy_address(so, local, args->a[1], args->a[2]);
	socket_put(so);
	return err;
}

SYSCALL_HANDLER(getsockname)
{
	return name_of(args, true);
}

SYSCALL_HANDLER(getpeername)
{
	return name_of(args, false);
}

#define SOCKET_SYSCALLS(X) X(socket) X(socketpair) X(bind) X(listen) X(accept) X(accept4) X(connect) \
	X(shutdown) X(getsockname) X(getpeername)

void socket_register(void)
{
#define REGISTER(name) syscall_register(SYS_##name, sys_##name);
	SOCKET_SYSCALLS(REGISTER)
#undef REGISTER
	sock_io_register();
	sockopt_register();
}

void socket_describe(struct uniscope_net_info *info)
{
	info->sockets = (uint64_t)sockets;
	info->nr_sockets = MAX_SOCKETS;
	info->socket = (struct uniscope_socket_layout){
		.netconn_off_pcb = (uint32_t)offsetof(struct netconn, pcb),
		.netconn_off_type = (uint32_t)offsetof(struct netconn, type),
		.netconn_off_recv_avail = (uint32_t)offsetof(struct netconn, recv_avail),
		.socket_size = sizeof(struct socket),
		.socket_off_conn = (uint32_t)offsetof(struct socket, conn),
		.socket_off_fd = (uint32_t)offsetof(struct socket, fd),
		.socket_off_family = (uint32_t)offsetof(struct socket, family),
		.socket_off_type = (uint32_t)offsetof(struct socket, type),
		.socket_off_owner_tid = (uint32_t)offsetof(struct socket, owner_tid),
		.socket_off_rx_pending = (uint32_t)offsetof(struct socket, rx_pending),
		.netconn_off_recvmbox = (uint32_t)offsetof(struct netconn, recvmbox),
		.netconn_off_acceptmbox = (uint32_t)offsetof(struct netconn, acceptmbox),
		.netconn_off_op_completed = (uint32_t)offsetof(struct netconn, op_completed),
		.netconn_off_socket = (uint32_t)offsetof(struct netconn, socket),
		.netconn_off_state = (uint32_t)offsetof(struct netconn, state),
		.socket_off_rcvevent = (uint32_t)offsetof(struct socket, rcvevent),
	};
	info->socket_off_call_seq = (uint32_t)offsetof(struct socket, call_seq);
	_Static_assert(offsetof(struct socket, object) == 0, "a socket's object is its first member");
	fd_table_describe(info);
}
