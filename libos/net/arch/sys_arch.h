/*
 * lwIP's operating-system types (NO_SYS=0) on the libOS's threads and wait
 * queues: see libos/net/sys_arch.c.
 */
#ifndef LIBOS_NET_ARCH_SYS_ARCH_H
#define LIBOS_NET_ARCH_SYS_ARCH_H

#include <stdbool.h>
#include <stdint.h>
#include <libos.h>

typedef struct {
	int64_t count;
	struct wait_queue waiters;
	bool valid;
} sys_sem_t;

typedef struct {
	struct mutex mutex;
	bool valid;
} sys_mutex_t;

/* A ring of messages; readers and writers wait on their own queues. */
typedef struct {
	void **ring;
	uint32_t size, head, count;
	struct wait_queue readers, writers;
} sys_mbox_t;

typedef struct thread *sys_thread_t;
typedef uint64_t sys_prot_t;

#endif
