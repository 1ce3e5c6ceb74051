/*
 * Sessions: what `uniscope run` leaves for the other commands to find.
 *
 * A session is a directory, $XDG_RUNTIME_DIR/uniscope/NAME or else
 * /tmp/uniscope-$UID/NAME, mode 0700, holding:
 *
 *	meta           key=value lines (below), written once QEMU is up
 *	console.log    every console byte the guest sent
 *	qmp.sock       QEMU's QMP socket
 *	mem            guest RAM (memory-backend-file,share=on); file offset = guest physical
 *	qemu-gdb.sock  QEMU's own gdbstub (vCPU registers for host tools)
 *	gdb.sock       the bridge to the in-guest stub, when --gdb was given as unix:
 *	ctl.sock       the launcher's control socket
 *	serial.in/out  the FIFOs of QEMU's serial line
 *	qemu.log       QEMU's standard error
 *	stats          the channel's counters, rewritten as the session runs
 *	status         how the session ended (below), once it has
 *	core.elf       --core-on-crash of a detached session: the core ...
 *	report.txt     ... and the crash report
 *
 * meta keys: name, image (absolute path), build_id (hex), pid (of `uniscope run`),
 * qemu_pid, mem_size (bytes), accel (tcg|kvm), gdb (the --gdb address or empty),
 * platform (qemu|xen), domid (the Xen domain, platform=xen; -1 otherwise),
 * detached (1 for run --detach), net (user: QEMU's user networking, run
 * --net; empty: none), ports (the forwards of run --port, space-separated
 * HOSTADDR:HOSTPORT:GUESTPORT).
 * Unknown keys are ignored; readers bound line lengths.
 *
 * The session's life, as `docker ps -a` shows containers':
 *	running   its `uniscope run` (pid) is alive;
 *	ended     `status` exists: the guest exited, panicked, faulted, was
 *	          killed or never started. A detached session keeps its
 *	          directory, less what only a live guest needs (sockets, FIFOs,
 *	          the RAM file), until `uniscope rm NAME`; a foreground one
 *	          removes itself, its status having gone to its terminal;
 *	lost      no launcher and no `status` (the launcher was killed): the
 *	          next `uniscope ls` stops its QEMU and records it as ended.
 * `uniscope stop` ends a session and removes it.
 *
 * status keys: how (enum session_how by name), exit_status (what `run`
 * exited with, and `uniscope wait` exits with), signal (what killed
 * QEMU), ended_at (unix seconds), core and report (file names in the
 * session directory, or empty), detail (one line: QEMU's error, say).
 *
 * The session root must be the user's alone: a directory (no symlink),
 * owned by the user, with no permission for group or others, as ssh-agent
 * and tmux insist for their sockets. Anything else is refused.
 *
 * A Xen session (run --platform xen) has no qmp.sock, mem or qemu-gdb.sock:
 * its guest is read through the Xen backend by domid, and it holds
 * xl.cfg, the domain's xl configuration, and xl.log instead.
 */
#ifndef UNISCOPE_SESSION_H
#define UNISCOPE_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "error.h"

#define SESSION_NAME_MAX 64
#define SESSION_PATH_MAX 4096

enum session_how {
	SESSION_HOW_UNKNOWN,  /* an older launcher, or an unreadable status */
	SESSION_HOW_EXIT,     /* the guest exited (status from the guest) */
	SESSION_HOW_PANIC,    /* panic() */
	SESSION_HOW_FAULT,    /* a CPU exception */
	SESSION_HOW_ASSERT,   /* assert() failed */
	SESSION_HOW_STACK_OVERFLOW,
	SESSION_HOW_CRASH,    /* exit status 125 from a guest that did not say how */
	SESSION_HOW_KILLED,   /* QEMU died of a signal */
	SESSION_HOW_STOPPED,  /* uniscope stop, Ctrl-C */
	SESSION_HOW_FAILED,   /* QEMU or xl failed: the guest never ran, or the VM broke */
	SESSION_HOW_LOST,     /* the launcher vanished without a word */
	SESSION_HOW_COUNT
};

struct session_end {
	enum session_how how;
	int exit_status;
	int signal;
	long long ended_at;
	char core[64];    /* file names in the session directory, "" when none */
	char report[64];
	char detail[256];
};

struct session {
	char name[SESSION_NAME_MAX];
	char dir[SESSION_PATH_MAX];
	char image[SESSION_PATH_MAX];
	char build_id[2 * 20 + 1];
	char accel[8];
	char gdb[256];
	char platform[8];
	pid_t pid;
	pid_t qemu_pid;
	uint64_t mem_size;
	int domid; /* -1: none */
	int detached;
	int ended;              /* the status file exists: end is valid */
	struct session_end end;
	char net[16];
	char ports[1024];
};

/*
 * The directory holding all sessions, created 0700 when create is set and
 * it is missing. NULL, or an error that says what is wrong with it (not
 * the user's, open to others, a symlink) and what to do.
 */
struct us_error *session_root(char *out, size_t cap, int create);
/* Fills s from NAME (a session name) or a path to a session directory. 0 or -errno. */
int session_load(const char *name_or_dir, struct session *s);
int session_write_meta(const struct session *s);
/*
 * Calls apply(ctx, key, value) for each "key=value" line of the session's
 * FILE (meta, status, stats): at most 64 lines of up to 8 KiB are read; the
 * tail of a longer line is skipped, never read as a line of its own (it
 * could smuggle a key). 0 or -errno.
 */
typedef void session_key_value_fn(void *ctx, const char *key, const char *value);
int session_read_key_values(const struct session *s, const char *file,
			    session_key_value_fn *apply, void *ctx);
/* Path of a file in the session directory. */
int session_path(const struct session *s, const char *file, char *out, size_t cap);
/* 1 when the session's `uniscope run` process is still alive. */
int session_alive(const struct session *s);
void session_remove_dir(const struct session *s);

enum session_state { SESSION_RUNNING, SESSION_ENDED, SESSION_LOST };
enum session_state session_state(const struct session *s);
/* Records s->end as the status file (s->ended set). 0 or -errno. */
int session_write_status(struct session *s);
/* Removes what only a live guest needs: sockets, FIFOs, the RAM file. */
void session_prune_live_files(const struct session *s);
/* "exit", "panic", "fault", ..., and back (SESSION_HOW_UNKNOWN for a name it does not know). */
const char *session_how_name(enum session_how how);
enum session_how session_how_from_name(const char *name);
/* "exited 0", "fault 125", "killed (SIGKILL)", "lost": one word or two for `ls`. */
void session_describe_end(const struct session *s, char *out, size_t cap);

#endif
