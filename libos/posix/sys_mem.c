/*
 * The application's memory: brk, and anonymous (or private file) mmap,
 * from the libOS's page allocator, identity-mapped like all RAM.
 *
 * Two bitmaps, one bit per page of RAM, say which pages the application
 * was given (user) and where each mapping starts (start): munmap frees
 * only pages the application owns (never the libOS's), and a clone()
 * stack's bounds are the mapping it lies in.
 *
 * W^X holds after sealing: nothing becomes executable (PROT_EXEC is
 * refused with -EACCES, and said once). The page tables are sealed, so
 * protections are recorded, not enforced: a PROT_NONE guard page of a
 * thread stack is readable and writable (README, "Your own program").
 */
#include <string.h>
#include "posix.h"
#include "arch/x86_64/paging.h"

#define BRK_MAX (8ul << 20)
#define BRK_MIN (256ul << 10)

static uint64_t *user_bits, *start_bits, nr_bits;
static uint64_t brk_base, brk_cur, brk_limit;

static bool bit(const uint64_t *map, uint64_t pfn)
{
	return pfn < nr_bits && ((map[pfn / 64] >> (pfn % 64)) & 1);
}

static void set_bit(uint64_t *map, uint64_t pfn, bool on)
{
	if (pfn >= nr_bits)
		return;
	if (on)
		map[pfn / 64] |= 1ull << (pfn % 64);
	else
		map[pfn / 64] &= ~(1ull << (pfn % 64));
}

void mem_init(void)
{
	uint64_t words, pages;

	nr_bits = page_alloc_top() / PAGE_SIZE;
	words = (nr_bits + 63) / 64;
	pages = PAGE_ALIGN_UP(2 * words * 8) / PAGE_SIZE;
	user_bits = (uint64_t *)page_alloc(pages);
	if (!user_bits)
		panic("no memory for the application's page map (%llu pages)", (unsigned long long)pages);
	memset(user_bits, 0, pages * PAGE_SIZE);
	start_bits = user_bits + words;
}

static void mark_user(uint64_t addr, uint64_t pages, bool on)
{
	for (uint64_t i = 0; i < pages; i++) {
		set_bit(user_bits, addr / PAGE_SIZE + i, on);
		set_bit(start_bits, addr / PAGE_SIZE + i, on && i == 0);
	}
}

static bool all_user(uint64_t addr, uint64_t pages)
{
	for (uint64_t i = 0; i < pages; i++)
		if (!bit(user_bits, addr / PAGE_SIZE + i))
			return false;
	return true;
}

bool mem_region_of(uint64_t addr, uint64_t *lo, uint64_t *hi)
{
	uint64_t pfn = addr / PAGE_SIZE, first = pfn, end = pfn + 1;

	if (!bit(user_bits, pfn))
		return false;
	while (!bit(start_bits, first) && first > 0 && bit(user_bits, first - 1))
		first--;
	while (bit(user_bits, end) && !bit(start_bits, end))
		end++;
	*lo = first * PAGE_SIZE;
	*hi = end * PAGE_SIZE;
	return true;
}

static uint64_t map_pages(uint64_t pages)
{
	uint64_t addr = page_alloc(pages);

	if (!addr)
		return 0;
	memset((void *)addr, 0, pages * PAGE_SIZE);
	mark_user(addr, pages, true);
	return addr;
}

/* Frees the application's pages in [addr, addr + pages); others stay. */
static void unmap_pages(uint64_t addr, uint64_t pages)
{
	uint64_t pfn = addr / PAGE_SIZE, end = pfn + pages;

	for (uint64_t p = pfn; p < end; p++) {
		if (!bit(user_bits, p))
			continue;
		set_bit(user_bits, p, false);
		set_bit(start_bits, p, false);
		page_free(p * PAGE_SIZE, 1);
	}
	if (bit(user_bits, end)) /* what is left of a mapping starts after the hole */
		set_bit(start_bits, end, true);
}

static int64_t refuse_exec(uint64_t prot)
{
	if (!(prot & PROT_EXEC))
		return 0;
	posix_unsupported("executable memory after sealing (W^X): -EACCES", prot);
	return -LINUX_EACCES;
}

