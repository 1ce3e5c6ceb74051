/*
 * The JSON string escaper (json_out.h). Quote, backslash and the common
 * control characters get their short escapes; every other byte below 0x20
 * or from 0x7f up becomes \u00XX, so a guest's bytes that are not UTF-8
 * still make a document every parser reads (each byte as its own code
 * point: lossless, if not the text a UTF-8 reader would see).
 */
#include <inttypes.h>
#include "json_out.h"

static void put_escaped(FILE *out, unsigned char c)
{
	switch (c) {
	case '"': fputs("\\\"", out); return;
	case '\\': fputs("\\\\", out); return;
	case '\n': fputs("\\n", out); return;
	case '\t': fputs("\\t", out); return;
	case '\r': fputs("\\r", out); return;
	}
	if (c < 0x20 || c >= 0x7f)
		fprintf(out, "\\u%04x", c);
	else
		fputc(c, out);
}

void us_json_string(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *s; s++)
		put_escaped(out, (unsigned char)*s);
	fputc('"', out);
}

void us_json_address(FILE *out, uint64_t addr)
{
	fprintf(out, "\"0x%" PRIx64 "\"", addr);
}

void us_json_symbolized(FILE *out, const struct us_symbolized *s)
{
	fputs("\"function\": ", out);
	us_json_string(out, s->function);
	fprintf(out, ", \"offset\": %" PRIu64 ", \"file\": ", s->offset);
	us_json_string(out, s->file);
	fprintf(out, ", \"line\": %d, \"inlined\": %s", s->file ? s->line : 0,
		s->inlined ? "true" : "false");
}
