/*
 * The libOS API for applications: threads, synchronisation, time, exit.
 * Standard C functions come from <stdio.h>, <stdlib.h>, <string.h>.
 */
#ifndef LIBOS_H
#define LIBOS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct thread;
typedef struct thread thread_t;
typedef void *(*thread_fn)(void *arg);

/* A FIFO of blocked threads; zero-initialised is empty. */
struct wait_queue {
	struct thread *head, *tail;
};

struct mutex {
	struct thread *owner;
	struct wait_queue waiters;
	uint64_t contended;
};

struct semaphore {
	int64_t count;
	struct wait_queue waiters;
};

struct condvar {
	struct wait_queue waiters;
};

#define MUTEX_INIT { 0, { 0, 0 }, 0 }
#define CONDVAR_INIT { { 0, 0 } }

thread_t *thread_create(const char *name, thread_fn fn, void *arg);
int thread_join(thread_t *thread, void **retval);
void thread_exit(void *retval) __attribute__((noreturn));
void thread_yield(void);
thread_t *thread_self(void);
uint32_t thread_id(const thread_t *thread);
const char *thread_name(const thread_t *thread);
void sleep_ns(uint64_t ns);
void sleep_ms(uint64_t ms);

void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
bool mutex_trylock(struct mutex *m);
void mutex_unlock(struct mutex *m);

void sem_init(struct semaphore *s, int64_t count);
void sem_wait(struct semaphore *s);
void sem_post(struct semaphore *s);

void cond_init(struct condvar *c);
void cond_wait(struct condvar *c, struct mutex *m);
void cond_signal(struct condvar *c);
void cond_broadcast(struct condvar *c);

uint64_t clock_ns(void);

/* key=value words on the command line (-append); NULL when absent. */
const char *cmdline_get(const char *key);
long cmdline_get_long(const char *key, long fallback);

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void exit(int status) __attribute__((noreturn));

#endif
