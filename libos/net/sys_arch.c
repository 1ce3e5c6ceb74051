/*
 * lwIP's operating system (NO_SYS=0) on the libOS: semaphores, mutexes and
 * mailboxes on wait queues, threads as libOS threads, the clock, and the
 * lightweight protection (interrupts off; the libOS runs on one CPU).
 *
 * A thread blocked in lwIP waits with reason "net" (UNISCOPE_WAIT_NET) on
 * the semaphore or mailbox, so `uniscope ps` and GDB show the server
 * threads waiting for the network and on what: a netconn's receive or
 * accept mailbox, its operation semaphore. The core lock is a libOS mutex,
 * so contention on it shows as a mutex wait (and a mutex_contended event).
 *
 * Mailbox posts never sleep in an interrupt: the driver's interrupt uses
 * only tcpip_try_callback, whose post is a trypost.
 */
#include <stdlib.h>
#include <string.h>
#include "kern/kern.h"
#include "arch/x86_64/cpu.h"
#include "lwip/sys.h"
#include "lwip/err.h"

#define NS_PER_MS 1000000ull

void sys_init(void)
{
}

u32_t sys_now(void)
{
	return (u32_t)(clock_ns() / NS_PER_MS);
}

uint32_t lwip_port_rand(void)
{
	static uint64_t state;
	uint64_t x;

	if (!state)
		state = rdtsc() | 1;
	x = state;
	x ^= x << 13, x ^= x >> 7, x ^= x << 17;
	state = x;
	return (uint32_t)(x >> 16);
}

sys_prot_t sys_arch_protect(void)
{
	return irq_save();
}

void sys_arch_unprotect(sys_prot_t flags)
{
	irq_restore(flags);
}

/* Blocks on wq for at most timeout_ms (0: forever); false when the time ran out. */
static bool wait_for(struct wait_queue *wq, const void *object, u32_t timeout_ms)
{
	uint64_t deadline = timeout_ms ? clock_ns() + timeout_ms * NS_PER_MS : 0;

	return wait_queue_block_until(wq, UNISCOPE_WAIT_NET, object, deadline) == 0;
}

err_t sys_sem_new(sys_sem_t *sem, u8_t count)
{
	*sem = (sys_sem_t){ .count = count, .valid = true };
	return ERR_OK;
}

void sys_sem_signal(sys_sem_t *sem)
{
	uint64_t flags = irq_save();

	sem->count++;
	wait_queue_wake_one(&sem->waiters);
	irq_restore(flags);
}

u32_t sys_arch_sem_wait(sys_sem_t *sem, u32_t timeout)
{
	uint64_t flags = irq_save(), start = clock_ns();
	u32_t waited = 0;

	while (sem->count <= 0) {
		if (!wait_for(&sem->waiters, sem, timeout ? timeout - waited : 0)) {
			irq_restore(flags);
			return SYS_ARCH_TIMEOUT;
		}
		waited = (u32_t)((clock_ns() - start) / NS_PER_MS);
		if (timeout && waited >= timeout && sem->count <= 0) {
			irq_restore(flags);
			return SYS_ARCH_TIMEOUT;
		}
	}
	sem->count--;
	irq_restore(flags);
	return (u32_t)((clock_ns() - start) / NS_PER_MS);
}

void sys_sem_free(sys_sem_t *sem)
{
	sem->valid = false;
}

int sys_sem_valid(sys_sem_t *sem)
{
	return sem->valid;
}

void sys_sem_set_invalid(sys_sem_t *sem)
{
	sem->valid = false;
}

err_t sys_mutex_new(sys_mutex_t *m)
{
	mutex_init(&m->mutex);
	m->valid = true;
	return ERR_OK;
}

void sys_mutex_lock(sys_mutex_t *m)
{
	mutex_lock(&m->mutex);
}

void sys_mutex_unlock(sys_mutex_t *m)
{
	mutex_unlock(&m->mutex);
}

void sys_mutex_free(sys_mutex_t *m)
{
	m->valid = false;
}

