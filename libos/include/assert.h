/*
 * assert(x): on failure calls __assert_fail, which the libOS implements as
 * a panic carrying the expression, file:line and function. Like the
 * standard header it has no include guard for assert itself, so NDEBUG is
 * honoured each time the header is included.
 */
#ifndef UNISCOPE_LIBC_ASSERT_H
#define UNISCOPE_LIBC_ASSERT_H

_Noreturn void __assert_fail(const char *expr, const char *file, int line,
			     const char *func);

#define static_assert _Static_assert

#endif

#undef assert
#ifdef NDEBUG
#define assert(x) ((void)0)
#else
#define assert(x) ((x) ? (void)0 : __assert_fail(#x, __FILE__, __LINE__, __func__))
#endif
