#include <string.h>

char *strrchr(const char *s, int c)
{
	char wanted = (char)c;
	const char *last = NULL;

	for (;; s++) {
		if (*s == wanted)
			last = s;
		if (*s == '\0')
			return (char *)last;
	}
}
