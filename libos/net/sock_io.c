/*
 * Data through sockets: read/write/readv/writev on a socket descriptor,
 * recvfrom/sendto, recvmsg/sendmsg.
 *
 * TCP receives whole pbuf chains from lwIP (netconn_recv_tcp_pbuf) and
 * copies from them straight into the application's buffers (checked
 * before: fd.c and the iovec checks); what a read leaves stays with the
 * socket for the next one, and the window opens by what was copied
 * (NETCONN_NOAUTORCVD, then netconn_tcp_recvd). A read that has some data
 * does not wait for more (unless MSG_WAITALL) and leaves the peer's FIN for
 * the next read (NETCONN_NOFIN), which returns 0.
 * TCP sends gather the buffers into one netconn write (a writev of a
 * header and a body is one segment when it fits), copied by lwIP.
 * UDP datagrams are copied into a netbuf each way; a datagram longer than
 * the buffers is cut (MSG_TRUNC), as on Linux.
 */
#include <stdlib.h>
#include <string.h>
#include "kern/kern.h"
#include "lwip/tcpip.h"
#include "lwip/priv/tcp_priv.h"
#include "socket.h"

#define UDP_MAX_PAYLOAD 65507
#define STACK_VECTORS 8

struct iov_cursor {
	const struct linux_iovec *iov;
	uint32_t count, index;
	uint64_t offset; /* into iov[index] */
};

static uint64_t iov_total(const struct linux_iovec *iov, uint32_t count)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < count; i++)
		total += iov[i].len; /* iovec_copy_in bounded the sum */
	return total;
}

/* Copies up to len bytes of p from offset into the buffers at the cursor; the bytes copied. */
static uint64_t pbuf_to_iov(struct pbuf *p, uint32_t offset, uint64_t len, struct iov_cursor *c)
{
	uint64_t done = 0;

	while (done < len && c->index < c->count) {
		const struct linux_iovec *v = &c->iov[c->index];
		uint64_t room = v->len - c->offset, n = len - done < room ? len - done : room;
		if (n > 0xffff)
			n = 0xffff;
		n = pbuf_copy_partial(p, (void *)(v->base + c->offset), (u16_t)n, (u16_t)(offset + done));
		if (!n && room)
			break;
		done += n;
		c->offset += n;
		if (c->offset == v->len) {
			c->index++;
			c->offset = 0;
		}
	}
	return done;
}

static bool receive_nonblocking(struct socket *so, int flags)
{
	return fd_nonblocking(&so->object) || (flags & LINUX_MSG_DONTWAIT);
}

/* The next pbuf chain from lwIP into so->rx_pbuf: 0, 1 at the end of the stream, or -errno. */
static int64_t fetch_tcp(struct socket *so, u8_t apiflags)
{
	struct pbuf *p;
	err_t err = netconn_recv_tcp_pbuf_flags(so->conn, &p, apiflags | NETCONN_NOAUTORCVD);

	if (err == ERR_CLSD || err == ERR_CONN) {
		so->eof = true;
		fd_notify(&so->object, socket_poll(&so->object));
		return 1;
	}
	if (err != ERR_OK)
		return lwip_to_errno(err);
	so->rx_pbuf = p;
	so->rx_offset = 0;
	return 0;
}

static int64_t recv_tcp(struct socket *so, const struct linux_iovec *iov, uint32_t count, int flags)
{
	struct iov_cursor c = { iov, count, 0, 0 };
	uint64_t total = iov_total(iov, count), copied = 0;
	bool nonblock = receive_nonblocking(so, flags), peek = flags & LINUX_MSG_PEEK;
	bool waitall = (flags & LINUX_MSG_WAITALL) && !peek && !nonblock;
	int64_t got;

	while (copied < total && !so->eof) {
		if (!so->rx_pbuf) {
			u8_t apiflags = (nonblock || (copied && !waitall) ? NETCONN_DONTBLOCK : 0) |
					(copied ? NETCONN_NOFIN : 0);
			if ((got = fetch_tcp(so, apiflags)) != 0) {
				if (copied || got > 0)
					break;
				return got;
			}
		}
		got = (int64_t)pbuf_to_iov(so->rx_pbuf, so->rx_offset, so->rx_pbuf->tot_len - so->rx_offset, &c);
		copied += (uint64_t)got;
		if (peek)
			break;
		so->rx_offset += (uint32_t)got;
		if (so->rx_offset >= so->rx_pbuf->tot_len) {
			pbuf_free(so->rx_pbuf);
			so->rx_pbuf = 0;
		}
	}
	so->rx_pending = so->rx_pbuf ? so->rx_pbuf->tot_len - so->rx_offset : 0;
	if (copied && !peek)
		netconn_tcp_recvd(so->conn, copied);
	return (int64_t)copied;
}

