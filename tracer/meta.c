/*
 * Trace point metadata: the .uniscope_trace_meta section of an image
 * (include/uniscope/trace.h). The section is a run of records on 4-byte
 * boundaries, each a header (magic, size) and its text, possibly with zero
 * padding in between (the compiler may over-align them) and possibly
 * repeated (a header of declarations included by several files). The image's GNU
 * build-id is read with it, so the decoder can check it is looking at the
 * image that produced the trace. Both come through introspect/elf.c, the
 * one file that talks to libelf.
 */
#include <stdarg.h>
#include <string.h>

#include "tracer.h"
#include "introspect/elf.h"

#define META_SECTION ".uniscope_trace_meta"

__attribute__((format(printf, 2, 3)))
static int fail(struct trace_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * The next NUL-terminated string of a record's text into dst (dst_size
 * bytes with its NUL): false when the text ends first or the string is
 * longer.
 */
static bool take_string(char *dst, size_t dst_size, const char **text, const char *end)
{
	size_t n = strnlen(*text, (size_t)(end - *text));

	if (*text + n == end || n >= dst_size)
		return false;
	memcpy(dst, *text, n + 1);
	*text += n + 1;
	return true;
}

static bool name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static int convert_fields(struct trace_event_type *t, const struct uniscope_trace_meta *r,
			  const char *text, const char *end, struct trace_error *err)
{
	unsigned slot = 0;

	if (r->nr_fields > UNISCOPE_TRACE_FIELDS_MAX)
		return fail(err, "trace metadata: event %s has %u fields (at most %d)", t->name,
			    r->nr_fields, UNISCOPE_TRACE_FIELDS_MAX);
	for (unsigned i = 0; i < r->nr_fields; i++) {
		struct trace_field_type *out = &t->fields[i];
		uint8_t type = r->types[i];

		if (!take_string(out->name, sizeof(out->name), &text, end) || !name_ok(out->name) ||
		    type == 0 || type >= UNISCOPE_TRACE_TYPE_COUNT)
			return fail(err, "trace metadata: event %s: field %u is malformed", t->name, i);
		out->type = type;
		out->slots = type == UNISCOPE_TRACE_STR ? UNISCOPE_TRACE_STR_SLOTS : 1;
		out->first_slot = (uint8_t)slot;
		slot += out->slots;
	}
	if (slot > UNISCOPE_TRACE_SLOTS_MAX)
		return fail(err, "trace metadata: event %s needs %u slots", t->name, slot);
	t->nr_fields = r->nr_fields;
	t->nr_slots = slot;
	return 0;
}

static bool same_type(const struct trace_event_type *a, const struct trace_event_type *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->format, b->format) == 0 &&
	       a->nr_fields == b->nr_fields &&
	       memcmp(a->fields, b->fields, sizeof(a->fields[0]) * a->nr_fields) == 0;
}

/* One record: its header r, its text [text, end). */
static int add_record(struct trace_meta *m, const struct uniscope_trace_meta *r, const char *text,
		      const char *end, struct trace_error *err)
{
	struct trace_event_type t = { .defined = true, .id = r->event };

	if (r->event == 0 || r->event >= UNISCOPE_TRACE_POINT_IDS ||
	    !take_string(t.name, sizeof(t.name), &text, end) || !name_ok(t.name) ||
	    !take_string(t.format, sizeof(t.format), &text, end))
		return fail(err, "trace metadata: malformed record for event id %u", r->event);
	if (convert_fields(&t, r, text, end, err) < 0)
		return -1;
	if (m->types[t.id].defined) {
		if (!same_type(&m->types[t.id], &t))
			return fail(err, "trace metadata: event id %u declared as both '%s' and '%s'",
				    t.id, m->types[t.id].name, t.name);
		return 0;
	}
	m->types[t.id] = t;
	m->nr_types++;
	return 0;
}

int trace_meta_parse(struct trace_meta *m, const void *section, size_t len, struct trace_error *err)
{
	const uint8_t *p = section;
	size_t off = 0;

	memset(m->types, 0, sizeof(m->types));
	m->nr_types = 0;
	while (off + sizeof(struct uniscope_trace_meta) <= len) {
		struct uniscope_trace_meta r;

		memcpy(&r, p + off, sizeof(r));
		if (r.magic != UNISCOPE_TRACE_META_MAGIC) {
			off += 4; /* padding between records */
			continue;
		}
		if (r.version != UNISCOPE_TRACE_META_VERSION)
			return fail(err, "trace metadata: record at offset %zu has version %u "
				    "(this uniscope reads version %d: rebuild the image or use its uniscope)",
				    off, r.version, UNISCOPE_TRACE_META_VERSION);
		if (r.size < sizeof(r) || r.size > len - off)
			return fail(err, "trace metadata: record at offset %zu has size %u (%zu bytes left)",
				    off, r.size, len - off);
		if (add_record(m, &r, (const char *)p + off + sizeof(r), (const char *)p + off + r.size,
			       err) < 0)
			return -1;
		off = (off + r.size + 3) & ~(size_t)3;
	}
	return 0;
}

/* An error of the ELF reader as the tracer's (the reader's message names the file). */
static int fail_elf(struct trace_error *err, struct us_error *e)
{
	fail(err, "%s", e->message);
	us_error_destroy(e);
	return -1;
}

int trace_meta_load(struct trace_meta *m, const char *elf_path, struct trace_error *err)
{
	struct us_elf *elf;
	struct us_error *e;
	const void *section;
	size_t len, id_len;
	int rc;

	if ((e = us_elf_open(elf_path, &elf)))
		return fail_elf(err, e);
	m->build_id_len = 0;
	if ((e = us_elf_build_id(elf, m->build_id, sizeof(m->build_id), &id_len))) {
		us_elf_close(elf);
		return fail_elf(err, e);
	}
	m->build_id_len = (unsigned)id_len;
	if ((e = us_elf_section(elf, META_SECTION, &section, &len))) {
		rc = e->code == US_ERR_NOT_FOUND
			     ? fail(err, "%s: no %s section (not a uniscope image, or built without tracing?)",
				    elf_path, META_SECTION)
			     : fail(err, "%s", e->message);
		us_error_destroy(e);
	} else {
		rc = trace_meta_parse(m, section, len, err);
	}
	us_elf_close(elf);
	return rc;
}
