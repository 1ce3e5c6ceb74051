/*
 * Setting a session up and tearing it down: its directory, the sockets we
 * serve (the channel for QEMU's serial port, the GDB bridge), and QEMU.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "run.h"
#include "record.h"

#define MAX_QEMU_ARGS (56 + RUN_RR_QEMU_ARGS + RUN_MAX_EXTRA_ARGS)

uint64_t run_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void write_all_fd(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static int open_session_file(struct run_state *rs, const char *file, int flags)
{
	char path[SESSION_PATH_MAX + 32];

	session_path(&rs->session, file, path, sizeof(path));
	return open(path, flags | O_CLOEXEC, 0600);
}

/*
 * The serial line is a pair of FIFOs (QEMU's pipe chardev): a byte-at-a-time
 * UART costs QEMU one write per byte, and a FIFO takes it twice as fast as a
 * socket. Both ends are opened read-write so neither side blocks on open.
 */
static int open_serial_pipes(struct run_state *rs)
{
	char in[SESSION_PATH_MAX + 32], out[SESSION_PATH_MAX + 32];

	session_path(&rs->session, "serial.in", in, sizeof(in));
	session_path(&rs->session, "serial.out", out, sizeof(out));
	if (mkfifo(in, 0600) < 0 || mkfifo(out, 0600) < 0)
		return cli_error("cannot create the serial FIFOs in '%s': %s", rs->session.dir, strerror(errno));
	rs->serial_fd = open(out, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	rs->serial_tx_fd = open(in, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (rs->serial_fd < 0 || rs->serial_tx_fd < 0)
		return cli_error("cannot open the serial FIFOs in '%s': %s", rs->session.dir, strerror(errno));
	return 0;
}

int run_session_create(struct run_state *rs)
{
	char root[SESSION_PATH_MAX - SESSION_NAME_MAX - 1], path[SESSION_PATH_MAX + 32];
	struct session *s = &rs->session;
	struct us_error *err;

	s->pid = getpid(); /* after --detach forked: the process that stays */
	rs->serial_fd = rs->serial_tx_fd = rs->gdb_client_fd = rs->trace_fd = -1;
	rs->gdb_listen_fd[0] = rs->gdb_listen_fd[1] = -1;
	if ((err = session_root(root, sizeof(root), 1))) {
		cli_error("%s", err->message);
		us_error_destroy(err);
		return 1;
	}
	snprintf(s->dir, sizeof(s->dir), "%s/%s", root, s->name);
	run_session_remove(rs); /* a stale session of the same name */
	if (mkdir(s->dir, 0700) < 0)
		return cli_error("cannot create '%s': %s", s->dir, strerror(errno));
	rs->console_log_fd = open_session_file(rs, "console.log", O_WRONLY | O_CREAT | O_TRUNC);
	/* Under Xen the serial line is the domain's console pty (run_xen.c). */
	if (rs->console_log_fd < 0 || (!rs->opt.xen && open_serial_pipes(rs)))
		return 1;
	session_path(s, "gdb.sock", path, sizeof(path));
	if (cli_listen_unix(path, &rs->gdb_listen_fd[0]))
		return 1;
	if (rs->opt.gdb_addr && cli_listen(rs->opt.gdb_addr, &rs->gdb_listen_fd[1]))
		return 1;
	if (rs->opt.trace_file) {
		rs->trace_fd = open(rs->opt.trace_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (rs->trace_fd < 0)
			return cli_error("cannot write '%s': %s", rs->opt.trace_file, strerror(errno));
	}
	return 0;
}

void run_session_remove(struct run_state *rs)
{
	if (!rs->session.dir[0] || rs->keep_session_dir)
		return;
	session_remove_dir(&rs->session);
}

/*
 * /dev/kvm opening is not enough: nested or sandboxed KVMs exist that abort
 * QEMU at vCPU setup. So a paused QEMU with -cpu host is started and told
 * to quit; only a clean exit (~50 ms) makes KVM the default.
 */
static bool kvm_usable(void)
{
	static const char qmp[] = "{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"quit\"}\n";
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), pipefd[2], status = -1;
	pid_t pid;

	if (fd < 0)
		return false;
	close(fd);
	if (pipe2(pipefd, O_CLOEXEC) < 0 || (pid = fork()) < 0)
		return false;
	if (pid == 0) {
		int null_fd = open("/dev/null", O_WRONLY);
		dup2(pipefd[0], 0);
		dup2(null_fd, 1);
		dup2(null_fd, 2);
		execlp("qemu-system-x86_64", "qemu-system-x86_64", "-machine", "microvm", "-accel", "kvm",
		       "-cpu", "host", "-m", "16", "-display", "none", "-nodefaults", "-S", "-qmp", "stdio",
		       (char *)0);
		_exit(127);
	}
	close(pipefd[0]);
	write_all_fd(pipefd[1], qmp, sizeof(qmp) - 1);
	close(pipefd[1]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void build_qemu_args(struct run_state *rs, const char **argv, char bufs[][SESSION_PATH_MAX + 128],
			    char *netdev, size_t netdev_cap)
{
	struct session *s = &rs->session;
	bool kvm = !rs->rr && (rs->opt.accel ? !strcmp(rs->opt.accel, "kvm") : kvm_usable());
	bool replay = rs->rr && rs->rr->mode == RUN_RR_REPLAY;
	int n = 0, b = 0;

	/* ls shows a recording or a replay as such; both are TCG. */
	snprintf(s->accel, sizeof(s->accel), "%s", !rs->rr ? (kvm ? "kvm" : "tcg") :
		 replay ? "replay" : "record");
	argv[n++] = "qemu-system-x86_64";
	argv[n++] = "-machine";
	argv[n++] = "microvm,memory-backend=mem";
	argv[n++] = "-accel";
	argv[n++] = kvm ? "kvm" : "tcg";
	argv[n++] = "-cpu";
	argv[n++] = kvm ? "host" : "max";
	argv[n++] = "-m";
	snprintf(bufs[b], sizeof(bufs[b]), "%llu", (unsigned long long)(s->mem_size >> 20));
	argv[n++] = bufs[b++];
	argv[n++] = "-object";
	snprintf(bufs[b], sizeof(bufs[b]), "memory-backend-file,id=mem,size=%llu,mem-path=%s/mem,share=on",
		 (unsigned long long)s->mem_size, s->dir);
	argv[n++] = bufs[b++];
	argv[n++] = "-nodefaults";
	argv[n++] = "-no-user-config";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-no-reboot";
	argv[n++] = "-chardev";
	/* A replay's serial input comes from the log; its output is the guest's past. */
	snprintf(bufs[b], sizeof(bufs[b]), replay ? "null,id=chan" : "pipe,id=chan,path=%s/serial",
		 s->dir);
	argv[n++] = bufs[b++];
	argv[n++] = "-serial";
	argv[n++] = "chardev:chan";
	argv[n++] = "-qmp";
	snprintf(bufs[b], sizeof(bufs[b]), "unix:%s/qmp.sock,server=on,wait=off", s->dir);
	argv[n++] = bufs[b++];
	argv[n++] = "-gdb";
	snprintf(bufs[b], sizeof(bufs[b]), "unix:%s/qemu-gdb.sock,server=on,wait=off", s->dir);
	argv[n++] = bufs[b++];
	if (rs->rr) { /* no isa-debug-exit: its exit() would end QEMU before the end is read */
		n = run_rr_qemu_args(rs, argv, n, bufs + b);
	} else {
		argv[n++] = "-device";
		argv[n++] = "isa-debug-exit,iobase=0xf4,iosize=4";
	}
	argv[n++] = "-kernel";
	argv[n++] = s->image;
	if (rs->opt.append) {
		argv[n++] = "-append";
		argv[n++] = rs->opt.append;
	}
	if (rs->rootfs_cpio[0]) {
		argv[n++] = "-initrd";
		argv[n++] = rs->rootfs_cpio;
	}
	n += run_net_qemu_args(&rs->opt, argv + n, netdev, netdev_cap);
	for (int i = 0; i < rs->opt.nr_extra; i++)
		argv[n++] = rs->opt.extra[i];
	argv[n] = 0;
}

static void exec_qemu(const char **argv, int log_fd)
{
	int null_fd = open("/dev/null", O_RDWR);

	prctl(PR_SET_PDEATHSIG, SIGKILL); /* QEMU never outlives its session */
	dup2(null_fd, 0);
	dup2(null_fd, 1);
	if (log_fd >= 0)
		dup2(log_fd, 2);
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "uniscope: cannot start %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int run_qemu_start(struct run_state *rs)
{
	const char *argv[MAX_QEMU_ARGS];
	char bufs[12][SESSION_PATH_MAX + 128], netdev[64 + 48 * RUN_MAX_PORTS];
	int log_fd = open_session_file(rs, "qemu.log", O_WRONLY | O_CREAT | O_TRUNC);

	build_qemu_args(rs, argv, bufs, netdev, sizeof(netdev));
	rs->qemu_pid = fork();
	if (rs->qemu_pid < 0)
		return cli_error("fork: %s", strerror(errno));
	if (rs->qemu_pid == 0) {
		if (rs->rr && rs->rr->mode == RUN_RR_RECORD)
			setpgid(0, 0); /* Ctrl-C is for uniscope, which ends the recording cleanly */
		exec_qemu(argv, log_fd);
	}
	close(log_fd);
	rs->session.qemu_pid = rs->qemu_pid;
	if (session_write_meta(&rs->session) < 0)
		return cli_error("cannot write the session's metadata in '%s'", rs->session.dir);
	return 0;
}
