/*
 * Unit tests of the libOS libc (libos/libc/). The Makefile builds those
 * sources for the host with every public name renamed to uk_* (see
 * libc-rename.h), so this test links ours next to the host libc and uses the
 * host's as the reference. Random cases come from a fixed seed; each group
 * of cases prints one TAP line, with a diagnostic for its first mismatch.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

/* The libOS libc under its test names. */
void *uk_memcpy(void *dst, const void *src, size_t n);
void *uk_memmove(void *dst, const void *src, size_t n);
void *uk_memset(void *dst, int c, size_t n);
int uk_memcmp(const void *a, const void *b, size_t n);
void *uk_memchr(const void *s, int c, size_t n);
size_t uk_strlen(const char *s);
size_t uk_strnlen(const char *s, size_t maxlen);
int uk_strcmp(const char *a, const char *b);
int uk_strncmp(const char *a, const char *b, size_t n);
char *uk_strchr(const char *s, int c);
char *uk_strrchr(const char *s, int c);
char *uk_strstr(const char *haystack, const char *needle);
char *uk_strcpy(char *dst, const char *src);
char *uk_strncpy(char *dst, const char *src, size_t n);
size_t uk_strlcpy(char *dst, const char *src, size_t size);
char *uk_strcat(char *dst, const char *src);
char *uk_strncat(char *dst, const char *src, size_t n);
long uk_strtol(const char *s, char **endptr, int base);
unsigned long uk_strtoul(const char *s, char **endptr, int base);
long long uk_strtoll(const char *s, char **endptr, int base);
unsigned long long uk_strtoull(const char *s, char **endptr, int base);
int uk_atoi(const char *s);
long uk_atol(const char *s);
int uk_abs(int n);
long uk_labs(long n);
long long uk_llabs(long long n);
void uk_qsort(void *base, size_t count, size_t size, int (*compare)(const void *, const void *));
int uk_snprintf(char *buf, size_t size, const char *fmt, ...);
int uk_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int uk_vcbprintf(void (*emit)(void *ctx, const char *s, size_t n), void *ctx,
		 const char *fmt, va_list ap);
int uk_isalnum(int c), uk_isalpha(int c), uk_isblank(int c), uk_iscntrl(int c);
int uk_isdigit(int c), uk_isgraph(int c), uk_islower(int c), uk_isprint(int c);
int uk_ispunct(int c), uk_isspace(int c), uk_isupper(int c), uk_isxdigit(int c);
int uk_tolower(int c), uk_toupper(int c);
extern int uk_errno;

/* --- groups of checks, one TAP line each -------------------------------- */

struct group {
	unsigned cases;
	unsigned failures;
	char first_failure[512];
};

__attribute__((format(printf, 3, 4)))
static void check(struct group *g, int cond, const char *fmt, ...)
{
	va_list ap;

	g->cases++;
	if (cond || g->failures++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(g->first_failure, sizeof(g->first_failure), fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3)))
static void report(struct group *g, const char *fmt, ...)
{
	char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	ok(g->failures == 0 && g->cases > 0, "%s (%u cases)", name, g->cases);
	if (g->failures > 0)
		diag("%u failed; first: %s", g->failures, g->first_failure);
	*g = (struct group){ 0 };
}

/* xorshift64*: the same sequence on every host. */
static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned rng_below(unsigned n)
{
	return (unsigned)(rng_next() % n);
}

static int sign(int n)
{
	return (n > 0) - (n < 0);
}

/* --- memory and strings --------------------------------------------------- */

#define ARENA 256

static void fill_pattern(unsigned char *buf, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)(seed + i * 37 + (i >> 3));
}

static void test_memcpy_memset(void)
{
	unsigned char src[ARENA], want[ARENA], got[ARENA];
	struct group g = { 0 };

	fill_pattern(src, sizeof(src), 1);
	for (size_t s_off = 0; s_off < 16; s_off++)
		for (size_t d_off = 0; d_off < 16; d_off++)
			for (size_t n = 0; n <= 80; n++) {
				fill_pattern(want, sizeof(want), 99);
				fill_pattern(got, sizeof(got), 99);
				memcpy(want + d_off, src + s_off, n);
				void *r = uk_memcpy(got + d_off, src + s_off, n);
				check(&g, r == got + d_off && memcmp(got, want, ARENA) == 0,
				      "memcpy dst+%zu src+%zu n=%zu", d_off, s_off, n);
			}
	report(&g, "memcpy at every alignment 0..15 and length 0..80");

	for (size_t off = 0; off < 16; off++)
		for (size_t n = 0; n <= 80; n++)
			for (int c = -1; c <= 0x1ab; c += 0xd5) {
				fill_pattern(want, sizeof(want), 5);
				fill_pattern(got, sizeof(got), 5);
				memset(want + off, c, n);
				void *r = uk_memset(got + off, c, n);
				check(&g, r == got + off && memcmp(got, want, ARENA) == 0,
				      "memset +%zu c=%#x n=%zu", off, c, n);
			}
	report(&g, "memset at every alignment 0..15 and length 0..80");
}

