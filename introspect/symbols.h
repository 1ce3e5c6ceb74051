/*
 * Symbols of a guest image: lookup by name and by address (function +
 * offset), file:line through DWARF (loaded on first use), the image's
 * build-id, and finding an image by build-id in a debug directory.
 */
#ifndef UNISCOPE_INTROSPECT_SYMBOLS_H
#define UNISCOPE_INTROSPECT_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "elf.h"
#include "error.h"

/* A symbol without a size (an assembly label) covers at most this much. */
#define US_SYMBOL_LABEL_SPAN 0x10000

struct us_symbol {
	const char *name;
	uint64_t address, size;
	enum us_symbol_kind kind;
};

struct us_symbols;
struct us_dwarf;
struct us_tailcalls;

struct us_error *us_symbols_open(const char *image_path, struct us_symbols **out);
void us_symbols_close(struct us_symbols *s);
const char *us_symbols_path(const struct us_symbols *s);
size_t us_symbols_count(const struct us_symbols *s);
const uint8_t *us_symbols_build_id(const struct us_symbols *s, size_t *len);
const struct us_symbol *us_symbols_by_name(const struct us_symbols *s, const char *name);
/* The symbol containing addr, or NULL. */
const struct us_symbol *us_symbols_by_address(const struct us_symbols *s, uint64_t addr);
/* file:line of addr; false when unknown (no DWARF, or no line). */
bool us_symbols_line(struct us_symbols *s, uint64_t addr, const char **file, int *line);
/* The image's DWARF and CFI (opened on first use), or NULL when it has none. */
struct us_dwarf *us_symbols_dwarf(struct us_symbols *s);
/* Its call sites, indexed for tail-call frames (built on first use), or NULL. */
const struct us_tailcalls *us_symbols_tailcalls(struct us_symbols *s);

/*
 * Looks in dir for the image with this build-id: dir/.build-id/xx/yyyy.debug,
 * then every ELF file named dir/NAME.elf. *path (free()) is set, or
 * US_ERR_NOT_FOUND.
 */
struct us_error *us_symbols_find_by_build_id(const char *dir, const uint8_t *id, size_t len,
					     char **path);

/* "a1b2..." for an id; out needs 2 * len + 1 bytes. */
void us_build_id_hex(const uint8_t *id, size_t len, char *out);

#endif
