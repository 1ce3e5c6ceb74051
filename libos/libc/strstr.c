/*
 * The plain quadratic search: the libOS looks for short needles in short
 * strings, where a Two-Way table would cost more than it saves.
 */
#include <string.h>

char *strstr(const char *haystack, const char *needle)
{
	size_t needle_len = strlen(needle);

	if (needle_len == 0)
		return (char *)haystack;
	for (; *haystack; haystack++) {
		if (*haystack == *needle && strncmp(haystack, needle, needle_len) == 0)
			return (char *)haystack;
	}
	return NULL;
}