static void test_memmove(void)
{
	unsigned char want[ARENA], got[ARENA];
	struct group g = { 0 };

	for (size_t s_off = 0; s_off < 48; s_off++)
		for (size_t d_off = 0; d_off < 48; d_off++)
			for (size_t n = 0; n <= 72; n += 1 + n / 16) {
				fill_pattern(want, sizeof(want), 7);
				fill_pattern(got, sizeof(got), 7);
				memmove(want + d_off, want + s_off, n);
				void *r = uk_memmove(got + d_off, got + s_off, n);
				check(&g, r == got + d_off && memcmp(got, want, ARENA) == 0,
				      "memmove dst+%zu src+%zu n=%zu", d_off, s_off, n);
			}
	report(&g, "memmove over overlapping regions both ways");
}

static void test_memcmp_memchr(void)
{
	unsigned char a[ARENA], b[ARENA];
	struct group g = { 0 };

	for (size_t off = 0; off < 16; off++)
		for (size_t n = 0; n <= 64; n++)
			for (size_t at = 0; at <= n; at++) {
				fill_pattern(a, sizeof(a), 3);
				fill_pattern(b, sizeof(b), 3);
				if (at < n)
					b[off + at] = (unsigned char)(a[off + at] ^ (at & 1 ? 0x80 : 0x01));
				check(&g, sign(uk_memcmp(a + off, b + off, n)) ==
					  sign(memcmp(a + off, b + off, n)),
				      "memcmp +%zu n=%zu differing at %zu", off, n, at);
			}
	report(&g, "memcmp sign matches host, difference at every position");

	for (size_t off = 0; off < 16; off++)
		for (size_t n = 0; n <= 64; n++)
			for (int c = 0; c < 256; c += 51) {
				fill_pattern(a, sizeof(a), (unsigned)n);
				check(&g, uk_memchr(a + off, c, n) == memchr(a + off, c, n) &&
					  uk_memchr(a + off, c + 256, n) == memchr(a + off, c + 256, n),
				      "memchr +%zu c=%d n=%zu", off, c, n);
			}
	report(&g, "memchr matches host");
}

/* A random string of length n over a small alphabet, to make matches likely. */
static void random_string(char *out, size_t n, const char *alphabet)
{
	size_t k = strlen(alphabet);

	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[rng_below((unsigned)k)];
	out[n] = '\0';
}

static void test_string_lengths(void)
{
	char buf[ARENA];
	struct group g = { 0 };

	for (size_t off = 0; off < 16; off++)
		for (size_t len = 0; len <= 80; len++) {
			memset(buf, 'x', sizeof(buf));
			buf[off + len] = '\0';
			check(&g, uk_strlen(buf + off) == len, "strlen +%zu len %zu", off, len);
			for (size_t max = 0; max <= len + 2; max += 1 + max / 8)
				check(&g, uk_strnlen(buf + off, max) == strnlen(buf + off, max),
				      "strnlen +%zu len %zu max %zu", off, len, max);
		}
	report(&g, "strlen and strnlen at every alignment");
}

