/*
 * Formatted output for the libOS. snprintf, vsnprintf and vcbprintf are in
 * libos/libc/; printf, vprintf, puts and putchar write to the console and
 * live with it in the kernel.
 */
#ifndef UNISCOPE_LIBC_STDIO_H
#define UNISCOPE_LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

__attribute__((format(printf, 1, 2)))
int printf(const char *restrict fmt, ...);
__attribute__((format(printf, 1, 0)))
int vprintf(const char *restrict fmt, va_list ap);
int puts(const char *s);
int putchar(int c);

__attribute__((format(printf, 3, 4)))
int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...);
__attribute__((format(printf, 3, 0)))
int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap);

/*
 * The formatting engine: formats fmt and hands the output to emit() in
 * pieces as it is produced (ctx is passed through), so a caller can print
 * without a buffer. Returns the number of characters produced, or -1 if
 * that exceeds INT_MAX.
 */
__attribute__((format(printf, 3, 0)))
int vcbprintf(void (*emit)(void *ctx, const char *s, size_t n), void *ctx,
	      const char *fmt, va_list ap);

#endif
