/*
 * The "C" locale: ASCII classes only. Each test takes any int, including
 * EOF and bytes above 127, which belong to no class.
 */
#include <ctype.h>

static int in_range(int c, int first, int last)
{
	return c >= first && c <= last;
}

int isdigit(int c)
{
	return in_range(c, '0', '9');
}

int islower(int c)
{
	return in_range(c, 'a', 'z');
}

int isupper(int c)
{
	return in_range(c, 'A', 'Z');
}

int isalpha(int c)
{
	return islower(c) || isupper(c);
}

int isalnum(int c)
{
	return isalpha(c) || isdigit(c);
}

int isxdigit(int c)
{
	return isdigit(c) || in_range(c, 'a', 'f') || in_range(c, 'A', 'F');
}

int isblank(int c)
{
	return c == ' ' || c == '\t';
}

/* ' ', and '\t' '\n' '\v' '\f' '\r' */
int isspace(int c)
{
	return c == ' ' || in_range(c, '\t', '\r');
}

int iscntrl(int c)
{
	return in_range(c, 0, 0x1f) || c == 0x7f;
}

int isprint(int c)
{
	return in_range(c, ' ', '~');
}

int isgraph(int c)
{
	return in_range(c, '!', '~');
}

int ispunct(int c)
{
	return isgraph(c) && !isalnum(c);
}

int tolower(int c)
{
	return isupper(c) ? c - 'A' + 'a' : c;
}

int toupper(int c)
{
	return islower(c) ? c - 'a' + 'A' : c;
}
