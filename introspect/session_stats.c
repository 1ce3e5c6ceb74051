/*
 * The `stats` file (session_stats.h), read and written through one table
 * of keys, so the writer and the readers cannot disagree on a name.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "session_stats.h"

#define STATS_LINE_MAX 128
#define STATS_LINES_MAX 64

static const struct {
	const char *key;
	size_t offset;
} keys[] = {
	{ "frames_in", offsetof(struct session_stats, frames_in) },
	{ "dropped_in", offsetof(struct session_stats, dropped_in) },
	{ "crc_errors_in", offsetof(struct session_stats, crc_errors_in) },
	{ "frames_out_ok", offsetof(struct session_stats, frames_out) },
	{ "dropped_out", offsetof(struct session_stats, dropped_out) },
	{ "gdb_fast_reads", offsetof(struct session_stats, gdb_fast_reads) },
	{ "gdb_host_answers", offsetof(struct session_stats, gdb_host_answers) },
	{ "gdb_mailbox_in", offsetof(struct session_stats, gdb_mailbox_in) },
	{ "gdb_mailbox_out", offsetof(struct session_stats, gdb_mailbox_out) },
	{ "gdb_stale", offsetof(struct session_stats, gdb_stale) },
	{ "gdb_clients", offsetof(struct session_stats, gdb_clients) },
	{ "gdb_refused", offsetof(struct session_stats, gdb_refused) },
	{ "gdb_cut_off", offsetof(struct session_stats, gdb_cut_off) },
};

static uint64_t *field(struct session_stats *st, size_t i)
{
	return (uint64_t *)((char *)st + keys[i].offset);
}

static uint64_t value_of(const struct session_stats *st, size_t i)
{
	return *(const uint64_t *)((const char *)st + keys[i].offset);
}

int session_stats_write(const struct session *s, const struct session_stats *st)
{
	char path[SESSION_PATH_MAX + 16], tmp[SESSION_PATH_MAX + 16];
	FILE *f;
	int err = 0;

	if (session_path(s, "stats", path, sizeof(path)) < 0 ||
	    session_path(s, "stats.tmp", tmp, sizeof(tmp)) < 0)
		return -ENAMETOOLONG;
	if (!(f = fopen(tmp, "w")))
		return -errno;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		fprintf(f, "%s=%llu\n", keys[i].key, (unsigned long long)value_of(st, i));
	if (fclose(f) != 0 || rename(tmp, path) < 0)
		err = -errno;
	return err;
}

static void apply(struct session_stats *st, const char *line)
{
	const char *eq = strchr(line, '=');
	unsigned long long v;

	if (!eq || sscanf(eq + 1, "%llu", &v) != 1)
		return;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((size_t)(eq - line) == strlen(keys[i].key) && !strncmp(line, keys[i].key, (size_t)(eq - line)))
			*field(st, i) = v;
}

int session_stats_read(const struct session *s, struct session_stats *st)
{
	char path[SESSION_PATH_MAX + 16], line[STATS_LINE_MAX];
	FILE *f;

	memset(st, 0, sizeof(*st));
	if (session_path(s, "stats", path, sizeof(path)) < 0)
		return -ENAMETOOLONG;
	if (!(f = fopen(path, "r")))
		return -errno;
	for (int i = 0; i < STATS_LINES_MAX && fgets(line, sizeof(line), f); i++)
		apply(st, line);
	fclose(f);
	return 0;
}
