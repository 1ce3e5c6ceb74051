/*
 * The uniscope command: one cmd_<name>() per subcommand, each in its own
 * file, dispatched from the table in cli/main.c. A command returns its exit
 * status: 0 success, 1 failure (with a message on stderr), 2 usage error.
 */
#ifndef UNISCOPE_CLI_H
#define UNISCOPE_CLI_H

#include <stdio.h>

#define EXIT_USAGE 2

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command name */
	const char *usage;                 /* "ps TARGET [--json]" */
	const char *summary;               /* one line */
	const char *help;                  /* more lines for `uniscope CMD --help`, or NULL */
};

/* "uniscope: <message>" on stderr; always returns 1 so `return cli_error(...)` reads well. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints usage for cmd and returns EXIT_USAGE. */
int cli_usage(const char *cmd);
/* 1 when argv has -h or --help anywhere before "--". */
int cli_wants_help(int argc, char **argv);
void cli_print_command_help(FILE *out, const struct cli_command *c);
const struct cli_command *cli_find(const char *name);

/*
 * listen.c: a listening socket on tcp:HOST:PORT (HOST defaults to
 * loopback; PORT 0 picks a free one) or unix:PATH (created 0600).
 * 0, or 1 with the error printed.
 */
int cli_listen(const char *addr, int *fd);
int cli_listen_unix(const char *path, int *fd);
/* "tcp:127.0.0.1:41234" or "unix:PATH": what a listening socket is bound to. */
void cli_listen_describe(int fd, char *out, size_t cap);
/* 1 when ADDR is a unix socket or TCP on loopback only, 0 when not, -1 when unclear. */
int cli_listen_is_loopback(const char *addr);
/*
 * accept4() for the GDB listeners: a TCP connection from loopback whose
 * socket another user owns is closed, and -1 returned with errno EACCES.
 */
int cli_accept(int listen_fd, int flags);

int cmd_run(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_wait(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_gdb(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_net(int argc, char **argv);
int cmd_bt(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_heap(int argc, char **argv);
int cmd_mem(int argc, char **argv);
int cmd_sym(int argc, char **argv);
int cmd_dis(int argc, char **argv);
int cmd_core(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_gdbserver(int argc, char **argv);
int cmd_replay(int argc, char **argv);

#endif
