/* `uniscope run`: the launcher and its channel loop (cmd_run.c, run_loop.c, run_qemu.c). */
#ifndef UNISCOPE_CLI_RUN_H
#define UNISCOPE_CLI_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <uniscope/chan.h>
#include "introspect/session.h"

#define RUN_MAX_EXTRA_ARGS 64
#define RUN_HELLO_INTERVAL_MS 200
#define RUN_HELLO_TRIES 50

struct run_options {
	const char *name;
	const char *image;
	const char *append;
	const char *gdb_addr;   /* tcp:HOST:PORT | unix:PATH | NULL */
	const char *trace_file;
	const char *accel;      /* NULL: kvm when usable */
	uint64_t mem_size;
	bool detach;
	bool core_on_crash;
	const char *extra[RUN_MAX_EXTRA_ARGS];
	int nr_extra;
};

struct run_state {
	struct run_options opt;
	struct session session;
	int serial_fd, serial_tx_fd; /* QEMU's pipe chardev: serial.out, serial.in */
	int gdb_listen_fd[2], gdb_client_fd;
	int signal_fd;
	int console_log_fd, trace_fd;
	int ready_fd; /* --detach: tells the parent we are up */
	struct chan_decoder decoder;
	uint16_t tx_seq;
	bool framed;
	int hello_tries;
	uint64_t next_hello_ms;
	bool got_exit_status;
	int exit_status;
	struct chan_stats guest_stats;
	pid_t qemu_pid;
	bool qemu_exited;
	int qemu_wait_status;
	bool stopping; /* Ctrl-C or `uniscope stop` */
	int stop_signal;
	uint64_t stats_written_ms;
	bool keep_session_dir; /* for the post-mortem of a failed start */
};

int run_session_create(struct run_state *rs);
void run_session_remove(struct run_state *rs);
int run_qemu_start(struct run_state *rs);
int run_loop(struct run_state *rs);
int run_listen(const char *addr, int *fd);
uint64_t run_now_ms(void);

#endif
