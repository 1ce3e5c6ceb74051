/*
 * Hex and number parsing over bounded cursors, and the small formatters
 * the engine uses instead of printf. Parsers never read past cursor.end
 * and never rely on a terminating NUL.
 */
#include "internal.h"

int gdb_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char gdb_hex_char(unsigned nibble)
{
	return "0123456789abcdef"[nibble & 0xf];
}

bool gdb_cursor_done(const struct gdb_cursor *c)
{
	return c->p >= c->end;
}

size_t gdb_cursor_left(const struct gdb_cursor *c)
{
	return gdb_cursor_done(c) ? 0 : (size_t)(c->end - c->p);
}

bool gdb_parse_char(struct gdb_cursor *c, char ch)
{
	if (gdb_cursor_done(c) || *c->p != ch)
		return false;
	c->p++;
	return true;
}

bool gdb_parse_prefix(struct gdb_cursor *c, const char *prefix)
{
	size_t len = strlen(prefix);

	if (gdb_cursor_left(c) < len || memcmp(c->p, prefix, len) != 0)
		return false;
	c->p += len;
	return true;
}

/* One or more hex digits that fit in 64 bits; leading zeros allowed. */
bool gdb_parse_hex_u64(struct gdb_cursor *c, uint64_t *value)
{
	uint64_t v = 0;
	const char *start = c->p;
	int digit;

	while (!gdb_cursor_done(c) && (digit = gdb_hex_value(*c->p)) >= 0) {
		if (v > (UINT64_MAX >> 4))
			return false;
		v = (v << 4) | (uint64_t)digit;
		c->p++;
	}
	*value = v;
	return c->p != start;
}

/* "-1" (all), "0" (any) or a positive hex id. */
static bool parse_plain_tid(struct gdb_cursor *c, int64_t *tid)
{
	uint64_t v;

	if (gdb_parse_char(c, '-')) {
		if (!gdb_parse_char(c, '1'))
			return false;
		*tid = GDB_TID_ALL;
		return true;
	}
	if (!gdb_parse_hex_u64(c, &v) || v > (uint64_t)INT64_MAX)
		return false;
	*tid = (int64_t)v;
	return true;
}

/* A thread id, tolerating the multiprocess forms "pPID.TID" and "pPID". */
bool gdb_parse_tid(struct gdb_cursor *c, int64_t *tid)
{
	int64_t pid;

	if (!gdb_parse_char(c, 'p'))
		return parse_plain_tid(c, tid);
	if (!parse_plain_tid(c, &pid))
		return false;
	if (!gdb_parse_char(c, '.')) {
		*tid = GDB_TID_ALL;
		return true;
	}
	return parse_plain_tid(c, tid);
}

/* Exactly out_len bytes from exactly 2 * out_len hex digits. */
bool gdb_hex_decode(const char *hex, size_t hex_len, uint8_t *out, size_t out_len)
{
	if (hex_len != 2 * out_len)
		return false;
	for (size_t i = 0; i < out_len; i++) {
		int high = gdb_hex_value(hex[2 * i]);
		int low = gdb_hex_value(hex[2 * i + 1]);

		if (high < 0 || low < 0)
			return false;
		out[i] = (uint8_t)(high << 4 | low);
	}
	return true;
}

size_t gdb_format_hex_u64(char *out, uint64_t value)
{
	size_t digits = 1;

	while (digits < 16 && (value >> (4 * digits)) != 0)
		digits++;
	for (size_t i = 0; i < digits; i++)
		out[i] = gdb_hex_char((unsigned)(value >> (4 * (digits - 1 - i))));
	return digits;
}

size_t gdb_format_decimal(char *out, uint64_t value)
{
	char reversed[20];
	size_t n = 0;

	do {
		reversed[n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value != 0 && n < sizeof(reversed));
	for (size_t i = 0; i < n; i++)
		out[i] = reversed[n - 1 - i];
	return n;
}