SYSCALL_HANDLER(mmap)
{
	uint64_t addr = args->a[0], len = args->a[1], prot = args->a[2], flags = args->a[3];
	int64_t fd = (int64_t)args->a[4], err;
	uint64_t pages, out;

	if (!len || len > (1ull << 46) || (args->a[5] % PAGE_SIZE))
		return -LINUX_EINVAL;
	if ((err = refuse_exec(prot)))
		return err;
	pages = PAGE_ALIGN_UP(len) / PAGE_SIZE;
	if (flags & MAP_FIXED) {
		if (addr % PAGE_SIZE || !all_user(addr, pages))
			return -LINUX_ENOMEM; /* only over the application's own memory */
		memset((void *)addr, 0, pages * PAGE_SIZE);
		out = addr;
	} else if (!(out = map_pages(pages))) {
		return -LINUX_ENOMEM;
	}
	if (!(flags & MAP_ANONYMOUS) && (err = fs_map_file((int)fd, out, len, args->a[5])) < 0) {
		if (!(flags & MAP_FIXED))
			unmap_pages(out, pages);
		return err;
	}
	return (int64_t)out;
}

SYSCALL_HANDLER(munmap)
{
	uint64_t addr = args->a[0], len = args->a[1];

	if (addr % PAGE_SIZE || !len || addr >= (1ull << 47))
		return -LINUX_EINVAL;
	unmap_pages(addr, PAGE_ALIGN_UP(len) / PAGE_SIZE);
	return 0;
}

SYSCALL_HANDLER(mremap)
{
	uint64_t old = args->a[0], old_len = PAGE_ALIGN_UP(args->a[1]), new_len = PAGE_ALIGN_UP(args->a[2]);
	uint64_t flags = args->a[3], out;

	if (old % PAGE_SIZE || !new_len || (flags & MREMAP_FIXED) || !all_user(old, old_len / PAGE_SIZE))
		return -LINUX_EINVAL;
	if (new_len <= old_len) {
		unmap_pages(old + new_len, (old_len - new_len) / PAGE_SIZE);
		return (int64_t)old;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -LINUX_ENOMEM;
	if (!(out = map_pages(new_len / PAGE_SIZE)))
		return -LINUX_ENOMEM;
	memcpy((void *)out, (void *)old, old_len);
	unmap_pages(old, old_len / PAGE_SIZE);
	return (int64_t)out;
}

SYSCALL_HANDLER(mprotect)
{
	uint64_t addr = args->a[0], len = PAGE_ALIGN_UP(args->a[1]);
	int64_t err;

	if (addr % PAGE_SIZE)
		return -LINUX_EINVAL;
	if ((err = refuse_exec(args->a[2])))
		return err;
	return all_user(addr, len / PAGE_SIZE) ? 0 : -LINUX_ENOMEM;
}

SYSCALL_HANDLER(madvise)
{
	uint64_t addr = args->a[0], len = PAGE_ALIGN_UP(args->a[1]);

	if (addr % PAGE_SIZE)
		return -LINUX_EINVAL;
	if (!all_user(addr, len / PAGE_SIZE))
		return -LINUX_ENOMEM;
	if (args->a[2] == MADV_DONTNEED)
		memset((void *)addr, 0, len); /* private anonymous: zero when read again */
	return 0;
}

/* A window of RAM/16 (BRK_MIN..BRK_MAX), taken at the first brk(): past it, brk fails
 * and the C library's malloc falls back to mmap. */
SYSCALL_HANDLER(brk)
{
	uint64_t want = args->a[0];

	if (!brk_base) {
		uint64_t bytes = page_alloc_top() / 16;
		bytes = PAGE_ALIGN_DOWN(bytes < BRK_MIN ? BRK_MIN : bytes > BRK_MAX ? BRK_MAX : bytes);
		if (!(brk_base = page_alloc(bytes / PAGE_SIZE)))
			return 0;
		mark_user(brk_base, bytes / PAGE_SIZE, true);
		brk_cur = brk_base;
		brk_limit = brk_base + bytes;
	}
	if (want >= brk_base && want <= brk_limit) {
		if (want > brk_cur)
			memset((void *)brk_cur, 0, want - brk_cur);
		brk_cur = want;
	}
	return (int64_t)brk_cur;
}
