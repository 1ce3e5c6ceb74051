/*
 * crash: dies (or hangs) the way the command line says, in a thread named
 * "crasher", while a bystander thread sleeps. Modes (the first word of
 * -append): null, div0, ud, stack, assert, text, data, panic; the libOS
 * heap's own checks (its blocks hold thread structures; the program's
 * malloc is musl's): doublejoin (a thread joined twice: its structure freed
 * twice), underrun (a write just below a thread handle, over its block
 * header); and hangs that do not die: deadlock (two workers take two
 * mutexes in opposite order, and the crasher joins one of them),
 * pdeadlock (the same with pthread mutexes: futex waits on musl's lock
 * words), spin (the crasher never stops computing); and corrupt, where the
 * bug and the crash are in different threads: a "scribbler" thread
 * clobbers a pointer in a heap object, and the "crasher" dies through it
 * later (the case reverse debugging is for: uniscope run --record).
 */
#include <assert.h>
#include <libos.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char data_code[] = { 0xc3 }; /* ret, in non-executable data */
static volatile int zero;

__attribute__((noinline)) static int crash_null(void)
{
	volatile int *p = 0;
	*p = 1;
	return 0;
}

__attribute__((noinline)) static int crash_div0(void)
{
	return 42 / zero;
}

__attribute__((noinline)) static int crash_ud(void)
{
	__builtin_trap();
}

/* Recurses until the guard page stops it; `limit` only keeps the compiler from proving it infinite. */
__attribute__((noinline)) static int crash_stack(int depth, int limit)
{
	volatile char frame[512];

	frame[0] = (char)depth;
	if (depth == limit)
		return frame[0];
	return crash_stack(depth + 1, limit) + frame[0];
}

__attribute__((noinline)) static int crash_assert(void)
{
	int answer = 41 + zero;
	assert(answer == 42);
	return answer;
}

__attribute__((noinline)) static int crash_text(void)
{
	volatile unsigned char *text = (volatile unsigned char *)(void *)crash_null;
	*text = 0xcc;
	return 0;
}

__attribute__((noinline)) static int crash_data(void)
{
	void (*fn)(void) = (void (*)(void))(void *)data_code;
	fn();
	return 0;
}

__attribute__((noinline)) static int crash_panic(void)
{
	panic("crash example: deliberate panic (%d)", 7);
}

static void *finish_at_once(void *arg)
{
	return arg;
}

/* Joining a thread twice frees its libOS thread structure twice. */
__attribute__((noinline)) static int crash_doublejoin(void)
{
	thread_t *t = thread_create("short", finish_at_once, 0);

	printf("crash: joining thread %p twice\n", (void *)t);
	thread_join(t, 0);
	thread_join(t, 0);
	return 0;
}

/* A write just below a thread handle (a libOS heap block): over its block header. */
__attribute__((noinline)) static int crash_underrun(void)
{
	thread_t *t = thread_create("short", finish_at_once, 0);
	volatile char *handle = (volatile char *)t;

	printf("crash: writing below %p\n", (void *)t);
	handle[-1 - zero] = 'x';
	thread_join(t, 0);
	return 0;
}

/* Two locks taken in opposite orders: one a global, one inside a struct. */
static struct mutex store_lock = MUTEX_INIT;
static struct {
	uint64_t items[4];
	struct mutex lock; /* at queue+32 */
} queue = { .lock = MUTEX_INIT };

static void *worker_a(void *arg)
{
	(void)arg;
	mutex_lock(&store_lock);
	sleep_ms(50);
	mutex_lock(&queue.lock); /* worker-a waits here */
	return 0;
}

static void *worker_b(void *arg)
{
	(void)arg;
	mutex_lock(&queue.lock);
	sleep_ms(50);
	mutex_lock(&store_lock); /* worker-b waits here */
	return 0;
}

__attribute__((noinline)) static int crash_deadlock(void)
{
	thread_t *a = thread_create("worker-a", worker_a, 0);

	thread_create("worker-b", worker_b, 0);
	printf("crash: worker-a and worker-b take store_lock and queue.lock in opposite orders\n");
	thread_join(a, 0);
	return 0;
}

/* The same with POSIX mutexes: the waits are futex waits on musl's lock words. */
static pthread_mutex_t pstore_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t pqueue_lock = PTHREAD_MUTEX_INITIALIZER;

static void *pworker(void *arg)
{
	pthread_mutex_t *first = arg ? &pqueue_lock : &pstore_lock;
	pthread_mutex_t *second = arg ? &pstore_lock : &pqueue_lock;

	pthread_mutex_lock(first);
	sleep_ms(50);
	pthread_mutex_lock(second); /* each pworker waits here */
	return 0;
}

__attribute__((noinline)) static int crash_pdeadlock(void)
{
	pthread_t a, b;

	pthread_create(&a, 0, pworker, 0);
	pthread_create(&b, 0, pworker, (void *)1);
	printf("crash: two pthreads take pstore_lock and pqueue_lock in opposite orders\n");
	pthread_join(a, 0);
	return 0;
}

static volatile uint64_t spins;

__attribute__((noinline)) static int crash_spin(void)
{
	printf("crash: spinning\n");
	for (;;)
		spins++;
	return 0;
}

/* corrupt: a job on the heap, shared by two threads. */
struct job {
	int id;
	int *result; /* where the worker stores its answer */
};
static struct job *volatile current_job;
static int job_result;

/* The bug: "resetting" a job it does not own, it clears the result pointer. */
__attribute__((noinline)) static void scribble(struct job *job)
{
	job->result = 0;
}

static void *scribbler(void *arg)
{
	(void)arg;
	sleep_ms(20);
	scribble(current_job);
	for (;;)
		sleep_ms(1000); /* asleep when the crasher faults at 60 ms, however late a busy host runs it */
	return 0;
}

__attribute__((noinline)) static int crash_corrupt(void)
{
	struct job *job = malloc(sizeof(*job));

	job->id = 1;
	job->result = &job_result;
	current_job = job;
	thread_create("scribbler", scribbler, 0);
	sleep_ms(60);
	*current_job->result = 42;
	return job_result;
}

static const struct {
	const char *mode;
	int (*fn)(void);
} crash_modes[] = {
	{ "null", crash_null }, { "div0", crash_div0 }, { "ud", crash_ud },
	{ "assert", crash_assert }, { "text", crash_text }, { "data", crash_data },
	{ "panic", crash_panic }, { "doublejoin", crash_doublejoin },
	{ "underrun", crash_underrun }, { "deadlock", crash_deadlock }, { "spin", crash_spin },
	{ "pdeadlock", crash_pdeadlock }, { "corrupt", crash_corrupt },
};

static void *bystander(void *arg)
{
	(void)arg;
	for (;;)
		sleep_ms(50);
	return 0;
}

static void *crasher(void *arg)
{
	const char *mode = arg;

	printf("crash: mode %s\n", mode);
	if (strcmp(mode, "stack") == 0)
		return (void *)(long)crash_stack(0, -1 - zero);
	for (size_t i = 0; i < sizeof(crash_modes) / sizeof(crash_modes[0]); i++)
		if (strcmp(mode, crash_modes[i].mode) == 0)
			return (void *)(long)crash_modes[i].fn();
	printf("crash: unknown mode '%s' (null div0 ud stack assert text data panic doublejoin "
	       "underrun deadlock spin pdeadlock corrupt)\n", mode);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "null";

	thread_create("bystander", bystander, 0);
	thread_join(thread_create("crasher", crasher, (void *)mode), 0);
	printf("crash: survived mode %s\n", mode);
	return 1;
}
