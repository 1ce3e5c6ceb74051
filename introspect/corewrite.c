/*
 * The core writer: a guest as an ELF core that stock GDB opens, in the
 * layout corefile.h defines.
 *
 *	ELF header | PT_NOTE, PT_LOAD... | notes | pad to 4 KiB | segment data
 *
 * Two passes over guest memory. The plan reads every mapped page and
 * decides what goes in: a segment is a stretch of one mapping (same
 * permissions, contiguous physical memory); it ends at pages nothing backs
 * (MMIO, holes) and at all-zero runs of at least zero_skip bytes, which
 * are left out. Shorter zero runs next to data stay in, so that small
 * zeroed variables still read as 0 in GDB (mappings that are all zero go);
 * so do the pages host tools read (the keep
 * ranges: descriptor, thread structures, log and trace rings, records)
 * whatever they hold. The second pass copies the chosen pages with large
 * sequential writes. The notes are in corenotes.c.
 *
 * The guest is untrusted: mappings are bounded in number and total size
 * (US_CORE_MAX_MAPPED), segments in number (US_CORE_MAX_SEGMENTS, past
 * which zero runs are skipped more coarsely), and every size read from
 * the guest for a keep range is clamped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "corewrite.h"

#define MAX_MAPPINGS (1u << 20)
#define REPLANS 3

/* ---- collecting mappings ---------------------------------------------- */

static int collect_mapping(void *arg, const struct us_mapping *m)
{
	struct core_writer *w = arg;

	if (w->mapped + m->size > US_CORE_MAX_MAPPED || w->nr_maps >= MAX_MAPPINGS) {
		w->too_much_mapped = true;
		return 1;
	}
	if (w->nr_maps == w->cap_maps) {
		size_t cap = w->cap_maps ? 2 * w->cap_maps : 64;
		struct us_mapping *grown = realloc(w->maps, cap * sizeof(*grown));
		if (!grown) {
			w->out_of_memory = true;
			return 1;
		}
		w->maps = grown;
		w->cap_maps = cap;
	}
	w->maps[w->nr_maps++] = *m;
	w->mapped += m->size;
	return 0;
}

static struct us_error *collect_mappings(struct core_writer *w)
{
	struct us_error *err = us_target_mappings(w->t, collect_mapping, w);

	if (w->out_of_memory) {
		us_error_destroy(err);
		return &us_error_nomem;
	}
	if (w->too_much_mapped)
		core_warn(w, "the page tables map more than %llu GiB or %u runs (aliases?); the rest "
			  "is left out", (unsigned long long)(US_CORE_MAX_MAPPED >> 30), MAX_MAPPINGS);
	if (err && w->nr_maps == 0)
		return us_error_prefix(err, "%s: cannot enumerate the guest's mappings",
				       us_target_name(w->t));
	if (err) {
		core_warn(w, "mappings incomplete: %s", err->message);
		us_error_destroy(err);
	}
	return NULL;
}

/* ---- the plan: which pages go in -------------------------------------- */

enum page_kind { PAGE_DATA, PAGE_ZERO, PAGE_BAD };

static uint32_t segment_flags(const struct us_mapping *m)
{
	return US_CORE_PF_R | (m->writable ? US_CORE_PF_W : 0) | (m->executable ? US_CORE_PF_X : 0);
}

static void segment_close(struct core_writer *w)
{
	if (!w->open)
		return;
	w->open = false;
	if (w->nr_segs >= US_CORE_MAX_SEGMENTS) {
		w->too_many_segments = true;
		return;
	}
	w->segs[w->nr_segs++] = w->cur;
}

static void segment_extend(struct core_writer *w, const struct us_mapping *m, uint64_t va,
			   uint64_t len)
{
	if (!w->open) {
		w->cur = (struct core_segment){ .vaddr = va, .paddr = m->paddr + (va - m->vaddr),
						.flags = segment_flags(m) };
		w->open = true;
	}
	w->cur.size = va + len - w->cur.vaddr;
}

/*
 * The held-back zero run ends: a short one next to data joins it (a zeroed
 * variable must read as 0); a long one, or one with no data on either side
 * (a mapping nothing ever touched), stays out.
 */
