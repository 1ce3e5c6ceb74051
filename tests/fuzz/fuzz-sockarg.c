/*
 * libFuzzer target for the socket layer's argument checks (libos/net/
 * sockarg.c, built here as the guest builds it): sockaddrs of any length
 * and family for sockets of either family, option values and lengths,
 * message headers, poll/epoll/select counts and timeouts. Checked: no
 * crash or read beyond what the caller copied in; a sockaddr that parses
 * has a length Linux accepts, formats to a well-formed one that parses
 * back to the same address; the lengths and counts that pass are within
 * the limits the callers rely on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libos/net/sockarg.c"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static uint32_t word(const uint8_t *data, size_t size, size_t at)
{
	uint32_t v = 0;

	for (size_t i = 0; i < 4 && at + i < size; i++)
		v |= (uint32_t)data[at + i] << (8 * i);
	return v;
}

static void sockaddrs(const uint8_t *data, size_t size, int family)
{
	uint32_t len = size > SA_SOCKADDR_MAX + 8 ? SA_SOCKADDR_MAX + 8 : (uint32_t)size;
	uint8_t *copy = malloc(len ? len : 1), out[SA_SOCKADDR_IN6_LEN];
	struct sa_addr a, b;
	uint32_t n;

	memcpy(copy, data, len); /* exactly what the caller copied in: ASan guards the end */
	if (sa_parse(copy, len, family, &a) == 0) {
		CHECK(len >= (family == SA_AF_INET6 && a.family == SA_AF_INET6 ? SA_SOCKADDR_IN6_MIN
										: SA_SOCKADDR_IN_LEN));
		CHECK(a.family == SA_AF_INET || a.family == SA_AF_INET6);
		n = sa_format(&a, family, out);
		CHECK(n == (family == SA_AF_INET6 ? SA_SOCKADDR_IN6_LEN : SA_SOCKADDR_IN_LEN));
		CHECK(sa_parse(out, n, family, &b) == 0 && b.port == a.port);
		CHECK(a.family == SA_AF_INET6 && family == SA_AF_INET6 ? !memcmp(a.v6, b.v6, 16) : a.v4 == b.v4);
	}
	free(copy);
}

static void options(const uint8_t *data, size_t size)
{
	uint32_t optlen = word(data, size, 0);
	int32_t ulen = (int32_t)word(data, size, 4), v;
	uint8_t val[4] = { 0 };
	int64_t n;

	memcpy(val, data, size < 4 ? size : 4);
	if (sa_int_option(val, optlen, &v) == 0)
		CHECK((int32_t)optlen >= 4);
	n = sa_getsockopt_len(ulen, 16);
	CHECK(n < 0 ? ulen < 0 : n <= 16 && n <= ulen);
	CHECK(sa_check_len(optlen, SA_SOCKADDR_MAX) < 0 || optlen <= SA_SOCKADDR_MAX);
}

static void counts(const uint8_t *data, size_t size)
{
	struct sa_msghdr m;
	int64_t big = (int64_t)((uint64_t)word(data, size, 8) << 32 | word(data, size, 12)), bytes;

	memset(&m, 0, sizeof(m));
	memcpy(&m, data, size < sizeof(m) ? size : sizeof(m));
	if (sa_check_msghdr(&m, data[0] & 1) == 0)
		CHECK(m.iovlen <= SA_IOV_MAX && m.namelen <= SA_SOCKADDR_MAX);
	CHECK(sa_check_nfds((uint64_t)big) < 0 || (uint64_t)big <= SA_FD_MAX);
	CHECK(sa_check_maxevents(big) < 0 || (big > 0 && big <= SA_EPOLL_MAX_EVENTS));
	bytes = sa_select_bytes(big);
	CHECK(bytes < 0 || (bytes <= SA_FD_MAX / 8 && bytes * 8 >= big));
	CHECK(sa_check_time(big, (int64_t)word(data, size, 16), 1000000) < 0 ||
	      (big >= 0 && (int64_t)word(data, size, 16) < 1000000));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	sockaddrs(data + 1, size - 1, data[0] & 1 ? SA_AF_INET6 : SA_AF_INET);
	options(data, size);
	if (size >= 20)
		counts(data, size);
	return 0;
}
