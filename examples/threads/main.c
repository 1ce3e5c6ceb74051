/*
 * threads: producers and consumers on a mutex and condition variable, and
 * sleepers on timers.
 *
 * Command line (-append): run_ms=N stops after N ms (default: run forever);
 * threads=N adds N extra threads that wait on a semaphore until the end.
 */
#include <libos.h>
#include <stdio.h>
#include <stdlib.h>
#include <uniscope/trace_point.h>

#define QUEUE_SIZE 8
#define NR_PRODUCERS 2
#define NR_CONSUMERS 2
#define MAX_EXTRA_THREADS 4000

static struct {
	struct mutex lock;
	struct condvar not_empty, not_full;
	long items[QUEUE_SIZE];
	int head, count;
	bool stopping;
	long produced, consumed, checksum_in, checksum_out;
} queue = { .lock = MUTEX_INIT, .not_empty = CONDVAR_INIT, .not_full = CONDVAR_INIT };

UNISCOPE_TRACE_POINT(item_produced, UNISCOPE_TRACE_APP_ID(0), "item=%u queued=%u",
		     (u64, item), (u64, queued))
UNISCOPE_TRACE_POINT(item_consumed, UNISCOPE_TRACE_APP_ID(1), "item=%u queued=%u",
		     (u64, item), (u64, queued))

static struct semaphore extra_release;
static volatile bool sleepers_stop;

static void *producer(void *arg)
{
	long id = (long)arg, n = 0;

	mutex_lock(&queue.lock);
	while (!queue.stopping) {
		while (queue.count == QUEUE_SIZE && !queue.stopping)
			cond_wait(&queue.not_full, &queue.lock);
		if (queue.stopping)
			break;
		long item = id * 1000000 + n++;
		queue.items[(queue.head + queue.count++) % QUEUE_SIZE] = item;
		queue.produced++;
		queue.checksum_in += item;
		trace_item_produced((uint64_t)item, (uint64_t)queue.count);
		cond_signal(&queue.not_empty);
		mutex_unlock(&queue.lock);
		if (n % 64 == 0)
			sleep_ms(1);
		else
			thread_yield();
		mutex_lock(&queue.lock);
	}
	mutex_unlock(&queue.lock);
	return 0;
}

static void *consumer(void *arg)
{
	(void)arg;
	mutex_lock(&queue.lock);
	for (;;) {
		while (queue.count == 0 && !queue.stopping)
			cond_wait(&queue.not_empty, &queue.lock);
		if (queue.count == 0)
			break;
		long item = queue.items[queue.head];
		queue.head = (queue.head + 1) % QUEUE_SIZE;
		queue.count--;
		queue.consumed++;
		queue.checksum_out += item;
		trace_item_consumed((uint64_t)item, (uint64_t)queue.count);
		cond_signal(&queue.not_full);
	}
	mutex_unlock(&queue.lock);
	return 0;
}

static void *sleeper(void *arg)
{
	long period_ms = (long)arg, ticks = 0;

	while (!sleepers_stop) {
		sleep_ms((uint64_t)period_ms);
		ticks++;
	}
	return (void *)ticks;
}

static void *extra_waiter(void *arg)
{
	(void)arg;
	semaphore_wait(&extra_release);
	return 0;
}

static thread_t *spawn(const char *fmt, long n, thread_fn fn, void *arg)
{
	char name[32];
	thread_t *t;

	snprintf(name, sizeof(name), fmt, n);
	t = thread_create(name, fn, arg);
	if (!t)
		panic("cannot create thread %s", name);
	return t;
}

static void stop_queue(void)
{
	mutex_lock(&queue.lock);
	queue.stopping = true;
	cond_broadcast(&queue.not_empty);
	cond_broadcast(&queue.not_full);
	mutex_unlock(&queue.lock);
}

int main(void)
{
	long run_ms = cmdline_get_long("run_ms", 0);
	long extra = cmdline_get_long("threads", 0);
	thread_t *workers[NR_PRODUCERS + NR_CONSUMERS], *sleepers[2];
	static thread_t *extras[MAX_EXTRA_THREADS];
	void *ticks[2];

	if (extra < 0 || extra > MAX_EXTRA_THREADS)
		extra = MAX_EXTRA_THREADS;
	semaphore_init(&extra_release, 0);
	for (long i = 0; i < NR_PRODUCERS; i++)
		workers[i] = spawn("producer-%ld", i, producer, (void *)(i + 1));
	for (long i = 0; i < NR_CONSUMERS; i++)
		workers[NR_PRODUCERS + i] = spawn("consumer-%ld", i, consumer, 0);
	sleepers[0] = spawn("sleeper-%ld", 10, sleeper, (void *)10);
	sleepers[1] = spawn("sleeper-%ld", 25, sleeper, (void *)25);
	for (long i = 0; i < extra; i++)
		extras[i] = spawn("waiter-%ld", i, extra_waiter, 0);
	printf("threads: %d producers, %d consumers, 2 sleepers, %ld waiters running%s\n",
	       NR_PRODUCERS, NR_CONSUMERS, extra, run_ms ? "" : " forever");

	for (long elapsed = 0; !run_ms || elapsed < run_ms; elapsed += 100) {
		sleep_ms(100);
		if (elapsed % 1000 == 900)
			printf("threads: %ld items so far\n", queue.consumed);
	}

	stop_queue();
	sleepers_stop = true;
	for (int i = 0; i < NR_PRODUCERS + NR_CONSUMERS; i++)
		thread_join(workers[i], 0);
	thread_join(sleepers[0], &ticks[0]);
	thread_join(sleepers[1], &ticks[1]);
	for (long i = 0; i < extra; i++)
		semaphore_post(&extra_release);
	for (long i = 0; i < extra; i++)
		thread_join(extras[i], 0);

	printf("threads: produced %ld consumed %ld (%s), sleeper ticks %ld %ld\n", queue.produced,
	       queue.consumed, queue.checksum_in == queue.checksum_out ? "checksums match" : "CHECKSUM MISMATCH",
	       (long)ticks[0], (long)ticks[1]);
	return queue.produced == queue.consumed && queue.checksum_in == queue.checksum_out ? 0 : 1;
}
