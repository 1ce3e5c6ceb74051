/*
 * The libOS libc's stdlib. The allocator is the kernel's (libos/kern/);
 * everything else here is in libos/libc/.
 */
#ifndef UNISCOPE_LIBC_STDLIB_H
#define UNISCOPE_LIBC_STDLIB_H

#include <stddef.h>

void *malloc(size_t size);
void *calloc(size_t count, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);
/* align a power of two up to the page size; free() takes the block. */
void *aligned_alloc(size_t align, size_t size);

long strtol(const char *restrict s, char **restrict endptr, int base);
unsigned long strtoul(const char *restrict s, char **restrict endptr, int base);
long long strtoll(const char *restrict s, char **restrict endptr, int base);
unsigned long long strtoull(const char *restrict s, char **restrict endptr, int base);
int atoi(const char *s);
long atol(const char *s);

int abs(int n);
long labs(long n);
long long llabs(long long n);

void qsort(void *base, size_t count, size_t size,
	   int (*compare)(const void *a, const void *b));

#endif