static void test_string_compare(void)
{
	static const char alphabet[] = "ab\x7f\x80\xff";
	char a[64], b[64];
	struct group g = { 0 };

	for (int i = 0; i < 20000; i++) {
		random_string(a, rng_below(8), alphabet);
		random_string(b, rng_below(8), alphabet);
		size_t n = rng_below(10);
		check(&g, sign(uk_strcmp(a, b)) == sign(strcmp(a, b)) &&
			  sign(uk_strncmp(a, b, n)) == sign(strncmp(a, b, n)) &&
			  uk_strcmp(a, a) == 0,
		      "strcmp/strncmp(\"%s\", \"%s\", %zu)", a, b, n);
	}
	report(&g, "strcmp and strncmp match host on 20000 random pairs");

	for (int i = 0; i < 5000; i++) {
		random_string(a, rng_below(12), alphabet);
		int c = (unsigned char)"ab\x80\0z"[rng_below(5)];
		check(&g, uk_strchr(a, c) == strchr(a, c) && uk_strrchr(a, c) == strrchr(a, c),
		      "strchr/strrchr(\"%s\", %#x)", a, c);
	}
	report(&g, "strchr and strrchr match host, '\\0' included");

	for (int i = 0; i < 20000; i++) {
		random_string(a, rng_below(16), "ab");
		random_string(b, rng_below(5), "ab");
		check(&g, uk_strstr(a, b) == strstr(a, b), "strstr(\"%s\", \"%s\")", a, b);
	}
	report(&g, "strstr matches host on 20000 random pairs");
}

/* strlcpy is not in every host libc. */
static size_t reference_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t copy = len < size - 1 ? len : size - 1;
		memcpy(dst, src, copy);
		dst[copy] = '\0';
	}
	return len;
}

/* Truncating with strncpy and strncat is the point here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
static void test_string_copy(void)
{
	char src[40], want[ARENA], got[ARENA];
	struct group g = { 0 };

	for (int i = 0; i < 5000; i++) {
		size_t off = rng_below(16), n = rng_below(40);
		random_string(src, rng_below(32), "xyz");
		memset(want, '#', sizeof(want));
		memset(got, '#', sizeof(got));
		want[off + 3] = got[off + 3] = '\0';
		switch (i % 5) {
		case 0:
			strcpy(want + off, src);
			check(&g, uk_strcpy(got + off, src) == got + off, "strcpy result");
			break;
		case 1:
			strncpy(want + off, src, n);
			check(&g, uk_strncpy(got + off, src, n) == got + off, "strncpy result");
			break;
		case 2:
			strcat(want + off, src);
			check(&g, uk_strcat(got + off, src) == got + off, "strcat result");
			break;
		case 3:
			strncat(want + off, src, n);
			check(&g, uk_strncat(got + off, src, n) == got + off, "strncat result");
			break;
		default:
			check(&g, uk_strlcpy(got + off, src, n) == reference_strlcpy(want + off, src, n),
			      "strlcpy result");
			break;
		}
		check(&g, memcmp(got, want, sizeof(got)) == 0,
		      "copy #%d of \"%s\" to +%zu n=%zu", i % 5, src, off, n);
	}
	report(&g, "strcpy strncpy strcat strncat strlcpy match, nothing written past the end");
}
#pragma GCC diagnostic pop

static void test_ctype(void)
{
	static int (*const ours[])(int) = {
		uk_isalnum, uk_isalpha, uk_isblank, uk_iscntrl, uk_isdigit, uk_isgraph,
		uk_islower, uk_isprint, uk_ispunct, uk_isspace, uk_isupper, uk_isxdigit,
	};
	int (*const host[])(int) = {
		isalnum, isalpha, isblank, iscntrl, isdigit, isgraph,
		islower, isprint, ispunct, isspace, isupper, isxdigit,
	};
	struct group g = { 0 };

	for (int c = EOF; c <= UCHAR_MAX; c++) {
		for (size_t f = 0; f < sizeof(ours) / sizeof(ours[0]); f++)
			check(&g, !ours[f](c) == !host[f](c), "class #%zu of %d", f, c);
		check(&g, uk_tolower(c) == tolower(c) && uk_toupper(c) == toupper(c),
		      "tolower/toupper(%d)", c);
	}
	report(&g, "ctype matches the host's C locale for EOF and 0..255");
}

static void test_abs(void)
{
	is_int(uk_abs(-7) + uk_abs(7) + uk_abs(0), 14, "abs");
	ok(uk_labs(LONG_MIN + 1) == LONG_MAX && uk_llabs(-5LL) == 5, "labs and llabs");
}

/* --- strtol family ---------------------------------------------------------- */

static void check_strtol_family(struct group *g, const char *s, int base)
{
	char *host_end, *our_end;
	int host_errno, our_errno;

#define COMPARE(fn, type, pf) do { \
	errno = 0; uk_errno = 0; \
	type want = fn(s, &host_end, base); \
	host_errno = errno; \
	type got = uk_##fn(s, &our_end, base); \
	our_errno = uk_errno; \
	check(g, got == want && our_end == host_end && our_errno == host_errno, \
	      #fn "(\"%s\", %d): got " pf " end+%td errno %d, want " pf " end+%td errno %d", \
	      s, base, got, our_end - s, our_errno, want, host_end - s, host_errno); \
} while (0)
	COMPARE(strtol, long, "%ld");
	COMPARE(strtoul, unsigned long, "%lu");
	COMPARE(strtoll, long long, "%lld");
	COMPARE(strtoull, unsigned long long, "%llu");
