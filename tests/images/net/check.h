/* The network test image's checks: each prints "MODE: WHAT ok" or what went wrong. */
#ifndef NET_CHECK_H
#define NET_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

extern const char *check_mode;
extern int check_failures;

/* cond holds, or the check fails with errno's name. */
#define CHECK(what, cond) do { \
		if (cond) \
			printf("%s: %s ok\n", check_mode, what); \
		else { \
			printf("%s: %s FAILED (errno %d %s) at line %d\n", check_mode, what, errno, \
			       strerror(errno), __LINE__); \
			check_failures++; \
		} \
	} while (0)

/* A call that must fail with errno e. */
#define CHECK_ERR(what, call, e) do { \
		errno = 0; \
		long r_ = (long)(call); \
		if (r_ == -1 && errno == (e)) \
			printf("%s: %s %s ok\n", check_mode, what, #e); \
		else { \
			printf("%s: %s FAILED: %ld errno %d (%s), wanted %s, at line %d\n", check_mode, what, r_, \
			       errno, strerror(errno), #e, __LINE__); \
			check_failures++; \
		} \
	} while (0)

int mode_loopback(void);
int mode_events(void);
int mode_badargs(void);

#endif
