/* Appends at most n bytes of src and always a terminating NUL. */
#include <string.h>

char *strncat(char *restrict dst, const char *restrict src, size_t n)
{
	char *end = dst + strlen(dst);
	size_t copy = strnlen(src, n);

	memcpy(end, src, copy);
	end[copy] = '\0';
	return dst;
}