static void zero_run_end(struct core_writer *w, const struct us_mapping *m, bool data_follows)
{
	if (w->zero_len && w->zero_len < w->zero_skip && (data_follows || w->open))
		segment_extend(w, m, w->zero_start, w->zero_len);
	else
		w->zero_skipped += w->zero_len;
	w->zero_len = 0;
}

static void plan_page(struct core_writer *w, const struct us_mapping *m, uint64_t va,
		      uint64_t len, enum page_kind kind)
{
	switch (kind) {
	case PAGE_DATA:
		zero_run_end(w, m, true);
		segment_extend(w, m, va, len);
		break;
	case PAGE_ZERO:
		if (!w->zero_len)
			w->zero_start = va;
		w->zero_len += len;
		if (w->zero_len >= w->zero_skip)
			segment_close(w); /* the run is long: it stays out */
		break;
	case PAGE_BAD:
		zero_run_end(w, m, false);
		segment_close(w);
		w->unreadable += len;
		break;
	}
}

static bool all_zero(const uint8_t *p, size_t len)
{
	uint64_t acc = 0, word;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&word, p + i, 8);
		acc |= word;
	}
	for (; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

static bool in_keep_range(const struct core_writer *w, uint64_t va, uint64_t len)
{
	size_t lo = 0, hi = w->nr_keep;

	while (lo < hi) { /* the first range ending after va */
		size_t mid = lo + (hi - lo) / 2;
		if (w->keep[mid].end <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < w->nr_keep && w->keep[lo].start < va + len;
}

/* Reads [va, va+len) into w->buf; pages that fail are marked in bad[]. */
static void read_chunk(struct core_writer *w, uint64_t va, size_t len, bool *bad)
{
	struct us_error *err = us_target_read(w->t, va, w->buf, len);

	memset(bad, 0, (len + US_CORE_PAGE - 1) / US_CORE_PAGE * sizeof(*bad));
	if (!err)
		return;
	us_error_destroy(err);
	for (size_t off = 0, i = 0; off < len; off += US_CORE_PAGE, i++) {
		size_t n = len - off < US_CORE_PAGE ? len - off : US_CORE_PAGE;
		if ((err = us_target_read(w->t, va + off, w->buf + off, n))) {
			us_error_destroy(err);
			bad[i] = true;
		}
	}
}

/*
 * A chunk the backend knows is zero (never touched: a hole in the RAM
 * file) is not read at all: faulting in a GiB of holes costs more than
 * the rest of the core.
 */
static void plan_chunk(struct core_writer *w, const struct us_mapping *m, uint64_t off, size_t len)
{
	bool zero = us_target_known_zero(w->t, m->paddr + off, len);
	bool *bad = w->bad;

	if (!zero)
		read_chunk(w, m->vaddr + off, len, bad);
	for (size_t p = 0; p < len; p += US_CORE_PAGE) {
		uint64_t va = m->vaddr + off + p;
		size_t n = len - p < US_CORE_PAGE ? len - p : US_CORE_PAGE;
		enum page_kind kind = PAGE_DATA;
		if (!zero && bad[p / US_CORE_PAGE])
			kind = PAGE_BAD;
		else if (!in_keep_range(w, va, n) && (zero || all_zero(w->buf + p, n)))
			kind = PAGE_ZERO;
		plan_page(w, m, va, n, kind);
	}
}

static void plan_mapping(struct core_writer *w, const struct us_mapping *m)
{
	for (uint64_t off = 0; off < m->size; off += US_CORE_CHUNK) {
		uint64_t left = m->size - off;
		plan_chunk(w, m, off, left < US_CORE_CHUNK ? (size_t)left : US_CORE_CHUNK);
	}
	zero_run_end(w, m, false);
	segment_close(w);
}

static void plan_reset(struct core_writer *w)
{
	w->nr_segs = 0;
	w->open = false;
	w->zero_len = 0;
	w->zero_skipped = w->unreadable = 0;
	w->too_many_segments = false;
}

/* Plans all mappings; with too many segments, again with coarser zero runs. */
static struct us_error *plan(struct core_writer *w)
{
	for (int attempt = 0; attempt <= REPLANS; attempt++) {
		plan_reset(w);
		for (size_t i = 0; i < w->nr_maps && !w->too_many_segments; i++)
			plan_mapping(w, &w->maps[i]);
		if (!w->too_many_segments)
			return NULL;
		w->zero_skip *= 16;
	}
	return us_error_create(US_ERR_INVALID, "%s: guest memory splits into more than %u segments "
			       "(page tables fragmented?)", us_target_name(w->t), US_CORE_MAX_SEGMENTS);
}

/* ---- writing ---------------------------------------------------------- */

static struct us_error *write_all(struct core_writer *w, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(w->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return us_error_errno(n < 0 ? errno : ENOSPC, "cannot write core file '%s'",
					      w->path);
		p += n;
		len -= (size_t)n;
	}
	return NULL;
}

static struct us_error *write_segment(struct core_writer *w, const struct core_segment *s)
{
	struct us_error *err;

	for (uint64_t off = 0; off < s->size; off += US_CORE_CHUNK) {
		size_t len = s->size - off < US_CORE_CHUNK ? (size_t)(s->size - off) : US_CORE_CHUNK;
		if ((err = us_target_read(w->t, s->vaddr + off, w->buf, len))) {
			/* It read in the plan: the guest changed under us (not paused?). */
			core_warn(w, "memory at 0x%llx became unreadable while writing; zeros written",
				  (unsigned long long)(s->vaddr + off));
			us_error_destroy(err);
			memset(w->buf, 0, len);
		}
		if ((err = write_all(w, w->buf, len)))
			return err;
	}
	return NULL;
}

static struct us_error *write_core(struct core_writer *w)
{
	uint8_t *head;
	size_t head_len;
	struct us_error *err = core_build_headers(w, &head, &head_len);

	if (err)
		return err;
	err = write_all(w, head, head_len);
	free(head);
	for (size_t i = 0; !err && i < w->nr_segs; i++)
		err = write_segment(w, &w->segs[i]);
	return err;
}

static void fill_stats(const struct core_writer *w, struct us_core_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	stats->threads = w->nr_threads;
	stats->segments = w->nr_segs;
	stats->mapped = w->mapped;
	for (size_t i = 0; i < w->nr_segs; i++)
		stats->written += w->segs[i].size;
	stats->zero_skipped = w->zero_skipped;
	stats->unreadable = w->unreadable;
	stats->file_size = w->data_offset + stats->written;
	snprintf(stats->warning, sizeof(stats->warning), "%s", w->warning);
}

static struct us_error *prepare(struct core_writer *w)
{
	struct us_error *err;

	w->buf = malloc(US_CORE_CHUNK);
	w->segs = malloc(US_CORE_MAX_SEGMENTS * sizeof(*w->segs));
	if (!w->buf || !w->segs)
		return &us_error_nomem;
	if ((err = core_collect_threads(w)))
		return err;
	core_find_image(w);
	if ((err = core_collect_keep_ranges(w)) ||
	    (err = collect_mappings(w)))
		return err;
	return plan(w);
}

static void writer_free(struct core_writer *w)
{
	free(w->buf);
	free(w->segs);
	free(w->maps);
	free(w->keep);
	free(w->threads);
}

/* A core that could not be finished is removed, not left half written. */
static struct us_error *write_file(struct core_writer *w)
{
	struct us_error *err;

	w->fd = open(w->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (w->fd < 0)
		return us_error_errno(errno, "cannot create core file '%s'", w->path);
	err = write_core(w);
	if (close(w->fd) < 0 && !err)
		err = us_error_errno(errno, "cannot write core file '%s'", w->path);
	if (err)
		unlink(w->path);
	return err;
}

struct us_error *us_core_write(struct us_target *t, const char *path,
			       const struct us_core_options *opts, struct us_core_stats *stats)
{
	struct core_writer w = { .t = t, .path = path, .fd = -1 };
	struct us_error *err;

	w.zero_skip = opts && opts->zero_skip ? opts->zero_skip : US_CORE_ZERO_SKIP;
	w.zero_skip = (w.zero_skip + US_CORE_PAGE - 1) / US_CORE_PAGE * US_CORE_PAGE;
	err = prepare(&w);
	if (!err)
		err = write_file(&w);
	if (!err && stats)
		fill_stats(&w, stats);
	writer_free(&w);
	return err;
}
