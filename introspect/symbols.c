/*
 * Symbol tables (see symbols.h). The image's .symtab is copied into two
 * sorted arrays, by address and by name, at open; the ELF file is then
 * closed. DWARF is opened only when a caller first asks for a line, so
 * commands that need no lines (ps) do not pay for it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dwarf.h"
#include "symbols.h"
#include "stack_tailcall.h"

#define SYMBOL_WALK_BACK 16

struct us_symbols {
	char *path;
	struct us_symbol *by_address;
	const struct us_symbol **by_name;
	size_t count, cap;
	uint8_t build_id[20];
	size_t build_id_len;
	struct us_dwarf *dwarf;
	bool dwarf_tried;
	struct us_tailcalls *tailcalls;
	bool tailcalls_tried;
	bool oom;
};

static void add_symbol(void *arg, const char *name, uint64_t value, uint64_t size,
		       enum us_symbol_kind kind)
{
	struct us_symbols *s = arg;
	char *copy;

	if (s->oom)
		return;
	if (s->count == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		struct us_symbol *grown = realloc(s->by_address, cap * sizeof(*grown));
		if (!grown) {
			s->oom = true;
			return;
		}
		s->by_address = grown;
		s->cap = cap;
	}
	if (!(copy = strdup(name))) {
		s->oom = true;
		return;
	}
	s->by_address[s->count++] = (struct us_symbol){ copy, value, size, kind };
}

/* Address order; among equals, functions last, so the lookup meets them first. */
static int address_order(const void *a, const void *b)
{
	const struct us_symbol *x = a, *y = b;

	if (x->address != y->address)
		return x->address < y->address ? -1 : 1;
	if ((x->kind == US_SYM_FUNC) != (y->kind == US_SYM_FUNC))
		return x->kind == US_SYM_FUNC ? 1 : -1;
	return strcmp(y->name, x->name);
}

static int name_order(const void *a, const void *b)
{
	const struct us_symbol *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

static struct us_error *index_symbols(struct us_symbols *s)
{
	qsort(s->by_address, s->count, sizeof(*s->by_address), address_order);
	if (!(s->by_name = calloc(s->count ? s->count : 1, sizeof(*s->by_name))))
		return &us_error_nomem;
	for (size_t i = 0; i < s->count; i++)
		s->by_name[i] = &s->by_address[i];
	qsort(s->by_name, s->count, sizeof(*s->by_name), name_order);
	return NULL;
}

struct us_error *us_symbols_open(const char *image_path, struct us_symbols **out)
{
	struct us_symbols *s = calloc(1, sizeof(*s));
	struct us_error *err;
	struct us_elf *elf;

	if (!s || !(s->path = strdup(image_path))) {
		free(s);
		return &us_error_nomem;
	}
	if ((err = us_elf_open(image_path, &elf))) {
		us_symbols_close(s);
		return err;
	}
	err = us_elf_build_id(elf, s->build_id, sizeof(s->build_id), &s->build_id_len);
	if (!err)
		err = us_elf_for_each_symbol(elf, add_symbol, s);
	us_elf_close(elf);
	if (!err && s->oom)
		err = &us_error_nomem;
	if (!err)
		err = index_symbols(s);
	if (err) {
		us_symbols_close(s);
		return err;
	}
	*out = s;
	return NULL;
}

void us_symbols_close(struct us_symbols *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->count; i++)
		free((char *)s->by_address[i].name);
	free(s->by_address);
	free(s->by_name);
	us_tailcalls_free(s->tailcalls);
	us_dwarf_close(s->dwarf);
	free(s->path);
	free(s);
}

const char *us_symbols_path(const struct us_symbols *s) { return s->path; }
size_t us_symbols_count(const struct us_symbols *s) { return s->count; }

const uint8_t *us_symbols_build_id(const struct us_symbols *s, size_t *len)
{
	*len = s->build_id_len;
	return s->build_id;
}