#undef COMPARE
}

static void test_strtol_fixed(void)
{
	static const char *const inputs[] = {
		"0", "-0", "+12", "  \t\n\v\f\r42abc", "0x1f", "0X1F", "0x", "0xg", "-0x10",
		"010", "08", "0", "z", "Zz", "", " ", "+", "-", "+-1", "abc", " -", "1 2",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "18446744073709551615", "18446744073709551616",
		"-18446744073709551615", "-18446744073709551616", "99999999999999999999999x",
		"-1", "0x7fffffffffffffff", "0x8000000000000000", "-0x8000000000000000",
		"0xffffffffffffffff", "0x10000000000000000", "1111111111111111111111111111111111111111111111111111111111111111",
		"3w5e11264sgsf", "3w5e11264sgsg", "\x80" "1", "1\x80",
	};
	static const int bases[] = { 0, 2, 8, 10, 16, 36 };
	struct group g = { 0 };

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++)
			check_strtol_family(&g, inputs[i], bases[b]);
	report(&g, "strtol strtoul strtoll strtoull match host on edge cases");

	const char *s = "12";
	char *end = NULL;
	uk_errno = 0;
	ok(uk_strtol(s, &end, 1) == 0 && uk_errno == EINVAL && end == s &&
	   uk_strtoul(s, &end, 37) == 0 && end == s && uk_strtoll(s, NULL, -1) == 0,
	   "strtol with an invalid base: 0, EINVAL, endptr at the start");
	ok(uk_atoi(" -42x") == -42 && uk_atoi("2147483647") == INT_MAX && uk_atoi("") == 0 &&
	   uk_atol("-9223372036854775808") == LONG_MIN, "atoi and atol");
}

/* Up to max_digits characters, mostly digits of base (16 for base 0), plus junk. */
static void random_number_text(char *out, int base, size_t max_digits)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	static const char junk[] = " +-.xXzZ\x80_";
	int radix = base == 0 ? 16 : base;
	char *p = out;

	for (unsigned n = rng_below(3); n > 0; n--)
		*p++ = " \t\n"[rng_below(3)];
	if (rng_below(3) == 0)
		*p++ = "+-"[rng_below(2)];
	if (rng_below(4) == 0) {
		*p++ = '0';
		*p++ = rng_below(2) ? 'x' : 'X';
	}
	for (size_t n = rng_below((unsigned)max_digits + 1); n > 0; n--) {
		char c = rng_below(12) == 0 ? junk[rng_below(sizeof(junk) - 1)] :
						 digits[rng_below((unsigned)radix)];
		/* C23 gives "0b" a meaning for bases 0 and 2 that older libcs lack. */
		if ((base == 0 || base == 2) && (c == 'b' || c == 'B'))
			c = '1';
		*p++ = rng_below(4) == 0 ? (char)toupper((unsigned char)c) : c;
	}
	*p = '\0';
}

static void test_strtol_random(void)
{
	char text[128];
	struct group g = { 0 };

	for (int i = 0; i < 20000; i++) {
		int base = rng_below(8) == 0 ? 0 : 2 + (int)rng_below(35);
		size_t overflow_digits = 0;

		for (unsigned long long v = ULLONG_MAX; v > 0; v /= (unsigned)(base ? base : 10))
			overflow_digits++;
		random_number_text(text, base, overflow_digits + 2);
		check_strtol_family(&g, text, base);
	}
	report(&g, "strtol family matches host on 20000 random strings and bases");
}

/* --- snprintf ------------------------------------------------------------------ */

/* The format goes through a variable so gcc does not warn about flags that
 * the standard says are ignored, such as '0' with '-': those are tested too. */
#define SAME_AS_HOST(g, fmt, ...) do { \
	const char *fmt_ = fmt; \
	char want_[256], got_[256]; \
	int want_len_ = snprintf(want_, sizeof(want_), fmt_, __VA_ARGS__); \
	int got_len_ = uk_snprintf(got_, sizeof(got_), fmt_, __VA_ARGS__); \
	check(g, got_len_ == want_len_ && strcmp(got_, want_) == 0, \
	      "snprintf(\"%s\"): got \"%s\" (%d), want \"%s\" (%d)", \
	      fmt, got_, got_len_, want_, want_len_); \
} while (0)

