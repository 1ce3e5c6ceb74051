/*
 * Copies as much of src as fits in size bytes, always NUL-terminating when
 * size > 0. Returns strlen(src), so a result >= size means truncation.
 */
#include <string.h>

size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t src_len = strlen(src);

	if (size > 0) {
		size_t copy = src_len < size - 1 ? src_len : size - 1;

		memcpy(dst, src, copy);
		dst[copy] = '\0';
	}
	return src_len;
}
