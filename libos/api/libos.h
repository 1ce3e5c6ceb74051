/*
 * The libOS's own API, for what POSIX does not say: libOS threads with
 * the libOS's wait reasons, its synchronisation, its clock, the command
 * line's key=value words, panic. Everything else comes from the C library
 * (musl) and the Linux system calls the libOS implements. These names and
 * <uniscope/trace_point.h>'s are the only ones the libOS exports (exports.txt).
 *
 * A libOS thread shares its creator's C-library thread state (TLS, errno,
 * stdio locks): one of them at a time may call into the C library; use
 * pthreads for threads that all do.
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

/* Not sem_*: those are POSIX's (<semaphore.h>), which applications get from the C library. */
void semaphore_init(struct semaphore *s, int64_t count);
void semaphore_wait(struct semaphore *s);
void semaphore_post(struct semaphore *s);

void cond_init(struct condvar *c);
void cond_wait(struct condvar *c, struct mutex *m);
void cond_signal(struct condvar *c);
void cond_broadcast(struct condvar *c);

uint64_t clock_ns(void);

/* key=value words on the command line (-append); NULL when absent. */
const char *cmdline_get(const char *key);
long cmdline_get_long(const char *key, long fallback);

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
