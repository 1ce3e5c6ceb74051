/*
 * The trace set: decoded events with their payloads, thread names, the
 * clock, per-CPU loss accounting. Events and payload slots live in two
 * growing arrays (an event is 48 bytes plus 8 per slot), so a long stream
 * costs little more than its own size.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tracer.h"

void trace_set_init(struct trace_set *s)
{
	memset(s, 0, sizeof(*s));
	s->stream_cpu = -1;
}

void trace_set_free(struct trace_set *s)
{
	free(s->events);
	free(s->slots);
	free(s->threads);
	for (unsigned i = 0; i < UNISCOPE_TRACE_MAX_RINGS; i++)
		free(s->cpus[i].seen_pos);
	trace_set_init(s);
}

static bool grow(void **array, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 256;
	void *p;

	if (need <= *cap)
		return true;
	while (n < need)
		n *= 2;
	p = realloc(*array, n * elem);
	if (!p)
		return false;
	*array = p;
	*cap = n;
	return true;
}

static uint64_t tsc_to_ns(const struct trace_set *s, uint64_t tsc)
{
	if (!s->tsc_hz)
		return tsc;
	if (tsc < s->boot_tsc)
		return 0;
	return (uint64_t)((unsigned __int128)(tsc - s->boot_tsc) * 1000000000u / s->tsc_hz);
}

void trace_set_clock(struct trace_set *s, uint64_t tsc_hz, uint64_t boot_tsc)
{
	s->tsc_hz = tsc_hz;
	s->boot_tsc = boot_tsc;
	for (size_t i = 0; i < s->nr_events; i++)
		s->events[i].ns = tsc_to_ns(s, s->events[i].tsc);
}

struct trace_event *trace_set_append(struct trace_set *s, const struct trace_event *e,
				     const uint64_t *slots)
{
	struct trace_event *out;

	if (e->nr_slots > UNISCOPE_TRACE_SLOTS_MAX ||
	    !grow((void **)&s->events, &s->cap_events, s->nr_events + 1, sizeof(*s->events)) ||
	    !grow((void **)&s->slots, &s->cap_slots, s->nr_slots + e->nr_slots, sizeof(*s->slots))) {
		s->out_of_memory = true;
		return NULL;
	}
	out = &s->events[s->nr_events++];
	*out = *e;
	out->ns = tsc_to_ns(s, e->tsc);
	out->slot_off = s->nr_slots;
	if (e->nr_slots)
		memcpy(s->slots + s->nr_slots, slots, e->nr_slots * sizeof(*slots));
	s->nr_slots += e->nr_slots;
	if (e->cpu >= s->nr_cpus && e->cpu < UNISCOPE_TRACE_MAX_CPUS)
		s->nr_cpus = e->cpu + 1;
	return out;
}

const uint64_t *trace_event_slots(const struct trace_set *s, const struct trace_event *e)
{
	static const uint64_t none[UNISCOPE_TRACE_SLOTS_MAX];

	return s->slots ? s->slots + e->slot_off : none;
}

/* Index of tid in the sorted thread table, or where it would go. */
static size_t thread_index(const struct trace_set *s, uint32_t tid)
{
	size_t lo = 0, hi = s->nr_threads;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->threads[mid].tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const char *trace_thread_name(const struct trace_set *s, uint32_t tid)
{
	size_t i = thread_index(s, tid);

	if (i < s->nr_threads && s->threads[i].tid == tid)
		return s->threads[i].name;
	return tid == 0 ? "boot" : NULL; /* records before the first thread ran */
}

/* Names are shown in text and JSON: keep printable ASCII only. */
static void clean_name(char *dst, size_t cap, const char *src)
{
	size_t n = 0;

	for (; *src && n + 1 < cap; src++)
		dst[n++] = *src >= 0x20 && *src < 0x7f ? *src : '?';
	dst[n] = 0;
}

int trace_set_thread_name(struct trace_set *s, uint32_t tid, const char *name)
{
	size_t i = thread_index(s, tid);

	if (i == s->nr_threads || s->threads[i].tid != tid) {
		if (!grow((void **)&s->threads, &s->cap_threads, s->nr_threads + 1,
			  sizeof(*s->threads))) {
			s->out_of_memory = true;
			return -1;
		}
		memmove(&s->threads[i + 1], &s->threads[i], (s->nr_threads - i) * sizeof(*s->threads));
		s->nr_threads++;
		s->threads[i].tid = tid;
	}
	clean_name(s->threads[i].name, sizeof(s->threads[i].name), name);
	return 0;
}

static void hex(char *out, const uint8_t *id, unsigned len)
{
	for (unsigned i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", id[i]);
	out[2 * len] = 0;
}

int trace_set_check_build_id(const struct trace_set *s, struct trace_error *err)
{
	char image[2 * UNISCOPE_BUILD_ID_MAX + 1], guest[2 * UNISCOPE_BUILD_ID_MAX + 1];

	if (!s->meta.build_id_len || !s->build_id_len)
		return 0;
	if (s->meta.build_id_len == s->build_id_len &&
	    memcmp(s->meta.build_id, s->build_id, s->build_id_len) == 0)
		return 0;
	hex(image, s->meta.build_id, s->meta.build_id_len);
	hex(guest, s->build_id, s->build_id_len);
	if (err)
		snprintf(err->msg, sizeof(err->msg),
			 "trace: the guest's build-id %s is not the image's %s (pass the image that is running)",
			 guest, image);
	return -1;
}

/* Merge sort: stable, and fast on input that is nearly in order already. */
static void merge(struct trace_event *a, struct trace_event *tmp, size_t mid, size_t n)
{
	size_t i = 0, j = mid, k = 0;

	if (a[mid - 1].tsc <= a[mid].tsc)
		return;
	while (i < mid && j < n)
		tmp[k++] = a[j].tsc < a[i].tsc ? a[j++] : a[i++];
	while (i < mid)
		tmp[k++] = a[i++];
	memcpy(a, tmp, k * sizeof(*a));
}

static void sort_range(struct trace_event *a, struct trace_event *tmp, size_t n)
{
	if (n < 2)
		return;
	sort_range(a, tmp, n / 2);
	sort_range(a + n / 2, tmp, n - n / 2);
	merge(a, tmp, n / 2, n);
}

void trace_set_sort(struct trace_set *s)
{
	struct trace_event *tmp = malloc(s->nr_events * sizeof(*tmp) + 1);

	if (!tmp) {
		s->out_of_memory = true;
		return;
	}
	sort_range(s->events, tmp, s->nr_events);
	free(tmp);
}

const char *trace_event_name(const struct trace_set *s, uint16_t id, char *buf, size_t cap)
{
	if (id < UNISCOPE_TRACE_POINT_IDS && s->meta.types[id].defined)
		return s->meta.types[id].name;
	if (id == UNISCOPE_TRACE_ID_LOST)
		return "lost";
	snprintf(buf, cap, "event_%u", id);
	return buf;
}
