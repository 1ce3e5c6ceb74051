/*
 * uniscope run: boot an image under QEMU, or as a Xen PVH domain
 * (--platform xen), inside a session (see introspect/session.h), speak the
 * console channel with it, show its console, and exit with its exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "run.h"
#include "record.h"
#include "introspect/uniscope.h"

#define DEFAULT_MEM (128ull << 20)

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	switch (*end) {
	case 'G': case 'g': v <<= 30; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'K': case 'k': v <<= 10; end++; break;
	case 0: break;
	default: return -1;
	}
	if (*end || v < (16ull << 20) || v > (64ull << 30))
		return -1;
	*out = v;
	return 0;
}

static int option_value(int argc, char **argv, int *i, const char **out)
{
	if (*i + 1 >= argc)
		return cli_error("option '%s' needs a value (see uniscope run --help)", argv[*i]);
	*out = argv[++*i];
	return 0;
}

/*
 * The GDB port has no authentication beyond the owner check on loopback
 * (cli_accept): one reachable from other machines is the user's explicit
 * choice, and a loud one.
 */
static int check_gdb_address(const struct run_options *o)
{
	int loopback = o->gdb_addr ? cli_listen_is_loopback(o->gdb_addr) : 1;

	if (loopback < 0)
		return cli_error("--gdb '%s': not an address this machine can listen on "
				 "(tcp:HOST:PORT or unix:PATH)", o->gdb_addr), EXIT_USAGE;
	if (!loopback && !o->gdb_allow_remote)
		return cli_error("--gdb '%s' listens beyond this machine, where anyone who reaches "
				 "the port controls the image (add --gdb-allow-remote if that is meant)",
				 o->gdb_addr), EXIT_USAGE;
	if (!loopback)
		fprintf(stderr, "uniscope: warning: GDB on '%s' is open to other machines, with no "
			"authentication: anyone who reaches it can stop, read and change the image\n",
			o->gdb_addr);
	return 0;
}

static int parse_run_options(int argc, char **argv, struct run_options *o)
{
	const char *mem = 0, *platform = 0;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i];
		int err = 0;
		if (!strcmp(a, "--name")) err = option_value(argc, argv, &i, &o->name);
		else if (!strcmp(a, "--mem")) err = option_value(argc, argv, &i, &mem);
		else if (!strcmp(a, "--accel")) err = option_value(argc, argv, &i, &o->accel);
		else if (!strcmp(a, "--gdb")) err = option_value(argc, argv, &i, &o->gdb_addr);
		else if (!strcmp(a, "--trace")) err = option_value(argc, argv, &i, &o->trace_file);
		else if (!strcmp(a, "--append")) err = option_value(argc, argv, &i, &o->append);
		else if (!strcmp(a, "--platform")) err = option_value(argc, argv, &i, &platform);
		else if (!strcmp(a, "--rootfs")) err = option_value(argc, argv, &i, &o->rootfs);
		else if (!strcmp(a, "--env")) {
			if (o->nr_env >= RUN_MAX_ENV)
				return cli_error("too many --env (at most %d)", RUN_MAX_ENV), EXIT_USAGE;
			err = option_value(argc, argv, &i, &o->env[o->nr_env++]);
		}
		else if (!strcmp(a, "--port")) {
			if (o->nr_ports >= RUN_MAX_PORTS)
				return cli_error("too many --port (at most %d)", RUN_MAX_PORTS), EXIT_USAGE;
			err = option_value(argc, argv, &i, &o->ports[o->nr_ports++]);
		}
		else if (!strcmp(a, "--net")) o->net = true;
		else if (!strcmp(a, "--detach")) o->detach = true;
		else if (!strcmp(a, "--gdb-allow-remote")) o->gdb_allow_remote = true;
		else if (!strcmp(a, "--gdb-kill")) o->gdb_kill = true;
		else if (!strcmp(a, "--core-on-crash")) o->core_on_crash = true;
		else if (!strcmp(a, "--record")) err = option_value(argc, argv, &i, &o->record_dir);
		else return cli_error("unknown option '%s' (see uniscope run --help)", a), EXIT_USAGE;
		if (err)
			return EXIT_USAGE;
	}
	if (i >= argc || !strcmp(argv[i], "--"))
		return cli_usage("run");
	o->image = argv[i++];
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	else if (i < argc)
		return cli_error("unexpected '%s' after the image (QEMU arguments, or the guest command "
				 "line under Xen, go after --)", argv[i]), EXIT_USAGE;
	for (; i < argc; i++) {
		if (o->nr_extra >= RUN_MAX_EXTRA_ARGS)
			return cli_error("too many arguments after -- (at most %d)", RUN_MAX_EXTRA_ARGS), EXIT_USAGE;
		o->extra[o->nr_extra++] = argv[i];
	}
	if (platform && strcmp(platform, "qemu") && strcmp(platform, "xen"))
		return cli_error("--platform takes qemu or xen, not '%s'", platform), EXIT_USAGE;
	o->xen = platform && !strcmp(platform, "xen");
	if (o->xen && o->accel)
		return cli_error("--accel is for QEMU; a Xen domain runs as Xen runs it"), EXIT_USAGE;
	o->mem_size = DEFAULT_MEM;
	if (mem && parse_size(mem, &o->mem_size) < 0)
		return cli_error("'%s' is not a memory size between 16M and 64G", mem), EXIT_USAGE;
	if (o->accel && strcmp(o->accel, "kvm") && strcmp(o->accel, "tcg"))
		return cli_error("--accel takes kvm or tcg, not '%s'", o->accel), EXIT_USAGE;
	if (run_net_check(o))
		return EXIT_USAGE;
	if (o->record_dir) {
		int err = run_record_check(o);
		if (err)
			return err;
	}
	return check_gdb_address(o);
}

