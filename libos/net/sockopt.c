/*
 * Socket options and ioctls: the ones servers set (SO_REUSEADDR,
 * SO_KEEPALIVE and the TCP keepalive timers, TCP_NODELAY, SO_RCVBUF and
 * SO_SNDBUF, SO_RCVTIMEO and SO_SNDTIMEO, SO_LINGER, IPV6_V6ONLY) and the
 * ones they read (SO_ERROR, SO_TYPE, SO_ACCEPTCONN, ...), FIONREAD.
 * Another option is -ENOPROTOOPT, said once by name on the console and in
 * the trace. Lengths are checked as Linux checks them (sockarg.c); the
 * PCB's fields change with the core lock held.
 */
#include <string.h>
#include "kern/kern.h"
#include "lwip/tcpip.h"
#include "lwip/priv/tcp_priv.h"
#include "socket.h"

#define LINUX_SOL_SOCKET 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_BROADCAST 6
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_RCVLOWAT 18
#define SO_SNDLOWAT 19
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL 38
#define SO_DOMAIN 39
#define TCP_NODELAY 1
#define TCP_MAXSEG 2
#define TCP_KEEPIDLE 4
#define TCP_KEEPINTVL 5
#define TCP_KEEPCNT 6
#define IP_TOS 1
#define IP_TTL 2
#define IPV6_V6ONLY 26
#define FIONREAD 0x541b
#define OPTION(level, name) ((uint32_t)(level) << 16 | (uint32_t)(name))

struct linger_opt {
	int32_t onoff, seconds;
};

struct timeval_opt {
	int64_t sec, usec;
};

static int64_t unsupported(int level, int name)
{
	posix_unsupported("socket option (level << 16 | name), which returns -ENOPROTOOPT", OPTION(level, name));
	return -LINUX_ENOPROTOOPT;
}

static void set_pcb_flag(struct socket *so, u8_t flag, bool on)
{
	if (!so->conn->pcb.ip)
		return;
	if (on)
		ip_set_option(so->conn->pcb.ip, flag);
	else
		ip_reset_option(so->conn->pcb.ip, flag);
}

static bool is_tcp(const struct socket *so)
{
	return so->type == LINUX_SOCK_STREAM && so->conn->pcb.tcp;
}

static int64_t set_timeout(struct socket *so, int name, const void *val, uint32_t len)
{
	struct timeval_opt tv;
	uint64_t ms;

	if (len < sizeof(tv))
		return -LINUX_EINVAL;
	memcpy(&tv, val, sizeof(tv));
	if (sa_check_time(tv.sec, tv.usec, 1000000) < 0)
		return -LINUX_EDOM;
	ms = (uint64_t)tv.sec * 1000 + (uint64_t)tv.usec / 1000;
	if (ms > 0x7fffffff)
		ms = 0x7fffffff;
	if (name == SO_RCVTIMEO)
		netconn_set_recvtimeout(so->conn, (u32_t)ms);
	else
		netconn_set_sendtimeout(so->conn, (s32_t)ms);
	return 0;
}

