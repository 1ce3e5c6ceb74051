/*
 * The socket layer's argument checks (sockarg.h), in the order Linux makes
 * them, so that a program sees the errors it would see on Linux: a
 * sockaddr's length before its family, an option's length before its
 * value. Everything is copied in already; nothing here touches the
 * application's memory or the stack, and the fuzzer feeds it any bytes.
 */
#include <string.h>
#include "sockarg.h"

static uint16_t load16be(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t load16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void parse_in(const uint8_t *b, struct sa_addr *out)
{
	out->family = SA_AF_INET;
	out->port = load16be(b + 2);
	memcpy(&out->v4, b + 4, 4);
	out->any = out->v4 == 0;
}

static void parse_in6(const uint8_t *b, uint32_t len, struct sa_addr *out)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t zero[16];

	out->family = SA_AF_INET6;
	out->port = load16be(b + 2);
	memcpy(out->v6, b + 8, 16);
	if (len >= SA_SOCKADDR_IN6_LEN)
		memcpy(&out->scope_id, b + 24, 4);
	out->any = !memcmp(out->v6, zero, 16);
	if (!memcmp(out->v6, mapped, 12)) {
		out->v4_mapped = true;
		memcpy(&out->v4, out->v6 + 12, 4);
	}
}

int sa_parse(const void *buf, uint32_t len, int socket_family, struct sa_addr *out)
{
	const uint8_t *b = buf;
	uint16_t family;

	memset(out, 0, sizeof(*out));
	if (len > SA_SOCKADDR_MAX || len < 2)
		return -SA_EINVAL;
	family = load16(b);
	if (socket_family == SA_AF_INET6) {
		if (len < SA_SOCKADDR_IN6_MIN)
			return family == SA_AF_INET && len >= SA_SOCKADDR_IN_LEN ? (parse_in(b, out), 0) : -SA_EINVAL;
		if (family == SA_AF_INET6)
			return parse_in6(b, len, out), 0;
		if (family == SA_AF_INET)
			return parse_in(b, out), 0;
		return -SA_EAFNOSUPPORT;
	}
	if (len < SA_SOCKADDR_IN_LEN)
		return -SA_EINVAL;
	if (family == SA_AF_INET || (family == SA_AF_UNSPEC && !memcmp(b + 4, "\0\0\0\0", 4)))
		return parse_in(b, out), 0;
	return -SA_EAFNOSUPPORT;
}

static void store16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

uint32_t sa_format(const struct sa_addr *a, int socket_family, uint8_t out[SA_SOCKADDR_IN6_LEN])
{
	memset(out, 0, SA_SOCKADDR_IN6_LEN);
	if (socket_family != SA_AF_INET6) {
		out[0] = SA_AF_INET;
		store16be(out + 2, a->port);
		memcpy(out + 4, &a->v4, 4);
		return SA_SOCKADDR_IN_LEN;
	}
	out[0] = SA_AF_INET6;
	store16be(out + 2, a->port);
	if (a->family == SA_AF_INET) { /* an IPv4 peer of a dual-stack socket: ::ffff:a.b.c.d */
		out[18] = out[19] = 0xff;
		memcpy(out + 20, &a->v4, 4);
	} else {
		memcpy(out + 8, a->v6, 16);
		memcpy(out + 24, &a->scope_id, 4);
	}
	return SA_SOCKADDR_IN6_LEN;
}

int sa_check_len(uint32_t len, uint32_t max)
{
	return (int32_t)len < 0 || len > max ? -SA_EINVAL : 0;
}

int sa_int_option(const void *val, uint32_t optlen, int *out)
{
	if ((int32_t)optlen < (int32_t)sizeof(int))
		return -SA_EINVAL;
	memcpy(out, val, sizeof(int));
	return 0;
}

int64_t sa_getsockopt_len(int32_t optlen, uint32_t size)
{
	if (optlen < 0)
		return -SA_EINVAL;
	return (uint32_t)optlen < size ? optlen : (int64_t)size;
}

int sa_check_msghdr(struct sa_msghdr *m, bool send)
{
	if (m->iovlen > SA_IOV_MAX)
		return -SA_EMSGSIZE;
	if ((int32_t)m->namelen < 0 || (send && m->namelen > SA_SOCKADDR_MAX))
		return -SA_EINVAL;
	if (m->namelen > SA_SOCKADDR_MAX)
		m->namelen = SA_SOCKADDR_MAX; /* recvmsg: room for the largest address */
	return 0;
}

int sa_check_nfds(uint64_t nfds)
{
	return nfds > SA_FD_MAX ? -SA_EINVAL : 0;
}

int sa_check_maxevents(int64_t maxevents)
{
	return maxevents <= 0 || maxevents > SA_EPOLL_MAX_EVENTS ? -SA_EINVAL : 0;
}

int64_t sa_select_bytes(int64_t nfds)
{
	if (nfds < 0 || nfds > SA_FD_MAX)
		return -SA_EINVAL;
	return (nfds + 63) / 64 * 8;
}

int sa_check_time(int64_t sec, int64_t frac, int64_t frac_per_second)
{
	return sec < 0 || frac < 0 || frac >= frac_per_second ? -SA_EINVAL : 0;
}
