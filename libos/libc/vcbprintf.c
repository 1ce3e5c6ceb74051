/*
 * The formatting engine behind snprintf and the console's printf.
 *
 * Output goes to a sink: literal runs, padding and each converted field are
 * handed to emit() as they are produced, so the console prints without a
 * buffer and snprintf truncates without a second pass.
 *
 * Supported: flags "-+ 0#", width and precision (digits or '*'), length
 * modifiers hh h l ll z t j, conversions d i u o x X c s p %. No floating
 * point: the libOS core is built without SSE. %p is "0x" and lowercase hex
 * ("0x0" for NULL); %s of NULL is "(null)". An unknown conversion, %n
 * included, is copied to the output as written.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum {
	FLAG_LEFT = 1 << 0,	/* '-' */
	FLAG_PLUS = 1 << 1,	/* '+' */
	FLAG_SPACE = 1 << 2,	/* ' ' */
	FLAG_ZERO = 1 << 3,	/* '0' */
	FLAG_ALT = 1 << 4,	/* '#' */
};

enum length_modifier {
	LENGTH_NONE, LENGTH_HH, LENGTH_H, LENGTH_L, LENGTH_LL,
	LENGTH_Z, LENGTH_T, LENGTH_J,
};

struct conversion {
	unsigned flags;
	size_t width;
	int precision;		/* -1 when none is given */
	enum length_modifier length;
	char specifier;
};

struct sink {
	void (*emit)(void *ctx, const char *s, size_t n);
	void *ctx;
	size_t count;
};

static void sink_write(struct sink *out, const char *s, size_t n)
{
	if (n == 0)
		return;
	out->emit(out->ctx, s, n);
	out->count += n;
}

static void sink_fill(struct sink *out, char c, size_t n)
{
	static const char spaces[] = "                ";
	static const char zeros[] = "0000000000000000";
	const size_t chunk_max = sizeof(spaces) - 1;

	while (n > 0) {
		size_t chunk = n < chunk_max ? n : chunk_max;

		sink_write(out, c == '0' ? zeros : spaces, chunk);
		n -= chunk;
	}
}

/* Saturates at INT_MAX rather than overflowing. */
static int parse_decimal(const char **fmt)
{
	int value = 0;

	for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++) {
		int digit = **fmt - '0';

		value = value > (INT_MAX - digit) / 10 ? INT_MAX : value * 10 + digit;
	}
	return value;
}

/* Bit i of the result is flag_chars[i], the order of the FLAG_ constants. */
static unsigned parse_flags(const char **fmt)
{
	static const char flag_chars[] = "-+ 0#";
	unsigned flags = 0;
	const char *flag;

	while (**fmt && (flag = strchr(flag_chars, **fmt)) != NULL) {
		flags |= 1u << (flag - flag_chars);
		(*fmt)++;
	}
	return flags;
}

/* A negative '*' width means '-' and its absolute value. */
static void parse_width(const char **fmt, struct conversion *conv, va_list *args)
{
	if (**fmt != '*') {
		conv->width = (size_t)parse_decimal(fmt);
		return;
	}
	(*fmt)++;
	int width = va_arg(*args, int);
	if (width < 0) {
		conv->flags |= FLAG_LEFT;
		conv->width = -(size_t)width;
	} else {
		conv->width = (size_t)width;
	}
}

/* A negative '*' precision is taken as if none were given. */
static int parse_precision(const char **fmt, va_list *args)
{
	if (**fmt != '.')
		return -1;
	(*fmt)++;
	if (**fmt != '*')
		return parse_decimal(fmt);
	(*fmt)++;
	int precision = va_arg(*args, int);
	return precision < 0 ? -1 : precision;
}

static enum length_modifier parse_length(const char **fmt)
{
	char c = **fmt;

	if (c == 'z' || c == 't' || c == 'j') {
		(*fmt)++;
		return c == 'z' ? LENGTH_Z : c == 't' ? LENGTH_T : LENGTH_J;
	}
	if (c != 'h' && c != 'l')
		return LENGTH_NONE;
	(*fmt)++;
	if (**fmt != c)
		return c == 'h' ? LENGTH_H : LENGTH_L;
	(*fmt)++;
	return c == 'h' ? LENGTH_HH : LENGTH_LL;
}

static intmax_t fetch_signed(enum length_modifier length, va_list *args)
{
	switch (length) {
	case LENGTH_HH: return (signed char)va_arg(*args, int);
	case LENGTH_H: return (short)va_arg(*args, int);
	case LENGTH_L: return va_arg(*args, long);
	case LENGTH_LL: return va_arg(*args, long long);
	case LENGTH_Z: return (ptrdiff_t)va_arg(*args, size_t);
	case LENGTH_T: return va_arg(*args, ptrdiff_t);
	case LENGTH_J: return va_arg(*args, intmax_t);
	default: return va_arg(*args, int);
	}
}

static uintmax_t fetch_unsigned(enum length_modifier length, va_list *args)
{
	switch (length) {
	case LENGTH_HH: return (unsigned char)va_arg(*args, unsigned);
	case LENGTH_H: return (unsigned short)va_arg(*args, unsigned);
	case LENGTH_L: return va_arg(*args, unsigned long);
	case LENGTH_LL: return va_arg(*args, unsigned long long);
	case LENGTH_Z: return va_arg(*args, size_t);
	case LENGTH_T: return (size_t)va_arg(*args, ptrdiff_t);
	case LENGTH_J: return va_arg(*args, uintmax_t);
	default: return va_arg(*args, unsigned);
	}
}

