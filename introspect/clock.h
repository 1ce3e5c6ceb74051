/*
 * The monotonic clock in milliseconds, for the deadlines of libuniscope's
 * socket clients (QMP, QEMU's gdbstub, the control socket, replay).
 */
#ifndef UNISCOPE_INTROSPECT_CLOCK_H
#define UNISCOPE_INTROSPECT_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t us_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#endif
