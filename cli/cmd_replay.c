/*
 * uniscope replay DIR [--listen ADDR] [--name N] [--image PATH] [--detach]:
 * a recording (run --record) replayed by QEMU in a session of its own, and
 * served to GDB with reverse execution (replay_serve.c).
 *
 * Before QEMU is started the recording is checked, so that a bad one ends
 * in a clear error and never in a replay that hangs or wanders off: its
 * metadata parses, the run ended cleanly, the log is as long as it was
 * when QEMU closed it, the QEMU here is the one that wrote it, and the
 * image is the one that ran (build-id). The session is an ordinary QEMU
 * session (ls, ps, bt, trace, core, report, gdb), whose guest memory is
 * what the replay has reached.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "introspect_cli.h"
#include "record.h"

#define CONNECT_TRIES 200 /* 10 s for QEMU to open its gdbstub */
#define CONNECT_INTERVAL_US 50000

struct replay_args {
	const char *dir, *listen, *name, *image;
	bool detach;
};

static int option_value(int argc, char **argv, int *i, const char **out)
{
	if (*i + 1 >= argc)
		return cli_error("option '%s' needs a value (see uniscope replay --help)", argv[*i]);
	*out = argv[++*i];
	return 0;
}

static int parse_args(int argc, char **argv, struct replay_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int err = 0;
		if (!strcmp(arg, "--listen")) err = option_value(argc, argv, &i, &a->listen);
		else if (!strcmp(arg, "--name")) err = option_value(argc, argv, &i, &a->name);
		else if (!strcmp(arg, "--image")) err = option_value(argc, argv, &i, &a->image);
		else if (!strcmp(arg, "--detach")) a->detach = true;
		else if (arg[0] == '-' || a->dir)
			return cli_usage("replay");
		else
			a->dir = arg;
		if (err)
			return EXIT_USAGE;
	}
	return a->dir ? 0 : cli_usage("replay");
}

/* ---- is this recording replayable here? ------------------------------- */

static int check_log(const char *dir, const struct us_recording *rec)
{
	struct us_error *err;
	uint64_t size;
	uint32_t crc;

	if (!rec->ended)
		return cli_error("%s: the recorded run never ended cleanly (its uniscope run was "
				 "killed?): it cannot be replayed", dir);
	if ((err = us_recording_log_sum(dir, &size, &crc)))
		return cli_report(err);
	if (size != rec->log_size)
		return cli_error("%s/%s is %llu bytes, the recording wrote %llu (truncated?): it "
				 "cannot be replayed", dir, US_RECORDING_LOG, (unsigned long long)size,
				 (unsigned long long)rec->log_size);
	if (crc != rec->log_crc32c)
		return cli_error("%s/%s is not the log the recording wrote (CRC-32C %08x, not %08x): "
				 "it cannot be replayed", dir, US_RECORDING_LOG, (unsigned)crc,
				 (unsigned)rec->log_crc32c);
	return 0;
}

static int check_qemu(const char *dir, const struct us_recording *rec)
{
	char version[256];

	if (run_qemu_version(version, sizeof(version)))
		return 1;
	if (strcmp(version, rec->qemu))
		return cli_error("%s was recorded by '%s', this is '%s': a QEMU replays only its own "
				 "recordings", dir, rec->qemu, version);
	return 0;
}

static int check_image(const char *dir, const struct us_recording *rec, const char *image)
{
	char id[sizeof(rec->build_id)];

	if (access(image, R_OK) < 0)
		return cli_error("%s: the recorded image '%s': %s (pass --image PATH)", dir, image,
				 strerror(errno));
	if (run_image_build_id(image, id, sizeof(id)))
		return 1;
	if (strcmp(id, rec->build_id))
		return cli_error("%s recorded the image with build-id %s; '%s' has build-id %s "
				 "(rebuilt since? pass --image with the image that ran)", dir,
				 rec->build_id[0] ? rec->build_id : "(none)", image, id[0] ? id : "(none)");
	return 0;
}

static int load_recording(const struct replay_args *a, struct run_rr *rr)
{
	struct us_error *err;

	if (!realpath(a->dir, rr->dir))
		return cli_error("'%s': %s", a->dir, strerror(errno));
	if ((err = us_recording_load(rr->dir, &rr->rec))) {
		cli_error("%s (is '%s' a directory made by uniscope run --record?)", err->message, a->dir);
		us_error_destroy(err);
		return 1;
	}
	return check_log(a->dir, &rr->rec) || check_qemu(a->dir, &rr->rec) ||
	       check_image(a->dir, &rr->rec, a->image ? a->image : rr->rec.image);
}

/* ---- the session and QEMU --------------------------------------------- */

