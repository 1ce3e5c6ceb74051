/*
 * The `stats` file (session_stats.h), read and written through one table
 * of keys, so the writer and the readers cannot disagree on a name.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "session_stats.h"

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

/* Only digits, and no more than a uint64_t holds: anything else is no counter. */
static int parse_counter(const char *text, uint64_t *out)
{
	uint64_t v = 0;

	if (!*text)
		return -1;
	for (; *text; text++) {
		if (*text < '0' || *text > '9' || v > (UINT64_MAX - (uint64_t)(*text - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*text - '0');
	}
	*out = v;
	return 0;
}

static void apply(void *stats, const char *key, const char *value)
{
	uint64_t v;

	if (parse_counter(value, &v) < 0)
		return;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(key, keys[i].key))
			*field(stats, i) = v;
}

int session_stats_read(const struct session *s, struct session_stats *st)
{
	memset(st, 0, sizeof(*st));
	return session_read_key_values(s, "stats", apply, st);
}