static int64_t recv_udp(struct socket *so, const struct linux_iovec *iov, uint32_t count, int flags,
			uint64_t uaddr, uint64_t ulen, int *msg_flags)
{
	struct iov_cursor c = { iov, count, 0, 0 };
	uint64_t total = iov_total(iov, count), got;
	struct netbuf *buf = so->rx_netbuf;
	err_t err;
	int64_t ret;

	if (!buf) {
		err = netconn_recv_udp_raw_netbuf_flags(so->conn, &buf,
						       receive_nonblocking(so, flags) ? NETCONN_DONTBLOCK : 0);
		if (err != ERR_OK)
			return lwip_to_errno(err);
	}
	got = pbuf_to_iov(buf->p, 0, total < buf->p->tot_len ? total : buf->p->tot_len, &c);
	if (buf->p->tot_len > total && msg_flags)
		*msg_flags |= LINUX_MSG_TRUNC;
	ret = socket_address_out(so, netbuf_fromaddr(buf), netbuf_fromport(buf), uaddr, ulen);
	ret = ret < 0 ? ret : (flags & LINUX_MSG_TRUNC) ? buf->p->tot_len : (int64_t)got;
	if (flags & LINUX_MSG_PEEK) {
		so->rx_netbuf = buf;
	} else {
		so->rx_netbuf = 0;
		netbuf_delete(buf);
	}
	return ret;
}

int64_t socket_recv(struct socket *so, const struct linux_iovec *iov, uint32_t count, int flags,
		    uint64_t uaddr, uint64_t ulen, int *msg_flags)
{
	socket_touch(so); /* read, write and the rest come here, not through socket_get */
	if (flags & LINUX_MSG_OOB)
		return -LINUX_EOPNOTSUPP;
	if (so->type == LINUX_SOCK_DGRAM)
		return recv_udp(so, iov, count, flags, uaddr, ulen, msg_flags);
	if (so->listening)
		return -LINUX_ENOTCONN;
	if (uaddr) { /* a stream's peer, as Linux gives it: nothing */
		uint32_t zero = 0;
		if (copy_to_user(ulen, &zero, sizeof(zero)) < 0)
			return -LINUX_EFAULT;
	}
	return recv_tcp(so, iov, count, flags);
}

/* A failed TCP write: never connected, or the connection gone. */
static int64_t send_error(struct socket *so, err_t err)
{
	if (err == ERR_WOULDBLOCK || err == ERR_MEM)
		return -LINUX_EAGAIN;
	if (err == ERR_RST || err == ERR_ABRT)
		return -LINUX_ECONNRESET;
	if (err == ERR_CONN || err == ERR_CLSD) {
		struct tcp_pcb *pcb = so->conn->pcb.tcp;
		return pcb && pcb->state == CLOSED && !so->errevent ? -LINUX_ENOTCONN : -LINUX_EPIPE;
	}
	return lwip_to_errno(err);
}

static int64_t send_tcp(struct socket *so, const struct linux_iovec *iov, uint32_t count, int flags)
{
	struct netvector stack_vec[STACK_VECTORS], *vec = stack_vec;
	size_t written = 0;
	u16_t n = 0;
	u8_t apiflags = NETCONN_COPY | (receive_nonblocking(so, flags) ? NETCONN_DONTBLOCK : 0);
	err_t err;

	if (so->listening)
		return -LINUX_ENOTCONN;
	if (count > STACK_VECTORS && !(vec = malloc(count * sizeof(*vec))))
		return -LINUX_ENOMEM;
	for (uint32_t i = 0; i < count; i++)
		if (iov[i].len) /* lwIP takes an empty buffer for a bad one (musl's writev gives some) */
			vec[n++] = (struct netvector){ (const void *)iov[i].base, iov[i].len };
	err = netconn_write_vectors_partly(so->conn, vec, n, apiflags, &written);
	if (vec != stack_vec)
		free(vec);
	if (err == ERR_OK)
		return written || !iov_total(iov, count) ? (int64_t)written : -LINUX_EAGAIN;
	return send_error(so, err);
}

static int64_t send_udp(struct socket *so, const struct linux_iovec *iov, uint32_t count, uint64_t uaddr,
			uint64_t addrlen)
{
	uint64_t total = iov_total(iov, count), at = 0;
	struct netbuf *buf;
	ip_addr_t ip;
	uint16_t port;
	int64_t err = 0;
	uint8_t *data;

	if (total > UDP_MAX_PAYLOAD)
		return -LINUX_EMSGSIZE;
	if (uaddr && (err = socket_address_in(so, uaddr, addrlen, &ip, &port, false)) < 0)
		return err;
	if (!(buf = netbuf_new()))
		return -LINUX_ENOBUFS;
	if (!(data = netbuf_alloc(buf, (u16_t)total)) && total) {
		netbuf_delete(buf);
		return -LINUX_ENOBUFS;
	}
	for (uint32_t i = 0; i < count; at += iov[i].len, i++)
		memcpy(data + at, (const void *)iov[i].base, iov[i].len);
	err = lwip_to_errno(uaddr ? netconn_sendto(so->conn, buf, &ip, port) : netconn_send(so->conn, buf));
	netbuf_delete(buf);
	if (err == -LINUX_ENOTCONN || (!uaddr && err == -LINUX_EINVAL))
		err = -LINUX_EDESTADDRREQ;
	return err < 0 ? err : (int64_t)total;
}

