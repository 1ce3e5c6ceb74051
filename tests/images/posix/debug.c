/*
 * Modes for the debugging tests (t1330): threads parked where a debugger
 * and the host tools look at them.
 *
 * mode park: three threads "parked-0..2", each with its own __thread
 * tls_value (100 + i) and errno (200 + i), wait on a condition variable
 * that is never signalled (pthread_cond_wait: a futex wait inside musl)
 * from park_wait(), called by park_thread(); the main thread sleeps in
 * nanosleep from park_main_sleep(). Prints "park: ready" once all wait.
 */
#define _GNU_SOURCE 1 /* pthread_setname_np */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define PARKED 3

__thread long tls_value = 1;
pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t park_cond = PTHREAD_COND_INITIALIZER;
static int parked;

__attribute__((noinline)) static void park_wait(void)
{
	pthread_mutex_lock(&park_lock);
	parked++;
	while (1)
		pthread_cond_wait(&park_cond, &park_lock);
}

static void *park_thread(void *arg)
{
	long i = (long)arg;
	char name[16];

	snprintf(name, sizeof(name), "parked-%ld", i);
	pthread_setname_np(pthread_self(), name);
	tls_value = 100 + i;
	errno = 200 + (int)i;
	park_wait();
	return 0;
}

__attribute__((noinline)) static void park_main_sleep(void)
{
	struct timespec ts = { 1, 0 };

	for (;;)
		nanosleep(&ts, 0);
}

int mode_park(void)
{
	pthread_t t[PARKED];
	int n;

	tls_value = 42;
	for (long i = 0; i < PARKED; i++)
		pthread_create(&t[i], 0, park_thread, (void *)i);
	do {
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, 0);
		pthread_mutex_lock(&park_lock);
		n = parked;
		pthread_mutex_unlock(&park_lock);
	} while (n < PARKED);
	errno = 7;
	printf("park: ready\n");
	fflush(stdout);
	park_main_sleep();
	return 0;
}

/*
 * mode deadlock [errorcheck|normal]: threads "lock-a" and "lock-b" take
 * ledger_lock and audit_lock in opposite orders and deadlock; the main
 * thread joins lock-a. musl records a mutex's owner (its tid in the lock
 * word) for error-checking mutexes, not for normal ones (the default).
 */
pthread_mutex_t ledger_lock, audit_lock;
static pthread_barrier_t both_hold_one;

static void *lock_a(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "lock-a");
	pthread_mutex_lock(&ledger_lock);
	pthread_barrier_wait(&both_hold_one);
	pthread_mutex_lock(&audit_lock); /* lock-a waits here */
	return 0;
}

static void *lock_b(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "lock-b");
	pthread_mutex_lock(&audit_lock);
	pthread_barrier_wait(&both_hold_one);
	pthread_mutex_lock(&ledger_lock); /* lock-b waits here */
	return 0;
}

int mode_deadlock(const char *kind)
{
	pthread_mutexattr_t attr;
	pthread_t a, b;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, kind && !strcmp(kind, "normal") ? PTHREAD_MUTEX_NORMAL
									 : PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&ledger_lock, &attr);
	pthread_mutex_init(&audit_lock, &attr);
	pthread_barrier_init(&both_hold_one, 0, 2);
	pthread_create(&a, 0, lock_a, 0);
	pthread_create(&b, 0, lock_b, 0);
	printf("deadlock: %s mutexes taken in opposite orders\n", kind ? kind : "errorcheck");
	fflush(stdout);
	pthread_join(a, 0);
	return 0;
}