static void test_snprintf_fixed(void)
{
	const char *volatile null_string = NULL;	/* hidden from gcc's format checks */
	struct group g = { 0 };

	SAME_AS_HOST(&g, "%d|%i|%d|%d", INT_MIN, INT_MAX, 0, -1);
	SAME_AS_HOST(&g, "%+d|% d|%+ d|% 5d|%+5d", 5, 5, 5, -5, 0);
	SAME_AS_HOST(&g, "%05d|%-5d|%-05d|%5.3d|%05.3d", -42, -42, 42, 7, 7);
	SAME_AS_HOST(&g, "[%.0d][%5.0d][%.0x][%#.0x][%#.0o][%#o]", 0, 0, 0, 0, 0, 0);
	SAME_AS_HOST(&g, "%#x|%#X|%#08x|%#-8x|%.5x|%#.5o|%#o", 255, 255, 255, 255, 255, 8, 8);
	SAME_AS_HOST(&g, "%u|%o|%x|%X", UINT_MAX, UINT_MAX, UINT_MAX, UINT_MAX);
	SAME_AS_HOST(&g, "%lld|%llu|%lx|%lo", LLONG_MIN, ULLONG_MAX, ULONG_MAX, ULONG_MAX);
	SAME_AS_HOST(&g, "%hhd|%hhu|%hd|%hu|%hhx", 300, -1, 70000, -1, 0x1ff);
	SAME_AS_HOST(&g, "%zu|%zx|%td|%jd|%ju", SIZE_MAX, (size_t)48879, (ptrdiff_t)-3,
		     INTMAX_MIN, UINTMAX_MAX);
	SAME_AS_HOST(&g, "%c|%5c|%-5c|%c", 'A', 'b', 'c', 0x141);
	SAME_AS_HOST(&g, "%s|%.1s|%10.3s|%-10s|%.0s|%s", "hi", "hello", "hello", "left", "x", "");
	SAME_AS_HOST(&g, "%*d|%-*d|%*d|%.*d|%.*d|%.*s", 5, 42, 5, 42, -5, 42, -1, 0, 3, 7, 3, "abcdef");
	SAME_AS_HOST(&g, "%p|%20p|%-20p|", (void *)0x1234, (void *)0xdeadbeef, (void *)&g);
	SAME_AS_HOST(&g, "%s|%%|abc%%def", null_string);
	report(&g, "snprintf matches host on hand-picked formats");

	char buf[64];
	uk_snprintf(buf, sizeof(buf), "%p %.3s %y %5", (void *)NULL, null_string);
	is_str(buf, "0x0 (nu %y %5", "snprintf: NULL %p, NULL %.3s, unknown and cut conversions");
}

static void test_snprintf_truncation(void)
{
	const char *text = "value=-1234567 and more";
	char want[40], got[40];
	struct group g = { 0 };

	is_int(uk_snprintf(NULL, 0, "value=%d and more", -1234567), strlen(text),
	       "snprintf with size 0 writes nothing and returns the full length");
	for (size_t size = 1; size <= strlen(text) + 3; size++) {
		memset(want, '@', sizeof(want));
		memset(got, '@', sizeof(got));
		int want_len = snprintf(want, size, "value=%d and more", -1234567);
		int got_len = uk_snprintf(got, size, "value=%d and more", -1234567);
		check(&g, got_len == want_len && memcmp(got, want, sizeof(got)) == 0,
		      "size %zu: got \"%.40s\"", size, got);
	}
	report(&g, "snprintf truncates, NUL-terminates and stays inside size");
}

struct chunks {
	char text[512];
	size_t used;
	unsigned calls;
};

static void collect_chunk(void *ctx, const char *s, size_t n)
{
	struct chunks *c = ctx;

	if (c->used + n < sizeof(c->text)) {
		memcpy(c->text + c->used, s, n);
		c->used += n;
	}
	c->calls++;
}

static int format_to_chunks(struct chunks *c, const char *fmt, ...)
{
	va_list ap;
	int length;

	*c = (struct chunks){ 0 };
	va_start(ap, fmt);
	length = uk_vcbprintf(collect_chunk, c, fmt, ap);
	va_end(ap);
	return length;
}

