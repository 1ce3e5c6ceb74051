/*
 * libdw behind one file (see dwarf.h). dwarf_addrdie() finds the
 * compilation unit through .debug_aranges (libdw builds the table from the
 * units' ranges when the section is missing), dwarf_getsrc_die() the line.
 */
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dwarf.h"

struct us_dwarf {
	int fd;
	Dwarf *dwarf;
};

struct us_error *us_dwarf_open(const char *path, struct us_dwarf **out)
{
	struct us_dwarf *d = calloc(1, sizeof(*d));

	if (!d)
		return &us_error_nomem;
	if ((d->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		free(d);
		return us_error_errno(errno, "cannot open '%s'", path);
	}
	if (!(d->dwarf = dwarf_begin(d->fd, DWARF_C_READ))) {
		close(d->fd);
		free(d);
		return us_error_create(US_ERR_NOT_FOUND, "'%s' has no DWARF debug information: %s",
				       path, dwarf_errmsg(-1));
	}
	*out = d;
	return NULL;
}

void us_dwarf_close(struct us_dwarf *d)
{
	if (!d)
		return;
	dwarf_end(d->dwarf);
	close(d->fd);
	free(d);
}

/* "DIR/sub/file.c" -> "sub/file.c" when DIR is the unit's compilation directory. */
static const char *relative_to_comp_dir(Dwarf_Die *cu, const char *file)
{
	Dwarf_Attribute attr;
	const char *dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr));
	size_t n = dir ? strlen(dir) : 0;

	if (n && !strncmp(file, dir, n) && file[n] == '/')
		return file + n + 1;
	return file;
}

bool us_dwarf_line(struct us_dwarf *d, uint64_t addr, const char **file, int *line)
{
	Dwarf_Die cu;
	Dwarf_Line *l;
	const char *src;

	if (!d || !dwarf_addrdie(d->dwarf, addr, &cu) || !(l = dwarf_getsrc_die(&cu, addr)))
		return false;
	if (!(src = dwarf_linesrc(l, NULL, NULL)) || dwarf_lineno(l, line) != 0)
		return false;
	*file = relative_to_comp_dir(&cu, src);
	return true;
}
