/*
 * Console output: text for GDB's console in 'O' packets (hex-encoded).
 *
 * Text is gathered in the engine's console buffer and sent a chunk at a
 * time: during `monitor` (qRcmd) the chunks precede the final OK; while
 * the target runs each write goes out at once, ahead of the stop reply.
 * gdb_engine_console_printf() is the one formatted writer that the
 * in-guest stub and the host gdbserver share for their monitor commands.
 */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

void gdb_console_flush(struct gdb_engine *e)
{
	if (e->console_len == 0)
		return;
	gdb_reply_begin(e);
	gdb_reply_str(e, "O");
	gdb_reply_hex_bytes(e, e->console, e->console_len);
	gdb_reply_send(e);
	e->console_len = 0;
}

/*
 * 'O' packets are legal only while GDB waits for a reply that may be
 * preceded by them: the answer to qRcmd, or a stop reply.
 */
void gdb_engine_console_write(struct gdb_engine *engine, const char *text, size_t len)
{
	if (!engine->in_monitor && !engine->running)
		return;
	for (size_t i = 0; i < len; i++) {
		engine->console[engine->console_len++] = text[i];
		if (engine->console_len == sizeof(engine->console))
			gdb_console_flush(engine);
	}
	if (engine->running)
		gdb_console_flush(engine);
}


/* A line longer than GDB_CONSOLE_LINE_MAX is cut there. */
void gdb_engine_console_printf(struct gdb_engine *engine, const char *fmt, ...)
{
	char line[GDB_CONSOLE_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		gdb_engine_console_write(engine, line,
					 (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}
