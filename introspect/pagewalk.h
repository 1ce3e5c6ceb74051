/*
 * Guest virtual to physical translation: a four-level x86-64 page walk from
 * CR3, with 2 MiB and 1 GiB pages, and the effective permissions.
 *
 * A walk is always at most four table reads, so hostile tables (entries
 * pointing back at their own table, at other levels, past RAM) cost
 * bounded time and end in an error naming the address. Results are kept
 * in a small direct-mapped cache: libOS page tables are frozen once the
 * image is sealed, and a cache is flushed whenever the target resumes.
 */
#ifndef UNISCOPE_INTROSPECT_PAGEWALK_H
#define UNISCOPE_INTROSPECT_PAGEWALK_H

#include <stdbool.h>
#include <stdint.h>
#include "backend.h"

#define US_PAGEWALK_CACHE 256

struct us_translation {
	uint64_t paddr;     /* of the byte asked for */
	uint64_t page_size; /* 4 KiB, 2 MiB or 1 GiB */
	bool writable, executable, user;
};

struct us_pagewalk_entry {
	uint64_t vpage; /* 4 KiB-aligned virtual page, +1 when the slot is empty */
	uint64_t ppage;
	uint64_t page_size;
	bool writable, executable, user;
};

struct us_pagewalk {
	struct us_backend *backend;
	uint64_t root;  /* physical address of the PML4 */
	bool paging;    /* false: virtual = physical (paging off, or virtual cores) */
	struct us_pagewalk_entry cache[US_PAGEWALK_CACHE];
	uint64_t walks, hits; /* for tests and benchmarks */
};

/* A run of virtual memory mapped to contiguous physical memory, same permissions. */
struct us_mapping {
	uint64_t vaddr, paddr, size;
	bool writable, executable, user;
};

/* Called for each mapping, in address order; non-zero stops the walk. */
typedef int us_mapping_fn(void *arg, const struct us_mapping *m);

/* At most this many page-table pages are read by one us_pagewalk_mappings(). */
#define US_PAGEWALK_MAX_TABLES 65536

/* cr0/cr3/cr4 as read from the vCPU; paging is on when CR0.PG is set. */
struct us_error *us_pagewalk_init(struct us_pagewalk *w, struct us_backend *b, uint64_t cr0,
				  uint64_t cr3, uint64_t cr4);
/* Identity translation: for backends whose memory is already virtual. */
void us_pagewalk_init_identity(struct us_pagewalk *w, struct us_backend *b);
void us_pagewalk_flush(struct us_pagewalk *w);
struct us_error *us_pagewalk_translate(struct us_pagewalk *w, uint64_t vaddr,
				       struct us_translation *out);
/*
 * Every mapping of the address space, adjacent runs merged (what a core
 * writer turns into PT_LOAD segments). Identity translation reports the
 * backend's ranges. Hostile tables (loops, huge trees) end in an error
 * after US_PAGEWALK_MAX_TABLES table reads; mappings reported so far stand.
 */
struct us_error *us_pagewalk_mappings(struct us_pagewalk *w, us_mapping_fn *fn, void *arg);
/* Reads len bytes at vaddr, split at page edges; faults carry the virtual address. */
struct us_error *us_pagewalk_read(struct us_pagewalk *w, uint64_t vaddr, void *buf, size_t len);

#endif
