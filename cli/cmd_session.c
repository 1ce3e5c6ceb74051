/*
 * uniscope ls, stop and gdb: the commands that manage sessions (wait and
 * rm, for ended ones, are in cmd_wait.c and cmd_rm.c).
 *
 * ls shows running sessions; --all adds the ended ones that detached runs
 * leave (introspect/session.h), with how each ended and where its core and
 * report are. A session whose launcher vanished without recording its end
 * is "lost": ls stops its QEMU (or Xen domain) and records it as ended, so
 * its console stays readable until `uniscope rm`.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "introspect_cli.h"
#include "run.h"
#include "introspect/uniscope.h"

static void read_stats(const struct session *s, char *out, size_t cap)
{
	struct session_stats st;

	if (session_stats_read(s, &st) < 0)
		snprintf(out, cap, "-");
	else
		snprintf(out, cap, "%llu/%llu/%llu", (unsigned long long)st.frames_in,
			 (unsigned long long)st.dropped_in, (unsigned long long)st.dropped_out);
}

/*
 * A Xen session whose launcher was killed leaves its domain behind: destroy
 * it, but only while the domain with that id still bears the session's name
 * (domids are reused).
 */
static void destroy_stale_domain(const struct session *s)
{
	char domid[16];
	struct us_error *err;
	struct us_xen *x;
	uint32_t found;
	pid_t pid;

	if (strcmp(s->platform, "xen") || s->domid <= 0)
		return;
	if (!(err = us_xen_open(&x))) {
		err = us_xen_domid_by_name(x, s->name, &found);
		us_xen_close(x);
	}
	if (err || found != (uint32_t)s->domid) {
		us_error_destroy(err);
		return;
	}
	snprintf(domid, sizeof(domid), "%d", s->domid);
	if ((pid = fork()) == 0) {
		execlp("xl", "xl", "destroy", domid, (char *)0);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

int cli_session_load(const char *name, struct session *s)
{
	char root[SESSION_PATH_MAX];
	struct us_error *err;

	if (!strchr(name, '/') && (err = session_root(root, sizeof(root), 0)))
		return err->code == US_ERR_NOT_FOUND
		       ? (us_error_destroy(err), cli_error("no session '%s' (uniscope ls --all lists "
							    "them)", name))
		       : cli_report(err);
	if (session_load(name, s) < 0)
		return cli_error("no session '%s' (uniscope ls --all lists them)", name);
	return 0;
}

/* Whether pid is the session's QEMU still: its command line names the session directory. */
static bool is_sessions_qemu(const struct session *s)
{
	char path[64], cmdline[16384];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)s->qemu_pid);
	if (s->qemu_pid <= 0 || !(f = fopen(path, "r")))
		return false;
	n = fread(cmdline, 1, sizeof(cmdline) - 1, f);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (!cmdline[i])
			cmdline[i] = ' ';
	cmdline[n] = 0;
	return strstr(cmdline, s->dir) != NULL;
}

void session_record_lost(struct session *s)
{
	struct session now;

	/* The launcher may have recorded its end since s was read: that is the truth. */
	if (session_load(s->dir, &now) == 0 && now.ended) {
		*s = now;
		return;
	}
	if (is_sessions_qemu(s)) /* not a process that took a dead QEMU's pid since */
		kill(s->qemu_pid, SIGKILL);
	destroy_stale_domain(s);
	session_prune_live_files(s);
	s->end = (struct session_end){ .how = SESSION_HOW_LOST, .exit_status = 1 };
	snprintf(s->end.detail, sizeof(s->end.detail), "its launcher (pid %d) vanished without "
		 "recording how the session ended (killed?)", (int)s->pid);
	session_write_status(s);
}

/*
 * Xen domains, after the sessions, when this is dom0 of a Xen host. Off Xen
 * (no /dev/xen/privcmd, a build without libxen) there is nothing to say.
 */
static int list_xen_domains(bool json, int n)
{
	struct us_xen_domain *doms = calloc(US_XEN_MAX_DOMAINS, sizeof(*doms));
	struct us_error *err;
	struct us_xen *x;
	size_t count = 0;

	if (!doms || (err = us_xen_open(&x))) {
		free(doms);
		return n;
	}
	if ((err = us_xen_list(x, doms, US_XEN_MAX_DOMAINS, &count))) {
		cli_error("cannot list Xen domains: %s", err->message);
		us_error_destroy(err);
	}
	if (!json && count)
		printf("\n%-6s %-24s %-9s %8s %5s %s\n", "DOMID", "DOMAIN", "STATE", "MEM(MiB)", "VCPUS",
		       "TARGET");
	for (size_t i = 0; i < count; i++, n++) {
		const struct us_xen_domain *d = &doms[i];
		unsigned long long mib = (unsigned long long)(d->tot_pages >> (20 - US_XEN_PAGE_SHIFT));
		if (json)
			printf("%s{\"xen_domid\":%u,\"name\":\"%s\",\"state\":\"%s\",\"mem_mib\":%llu,"
			       "\"vcpus\":%u,\"target\":\"xen:%u\"}", n ? "," : "", d->domid, d->name,
			       us_xen_state_name(d), mib, d->nr_vcpus, d->domid);
		else
			printf("%-6u %-24s %-9s %8llu %5u xen:%u\n", d->domid, d->name[0] ? d->name : "-",
			       us_xen_state_name(d), mib, d->nr_vcpus, d->domid);
	}
	us_xen_close(x);
	free(doms);
	return n;
}