int sys_mutex_valid(sys_mutex_t *m)
{
	return m->valid;
}

void sys_mutex_set_invalid(sys_mutex_t *m)
{
	m->valid = false;
}

err_t sys_mbox_new(sys_mbox_t *mbox, int size)
{
	*mbox = (sys_mbox_t){ 0 };
	if (size <= 0)
		size = 64;
	mbox->ring = malloc((size_t)size * sizeof(void *));
	if (!mbox->ring)
		return ERR_MEM;
	mbox->size = (uint32_t)size;
	return ERR_OK;
}

/* Interrupts are off. */
static void mbox_put(sys_mbox_t *mbox, void *msg)
{
	mbox->ring[(mbox->head + mbox->count) % mbox->size] = msg;
	mbox->count++;
	wait_queue_wake_one(&mbox->readers);
}

void sys_mbox_post(sys_mbox_t *mbox, void *msg)
{
	uint64_t flags = irq_save();

	while (mbox->count == mbox->size)
		wait_for(&mbox->writers, mbox, 0);
	mbox_put(mbox, msg);
	irq_restore(flags);
}

err_t sys_mbox_trypost(sys_mbox_t *mbox, void *msg)
{
	uint64_t flags = irq_save();
	err_t err = ERR_MEM;

	if (mbox->count < mbox->size) {
		mbox_put(mbox, msg);
		err = ERR_OK;
	}
	irq_restore(flags);
	return err;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *mbox, void *msg)
{
	return sys_mbox_trypost(mbox, msg);
}

static void mbox_take(sys_mbox_t *mbox, void **msg)
{
	void *m = mbox->ring[mbox->head];

	mbox->head = (mbox->head + 1) % mbox->size;
	mbox->count--;
	if (msg)
		*msg = m;
	wait_queue_wake_one(&mbox->writers);
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *mbox, void **msg, u32_t timeout)
{
	uint64_t flags = irq_save(), start = clock_ns(), deadline = timeout ? start + timeout * NS_PER_MS : 0;

	while (!mbox->count) {
		if (wait_queue_block_until(&mbox->readers, UNISCOPE_WAIT_NET, mbox, deadline) < 0 ||
		    (deadline && clock_ns() >= deadline && !mbox->count)) {
			irq_restore(flags);
			return SYS_ARCH_TIMEOUT;
		}
	}
	mbox_take(mbox, msg);
	irq_restore(flags);
	return (u32_t)((clock_ns() - start) / NS_PER_MS);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *mbox, void **msg)
{
	uint64_t flags = irq_save();
	u32_t ret = SYS_MBOX_EMPTY;

	if (mbox->count) {
		mbox_take(mbox, msg);
		ret = 0;
	}
	irq_restore(flags);
	return ret;
}

void sys_mbox_free(sys_mbox_t *mbox)
{
	free(mbox->ring);
	mbox->ring = 0;
}

int sys_mbox_valid(sys_mbox_t *mbox)
{
	return mbox->ring != 0;
}

void sys_mbox_set_invalid(sys_mbox_t *mbox)
{
	mbox->ring = 0;
}

/* The number of messages waiting (the socket layer's readiness check). */
uint32_t sys_mbox_count(sys_mbox_t *mbox)
{
	return mbox->ring ? mbox->count : 0;
}

struct thread_start {
	lwip_thread_fn fn;
	void *arg;
};

static void *thread_main(void *arg)
{
	struct thread_start start = *(struct thread_start *)arg;

	free(arg);
	start.fn(start.arg);
	return 0;
}

sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg, int stacksize, int prio)
{
	struct thread_start *start = malloc(sizeof(*start));
	struct thread *t;

	(void)stacksize; /* every libOS thread has STACK_SIZE */
	(void)prio;      /* one priority: round robin */
	if (!start)
		panic("lwIP: no memory for thread '%s'", name);
	*start = (struct thread_start){ fn, arg };
	t = thread_create(name, thread_main, start);
	if (!t)
		panic("lwIP: cannot create thread '%s'", name);
	return t;
}
