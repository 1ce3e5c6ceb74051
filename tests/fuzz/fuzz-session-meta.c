/*
 * libFuzzer target for the session files' readers (introspect/session.c,
 * session_stats.c): the input is a session directory's `meta` file, and
 * the same bytes its `stats` file. session_load must bound every line and
 * value, and take keys only from the start of a line (the tail of an
 * over-long line is no line); what it loads, written back by
 * session_write_meta and loaded again, must come back the same (no key
 * smuggled in by a long or odd line, no value cut differently the second
 * time). Every counter session_stats_read sets must come from a whole line
 * "key=DIGITS" of the input, and survive a write and a read.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../introspect/session.h"
#include "../../introspect/session_stats.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

#define COUNTERS (sizeof(struct session_stats) / sizeof(uint64_t))

static char dir[64];
static char counter_keys[COUNTERS][64]; /* as the writer spells them */

static void remove_dir(void)
{
	static const char *const files[] = { "meta", "stats" };
	char path[128];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void write_file(const char *name, const uint8_t *data, size_t size)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "wb")))
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
}

/* The counters' keys, in field order, from what the writer writes for 1, 2, 3, ... */
static void learn_counter_keys(void)
{
	struct session s = { 0 };
	uint64_t values[COUNTERS];
	char path[128], line[128];
	FILE *f;

	snprintf(s.dir, sizeof(s.dir), "%s", dir);
	for (size_t i = 0; i < COUNTERS; i++)
		values[i] = i + 1;
	CHECK(session_stats_write(&s, (struct session_stats *)values) == 0);
	snprintf(path, sizeof(path), "%s/stats", dir);
	CHECK((f = fopen(path, "r")) != NULL);
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');
		unsigned long long v;
		CHECK(eq && sscanf(eq + 1, "%llu", &v) == 1 && v >= 1 && v <= COUNTERS);
		snprintf(counter_keys[v - 1], sizeof(counter_keys[0]), "%.*s", (int)(eq - line), line);
	}
	fclose(f);
	for (size_t i = 0; i < COUNTERS; i++)
		CHECK(counter_keys[i][0]);
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
	learn_counter_keys();
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

/*
 * Whether the input has a whole line "KEY=DIGITS", shorter than the
 * readers' 8 KiB, whose digits make value.
 */
static bool has_counter_line(const uint8_t *data, size_t size, const char *key, uint64_t value)
{
	size_t key_len = strlen(key);

	for (size_t i = 0; i + key_len < size; i++) {
		uint64_t v = 0;
		size_t end = i + key_len + 1;
		if ((i && data[i - 1] != '\n') || memcmp(data + i, key, key_len) || data[i + key_len] != '=')
			continue;
		for (; end < size && data[end] >= '0' && data[end] <= '9'; end++)
			v = v * 10 + (uint64_t)(data[end] - '0');
		if (end > i + key_len + 1 && (end == size || data[end] == '\n') && end - i < 8192 && v == value)
			return true;
	}
	return false;
}

static void check_stats(const uint8_t *data, size_t size)
{
	static struct session s;
	struct session_stats st, again;
	const uint64_t *counter = (const uint64_t *)&st;

	snprintf(s.dir, sizeof(s.dir), "%s", dir);
	write_file("stats", data, size);
	CHECK(session_stats_read(&s, &st) == 0);
	for (size_t i = 0; i < COUNTERS; i++)
		CHECK(!counter[i] || has_counter_line(data, size, counter_keys[i], counter[i]));
	CHECK(session_stats_write(&s, &st) == 0);
	CHECK(session_stats_read(&s, &again) == 0);
	CHECK(!memcmp(&st, &again, sizeof(st)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct session s, again;

	check_stats(data, size);
	write_file("meta", data, size);
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
