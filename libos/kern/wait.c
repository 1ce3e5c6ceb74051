/*
 * Wait queues and the primitives built on them: mutexes, semaphores and
 * condition variables. A wait queue is a FIFO of blocked threads linked
 * through thread->queue_next; interrupts disabled is the lock.
 */
#include "kern.h"
#include "arch/x86_64/cpu.h"
#include "trace.h"

static void wait_queue_append(struct wait_queue *wq, struct thread *t);

void wait_queue_block(struct wait_queue *wq, uint32_t reason, const void *object)
{
	wait_queue_append(wq, current);
	sched_block(reason, object);
}

struct thread *wait_queue_wake_one(struct wait_queue *wq)
{
	struct thread *t = wq->head;

	if (!t)
		return 0;
	wq->head = t->queue_next;
	if (!wq->head)
		wq->tail = 0;
	if (t->blocked_on) { /* a timed block woken in time */
		t->blocked_on = 0;
		sched_cancel_sleep(t);
	}
	sched_make_runnable(t);
	return t;
}

void wait_queue_wake_thread(struct wait_queue *wq, struct thread *t)
{
	wait_queue_remove(wq, t);
	if (t->blocked_on) {
		t->blocked_on = 0;
		sched_cancel_sleep(t);
	}
	sched_make_runnable(t);
}

static void wait_queue_append(struct wait_queue *wq, struct thread *t)
{
	t->queue_next = 0;
	if (wq->tail)
		wq->tail->queue_next = t;
	else
		wq->head = t;
	wq->tail = t;
}

void wait_queue_move(struct wait_queue *from, struct wait_queue *to, struct thread *t)
{
	wait_queue_remove(from, t);
	wait_queue_append(to, t);
	if (t->blocked_on)
		t->blocked_on = to;
}

/* Takes t off wq, wherever it is in it (a timed-out or selectively woken waiter). */
void wait_queue_remove(struct wait_queue *wq, struct thread *t)
{
	struct thread *prev = 0;

	for (struct thread *w = wq->head; w; prev = w, w = w->queue_next) {
		if (w != t)
			continue;
		if (prev)
			prev->queue_next = t->queue_next;
		else
			wq->head = t->queue_next;
		if (wq->tail == t)
			wq->tail = prev;
		t->queue_next = 0;
		return;
	}
}

void wait_queue_wake_all(struct wait_queue *wq)
{
	while (wait_queue_wake_one(wq))
		;
}

void mutex_init(struct mutex *m)
{
	*m = (struct mutex)MUTEX_INIT;
}

void mutex_lock(struct mutex *m)
{
	uint64_t flags = irq_save();

	if (m->owner == current)
		panic("mutex %p: recursive lock by thread %u", (void *)m, current->id);
	while (m->owner) {
		m->contended++;
		trace_mutex_contended((uint64_t)m, m->owner->id);
		wait_queue_block(&m->waiters, UNISCOPE_WAIT_MUTEX, m);
	}
	m->owner = current;
	irq_restore(flags);
}

bool mutex_trylock(struct mutex *m)
{
	uint64_t flags = irq_save();
	bool taken = !m->owner;

	if (taken)
		m->owner = current;
	irq_restore(flags);
	return taken;
}

static void mutex_release(struct mutex *m)
{
	if (m->owner != current)
		panic("mutex %p: unlocked by thread %u, not its owner", (void *)m, current->id);
	m->owner = 0;
	wait_queue_wake_one(&m->waiters);
}

void mutex_unlock(struct mutex *m)
{
	uint64_t flags = irq_save();

	mutex_release(m);
	irq_restore(flags);
}

void sem_init(struct semaphore *s, int64_t count)
{
	s->count = count;
	s->waiters = (struct wait_queue){ 0, 0 };
}

void sem_wait(struct semaphore *s)
{
	uint64_t flags = irq_save();

	while (s->count <= 0)
		wait_queue_block(&s->waiters, UNISCOPE_WAIT_SEMAPHORE, s);
	s->count--;
	irq_restore(flags);
}

void sem_post(struct semaphore *s)
{
	uint64_t flags = irq_save();

	s->count++;
	wait_queue_wake_one(&s->waiters);
	irq_restore(flags);
}

void cond_init(struct condvar *c)
{
	c->waiters = (struct wait_queue){ 0, 0 };
}

void cond_wait(struct condvar *c, struct mutex *m)
{
	uint64_t flags = irq_save();

	mutex_release(m);
	wait_queue_block(&c->waiters, UNISCOPE_WAIT_CONDVAR, c);
	irq_restore(flags);
	mutex_lock(m);
}

void cond_signal(struct condvar *c)
{
	uint64_t flags = irq_save();

	wait_queue_wake_one(&c->waiters);
	irq_restore(flags);
}

void cond_broadcast(struct condvar *c)
{
	uint64_t flags = irq_save();

	wait_queue_wake_all(&c->waiters);
	irq_restore(flags);
}

/* The exported names (libos.h): sem_* are POSIX's, the C library's. Tail calls, no frame. */
void semaphore_init(struct semaphore *s, int64_t count) { sem_init(s, count); }
void semaphore_wait(struct semaphore *s) { sem_wait(s); }
void semaphore_post(struct semaphore *s) { sem_post(s); }
