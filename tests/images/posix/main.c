/*
 * posix: an ordinary C program, one mode per syscall group (argv[1]),
 * each printing what it saw so tests/t1300-posix.sh can check it:
 * libc, threads, memory, time, files, badptr, enosys, abort, env, stdin.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define NR_WORKERS 4
#define ROUNDS 2000

static __thread int tls_counter = 7;
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;
static long shared_total;
static int ready;

static int mode_libc(void)
{
	char buf[64], *copy = strdup("alpha,beta,gamma"), *tok;
	int a = 0, b = 0, n = 0;
	double d = 0;

	fprintf(stderr, "libc: to stderr\n");
	printf("libc: %.3f %e %g\n", 3.14159, 1e-5, 2.5);
	sscanf("12 34 5.5", "%d %d %lf", &a, &b, &d);
	printf("libc: sscanf %d %d %.1f\n", a, b, d);
	for (tok = strtok(copy, ","); tok; tok = strtok(0, ","))
		n++;
	printf("libc: strtok %d tokens\n", n);
	free(copy);
	srand(42);
	snprintf(buf, sizeof(buf), "%d", rand() % 1000);
	printf("libc: rand %s\n", buf[0] ? "ok" : "empty");
	printf("libc: time %s\n", time(0) > 1600000000 ? "after 2020" : "before 2020");
	return 0;
}

static void *worker(void *arg)
{
	char name[16];

	snprintf(name, sizeof(name), "worker-%ld", (long)arg);
	pthread_setname_np(pthread_self(), name);
	tls_counter += (int)(long)arg;
	for (int i = 0; i < ROUNDS; i++) {
		pthread_mutex_lock(&queue_lock);
		shared_total++;
		if (i % 500 == 0)
			pthread_cond_broadcast(&queue_cond);
		pthread_mutex_unlock(&queue_lock);
		if (i % 100 == 0)
			sched_yield();
	}
	return (void *)(long)tls_counter;
}

static int mode_threads(void)
{
	pthread_t t[NR_WORKERS];
	struct timespec deadline;
	long sum = 0;
	sem_t sem;
	void *ret;
	int rc;

	for (long i = 0; i < NR_WORKERS; i++)
		pthread_create(&t[i], 0, worker, (void *)(i + 1));
	for (int i = 0; i < NR_WORKERS; i++) {
		pthread_join(t[i], &ret);
		sum += (long)ret;
	}
	printf("threads: total %ld (expected %d), tls sum %ld, main tls %d\n", shared_total,
	       NR_WORKERS * ROUNDS, sum, tls_counter);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += 50 * 1000 * 1000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&queue_lock);
	while (!ready && (rc = pthread_cond_timedwait(&queue_cond, &queue_lock, &deadline)) == 0)
		;
	pthread_mutex_unlock(&queue_lock);
	printf("threads: timedwait %s\n", rc == ETIMEDOUT ? "timed out" : strerror(rc));
	sem_init(&sem, 0, 1);
	sem_wait(&sem);
	printf("threads: sem %s\n", sem_trywait(&sem) == -1 && errno == EAGAIN ? "empty" : "wrong");
	return shared_total == NR_WORKERS * ROUNDS ? 0 : 1;
}

static int mode_memory(void)
{
	size_t big = 8 << 20;
	char *p = malloc(big), *m, *r;
	int ok = 1;

	for (size_t i = 0; i < big; i += 4096)
		p[i] = (char)i;
	free(p);
	m = mmap(0, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok &= m != MAP_FAILED && m[100] == 0;
	memset(m, 'x', 1 << 16);
	r = mremap(m, 1 << 16, 1 << 18, MREMAP_MAYMOVE);
	ok &= r != MAP_FAILED && r[(1 << 16) - 1] == 'x' && r[(1 << 17)] == 0;
	printf("memory: mmap/mremap %s\n", ok ? "ok" : "wrong");
	printf("memory: mprotect exec %s\n",
	       mprotect(r, 4096, PROT_READ | PROT_EXEC) == -1 && errno == EACCES ? "EACCES" : "allowed");
	printf("memory: munmap %d\n", munmap(r, 1 << 18));
	long brk0 = syscall(SYS_brk, 0), brk1 = syscall(SYS_brk, brk0 + 8192);
	printf("memory: brk %s\n", brk1 == brk0 + 8192 && ((char *)brk0)[8191] == 0 ? "grew" : "failed");
	return !ok;
}

static int mode_time(void)
{
	struct timespec a, b, sl = { 0, 20 * 1000 * 1000 };

	clock_gettime(CLOCK_MONOTONIC, &a);
	nanosleep(&sl, 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("time: slept %s\n", (b.tv_sec - a.tv_sec) * 1000000000L + b.tv_nsec - a.tv_nsec >= 20000000
	       ? "at least 20 ms" : "too little");
	printf("time: year %d\n", localtime(&(time_t){ time(0) })->tm_year + 1900);
	struct itimerval off = { 0 }, old = { .it_value = { 7, 7 } }, arm = { .it_value = { 1, 0 } };
	int disarmed = setitimer(ITIMER_REAL, &off, &old);
	printf("time: setitimer disarm %d, old %ld.%06ld\n", disarmed, (long)old.it_value.tv_sec,
	       (long)old.it_value.tv_usec);
	printf("time: setitimer arm %s\n", setitimer(ITIMER_REAL, &arm, 0) == -1 && errno == ENOSYS ? "ENOSYS" : "armed");
	return 0;
}

static int mode_files(const char *path)
{
	char buf[128];
	struct stat st;
	struct dirent *e;
	DIR *d;
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f) {
		printf("files: fopen %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(buf, sizeof(buf), f))
		printf("files: line %s", buf);
	fclose(f);
	stat(path, &st);
	printf("files: size %lld regular %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
	if ((d = opendir("/")))
		while ((e = readdir(d)))
			n++;
	printf("files: / has %d entries\n", n);
	printf("files: write %s\n", open("/new", O_WRONLY | O_CREAT, 0644) == -1 && errno == EROFS ? "EROFS" : "allowed");
	printf("files: missing %s\n", open("/no/such", O_RDONLY) == -1 && errno == ENOENT ? "ENOENT" : "found");
	return 0;
}

/* Bad pointers: each call must fail with EFAULT, never fault the libOS. */
static int mode_badptr(void)
{
	void *bad[] = { (void *)0, (void *)8, (void *)0xdead0000000ul, (void *)-4096l };
	int faults = 0, total = 0;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long r[] = {
			syscall(SYS_write, 1, bad[i], 10), syscall(SYS_read, 0, bad[i], 10),
			syscall(SYS_clock_gettime, CLOCK_MONOTONIC, bad[i]), syscall(SYS_open, bad[i], 0),
			syscall(SYS_nanosleep, bad[i], 0), syscall(SYS_futex, bad[i], 0, 0, 0, 0, 0),
			syscall(SYS_uname, bad[i]), syscall(SYS_getrandom, bad[i], 16, 0),
			syscall(SYS_writev, 1, bad[i], 1), syscall(SYS_stat, "/", bad[i]),
		};
		for (unsigned j = 0; j < sizeof(r) / sizeof(r[0]); j++, total++)
			faults += r[j] == -1 && errno == EFAULT;
	}
	printf("badptr: %d of %d calls gave EFAULT\n", faults, total);
	return faults == total ? 0 : 1;
}