static void test_vcbprintf(void)
{
	struct chunks c;
	char want[512];
	int want_len = snprintf(want, sizeof(want), "plain text, %-40s|%070d|%s.", "padded", -5, "end");
	int length = format_to_chunks(&c, "plain text, %-40s|%070d|%s.", "padded", -5, "end");

	ok(length == want_len && c.used == (size_t)want_len && memcmp(c.text, want, c.used) == 0,
	   "vcbprintf hands the sink the same text as snprintf, long padding included");
	format_to_chunks(&c, "a literal run with no conversion");
	is_int(c.calls, 1, "vcbprintf emits a literal run in one call");
	is_int(format_to_chunks(&c, ""), 0, "vcbprintf of an empty format emits nothing");
}

enum arg_kind {
	ARG_INT, ARG_UINT, ARG_LONG, ARG_ULONG, ARG_LLONG, ARG_ULLONG, ARG_SIZE,
	ARG_PTRDIFF, ARG_INTMAX, ARG_UINTMAX, ARG_STRING, ARG_POINTER,
};

struct random_format {
	char fmt[64];
	int stars[2];
	int star_count;
	enum arg_kind kind;
	uint64_t bits;
	const char *string;
	size_t size;
	char want[512], got[512];
	int want_len, got_len;
};

#define RUN_BOTH(...) do { \
	r->want_len = snprintf(r->want, r->size, r->fmt, __VA_ARGS__); \
	r->got_len = uk_snprintf(r->got, r->size, r->fmt, __VA_ARGS__); \
} while (0)
#define RUN_WITH_STARS(value) do { \
	if (r->star_count == 0) RUN_BOTH(value); \
	else if (r->star_count == 1) RUN_BOTH(r->stars[0], value); \
	else RUN_BOTH(r->stars[0], r->stars[1], value); \
} while (0)

static void run_random_format(struct random_format *r)
{
	memset(r->want, 0x5a, sizeof(r->want));
	memset(r->got, 0x5a, sizeof(r->got));
	switch (r->kind) {
	case ARG_INT: RUN_WITH_STARS((int)r->bits); break;
	case ARG_UINT: RUN_WITH_STARS((unsigned)r->bits); break;
	case ARG_LONG: RUN_WITH_STARS((long)r->bits); break;
	case ARG_ULONG: RUN_WITH_STARS((unsigned long)r->bits); break;
	case ARG_LLONG: RUN_WITH_STARS((long long)r->bits); break;
	case ARG_ULLONG: RUN_WITH_STARS((unsigned long long)r->bits); break;
	case ARG_SIZE: RUN_WITH_STARS((size_t)r->bits); break;
	case ARG_PTRDIFF: RUN_WITH_STARS((ptrdiff_t)r->bits); break;
	case ARG_INTMAX: RUN_WITH_STARS((intmax_t)r->bits); break;
	case ARG_UINTMAX: RUN_WITH_STARS((uintmax_t)r->bits); break;
	case ARG_STRING: RUN_WITH_STARS(r->string); break;
	case ARG_POINTER: RUN_WITH_STARS((void *)(uintptr_t)r->bits); break;
	}
}

static uint64_t random_value(void)
{
	static const uint64_t edges[] = {
		0, 1, UINT64_MAX, INT32_MAX, (uint64_t)INT32_MIN, UINT32_MAX, INT64_MAX,
		(uint64_t)INT64_MIN, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 1000000007,
	};

	switch (rng_below(4)) {
	case 0: return (uint64_t)(int64_t)((int)rng_below(2001) - 1000);
	case 1: return rng_next();
	case 2: return rng_next() >> rng_below(64);
	default: return edges[rng_below(sizeof(edges) / sizeof(edges[0]))];
	}
}

/* Appends '*' with a random int argument, or a number, or nothing. */
static void random_field_size(struct random_format *r, char **p, int star_min, int max)
{
	switch (rng_below(3)) {
	case 0:
		*(*p)++ = '*';
		r->stars[r->star_count++] = star_min + (int)rng_below((unsigned)(max - star_min + 1));
		break;
	case 1:
		*p += sprintf(*p, "%u", rng_below((unsigned)max + 1));
		break;
	}
}

