/*
 * Fills a word at a time once the destination is aligned. The optimize
 * attribute keeps gcc from compiling the loops into a call to memset itself.
 */
#include <stdint.h>
#include <string.h>

typedef uint64_t __attribute__((may_alias)) fill_word;

#define WORD_MASK (sizeof(fill_word) - 1)

__attribute__((optimize("no-tree-loop-distribute-patterns")))
void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char byte = (unsigned char)c;
	fill_word pattern = byte * (fill_word)0x0101010101010101ull;

	for (; n > 0 && ((uintptr_t)d & WORD_MASK); n--)
		*d++ = byte;
	for (; n >= sizeof(fill_word); n -= sizeof(fill_word)) {
		*(fill_word *)d = pattern;
		d += sizeof(fill_word);
	}
	for (; n > 0; n--)
		*d++ = byte;
	return dst;
}
