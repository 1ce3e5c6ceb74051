#include <string.h>

int strcmp(const char *a, const char *b)
{
	const unsigned char *l = (const unsigned char *)a;
	const unsigned char *r = (const unsigned char *)b;

	while (*l && *l == *r) {
		l++;
		r++;
	}
	return *l - *r;
}
