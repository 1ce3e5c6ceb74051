/*
 * The smallest uniscope unikernel: print and exit 0. With bytes=N on the
 * command line it first prints N bytes of text (the channel benchmark).
 *
 * It writes with fputs and fwrite, not printf: musl's printf brings its
 * whole formatting engine (floating point, wide characters, strerror's
 * messages), about 10 KiB of the image. A program that calls printf pays
 * that once; README.md, "Your own program", gives the figures.
 */
#include <libos.h>
#include <stdio.h>

static void print_bytes(long n)
{
	static const char line[] = "the quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopq\n";

	for (; n >= (long)sizeof(line) - 1; n -= (long)sizeof(line) - 1)
		fputs(line, stdout);
	if (n > 0)
		fwrite(line, 1, (size_t)n, stdout);
}

int main(void)
{
	print_bytes(cmdline_get_long("bytes", 0));
	fputs("Hello from uniscope!\n", stdout);
	return 0;
}
