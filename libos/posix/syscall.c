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
	X(clock_nanosleep, 4) X(setitimer, 3) \
	X(rt_sigaction, 4) X(rt_sigprocmask, 4) X(sigaltstack, 2) X(getrandom, 3) X(uname, 1) \
	X(getuid, 0) X(geteuid, 0) X(getgid, 0) X(getegid, 0) X(umask, 1) X(getrlimit, 2) \
	X(prlimit64, 4) X(sysinfo, 1)

#define DECLARE(name, nargs) SYSCALL_HANDLER(name);
SUPPORTED(DECLARE)

/*
 * One record per Linux syscall: its number, its name (for the unsupported
 * report) and, when the libOS implements it, its handler. Records are
 * linked only when the application's code can make their call: each sits
 * in a section of its own (.uniscope_syscalls.NR, gathered by the linker
 * script, not KEPT) under the global name uniscope_syscall_NR, and every
 * syscall site of the C library refers to its number's name (mk/musl.sh),
 * so --gc-sections keeps the records, and through them the handlers, of
 * the calls the program can reach: hello carries no file system. syscall(2)
 * can make any call: it refers to uniscope_syscall_all, which keeps them all
 * (an application making raw syscall instructions links with
 * -Wl,-u,uniscope_syscall_all). syscall_init spreads the linked records'
 * handlers into handlers[].
 */
struct syscall_record {
	syscall_fn *handler;
	uint16_t nr;
	char name[];
};

/* IS_SUPPORTED(name): 1 if SUPPORTED lists it, else 0 (the preprocessor's probe idiom). */
/* IS_SUPPORTED(name): 1 if SUPPORTED lists it, else 0 (the preprocessor's probe idiom). */
#define SECOND_(a, b, ...) b
#define SECOND(...) SECOND_(__VA_ARGS__)
#define IS_SUPPORTED(name) SECOND(SUPPORTED_##name, 0, )
#define IF_0(yes, no) no
#define IF_1(yes, no) yes
#define IF_(c) IF_##c
#define IF(c) IF_(c)
#define SUPPORTED_read ~, 1
#define SUPPORTED_write ~, 1
#define SUPPORTED_readv ~, 1
#define SUPPORTED_writev ~, 1
#define SUPPORTED_pread64 ~, 1
#define SUPPORTED_lseek ~, 1
#define SUPPORTED_ioctl ~, 1
#define SUPPORTED_open ~, 1
#define SUPPORTED_openat ~, 1
#define SUPPORTED_close ~, 1
#define SUPPORTED_fstat ~, 1
#define SUPPORTED_stat ~, 1
#define SUPPORTED_lstat ~, 1
#define SUPPORTED_newfstatat ~, 1
#define SUPPORTED_getdents64 ~, 1
#define SUPPORTED_access ~, 1
#define SUPPORTED_faccessat ~, 1
#define SUPPORTED_readlink ~, 1
#define SUPPORTED_readlinkat ~, 1
#define SUPPORTED_fcntl ~, 1
#define SUPPORTED_getcwd ~, 1
#define SUPPORTED_chdir ~, 1
#define SUPPORTED_dup ~, 1
#define SUPPORTED_dup2 ~, 1
#define SUPPORTED_dup3 ~, 1
#define SUPPORTED_brk ~, 1
#define SUPPORTED_mmap ~, 1
#define SUPPORTED_munmap ~, 1
#define SUPPORTED_mremap ~, 1
#define SUPPORTED_mprotect ~, 1
#define SUPPORTED_madvise ~, 1
#define SUPPORTED_clone ~, 1
#define SUPPORTED_exit ~, 1
#define SUPPORTED_exit_group ~, 1
#define SUPPORTED_set_tid_address ~, 1
#define SUPPORTED_futex ~, 1
#define SUPPORTED_gettid ~, 1
#define SUPPORTED_getpid ~, 1
#define SUPPORTED_getppid ~, 1
#define SUPPORTED_sched_yield ~, 1
#define SUPPORTED_tkill ~, 1
#define SUPPORTED_tgkill ~, 1
#define SUPPORTED_kill ~, 1
#define SUPPORTED_arch_prctl ~, 1
#define SUPPORTED_prctl ~, 1
#define SUPPORTED_set_robust_list ~, 1
#define SUPPORTED_sched_getaffinity ~, 1
#define SUPPORTED_clock_gettime ~, 1
#define SUPPORTED_clock_getres ~, 1
#define SUPPORTED_gettimeofday ~, 1
#define SUPPORTED_time ~, 1
#define SUPPORTED_nanosleep ~, 1
#define SUPPORTED_clock_nanosleep ~, 1
#define SUPPORTED_setitimer ~, 1
#define SUPPORTED_rt_sigaction ~, 1
#define SUPPORTED_rt_sigprocmask ~, 1
#define SUPPORTED_sigaltstack ~, 1
#define SUPPORTED_getrandom ~, 1
#define SUPPORTED_uname ~, 1
#define SUPPORTED_getuid ~, 1
#define SUPPORTED_geteuid ~, 1
#define SUPPORTED_getgid ~, 1
#define SUPPORTED_getegid ~, 1
#define SUPPORTED_umask ~, 1
#define SUPPORTED_getrlimit ~, 1
#define SUPPORTED_prlimit64 ~, 1
#define SUPPORTED_sysinfo ~, 1

