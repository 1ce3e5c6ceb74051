/* The smallest uniscope unikernel: print and exit 0. */
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("Hello from uniscope!\n");
	return 0;
}
