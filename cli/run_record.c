/*
 * `uniscope run --record DIR` (see record.h): the recording directory, the
 * QEMU arguments record and replay share, and the watcher that catches the
 * end of a recorded run.
 *
 * What a recording holds is QEMU's record/replay log: every input that is
 * not the guest's own doing (the serial line's bytes, host clock reads,
 * interrupts' timing) against an instruction count. So everything else
 * the guest sees must be a function of its instructions: TCG with icount
 * (never KVM), no host writes into guest RAM while it runs (the GDB
 * mailbox is off), and devices QEMU knows how to record. The session's
 * RAM file, QMP pauses and the host reading memory do not disturb it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "introspect_cli.h"
#include "record.h"
#include "introspect/uniscope.h"

#define WATCH_INTERVAL_US 50000
#define WATCH_CONNECT_TRIES 600 /* 30 s for QEMU to come up */

static atomic_bool watcher_quit;

int run_record_check(const struct run_options *o)
{
	if (o->xen)
		return cli_error("--record runs the image under QEMU; a Xen domain cannot be recorded"),
		       EXIT_USAGE;
	if (o->accel && !strcmp(o->accel, "kvm"))
		return cli_error("--record needs --accel tcg: QEMU records a run only when it emulates "
				 "the CPU and counts its instructions; under KVM the guest runs on the "
				 "real CPU"), EXIT_USAGE;
	if (o->append && !us_recording_value_ok(o->append, US_RECORDING_VALUE_MAX))
		return cli_error("--record: the guest command line is too long or holds a newline"),
		       EXIT_USAGE;
	for (int i = 0; i < o->nr_extra; i++)
		if (!us_recording_value_ok(o->extra[i], US_RECORDING_ARG_MAX))
			return cli_error("--record: QEMU argument '%.40s' is too long or holds a newline",
					 o->extra[i]), EXIT_USAGE;
	return 0;
}

