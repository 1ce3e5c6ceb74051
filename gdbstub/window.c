/*
 * The window writer: a document generated on every request, of which only
 * the bytes inside [offset, offset + length) that fit in one reply are
 * kept (binary, so escaped). Generation stops as soon as the window is
 * full. The reply is "m" + data while more follows, "l" + data at the
 * end; the reader continues from offset + bytes received. qXfer uses it
 * for target.xml and the thread list. vFile:pread, whose reply states its
 * length first, has the window's bytes gathered in a buffer instead.
 *
 *	gdb_window_begin(e, &w);       // w.offset and w.length set by the caller
 *	gdb_window_put_str(e, &w, ...); // as often as the document needs
 *	gdb_window_send(e, &w);
 */
#include "internal.h"

static bool window_full_at(struct gdb_engine *e, struct gdb_window *w, uint8_t byte)
{
	if (w->buffer && w->pos - w->offset < w->length) {
		w->buffer[w->buffered++] = byte;
		return false;
	}
	if (w->buffer || w->pos - w->offset >= w->length || !gdb_reply_binary_byte(e, byte)) {
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

/* The first payload byte is 'l' until the window turns out to be full. */
static void window_reset(struct gdb_window *w, uint8_t *buffer)
{
	w->pos = 0;
	w->full = false;
	w->more = false;
	w->buffer = buffer;
	w->buffered = 0;
}

/* The window's bytes go to buffer (w->length of them at most), not to a reply. */
void gdb_window_begin_buffer(struct gdb_engine *e, struct gdb_window *w, uint8_t *buffer)
{
	(void)e;
	window_reset(w, buffer);
}

size_t gdb_window_buffered(const struct gdb_window *w)
{
	return w->buffered;
}

void gdb_window_begin(struct gdb_engine *e, struct gdb_window *w)
{
	window_reset(w, NULL);
	gdb_reply_begin(e);
	gdb_reply_str(e, "l");
}

void gdb_window_send(struct gdb_engine *e, const struct gdb_window *w)
{
	if (w->more)
		e->tx[1] = 'm';
	gdb_reply_send(e);
}