/* Under the core lock: one option, its value (len bytes) copied in. */
static int64_t set_locked(struct socket *so, int level, int name, const void *val, uint32_t len)
{
	int v;

	if (level == LINUX_SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO))
		return set_timeout(so, name, val, len);
	if (level == LINUX_SOL_SOCKET && name == SO_LINGER) {
		struct linger_opt l;
		if (len < sizeof(l))
			return -LINUX_EINVAL;
		memcpy(&l, val, sizeof(l));
		so->linger_seconds = l.onoff ? l.seconds : -1;
		so->linger_abort = l.onoff && !l.seconds;
		return 0;
	}
	if (sa_int_option(val, len, &v) < 0)
		return -LINUX_EINVAL;
	switch (OPTION(level, name)) {
	case OPTION(LINUX_SOL_SOCKET, SO_REUSEADDR):
	case OPTION(LINUX_SOL_SOCKET, SO_REUSEPORT): set_pcb_flag(so, SOF_REUSEADDR, v); return 0;
	case OPTION(LINUX_SOL_SOCKET, SO_KEEPALIVE): set_pcb_flag(so, SOF_KEEPALIVE, v); return 0;
	case OPTION(LINUX_SOL_SOCKET, SO_BROADCAST): set_pcb_flag(so, SOF_BROADCAST, v); return 0;
	case OPTION(LINUX_SOL_SOCKET, SO_RCVBUF):
		so->rcvbuf = v;
		if (so->type == LINUX_SOCK_DGRAM)
			netconn_set_recvbufsize(so->conn, v);
		return 0;
	case OPTION(LINUX_SOL_SOCKET, SO_SNDBUF): so->sndbuf = v; return 0;
	case OPTION(LINUX_SOL_SOCKET, SO_RCVLOWAT):
	case OPTION(LINUX_SOL_SOCKET, SO_SNDLOWAT): return 0; /* one byte: always */
	case OPTION(LINUX_IPPROTO_IP, IP_TOS): if (so->conn->pcb.ip) so->conn->pcb.ip->tos = (u8_t)v; return 0;
	case OPTION(LINUX_IPPROTO_IP, IP_TTL): if (so->conn->pcb.ip) so->conn->pcb.ip->ttl = (u8_t)v; return 0;
	case OPTION(LINUX_IPPROTO_IPV6, IPV6_V6ONLY):
		if (so->family != LINUX_AF_INET6)
			return -LINUX_ENOPROTOOPT;
		so->v6only = v;
		netconn_set_ipv6only(so->conn, v != 0);
		return 0;
	}
	if (level != LINUX_IPPROTO_TCP || so->type != LINUX_SOCK_STREAM)
		return unsupported(level, name);
	if (!is_tcp(so))
		return name == TCP_NODELAY || name == TCP_KEEPIDLE ? 0 : -LINUX_EINVAL;
	switch (name) {
	case TCP_NODELAY: if (v) tcp_nagle_disable(so->conn->pcb.tcp); else tcp_nagle_enable(so->conn->pcb.tcp); return 0;
	case TCP_MAXSEG: return 0; /* lwIP's MSS is its own */
	case TCP_KEEPIDLE: if (v < 1) return -LINUX_EINVAL; so->conn->pcb.tcp->keep_idle = (u32_t)v * 1000; return 0;
	case TCP_KEEPINTVL: if (v < 1) return -LINUX_EINVAL; so->conn->pcb.tcp->keep_intvl = (u32_t)v * 1000; return 0;
	case TCP_KEEPCNT: if (v < 1) return -LINUX_EINVAL; so->conn->pcb.tcp->keep_cnt = (u32_t)v; return 0;
	}
	return unsupported(level, name);
}

SYSCALL_HANDLER(setsockopt)
{
	int level = (int)args->a[1], name = (int)args->a[2];
	uint32_t len = (uint32_t)args->a[4];
	uint8_t val[64];
	struct socket *so;
	int64_t err = socket_get((int)args->a[0], &so);

	if (err < 0)
		return err;
	if ((int32_t)len < 0)
		err = -LINUX_EINVAL;
	else if (copy_from_user(val, args->a[3], len < sizeof(val) ? len : sizeof(val)) < 0)
		err = -LINUX_EFAULT;
	if (!err) {
		LOCK_TCPIP_CORE();
		err = set_locked(so, level, name, val, len < sizeof(val) ? len : sizeof(val));
		UNLOCK_TCPIP_CORE();
	}
	socket_put(so);
	return err;
}

/* SO_ERROR: a pending error, cleared by reading it (positive errno). */
static int take_error(struct socket *so)
{
	int64_t e = so->pending_error ? -so->pending_error : lwip_to_errno(netconn_err(so->conn));

	so->pending_error = 0;
	if (e == -LINUX_ECONNRESET && !so->established && so->type == LINUX_SOCK_STREAM)
		e = -LINUX_ECONNREFUSED; /* a connect that was refused */
	return (int)-e;
}

