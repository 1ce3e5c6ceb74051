/* The readiness module's parts (io.c): each registers its syscalls. */
#ifndef LIBOS_POSIX_IO_H
#define LIBOS_POSIX_IO_H

#include <stdint.h>

void pipe_register(void);
void eventfd_register(void);
void poll_register(void);
void epoll_register(void);

/*
 * A timeout in ms (-1: none) or a timespec at uaddr (0: none) as a
 * clock_ns deadline: 0 waits forever, 1 not at all (a zero timeout).
 */
uint64_t deadline_after_ms(int64_t ms);
int64_t deadline_from_timespec(uint64_t uaddr, uint64_t *deadline);

#define LINUX_EPOLLEXCLUSIVE (1u << 28)
#define LINUX_EPOLLWAKEUP (1u << 29)
#define LINUX_EPOLLONESHOT (1u << 30)
#define LINUX_EPOLLET (1u << 31)

#endif
