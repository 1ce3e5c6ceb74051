/*
 * The core writer's state, shared by corewrite.c (memory: plan and copy)
 * and corenotes.c (threads, keep ranges, ELF headers and notes). Not for
 * users of the library: they call us_core_write() (postmortem.h).
 */
#ifndef UNISCOPE_INTROSPECT_COREWRITE_H
#define UNISCOPE_INTROSPECT_COREWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "postmortem.h"

#define US_CORE_PAGE 4096u
#define US_CORE_CHUNK (4u << 20) /* guest memory read and written at a time */
#define US_CORE_PF_X 1u
#define US_CORE_PF_W 2u
#define US_CORE_PF_R 4u

struct core_segment {
	uint64_t vaddr, paddr, size;
	uint64_t offset; /* in the file, set by core_build_headers() */
	uint32_t flags;  /* US_CORE_PF_* */
};

/* A stretch of guest virtual memory that goes in even when all zero. */
struct core_keep {
	uint64_t start, end;
};

/* Notes as they are assembled, in file order (core_note_add). */
struct core_notes {
	uint8_t *data;
	size_t len, cap;
	bool failed; /* out of memory: the notes are incomplete */
};

/* The image as the guest loaded it, for NT_FILE and NT_AUXV (corelinux.c). */
#define CORE_IMAGE_MAPS_MAX 8
struct core_image {
	const char *path;           /* NULL: no image, or not known to be the guest's */
	uint64_t entry, phdr, phnum;
	struct {
		uint64_t start, end, offset; /* [start, end) holds the file from offset */
	} maps[CORE_IMAGE_MAPS_MAX];
	size_t nr_maps;
};

struct core_writer {
	struct us_target *t;
	const char *path;
	int fd;
	uint64_t zero_skip;
	uint8_t *buf; /* one chunk of guest memory */
	bool bad[US_CORE_CHUNK / US_CORE_PAGE]; /* its pages that could not be read */

	struct us_thread *threads; /* NT_PRSTATUS order */
	size_t nr_threads;
	struct uniscope_panic panic;

	struct core_image image;

	struct core_keep *keep; /* sorted, merged */
	size_t nr_keep;

	struct us_mapping *maps;
	size_t nr_maps, cap_maps;
	uint64_t mapped;
	bool too_much_mapped, out_of_memory;

	struct core_segment *segs; /* US_CORE_MAX_SEGMENTS of them */
	size_t nr_segs;
	bool too_many_segments;
	bool open;                 /* cur is being built */
	struct core_segment cur;
	uint64_t zero_start, zero_len; /* a zero run after cur, not yet decided */
	uint64_t zero_skipped, unreadable;

	uint64_t data_offset; /* where segment data starts in the file */
	char warning[256];
};

void core_warn(struct core_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The threads, dead or on-CPU one first; a bare vCPU when there is no descriptor. */
struct us_error *core_collect_threads(struct core_writer *w);
/* Descriptor, records, rings and thread structures: pages that always go in. */
struct us_error *core_collect_keep_ranges(struct core_writer *w);
void core_note_add(struct core_notes *n, const char *name, uint32_t type, const void *desc,
		   size_t len);

/* corelinux.c: what Linux cores carry for debuggers that know nothing of uniscope. */
void core_find_image(struct core_writer *w);
/* NT_SIGINFO, NT_AUXV, NT_FILE: after the first thread's NT_PRSTATUS. */
void core_note_process(struct core_writer *w, struct core_notes *n);
/* NT_FPREGSET and NT_X86_XSTATE of a thread, when its x87/SSE state is known. */
void core_note_fpu(struct core_writer *w, struct core_notes *n, const struct us_thread *th);

/* ELF header, program headers, notes and padding up to data_offset (*out: free()). */
struct us_error *core_build_headers(struct core_writer *w, uint8_t **out, size_t *len);

#endif
