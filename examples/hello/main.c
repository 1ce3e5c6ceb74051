/*
 * The smallest uniscope unikernel: print and exit 0. With bytes=N on the
 * command line it first prints N bytes of text (the channel benchmark).
 */
#include <libos.h>
#include <stdio.h>

static void print_bytes(long n)
{
	static const char line[] = "the quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopq\n";

	for (; n >= (long)sizeof(line) - 1; n -= (long)sizeof(line) - 1)
		printf("%s", line);
	if (n > 0)
		printf("%.*s", (int)n, line);
}

int main(void)
{
	print_bytes(cmdline_get_long("bytes", 0));
	printf("Hello from uniscope!\n");
	return 0;
}