/* Only what the C standard defines, so the host libc is a fair reference. */
static void random_format(struct random_format *r)
{
	static const char specifiers[] = "diuoxXcsp%";
	static const char *const lengths[] = { "", "hh", "h", "l", "ll", "z", "t", "j" };
	static const char *const strings[] = { "", "a", "hello", "tab\there",
		"a longer string, of forty-four characters.." };
	static const char *const literals[] = { "", "x=", "[", "] end", "%%" };
	char spec = specifiers[rng_below(sizeof(specifiers) - 1)];
	char *p = r->fmt;
	size_t length = 0;

	r->star_count = 0;
	p += sprintf(p, "%s%%", literals[rng_below(5)]);
	for (const char *flag = "-+ 0#"; *flag && spec != '%'; flag++) {
		bool zero_ok = strchr("diuoxX", spec) != NULL;
		bool alt_ok = strchr("oxX", spec) != NULL;
		bool allowed = *flag == '-' || (*flag == '0' ? zero_ok : *flag == '#' ? alt_ok :
						spec != 'p');
		if (allowed && rng_below(4) == 0)
			*p++ = *flag;
	}
	if (spec != '%')
		random_field_size(r, &p, -25, 25);
	if (strchr("diuoxXs", spec) && rng_below(2)) {
		*p++ = '.';
		random_field_size(r, &p, -3, 25);
	}
	if (strchr("diuoxX", spec)) {
		length = rng_below(8);
		p += sprintf(p, "%s", lengths[length]);
	}
	*p++ = spec;
	sprintf(p, "%s", literals[rng_below(5)]);

	bool is_signed = spec == 'd' || spec == 'i';
	static const enum arg_kind signed_kinds[] = { ARG_INT, ARG_INT, ARG_INT, ARG_LONG,
		ARG_LLONG, ARG_SIZE, ARG_PTRDIFF, ARG_INTMAX };
	static const enum arg_kind unsigned_kinds[] = { ARG_UINT, ARG_UINT, ARG_UINT, ARG_ULONG,
		ARG_ULLONG, ARG_SIZE, ARG_PTRDIFF, ARG_UINTMAX };
	r->kind = is_signed ? signed_kinds[length] : unsigned_kinds[length];
	r->bits = random_value();
	if (spec == 'c') {
		r->kind = ARG_INT;
	} else if (spec == 's') {
		r->kind = ARG_STRING;
		/* glibc prints NULL as "(null)" only when no precision cuts it. */
		bool may_be_null = strchr(r->fmt, '.') == NULL;
		r->string = may_be_null && rng_below(8) == 0 ? NULL : strings[rng_below(5)];
	} else if (spec == 'p') {
		r->kind = ARG_POINTER;
		r->bits |= 1;	/* glibc prints NULL as "(nil)" */
	}
	r->size = rng_below(3) == 0 ? rng_below(40) : sizeof(r->want);
}

static void test_snprintf_random(void)
{
	static struct random_format r;
	struct group g = { 0 };

	for (int i = 0; i < 20000; i++) {
		random_format(&r);
		run_random_format(&r);
		check(&g, r.got_len == r.want_len && memcmp(r.got, r.want, sizeof(r.got)) == 0,
		      "snprintf(size %zu, \"%s\", stars %d %d, value %#llx, string %s): "
		      "got \"%.*s\" (%d), want \"%.*s\" (%d)",
		      r.size, r.fmt, r.stars[0], r.stars[1], (unsigned long long)r.bits,
		      r.string ? r.string : "NULL", (int)r.size, r.got, r.got_len,
		      (int)r.size, r.want, r.want_len);
	}
	report(&g, "snprintf matches host libc on 20000 random formats");
}

/* --- qsort ----------------------------------------------------------------------- */

static size_t element_size;
static unsigned long comparisons;

static int compare_bytes(const void *a, const void *b)
{
	comparisons++;
	return memcmp(a, b, element_size);
}

static int compare_ints(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	comparisons++;
	return (x > y) - (x < y);
}

/* Fills n elements of element_size bytes in one of several orders. */
static void fill_sort_input(unsigned char *buf, size_t n, unsigned shape)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t key;
		switch (shape) {
		case 0: key = rng_next(); break;			/* random */
		case 1: key = rng_below(4); break;			/* few distinct */
		case 2: key = i; break;					/* sorted */
		case 3: key = n - i; break;				/* reversed */
		case 4: key = 7; break;					/* all equal */
		case 5: key = i < n / 2 ? i : n - i; break;		/* organ pipe */
		default: key = i % 17; break;				/* sawtooth */
		}
		for (size_t b = 0; b < element_size; b++)
			buf[i * element_size + b] = (unsigned char)(key >> (8 * (element_size - 1 - b) % 64));
	}
}

