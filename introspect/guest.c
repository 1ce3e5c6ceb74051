/*
 * Guest records reached from the descriptor: the console log ring, the
 * panic record, the heap statistics and the trace mask. Each header is copied once and
 * checked (magic, power-of-two size under UNISCOPE_LOG_SIZE_MAX) before
 * its sizes are used; the ring is then read in at most two pieces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uniscope/trace.h>
#include "internal.h"

static struct us_error *need_record(struct us_target *t, uint64_t address, const char *what)
{
	if (!t->have_info)
		return us_target_info_error(t);
	if (!address)
		return us_error_create(US_ERR_NOT_FOUND, "%s: the guest has no %s yet", t->name, what);
	return NULL;
}

static struct us_error *log_header(struct us_target *t, struct uniscope_log *h)
{
	struct us_error *err = us_target_read(t, t->info.console_log, h, sizeof(*h));

	if (err)
		return us_error_prefix(err, "%s: console log", t->name);
	if (h->magic != UNISCOPE_LOG_MAGIC)
		return us_error_create(US_ERR_INVALID, "%s: console log at 0x%llx has a bad magic",
				       t->name, (unsigned long long)t->info.console_log);
	if (h->size == 0 || h->size > UNISCOPE_LOG_SIZE_MAX || (h->size & (h->size - 1)))
		return us_error_create(US_ERR_INVALID, "%s: console log size %llu is absurd", t->name,
				       (unsigned long long)h->size);
	return NULL;
}

struct us_error *us_target_log(struct us_target *t, char **text, size_t *len, uint64_t *lost)
{
	struct uniscope_log h;
	struct us_error *err;
	uint64_t data, start, first;
	size_t n;
	char *buf;

	if ((err = need_record(t, t->info.console_log, "console log")) || (err = log_header(t, &h)))
		return err;
	n = h.written < h.size ? (size_t)h.written : (size_t)h.size;
	start = h.written < h.size ? 0 : h.written % h.size; /* oldest byte */
	first = h.size - start < n ? h.size - start : n;
	data = t->info.console_log + offsetof(struct uniscope_log, data);
	if (!(buf = malloc(n + 1)))
		return &us_error_nomem;
	err = us_target_read(t, data + start, buf, first);
	if (!err && n > first)
		err = us_target_read(t, data, buf + first, n - first);
	if (err) {
		free(buf);
		return us_error_prefix(err, "%s: console log", t->name);
	}
	buf[n] = 0;
	*text = buf;
	*len = n;
	*lost = h.written - n;
	return NULL;
}

struct us_error *us_target_panic(struct us_target *t, struct uniscope_panic *out)
{
	struct us_error *err;

	if ((err = need_record(t, t->info.panic, "panic record")))
		return err;
	if ((err = us_target_read(t, t->info.panic, out, sizeof(*out))))
		return us_error_prefix(err, "%s: panic record", t->name);
	out->message[sizeof(out->message) - 1] = 0;
	out->file[sizeof(out->file) - 1] = 0;
	return NULL;
}

/* Values no heap can have: more free pages than pages, more in use than there is memory. */
bool us_heap_absurd(const struct uniscope_heap_stats *h, char *why, size_t cap)
{
	const uint64_t page = 4096, max_pages = US_GUEST_MEMORY_MAX / 4096;

	if (h->pages_total > max_pages)
		snprintf(why, cap, "%llu pages in total is more than %llu TiB",
			 (unsigned long long)h->pages_total, (unsigned long long)(US_GUEST_MEMORY_MAX >> 40));
	else if (h->pages_free > h->pages_total)
		snprintf(why, cap, "%llu pages free of %llu in total", (unsigned long long)h->pages_free,
			 (unsigned long long)h->pages_total);
	else if (h->heap_bytes_in_use > h->pages_total * page || h->heap_bytes_peak > h->pages_total * page)
		snprintf(why, cap, "%llu bytes in use (peak %llu) in %llu bytes of memory",
			 (unsigned long long)h->heap_bytes_in_use, (unsigned long long)h->heap_bytes_peak,
			 (unsigned long long)(h->pages_total * page));
	else
		return false;
	return true;
}

struct us_error *us_target_heap(struct us_target *t, struct uniscope_heap_stats *out)
{
	struct us_error *err;

	if ((err = need_record(t, t->info.heap_stats, "heap statistics")))
		return err;
	if ((err = us_target_read(t, t->info.heap_stats, out, sizeof(*out))))
		return us_error_prefix(err, "%s: heap statistics", t->name);
	return NULL;
}

struct us_error *us_target_trace_mask(struct us_target *t, uint64_t *mask)
{
	struct us_error *err;

	if ((err = need_record(t, t->info.trace, "trace rings")))
		return err;
	err = us_target_read_u64(t, t->info.trace + offsetof(struct uniscope_trace_info, enabled), mask);
	return err ? us_error_prefix(err, "%s: trace mask", t->name) : NULL;
}
