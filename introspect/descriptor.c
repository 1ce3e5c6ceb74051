/*
 * Finding the guest descriptor (struct uniscope_info, include/uniscope/abi.h).
 *
 * In order: the address a uniscope core recorded; the image's symbol
 * `uniscope_info`; a scan of guest memory for UNISCOPE_INFO_MAGIC at
 * 8-byte alignment, for stripped images or when no image is at hand. Each
 * candidate is copied once and checked whole (version, size, every
 * thread_layout offset inside the structure) before anything trusts it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

struct field_extent {
	const char *name;
	uint32_t offset, width;
};

static struct us_error *layout_check(const struct uniscope_thread_layout *l)
{
	const struct field_extent fields[] = {
		{ "id", l->off_id, 4 },
		{ "name", l->off_name, UNISCOPE_THREAD_NAME_MAX },
		{ "state", l->off_state, 4 },
		{ "wait_reason", l->off_wait_reason, 4 },
		{ "wait_object", l->off_wait_object, 8 },
		{ "cpu_ns", l->off_cpu_ns, 8 },
		{ "switches", l->off_switches, 8 },
		{ "stack_lo", l->off_stack_lo, 8 },
		{ "stack_hi", l->off_stack_hi, 8 },
		{ "context", l->off_context, sizeof(struct uniscope_context) },
		{ "next", l->off_next, 8 },
		{ "wake_ns", l->off_wake_ns, 8 },
		{ "trap_frame", l->off_trap_frame, 8 },
		{ "state_since", l->off_state_since, 8 },
		{ "fs_base", l->off_fs_base, 8 }, /* optional: 0 fits */
	};

	if (l->size == 0 || l->size > US_THREAD_STRUCT_MAX)
		return us_error_create(US_ERR_INVALID, "thread structure size %u is absurd", l->size);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if ((uint64_t)fields[i].offset + fields[i].width > l->size)
			return us_error_create(US_ERR_INVALID,
					       "thread field '%s' at offset %u lies outside the %u-byte "
					       "structure", fields[i].name, fields[i].offset, l->size);
	return NULL;
}

struct us_error *us_descriptor_check(const struct uniscope_info *info)
{
	if (info->magic != UNISCOPE_INFO_MAGIC)
		return us_error_create(US_ERR_INVALID, "no descriptor magic");
	if (info->version != UNISCOPE_INFO_VERSION)
		return us_error_create(US_ERR_UNSUPPORTED,
				       "descriptor version %u, this uniscope reads version %u",
				       info->version, UNISCOPE_INFO_VERSION);
	if (info->size != sizeof(*info))
		return us_error_create(US_ERR_INVALID, "descriptor size %u, expected %zu", info->size,
				       sizeof(*info));
	if (info->build_id_len > UNISCOPE_BUILD_ID_MAX)
		return us_error_create(US_ERR_INVALID, "build-id length %u is absurd", info->build_id_len);
	if (info->nr_cpus == 0 || info->nr_cpus > US_MAX_VCPUS)
		return us_error_create(US_ERR_INVALID, "%u CPUs is absurd", info->nr_cpus);
	return layout_check(&info->thread_layout);
}

/* Reads and checks a candidate; keeps it when sound. */
static bool try_candidate(struct us_target *t, uint64_t address, bool physical, const char *how)
{
	struct uniscope_info info;
	struct us_error *err;

	err = physical ? us_backend_read(t->backend, address, &info, sizeof(info))
		       : us_target_read(t, address, &info, sizeof(info));
	if (!err)
		err = us_descriptor_check(&info);
	if (err) {
		snprintf(t->info_problem, sizeof(t->info_problem), "descriptor %s at 0x%llx: %s", how,
			 (unsigned long long)address, err->message);
		us_error_destroy(err);
		return false;
	}
	t->info = info;
	t->info_address = address;
	t->have_info = true;
	return true;
}

/* The magic at 8-byte-aligned offsets of chunk (its base is aligned): memmem finds the candidates. */
static bool scan_chunk(struct us_target *t, const uint8_t *chunk, size_t len, uint64_t base)
{
	static const uint64_t magic = UNISCOPE_INFO_MAGIC;
	size_t off = 0;

	while (off + 8 <= len) {
		const uint8_t *hit = memmem(chunk + off, len - off, &magic, sizeof(magic));
		size_t at;
		if (!hit)
			return false;
		at = (size_t)(hit - chunk);
		if (at % 8 == 0 && try_candidate(t, base + at, true, "found by scanning"))
			return true;
		off = at + 1;
	}
	return false;
}

/*
 * Chunk by chunk from the range's first aligned address. Ranges come from
 * the backend (a core's segments say where they are): a range that ends
 * near 2^64 must not wrap the walk back to address 0.
 */
static bool scan_range(struct us_target *t, const struct us_mem_range *r, uint8_t *chunk,
		       size_t chunk_size)
{
	uint64_t at = r->start + ((8 - (r->start & 7)) & 7);

	if (at < r->start || at >= r->end)
		return false;
	for (;;) {
		size_t len = r->end - at < chunk_size ? (size_t)(r->end - at) : chunk_size;
		struct us_error *err = us_backend_read(t->backend, at, chunk, len);
		if (!err && scan_chunk(t, chunk, len, at))
			return true;
		us_error_destroy(err);
		if (r->end - at <= chunk_size)
			return false;
		at += chunk_size;
	}
}

/* A chunk no bigger than the largest range: small guests cost small buffers. */
static size_t scan_chunk_size(const struct us_backend *b)
{
	uint64_t largest = 8;

	for (size_t i = 0; i < b->nr_ranges; i++)
		if (b->ranges[i].end - b->ranges[i].start > largest)
			largest = b->ranges[i].end - b->ranges[i].start;
	largest = largest < US_SCAN_CHUNK ? largest : US_SCAN_CHUNK;
	return (size_t)(largest + 7) & ~(size_t)7; /* a multiple of 8: chunks stay aligned */
}

static bool scan_memory(struct us_target *t)
{
	size_t chunk_size = scan_chunk_size(t->backend);
	uint8_t *chunk = malloc(chunk_size);
	bool found = false;

	if (!chunk)
		return false;
	for (size_t i = 0; i < t->backend->nr_ranges && !found; i++)
		found = scan_range(t, &t->backend->ranges[i], chunk, chunk_size);
	free(chunk);
	return found;
}

void us_descriptor_find(struct us_target *t)
{
	const struct us_symbol *sym;

	snprintf(t->info_problem, sizeof(t->info_problem),
		 "no uniscope descriptor in guest memory (is this a uniscope image, and has it been loaded?)");
	if (t->backend->info_address && try_candidate(t, t->backend->info_address, false, "from the core"))
		return;
	if (t->symbols && (sym = us_symbols_by_name(t->symbols, "uniscope_info")) &&
	    try_candidate(t, sym->address, false, "at symbol uniscope_info"))
		return;
	if (scan_memory(t))
		return;
}
