/*
 * Events as text: decoded field values, the fields rendered through the
 * trace point's format string, and one trace-cmd style line per event
 * (the text exporter, and what the TUI shows).
 *
 * The format string comes from the image, so it is treated as data: each
 * %-conversion in it only marks where the next field goes, and the field's
 * own type decides how it looks (x or p asks for hex). Output is bounded by
 * the caller's buffer.
 */
#include <stdarg.h>
#include <string.h>

#include "tracer.h"

struct out {
	char *buf;
	size_t cap, len; /* len may pass cap: what it would have taken */
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = o->len < o->cap ? o->cap - o->len : 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static const struct trace_event_type *type_of(const struct trace_set *s, const struct trace_event *e)
{
	const struct trace_event_type *t;

	if (e->id >= UNISCOPE_TRACE_POINT_IDS)
		return NULL;
	t = &s->meta.types[e->id];
	return t->defined && t->nr_slots <= e->nr_slots ? t : NULL;
}

unsigned trace_event_nr_fields(const struct trace_set *s, const struct trace_event *e)
{
	const struct trace_event_type *t = type_of(s, e);

	return t ? t->nr_fields : 0;
}

int trace_event_field(const struct trace_set *s, const struct trace_event *e, unsigned i,
		      struct trace_field_value *v)
{
	const struct trace_event_type *t = type_of(s, e);
	const uint64_t *slots = trace_event_slots(s, e);

	if (!t || i >= t->nr_fields)
		return -1;
	memset(v, 0, sizeof(*v));
	v->name = t->fields[i].name;
	v->type = t->fields[i].type;
	if (v->type == UNISCOPE_TRACE_STR)
		memcpy(v->str, slots + t->fields[i].first_slot, UNISCOPE_TRACE_STR_SLOTS * 8);
	else
		v->u64 = slots[t->fields[i].first_slot];
	return 0;
}

static const char *state_name(uint64_t state)
{
	static const char *const names[] = { "R", "R+", "D", "S", "X" };

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

static void put_string(struct out *o, const char *s)
{
	for (; *s; s++)
		put(o, *s >= 0x20 && *s < 0x7f ? "%c" : "\\x%02x", (unsigned char)*s);
}

static void put_value(struct out *o, const struct trace_set *s, const struct trace_field_value *v,
		      char conversion)
{
	const char *name;

	switch (v->type) {
	case UNISCOPE_TRACE_S64:
		put(o, "%lld", (long long)v->u64);
		break;
	case UNISCOPE_TRACE_HEX:
		put(o, "%#llx", (unsigned long long)v->u64);
		break;
	case UNISCOPE_TRACE_TID:
		name = trace_thread_name(s, (uint32_t)v->u64);
		put(o, "%s%s%u", name ? name : "", name ? ":" : "", (uint32_t)v->u64);
		break;
	case UNISCOPE_TRACE_STATE:
		put(o, "%s", state_name(v->u64));
		break;
	case UNISCOPE_TRACE_STR:
		put_string(o, v->str);
		break;
	case UNISCOPE_TRACE_SYSNR:
		name = trace_syscall_name(v->u64);
		if (name)
			put(o, "%s", name);
		else
			put(o, "syscall_%llu", (unsigned long long)v->u64);
		break;
	default:
		put(o, conversion == 'x' || conversion == 'p' ? "%#llx" : "%llu",
		    (unsigned long long)v->u64);
	}
}

/* Skips one conversion spec after '%'; returns its letter, 0 at the end. */
static char skip_conversion(const char **p)
{
	while (**p && strchr("-+#0123456789.hlzj", **p))
		(*p)++;
	return **p ? *(*p)++ : 0;
}

/* No metadata: the raw slots. */
static void put_raw(struct out *o, const struct trace_set *s, const struct trace_event *e)
{
	const uint64_t *slots = trace_event_slots(s, e);

	if (e->id == UNISCOPE_TRACE_ID_LOST) {
		put(o, "%llu events lost", (unsigned long long)e->lost);
		return;
	}
	for (unsigned i = 0; i < e->nr_slots; i++)
		put(o, "%sslot%u=%#llx", i ? " " : "", i, (unsigned long long)slots[i]);
}

size_t trace_event_format_fields(const struct trace_set *s, const struct trace_event *e, char *buf,
				 size_t cap)
{
	struct out o = { buf, cap, 0 };
	const struct trace_event_type *t = type_of(s, e);
	struct trace_field_value v;
	unsigned next = 0;

	if (cap)
		buf[0] = 0;
	if (!t) {
		put_raw(&o, s, e);
		return o.len;
	}
	for (const char *p = t->format; *p;) {
		if (*p != '%' || p[1] == '%') {
			put(&o, "%c", *p >= 0x20 && *p < 0x7f ? *p : '?');
			p += *p == '%' ? 2 : 1;
			continue;
		}
		p++;
		char conversion = skip_conversion(&p);
		if (trace_event_field(s, e, next++, &v) == 0)
			put_value(&o, s, &v, conversion);
		else
			put(&o, "?");
	}
	/* Fields the format forgot still show. */
	for (; trace_event_field(s, e, next, &v) == 0; next++) {
		put(&o, " %s=", v.name);
		put_value(&o, s, &v, 'u');
	}
	return o.len;
}

size_t trace_event_format(const struct trace_set *s, const struct trace_event *e, char *buf,
			  size_t cap)
{
	struct out o = { buf, cap, 0 };
	const char *thread = trace_thread_name(s, e->tid);
	char name_buf[32], fields[512];

	if (cap)
		buf[0] = 0;
	trace_event_format_fields(s, e, fields, sizeof(fields));
	put(&o, "%16.16s-%-5u [%03u] %5llu.%06llu: %s: %s", thread ? thread : "<...>", e->tid,
	    e->cpu, (unsigned long long)(e->ns / 1000000000u),
	    (unsigned long long)(e->ns % 1000000000u / 1000u),
	    trace_event_name(s, e->id, name_buf, sizeof(name_buf)), fields);
	return o.len;
}

int trace_export_text(const struct trace_set *s, FILE *out, struct trace_error *err)
{
	char line[1024];

	for (size_t i = 0; i < s->nr_events; i++) {
		trace_event_format(s, &s->events[i], line, sizeof(line));
		fprintf(out, "%s\n", line);
	}
	if (fflush(out) != 0 || ferror(out)) {
		if (err)
			snprintf(err->msg, sizeof(err->msg), "trace: cannot write the text output: %m");
		return -1;
	}
	return 0;
}
