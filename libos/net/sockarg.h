/*
 * The socket layer's argument checks, on bytes already copied in from the
 * application (sockarg.c). Portable and pure: the fuzzer runs them on the
 * host (tests/fuzz/fuzz-sockarg.c). Each says what Linux says of a bad
 * argument: -EINVAL, -EAFNOSUPPORT, ... (negative Linux errno values).
 */
#ifndef LIBOS_NET_SOCKARG_H
#define LIBOS_NET_SOCKARG_H

#include <stdbool.h>
#include <stdint.h>

#define SA_EINVAL 22
#define SA_EAFNOSUPPORT 97
#define SA_ENOPROTOOPT 92
#define SA_EFAULT 14
#define SA_EMSGSIZE 90

#define SA_AF_UNSPEC 0
#define SA_AF_UNIX 1
#define SA_AF_INET 2
#define SA_AF_INET6 10
#define SA_SOCKADDR_MAX 128 /* sizeof(struct sockaddr_storage) */
#define SA_SOCKADDR_IN_LEN 16
#define SA_SOCKADDR_IN6_LEN 28
#define SA_SOCKADDR_IN6_MIN 24 /* RFC 2133's, without the scope id: Linux accepts it */
#define SA_IOV_MAX 1024
#define SA_FD_MAX 1024
#define SA_EPOLL_MAX_EVENTS (0x7fffffff / 12)

/* An address as the stack takes it: IPv4 in v4 (network order), else IPv6 in v6. */
struct sa_addr {
	uint16_t family;   /* SA_AF_INET or SA_AF_INET6 */
	uint16_t port;     /* host order */
	uint32_t v4;       /* network order */
	uint8_t v6[16];
	uint32_t scope_id;
	bool any;          /* the wildcard address */
	bool v4_mapped;    /* an IPv6 ::ffff:a.b.c.d, v4 filled */
};

/*
 * A sockaddr of len bytes given to bind/connect/sendto on a socket of
 * socket_family: 0 with *out filled, or -EINVAL (a length Linux refuses),
 * -EAFNOSUPPORT (another family).
 */
int sa_parse(const void *buf, uint32_t len, int socket_family, struct sa_addr *out);
/* Writes the sockaddr for a (as a socket of socket_family shows it) into out; its length. */
uint32_t sa_format(const struct sa_addr *a, int socket_family, uint8_t out[SA_SOCKADDR_IN6_LEN]);
/* A socklen_t given by value (bind, connect, setsockopt): -EINVAL when it is more than the checks allow. */
int sa_check_len(uint32_t len, uint32_t max);
/* The value of an int option: optlen at least sizeof(int) (-EINVAL); a shorter one is Linux's error. */
int sa_int_option(const void *val, uint32_t optlen, int *out);
/* How much of an option of `size` bytes getsockopt copies out for a caller's *optlen: -EINVAL when negative. */
int64_t sa_getsockopt_len(int32_t optlen, uint32_t size);

/* A struct msghdr as Linux x86-64 lays it out. */
struct sa_msghdr {
	uint64_t name;
	uint32_t namelen;
	uint32_t pad0;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	int32_t flags;
	uint32_t pad1;
};
_Static_assert(sizeof(struct sa_msghdr) == 56, "struct msghdr is Linux's");
/*
 * A message header's counts: -EMSGSIZE (iovlen beyond IOV_MAX), -EINVAL (a
 * negative namelen, or for sendmsg one beyond a sockaddr; recvmsg's is cut
 * to the largest address).
 */
int sa_check_msghdr(struct sa_msghdr *m, bool send);

/* poll: nfds beyond the descriptor limit is -EINVAL. */
int sa_check_nfds(uint64_t nfds);
/* epoll_wait: maxevents 1..EP_MAX_EVENTS, else -EINVAL. */
int sa_check_maxevents(int64_t maxevents);
/* select: nfds 0..FD_MAX (-EINVAL); the bytes of each fd_set it reads. */
int64_t sa_select_bytes(int64_t nfds);
/* A timeout in {sec, nsec} (timespec) or {sec, usec} (timeval, usec_scale 1000): -EINVAL when negative or nsec >= 1 s. */
int sa_check_time(int64_t sec, int64_t frac, int64_t frac_per_second);

#endif
