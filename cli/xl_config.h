/*
 * The xl configuration `uniscope run --platform xen` writes for its domain
 * (xl.cfg(5)): a PVH guest of the image, one vCPU, the guest command line,
 * destroyed on poweroff and preserved on crash when a core is wanted.
 */
#ifndef UNISCOPE_CLI_XL_CONFIG_H
#define UNISCOPE_CLI_XL_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define XL_CMDLINE_MAX 1024

struct xl_config {
	const char *name;    /* the domain name: the session's */
	const char *kernel;  /* absolute path of the image */
	uint64_t mem_bytes;  /* rounded down to MiB, at least 1 MiB */
	const char *cmdline; /* the guest command line, or NULL */
	bool preserve_crash; /* on_crash="preserve" (--core-on-crash) */
	const char *ramdisk; /* the PVH module (--rootfs), or NULL */
};

/*
 * Writes the configuration to f. -1 with *why set when a value cannot be
 * written as an xl string (a quote, backslash or control character).
 */
int xl_config_write(FILE *f, const struct xl_config *c, const char **why);

/*
 * Joins --append and the words after `--` into one command line, separated
 * by spaces. -1 when it would not fit in cap.
 */
int xl_cmdline_join(char *out, size_t cap, const char *append, const char *const *words, int n);

#endif
