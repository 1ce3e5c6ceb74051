/*
 * Backends: where a target's memory and vCPU registers come from.
 *
 * One small interface, implemented by the QEMU session backend (shared RAM
 * file + QMP), the core-file backend (QEMU `dump-guest-memory` cores and
 * uniscope's own cores), the buffer backend (synthetic memory, for tests
 * and fuzzing) and Xen (backend_xen.c over xen_ctl.h: libxenforeignmemory
 * maps frames, libxenctrl gives vCPU context and pause/unpause).
 *
 * Everything above the backend (page walk, symbols, guest model) only ever
 * calls these operations, through us_backend_read() and friends.
 *
 * read_phys reads exactly len bytes at a guest physical address, or fails
 * with a US_ERR_FAULT error whose address is the first byte it could not
 * read: a gap between RAM ranges, or past the end of RAM. When the backend
 * says memory_is_virtual (uniscope's own cores store guest *virtual*
 * segments), read_phys takes virtual addresses and the page walk is skipped.
 *
 * pause/resume nest inside the backend: resume undoes only a pause that
 * actually stopped the guest, so a guest the user had paused stays paused.
 * Backends that cannot pause (core files) make both no-ops.
 */
#ifndef UNISCOPE_INTROSPECT_BACKEND_H
#define UNISCOPE_INTROSPECT_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uniscope/abi.h>
#include "error.h"

#define US_PATH_MAX 4096

/* A readable stretch of guest (physical, or virtual: see above) memory. */
struct us_mem_range {
	uint64_t start, end; /* [start, end) */
};

struct us_backend_ops {
	struct us_error *(*read_phys)(void *ctx, uint64_t paddr, void *buf, size_t len);
	struct us_error *(*read_vcpu_regs)(void *ctx, unsigned vcpu, struct uniscope_regs *regs);
	struct us_error *(*pause)(void *ctx);
	struct us_error *(*resume)(void *ctx);
	void (*close)(void *ctx);
	/*
	 * Optional (NULL: unknown): true when [paddr, paddr+len) is known to
	 * read as zeros without reading it, e.g. a hole in a sparse RAM file
	 * (pages the guest never touched). Lets the core writer skip them
	 * without faulting them in. False says nothing.
	 */
	bool (*known_zero)(void *ctx, uint64_t paddr, uint64_t len);
	/* Optional (NULL: unknown): the vCPU's x87/SSE state as FXSAVE stores it. */
	struct us_error *(*read_vcpu_fpu)(void *ctx, unsigned vcpu, struct uniscope_fxsave *fx);
};

struct us_backend {
	const struct us_backend_ops *ops;
	void *ctx;
	const char *kind;   /* "qemu", "xen", "core", "buffer" */
	unsigned nr_vcpus;
	bool memory_is_virtual;
	bool live;          /* the guest may run between reads */
	/* Readable memory, sorted, for the descriptor scan. Owned by ctx. */
	const struct us_mem_range *ranges;
	size_t nr_ranges;
	/* Hints the backend knows: the image a session ran, the descriptor
	 * address and build-id a uniscope core recorded. Empty when unknown. */
	char image[US_PATH_MAX];
	uint64_t info_address;
	uint8_t build_id[UNISCOPE_BUILD_ID_MAX];
	size_t build_id_len;
	char warning[200];  /* what the backend found amiss (a truncated core), or "" */
};

static inline struct us_error *us_backend_read(struct us_backend *b, uint64_t paddr, void *buf,
					       size_t len)
{
	return b->ops->read_phys(b->ctx, paddr, buf, len);
}

static inline struct us_error *us_backend_regs(struct us_backend *b, unsigned vcpu,
					       struct uniscope_regs *regs)
{
	return b->ops->read_vcpu_regs(b->ctx, vcpu, regs);
}

/* Closes the backend and frees it (NULL is fine). */
void us_backend_destroy(struct us_backend *b);

/*
 * The backends. Each allocates *out; the caller owns it.
 *
 * qemu: dir is a session directory (introspect/session.h): `mem` is mapped
 * read-only, `qmp.sock` is used for pause/resume/registers.
 */
struct us_error *us_backend_qemu_open(const char *dir, struct us_backend **out);
/*
 * xen: a PVH/HVM domain, by domid ("7") or name, from dom0. Fails with
 * US_ERR_NOT_FOUND for no such domain, US_ERR_UNSUPPORTED off Xen or in a
 * build without libxen.
 */
struct us_error *us_backend_xen_open(const char *domain, struct us_backend **out);
/* core: an ELF core file, QEMU's dump-guest-memory or uniscope's own. */
struct us_error *us_backend_core_open(const char *path, struct us_backend **out);
/*
 * buffer: size bytes of synthetic guest physical memory starting at
 * physical address base (copied), and one vCPU whose registers are *regs.
 */
struct us_error *us_backend_buffer_open(const void *mem, size_t size, uint64_t base,
					const struct uniscope_regs *regs, struct us_backend **out);
/* The same over mem itself, not a copy: mem must outlive the backend (fuzzers). */
struct us_error *us_backend_buffer_borrow(const void *mem, size_t size, uint64_t base,
					  const struct uniscope_regs *regs, struct us_backend **out);

/* Shared by backends: a read of [addr, addr+len) against one range. */
struct us_error *us_range_check(uint64_t start, uint64_t end, uint64_t addr, size_t len,
				const char *what);

#endif
