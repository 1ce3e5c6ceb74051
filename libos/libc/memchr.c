#include <string.h>

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	unsigned char byte = (unsigned char)c;

	for (; n > 0; n--, p++) {
		if (*p == byte)
			return (void *)p;
	}
	return NULL;
}
