/* uniscope ls, stop and gdb: the commands that manage sessions. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "run.h"
#include "../introspect/xen_ctl.h"

static void read_stats(const struct session *s, char *out, size_t cap)
{
	char path[SESSION_PATH_MAX + 16], line[128];
	unsigned in = 0, dropped_in = 0, dropped_out = 0, v;
	FILE *f;

	session_path(s, "stats", path, sizeof(path));
	snprintf(out, cap, "-");
	if (!(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "frames_in=%u", &v) == 1) in = v;
		else if (sscanf(line, "dropped_in=%u", &v) == 1) dropped_in = v;
		else if (sscanf(line, "dropped_out=%u", &v) == 1) dropped_out = v;
	}
	fclose(f);
	snprintf(out, cap, "%u/%u/%u", in, dropped_in, dropped_out);
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

static void remove_stale(const struct session *s)
{
	if (s->qemu_pid > 0)
		kill(s->qemu_pid, SIGKILL);
	destroy_stale_domain(s);
	session_remove_dir(s);
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

int cmd_ls(int argc, char **argv)
{
	char root[SESSION_PATH_MAX], stats[64], net[512];
	bool json = argc > 1 && !strcmp(argv[1], "--json");
	struct dirent *e;
	DIR *d = NULL;
	int n = 0;

	if (json)
		printf("[");
	else
		printf("%-20s %8s %5s %-12s %-24s %s\n", "NAME", "PID", "ACCEL", "FRAMES", "NET", "IMAGE");
	if (session_root(root, sizeof(root), 0) == 0)
		d = opendir(root);
	while (d && (e = readdir(d))) {
		struct session s;
		if (e->d_name[0] == '.' || session_load(e->d_name, &s) < 0)
			continue;
		if (!session_alive(&s)) {
			remove_stale(&s);
			continue;
		}
		read_stats(&s, stats, sizeof(stats));
		describe_net(&s, net, sizeof(net));
		if (json) {
			printf("%s{\"name\":\"%s\",\"pid\":%d,\"accel\":\"%s\",\"frames\":\"%s\",\"image\":\"%s\",\"dir\":\"%s\","
			       "\"platform\":\"%s\",\"domid\":%d,\"net\":\"%s\",\"ports\":",
			       n ? "," : "", s.name, (int)s.pid, s.accel, stats, s.image, s.dir,
			       s.platform[0] ? s.platform : "qemu", s.domid, s.net);
			print_ports_json(&s);
			printf("}");
		} else {
			printf("%-20s %8d %5s %-12s %-24s %s\n", s.name, (int)s.pid, s.accel, stats, net, s.image);
		}
		n++;
	}
	if (d)
		closedir(d);
	n = list_xen_domains(json, n);
	if (json)
		printf("]\n");
	return 0;
}

int cmd_stop(int argc, char **argv)
{
	struct session s;
	int wait_s;

	if (argc != 2)
		return cli_usage("stop");
	if (session_load(argv[1], &s) < 0 || !session_alive(&s))
		return cli_error("no running session '%s' (uniscope ls lists them)", argv[1]);
	/* Under Xen the launcher runs `xl destroy`, seconds under emulation. */
	wait_s = strcmp(s.platform, "xen") ? 5 : 30;
	if (kill(s.pid, SIGTERM) < 0)
		return cli_error("cannot stop '%s': %s", argv[1], strerror(errno));
	for (int i = 0; i < wait_s * 20 && session_alive(&s); i++)
		usleep(50000);
	if (session_alive(&s))
		return cli_error("session '%s' (pid %d) did not stop within %d s", argv[1], (int)s.pid,
				 wait_s);
	return 0;
}

int cmd_gdb(int argc, char **argv)
{
	char target[SESSION_PATH_MAX + 64];
	const char *args[64];
	struct session s;
	int n = 0;

	if (argc < 2)
		return cli_usage("gdb");
	if (session_load(argv[1], &s) < 0 || !session_alive(&s))
		return cli_error("no running session '%s' (uniscope ls lists them)", argv[1]);
	snprintf(target, sizeof(target), "target remote %s/gdb.sock", s.dir);
	args[n++] = "gdb";
	args[n++] = "-q";
	args[n++] = "-ex";
	args[n++] = target;
	for (int i = 2; i < argc && n < 62; i++)
		args[n++] = argv[i];
	args[n++] = s.image;
	args[n] = 0;
	execvp("gdb", (char *const *)args);
	return cli_error("cannot start gdb: %s (apt-get install gdb)", strerror(errno));
}