#define LINUX_SYSCALL(sys, number) \
	const struct { syscall_fn *handler; uint16_t nr; char name[sizeof(#sys)]; } \
	uniscope_syscall_##number __attribute__((section(".uniscope_syscalls." #number), aligned(8))) = \
		{ IF(IS_SUPPORTED(sys))(sys_##sys, 0), number, #sys };
#include "linux_syscalls.h"
#undef LINUX_SYSCALL

/* syscall(2)'s reference: every record. */
const void *const uniscope_syscall_all[] = {
#define LINUX_SYSCALL(name, nr) &uniscope_syscall_##nr,
#include "linux_syscalls.h"
#undef LINUX_SYSCALL
};
/* The C library's dispatchers' reference (mk/musl.sh): keeps nothing. */
__asm__(".globl uniscope_syscall_dynamic\n.set uniscope_syscall_dynamic, 0");

/* The handlers the libOS has, linked or not: the report says which. */
static const uint16_t implemented[] = {
#define NUMBER(name, nargs) SYS_##name,
	SUPPORTED(NUMBER)
#undef NUMBER
};
extern const char _syscalls_start[], _syscalls_end[];

/* The linked records, in turn: NULL after the last. */
static const struct syscall_record *next_record(const struct syscall_record *rec)
{
	const char *p = rec ? (const char *)(rec->name + strlen(rec->name) + 1) : _syscalls_start;

	p = (const char *)(((uintptr_t)p + 7) & ~(uintptr_t)7);
	return p + sizeof(struct syscall_record) <= _syscalls_end ? (const struct syscall_record *)p : 0;
}

static syscall_fn *handlers[SYS_NR_MAX];
static uint64_t reported[SYS_NR_MAX / 64];

void syscall_init(void)
{
	for (const struct syscall_record *rec = next_record(0); rec; rec = next_record(rec))
		if (rec->handler && rec->nr < SYS_NR_MAX)
			handlers[rec->nr] = rec->handler;
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
	for (const struct syscall_record *rec = next_record(0); rec; rec = next_record(rec))
		if (rec->nr == nr)
			return rec->name;
	return 0;
}

static bool implemented_but_not_linked(uint64_t nr)
{
	for (size_t i = 0; i < sizeof(implemented) / sizeof(implemented[0]); i++)
		if (implemented[i] == nr)
			return true;
	return false;
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
		char what[112];
		const char *name = syscall_name(nr);
		reported[nr / 64] |= 1ull << (nr % 64);
		if (implemented_but_not_linked(nr))
			snprintf(what, sizeof(what), "syscall %llu, not linked (link with -Wl,-u,uniscope_syscall_all)",
				 (unsigned long long)nr);
		else if (name)
			snprintf(what, sizeof(what), "syscall %s, which returns -ENOSYS", name);
		else
			snprintf(what, sizeof(what), "syscall %llu, which returns -ENOSYS", (unsigned long long)nr);
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
