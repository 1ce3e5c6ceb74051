/* Writing the xl configuration of a `run --platform xen` domain (xl_config.h). */
#include <string.h>
#include "xl_config.h"

/* xl strings are "..."; refusing what would need escaping keeps them exact. */
static bool xl_string_ok(const char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

int xl_config_write(FILE *f, const struct xl_config *c, const char **why)
{
	unsigned long long mib = c->mem_bytes >> 20;

	if (!xl_string_ok(c->name) || !xl_string_ok(c->kernel)) {
		*why = "the name or image path holds a quote, backslash or control character";
		return -1;
	}
	if (c->cmdline && !xl_string_ok(c->cmdline)) {
		*why = "the guest command line holds a quote, backslash or control character";
		return -1;
	}
	fprintf(f, "# written by uniscope run --platform xen\n"
		   "name = \"%s\"\ntype = \"pvh\"\nkernel = \"%s\"\nmemory = %llu\nvcpus = 1\n",
		c->name, c->kernel, mib ? mib : 1);
	if (c->cmdline && *c->cmdline)
		fprintf(f, "cmdline = \"%s\"\n", c->cmdline);
	if (c->ramdisk && xl_string_ok(c->ramdisk))
		fprintf(f, "ramdisk = \"%s\"\n", c->ramdisk);
	fprintf(f, "on_poweroff = \"destroy\"\non_reboot = \"destroy\"\non_crash = \"%s\"\n",
		c->preserve_crash ? "preserve" : "destroy");
	return 0;
}

int xl_cmdline_join(char *out, size_t cap, const char *append, const char *const *words, int n)
{
	size_t used = 0;

	if (!cap)
		return -1;
	out[0] = 0;
	for (int i = -1; i < n; i++) {
		const char *w = i < 0 ? append : words[i];
		size_t len;
		if (!w || !*w)
			continue;
		len = strlen(w);
		if (used + (used ? 1 : 0) + len >= cap)
			return -1;
		if (used)
			out[used++] = ' ';
		memcpy(out + used, w, len + 1);
		used += len;
	}
	return 0;
}
