/* Copies at most n bytes and pads the rest of dst with NULs (it may leave
 * dst unterminated, as the standard says). */
#include <string.h>

char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	size_t copied = 0;

	for (; copied < n && src[copied]; copied++)
		dst[copied] = src[copied];
	memset(dst + copied, 0, n - copied);
	return dst;
}