/* Writes the digits backward, ending just before end; returns how many. */
static size_t to_digits(uintmax_t value, unsigned base, bool upper, char *end)
{
	const char *alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t count = 0;

	do {
		*--end = alphabet[value % base];
		value /= base;
		count++;
	} while (value != 0);
	return count;
}

/* [spaces] prefix [zeros] digits, or prefix [zeros] digits [spaces] with '-'. */
static void write_number(struct sink *out, const struct conversion *conv,
			 const char *prefix, size_t zeros,
			 const char *digits, size_t digit_count)
{
	size_t prefix_len = strlen(prefix);
	size_t body = prefix_len + zeros + digit_count;
	size_t padding = conv->width > body ? conv->width - body : 0;

	if ((conv->flags & (FLAG_ZERO | FLAG_LEFT)) == FLAG_ZERO && conv->precision < 0) {
		zeros += padding;
		padding = 0;
	}
	if (!(conv->flags & FLAG_LEFT))
		sink_fill(out, ' ', padding);
	sink_write(out, prefix, prefix_len);
	sink_fill(out, '0', zeros);
	sink_write(out, digits, digit_count);
	if (conv->flags & FLAG_LEFT)
		sink_fill(out, ' ', padding);
}

/* The precision is the minimum digit count; precision 0 prints 0 as nothing. */
static void format_integer(struct sink *out, const struct conversion *conv,
			   uintmax_t magnitude, unsigned base, const char *prefix)
{
	char buf[sizeof(uintmax_t) * CHAR_BIT / 3 + 1];
	size_t count = 0;
	size_t precision = conv->precision < 0 ? 1 : (size_t)conv->precision;

	if (magnitude != 0 || precision != 0)
		count = to_digits(magnitude, base, conv->specifier == 'X', buf + sizeof(buf));
	const char *digits = buf + sizeof(buf) - count;
	size_t zeros = precision > count ? precision - count : 0;

	/* '#' with 'o' makes the first digit a 0, adding one if needed. */
	if (base == 8 && (conv->flags & FLAG_ALT) && zeros == 0 &&
	    (count == 0 || digits[0] != '0'))
		zeros = 1;
	write_number(out, conv, prefix, zeros, digits, count);
}

static void format_signed(struct sink *out, const struct conversion *conv, intmax_t value)
{
	const char *sign = "";

	if (value < 0)
		sign = "-";
	else if (conv->flags & FLAG_PLUS)
		sign = "+";
	else if (conv->flags & FLAG_SPACE)
		sign = " ";
	format_integer(out, conv, value < 0 ? -(uintmax_t)value : (uintmax_t)value, 10, sign);
}

static void format_unsigned(struct sink *out, const struct conversion *conv, uintmax_t value)
{
	const char *prefix = "";
	unsigned base = 10;

	if (conv->specifier == 'o') {
		base = 8;
	} else if (conv->specifier == 'x' || conv->specifier == 'X') {
		base = 16;
		if ((conv->flags & FLAG_ALT) && value != 0)
			prefix = conv->specifier == 'x' ? "0x" : "0X";
	}
	format_integer(out, conv, value, base, prefix);
}

static void format_text(struct sink *out, const struct conversion *conv,
			const char *text, size_t len)
{
	size_t padding = conv->width > len ? conv->width - len : 0;

	if (!(conv->flags & FLAG_LEFT))
		sink_fill(out, ' ', padding);
	sink_write(out, text, len);
	if (conv->flags & FLAG_LEFT)
		sink_fill(out, ' ', padding);
}

static void format_string(struct sink *out, const struct conversion *conv, const char *s)
{
	if (s == NULL)
		s = "(null)";
	format_text(out, conv, s, conv->precision < 0 ? strlen(s) :
		    strnlen(s, (size_t)conv->precision));
}

/* Returns false for a specifier it does not know. */
static bool format_conversion(struct sink *out, const struct conversion *conv, va_list *args)
{
	char c;

	switch (conv->specifier) {
	case 'd':
	case 'i':
		format_signed(out, conv, fetch_signed(conv->length, args));
		return true;
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		format_unsigned(out, conv, fetch_unsigned(conv->length, args));
		return true;
	case 'p':
		format_integer(out, conv, (uintptr_t)va_arg(*args, void *), 16, "0x");
		return true;
	case 'c':
		c = (char)va_arg(*args, int);
		format_text(out, conv, &c, 1);
		return true;
	case 's':
		format_string(out, conv, va_arg(*args, const char *));
		return true;
	case '%':
		sink_write(out, "%", 1);
		return true;
	default:
		return false;
	}
}

/* Formats the conversion starting at percent; returns where the format goes on. */
static const char *format_one(struct sink *out, const char *percent, va_list *args)
{
	const char *fmt = percent + 1;
	struct conversion conv;

	conv.flags = parse_flags(&fmt);
	parse_width(&fmt, &conv, args);
	conv.precision = parse_precision(&fmt, args);
	conv.length = parse_length(&fmt);
	conv.specifier = *fmt;
	if (format_conversion(out, &conv, args))
		return fmt + 1;
	if (*fmt != '\0')
		fmt++;
	sink_write(out, percent, (size_t)(fmt - percent));
	return fmt;
}

int vcbprintf(void (*emit)(void *ctx, const char *s, size_t n), void *ctx,
	      const char *fmt, va_list ap)
{
	struct sink out = { emit, ctx, 0 };
	va_list args;

	va_copy(args, ap);
	while (*fmt != '\0') {
		const char *run = fmt;

		while (*fmt != '\0' && *fmt != '%')
			fmt++;
		sink_write(&out, run, (size_t)(fmt - run));
		if (*fmt == '%')
			fmt = format_one(&out, fmt, &args);
	}
	va_end(args);
	return out.count > INT_MAX ? -1 : (int)out.count;
}
