/*
 * DWARF line information through libdw: the only file that includes
 * <elfutils/libdw.h>. Maps a code address to file:line. File names are
 * given relative to the compilation directory when they lie inside it
 * ("libos/kern/sched.c"), as GDB shows them.
 */
#ifndef UNISCOPE_INTROSPECT_DWARF_H
#define UNISCOPE_INTROSPECT_DWARF_H

#include <stdbool.h>
#include <stdint.h>
#include "error.h"

struct us_dwarf;

/* Fails with US_ERR_NOT_FOUND when the file has no DWARF. */
struct us_error *us_dwarf_open(const char *path, struct us_dwarf **out);
void us_dwarf_close(struct us_dwarf *d);
/* file points into d (valid until us_dwarf_close); false when addr has no line. */
bool us_dwarf_line(struct us_dwarf *d, uint64_t addr, const char **file, int *line);

#endif