const struct us_symbol *us_symbols_by_name(const struct us_symbols *s, const char *name)
{
	size_t lo = 0, hi = s->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, s->by_name[mid]->name);
		if (c == 0)
			return s->by_name[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Index of the last symbol starting at or below addr, or count when none. */
static size_t last_at_or_below(const struct us_symbols *s, uint64_t addr)
{
	size_t lo = 0, hi = s->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->by_address[mid].address <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == 0 ? s->count : lo - 1;
}

const struct us_symbol *us_symbols_by_address(const struct us_symbols *s, uint64_t addr)
{
	size_t last = last_at_or_below(s, addr);
	const struct us_symbol *label;

	if (last == s->count)
		return NULL;
	for (size_t back = 0; back < SYMBOL_WALK_BACK && back <= last; back++) {
		const struct us_symbol *sym = &s->by_address[last - back];
		if (sym->size && addr - sym->address < sym->size)
			return sym;
	}
	label = &s->by_address[last];
	if (!label->size && addr - label->address < US_SYMBOL_LABEL_SPAN)
		return label;
	return NULL;
}

struct us_dwarf *us_symbols_dwarf(struct us_symbols *s)
{
	if (!s->dwarf_tried) {
		s->dwarf_tried = true;
		us_error_destroy(us_dwarf_open(s->path, &s->dwarf));
	}
	return s->dwarf;
}

const struct us_tailcalls *us_symbols_tailcalls(struct us_symbols *s)
{
	if (!s->tailcalls_tried && us_symbols_dwarf(s)) {
		s->tailcalls_tried = true;
		us_error_destroy(us_tailcalls_build(s->dwarf, s, &s->tailcalls));
	}
	return s->tailcalls;
}

bool us_symbols_line(struct us_symbols *s, uint64_t addr, const char **file, int *line)
{
	return us_dwarf_line(us_symbols_dwarf(s), addr, file, line);
}

void us_build_id_hex(const uint8_t *id, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", id[i]);
	out[2 * len] = 0;
}

static bool image_has_build_id(const char *path, const uint8_t *id, size_t len)
{
	uint8_t found[20];
	size_t found_len = 0;
	struct us_elf *elf;
	struct us_error *err;
	bool match;

	if ((err = us_elf_open(path, &elf))) { /* not an ELF we can read: not it */
		us_error_destroy(err);
		return false;
	}
	match = !us_elf_build_id(elf, found, sizeof(found), &found_len) && found_len == len &&
		!memcmp(found, id, len);
	us_elf_close(elf);
	return match;
}

static char *scan_elf_files(const char *dir, const uint8_t *id, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *found = NULL;

	while (d && !found && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char *path;
		if (n < 5 || strcmp(de->d_name + n - 4, ".elf"))
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			break;
		if (image_has_build_id(path, id, len))
			found = path;
		else
			free(path);
	}
	if (d)
		closedir(d);
	return found;
}

struct us_error *us_symbols_find_by_build_id(const char *dir, const uint8_t *id, size_t len,
					     char **path)
{
	char hex[2 * 20 + 1], *candidate;

	if (len < 2 || len > 20)
		return us_error_create(US_ERR_NOT_FOUND, "the guest reports no usable build-id");
	us_build_id_hex(id, len, hex);
	if (asprintf(&candidate, "%s/.build-id/%.2s/%s.debug", dir, hex, hex + 2) < 0)
		return &us_error_nomem;
	if (image_has_build_id(candidate, id, len)) {
		*path = candidate;
		return NULL;
	}
	free(candidate);
	if ((*path = scan_elf_files(dir, id, len)))
		return NULL;
	return us_error_create(US_ERR_NOT_FOUND,
			       "no image with build-id %s in '%s' (looked for .build-id/%.2s/%s.debug "
			       "and *.elf)", hex, dir, hex, hex + 2);
}
