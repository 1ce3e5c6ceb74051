/*
 * An application that defines names the libOS uses inside: schedule, plat
 * and panic_record. The libOS's internals are local to libos.o, so this
 * links, and each side keeps its own.
 */
#include <stdio.h>

int plat = 42;
char panic_record[16] = "app's own";

int schedule(int n)
{
	return n * 2;
}

int main(void)
{
	printf("seams: schedule(21)=%d plat=%d panic_record=%s\n", schedule(21), plat, panic_record);
	return 0;
}