/* Under the core lock: one option's value into out (*len bytes); 0 or -errno. */
static int64_t get_locked(struct socket *so, int level, int name, void *out, uint32_t *len)
{
	int v;

	*len = sizeof(int);
	if (level == LINUX_SOL_SOCKET && name == SO_LINGER) {
		struct linger_opt l = { so->linger_seconds >= 0, so->linger_seconds >= 0 ? so->linger_seconds : 0 };
		memcpy(out, &l, *len = sizeof(l));
		return 0;
	}
	if (level == LINUX_SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
		int64_t ms = name == SO_RCVTIMEO ? (int64_t)netconn_get_recvtimeout(so->conn)
						 : (int64_t)netconn_get_sendtimeout(so->conn);
		struct timeval_opt tv = { ms / 1000, ms % 1000 * 1000 };
		memcpy(out, &tv, *len = sizeof(tv));
		return 0;
	}
	switch (OPTION(level, name)) {
	case OPTION(LINUX_SOL_SOCKET, SO_TYPE): v = so->type; break;
	case OPTION(LINUX_SOL_SOCKET, SO_ERROR): v = take_error(so); break;
	case OPTION(LINUX_SOL_SOCKET, SO_ACCEPTCONN): v = so->listening; break;
	case OPTION(LINUX_SOL_SOCKET, SO_PROTOCOL):
		v = so->type == LINUX_SOCK_STREAM ? LINUX_IPPROTO_TCP : LINUX_IPPROTO_UDP;
		break;
	case OPTION(LINUX_SOL_SOCKET, SO_DOMAIN): v = so->family; break;
	case OPTION(LINUX_SOL_SOCKET, SO_REUSEADDR):
	case OPTION(LINUX_SOL_SOCKET, SO_REUSEPORT):
		v = so->conn->pcb.ip && ip_get_option(so->conn->pcb.ip, SOF_REUSEADDR);
		break;
	case OPTION(LINUX_SOL_SOCKET, SO_KEEPALIVE):
		v = so->conn->pcb.ip && ip_get_option(so->conn->pcb.ip, SOF_KEEPALIVE);
		break;
	case OPTION(LINUX_SOL_SOCKET, SO_BROADCAST):
		v = so->conn->pcb.ip && ip_get_option(so->conn->pcb.ip, SOF_BROADCAST);
		break;
	case OPTION(LINUX_SOL_SOCKET, SO_RCVBUF): v = so->rcvbuf ? 2 * so->rcvbuf : TCP_WND; break;
	case OPTION(LINUX_SOL_SOCKET, SO_SNDBUF): v = so->sndbuf ? 2 * so->sndbuf : TCP_SND_BUF; break;
	case OPTION(LINUX_SOL_SOCKET, SO_RCVLOWAT):
	case OPTION(LINUX_SOL_SOCKET, SO_SNDLOWAT): v = 1; break;
	case OPTION(LINUX_IPPROTO_IPV6, IPV6_V6ONLY):
		if (so->family != LINUX_AF_INET6)
			return -LINUX_ENOPROTOOPT;
		v = so->v6only;
		break;
	case OPTION(LINUX_IPPROTO_TCP, TCP_NODELAY): v = is_tcp(so) && tcp_nagle_disabled(so->conn->pcb.tcp); break;
	case OPTION(LINUX_IPPROTO_TCP, TCP_MAXSEG): v = is_tcp(so) ? so->conn->pcb.tcp->mss : TCP_MSS; break;
	case OPTION(LINUX_IPPROTO_TCP, TCP_KEEPIDLE): v = is_tcp(so) ? (int)(so->conn->pcb.tcp->keep_idle / 1000) : 0; break;
	case OPTION(LINUX_IPPROTO_TCP, TCP_KEEPINTVL): v = is_tcp(so) ? (int)(so->conn->pcb.tcp->keep_intvl / 1000) : 0; break;
	case OPTION(LINUX_IPPROTO_TCP, TCP_KEEPCNT): v = is_tcp(so) ? (int)so->conn->pcb.tcp->keep_cnt : 0; break;
	default: return unsupported(level, name);
	}
	memcpy(out, &v, sizeof(v));
	return 0;
}

SYSCALL_HANDLER(getsockopt)
{
	int32_t ulen;
	uint8_t val[64];
	uint32_t len;
	int64_t n;
	struct socket *so;
	int64_t err = socket_get((int)args->a[0], &so);

	if (err < 0)
		return err;
	if (copy_from_user(&ulen, args->a[4], sizeof(ulen)) < 0) {
		socket_put(so);
		return -LINUX_EFAULT;
	}
	LOCK_TCPIP_CORE();
	err = get_locked(so, (int)args->a[1], (int)args->a[2], val, &len);
	UNLOCK_TCPIP_CORE();
	if (!err && (n = sa_getsockopt_len(ulen, len)) < 0)
		err = n;
	else if (!err && (copy_to_user(args->a[3], val, (uint64_t)n) < 0 ||
			  copy_to_user(args->a[4], &(int32_t){ (int32_t)n }, sizeof(int32_t)) < 0))
		err = -LINUX_EFAULT;
	socket_put(so);
	return err;
}

int64_t socket_ioctl(struct fd_object *o, uint64_t request, uint64_t arg)
{
	struct socket *so = (struct socket *)o;
	int available;

	if (request != FIONREAD)
		return -LINUX_ENOTTY;
	available = (int)so->rx_pending + (so->rx_netbuf ? so->rx_netbuf->p->tot_len : 0);
	if (so->conn)
		available += so->conn->recv_avail;
	return copy_to_user(arg, &available, sizeof(available));
}

void sockopt_register(void)
{
	syscall_register(SYS_setsockopt, sys_setsockopt);
	syscall_register(SYS_getsockopt, sys_getsockopt);
}
