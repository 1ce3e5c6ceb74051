#include <stdarg.h>
#include <stdio.h>

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list ap;
	int length;

	va_start(ap, fmt);
	length = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return length;
}