/* NET: "-", "user", or the forwards as ADDR:HOST->GUEST,... (from the meta's ports). */
static void describe_net(const struct session *s, char *out, size_t cap)
{
	char copy[sizeof(s->ports)], *save = 0;
	size_t at = 0;

	snprintf(out, cap, "%s", s->net[0] ? s->net : "-");
	if (!s->ports[0])
		return;
	snprintf(copy, sizeof(copy), "%s", s->ports);
	for (char *p = strtok_r(copy, " ", &save); p && at < cap; p = strtok_r(0, " ", &save)) {
		char *guest = strrchr(p, ':');
		if (!guest)
			continue;
		*guest++ = 0;
		at += (size_t)snprintf(out + at, cap - at, "%s%s->%s", at ? "," : "", p, guest);
	}
}

/* The forwards as JSON objects: [{"host_addr":..., "host_port":..., "guest_port":...}, ...]. */
static void print_ports_json(const struct session *s)
{
	char copy[sizeof(s->ports)], *save = 0;
	int n = 0;

	snprintf(copy, sizeof(copy), "%s", s->ports);
	printf("[");
	for (char *p = strtok_r(copy, " ", &save); p; p = strtok_r(0, " ", &save)) {
		char addr[64];
		unsigned host, guest;
		if (sscanf(p, "%63[^:]:%u:%u", addr, &host, &guest) == 3)
			printf("%s{\"proto\":\"tcp\",\"host_addr\":\"%s\",\"host_port\":%u,\"guest_port\":%u}",
			       n++ ? "," : "", addr, host, guest);
	}
	printf("]");
}

struct ls_options {
	bool json, all;
};

static int parse_ls(int argc, char **argv, struct ls_options *o)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			o->json = true;
		else if (!strcmp(argv[i], "--all") || !strcmp(argv[i], "-a"))
			o->all = true;
		else
			return cli_error("ls: unknown argument '%s'", argv[i]), cli_usage("ls");
	}
	return 0;
}

static void print_header(const struct ls_options *o)
{
	if (o->json)
		printf("[");
	else if (o->all)
		printf("%-20s %-18s %8s %5s %-12s %-24s %s\n", "NAME", "STATUS", "PID", "ACCEL", "FRAMES", "NET",
		       "IMAGE");
	else
		printf("%-20s %8s %5s %-12s %-24s %s\n", "NAME", "PID", "ACCEL", "FRAMES", "NET", "IMAGE");
}

static void json_end(const struct session *s)
{
	const struct session_end *e = &s->end;
	char core[SESSION_PATH_MAX + 64] = "", report[SESSION_PATH_MAX + 64] = "";

	if (e->core[0])
		session_path(s, e->core, core, sizeof(core));
	if (e->report[0])
		session_path(s, e->report, report, sizeof(report));
	printf(",\"how\":\"%s\",\"exit_status\":%d,\"signal\":%d,\"ended_at\":%lld,"
	       "\"core\":\"%s\",\"report\":\"%s\",\"detail\":", session_how_name(e->how),
	       e->exit_status, e->signal, e->ended_at, core, report);
	us_json_string(stdout, e->detail);
}

static void print_json(const struct session *s, const char *stats, int n)
{
	printf("%s{\"name\":\"%s\",\"state\":\"%s\",\"pid\":%d,\"accel\":\"%s\",\"frames\":\"%s\","
	       "\"image\":\"%s\",\"dir\":\"%s\",\"platform\":\"%s\",\"domid\":%d,\"net\":\"%s\",\"ports\":",
	       n ? "," : "", s->name, s->ended ? "ended" : "running", (int)s->pid, s->accel, stats,
	       s->image, s->dir, s->platform[0] ? s->platform : "qemu", s->domid, s->net);
	print_ports_json(s);
	if (s->ended)
		json_end(s);
	printf("}");
}

/* An ended session's row, and below it where its core and report are. */
static void print_ended(const struct session *s, const char *stats)
{
	char status[64], core[SESSION_PATH_MAX + 64], report[SESSION_PATH_MAX + 64];

	session_describe_end(s, status, sizeof(status));
	printf("%-20s %-18s %8s %5s %-12s %-24s %s\n", s->name, status, "-", s->accel, stats, "-", s->image);
	if (s->end.core[0] || s->end.report[0]) {
		session_path(s, s->end.core, core, sizeof(core));
		session_path(s, s->end.report, report, sizeof(report));
		printf("%-20s core %s, report %s\n", "", s->end.core[0] ? core : "-",
		       s->end.report[0] ? report : "-");
	}
}

