/* What all backends share (see backend.h). */
#include <stdlib.h>
#include "backend.h"

void us_backend_destroy(struct us_backend *b)
{
	if (!b)
		return;
	if (b->ops && b->ops->close)
		b->ops->close(b->ctx);
	free(b);
}

/*
 * Checks a read of [addr, addr+len) against [start, end) without overflow;
 * the fault names the first byte outside.
 */
struct us_error *us_range_check(uint64_t start, uint64_t end, uint64_t addr, size_t len,
				const char *what)
{
	uint64_t bad;

	if (addr >= start && addr <= end && len <= end - addr)
		return NULL;
	bad = addr < start || addr >= end ? addr : end;
	return us_error_fault(bad, "address 0x%llx is outside %s", (unsigned long long)bad, what);
}
