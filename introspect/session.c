/*
 * Finding, describing and checking sessions (see session.h).
 *
 * Session files are read as untrusted text: lines are bounded, values
 * copied into fixed fields, numbers parsed with no trust in their range.
 * Whatever a session writes it writes 0600 (its directory is 0700), and
 * the root holding all sessions is checked before anything in it is
 * believed: another local user who could create it, or plant a symlink in
 * its place, could otherwise list fake sessions and answer for them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "session.h"

#define KEY_VALUE_LINE_MAX 8192
#define KEY_VALUE_LINES_MAX 64

static const char *const how_names[SESSION_HOW_COUNT] = {
	[SESSION_HOW_UNKNOWN] = "unknown",
	[SESSION_HOW_EXIT] = "exit",
	[SESSION_HOW_PANIC] = "panic",
	[SESSION_HOW_FAULT] = "fault",
	[SESSION_HOW_ASSERT] = "assert",
	[SESSION_HOW_STACK_OVERFLOW] = "stack-overflow",
	[SESSION_HOW_CRASH] = "crash",
	[SESSION_HOW_KILLED] = "killed",
	[SESSION_HOW_STOPPED] = "stopped",
	[SESSION_HOW_FAILED] = "failed",
	[SESSION_HOW_LOST] = "lost",
};

const char *session_how_name(enum session_how how)
{
	return how < SESSION_HOW_COUNT ? how_names[how] : how_names[SESSION_HOW_UNKNOWN];
}

enum session_how session_how_from_name(const char *name)
{
	for (int i = 0; i < SESSION_HOW_COUNT; i++)
		if (!strcmp(how_names[i], name))
			return (enum session_how)i;
	return SESSION_HOW_UNKNOWN;
}

/* ---- the root ----------------------------------------------------------- */

static int root_path(char *out, size_t cap)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (xdg && *xdg)
		n = snprintf(out, cap, "%s/uniscope", xdg);
	else
		n = snprintf(out, cap, "/tmp/uniscope-%u", (unsigned)getuid());
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* As ssh-agent and tmux check theirs: a real directory, ours, closed to others. */
static struct us_error *check_root(const char *root, const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return us_error_create(US_ERR_INVALID, "the session directory '%s' is a symbolic link: "
				       "refusing to use it (someone may have planted it; remove it, "
				       "or set XDG_RUNTIME_DIR)", root);
	if (!S_ISDIR(st->st_mode))
		return us_error_create(US_ERR_INVALID, "the session directory '%s' is not a directory "
				       "(remove it, or set XDG_RUNTIME_DIR)", root);
	if (st->st_uid != getuid())
		return us_error_create(US_ERR_INVALID, "the session directory '%s' belongs to uid %u, "
				       "not to you (uid %u): refusing to use it (another user may "
				       "have made it; remove it, or set XDG_RUNTIME_DIR)", root,
				       (unsigned)st->st_uid, (unsigned)getuid());
	if (st->st_mode & 077)
		return us_error_create(US_ERR_INVALID, "the session directory '%s' is open to others "
				       "(mode %04o): refusing to use it (what is in it may not be "
				       "yours; remove it, or chmod 700 it if you trust it)", root,
				       (unsigned)(st->st_mode & 07777));
	return NULL;
}

struct us_error *session_root(char *out, size_t cap, int create)
{
	struct stat st;
	int err;

	if ((err = root_path(out, cap)) < 0)
		return us_error_errno(-err, "the session directory's path is too long");
	if (lstat(out, &st) < 0 && errno == ENOENT && create) {
		if (mkdir(out, 0700) < 0 && errno != EEXIST)
			return us_error_errno(errno, "cannot create the session directory '%s'", out);
	}
	if (lstat(out, &st) < 0)
		return errno == ENOENT ? us_error_create(US_ERR_NOT_FOUND, "no session directory "
							 "'%s' (no session was started)", out)
				       : us_error_errno(errno, "cannot look at '%s'", out);
	return check_root(out, &st);
}

