/*
 * Application pointers. A syscall gets addresses from the application and
 * must answer a bad one with -EFAULT, never fault itself: every range is
 * checked against the page tables (present, and writable when written)
 * before the libOS touches it. The application shares the libOS's address
 * space, so this is about mistakes, not isolation: a null or wild pointer,
 * a guard page, memory past the end of RAM.
 */
#include <string.h>
#include "posix.h"
#include "arch/x86_64/paging.h"

#define USER_ADDR_LIMIT (1ull << 47) /* canonical lower half */

bool user_ok(uint64_t addr, uint64_t len, bool write)
{
	uint64_t end, page_size;

	if (!len)
		return true;
	if (addr >= USER_ADDR_LIMIT || len > USER_ADDR_LIMIT - addr)
		return false;
	end = addr + len;
	while (addr < end) {
		uint64_t pte = paging_lookup(addr, &page_size);
		if (!(pte & PTE_FLAG_PRESENT) || (write && !(pte & PTE_FLAG_WRITE)))
			return false;
		addr = (addr & ~(page_size - 1)) + page_size;
	}
	return true;
}

int copy_from_user(void *dst, uint64_t src, uint64_t len)
{
	if (!user_ok(src, len, false))
		return -LINUX_EFAULT;
	memcpy(dst, (const void *)src, len);
	return 0;
}

int copy_to_user(uint64_t dst, const void *src, uint64_t len)
{
	if (!user_ok(dst, len, true))
		return -LINUX_EFAULT;
	memcpy((void *)dst, src, len);
	return 0;
}

int64_t copy_string_from_user(char *dst, uint64_t src, size_t cap)
{
	for (size_t i = 0; i < cap; i++) {
		if ((i == 0 || (src + i) % PAGE_SIZE == 0) && !user_ok(src + i, 1, false))
			return -LINUX_EFAULT;
		dst[i] = ((const char *)src)[i];
		if (!dst[i])
			return (int64_t)i;
	}
	return -LINUX_ENAMETOOLONG;
}
