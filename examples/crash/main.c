/*
 * crash: dies the way the command line says, in a thread named "crasher",
 * while a bystander thread sleeps. Modes (the first word of -append):
 * null, div0, ud, stack, assert, text, data, panic; and corrupt, where the
 * bug and the crash are in different threads: a "scribbler" thread
 * clobbers a pointer in a heap object, and the "crasher" dies through it
 * later (the case reverse debugging is for: uniscope run --record).
 */
#include <assert.h>
#include <libos.h>
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
		sleep_ms(50);
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
	{ "panic", crash_panic }, { "corrupt", crash_corrupt },
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
	printf("crash: unknown mode '%s' (null div0 ud stack assert text data panic corrupt)\n",
	       mode);
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
