/*
 * The rest of a process's calls: signals (recorded, never delivered: a
 * signal sent to the process is the end of it, a panic that names it),
 * identity, limits, randomness, the system's name, prctl(PR_SET_NAME).
 */
#include <string.h>
#include "posix.h"
#include "fd.h"
#include "arch/x86_64/cpu.h"

#define RLIMIT_STACK 3
#define RLIMIT_NOFILE 7
#define RLIM_INFINITY (~0ull)
#define SIGACTION_SIZE 32 /* the kernel's struct k_sigaction: handler, flags, restorer, mask */

static uint8_t sigactions[LINUX_NSIG][SIGACTION_SIZE];
static uint64_t sigmask; /* one for the process: nothing is delivered anyway */
static uint32_t file_mode_mask = 022;

static const char *const signal_names[32] = {
	0, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
	"SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
	"SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
	"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
};

SYSCALL_HANDLER(rt_sigaction)
{
	uint64_t sig = args->a[0], act = args->a[1], old = args->a[2];
	uint8_t next[SIGACTION_SIZE];

	if (sig == 0 || sig >= LINUX_NSIG || sig == 9 || sig == 19 || args->a[3] != 8)
		return -LINUX_EINVAL;
	if (act && copy_from_user(next, act, sizeof(next)) < 0)
		return -LINUX_EFAULT;
	if (old && copy_to_user(old, sigactions[sig], sizeof(sigactions[sig])) < 0)
		return -LINUX_EFAULT;
	if (act)
		memcpy(sigactions[sig], next, sizeof(next));
	return 0;
}

SYSCALL_HANDLER(rt_sigprocmask)
{
	uint64_t how = args->a[0], set = args->a[1], old = args->a[2], mask;

	if (args->a[3] != 8)
		return -LINUX_EINVAL;
	if (old && copy_to_user(old, &sigmask, sizeof(sigmask)) < 0)
		return -LINUX_EFAULT;
	if (!set)
		return 0;
	if (copy_from_user(&mask, set, sizeof(mask)) < 0)
		return -LINUX_EFAULT;
	switch (how) {
	case 0: sigmask |= mask; return 0;  /* SIG_BLOCK */
	case 1: sigmask &= ~mask; return 0; /* SIG_UNBLOCK */
	case 2: sigmask = mask; return 0;   /* SIG_SETMASK */
	default: return -LINUX_EINVAL;
	}
}

SYSCALL_HANDLER(sigaltstack)
{
	(void)args;
	return 0;
}

/* A signal sent to a thread of the process: no handler ever runs, so it ends the image. */
static int64_t signal_thread(uint64_t tid, uint64_t sig)
{
	if (sig >= LINUX_NSIG)
		return -LINUX_EINVAL;
	if (!sig)
		return 0; /* "does it exist" */
	panic_signal((int)sig, "signal %s (%llu) sent to thread %llu by thread %u '%s'",
		     sig < 32 && signal_names[sig] ? signal_names[sig] : "SIGRT", (unsigned long long)sig,
		     (unsigned long long)tid, current->id, current->name);
}

SYSCALL_HANDLER(tkill) { return signal_thread(args->a[0], args->a[1]); }
SYSCALL_HANDLER(tgkill) { return signal_thread(args->a[1], args->a[2]); }
SYSCALL_HANDLER(kill)
{
	int64_t pid = (int64_t)args->a[0];

	if (pid != 1 && pid != 0 && pid != -1)
		return -LINUX_ESRCH;
	return signal_thread(1, args->a[1]);
}

SYSCALL_HANDLER(prctl)
{
	char name[16];
	uint64_t option = args->a[0];
	int64_t n;

	if (option == PR_SET_NAME) {
		if ((n = copy_string_from_user(name, args->a[1], sizeof(name))) == -LINUX_EFAULT)
			return n;
		name[sizeof(name) - 1] = 0; /* longer names are cut, as Linux does */
		thread_rename(current, name, strlen(name));
		return 0;
	}
	if (option == PR_GET_NAME) {
		memset(name, 0, sizeof(name));
		memcpy(name, current->name, strnlen(current->name, sizeof(name) - 1));
		return copy_to_user(args->a[1], name, sizeof(name));
	}
	posix_unsupported("prctl option", option);
	return -LINUX_EINVAL;
}

