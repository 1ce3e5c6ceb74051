/*
 * `uniscope run --rootfs DIR --env KEY=VALUE`: what the application sees of
 * the host. The directory is packed, once per session, into
 * SESSION_DIR/rootfs.cpio (cpio's "newc" format, sorted, so the same tree
 * gives the same archive) and handed to the image as its PVH module (QEMU
 * -initrd, xl ramdisk=): the libOS's read-only root file system. Each
 * --env becomes an env=KEY=VALUE word at the front of the guest command
 * line, with %XX for the bytes a command line cannot carry.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"
#include "run.h"

#define APPEND_MAX 1024

int run_pack_rootfs(struct run_state *rs)
{
	struct stat st;
	pid_t pid;
	int status;

	if (!rs->opt.rootfs)
		return 0;
	if (stat(rs->opt.rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
		return cli_error("--rootfs: '%s' is not a directory", rs->opt.rootfs);
	session_path(&rs->session, "rootfs.cpio", rs->rootfs_cpio, sizeof(rs->rootfs_cpio));
	pid = fork();
	if (pid < 0)
		return cli_error("fork: %s", strerror(errno));
	if (pid == 0) {
		execlp("sh", "sh", "-c", "cd \"$1\" && find . | LC_ALL=C sort | cpio -o -H newc --quiet >\"$2\"",
		       "sh", rs->opt.rootfs, rs->rootfs_cpio, (char *)0);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return cli_error("--rootfs: cannot pack '%s' with cpio (is cpio installed?)", rs->opt.rootfs);
	return 0;
}

/* env=KEY=VALUE, escaped: the guest splits its command line at spaces and quotes. */
static int append_env_word(char *out, size_t cap, size_t *used, const char *kv)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = *used;

	if (n + 5 >= cap)
		return -1;
	memcpy(out + n, "env=", 4);
	n += 4;
	for (const unsigned char *p = (const unsigned char *)kv; *p; p++) {
		if (n + 4 >= cap)
			return -1;
		if (*p <= ' ' || *p == '%' || *p == '"' || *p >= 0x7f) {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		} else {
			out[n++] = (char)*p;
		}
	}
	out[n++] = ' ';
	out[n] = 0;
	*used = n;
	return 0;
}

/*
 * The guest command line: chan=wait (the program starts once this host
 * has said HELLO, so all it writes is framed: binary output too), the
 * --env words, then --append.
 */
int run_compose_append(struct run_state *rs)
{
	static const char wait_word[] = "chan=wait ";
	size_t used = sizeof(wait_word) - 1;

	memcpy(rs->append_buf, wait_word, sizeof(wait_word));
	for (int i = 0; i < rs->opt.nr_env; i++) {
		if (!strchr(rs->opt.env[i], '=') || rs->opt.env[i][0] == '=')
			return cli_error("--env takes KEY=VALUE, not '%s'", rs->opt.env[i]), EXIT_USAGE;
		if (append_env_word(rs->append_buf, sizeof(rs->append_buf), &used, rs->opt.env[i]))
			return cli_error("--env and --append make a command line longer than %d bytes",
					 APPEND_MAX - 1), EXIT_USAGE;
	}
	if (rs->opt.append && used + strlen(rs->opt.append) + 1 > sizeof(rs->append_buf))
		return cli_error("--env and --append make a command line longer than %d bytes", APPEND_MAX - 1),
		       EXIT_USAGE;
	if (rs->opt.append)
		strcat(rs->append_buf, rs->opt.append);
	rs->opt.append = rs->append_buf;
	return 0;
}