static int mode_enosys(void)
{
	long r = syscall(SYS_fork);

	printf("enosys: fork %ld %s\n", r, errno == ENOSYS ? "ENOSYS" : strerror(errno));
	r = syscall(SYS_fork);
	printf("enosys: again %ld\n", r);
	return 0;
}

static int mode_env(int argc, char **argv)
{
	struct utsname u;

	for (int i = 0; i < argc; i++)
		printf("env: argv[%d]=%s\n", i, argv[i]);
	printf("env: GREETING=%s\n", getenv("GREETING") ? getenv("GREETING") : "(unset)");
	uname(&u);
	printf("env: uname %s %s, pid %d\n", u.sysname, u.machine, (int)getpid());
	return 0;
}

static int mode_stdin(void)
{
	char line[256];
	int n = 0;

	while (fgets(line, sizeof(line), stdin)) {
		printf("stdin: %d: %s", ++n, line);
		fflush(stdout);
	}
	printf("stdin: end after %d lines\n", n);
	return 0;
}

int mode_avx(void); /* avx.c */
int mode_avxsleep(void);
int mode_park(void); /* debug.c */
int mode_deadlock(const char *kind);

/* Every byte value, twice, straight to stdout: binary output survives uniscope run. */
static int mode_binary(void)
{
	unsigned char all[512];

	for (int i = 0; i < 512; i++)
		all[i] = (unsigned char)i;
	return write(1, all, sizeof(all)) == (ssize_t)sizeof(all) ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "libc";

	if (!strcmp(mode, "libc")) return mode_libc();
	if (!strcmp(mode, "threads")) return mode_threads();
	if (!strcmp(mode, "memory")) return mode_memory();
	if (!strcmp(mode, "time")) return mode_time();
	if (!strcmp(mode, "files")) return mode_files(argc > 2 ? argv[2] : "/etc/motd");
	if (!strcmp(mode, "badptr")) return mode_badptr();
	if (!strcmp(mode, "enosys")) return mode_enosys();
	if (!strcmp(mode, "abort")) abort();
	if (!strcmp(mode, "env")) return mode_env(argc, argv);
	if (!strcmp(mode, "stdin")) return mode_stdin();
	if (!strcmp(mode, "binary")) return mode_binary();
	if (!strcmp(mode, "avx")) return mode_avx();
	if (!strcmp(mode, "avxsleep")) return mode_avxsleep();
	if (!strcmp(mode, "park")) return mode_park();
	if (!strcmp(mode, "deadlock")) return mode_deadlock(argc > 2 ? argv[2] : 0);
	fprintf(stderr, "posix: unknown mode '%s'\n", mode);
	return 2;
}