/* Runs argv with stdout into out (first line, NUL-terminated); its exit status, or -1. */
static int run_capture(const char *const *argv, char *out, size_t cap)
{
	int pipefd[2], status = -1;
	ssize_t n = 0;
	pid_t pid;

	out[0] = 0;
	if (pipe2(pipefd, O_CLOEXEC) < 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		int null_fd = open("/dev/null", O_RDWR);
		dup2(null_fd, 0);
		dup2(pipefd[1], 1);
		dup2(null_fd, 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	for (size_t used = 0; used + 1 < cap && (n = read(pipefd[0], out + used, cap - 1 - used)) > 0;)
		used += (size_t)n, out[used] = 0;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	out[strcspn(out, "\n")] = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int run_qemu_version(char *out, size_t cap)
{
	static const char *const argv[] = { "qemu-system-x86_64", "--version", NULL };

	if (run_capture(argv, out, cap) != 0 || !out[0])
		return cli_error("cannot run qemu-system-x86_64 --version (apt-get install qemu-system-x86)");
	return 0;
}

int run_image_build_id(const char *image, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t id[64];
	size_t len = 0;
	struct us_elf *e;
	struct us_error *err = us_elf_open(image, &e);

	if (!err) {
		err = us_elf_build_id(e, id, sizeof(id), &len);
		us_elf_close(e);
	}
	if (err) {
		cli_error("%s", err->message);
		us_error_destroy(err);
		return 1;
	}
	for (size_t i = 0; i < len && 2 * i + 2 < cap; i++) {
		out[2 * i] = hex[id[i] >> 4];
		out[2 * i + 1] = hex[id[i] & 15];
		out[2 * i + 2] = 0;
	}
	if (len == 0)
		out[0] = 0;
	return 0;
}

/* DIR made (0700) or found empty of recordings; rr->dir its absolute path. */
static int make_dir(struct run_rr *rr, const char *dir)
{
	char path[SESSION_PATH_MAX + 32];

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return cli_error("cannot create '%s': %s", dir, strerror(errno));
	if (!realpath(dir, rr->dir))
		return cli_error("'%s': %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/%s", rr->dir, US_RECORDING_FILE);
	if (access(path, F_OK) == 0)
		return cli_error("'%s' already holds a recording (remove it, or record into another "
				 "directory)", dir);
	snprintf(path, sizeof(path), "%s/%s", rr->dir, US_RECORDING_LOG);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", rr->dir, US_RECORDING_ROOTFS);
	unlink(path);
	return 0;
}

static void copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1;
	char buf[65536];
	ssize_t n;

	if (in >= 0)
		out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
}

static int write_metadata(struct run_state *rs)
{
	struct us_recording *rec = &rs->rr->rec;
	struct us_error *err;

	snprintf(rec->image, sizeof(rec->image), "%s", rs->session.image);
	rec->mem_size = rs->opt.mem_size;
	rec->has_append = rs->opt.append != NULL;
	snprintf(rec->append, sizeof(rec->append), "%s", rs->opt.append ? rs->opt.append : "");
	rec->nr_args = (unsigned)rs->opt.nr_extra;
	for (int i = 0; i < rs->opt.nr_extra; i++)
		snprintf(rec->args[i], sizeof(rec->args[i]), "%s", rs->opt.extra[i]);
	if ((rec->rootfs = rs->rootfs_cpio[0] != 0)) { /* the replay's initrd */
		char to[SESSION_PATH_MAX + 32];
		snprintf(to, sizeof(to), "%s/%s", rs->rr->dir, US_RECORDING_ROOTFS);
		copy_file(rs->rootfs_cpio, to);
	}
	if (run_qemu_version(rec->qemu, sizeof(rec->qemu)) ||
	    run_image_build_id(rec->image, rec->build_id, sizeof(rec->build_id)))
		return 1;
	if ((err = us_recording_save(rs->rr->dir, rec)))
		return cli_report(err);
	return 0;
}

/* ---- the end of the recorded run -------------------------------------- */

static struct us_qmp *watcher_connect(struct run_state *rs)
{
	char path[SESSION_PATH_MAX + 32];
	struct us_qmp *qmp = NULL;

	session_path(&rs->session, "record-qmp.sock", path, sizeof(path));
	for (int i = 0; i < WATCH_CONNECT_TRIES && !atomic_load(&watcher_quit); i++) {
		struct us_error *err = us_qmp_connect(path, &qmp);
		if (!err)
			return qmp;
		us_error_destroy(err);
		usleep(WATCH_INTERVAL_US);
	}
	snprintf(rs->rr->problem, sizeof(rs->rr->problem), "QEMU's record monitor never answered");
	return NULL;
}

/* The guest shut down by itself: the status it gave the exit device (record.h). */
static int guest_exit_status(struct us_qmp *qmp)
{
	struct uniscope_regs regs;
	struct us_error *err;
	char *text = NULL;

	if ((err = us_qmp_hmp(qmp, "info registers", &text)) ||
	    (err = us_parse_info_registers(text, &regs))) {
		us_error_destroy(err);
		free(text);
		return -1;
	}
	free(text);
	return (int)(regs.rax & 0xff);
}

/*
 * The guest's end is a shutdown QEMU pauses at; a stop (Ctrl-C, uniscope
 * stop) is a pause of ours. Either way: read where it happened, then let
 * QEMU go. Polls a monitor of its own: the session's qmp.sock stays free
 * for the inspection commands.
 */
static void *watch_for_end(void *arg)
{
	struct run_state *rs = arg;
	struct run_rr *rr = rs->rr;
	struct us_qmp *qmp = watcher_connect(rs);
	struct us_error *err = NULL;
	char status[64] = "";
	bool end = false;

	while (qmp && !err && !end && !atomic_load(&watcher_quit)) {
		usleep(WATCH_INTERVAL_US);
		if (atomic_load(&rr->stop_wanted))
			err = us_qmp_execute(qmp, "stop", NULL, US_QMP_TIMEOUT_MS, NULL);
		if (!err)
			err = us_qmp_query_status(qmp, status, sizeof(status));
		end = !strcmp(status, "shutdown") || (atomic_load(&rr->stop_wanted) && strcmp(status, "running"));
	}
	if (!err && end && !(err = us_qmp_query_replay_icount(qmp, &rr->end_icount))) {
		if (!strcmp(status, "shutdown") && !atomic_load(&rr->stop_wanted))
			atomic_store(&rr->guest_status, guest_exit_status(qmp));
		rr->ended = true;
		us_error_destroy(us_qmp_execute(qmp, "quit", NULL, US_QMP_TIMEOUT_MS, NULL));
	}
	if (err)
		snprintf(rr->problem, sizeof(rr->problem), "%s", err->message);
	us_error_destroy(err);
	us_qmp_close(qmp);
	return NULL;
}

/* The watcher takes no signal: they belong to run_loop's signalfd. */
static int start_watcher(struct run_state *rs)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	atomic_store(&watcher_quit, false);
	rc = pthread_create(&rs->rr->watcher, NULL, watch_for_end, rs);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return cli_error("cannot start the recording's watcher: %s", strerror(rc));
	rs->rr->watcher_started = true;
	return 0;
}

int run_record_start(struct run_state *rs)
{
	if (!(rs->rr = calloc(1, sizeof(*rs->rr))))
		return cli_error("out of memory");
	rs->rr->mode = RUN_RR_RECORD;
	atomic_store(&rs->rr->guest_status, -1);
	if (make_dir(rs->rr, rs->opt.record_dir) || write_metadata(rs))
		return 1;
	return start_watcher(rs);
}

static void save_end(struct run_state *rs)
{
	struct run_rr *rr = rs->rr;
	struct us_error *err;

	if ((err = us_recording_log_sum(rr->dir, &rr->rec.log_size, &rr->rec.log_crc32c))) {
		cli_report(err);
		return;
	}
	rr->rec.ended = true;
	rr->rec.end_icount = rr->end_icount;
	if ((err = us_recording_save(rr->dir, &rr->rec))) {
		cli_report(err);
		return;
	}
	fprintf(stderr, "uniscope: recorded %llu instructions (%llu KiB of log) in %s: "
		"uniscope replay %s\n", (unsigned long long)rr->end_icount,
		(unsigned long long)(rr->rec.log_size + 1023) / 1024, rr->dir, rs->opt.record_dir);
}

void run_record_stop(struct run_state *rs)
{
	struct run_rr *rr = rs->rr;

	if (rr->mode != RUN_RR_RECORD || !rr->watcher_started) {
		kill(rs->qemu_pid, SIGTERM);
		return;
	}
	atomic_store(&rr->stop_wanted, true);
}

void run_record_finish(struct run_state *rs)
{
	char from[SESSION_PATH_MAX + 32], to[SESSION_PATH_MAX + 32];
	struct run_rr *rr = rs->rr;

	if (!rr)
		return;
	if (rr->watcher_started) {
		atomic_store(&watcher_quit, true);
		pthread_join(rr->watcher, NULL);
	}
	session_path(&rs->session, "console.log", from, sizeof(from));
	snprintf(to, sizeof(to), "%s/console.log", rr->dir);
	copy_file(from, to);
	if (rr->ended && rr->end_icount >= 2)
		save_end(rs);
	else
		cli_error("the recording in %s did not end cleanly (%s): it cannot be replayed",
			  rs->opt.record_dir, rr->problem[0] ? rr->problem : "QEMU ended first");
}

/* ---- QEMU's arguments --------------------------------------------------- */

/* path with QEMU's option escaping: a ',' is written ',,'. */
static void qemu_escape(char *out, size_t cap, const char *path)
{
	size_t n = 0;

	for (const char *p = path; *p && n + 2 < cap; p++) {
		if (*p == ',')
			out[n++] = ',';
		out[n++] = *p;
	}
	out[n] = 0;
}

int run_rr_qemu_args(struct run_state *rs, const char **argv, int n, char bufs[][SESSION_PATH_MAX + 128])
{
	const struct run_rr *rr = rs->rr;
	bool replay = rr->mode == RUN_RR_REPLAY;
	char dir[SESSION_PATH_MAX], session[SESSION_PATH_MAX];

	qemu_escape(dir, sizeof(dir), rr->dir);
	qemu_escape(session, sizeof(session), rs->session.dir);
	argv[n++] = "-icount";
	snprintf(bufs[0], sizeof(bufs[0]), "shift=auto,rr=%s,rrfile=%.3900s/%s",
		 replay ? "replay" : "record", dir, US_RECORDING_LOG);
	argv[n++] = bufs[0];
	argv[n++] = "-action";
	argv[n++] = "shutdown=pause";
	if (replay) {
		argv[n++] = "-S"; /* until a debugger says continue */
	} else {
		argv[n++] = "-qmp";
		snprintf(bufs[1], sizeof(bufs[1]), "unix:%.3900s/record-qmp.sock,server=on,wait=off",
			 session);
		argv[n++] = bufs[1];
	}
	return n;
}
