#include <string.h>

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *l = (const unsigned char *)a;
	const unsigned char *r = (const unsigned char *)b;

	if (n == 0)
		return 0;
	while (--n > 0 && *l && *l == *r) {
		l++;
		r++;
	}
	return *l - *r;
}
