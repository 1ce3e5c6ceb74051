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
