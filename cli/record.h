/*
 * Record and replay (run_record.c, cmd_replay.c): `uniscope run --record
 * DIR` runs the image under QEMU's record/replay (TCG, icount) and leaves
 * a recording (introspect/recording.h) that `uniscope replay DIR` replays
 * with the same QEMU command line: the machine, memory, kernel, command
 * line and extra arguments are the recording's; what differs is only what
 * cannot influence the guest (the log is read instead of written, the
 * serial line's backend, the gdbstub waits for a debugger).
 *
 * Both run the guest with no isa-debug-exit device and -action
 * shutdown=pause: a recorded run ends in a shutdown QEMU pauses at, where
 * the instruction count of the end is read (a second QMP monitor,
 * SESSION_DIR/record-qmp.sock) before QEMU is told to quit. The exit
 * status comes from the console channel's EXIT message; a guest that ended
 * before the channel's handshake left it in eax for the exit device it
 * wrote to (the libOS's qemu_exit: out %eax to 0xf4, then a triple fault),
 * where the watcher reads it.
 */
#ifndef UNISCOPE_CLI_RECORD_H
#define UNISCOPE_CLI_RECORD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "run.h"
#include "introspect/uniscope.h"

enum run_rr_mode { RUN_RR_RECORD = 1, RUN_RR_REPLAY };

struct run_rr {
	enum run_rr_mode mode;
	char dir[SESSION_PATH_MAX];  /* the recording, absolute */
	struct us_recording rec;
	/* RUN_RR_RECORD: the thread that waits for the end on record-qmp.sock */
	pthread_t watcher;
	bool watcher_started;
	atomic_bool stop_wanted;    /* run_record_stop() asked for the end */
	atomic_int guest_status;    /* what the guest exited with, -1: unknown (below) */
	bool ended;                 /* the watcher read the end */
	uint64_t end_icount;
	char problem[256];          /* why the end was not read */
};

#define RUN_RR_QEMU_ARGS 10

/* --record with options it cannot go with: EXIT_USAGE (message printed), else 0. */
int run_record_check(const struct run_options *o);
/* Before QEMU starts: DIR and its metadata, the watcher. 0 or 1. */
int run_record_start(struct run_state *rs);
/* Ctrl-C, `uniscope stop`: the watcher pauses QEMU, reads the end, and lets it quit. */
void run_record_stop(struct run_state *rs);
/* After the run: the end written into DIR/recording, DIR reported. */
void run_record_finish(struct run_state *rs);
/* QEMU's arguments for record or replay, appended at argv[n]; returns the new n. */
int run_rr_qemu_args(struct run_state *rs, const char **argv, int n, char bufs[][SESSION_PATH_MAX + 128]);
/* The first line of `qemu-system-x86_64 --version`; 0 or 1 (message printed). */
int run_qemu_version(char *out, size_t cap);
/* The GNU build-id of an image file, in hex ("" when it has none); 0 or 1. */
int run_image_build_id(const char *image, char *out, size_t cap);

/* cmd_replay.c: the last line of SESSION_DIR/qemu.log, or "it exited". */
void replay_qemu_last_words(const struct run_state *rs, char *out, size_t cap);
/* replay_serve.c: serves GDB (gdb.sock, --listen) until a signal or QEMU's end; exit status. */
struct us_replay_target;
int replay_serve(struct run_state *rs, struct us_replay_target *rt);

#endif
