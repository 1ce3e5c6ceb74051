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
#include "introspect/session.h"

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

/* The GDB fast path (run_gdbfast.c): memory reads answered from guest RAM. */
struct gdb_fast {
	bool disabled;   /* UNISCOPE_GDB_FASTPATH=0 */
	bool client_detached; /* the client sent D or k itself */
	bool stopped;    /* the stub has reported a stop and not been resumed */
	bool cr3_known;
	bool no_ack;
	uint64_t cr3;
	const uint8_t *ram;
	uint64_t ram_size;
	uint64_t fast_reads;
	char pkt[256];   /* a packet from GDB being split off; longer ones pass through */
	size_t pkt_len, hash_at;
	/* The GDB mailbox (run_mailbox.c), attached at the first stop. */
	bool mailbox_tried;
	struct uniscope_mailbox *mailbox;
	void *mailbox_map;
	size_t mailbox_map_len;
	uint64_t mailbox_eager_until_ms;
	uint64_t mailbox_bytes_in, mailbox_bytes_out; /* to the stub, from the stub */
};

struct run_state {
	struct run_options opt;
	struct session session;
	/* QEMU's pipe chardev: serial.out, serial.in; under Xen both are the
	 * console pty. serial_hup: the pty hung up (the domain is going). */
	int serial_fd, serial_tx_fd;
	bool serial_hup;
	int gdb_listen_fd[2], gdb_client_fd;
	int signal_fd;
	int console_log_fd, trace_fd;
	int ready_fd; /* --detach: tells the parent we are up */
	struct chan_decoder decoder;
	struct gdb_fast gdbfast;
	uint64_t gdb_swallow_until_ms; /* drop the stub's answer to our own detach */
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
	struct run_ctl *ctl;   /* the control socket (run_ctl.c), or NULL */
	struct run_rr *rr;     /* recording or replaying (record.h), or NULL */
	char rootfs_cpio[SESSION_PATH_MAX]; /* --rootfs, packed (run_rootfs.c) */
	char append_buf[1024];              /* --env words and --append */
};

/* run_rootfs.c: --rootfs packed into the session, --env put on the command line. */
int run_pack_rootfs(struct run_state *rs);
int run_compose_append(struct run_state *rs);

/* run_net.c: --net and --port, checked, recorded in the session, as QEMU arguments. */
int run_net_check(struct run_options *o);
void run_net_describe(const struct run_options *o, struct session *s);
int run_net_qemu_args(const struct run_options *o, const char **argv, char *netdev, size_t cap);

/* cmd_run.c: the session's name and fields from rs->opt; --detach. 0 or 1. */
int run_fill_session(struct run_state *rs);
int run_detach(struct run_state *rs);
int run_session_create(struct run_state *rs);
void run_session_remove(struct run_state *rs);
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
void run_gdb_to_guest(struct run_state *rs, const void *buf, size_t n);
void run_gdb_to_client(struct run_state *rs, const void *buf, size_t n);
void gdb_fast_init(struct run_state *rs);
void gdb_fast_from_guest(struct run_state *rs, const uint8_t *data, size_t len);
void gdb_fast_from_client(struct run_state *rs, const uint8_t *data, size_t len);
void gdb_fast_client_gone(struct run_state *rs);
bool gdb_fast_map_ram(struct run_state *rs);
bool gdb_fast_translate(const struct gdb_fast *f, uint64_t va, uint64_t *pa);

/* The GDB mailbox (run_mailbox.c). */
void gdb_mailbox_attach(struct run_state *rs);
void gdb_mailbox_detach(struct run_state *rs);
bool gdb_mailbox_put(struct run_state *rs, const void *buf, size_t len);
void gdb_mailbox_drain(struct run_state *rs);
bool gdb_mailbox_eager(const struct run_state *rs);
/* The stub's bytes, from a gdb frame or the mailbox, for the client. */
void run_gdb_from_guest(struct run_state *rs, const void *buf, size_t n);

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
