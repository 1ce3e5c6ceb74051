/*
 * qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH — documents read through a window.
 *
 * Documents are never stored: each request regenerates the document from
 * its start and keeps only the bytes inside [OFFSET, OFFSET + LENGTH) that
 * fit in one reply (binary, so escaped). Generation stops as soon as the
 * window is full. The reply is "m" + data while more follows, "l" + data
 * at the end; GDB continues from OFFSET + bytes received.
 */
#include "internal.h"

static bool window_full_at(struct gdb_engine *e, struct gdb_window *w, uint8_t byte)
{
	if (w->pos - w->offset >= w->length || !gdb_reply_binary_byte(e, byte)) {
		w->full = true;
		w->more = true;
		return true;
	}
	return false;
}

void gdb_window_put(struct gdb_engine *e, struct gdb_window *w, const char *text, size_t len)
{
	if (w->full)
		return;
	if (w->pos + len <= w->offset) {
		w->pos += len; /* wholly before the window */
		return;
	}
	for (size_t i = 0; i < len; i++, w->pos++) {
		if (w->pos >= w->offset && window_full_at(e, w, (uint8_t)text[i]))
			return;
	}
}

void gdb_window_put_str(struct gdb_engine *e, struct gdb_window *w, const char *text)
{
	gdb_window_put(e, w, text, strlen(text));
}

/* Text from the target, made safe for an XML attribute or element. */
void gdb_window_put_xml_text(struct gdb_engine *e, struct gdb_window *w, const char *text,
			     size_t max)
{
	for (size_t i = 0; i < max && text[i] != '\0' && !w->full; i++) {
		char c = text[i];

		if (c == '&')
			gdb_window_put_str(e, w, "&amp;");
		else if (c == '<')
			gdb_window_put_str(e, w, "&lt;");
		else if (c == '>')
			gdb_window_put_str(e, w, "&gt;");
		else if (c == '"')
			gdb_window_put_str(e, w, "&quot;");
		else if (c < 0x20 || c > 0x7e)
			gdb_window_put(e, w, "?", 1); /* not known to be UTF-8 */
		else
			gdb_window_put(e, w, &c, 1);
	}
}

bool gdb_window_done(const struct gdb_window *w)
{
	return w->full;
}

/* "ANNEX:OFFSET,LENGTH" with the annex expected to be `annex`. */
static bool parse_window(struct gdb_cursor *args, const char *annex, struct gdb_window *w)
{
	memset(w, 0, sizeof(*w));
	return gdb_parse_prefix(args, annex) && gdb_parse_char(args, ':') &&
	       gdb_parse_hex_u64(args, &w->offset) && gdb_parse_char(args, ',') &&
	       gdb_parse_hex_u64(args, &w->length) && gdb_cursor_done(args);
}

/* The first payload byte is 'l' until the window turns out to be full. */
static void window_begin(struct gdb_engine *e)
{
	gdb_reply_begin(e);
	gdb_reply_str(e, "l");
}

static void window_send(struct gdb_engine *e, const struct gdb_window *w)
{
	if (w->more)
		e->tx[1] = 'm';
	gdb_reply_send(e);
}

/* Only "target.xml": the description is one self-contained document. */
unsigned gdb_cmd_qxfer_features(struct gdb_engine *e, struct gdb_cursor *args)
{
	struct gdb_window w;

	if (!parse_window(args, "target.xml", &w)) {
		gdb_send_str(e, "E00");
		return GDB_EVENT_NONE;
	}
	window_begin(e);
	gdb_window_put(e, &w, gdb_target_xml, gdb_target_xml_len());
	window_send(e, &w);
	return GDB_EVENT_NONE;
}

unsigned gdb_cmd_qxfer_threads(struct gdb_engine *e, struct gdb_cursor *args)
{
	struct gdb_window w;

	if (!parse_window(args, "", &w)) {
		gdb_send_str(e, "E00");
		return GDB_EVENT_NONE;
	}
	window_begin(e);
	gdb_threads_xml(e, &w);
	window_send(e, &w);
	return GDB_EVENT_NONE;
}