static bool valid_session_name(const char *name)
{
	if (!*name || strlen(name) >= SESSION_NAME_MAX || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

static void default_name(const char *image, char *out, size_t cap)
{
	char copy[PATH_MAX];
	char *base, *dot;

	snprintf(copy, sizeof(copy), "%s", image);
	base = basename(copy);
	if ((dot = strrchr(base, '.')) && dot != base)
		*dot = 0;
	snprintf(out, cap, "%s", base);
}

/*
 * Whether NAME is free: no session, or one whose launcher is gone. An
 * ended session keeps its name, so a default name passes it by (NAME-2);
 * a name given with --name takes its place, since the user chose it.
 */
static bool name_is_free(const char *name, bool explicit_name)
{
	struct session other;
	char how[64];

	if (session_load(name, &other) < 0)
		return true;
	switch (session_state(&other)) {
	case SESSION_RUNNING: return false;
	case SESSION_LOST: return true;
	case SESSION_ENDED: break;
	}
	if (!explicit_name)
		return false;
	session_describe_end(&other, how, sizeof(how));
	fprintf(stderr, "uniscope: replacing the ended session '%s' (%s)\n", name, how);
	return true;
}

/* Picks NAME, NAME-2, NAME-3...: the first free one. */
static int choose_name(struct run_state *rs, bool explicit_name)
{
	char base[SESSION_NAME_MAX], candidate[SESSION_NAME_MAX + 8];

	snprintf(base, sizeof(base), "%s", rs->session.name);
	for (int n = 1; n < 1000; n++) {
		if (n == 1)
			snprintf(candidate, sizeof(candidate), "%s", base);
		else
			snprintf(candidate, sizeof(candidate), "%.*s-%d", SESSION_NAME_MAX - 8, base, n);
		if (name_is_free(candidate, explicit_name)) {
			snprintf(rs->session.name, sizeof(rs->session.name), "%.*s", SESSION_NAME_MAX - 1, candidate);
			return 0;
		}
		if (explicit_name)
			return cli_error("a session named '%s' is already running (uniscope stop %s)",
					 candidate, candidate);
	}
	return cli_error("too many sessions named '%s' (uniscope ls --all; uniscope rm NAME)", base);
}

int run_fill_session(struct run_state *rs)
{
	struct session *s = &rs->session;

	if (!realpath(rs->opt.image, s->image))
		return cli_error("'%s': %s", rs->opt.image, strerror(errno));
	if (rs->opt.name) {
		if (!valid_session_name(rs->opt.name))
			return cli_error("'%s' is not a session name (letters, digits, - _ .)", rs->opt.name);
		snprintf(s->name, sizeof(s->name), "%s", rs->opt.name);
	} else {
		default_name(rs->opt.image, s->name, sizeof(s->name));
	}
	if (choose_name(rs, rs->opt.name != 0))
		return 1;
	s->mem_size = rs->opt.mem_size;
	s->domid = -1;
	s->detached = rs->opt.detach;
	snprintf(s->platform, sizeof(s->platform), "%s", rs->opt.xen ? "xen" : "qemu");
	snprintf(s->gdb, sizeof(s->gdb), "%s", rs->opt.gdb_addr ? rs->opt.gdb_addr : "");
	run_net_describe(&rs->opt, s);
	return 0;
}

/*
 * The parent of a detached session that ended before it said it was up:
 * a guest that ran and ended that fast started all the same (its name is
 * printed, `uniscope wait` gives its status); otherwise what is left of
 * the session that did not start, and where.
 */
static int detach_ended_early(struct run_state *rs, pid_t child)
{
	struct session s;
	char how[64];

	waitpid(child, NULL, 0); /* it has said what went wrong on our stderr */
	if (session_load(rs->session.name, &s) < 0 || !s.ended)
		return cli_error("session '%s' did not start", rs->session.name);
	if (s.end.how != SESSION_HOW_FAILED && s.end.how != SESSION_HOW_UNKNOWN) {
		printf("%s\n", s.name);
		return 0;
	}
	session_describe_end(&s, how, sizeof(how));
	return cli_error("session '%s' did not start (%s); its console and logs stay in '%s' "
			 "(uniscope rm %s removes them)", s.name, how, s.dir, s.name);
}

/*
 * --detach: the child runs the session; the parent waits until it is up.
 * Until then the child keeps the caller's stderr, so why it could not
 * start (QEMU's own error too) reaches the user; run_detached_quiet()
 * lets go of it once the session runs.
 */
int run_detach(struct run_state *rs)
{
	int pipefd[2];
	char status = 1;
	pid_t pid;

	if (pipe(pipefd) < 0)
		return cli_error("pipe: %s", strerror(errno));
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return cli_error("fork: %s", strerror(errno));
	if (pid == 0) {
		int null_fd = open("/dev/null", O_RDWR);
		close(pipefd[0]);
		setsid();
		/* Let go of the caller's terminal or pipe: $(uniscope run --detach) returns. */
		dup2(null_fd, STDIN_FILENO);
		dup2(null_fd, STDOUT_FILENO);
		close(null_fd);
		rs->ready_fd = pipefd[1];
		return 0;
	}
	close(pipefd[1]);
	if (read(pipefd[0], &status, 1) != 1 || status != 0)
		exit(detach_ended_early(rs, pid));
	printf("%s\n", rs->session.name);
	exit(0);
}

void run_detached_quiet(void)
{
	int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (null_fd >= 0) {
		dup2(null_fd, STDERR_FILENO);
		close(null_fd);
	}
}

/* Refuses, before any hypervisor starts, a file that is no bootable PVH image. */
static int check_image(const struct run_options *o)
{
	struct us_pvh_image pvh;
	struct us_error *err = us_pvh_image_check(o->image, o->mem_size, &pvh);

	if (!err)
		return 0;
	cli_error("%s", err->message);
	us_error_destroy(err);
	return 1;
}

int cmd_run(int argc, char **argv)
{
	struct run_state *rs = calloc(1, sizeof(*rs));
	int err, status;

	if (!rs)
		return cli_error("out of memory");
	rs->ready_fd = -1;
	if ((err = parse_run_options(argc, argv, &rs->opt)) || (err = run_compose_append(rs)))
		return err;
	if (access(rs->opt.image, R_OK) < 0)
		return cli_error("'%s': %s", rs->opt.image, strerror(errno));
	if (check_image(&rs->opt) || run_fill_session(rs))
		return 1;
	/* Everything the session writes, QEMU's sockets and the guest's RAM too, is ours alone. */
	umask(077);
	if (rs->opt.detach && run_detach(rs))
		return 1;
	if (run_session_create(rs) || run_pack_rootfs(rs) ||
	    (rs->opt.record_dir && run_record_start(rs)) ||
	    (rs->opt.xen ? run_xen_start(rs) : run_qemu_start(rs))) {
		run_session_remove(rs);
		return 1;
	}
	status = run_loop(rs);
	if (rs->opt.record_dir)
		run_record_finish(rs);
	run_session_finish(rs);
	free(rs);
	return status;
}
