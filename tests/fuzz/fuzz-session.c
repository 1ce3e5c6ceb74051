/*
 * libFuzzer target for what `uniscope run` and the session commands read
 * from files that are not theirs to trust:
 *	- an image to boot: us_pvh_image_check() (introspect/pvh_image.c) on
 *	  the input as a file, with every header, segment and note offset in
 *	  it hostile; a success must name an entry inside a loaded segment;
 *	- a session directory: the input split at its first 0x00 into `meta`
 *	  and `status`, read by session_load() (bounded lines and counts,
 *	  file names kept inside the directory) and described as `ls` does.
 * Byte 0 chooses (even: image, odd: session); the rest is the file(s).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../introspect/pvh_image.h"
#include "../../introspect/session.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void write_file(const char *dir, const char *name, const uint8_t *data, size_t size)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK((f = fopen(path, "w")) != NULL);
	CHECK(fwrite(data, 1, size, f) == size || size == 0);
	fclose(f);
}

static void fuzz_image(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct us_pvh_image pvh;
	struct us_error *err;
	char path[64];

	if (fd < 0)
		CHECK((fd = memfd_create("image", 0)) >= 0);
	CHECK(ftruncate(fd, 0) == 0);
	CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err = us_pvh_image_check(path, 128u << 20, &pvh);
	if (err) {
		CHECK(err->message && strlen(err->message) < 4096);
		us_error_destroy(err);
		return;
	}
	CHECK(pvh.load_end <= (128u << 20) && pvh.entry < pvh.load_end);
}

/* A directory on tmpfs (/dev/shm) where there is one: a file write costs less there. */
static char dir[64];

static void remove_dir(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/meta", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/status", dir);
	unlink(path);
	rmdir(dir);
}

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "%s/fuzz-session.XXXXXX", access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	CHECK(mkdtemp(dir) != NULL);
	atexit(remove_dir);
}

static void fuzz_session(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t meta_len = nul ? (size_t)(nul - data) : size;
	struct session s;
	char text[64];

	if (!dir[0])
		make_dir();
	write_file(dir, "meta", data, meta_len);
	write_file(dir, "status", nul ? nul + 1 : data, nul ? size - meta_len - 1 : 0);
	if (session_load(dir, &s) < 0)
		return;
	CHECK(s.name[0] && memchr(s.name, 0, sizeof(s.name)));
	CHECK(!strchr(s.end.core, '/') && !strchr(s.end.report, '/'));
	CHECK(strcmp(s.end.core, "..") && strcmp(s.end.report, ".."));
	session_describe_end(&s, text, sizeof(text));
	CHECK(strlen(session_how_name(s.end.how)) > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (1u << 20))
		return 0;
	if (data[0] % 2 == 0)
		fuzz_image(data + 1, size - 1);
	else
		fuzz_session(data + 1, size - 1);
	return 0;
}
