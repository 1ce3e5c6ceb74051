/* `uniscope top`: the terminal UI's entry point, called by cli/cmd_top.c. */
#ifndef UNISCOPE_TUI_TOP_H
#define UNISCOPE_TUI_TOP_H

#include "introspect/uniscope.h"

struct tui_top_options {
	const char *spec;         /* TARGET as the user named it */
	struct us_target *target; /* opened (live session, core), or NULL for a replay */
	const char *replay;       /* a stream recorded by `uniscope run --trace FILE` */
	const char *image;        /* replay: event names from this image */
};

/* Runs the UI until the user quits; takes ownership of o->target. Returns the exit status. */
int tui_top(const struct tui_top_options *o);

#endif
