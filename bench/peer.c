/*
 * The program bench/vm.sh runs twice, unchanged: as a uniscope unikernel
 * (built with uniscope-cc) and as /init, the only file of a Linux VM's
 * initramfs (built with musl-gcc -static against the same musl). It says
 * when main is reached, then times ITERATIONS getppid() system calls, the
 * cheapest call both kernels have, and exits.
 *
 *	peer [ITERATIONS]        (default 200000)
 *
 * As Linux's /init it starts with no open files when the initramfs has no
 * /dev/console: it then mounts devtmpfs and opens the console itself. Its
 * exit ends either VM: the unikernel's exit is QEMU's (isa-debug-exit), and
 * Linux panics when init exits, which panic=-1 and -no-reboot turn into
 * QEMU's exit.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void ensure_console(void)
{
	int fd;

	if (fcntl(1, F_GETFD) >= 0)
		return;
	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, 0);
	if ((fd = open("/dev/console", O_RDWR)) < 0)
		return;
	dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[argc - 1]) : 200000;
	double start, end;

	ensure_console();
	printf("bench: main\n");
	fflush(stdout);
	if (n < 1)
		n = 1;
	start = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	end = now_ns();
	printf("bench: getppid %ld calls %.1f ns/call\n", n, (end - start) / n);
	fflush(stdout);
	return 0;
}