int session_path(const struct session *s, const char *file, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s/%s", s->dir, file);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* ---- reading meta and status ----------------------------------------------- */

static void copy_value(char *dst, size_t cap, const char *value)
{
	snprintf(dst, cap, "%s", value);
}

static long long number(const char *value)
{
	return strtoll(value, 0, 10);
}

static void meta_apply(void *session, const char *key, const char *value)
{
	struct session *s = session;

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
		s->pid = (pid_t)number(value);
	else if (!strcmp(key, "qemu_pid"))
		s->qemu_pid = (pid_t)number(value);
	else if (!strcmp(key, "mem_size"))
		s->mem_size = strtoull(value, 0, 10);
	else if (!strcmp(key, "domid"))
		s->domid = (int)number(value);
	else if (!strcmp(key, "detached"))
		s->detached = number(value) == 1;
	else if (!strcmp(key, "net"))
		copy_value(s->net, sizeof(s->net), value);
	else if (!strcmp(key, "ports"))
		copy_value(s->ports, sizeof(s->ports), value);
}

static void status_apply(void *session, const char *key, const char *value)
{
	struct session_end *e = &((struct session *)session)->end;

	if (!strcmp(key, "how"))
		e->how = session_how_from_name(value);
	else if (!strcmp(key, "exit_status"))
		e->exit_status = (int)number(value);
	else if (!strcmp(key, "signal"))
		e->signal = (int)number(value);
	else if (!strcmp(key, "ended_at"))
		e->ended_at = number(value);
	else if (!strcmp(key, "core"))
		copy_value(e->core, sizeof(e->core), value);
	else if (!strcmp(key, "report"))
		copy_value(e->report, sizeof(e->report), value);
	else if (!strcmp(key, "detail"))
		copy_value(e->detail, sizeof(e->detail), value);
}

/* A file name kept in status must stay inside the session directory. */
static void sanitize_file_name(char *name)
{
	if (strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, "."))
		name[0] = 0;
}

/*
 * The next line of f into line (NUL-terminated, without its newline): at
 * most cap - 1 bytes of it; the rest of a longer line is skipped, never
 * read as a line of its own (it could smuggle a key). *clean is false when
 * the line holds a NUL byte (fgets would hide what follows one, and take a
 * line for over-long). 0 at the end of the file.
 */
static int read_line(FILE *f, char *line, size_t cap, bool *clean)
{
	size_t len = 0;
	int c = EOF;

	*clean = true;
	while ((c = getc(f)) != EOF && c != '\n') {
		if (c == 0)
			*clean = false;
		if (len + 1 < cap)
			line[len++] = (char)c;
	}
	line[len] = 0;
	return len || c == '\n';
}

