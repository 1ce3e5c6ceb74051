/*
 * qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH — documents read through a window
 * (window.c): the target description (tdesc.c) and the thread list
 * (threads.c). Documents are never stored: each request regenerates one.
 */
#include "internal.h"

/* "ANNEX:OFFSET,LENGTH" with the annex expected to be `annex`. */
static bool parse_window(struct gdb_cursor *args, const char *annex, struct gdb_window *w)
{
	memset(w, 0, sizeof(*w));
	return gdb_parse_prefix(args, annex) && gdb_parse_char(args, ':') &&
	       gdb_parse_hex_u64(args, &w->offset) && gdb_parse_char(args, ',') &&
	       gdb_parse_hex_u64(args, &w->length) && gdb_cursor_done(args);
}

/* Only "target.xml": the description is one self-contained document. */
unsigned gdb_cmd_qxfer_features(struct gdb_engine *e, struct gdb_cursor *args)
{
	struct gdb_window w;

	if (!parse_window(args, "target.xml", &w)) {
		gdb_send_str(e, "E00");
		return GDB_EVENT_NONE;
	}
	gdb_window_begin(e, &w);
	gdb_tdesc_xml(e, &w);
	gdb_window_send(e, &w);
	return GDB_EVENT_NONE;
}

unsigned gdb_cmd_qxfer_threads(struct gdb_engine *e, struct gdb_cursor *args)
{
	struct gdb_window w;

	if (!parse_window(args, "", &w)) {
		gdb_send_str(e, "E00");
		return GDB_EVENT_NONE;
	}
	gdb_window_begin(e, &w);
	gdb_threads_xml(e, &w);
	gdb_window_send(e, &w);
	return GDB_EVENT_NONE;
}
