/*
 * System-call dispatch: the Linux x86-64 numbers to the handlers of
 * libos/posix/, each a trace event pair (sys_enter with the number and
 * arguments, sys_exit with the result and errno), so that `uniscope trace`
 * is an strace of the unikernel; the events switch on and off at run time
 * like every other (trace_mask, the control channel).
 *
 * A syscall the libOS does not implement returns -ENOSYS, and says so once,
 * by name, on the console and as a sys_unsupported trace event: nothing
 * fails silently. The names come from the C library's own list of numbers
 * (gen/linux_syscalls.h, made from musl's bits/syscall.h at build time).
 *
 * Handlers run with interrupts on, on the caller's stack below its red
 * zone (syscall.S); they may block. They never touch FPU/SSE state (the
 * libOS core is built -mgeneral-regs-only), so the caller's survives.
 */
#include <stdio.h>
#include <string.h>
#include "posix.h"
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "kern/trace.h"

#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_FMASK 0xc0000084u
#define EFER_SCE 1ull
#define RFLAGS_DF (1ul << 10)
#define RFLAGS_AC (1ul << 18)

/* The handlers (one file per group). */
#define SUPPORTED(X) \
	X(read, 3) X(write, 3) X(readv, 3) X(writev, 3) X(pread64, 4) X(lseek, 3) X(ioctl, 3) \
	X(open, 3) X(openat, 4) X(close, 1) X(fstat, 2) X(stat, 2) X(lstat, 2) X(newfstatat, 4) \
	X(getdents64, 3) X(access, 2) X(faccessat, 3) X(readlink, 3) X(readlinkat, 4) X(fcntl, 3) \
	X(getcwd, 2) X(chdir, 1) X(dup, 1) X(dup2, 2) X(dup3, 3) \
	X(brk, 1) X(mmap, 6) X(munmap, 2) X(mremap, 5) X(mprotect, 3) X(madvise, 3) \
	X(clone, 5) X(exit, 1) X(exit_group, 1) X(set_tid_address, 1) X(futex, 6) \
	X(gettid, 0) X(getpid, 0) X(getppid, 0) X(sched_yield, 0) X(tkill, 2) X(tgkill, 3) \
	X(kill, 2) X(arch_prctl, 2) X(prctl, 5) X(set_robust_list, 2) X(sched_getaffinity, 3) \
	X(clock_gettime, 2) X(clock_getres, 2) X(gettimeofday, 2) X(time, 1) X(nanosleep, 2) \
	X(clock_nanosleep, 4) \
	X(rt_sigaction, 4) X(rt_sigprocmask, 4) X(sigaltstack, 2) X(getrandom, 3) X(uname, 1) \
	X(getuid, 0) X(geteuid, 0) X(getgid, 0) X(getegid, 0) X(umask, 1) X(getrlimit, 2) \
	X(prlimit64, 4) X(sysinfo, 1)

#define DECLARE(name, nargs) SYSCALL_HANDLER(name);
SUPPORTED(DECLARE)

/*
 * Every syscall's name, for the unsupported report: one packed string
 * table in number order (a struct of char arrays has no padding), found by
 * a walk, which only the first use of an unsupported call takes. The trace
 * carries numbers; host tools name them.
 */
static const struct syscall_names {
#define LINUX_SYSCALL(name, nr) char name[sizeof(#name)];
#include "linux_syscalls.h"
#undef LINUX_SYSCALL
	char end;
} syscall_names = {
#define LINUX_SYSCALL(name, nr) #name,
#include "linux_syscalls.h"
#undef LINUX_SYSCALL
	0,
};
static const uint16_t syscall_numbers[] = {
#define LINUX_SYSCALL(name, nr) nr,
#include "linux_syscalls.h"
#undef LINUX_SYSCALL
};

/* The handlers, listed by number; syscall_init spreads them into handlers[]. */
static const struct syscall_handler {
	uint16_t nr;
	syscall_fn *handler;
} supported[] = {
#define HANDLER(name, nargs) { SYS_##name, sys_##name },
	SUPPORTED(HANDLER)
#undef HANDLER
};
static syscall_fn *handlers[SYS_NR_MAX];
static uint64_t reported[SYS_NR_MAX / 64];

void syscall_init(void)
{
	for (size_t i = 0; i < sizeof(supported) / sizeof(supported[0]); i++)
		handlers[supported[i].nr] = supported[i].handler;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, (uint64_t)0x08 << 32); /* syscall: cs 0x08, ss 0x10 */
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC);
}

/* A module's syscalls (kern/module.h) exist only when the module is linked: it registers them at boot. */
void syscall_register(uint64_t nr, syscall_fn *handler)
{
	if (nr < SYS_NR_MAX)
		handlers[nr] = handler;
}

static const char *syscall_name(uint64_t nr)
{
	const char *name = (const char *)&syscall_names;

	for (size_t i = 0; i < sizeof(syscall_numbers) / sizeof(syscall_numbers[0]); i++) {
		if (syscall_numbers[i] == nr)
			return name;
		name += strlen(name) + 1;
	}
	return "unknown";
}

static void report_unsupported(const char *what, uint64_t detail)
{
	kprintf("uniscope: not supported by the libOS: %s (%#llx), in thread %u '%s'\n",
		what, (unsigned long long)detail, current->id, current->name);
	trace_sys_unsupported(what, detail);
}

/* Once per (what, detail): on the console, in the trace. */
void posix_unsupported(const char *what, uint64_t detail)
{
	static struct seen { const char *what; uint64_t detail; } seen[32];
	static unsigned nr_seen;

	for (unsigned i = 0; i < nr_seen; i++)
		if (seen[i].what == what && seen[i].detail == detail)
			return;
	if (nr_seen < sizeof(seen) / sizeof(seen[0]))
		seen[nr_seen++] = (struct seen){ what, detail };
	report_unsupported(what, detail);
}

static int64_t unsupported(uint64_t nr)
{
	if (nr >= SYS_NR_MAX) {
		report_unsupported("syscall number out of range, which returns -ENOSYS", nr);
		return -LINUX_ENOSYS;
	}
	if (!(reported[nr / 64] & (1ull << (nr % 64)))) {
		char what[48];
		reported[nr / 64] |= 1ull << (nr % 64);
		snprintf(what, sizeof(what), "syscall %s, which returns -ENOSYS", syscall_name(nr));
		report_unsupported(what, nr);
	}
	return -LINUX_ENOSYS;
}

int64_t syscall_dispatch(trap_frame_t *frame)
{
	struct syscall_args args = {
		.a = { frame->rdi, frame->rsi, frame->rdx, frame->r10, frame->r8, frame->r9 },
		.frame = frame,
	};
	uint64_t nr = frame->rax;
	int64_t ret;

	irq_enable();
	trace_sys_enter(nr, args.a[0], args.a[1], args.a[2], args.a[3], args.a[4]);
	ret = nr < SYS_NR_MAX && handlers[nr] ? handlers[nr](&args) : unsupported(nr);
	trace_sys_exit(nr, ret, ret < 0 && ret > -4096 ? (uint64_t)-ret : 0);
	frame->rax = (uint64_t)ret;
	return ret;
}
