/* Finding, describing and checking sessions (see session.h). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "session.h"

#define META_LINE_MAX 8192

int session_root(char *out, size_t cap, int create)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (xdg && *xdg)
		n = snprintf(out, cap, "%s/uniscope", xdg);
	else
		n = snprintf(out, cap, "/tmp/uniscope-%u", (unsigned)getuid());
	if (n < 0 || (size_t)n >= cap)
		return -ENAMETOOLONG;
	if (create && mkdir(out, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int session_path(const struct session *s, const char *file, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/%s", s->dir, file);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static void copy_value(char *dst, size_t cap, const char *value)
{
	snprintf(dst, cap, "%s", value);
}

static void meta_apply(struct session *s, const char *key, const char *value)
{
	if (!strcmp(key, "name"))
		copy_value(s->name, sizeof(s->name), value);
	else if (!strcmp(key, "image"))
		copy_value(s->image, sizeof(s->image), value);
	else if (!strcmp(key, "build_id"))
		copy_value(s->build_id, sizeof(s->build_id), value);
	else if (!strcmp(key, "accel"))
		copy_value(s->accel, sizeof(s->accel), value);
	else if (!strcmp(key, "gdb"))
		copy_value(s->gdb, sizeof(s->gdb), value);
	else if (!strcmp(key, "platform"))
		copy_value(s->platform, sizeof(s->platform), value);
	else if (!strcmp(key, "pid"))
		s->pid = (pid_t)strtol(value, 0, 10);
	else if (!strcmp(key, "qemu_pid"))
		s->qemu_pid = (pid_t)strtol(value, 0, 10);
	else if (!strcmp(key, "mem_size"))
		s->mem_size = strtoull(value, 0, 10);
	else if (!strcmp(key, "domid"))
		s->domid = (int)strtol(value, 0, 10);
	else if (!strcmp(key, "net"))
		copy_value(s->net, sizeof(s->net), value);
	else if (!strcmp(key, "ports"))
		copy_value(s->ports, sizeof(s->ports), value);
}

static int session_dir_for(const char *name_or_dir, char *dir, size_t cap)
{
	char root[SESSION_PATH_MAX];
	int n, err;

	if (strchr(name_or_dir, '/')) {
		n = snprintf(dir, cap, "%s", name_or_dir);
	} else {
		if ((err = session_root(root, sizeof(root), 0)) < 0)
			return err;
		n = snprintf(dir, cap, "%s/%s", root, name_or_dir);
	}
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static void skip_rest_of_line(FILE *f)
{
	int c;

	while ((c = getc(f)) != EOF && c != '\n')
		;
}

int session_load(const char *name_or_dir, struct session *s)
{
	char path[SESSION_PATH_MAX + 8], line[META_LINE_MAX];
	FILE *f;
	int err;

	memset(s, 0, sizeof(*s));
	s->domid = -1;
	if ((err = session_dir_for(name_or_dir, s->dir, sizeof(s->dir))) < 0)
		return err;
	snprintf(path, sizeof(path), "%s/meta", s->dir);
	if (!(f = fopen(path, "r")))
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');
		bool whole = strchr(line, '\n') || feof(f);
		line[strcspn(line, "\n")] = 0;
		if (!whole) /* over-long: its tail is no line of its own (it could smuggle a key) */
			skip_rest_of_line(f);
		if (!eq)
			continue;
		*eq = 0;
		meta_apply(s, line, eq + 1);
	}
	fclose(f);
	return s->name[0] ? 0 : -EINVAL;
}

int session_write_meta(const struct session *s)
{
	char path[SESSION_PATH_MAX + 16], tmp[SESSION_PATH_MAX + 16];
	FILE *f;

	snprintf(path, sizeof(path), "%s/meta", s->dir);
	snprintf(tmp, sizeof(tmp), "%s/meta.tmp", s->dir);
	if (!(f = fopen(tmp, "w")))
		return -errno;
	fprintf(f, "name=%s\nimage=%s\nbuild_id=%s\npid=%d\nqemu_pid=%d\nmem_size=%llu\n"
		   "accel=%s\ngdb=%s\nplatform=%s\ndomid=%d\nnet=%s\nports=%s\n",
		s->name, s->image, s->build_id, (int)s->pid, (int)s->qemu_pid,
		(unsigned long long)s->mem_size, s->accel, s->gdb, s->platform, s->domid, s->net, s->ports);
	if (fclose(f) != 0)
		return -errno;
	return rename(tmp, path) < 0 ? -errno : 0; /* readers never see half a file */
}

/* A zombie (killed, not yet reaped) launcher is not alive. */
static int process_is_zombie(pid_t pid)
{
	char path[64], buf[256];
	FILE *f;
	char *close_paren;
	int zombie = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return 0;
	if (fgets(buf, sizeof(buf), f) && (close_paren = strrchr(buf, ')')))
		zombie = close_paren[1] == ' ' && close_paren[2] == 'Z';
	fclose(f);
	return zombie;
}

int session_alive(const struct session *s)
{
	if (s->pid <= 0 || (kill(s->pid, 0) < 0 && errno != EPERM))
		return 0;
	return !process_is_zombie(s->pid);
}

/* Removes the session directory and everything in it (sessions hold no subdirectories). */
void session_remove_dir(const struct session *s)
{
	char path[SESSION_PATH_MAX + 300];
	DIR *d = opendir(s->dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(s->dir);
}
