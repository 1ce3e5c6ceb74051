/*
 * Clocks and sleeping. CLOCK_MONOTONIC is the libOS clock (clock_ns: the
 * TSC since boot); CLOCK_REALTIME adds the wall time the host gave at boot
 * (the platform's wall clock: the CMOS RTC under QEMU, the shared-info
 * wall clock under Xen). The CPU-time clocks come from the scheduler's
 * accounting.
 */
#include "posix.h"
#include "plat/plat.h"

#define NS_PER_S 1000000000ull

static uint64_t wall_offset_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC, in ns */
static bool wall_known;

uint64_t wall_clock_offset_ns(void)
{
	if (!wall_known) {
		uint64_t wall = plat->wall_clock_ns ? plat->wall_clock_ns() : 0;
		uint64_t now = clock_ns();
		wall_offset_ns = wall > now ? wall - now : 0;
		wall_known = true;
	}
	return wall_offset_ns;
}

static uint64_t thread_cpu_ns(const struct thread *t, uint64_t now)
{
	uint64_t ns = t->cpu_ns;

	if (t == current && now > t->on_cpu_since_ns)
		ns += now - t->on_cpu_since_ns;
	return ns;
}

/* Every thread but idle's, bounded like every walk of the thread list. */
static uint64_t process_cpu_ns(uint64_t now)
{
	uint64_t ns = 0, n = 0;

	for (struct thread *t = thread_list; t && n < UNISCOPE_MAX_THREADS; t = t->next_all, n++)
		if (t->fn || t->user)
			ns += thread_cpu_ns(t, now);
	return ns;
}

static int clock_read_ns(uint64_t clock, uint64_t *ns)
{
	uint64_t now = clock_ns();

	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE: *ns = now + wall_clock_offset_ns(); return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME: *ns = now; return 0;
	case CLOCK_PROCESS_CPUTIME_ID: *ns = process_cpu_ns(now); return 0;
	case CLOCK_THREAD_CPUTIME_ID: *ns = thread_cpu_ns(current, now); return 0;
	default: return -LINUX_EINVAL;
	}
}

static struct linux_timespec timespec_of(uint64_t ns)
{
	return (struct linux_timespec){ (int64_t)(ns / NS_PER_S), (int64_t)(ns % NS_PER_S) };
}

SYSCALL_HANDLER(clock_gettime)
{
	struct linux_timespec ts;
	uint64_t ns;
	int err = clock_read_ns(args->a[0], &ns);

	if (err)
		return err;
	ts = timespec_of(ns);
	return copy_to_user(args->a[1], &ts, sizeof(ts));
}

SYSCALL_HANDLER(clock_getres)
{
	struct linux_timespec res = { 0, 1 };
	uint64_t ns;
	int err = clock_read_ns(args->a[0], &ns);

	if (err)
		return err;
	return args->a[1] ? copy_to_user(args->a[1], &res, sizeof(res)) : 0;
}

SYSCALL_HANDLER(gettimeofday)
{
	uint64_t ns = clock_ns() + wall_clock_offset_ns();
	struct linux_timeval tv = { (int64_t)(ns / NS_PER_S), (int64_t)(ns % NS_PER_S / 1000) };

	return args->a[0] ? copy_to_user(args->a[0], &tv, sizeof(tv)) : 0;
}

SYSCALL_HANDLER(time)
{
	int64_t t = (int64_t)((clock_ns() + wall_clock_offset_ns()) / NS_PER_S);

	if (args->a[0] && copy_to_user(args->a[0], &t, sizeof(t)) < 0)
		return -LINUX_EFAULT;
	return t;
}

static int read_timespec_ns(uint64_t uts, uint64_t *ns)
{
	struct linux_timespec ts;

	if (copy_from_user(&ts, uts, sizeof(ts)) < 0)
		return -LINUX_EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NS_PER_S)
		return -LINUX_EINVAL;
	*ns = (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
	return 0;
}

SYSCALL_HANDLER(nanosleep)
{
	uint64_t ns;
	int err = read_timespec_ns(args->a[0], &ns);

	if (err)
		return err;
	if (ns)
		sleep_ns(ns);
	return 0; /* no signals are delivered: never interrupted, *rem untouched */
}

SYSCALL_HANDLER(clock_nanosleep)
{
	uint64_t clock = args->a[0], flags = args->a[1], ns, now;
	int err = clock_read_ns(clock, &now);

	if (err)
		return err;
	if (clock == CLOCK_THREAD_CPUTIME_ID || clock == CLOCK_PROCESS_CPUTIME_ID)
		return -LINUX_EINVAL;
	if ((err = read_timespec_ns(args->a[2], &ns)))
		return err;
	if (flags & TIMER_ABSTIME)
		ns = ns > now ? ns - now : 0;
	if (ns)
		sleep_ns(ns);
	return 0;
}

/*
 * Interval timers: the libOS delivers no signals, so it arms none; but a
 * program that disarms one (Redis turns its watchdog's SIGALRM off at
 * start) is told the truth: success, and the old timer was unarmed.
 * Arming one is reported once and fails with -ENOSYS.
 */
SYSCALL_HANDLER(setitimer)
{
	struct linux_itimerval new_value, unarmed = { 0 };

	if (args->a[0] > 2)
		return -LINUX_EINVAL;
	if (copy_from_user(&new_value, args->a[1], sizeof(new_value)) < 0)
		return -LINUX_EFAULT;
	if (new_value.it_value.tv_sec || new_value.it_value.tv_usec) {
		posix_unsupported("setitimer arming a timer (no signals are delivered), which returns -ENOSYS",
				  args->a[0]);
		return -LINUX_ENOSYS;
	}
	if (args->a[2] && copy_to_user(args->a[2], &unarmed, sizeof(unarmed)) < 0)
		return -LINUX_EFAULT;
	return 0;
}
