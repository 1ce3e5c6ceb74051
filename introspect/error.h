/*
 * Errors in libuniscope are objects, as in drgn's libdrgn: a function that
 * can fail returns `struct us_error *`, NULL meaning success, and hands its
 * results out through its last parameters. An error says what failed, on
 * what, and what to do, in a message ready to print after "uniscope: ".
 * A memory fault carries the guest address that could not be read.
 *
 * Library code never prints and never exits: the caller decides. Running
 * out of memory while building an error yields the static us_error_nomem,
 * which us_error_destroy() leaves alone.
 */
#ifndef UNISCOPE_INTROSPECT_ERROR_H
#define UNISCOPE_INTROSPECT_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum us_error_code {
	US_ERR_OTHER = 1,
	US_ERR_NOMEM,
	US_ERR_OS,          /* a system call failed; errnum holds errno */
	US_ERR_FAULT,       /* guest memory not readable; address holds where */
	US_ERR_INVALID,     /* guest data or a file is malformed or absurd */
	US_ERR_NOT_FOUND,   /* no such session, symbol, thread, file */
	US_ERR_UNSUPPORTED, /* not in this build, or not for this target */
	US_ERR_USAGE,       /* the caller passed something meaningless */
};

struct us_error {
	enum us_error_code code;
	int errnum;       /* US_ERR_OS */
	uint64_t address; /* US_ERR_FAULT */
	char *message;
};

extern struct us_error us_error_nomem;

struct us_error *us_error_create(enum us_error_code code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "MESSAGE: strerror(errnum)". */
struct us_error *us_error_errno(int errnum, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A fault at address: "MESSAGE" (callers name the address in it). */
struct us_error *us_error_fault(uint64_t address, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Prepends "PREFIX: " to err's message; returns err (or nomem). */
struct us_error *us_error_prefix(struct us_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void us_error_destroy(struct us_error *err);

/*
 * Appends a formatted warning to buf (cap bytes, NUL-terminated), after sep
 * when buf already holds one; truncated to fit.
 */
void us_warning_append(char *buf, size_t cap, char sep, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

#endif