static bool list_session(const struct ls_options *o, struct session *s, int n)
{
	char stats[64], net[512];

	if (session_state(s) == SESSION_LOST)
		session_record_lost(s);
	if (s->ended && !o->all)
		return false;
	read_stats(s, stats, sizeof(stats));
	describe_net(s, net, sizeof(net));
	if (o->json)
		print_json(s, stats, n);
	else if (s->ended)
		print_ended(s, stats);
	else if (o->all)
		printf("%-20s %-18s %8d %5s %-12s %-24s %s\n", s->name, "running", (int)s->pid, s->accel, stats,
		       net, s->image);
	else
		printf("%-20s %8d %5s %-12s %-24s %s\n", s->name, (int)s->pid, s->accel, stats, net, s->image);
	return true;
}

int cmd_ls(int argc, char **argv)
{
	struct ls_options o = { 0 };
	char root[SESSION_PATH_MAX];
	struct us_error *err;
	struct dirent *e;
	DIR *d = NULL;
	int n = 0;

	if (parse_ls(argc, argv, &o))
		return EXIT_USAGE;
	if ((err = session_root(root, sizeof(root), 0)) && err->code != US_ERR_NOT_FOUND)
		return cli_report(err);
	if (!err)
		d = opendir(root);
	us_error_destroy(err);
	print_header(&o);
	while (d && (e = readdir(d))) {
		struct session s;
		if (e->d_name[0] != '.' && session_load(e->d_name, &s) == 0 && list_session(&o, &s, n))
			n++;
	}
	if (d)
		closedir(d);
	n = list_xen_domains(o.json, n);
	if (o.json)
		printf("]\n");
	return 0;
}

int cli_session_stop(const struct session *s)
{
	/* Under Xen the launcher runs `xl destroy`, seconds under emulation. */
	int wait_s = strcmp(s->platform, "xen") ? 5 : 30;

	if (kill(s->pid, SIGTERM) < 0)
		return cli_error("cannot stop '%s': %s", s->name, strerror(errno));
	for (int i = 0; i < wait_s * 20 && session_alive(s); i++)
		usleep(50000);
	if (session_alive(s))
		return cli_error("session '%s' (pid %d) did not stop within %d s", s->name, (int)s->pid,
				 wait_s);
	return 0;
}

int cmd_stop(int argc, char **argv)
{
	struct session s;
	char how[64];

	if (argc != 2)
		return cli_usage("stop");
	if (cli_session_load(argv[1], &s))
		return 1;
	switch (session_state(&s)) {
	case SESSION_RUNNING:
		return cli_session_stop(&s);
	case SESSION_ENDED:
		session_describe_end(&s, how, sizeof(how));
		fprintf(stderr, "uniscope: session '%s' has already ended (%s); uniscope rm %s "
			"removes it\n", argv[1], how, argv[1]);
		return 0;
	case SESSION_LOST:
		break;
	}
	return cli_error("session '%s' is lost: its launcher is gone (uniscope ls --all records it, "
			 "uniscope rm %s removes it)", argv[1], argv[1]);
}

int cmd_gdb(int argc, char **argv)
{
	char target[SESSION_PATH_MAX + 64];
	const char *args[64];
	struct session s;
	int n = 0;

	if (argc < 2)
		return cli_usage("gdb");
	if (cli_session_load(argv[1], &s))
		return 1;
	if (s.ended && s.end.core[0]) /* what is left of it: its core */
		session_path(&s, s.end.core, target, sizeof(target));
	else if (s.ended || !session_alive(&s))
		return cli_error("session '%s' is not running and left no core (uniscope ls --all)",
				 argv[1]);
	else
		snprintf(target, sizeof(target), "target remote %s/gdb.sock", s.dir);
	args[n++] = "gdb";
	args[n++] = "-q";
	if (!s.ended) {
		/*
		 * An emulated guest on a busy host can take seconds to stop and
		 * answer a debugger's first packet; with GDB's 2 s default the
		 * late answer is then read as the reply to the next packet.
		 */
		args[n++] = "-ex";
		args[n++] = "set remotetimeout 10";
		args[n++] = "-ex";
		args[n++] = target;
	}
	for (int i = 2; i < argc && n < 61; i++)
		args[n++] = argv[i];
	args[n++] = s.image;
	if (s.ended)
		args[n++] = target;
	args[n] = 0;
	execvp("gdb", (char *const *)args);
	return cli_error("cannot start gdb: %s (apt-get install gdb)", strerror(errno));
}