static bool has_rdrand(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	return (r[2] >> 30) & 1;
}

static uint64_t random_u64(void)
{
	static uint64_t state;
	uint64_t v;

	if (has_rdrand()) {
		for (int i = 0; i < 10; i++) {
			unsigned char ok;
			__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
			if (ok)
				return v;
		}
	}
	state += 0x9e3779b97f4a7c15ull ^ rdtsc(); /* splitmix64 over the TSC */
	v = state;
	v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ull;
	v = (v ^ (v >> 27)) * 0x94d049bb133111ebull;
	return v ^ (v >> 31);
}

SYSCALL_HANDLER(getrandom)
{
	uint64_t buf = args->a[0], len = args->a[1];

	if (len > (1u << 25))
		len = 1u << 25;
	if (!user_ok(buf, len, true))
		return -LINUX_EFAULT;
	for (uint64_t done = 0; done < len; done += 8) {
		uint64_t v = random_u64();
		memcpy((void *)(buf + done), &v, len - done < 8 ? len - done : 8);
	}
	return (int64_t)len;
}

SYSCALL_HANDLER(uname)
{
	struct linux_utsname u;

	memset(&u, 0, sizeof(u));
	strcpy(u.sysname, "Linux");   /* the ABI it speaks: programs test for it */
	strcpy(u.nodename, "uniscope");
	strcpy(u.release, "6.1.0-uniscope");
	strcpy(u.version, "uniscope libOS");
	strcpy(u.machine, "x86_64");
	return copy_to_user(args->a[0], &u, sizeof(u));
}

SYSCALL_HANDLER(getuid) { (void)args; return 0; }
SYSCALL_HANDLER(geteuid) { (void)args; return 0; }
SYSCALL_HANDLER(getgid) { (void)args; return 0; }
SYSCALL_HANDLER(getegid) { (void)args; return 0; }

SYSCALL_HANDLER(umask)
{
	uint32_t old = file_mode_mask;

	file_mode_mask = (uint32_t)args->a[0] & 0777;
	return old;
}

static void limit_of(uint64_t resource, uint64_t out[2])
{
	out[0] = out[1] = RLIM_INFINITY;
	if (resource == RLIMIT_STACK)
		out[0] = out[1] = 1024 * 1024;
	else if (resource == RLIMIT_NOFILE)
		out[0] = out[1] = FD_MAX;
}

SYSCALL_HANDLER(getrlimit)
{
	uint64_t lim[2];

	limit_of(args->a[0], lim);
	return copy_to_user(args->a[1], lim, sizeof(lim));
}

SYSCALL_HANDLER(prlimit64)
{
	uint64_t lim[2];

	if (args->a[0] != 0 && args->a[0] != 1)
		return -LINUX_ESRCH;
	limit_of(args->a[1], lim);
	if (args->a[3] && copy_to_user(args->a[3], lim, sizeof(lim)) < 0)
		return -LINUX_EFAULT;
	return 0; /* new limits are accepted and not enforced */
}

SYSCALL_HANDLER(sysinfo)
{
	struct {
		int64_t uptime;
		uint64_t loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
		uint16_t procs, pad;
		uint64_t totalhigh, freehigh;
		uint32_t mem_unit;
		char reserved[4];
	} info;

	memset(&info, 0, sizeof(info));
	info.uptime = (int64_t)(clock_ns() / 1000000000ull);
	info.totalram = heap_stats.pages_total * PAGE_SIZE;
	info.freeram = heap_stats.pages_free * PAGE_SIZE;
	info.procs = 1;
	info.mem_unit = 1;
	return copy_to_user(args->a[0], &info, sizeof(info));
}