int session_read_key_values(const struct session *s, const char *file,
			    session_key_value_fn *apply, void *ctx)
{
	char path[SESSION_PATH_MAX + 16], line[KEY_VALUE_LINE_MAX];
	bool clean;
	FILE *f;

	if (session_path(s, file, path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	if (!(f = fopen(path, "r")))
		return -errno;
	for (int i = 0; i < KEY_VALUE_LINES_MAX && read_line(f, line, sizeof(line), &clean); i++) {
		char *eq = strchr(line, '=');
		if (!clean || !eq)
			continue;
		*eq = 0;
		apply(ctx, line, eq + 1);
	}
	fclose(f);
	return 0;
}

static int session_dir_for(const char *name_or_dir, char *dir, size_t cap)
{
	char root[SESSION_PATH_MAX];
	struct us_error *err;
	int n;

	if (strchr(name_or_dir, '/')) {
		n = snprintf(dir, cap, "%s", name_or_dir);
	} else {
		if ((err = session_root(root, sizeof(root), 0))) {
			us_error_destroy(err);
			return -EPERM;
		}
		n = snprintf(dir, cap, "%s/%s", root, name_or_dir);
	}
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

int session_load(const char *name_or_dir, struct session *s)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->domid = -1;
	if ((err = session_dir_for(name_or_dir, s->dir, sizeof(s->dir))) < 0)
		return err;
	if ((err = session_read_key_values(s, "meta", meta_apply, s)) < 0)
		return err;
	if (session_read_key_values(s, "status", status_apply, s) == 0) {
		s->ended = 1;
		sanitize_file_name(s->end.core);
		sanitize_file_name(s->end.report);
	}
	return s->name[0] ? 0 : -EINVAL;
}

/* ---- writing ------------------------------------------------------------ */

/* FILE written whole through FILE.tmp and a rename: readers never see half a file. */
static int write_atomically(const struct session *s, const char *file, const char *text)
{
	char path[SESSION_PATH_MAX + 16], tmp[SESSION_PATH_MAX + 16];
	size_t len = strlen(text);
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", s->dir, file);
	snprintf(tmp, sizeof(tmp), "%s/%s.tmp", s->dir, file);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return -errno;
	ok = write(fd, text, len) == (ssize_t)len;
	if (close(fd) < 0 || !ok) {
		unlink(tmp);
		return -EIO;
	}
	return rename(tmp, path) < 0 ? -errno : 0;
}

int session_write_meta(const struct session *s)
{
	char text[3 * SESSION_PATH_MAX + sizeof(s->ports) + sizeof(s->net) + 64];

	snprintf(text, sizeof(text), "name=%s\nimage=%s\nbuild_id=%s\npid=%d\nqemu_pid=%d\n"
		 "mem_size=%llu\naccel=%s\ngdb=%s\nplatform=%s\ndomid=%d\ndetached=%d\nnet=%s\nports=%s\n",
		 s->name, s->image, s->build_id, (int)s->pid, (int)s->qemu_pid,
		 (unsigned long long)s->mem_size, s->accel, s->gdb, s->platform, s->domid,
		 s->detached, s->net, s->ports);
	return write_atomically(s, "meta", text);
}

/* A detail is one line: newlines would make new keys. */
static void one_line(char *text)
{
	for (char *p = text; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

int session_write_status(struct session *s)
{
	struct session_end *e = &s->end;
	char text[1024];

	if (!e->ended_at)
		e->ended_at = (long long)time(NULL);
	one_line(e->detail);
	snprintf(text, sizeof(text), "how=%s\nexit_status=%d\nsignal=%d\nended_at=%lld\ncore=%s\n"
		 "report=%s\ndetail=%s\n", session_how_name(e->how), e->exit_status, e->signal,
		 e->ended_at, e->core, e->report, e->detail);
	s->ended = 1;
	return write_atomically(s, "status", text);
}

/* ---- state ----------------------------------------------------------------- */

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

/*
 * The status file is written just before the launcher exits: a launcher
 * still alive with a status is finishing, and counts as ended.
 */
enum session_state session_state(const struct session *s)
{
	if (s->ended)
		return SESSION_ENDED;
	return session_alive(s) ? SESSION_RUNNING : SESSION_LOST;
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGKILL: return "SIGKILL";
	case SIGTERM: return "SIGTERM";
	case SIGINT: return "SIGINT";
	case SIGHUP: return "SIGHUP";
	case SIGSEGV: return "SIGSEGV";
	case SIGABRT: return "SIGABRT";
	default: return NULL;
	}
}

void session_describe_end(const struct session *s, char *out, size_t cap)
{
	const struct session_end *e = &s->end;
	const char *sig = signal_name(e->signal);

	if (!s->ended)
		snprintf(out, cap, "%s", session_alive(s) ? "running" : "lost");
	else if (e->how == SESSION_HOW_EXIT)
		snprintf(out, cap, "exited %d", e->exit_status);
	else if (e->how == SESSION_HOW_KILLED && sig)
		snprintf(out, cap, "killed (%s)", sig);
	else if (e->how == SESSION_HOW_KILLED)
		snprintf(out, cap, "killed (signal %d)", e->signal);
	else if (e->how == SESSION_HOW_LOST)
		snprintf(out, cap, "lost");
	else
		snprintf(out, cap, "%s %d", session_how_name(e->how), e->exit_status);
}

/* ---- removing --------------------------------------------------------------- */

static void remove_entries(const struct session *s, int live_only)
{
	char path[SESSION_PATH_MAX + 300];
	DIR *d = opendir(s->dir);
	struct dirent *e;
	struct stat st;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", s->dir, e->d_name);
		if (live_only && (lstat(path, &st) < 0 ||
				  !(S_ISSOCK(st.st_mode) || S_ISFIFO(st.st_mode) || !strcmp(e->d_name, "mem"))))
			continue;
		unlink(path);
	}
	closedir(d);
}

void session_prune_live_files(const struct session *s)
{
	remove_entries(s, 1);
}

/* Removes the session directory and everything in it (sessions hold no subdirectories). */
void session_remove_dir(const struct session *s)
{
	remove_entries(s, 0);
	rmdir(s->dir);
}
