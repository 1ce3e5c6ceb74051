/*
 * malloc: power-of-two size classes from 16 to 2048 bytes carved out of
 * single pages, and whole pages for anything bigger. Every block starts
 * with a 16-byte header holding its size class (or page count), so free()
 * and realloc() need no lookup, and a corrupted header is caught.
 *
 * A block's first word says what it is: BLOCK_MAGIC while allocated,
 * FREED_MAGIC once freed (the free list links through the word after it),
 * so a second free() of the same block is told from a header that was
 * overwritten (a buffer underrun of the block below), and each panics
 * with its own message.
 *
 * aligned_alloc over-allocates and puts a copy of the header right below
 * the aligned address, its `shift` saying how far below the block really
 * starts: free() finds the block from either, and a write just below any
 * block still lands on a header.
 */
#include <stdlib.h>
#include <string.h>
#include "kern.h"
#include "arch/x86_64/cpu.h"
#include "trace.h"

#define HEADER_SIZE 16
#define MIN_CLASS_SHIFT 4
#define MAX_CLASS_SHIFT 11
#define NR_CLASSES (MAX_CLASS_SHIFT - MIN_CLASS_SHIFT + 1)
#define BLOCK_MAGIC 0x6b636f6cu /* "lock" */
#define FREED_MAGIC 0x65657266u /* "free" */
#define LARGE_CLASS 0xff

struct block_header {
	uint32_t magic;
	uint8_t size_class;
	uint8_t shift;  /* aligned_alloc's copy: the block's header is shift * 16 bytes lower */
	uint8_t pad[2];
	uint64_t size; /* bytes requested; pages for large blocks come from it */
};
_Static_assert(sizeof(struct block_header) == HEADER_SIZE, "header size");

struct free_block {
	uint32_t magic; /* FREED_MAGIC, where block_header has its magic */
	uint32_t pad;
	struct free_block *next;
};
_Static_assert(sizeof(struct free_block) <= HEADER_SIZE, "free block fits a header");

static struct free_block *free_lists[NR_CLASSES];

static int size_class_for(size_t total)
{
	for (int c = 0; c < NR_CLASSES; c++)
		if (total <= (1ul << (c + MIN_CLASS_SHIFT)))
			return c;
	return -1;
}

static int refill_class(int c)
{
	uint64_t page = page_alloc(1);
	size_t block = 1ul << (c + MIN_CLASS_SHIFT);

	if (!page)
		return -1;
	for (size_t off = 0; off + block <= PAGE_SIZE; off += block) {
		struct free_block *b = (struct free_block *)(page + off);
		b->magic = FREED_MAGIC;
		b->next = free_lists[c];
		free_lists[c] = b;
	}
	return 0;
}

static void *block_finish(struct block_header *h, int size_class, size_t size)
{
	/* Whole: a stale shift (an aligned_alloc copy that once lay here) would send free() astray. */
	*h = (struct block_header){ .magic = BLOCK_MAGIC, .size_class = (uint8_t)size_class, .size = size };
	heap_stats.heap_allocs++;
	heap_stats.heap_bytes_in_use += size;
	if (heap_stats.heap_bytes_in_use > heap_stats.heap_bytes_peak)
		heap_stats.heap_bytes_peak = heap_stats.heap_bytes_in_use;
	return (uint8_t *)h + HEADER_SIZE;
}

static void *alloc_locked(size_t size)
{
	size_t total = size + HEADER_SIZE;
	int c;

	if (size > (1ull << 40))
		return 0;
	c = size_class_for(total);
	if (c < 0) {
		uint64_t pages = PAGE_ALIGN_UP(total) / PAGE_SIZE;
		uint64_t addr = page_alloc(pages);
		return addr ? block_finish((struct block_header *)addr, LARGE_CLASS, size) : 0;
	}
	if (!free_lists[c] && refill_class(c) < 0)
		return 0;
	struct free_block *b = free_lists[c];
	free_lists[c] = b->next;
	return block_finish((struct block_header *)b, c, size);
}

