/*
 * Error objects (see error.h). Messages are formatted once, into memory the
 * error owns; the out-of-memory error is static so reporting it needs none.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "error.h"

struct us_error us_error_nomem = {
	.code = US_ERR_NOMEM,
	.message = "out of memory",
};

static struct us_error *error_vcreate(enum us_error_code code, const char *fmt, va_list ap)
{
	struct us_error *err = calloc(1, sizeof(*err));

	if (!err)
		return &us_error_nomem;
	err->code = code;
	if (vasprintf(&err->message, fmt, ap) < 0) {
		free(err);
		return &us_error_nomem;
	}
	return err;
}

struct us_error *us_error_create(enum us_error_code code, const char *fmt, ...)
{
	struct us_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = error_vcreate(code, fmt, ap);
	va_end(ap);
	return err;
}

struct us_error *us_error_errno(int errnum, const char *fmt, ...)
{
	struct us_error *err;
	char *with_reason;
	va_list ap;

	va_start(ap, fmt);
	err = error_vcreate(US_ERR_OS, fmt, ap);
	va_end(ap);
	if (err == &us_error_nomem)
		return err;
	err->errnum = errnum;
	if (asprintf(&with_reason, "%s: %s", err->message, strerror(errnum)) >= 0) {
		free(err->message);
		err->message = with_reason;
	}
	return err;
}

struct us_error *us_error_fault(uint64_t address, const char *fmt, ...)
{
	struct us_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = error_vcreate(US_ERR_FAULT, fmt, ap);
	va_end(ap);
	if (err != &us_error_nomem)
		err->address = address;
	return err;
}

struct us_error *us_error_prefix(struct us_error *err, const char *fmt, ...)
{
	char *prefix, *joined;
	va_list ap;
	int n;

	if (!err || err == &us_error_nomem)
		return err;
	va_start(ap, fmt);
	n = vasprintf(&prefix, fmt, ap);
	va_end(ap);
	if (n < 0)
		return err;
	if (asprintf(&joined, "%s: %s", prefix, err->message) >= 0) {
		free(err->message);
		err->message = joined;
	}
	free(prefix);
	return err;
}

void us_error_destroy(struct us_error *err)
{
	if (!err || err == &us_error_nomem)
		return;
	free(err->message);
	free(err);
}

void us_warning_append(char *buf, size_t cap, char sep, const char *fmt, va_list ap)
{
	size_t used = strlen(buf);

	if (used && used + 2 < cap)
		buf[used++] = sep;
	vsnprintf(buf + used, cap - used, fmt, ap);
}
