/*
 * Symbols at the target level: address -> function+offset and file:line,
 * name -> address, and the address syntax commands accept
 * ("0x1000", "1000", "schedule", "schedule+0x10").
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

void us_target_symbolize(struct us_target *t, uint64_t addr, struct us_symbolized *out)
{
	const struct us_symbol *sym;

	memset(out, 0, sizeof(*out));
	if (!t->symbols)
		return;
	if ((sym = us_symbols_by_address(t->symbols, addr))) {
		out->function = sym->name;
		out->offset = addr - sym->address;
	}
	if (!us_symbols_line(t->symbols, addr, &out->file, &out->line))
		out->file = NULL;
}

const char *us_symbolized_function(const struct us_symbolized *s, char *buf, size_t cap)
{
	if (!s->function)
		snprintf(buf, cap, "??");
	else if (s->inlined)
		snprintf(buf, cap, "%s (inlined)", s->function);
	else
		snprintf(buf, cap, "%s+0x%llx", s->function, (unsigned long long)s->offset);
	return buf;
}

const char *us_symbolized_text(const struct us_symbolized *s, bool base_name, char *buf, size_t cap)
{
	char fn[US_SYMBOLIZED_FUNCTION_MAX];
	const char *file = s->file, *slash;

	us_symbolized_function(s, fn, sizeof(fn));
	if (!file) {
		snprintf(buf, cap, "%s", fn);
		return buf;
	}
	if (base_name && (slash = strrchr(file, '/')))
		file = slash + 1;
	snprintf(buf, cap, "%s at %s:%d", fn, file, s->line);
	return buf;
}

const char *us_frame_line(size_t index, const struct us_frame *f, char *buf, size_t cap)
{
	char where[US_SYMBOLIZED_TEXT_MAX];

	snprintf(buf, cap, "#%-2zu 0x%016llx in %s", index, (unsigned long long)f->pc,
		 us_symbolized_text(&f->sym, false, where, sizeof(where)));
	return buf;
}

struct us_error *us_target_lookup_symbol(struct us_target *t, const char *name,
					 struct us_symbol *out)
{
	const struct us_symbol *sym;

	if (!t->symbols)
		return us_error_create(US_ERR_NOT_FOUND,
				       "%s: no symbols to look up '%s' in (pass --image or --debug-dir)",
				       t->name, name);
	if (!(sym = us_symbols_by_name(t->symbols, name)))
		return us_error_create(US_ERR_NOT_FOUND, "no symbol '%s' in '%s'", name,
				       us_symbols_path(t->symbols));
	*out = *sym;
	return NULL;
}

static bool parse_hex(const char *text, uint64_t *value)
{
	char *end;

	if (!strncmp(text, "0x", 2) || !strncmp(text, "0X", 2))
		text += 2;
	if (!*text || !isxdigit((unsigned char)*text))
		return false;
	errno = 0;
	*value = strtoull(text, &end, 16);
	return !*end && errno == 0;
}

static bool has_hex_prefix(const char *text)
{
	return text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
}

/* "0x..." is an address; a bare word is a symbol when one has that name, else hex. */
struct us_error *us_target_parse_address(struct us_target *t, const char *text, uint64_t *addr)
{
	char name[256];
	const char *plus = strchr(text, '+');
	uint64_t offset = 0;
	struct us_symbol sym;
	struct us_error *err;
	size_t n = plus ? (size_t)(plus - text) : strlen(text);

	if (!plus && has_hex_prefix(text))
		return parse_hex(text, addr) ? NULL
			: us_error_create(US_ERR_USAGE, "'%s' is not an address", text);
	if (plus && !parse_hex(plus + 1, &offset))
		return us_error_create(US_ERR_USAGE, "'%s': bad offset after '+'", text);
	if (n == 0 || n >= sizeof(name))
		return us_error_create(US_ERR_USAGE, "'%s' is not an address or a symbol", text);
	memcpy(name, text, n);
	name[n] = 0;
	if ((err = us_target_lookup_symbol(t, name, &sym))) {
		if (!plus && parse_hex(text, addr)) {
			us_error_destroy(err);
			return NULL;
		}
		return err;
	}
	*addr = sym.address + offset;
	return NULL;
}
