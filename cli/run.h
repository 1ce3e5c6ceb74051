/*
 * `uniscope run`: the launcher and its channel loop (cmd_run.c, run_loop.c),
 * with one start/stop per platform: QEMU (run_qemu.c) and Xen (run_xen.c).
 */
#ifndef UNISCOPE_CLI_RUN_H
#define UNISCOPE_CLI_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <uniscope/chan.h>
#include <uniscope/gdbstub.h>
#include "byte_queue.h"
#include "introspect/uniscope.h"

#define RUN_MAX_EXTRA_ARGS 64
#define RUN_MAX_ENV 32
#define RUN_MAX_PORTS 16
#define RUN_HELLO_INTERVAL_MS 200
#define RUN_HELLO_TRIES 50

struct run_options {
	const char *name;
	const char *image;
	const char *append;
	const char *gdb_addr;   /* tcp:HOST:PORT | unix:PATH | NULL */
	bool gdb_allow_remote;  /* --gdb-allow-remote: a TCP address off loopback is meant */
	bool gdb_kill;          /* --gdb-kill: a debugger's kill (k) ends the image */
	const char *trace_file;
	const char *accel;      /* NULL: kvm when usable */
	bool xen;               /* --platform xen: a PVH domain through xl */
	uint64_t mem_size;
	bool detach;
	bool core_on_crash;
	const char *record_dir; /* --record DIR (record.h) */
	const char *extra[RUN_MAX_EXTRA_ARGS];
	int nr_extra;
	const char *rootfs;     /* --rootfs DIR */
	const char *env[RUN_MAX_ENV]; /* --env KEY=VALUE */
	int nr_env;
	bool net;               /* --net: a virtio-net device on QEMU's user networking */
	const char *ports[RUN_MAX_PORTS]; /* --port [HOSTADDR:]HOSTPORT:GUESTPORT */
	int nr_ports;
};

/* A second debugger, turned away with an error reply (run_gdb.c). */
#define RUN_GDB_REFUSED_MAX 4
struct run_refused {
	int fd;
	uint64_t since_ms;
	struct gdb_framer framer;
};

struct gdb_bridge;

struct run_state {
	struct run_options opt;
	struct session session;
	/* QEMU's pipe chardev: serial.out, serial.in; under Xen both are the
	 * console pty. serial_hup: the pty hung up (the domain is going). */
	int serial_fd, serial_tx_fd;
	bool serial_hup;
	int gdb_listen_fd[2], gdb_client_fd;
	struct gdb_bridge *bridge;      /* run_gdb.c */
	struct byte_queue gdb_client_out; /* bytes the debugger has yet to read */
	bool gdb_client_overflow;       /* it stopped reading: cut it off */
	char gdb_target_spec[32]; /* xen:DOMID: the guest for the bridge's host answers */
	uint64_t gdb_refused_count;
	struct run_refused gdb_refused[RUN_GDB_REFUSED_MAX];
	struct byte_queue serial_out;   /* frames the guest has yet to take */
	int signal_fd;
	int console_log_fd, trace_fd;
	int ready_fd; /* --detach: tells the parent we are up */
	struct chan_decoder decoder;
	uint32_t dropped_seen;  /* frames the decoder had refused at the last look */
	uint16_t tx_seq;
	bool framed;
	bool stdin_open; /* forwarding standard input to the guest's console */
	int hello_tries;
	uint64_t next_hello_ms;
	bool got_exit_status;
	int exit_status;
	struct chan_stats guest_stats;
	pid_t qemu_pid;
	bool guest_ended;      /* QEMU exited, or the Xen domain shut down or went */
	int qemu_wait_status;
	struct run_xen *xen;   /* --platform xen (run_xen.c), or NULL */
	bool stopping; /* Ctrl-C or `uniscope stop` */
	int stop_signal;
	uint64_t stats_written_ms;
	bool keep_session_dir; /* for the post-mortem of a failed start */
	bool crash_saved;      /* --core-on-crash wrote core.elf and report.txt */
	uint8_t exit_how;      /* the guest's EXIT: enum chan_exit_how */
	struct run_ctl *ctl;   /* the control socket (run_ctl.c), or NULL */
	struct run_rr *rr;     /* recording or replaying (record.h), or NULL */
	char rootfs_cpio[SESSION_PATH_MAX]; /* --rootfs, packed (run_rootfs.c) */
	char append_buf[1024];              /* --env words and --append */
};

/* run_rootfs.c: --rootfs packed into the session, --env put on the command line. */
int run_pack_rootfs(struct run_state *rs);
int run_compose_append(struct run_state *rs);
/* run_loop.c: INT, TERM, HUP, CHLD blocked and read from the fd returned; -1 said. */
int run_signal_fd(void);

/* run_net.c: --net and --port, checked, recorded in the session, as QEMU arguments. */
int run_net_check(struct run_options *o);
void run_net_describe(const struct run_options *o, struct session *s);
int run_net_qemu_args(const struct run_options *o, const char **argv, char *netdev, size_t cap);