int64_t socket_send(struct socket *so, const struct linux_iovec *iov, uint32_t count, int flags,
		    uint64_t uaddr, uint64_t addrlen)
{
	socket_touch(so); /* read, write and the rest come here, not through socket_get */
	if (flags & LINUX_MSG_OOB)
		return -LINUX_EOPNOTSUPP;
	if (so->type == LINUX_SOCK_DGRAM)
		return send_udp(so, iov, count, uaddr, addrlen);
	return send_tcp(so, iov, count, flags); /* a stream ignores an address, as Linux's TCP */
}

/* ---- descriptor operations ------------------------------------------------------ */

int64_t socket_read(struct fd_object *o, uint64_t buf, uint64_t len)
{
	struct linux_iovec iov = { buf, len };

	return socket_recv((struct socket *)o, &iov, 1, 0, 0, 0, 0);
}

int64_t socket_write(struct fd_object *o, uint64_t buf, uint64_t len)
{
	struct linux_iovec iov = { buf, len };

	return socket_send((struct socket *)o, &iov, 1, 0, 0, 0);
}

int64_t socket_readv(struct fd_object *o, const struct linux_iovec *iov, uint32_t count)
{
	return socket_recv((struct socket *)o, iov, count, 0, 0, 0, 0);
}

int64_t socket_writev(struct fd_object *o, const struct linux_iovec *iov, uint32_t count)
{
	return socket_send((struct socket *)o, iov, count, 0, 0, 0);
}

/* ---- the syscalls ---------------------------------------------------------------- */

static int64_t check_buffer(uint64_t buf, uint64_t len, bool write)
{
	if (len > 0x7fffffffffffffffull)
		return -LINUX_EINVAL;
	return user_ok(buf, len, write) ? 0 : -LINUX_EFAULT;
}

SYSCALL_HANDLER(recvfrom)
{
	struct linux_iovec iov = { args->a[1], args->a[2] };
	struct socket *so;
	int64_t err = socket_get((int)args->a[0], &so);

	if (err < 0)
		return err;
	if ((err = check_buffer(iov.base, iov.len, true)) == 0 && (err = socket_check_address_out(args->a[4], args->a[5])) == 0)
		err = socket_recv(so, &iov, 1, (int)args->a[3], args->a[4], args->a[5], 0);
	socket_put(so);
	return err;
}

SYSCALL_HANDLER(sendto)
{
	struct linux_iovec iov = { args->a[1], args->a[2] };
	struct socket *so;
	int64_t err = socket_get((int)args->a[0], &so);

	if (err < 0)
		return err;
	if ((err = check_buffer(iov.base, iov.len, false)) == 0)
		err = socket_send(so, &iov, 1, (int)args->a[3], args->a[4], args->a[5]);
	socket_put(so);
	return err;
}

/* recvmsg/sendmsg: the header and its iovecs copied in and checked, then as recvfrom/sendto. */
static int64_t message(const struct syscall_args *args, bool send)
{
	struct linux_iovec stack_iov[STACK_VECTORS], *iov = stack_iov;
	struct sa_msghdr m;
	struct socket *so;
	int msg_flags = 0;
	int64_t err = socket_get((int)args->a[0], &so);

	if (err < 0)
		return err;
	if (copy_from_user(&m, args->a[1], sizeof(m)) < 0 || (!send && !user_ok(args->a[1], sizeof(m), true)))
		err = -LINUX_EFAULT;
	else if ((err = sa_check_msghdr(&m, send)) == 0 && m.iovlen > STACK_VECTORS &&
		 !(iov = malloc(m.iovlen * sizeof(*iov))))
		err = -LINUX_ENOMEM;
	if (err == 0 && (err = iovec_copy_in(iov, m.iov, m.iovlen, send)) >= 0) {
		uint64_t ulen = args->a[1] + offsetof(struct sa_msghdr, namelen);
		if (send)
			err = socket_send(so, iov, (uint32_t)m.iovlen, (int)args->a[2], m.name, m.namelen);
		else if ((err = m.name ? socket_check_address_out(m.name, ulen) : 0) == 0)
			err = socket_recv(so, iov, (uint32_t)m.iovlen, (int)args->a[2], m.name, ulen, &msg_flags);
	}
	if (err >= 0 && !send) {
		m.controllen = 0;
		m.flags = msg_flags;
		copy_to_user(args->a[1] + offsetof(struct sa_msghdr, controllen), &m.controllen, 8 + 4);
	}
	if (iov != stack_iov)
		free(iov);
	socket_put(so);
	return err;
}

SYSCALL_HANDLER(recvmsg)
{
	return message(args, false);
}

SYSCALL_HANDLER(sendmsg)
{
	return message(args, true);
}

void sock_io_register(void)
{
	syscall_register(SYS_recvfrom, sys_recvfrom);
	syscall_register(SYS_sendto, sys_sendto);
	syscall_register(SYS_recvmsg, sys_recvmsg);
	syscall_register(SYS_sendmsg, sys_sendmsg);
}
