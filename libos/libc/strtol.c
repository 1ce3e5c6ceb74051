/*
 * strtol and family share one parser. It reads the magnitude as an
 * unsigned long long, noting overflow past the limit the caller gives for
 * the sign it found; each function then converts to its own type, clamps
 * and sets ERANGE on overflow.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

struct parsed_integer {
	unsigned long long magnitude;	/* the sign's limit on overflow */
	bool negative;
	bool overflow;
};

/* 36 for a character that is a digit in no base. */
static unsigned digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'z')
		return (unsigned)(c - 'a') + 10;
	if (c >= 'A' && c <= 'Z')
		return (unsigned)(c - 'A') + 10;
	return 36;
}

/* "0x" counts as a prefix only when a hex digit follows: "0xg" is 0 then "xg". */
static const char *skip_base_prefix(const char *s, unsigned *base)
{
	bool hex_prefix = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
			  digit_value(s[2]) < 16;

	if ((*base == 0 || *base == 16) && hex_prefix) {
		*base = 16;
		return s + 2;
	}
	if (*base == 0)
		*base = s[0] == '0' ? 8 : 10;
	return s;
}

/* Returns the end of the number, or s itself when there are no digits. */
static const char *parse_integer(const char *s, int base,
				 unsigned long long positive_limit,
				 unsigned long long negative_limit,
				 struct parsed_integer *out)
{
	const char *p = s, *digits;
	unsigned radix = (unsigned)base;
	unsigned long long limit;

	*out = (struct parsed_integer){ 0 };
	if (base < 0 || base == 1 || base > 36) {
		errno = EINVAL;
		return s;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		out->negative = *p++ == '-';
	p = skip_base_prefix(p, &radix);
	limit = out->negative ? negative_limit : positive_limit;
	for (digits = p; digit_value(*p) < radix; p++) {
		unsigned digit = digit_value(*p);

		if (out->overflow || out->magnitude > (limit - digit) / radix)
			out->overflow = true;
		else
			out->magnitude = out->magnitude * radix + digit;
	}
	if (p == digits)
		return s;
	if (out->overflow)
		out->magnitude = limit;
	return p;
}

/* -magnitude, for a magnitude no larger than LLONG_MAX + 1. */
static long long negate(unsigned long long magnitude)
{
	return magnitude == 0 ? 0 : -(long long)(magnitude - 1) - 1;
}

static void set_end(char **endptr, const char *end)
{
	if (endptr)
		*endptr = (char *)end;
}

long strtol(const char *restrict s, char **restrict endptr, int base)
{
	struct parsed_integer n;

	set_end(endptr, parse_integer(s, base, LONG_MAX, (unsigned long)LONG_MAX + 1, &n));
	if (n.overflow)
		errno = ERANGE;
	return n.negative ? (long)negate(n.magnitude) : (long)n.magnitude;
}

long long strtoll(const char *restrict s, char **restrict endptr, int base)
{
	struct parsed_integer n;

	set_end(endptr, parse_integer(s, base, LLONG_MAX, (unsigned long long)LLONG_MAX + 1, &n));
	if (n.overflow)
		errno = ERANGE;
	return n.negative ? negate(n.magnitude) : (long long)n.magnitude;
}

/* As the standard says, "-1" is ULONG_MAX, but an overflow either way clamps to ULONG_MAX. */
unsigned long strtoul(const char *restrict s, char **restrict endptr, int base)
{
	struct parsed_integer n;

	set_end(endptr, parse_integer(s, base, ULONG_MAX, ULONG_MAX, &n));
	if (n.overflow) {
		errno = ERANGE;
		return ULONG_MAX;
	}
	return n.negative ? -(unsigned long)n.magnitude : (unsigned long)n.magnitude;
}

unsigned long long strtoull(const char *restrict s, char **restrict endptr, int base)
{
	struct parsed_integer n;

	set_end(endptr, parse_integer(s, base, ULLONG_MAX, ULLONG_MAX, &n));
	if (n.overflow) {
		errno = ERANGE;
		return ULLONG_MAX;
	}
	return n.negative ? -n.magnitude : n.magnitude;
}

int atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

long atol(const char *s)
{
	return strtol(s, NULL, 10);
}
