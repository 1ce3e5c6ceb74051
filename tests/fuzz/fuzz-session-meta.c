/*
 * libFuzzer target for the session `meta` reader (introspect/session.c):
 * the input is a session directory's meta file. session_load must bound
 * every line and value, and take keys only from the start of a line (the
 * tail of an over-long line is no line); what it loads, written back by session_write_meta
 * and loaded again, must come back the same (no key smuggled in by a long
 * or odd line, no value cut differently the second time).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../introspect/session.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static char dir[64];

static void remove_dir(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/meta", dir);
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	/* tmpfs when there is one: every run writes the file twice */
	snprintf(dir, sizeof(dir), "%s/fuzz-session-meta.XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(dir))
		abort();
	atexit(remove_dir);
	return 0;
}

static bool same(const struct session *a, const struct session *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->image, b->image) &&
	       !strcmp(a->build_id, b->build_id) && !strcmp(a->accel, b->accel) &&
	       !strcmp(a->gdb, b->gdb) && !strcmp(a->platform, b->platform) && a->pid == b->pid &&
	       a->qemu_pid == b->qemu_pid && a->mem_size == b->mem_size && a->domid == b->domid;
}

/* Whether some line of the input really starts with "name=". */
static bool has_name_line(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i + 5 <= size; i++)
		if ((i == 0 || data[i - 1] == '\n') && !memcmp(data + i, "name=", 5))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct session s, again;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/meta", dir);
	if (!(f = fopen(path, "wb")))
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	if (session_load(dir, &s) < 0)
		return 0;
	CHECK(has_name_line(data, size)); /* no name smuggled in by the tail of a long line */
	CHECK(memchr(s.name, 0, sizeof(s.name)) && memchr(s.image, 0, sizeof(s.image)));
	if (strchr(s.name, '\n') || strchr(s.image, '\n') || strchr(s.gdb, '\n'))
		abort();
	CHECK(session_write_meta(&s) == 0);
	CHECK(session_load(dir, &again) == 0);
	CHECK(same(&s, &again));
	return 0;
}