/* cmd_run.c: the session's name and fields from rs->opt; --detach. 0 or 1. */
int run_fill_session(struct run_state *rs);
int run_detach(struct run_state *rs);
int run_session_create(struct run_state *rs);
void run_session_remove(struct run_state *rs);

/*
 * run_end.c: how the session ended. run_end_classify() fills
 * rs->session.end from what the launcher saw (passing QEMU's own error
 * through) and returns the exit status; run_session_finish() keeps an
 * ended detached session (status written, live files gone) or removes
 * the session. run_detached_quiet() (cmd_run.c) sends a detached
 * launcher's stderr to /dev/null once the session is up.
 */
/*
 * cmd_session.c, for the commands that name a session: cli_session_load()
 * loads NAME, or prints why it cannot (no such session, a session root
 * that is not the user's) and returns 1. session_record_lost() stops a
 * lost session's QEMU or domain and records it as ended. cmd_wait.c and
 * cmd_rm.c use them.
 */
int cli_session_load(const char *name, struct session *s);
void session_record_lost(struct session *s);
/* SIGTERM to a running session's launcher, which ends and removes it; 0 or 1 (printed). */
int cli_session_stop(const struct session *s);

int run_end_classify(struct run_state *rs, int xen_status);
void run_session_finish(struct run_state *rs);
void run_detached_quiet(void);
int run_qemu_start(struct run_state *rs);
int run_loop(struct run_state *rs);

/*
 * run_xen.c, --platform xen: run_xen_start() writes SESSION_DIR/xl.cfg,
 * creates the domain paused (`xl create -p`), opens its console pty as the
 * serial line, writes the metadata and unpauses it. run_xen_check() looks
 * at the domain (at most every RUN_XEN_CHECK_MS) and sets guest_ended when
 * it shut down or went; run_xen_stop() destroys it (Ctrl-C, uniscope stop);
 * run_xen_finish() saves a crashed domain's core when --core-on-crash
 * wants one, destroys the domain and says how it ended: 0 poweroff, 125
 * crash, -1 unknown.
 */
#define RUN_XEN_CHECK_MS 100
int run_xen_start(struct run_state *rs);
void run_xen_check(struct run_state *rs);
void run_xen_stop(struct run_state *rs);
int run_xen_finish(struct run_state *rs);

/*
 * run_ctl.c: the session's control socket, SESSION_DIR/ctl.sock, where
 * other commands (top's `e`) ask for control frames to the guest. The poll
 * loop polls RUN_CTL_FDS more entries, filled by run_ctl_fds() (fd -1 when
 * unused), and passes them to run_ctl_handle() after each poll.
 */
#define RUN_CTL_FDS 2
struct pollfd;
typedef void run_ctl_send_fn(struct run_state *rs, const struct chan_ctl_msg *m);
int run_ctl_open(struct run_state *rs);
void run_ctl_fds(struct run_state *rs, struct pollfd *p);
void run_ctl_handle(struct run_state *rs, const struct pollfd *p, run_ctl_send_fn *send);
uint64_t run_now_ms(void);

/*
 * run_loop.c: one frame for the guest, queued behind the others; false
 * when the serial queue has no room for it (the caller holds it back).
 */
bool run_send_frame(struct run_state *rs, uint8_t channel, const void *payload, size_t len);
/* A lone frame delimiter (0x00): wakes a halted stub, decodes as nothing (mailbox.h). */
bool run_send_bell(struct run_state *rs);
/* Frames from the guest the decoder refused so far (corrupt, truncated, ...). */
uint32_t run_frames_dropped(const struct run_state *rs);

/*
 * run_gdb.c: the debugger's sockets around the bridge (gdb_bridge.h). The
 * poll loop polls RUN_GDB_FDS more entries, filled by run_gdb_fds(), and
 * hands them to run_gdb_handle() after each poll; run_gdb_poll() says in
 * how many microseconds it wants to run again (-1: no wish).
 */
#define RUN_GDB_FDS (3 + RUN_GDB_REFUSED_MAX)
int run_gdb_open(struct run_state *rs);
void run_gdb_fds(struct run_state *rs, struct pollfd *p);
void run_gdb_handle(struct run_state *rs, const struct pollfd *p);
int64_t run_gdb_poll(struct run_state *rs);
/* A gdb frame's payload from the guest, and the stub's DEBUGGER_GONE echo. */
void run_gdb_from_guest(struct run_state *rs, const uint8_t *payload, size_t len);
void run_gdb_guest_reset(struct run_state *rs);
void run_gdb_close(struct run_state *rs);

/*
 * run_crash.c, --core-on-crash. On EXIT with status 125 the guest holds
 * (CHAN_HELLO_HOLD_ON_CRASH): run_crash_capture() writes core.elf and
 * report.txt into the session directory and prints the report; it returns
 * true when the guest waits for RELEASE. run_crash_finish() moves both
 * next to the user as NAME.core and NAME.report before the session goes.
 */
bool run_crash_capture(struct run_state *rs);
/* A guest that died without telling (a preserved crashed Xen domain). */
void run_crash_capture_dead(struct run_state *rs);
void run_crash_finish(struct run_state *rs);

#endif
