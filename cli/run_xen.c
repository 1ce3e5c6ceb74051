/*
 * `uniscope run --platform xen`: the image as a PVH domain, from dom0.
 *
 * The domain is created by xl, the toolstack users already have, from a
 * configuration written into the session directory (xl_config.h), and
 * created paused (`xl create -p`), so nothing the guest prints is lost
 * before our end of its console is open. That end is the pty xenconsoled
 * makes for the domain's PV console (xenstore /local/domain/ID/console/tty),
 * set raw: no echo back into the guest, no line discipline on the frames.
 * The channel loop (run_loop.c) then treats the pty as the serial line.
 *
 * The domain's state is looked at between polls through xen_ctl.h. The
 * guest reports its exit status over the channel and then shuts down
 * (SCHEDOP_shutdown poweroff or crash); xl's own monitor destroys it on
 * poweroff, and keeps it on crash when --core-on-crash asked for
 * on_crash="preserve", so that the core can be written from the dead
 * domain. Whatever happens the domain does not outlive the session:
 * run_xen_finish() destroys it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "cli.h"
#include "run.h"
#include "xl_config.h"
#include "introspect/uniscope.h"

#define CONSOLE_WAIT_MS 15000
#define XL_TIMEOUT_MS 60000
#define CONSOLE_POLL_US 20000
#define TTY_PATH_MAX 128

struct run_xen {
	struct us_xen *ctl;
	uint32_t domid;
	bool created, shutdown, gone;
	unsigned shutdown_reason;
	uint64_t next_check_ms;
};

static int xen_error(struct us_error *err, const char *what)
{
	cli_error("%s: %s", what, err->message);
	us_error_destroy(err);
	return 1;
}

/* A toolstack that hangs must not hang the session: xl gets XL_TIMEOUT_MS. */
static int wait_xl(pid_t pid, const char *const *argv)
{
	uint64_t deadline = run_now_ms() + XL_TIMEOUT_MS;
	int status = 0;
	pid_t done;

	while ((done = waitpid(pid, &status, WNOHANG)) == 0 && run_now_ms() < deadline)
		usleep(20000);
	if (done == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		cli_error("'xl %s' did not finish within %d s: killed", argv[1], XL_TIMEOUT_MS / 1000);
		return 124;
	}
	if (done < 0)
		return cli_error("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Runs `xl ARGS...`, its output appended to the session's xl.log. */
static int run_xl(struct run_state *rs, const char *const *argv)
{
	char log[SESSION_PATH_MAX + 16];
	int fd;
	pid_t pid;

	session_path(&rs->session, "xl.log", log, sizeof(log));
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if ((pid = fork()) < 0)
		return cli_error("fork: %s", strerror(errno));
	if (pid == 0) {
		int null_fd = open("/dev/null", O_RDONLY);
		sigset_t none;
		/*
		 * The run loop blocks SIGCHLD (and more) for its signalfd and
		 * ignores SIGPIPE; exec keeps both. libxl waits for its own
		 * children through SIGCHLD: blocked, `xl destroy` waits forever.
		 */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		dup2(null_fd, 0);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp("xl", (char *const *)argv);
		fprintf(stderr, "uniscope: cannot start xl: %s\n", strerror(errno));
		_exit(127);
	}
	if (fd >= 0)
		close(fd);
	return wait_xl(pid, argv);
}

static int write_config(struct run_state *rs, char *path, size_t cap)
{
	char cmdline[XL_CMDLINE_MAX];
	struct xl_config c = { .name = rs->session.name, .kernel = rs->session.image,
			       .mem_bytes = rs->session.mem_size, .cmdline = cmdline,
			       .preserve_crash = rs->opt.core_on_crash,
			       .ramdisk = rs->rootfs_cpio[0] ? rs->rootfs_cpio : NULL };
	const char *why = NULL;
	FILE *f;
	int rc;

	if (xl_cmdline_join(cmdline, sizeof(cmdline), rs->opt.append, rs->opt.extra, rs->opt.nr_extra))
		return cli_error("the guest command line is longer than %d bytes", XL_CMDLINE_MAX - 1);
	session_path(&rs->session, "xl.cfg", path, cap);
	if (!(f = fopen(path, "w")))
		return cli_error("cannot write '%s': %s", path, strerror(errno));
	rc = xl_config_write(f, &c, &why);
	if (fclose(f) != 0 && rc == 0)
		return cli_error("cannot write '%s': %s", path, strerror(errno));
	return rc ? cli_error("cannot write the xl configuration: %s", why) : 0;
}

static void show_xl_log(struct run_state *rs)
{
	char path[SESSION_PATH_MAX + 16], line[512];
	FILE *f;

	session_path(&rs->session, "xl.log", path, sizeof(path));
	if (!(f = fopen(path, "r")))
		return;
	for (int i = 0; i < 40 && fgets(line, sizeof(line), f); i++)
		fprintf(stderr, "  xl: %s", line);
	fclose(f);
}

static int create_domain(struct run_state *rs)
{
	struct run_xen *x = rs->xen;
	char cfg[SESSION_PATH_MAX + 16];
	const char *argv[] = { "xl", "create", "-p", cfg, NULL };
	struct us_error *err;

	if (write_config(rs, cfg, sizeof(cfg)))
		return 1;
	if (run_xl(rs, argv) != 0) {
		cli_error("xl create failed for '%s':", cfg);
		show_xl_log(rs);
		return 1;
	}
	if ((err = us_xen_domid_by_name(x->ctl, rs->session.name, &x->domid)))
		return xen_error(err, "the domain xl created is not to be found");
	x->created = true;
	rs->session.domid = (int)x->domid;
	return 0;
}

/* xenconsoled publishes the pty once it has set the console up. */
static int console_tty(struct run_state *rs, char *tty, size_t cap)
{
	struct run_xen *x = rs->xen;
	char path[64];
	uint64_t deadline = run_now_ms() + CONSOLE_WAIT_MS;
	struct us_error *err;

	snprintf(path, sizeof(path), "/local/domain/%u/console/tty", x->domid);
	for (;;) {
		err = us_xen_store_read(x->ctl, path, tty, cap);
		if (!err && tty[0] == '/')
			return 0;
		if (err && err->code != US_ERR_NOT_FOUND)
			return xen_error(err, "cannot find the domain's console");
		us_error_destroy(err);
		if (run_now_ms() > deadline)
			return cli_error("domain %u has no console pty after %d s (is xenconsoled "
					 "running?)", x->domid, CONSOLE_WAIT_MS / 1000);
		usleep(CONSOLE_POLL_US);
	}
}

static int open_console(struct run_state *rs)
{
	char tty[TTY_PATH_MAX];
	struct termios t;
	int fd;

	if (console_tty(rs, tty, sizeof(tty)))
		return 1;
	fd = open(tty, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return cli_error("cannot open the domain's console '%s': %s", tty, strerror(errno));
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	rs->serial_fd = rs->serial_tx_fd = fd;
	return 0;
}

static bool domain_exists(struct run_xen *x)
{
	struct us_xen_domain d;
	struct us_error *err = us_xen_domain_info(x->ctl, x->domid, &d);
	bool gone = err && err->code == US_ERR_NOT_FOUND;

	us_error_destroy(err);
	return !gone;
}

static void destroy_domain(struct run_state *rs)
{
	struct run_xen *x = rs->xen;
	char domid[16];
	const char *argv[] = { "xl", "destroy", domid, NULL };

	if (!x->created || x->gone || !domain_exists(x))
		return;
	snprintf(domid, sizeof(domid), "%u", x->domid);
	/* xl's monitor may be destroying it at the same moment: only a domain
	 * still there after a failed destroy is worth a word. */
	if (run_xl(rs, argv) != 0 && domain_exists(x))
		cli_error("xl destroy %u failed (see %s/xl.log); destroy it by hand", x->domid,
			  rs->session.dir);
	x->gone = true;
}

static int start_domain(struct run_state *rs)
{
	struct run_xen *x = rs->xen;
	struct us_error *err;

	if (create_domain(rs) || open_console(rs))
		return 1;
	snprintf(rs->session.accel, sizeof(rs->session.accel), "xen");
	if (session_write_meta(&rs->session) < 0)
		return cli_error("cannot write the session's metadata in '%s'", rs->session.dir);
	if ((err = us_xen_unpause(x->ctl, x->domid)))
		return xen_error(err, "cannot start the domain");
	return 0;
}

int run_xen_start(struct run_state *rs)
{
	struct us_error *err;

	if (!(rs->xen = calloc(1, sizeof(*rs->xen))))
		return cli_error("out of memory");
	if ((err = us_xen_open(&rs->xen->ctl)))
		return xen_error(err, "--platform xen");
	if (start_domain(rs)) {
		destroy_domain(rs);
		return 1;
	}
	return 0;
}

void run_xen_check(struct run_state *rs)
{
	struct run_xen *x = rs->xen;
	struct us_xen_domain d;
	struct us_error *err;
	uint64_t now = run_now_ms();

	if (now < x->next_check_ms && !rs->serial_hup)
		return;
	x->next_check_ms = now + RUN_XEN_CHECK_MS;
	if ((err = us_xen_domain_info(x->ctl, x->domid, &d))) {
		if (err->code == US_ERR_NOT_FOUND)
			x->gone = rs->guest_ended = true;
		us_error_destroy(err); /* anything else: look again next time */
		return;
	}
	if (d.shutdown || d.dying) {
		x->shutdown = d.shutdown;
		x->shutdown_reason = d.shutdown_reason;
		rs->guest_ended = true;
	}
}

/* Our end of the console pty goes first: nothing reads it any more. */
static void close_console(struct run_state *rs)
{
	if (rs->serial_fd >= 0)
		close(rs->serial_fd);
	rs->serial_fd = rs->serial_tx_fd = -1;
	rs->serial_hup = true;
}

void run_xen_stop(struct run_state *rs)
{
	close_console(rs);
	destroy_domain(rs);
	rs->guest_ended = true;
}

int run_xen_finish(struct run_state *rs)
{
	struct run_xen *x = rs->xen;
	int status = -1;

	if (x->shutdown && x->shutdown_reason == US_XEN_SHUTDOWN_CRASH)
		run_crash_capture_dead(rs);
	close_console(rs);
	destroy_domain(rs);
	if (x->shutdown && x->shutdown_reason == US_XEN_SHUTDOWN_POWEROFF)
		status = 0;
	else if (x->shutdown && x->shutdown_reason == US_XEN_SHUTDOWN_CRASH)
		status = 125;
	us_xen_close(x->ctl);
	x->ctl = NULL;
	return status;
}
