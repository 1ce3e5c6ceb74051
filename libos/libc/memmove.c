/*
 * Copies forward when the destination is below the source and backward
 * otherwise, so overlapping bytes are read before they are overwritten;
 * a word at a time when both share an alignment. The optimize attribute
 * keeps gcc from turning the loops into a call to memmove itself.
 */
#include <stdint.h>
#include <string.h>

typedef uint64_t __attribute__((may_alias)) move_word;

#define WORD_SIZE sizeof(move_word)
#define WORD_MASK (WORD_SIZE - 1)

__attribute__((optimize("no-tree-loop-distribute-patterns")))
static void copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	if ((((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
		for (; n > 0 && ((uintptr_t)d & WORD_MASK); n--)
			*d++ = *s++;
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			*(move_word *)d = *(const move_word *)s;
			d += WORD_SIZE;
			s += WORD_SIZE;
		}
	}
	for (; n > 0; n--)
		*d++ = *s++;
}

/* d and s point one past the end of the regions. */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
static void copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	if ((((uintptr_t)d ^ (uintptr_t)s) & WORD_MASK) == 0) {
		for (; n > 0 && ((uintptr_t)d & WORD_MASK); n--)
			*--d = *--s;
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			d -= WORD_SIZE;
			s -= WORD_SIZE;
			*(move_word *)d = *(const move_word *)s;
		}
	}
	for (; n > 0; n--)
		*--d = *--s;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s)
		copy_forward(d, s, n);
	else if (d > s)
		copy_backward(d + n, s + n, n);
	return dst;
}
