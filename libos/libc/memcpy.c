/*
 * Copies a word at a time when source and destination share an alignment.
 * The optimize attribute keeps gcc from recognising the loops as a memcpy
 * and compiling this function into a call to itself.
 */
#include <stdint.h>
#include <string.h>

typedef uint64_t __attribute__((may_alias)) copy_word;

#define WORD_MASK (sizeof(copy_word) - 1)

__attribute__((optimize("no-tree-loop-distribute-patterns")))
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
		for (; n > 0 && ((uintptr_t)d & WORD_MASK); n--)
			*d++ = *s++;
		for (; n >= sizeof(copy_word); n -= sizeof(copy_word)) {
			*(copy_word *)d = *(const copy_word *)s;
			d += sizeof(copy_word);
			s += sizeof(copy_word);
		}
	}
	for (; n > 0; n--)
		*d++ = *s++;
	return dst;
}