void *malloc(size_t size)
{
	uint64_t flags = irq_save();
	void *p = alloc_locked(size);

	if (!p)
		heap_stats.heap_failures++;
	irq_restore(flags);
	trace_alloc((uint64_t)p, size);
	return p;
}

/* The size a block of this class can hold; 0 for a class that does not exist. */
static uint64_t class_capacity(uint8_t size_class)
{
	if (size_class == LARGE_CLASS)
		return 1ull << 40;
	return size_class < NR_CLASSES ? (1ull << (size_class + MIN_CLASS_SHIFT)) - HEADER_SIZE : 0;
}

void *aligned_alloc(size_t align, size_t size)
{
	uint8_t *p, *aligned;
	struct block_header *h;

	if (align <= HEADER_SIZE || align > PAGE_SIZE || (align & (align - 1)))
		return align <= HEADER_SIZE ? malloc(size) : 0;
	if (!(p = malloc(size + align)))
		return 0;
	aligned = (uint8_t *)(((uint64_t)p + align - 1) & ~(uint64_t)(align - 1));
	if (aligned != p) {
		h = (struct block_header *)(aligned - HEADER_SIZE);
		*h = *(struct block_header *)(p - HEADER_SIZE);
		h->shift = (uint8_t)((aligned - p) / HEADER_SIZE);
	}
	return aligned;
}

static struct block_header *checked_header(struct block_header *h, void *p, const char *what)
{
	if (h->magic == FREED_MAGIC)
		panic("double free of %p (%s of a block already freed)", p, what);
	if (h->magic != BLOCK_MAGIC || h->size > class_capacity(h->size_class))
		panic("heap block header corrupted at %p (%s of %p: magic %#x, class %u, size %llu)",
		      (void *)h, what, p, h->magic, h->size_class, (unsigned long long)h->size);
	return h;
}

/* The block's own header; *copy is aligned_alloc's copy of it, or NULL. */
static struct block_header *header_of(void *p, const char *what, struct block_header **copy)
{
	struct block_header *h = (struct block_header *)((uint8_t *)p - HEADER_SIZE);

	if ((uint64_t)p % HEADER_SIZE)
		panic("%s of %p: not a heap block (misaligned)", what, p);
	checked_header(h, p, what);
	*copy = NULL;
	if (h->shift) {
		*copy = h;
		h = checked_header((struct block_header *)((uint8_t *)h - h->shift * HEADER_SIZE), p, what);
	}
	return h;
}

void free(void *p)
{
	struct block_header *h, *copy;
	uint64_t flags;

	if (!p)
		return;
	trace_free((uint64_t)p);
	flags = irq_save();
	h = header_of(p, "free", &copy);
	h->magic = FREED_MAGIC;
	if (copy)
		copy->magic = FREED_MAGIC;
	heap_stats.heap_frees++;
	heap_stats.heap_bytes_in_use -= h->size;
	if (h->size_class == LARGE_CLASS) {
		page_free((uint64_t)h, PAGE_ALIGN_UP(h->size + HEADER_SIZE) / PAGE_SIZE);
	} else {
		struct free_block *b = (struct free_block *)h;
		b->next = free_lists[h->size_class]; /* over size: the magic stays */
		free_lists[h->size_class] = b;
	}
	irq_restore(flags);
}

void *calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > (size_t)-1 / size)
		return 0;
	p = malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *realloc(void *p, size_t size)
{
	struct block_header *h, *copy;
	void *q;
	size_t old;

	if (!p)
		return malloc(size);
	if (!size) {
		free(p);
		return 0;
	}
	h = header_of(p, "realloc", &copy);
	old = h->size - (size_t)((uint8_t *)p - ((uint8_t *)h + HEADER_SIZE)); /* aligned_alloc's shift */
	q = malloc(size);
	if (q) {
		memcpy(q, p, old < size ? old : size);
		free(p);
	}
	return q;
}
