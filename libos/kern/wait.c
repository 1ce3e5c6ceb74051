/*
 * Wait queues and the primitives built on them: mutexes, semaphores and
 * condition variables. A wait queue is a FIFO of blocked threads linked
 * through thread->queue_next; interrupts disabled is the lock.
 */
#include "kern.h"
#include "arch/x86_64/cpu.h"
#include "trace.h"

void wait_queue_block(struct wait_queue *wq, uint32_t reason, const void *object)
{
	current->queue_next = 0;
	if (wq->tail)
		wq->tail->queue_next = current;
	else
		wq->head = current;
	wq->tail = current;
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
	sched_make_runnable(t);
	return t;
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
