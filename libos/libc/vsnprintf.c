/*
 * vsnprintf: vcbprintf into a buffer sink that keeps what fits in size - 1
 * bytes and drops the rest, so the return value is still the full length.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct buffer_sink {
	char *buf;
	size_t capacity;	/* bytes available for text, not counting the NUL */
	size_t used;
};

static void buffer_append(void *ctx, const char *s, size_t n)
{
	struct buffer_sink *sink = ctx;
	size_t room = sink->capacity - sink->used;
	size_t take = n < room ? n : room;

	if (take > 0) {
		memcpy(sink->buf + sink->used, s, take);
		sink->used += take;
	}
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
	struct buffer_sink sink = { buf, size > 0 ? size - 1 : 0, 0 };
	int length = vcbprintf(buffer_append, &sink, fmt, ap);

	if (size > 0)
		buf[sink.used] = '\0';
	return length;
}
