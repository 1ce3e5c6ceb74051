/*
 * JSON written by hand, for every --json output and the trace exporter
 * (a document too long to build in memory first): the one string escaper
 * and the one address form. Strings are guest bytes as often as not, and
 * not trusted to be UTF-8: every byte outside printable ASCII is escaped.
 */
#ifndef UNISCOPE_INTROSPECT_JSON_OUT_H
#define UNISCOPE_INTROSPECT_JSON_OUT_H

#include <stdint.h>
#include <stdio.h>
#include "target.h"

/* s as a JSON string, or null when s is NULL. */
void us_json_string(FILE *out, const char *s);
/* "0x1a2b": JSON numbers lose 64-bit precision. */
void us_json_address(FILE *out, uint64_t addr);
/* A symbolized address's members: "function", "offset", "file", "line", "inlined". */
void us_json_symbolized(FILE *out, const struct us_symbolized *s);

#endif
