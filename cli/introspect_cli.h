/*
 * What the introspection commands (ps, bt, log, heap, mem, sym, dis) share:
 * their common options, opening the target with errors and warnings
 * printed, and a small JSON writer.
 *
 *	--json          machine-readable output on stdout
 *	--image PATH    the guest image to take symbols from
 *	--debug-dir DIR find the image by build-id in DIR
 *	--no-pause      do not pause a live guest while reading it
 *	--phys          (mem) ADDR is guest physical
 */
#ifndef UNISCOPE_CLI_INTROSPECT_H
#define UNISCOPE_CLI_INTROSPECT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "introspect/uniscope.h"

#define CLI_MAX_POSITIONAL 4

struct cli_target_args {
	bool json, no_pause, phys;
	struct us_target_options opts;
	const char *positional[CLI_MAX_POSITIONAL]; /* [0] is TARGET */
	int nr_positional;
};

/* 0, or EXIT_USAGE (usage printed) when argv does not fit [min, max] positionals. */
int cli_target_parse(int argc, char **argv, struct cli_target_args *a, int min, int max);
/* Opens positional[0]; NULL (error printed) on failure. Warnings go to stderr. */
struct us_target *cli_target_open(const struct cli_target_args *a);
/* Prints "uniscope: MESSAGE", destroys err, returns 1. */
int cli_report(struct us_error *err);
/* Pauses a live target unless --no-pause; 0 or 1 (error printed). */
int cli_target_pause(struct us_target *t, const struct cli_target_args *a);
/* cli_target_open then cli_target_pause; NULL (error printed, target closed) on failure. */
struct us_target *cli_target_open_paused(const struct cli_target_args *a);
/* Undoes cli_target_pause; returns status, or 1 when resuming failed. */
int cli_target_resume(struct us_target *t, const struct cli_target_args *a, int status);
/* Parses a decimal or 0x-hex count; false when not a number. */
bool cli_parse_count(const char *text, uint64_t *value);


#endif
