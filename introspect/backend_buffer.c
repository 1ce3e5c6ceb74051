/*
 * The buffer backend: guest memory held in a host buffer, and one vCPU with
 * fixed registers. Unit tests and fuzz targets build synthetic (and
 * hostile) guest images in code and inspect them through it, exactly as
 * they would a live VM.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "backend.h"

struct buffer_backend {
	uint8_t *mem;
	bool borrowed; /* mem is the caller's */
	struct us_mem_range range;
	struct uniscope_regs regs;
};

static struct us_error *buffer_read_phys(void *ctx, uint64_t paddr, void *buf, size_t len)
{
	struct buffer_backend *bb = ctx;
	struct us_error *err = us_range_check(bb->range.start, bb->range.end, paddr, len,
					      "guest memory");

	if (err)
		return err;
	memcpy(buf, bb->mem + (paddr - bb->range.start), len);
	return NULL;
}

static struct us_error *buffer_read_vcpu_regs(void *ctx, unsigned vcpu, struct uniscope_regs *regs)
{
	struct buffer_backend *bb = ctx;

	if (vcpu != 0)
		return us_error_create(US_ERR_NOT_FOUND, "vCPU %u does not exist", vcpu);
	*regs = bb->regs;
	return NULL;
}

static struct us_error *buffer_no_op(void *ctx)
{
	(void)ctx;
	return NULL;
}

static void buffer_close(void *ctx)
{
	struct buffer_backend *bb = ctx;

	if (bb && !bb->borrowed)
		free(bb->mem);
	free(bb);
}

static const struct us_backend_ops buffer_ops = {
	.read_phys = buffer_read_phys,
	.read_vcpu_regs = buffer_read_vcpu_regs,
	.pause = buffer_no_op,
	.resume = buffer_no_op,
	.close = buffer_close,
};

static struct us_error *buffer_open(uint8_t *mem, bool borrowed, size_t size, uint64_t base,
				    const struct uniscope_regs *regs, struct us_backend **out)
{
	struct us_backend *b = calloc(1, sizeof(*b));
	struct buffer_backend *bb = calloc(1, sizeof(*bb));

	if (!b || !bb || base + size < base) {
		free(b);
		free(bb);
		return &us_error_nomem;
	}
	bb->mem = mem;
	bb->borrowed = borrowed;
	bb->range = (struct us_mem_range){ base, base + size };
	if (regs)
		bb->regs = *regs;
	*b = (struct us_backend){ .ops = &buffer_ops, .ctx = bb, .kind = "buffer", .nr_vcpus = 1,
				  .ranges = &bb->range, .nr_ranges = 1 };
	*out = b;
	return NULL;
}

struct us_error *us_backend_buffer_open(const void *mem, size_t size, uint64_t base,
					const struct uniscope_regs *regs, struct us_backend **out)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct us_error *err;

	if (!copy)
		return &us_error_nomem;
	memcpy(copy, mem, size);
	if ((err = buffer_open(copy, false, size, base, regs, out)))
		free(copy);
	return err;
}

struct us_error *us_backend_buffer_borrow(const void *mem, size_t size, uint64_t base,
					  const struct uniscope_regs *regs, struct us_backend **out)
{
	return buffer_open((uint8_t *)(uintptr_t)mem, true, size, base, regs, out);
}