static void fill_options(struct run_state *rs, const struct replay_args *a)
{
	const struct us_recording *rec = &rs->rr->rec;
	static char name[SESSION_NAME_MAX];

	snprintf(name, sizeof(name), "%s", basename(rs->rr->dir));
	rs->opt.name = a->name ? a->name : name;
	rs->opt.image = a->image ? a->image : rec->image;
	rs->opt.append = rec->has_append ? rec->append : NULL;
	rs->opt.gdb_addr = a->listen;
	rs->opt.mem_size = rec->mem_size;
	rs->opt.accel = "tcg";
	rs->opt.detach = a->detach;
	if (rec->rootfs)
		snprintf(rs->rootfs_cpio, sizeof(rs->rootfs_cpio), "%.4000s/%s", rs->rr->dir,
			 US_RECORDING_ROOTFS);
	rs->opt.nr_extra = (int)rec->nr_args;
	for (unsigned i = 0; i < rec->nr_args && i < RUN_MAX_EXTRA_ARGS; i++)
		rs->opt.extra[i] = rec->args[i];
}

/* The last line QEMU wrote to its log: why it ended. */
void replay_qemu_last_words(const struct run_state *rs, char *out, size_t cap)
{
	char path[SESSION_PATH_MAX + 32], line[512];
	FILE *f;

	snprintf(out, cap, "it exited");
	session_path(&rs->session, "qemu.log", path, sizeof(path));
	if (!(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof(line), f))
		if (line[0] != '\n')
			snprintf(out, cap, "%.*s", (int)strcspn(line, "\n"), line);
	fclose(f);
}

static int qemu_failed(struct run_state *rs)
{
	char last[512];

	replay_qemu_last_words(rs, last, sizeof(last));
	return cli_error("QEMU could not replay %s: %s", rs->rr->dir, last);
}

static int connect_gdbstub(struct run_state *rs, struct us_qemu_gdb **q)
{
	char path[SESSION_PATH_MAX + 32];
	struct us_error *err = NULL;

	session_path(&rs->session, "qemu-gdb.sock", path, sizeof(path));
	for (int i = 0; i < CONNECT_TRIES; i++) {
		us_error_destroy(err);
		if (!(err = us_qemu_gdb_connect(path, q)))
			return 0;
		if (waitpid(rs->qemu_pid, &rs->qemu_wait_status, WNOHANG) == rs->qemu_pid) {
			us_error_destroy(err);
			rs->qemu_pid = 0;
			return qemu_failed(rs);
		}
		usleep(CONNECT_INTERVAL_US);
	}
	return cli_report(err);
}

static void stop_qemu(struct run_state *rs)
{
	if (rs->qemu_pid <= 0)
		return;
	kill(rs->qemu_pid, SIGKILL); /* a replay has nothing to save */
	waitpid(rs->qemu_pid, NULL, 0);
	rs->qemu_pid = 0;
}

/* For reverse-continue (replay_reverse.c): the replay again, from its first instruction. */
static struct us_error *restart_qemu(void *ctx, struct us_qemu_gdb **q)
{
	struct run_state *rs = ctx;

	stop_qemu(rs);
	if (run_qemu_start(rs) || connect_gdbstub(rs, q))
		return us_error_create(US_ERR_OTHER, "could not start QEMU again (see %s/qemu.log)",
				       rs->session.dir);
	return NULL;
}

static int start_replay(struct run_state *rs, struct us_replay_target *rt)
{
	char spec[SESSION_PATH_MAX + 8];
	struct us_target_options opts = { .image = rs->session.image };
	struct us_qemu_gdb *q;
	struct us_error *err;

	if (run_session_create(rs) || run_qemu_start(rs) ||
	    connect_gdbstub(rs, &q))
		return 1;
	snprintf(spec, sizeof(spec), "qemu:%s", rs->session.dir);
	if ((err = us_replay_target_init(rt, spec, &opts, q, rs->rr->rec.end_icount - 1,
					 restart_qemu, rs))) {
		us_qemu_gdb_close(q);
		return cli_report(err);
	}
	return 0;
}

int cmd_replay(int argc, char **argv)
{
	struct replay_args a = { 0 };
	struct run_state *rs = calloc(1, sizeof(*rs));
	struct us_replay_target *rt = calloc(1, sizeof(*rt));
	int status;

	if (!rs || !rt || !(rs->rr = calloc(1, sizeof(*rs->rr)))) {
		free(rs), free(rt);
		return cli_error("out of memory");
	}
	rs->ready_fd = -1;
	rs->rr->mode = RUN_RR_REPLAY;
	if ((status = parse_args(argc, argv, &a)) || (status = load_recording(&a, rs->rr)))
		goto out;
	fill_options(rs, &a);
	if ((status = run_fill_session(rs)) || (a.detach && (status = run_detach(rs))))
		goto out;
	status = start_replay(rs, rt);
	if (!status) {
		status = replay_serve(rs, rt);
		us_replay_target_fini(rt);
	}
	stop_qemu(rs);
	run_session_remove(rs);
out:
	free(rs->rr);
	free(rs);
	free(rt);
	return status;
}