static void test_qsort_shapes(void)
{
	static const size_t counts[] = { 0, 1, 2, 3, 5, 8, 12, 13, 16, 17, 31, 100, 1000, 4099 };
	static const size_t sizes[] = { 1, 3, 4, 8, 12, 32 };
	struct group g = { 0 };

	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
		for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
			for (unsigned shape = 0; shape < 7; shape++) {
				size_t n = counts[c], bytes = n * sizes[s];
				unsigned char *got = malloc(bytes + 1), *want = malloc(bytes + 1);

				element_size = sizes[s];
				fill_sort_input(got, n, shape);
				memcpy(want, got, bytes);
				qsort(want, n, element_size, compare_bytes);
				uk_qsort(got, n, element_size, compare_bytes);
				check(&g, memcmp(got, want, bytes) == 0,
				      "qsort of %zu elements of %zu bytes, shape %u", n, element_size, shape);
				free(got);
				free(want);
			}
	report(&g, "qsort sorts like host, element sizes 1..32, with duplicates");

	uk_qsort(NULL, 0, 4, compare_ints);
	int one = 5;
	comparisons = 0;
	uk_qsort(&one, 1, sizeof(one), compare_ints);
	ok(one == 5 && comparisons == 0, "qsort of 0 or 1 elements compares nothing");
}

static void test_qsort_large(void)
{
	enum { N = 200000 };
	int *got = malloc(N * sizeof(int)), *want = malloc(N * sizeof(int));

	for (size_t i = 0; i < N; i++)
		got[i] = want[i] = (int)rng_next();
	qsort(want, N, sizeof(int), compare_ints);
	uk_qsort(got, N, sizeof(int), compare_ints);
	ok(memcmp(got, want, N * sizeof(int)) == 0, "qsort of %d random ints matches host", N);
	free(got);
	free(want);
}

/*
 * McIlroy's "killer adversary for quicksort": the comparator decides the
 * values lazily so as to make every pivot bad. Quadratic sorts fall to it.
 */
static int *adversary_value;
static int adversary_gas, adversary_solid, adversary_candidate;

static int compare_adversarial(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	comparisons++;
	if (adversary_value[x] == adversary_gas && adversary_value[y] == adversary_gas)
		adversary_value[x == adversary_candidate ? x : y] = adversary_solid++;
	if (adversary_value[x] == adversary_gas)
		adversary_candidate = x;
	else if (adversary_value[y] == adversary_gas)
		adversary_candidate = y;
	return (adversary_value[x] > adversary_value[y]) - (adversary_value[x] < adversary_value[y]);
}

static void test_qsort_worst_case(void)
{
	enum { N = 20000 };
	int *items = malloc(N * sizeof(int));
	const unsigned long n_log2_n = N * 15ul;

	adversary_value = malloc(N * sizeof(int));
	adversary_gas = N - 1;
	adversary_solid = 0;
	adversary_candidate = 0;
	for (int i = 0; i < N; i++) {
		items[i] = i;
		adversary_value[i] = adversary_gas;
	}
	comparisons = 0;
	uk_qsort(items, N, sizeof(int), compare_adversarial);
	ok(comparisons <= 4 * n_log2_n, "qsort against McIlroy's adversary: %lu comparisons for %d items (bound 4 n log2 n)",
	   comparisons, N);
	free(items);
	free(adversary_value);

	items = malloc(N * sizeof(int));
	unsigned long worst = 0;
	element_size = sizeof(int);
	for (unsigned shape = 0; shape < 7; shape++) {
		fill_sort_input((unsigned char *)items, N, shape);
		comparisons = 0;
		uk_qsort(items, N, sizeof(int), compare_bytes);
		worst = comparisons > worst ? comparisons : worst;
	}
	ok(worst <= 2 * n_log2_n, "qsort of every input shape: at most %lu comparisons for %d items",
	   worst, N);
	free(items);
}

int main(void)
{
	test_memcpy_memset();
	test_memmove();
	test_memcmp_memchr();
	test_string_lengths();
	test_string_compare();
	test_string_copy();
	test_ctype();
	test_abs();
	test_strtol_fixed();
	test_strtol_random();
	test_snprintf_fixed();
	test_snprintf_truncation();
	test_vcbprintf();
	test_snprintf_random();
	test_qsort_shapes();
	test_qsort_large();
	test_qsort_worst_case();
	return done_testing();
}
