/*
 * The BSD socket layer of the Linux ABI over lwIP's netconn API
 * (socket.c: the table, descriptors, readiness, connections; sock_io.c:
 * data; sockopt.c: options and ioctl). Internal to the network module.
 *
 * A socket is an entry of a fixed table (host tools read it: the net
 * descriptor says where and how) holding its descriptor object, its
 * netconn, and the receive leftovers. conn->socket is the entry's index
 * once the socket exists; before an accepted connection has its entry,
 * lwIP's callback counts its receive events there as -1 - count, as
 * lwIP's own socket layer does.
 *
 * Locking: the readiness fields change in the netconn callback (tcpip
 * thread, or the caller's with the core lock) and are read by poll with
 * interrupts off; the callback changes them with interrupts off too.
 */
#ifndef LIBOS_NET_SOCKET_H
#define LIBOS_NET_SOCKET_H

#include <stdbool.h>
#include <stdint.h>
#include "posix/posix.h"
#include "posix/fd.h"
#include "lwip/api.h"
#include "sockarg.h"

#define MAX_SOCKETS FD_MAX

/* Linux's numbers. */
#define LINUX_AF_UNIX 1
#define LINUX_AF_INET 2
#define LINUX_AF_INET6 10
#define LINUX_SOCK_STREAM 1
#define LINUX_SOCK_DGRAM 2
#define LINUX_SOCK_NONBLOCK 04000
#define LINUX_SOCK_CLOEXEC 02000000
#define LINUX_IPPROTO_IP 0
#define LINUX_IPPROTO_TCP 6
#define LINUX_IPPROTO_UDP 17
#define LINUX_IPPROTO_IPV6 41
#define LINUX_MSG_OOB 0x1
#define LINUX_MSG_PEEK 0x2
#define LINUX_MSG_TRUNC 0x20
#define LINUX_MSG_DONTWAIT 0x40
#define LINUX_MSG_WAITALL 0x100
#define LINUX_MSG_NOSIGNAL 0x4000
#define LINUX_SHUT_RD 0
#define LINUX_SHUT_WR 1
#define LINUX_SHUT_RDWR 2

#define LINUX_ENOTSOCK 88
#define LINUX_EDESTADDRREQ 89
#define LINUX_EMSGSIZE 90
#define LINUX_EPROTOTYPE 91
#define LINUX_ENOPROTOOPT 92
#define LINUX_EPROTONOSUPPORT 93
#define LINUX_EOPNOTSUPP 95
#define LINUX_EAFNOSUPPORT 97
#define LINUX_EADDRINUSE 98
#define LINUX_EADDRNOTAVAIL 99
#define LINUX_ENETDOWN 100
#define LINUX_ENETUNREACH 101
#define LINUX_ECONNABORTED 103
#define LINUX_ECONNRESET 104
#define LINUX_ENOBUFS 105
#define LINUX_EISCONN 106
#define LINUX_ENOTCONN 107
#define LINUX_ECONNREFUSED 111
#define LINUX_EHOSTUNREACH 113
#define LINUX_EALREADY 114
#define LINUX_EINPROGRESS 115
#define LINUX_ENFILE 23
#define LINUX_EDOM 33

struct socket {
	struct fd_object object;  /* first: what the descriptor table holds */
	struct netconn *conn;     /* NULL: a free entry */
	uint16_t family;          /* LINUX_AF_INET or LINUX_AF_INET6 */
	uint16_t type;            /* LINUX_SOCK_STREAM or LINUX_SOCK_DGRAM */
	int32_t fd;               /* the descriptor last given for it */
	uint32_t owner_tid;       /* the thread that last called on it */
	uint64_t call_seq;        /* when: socket_calls at that call (host tools: the last of a thread's) */
	uint32_t rx_pending;      /* bytes of rx_pbuf not yet read (host tools read this) */
	/* What the last receive left: a TCP pbuf chain and how far it was read, or a UDP netbuf. */
	struct pbuf *rx_pbuf;
	uint32_t rx_offset;
	struct netbuf *rx_netbuf;
	/* Readiness, from the netconn callback. */
	int32_t rcvevent;         /* messages in the receive (or accept) mailbox */
	bool sendevent;           /* room to send */
	bool errevent;
	bool eof;                 /* the peer closed: reads return 0 */
	bool listening;
	bool established;         /* TCP: was connected (a reset before is a refusal) */
	bool v6only;
	bool linger_abort;        /* SO_LINGER {1, 0}: close resets */
	int32_t linger_seconds;   /* SO_LINGER as set, -1 off */
	int32_t pending_error;    /* SO_ERROR not from lwIP (a refused connect) */
	int32_t rcvbuf, sndbuf;   /* SO_RCVBUF, SO_SNDBUF as set (Linux reports twice the value) */
	/* TCP as the trace last saw it (tcp_trace.c): state, ports (they outlive the PCB). */
	uint8_t tcp_state;
	uint16_t local_port, remote_port;
};

extern struct socket sockets[MAX_SOCKETS];
extern const struct fd_ops socket_ops;

/* socket.c */
/* The socket behind descriptor fd, with a reference (socket_put): -EBADF, -ENOTSOCK. */
int64_t socket_get(int fd, struct socket **out);
void socket_put(struct socket *so);
/* The calling thread calls on so: it owns it, and this is its latest call. */
void socket_touch(struct socket *so);
int64_t lwip_to_errno(err_t err);
uint32_t socket_poll(struct fd_object *o);
/* The address of a netconn end (local or peer) as a sockaddr for the application. */
int64_t socket_copy_address(struct socket *so, bool local, uint64_t uaddr, uint64_t ulen);
int64_t socket_address_out(struct socket *so, const ip_addr_t *ip, uint16_t port, uint64_t uaddr, uint64_t ulen);
/* The sockaddr and its length a call will fill are writable: 0, -EFAULT, -EINVAL (a negative length). */
int64_t socket_check_address_out(uint64_t uaddr, uint64_t ulen);
/* A user sockaddr, checked and converted: 0 with *ip and *port. */
int64_t socket_address_in(struct socket *so, uint64_t uaddr, uint64_t len, ip_addr_t *ip, uint16_t *port,
			  bool for_bind);

/* sock_io.c */
int64_t socket_recv(struct socket *so, const struct linux_iovec *iov, uint32_t count, int flags,
		    uint64_t uaddr, uint64_t ulen, int *msg_flags);
int64_t socket_send(struct socket *so, const struct linux_iovec *iov, uint32_t count, int flags,
		    uint64_t uaddr, uint64_t addrlen);
int64_t socket_read(struct fd_object *o, uint64_t buf, uint64_t len);
int64_t socket_write(struct fd_object *o, uint64_t buf, uint64_t len);
int64_t socket_readv(struct fd_object *o, const struct linux_iovec *iov, uint32_t count);
int64_t socket_writev(struct fd_object *o, const struct linux_iovec *iov, uint32_t count);
void sock_io_register(void);

/* sockopt.c */
int64_t socket_ioctl(struct fd_object *o, uint64_t request, uint64_t arg);
void sockopt_register(void);

#endif
