/*
 * The recording metadata file (see recording.h): a line parser over a
 * bounded buffer, a table of keys, and a writer that never leaves half a
 * file behind. Only the keys are trusted; every value is checked before it
 * lands in the struct, and a bad line is an error naming its number.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uniscope/chan.h>
#include "recording.h"

#define PATH_CAP 4352
#define MEM_MIN (16ull << 20)
#define MEM_MAX (64ull << 30)

struct parse_state {
	struct us_recording *rec;
	unsigned line;
	unsigned seen; /* bit per key: duplicates are refused */
	bool have_log_size, have_crc, have_end;
};

bool us_recording_value_ok(const char *value, size_t cap)
{
	return strlen(value) < cap && !strchr(value, '\n');
}

static struct us_error *bad_line(const struct parse_state *ps, const char *what)
{
	return us_error_create(US_ERR_INVALID, "line %u: %s", ps->line, what);
}

/* Decimal, no sign, no overflow. */
static bool parse_u64(const char *text, uint64_t *out)
{
	uint64_t v = 0;

	if (!*text)
		return false;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	return true;
}

static struct us_error *copy_value(const struct parse_state *ps, char *dst, size_t cap,
				   const char *value)
{
	if (strlen(value) >= cap)
		return bad_line(ps, "value too long");
	memcpy(dst, value, strlen(value) + 1);
	return NULL;
}

static struct us_error *set_image(struct parse_state *ps, const char *v)
{
	if (v[0] != '/')
		return bad_line(ps, "image is not an absolute path");
	return copy_value(ps, ps->rec->image, sizeof(ps->rec->image), v);
}

static struct us_error *set_build_id(struct parse_state *ps, const char *v)
{
	if (strspn(v, "0123456789abcdef") != strlen(v) || strlen(v) % 2)
		return bad_line(ps, "build_id is not lowercase hex bytes");
	return copy_value(ps, ps->rec->build_id, sizeof(ps->rec->build_id), v);
}

static struct us_error *set_qemu(struct parse_state *ps, const char *v)
{
	return copy_value(ps, ps->rec->qemu, sizeof(ps->rec->qemu), v);
}

static struct us_error *set_mem_size(struct parse_state *ps, const char *v)
{
	if (!parse_u64(v, &ps->rec->mem_size) || ps->rec->mem_size < MEM_MIN ||
	    ps->rec->mem_size > MEM_MAX)
		return bad_line(ps, "mem_size is not a size between 16M and 64G");
	return NULL;
}

static struct us_error *set_append(struct parse_state *ps, const char *v)
{
	ps->rec->has_append = true;
	return copy_value(ps, ps->rec->append, sizeof(ps->rec->append), v);
}

static struct us_error *set_rootfs(struct parse_state *ps, const char *v)
{
	if (strcmp(v, "yes"))
		return bad_line(ps, "rootfs is not yes");
	ps->rec->rootfs = true;
	return NULL;
}

static struct us_error *add_qemu_arg(struct parse_state *ps, const char *v)
{
	struct us_recording *rec = ps->rec;

	if (rec->nr_args >= US_RECORDING_MAX_ARGS)
		return bad_line(ps, "too many qemu_arg lines");
	return copy_value(ps, rec->args[rec->nr_args++], sizeof(rec->args[0]), v);
}

static struct us_error *set_log_size(struct parse_state *ps, const char *v)
{
	ps->have_log_size = true;
	return parse_u64(v, &ps->rec->log_size) ? NULL : bad_line(ps, "log_size is not a number");
}

static struct us_error *set_log_crc32c(struct parse_state *ps, const char *v)
{
	char *end;
	unsigned long crc;

	ps->have_crc = true;
	if (strlen(v) != 8 || strspn(v, "0123456789abcdef") != 8)
		return bad_line(ps, "log_crc32c is not 8 lowercase hex digits");
	crc = strtoul(v, &end, 16);
	ps->rec->log_crc32c = (uint32_t)crc;
	return NULL;
}

static struct us_error *set_end_icount(struct parse_state *ps, const char *v)
{
	ps->have_end = true;
	if (!parse_u64(v, &ps->rec->end_icount) || ps->rec->end_icount < 2 ||
	    ps->rec->end_icount > (UINT64_MAX >> 1))
		return bad_line(ps, "end_icount is not an instruction count");
	return NULL;
}

static const struct {
	const char *key;
	struct us_error *(*set)(struct parse_state *, const char *);
	bool repeatable;
} keys[] = {
	{ "image", set_image, false },
	{ "build_id", set_build_id, false },
	{ "qemu", set_qemu, false },
	{ "mem_size", set_mem_size, false },
	{ "append", set_append, false },
	{ "qemu_arg", add_qemu_arg, true },
	{ "rootfs", set_rootfs, false },
	{ "log_size", set_log_size, false },
	{ "log_crc32c", set_log_crc32c, false },
	{ "end_icount", set_end_icount, false },
};

static struct us_error *apply(struct parse_state *ps, const char *key, const char *value)
{
	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(key, keys[i].key))
			continue;
		if (!keys[i].repeatable && (ps->seen & (1u << i)))
			return bad_line(ps, "a key given twice");
		ps->seen |= 1u << i;
		return keys[i].set(ps, value);
	}
	return NULL; /* a key of a later format version */
}

/* One line, NUL-terminated, without its newline. The first must be format=1. */
static struct us_error *parse_line(struct parse_state *ps, char *line)
{
	char *eq = strchr(line, '=');

	if (!eq)
		return bad_line(ps, "not key=value");
	*eq = 0;
	if (ps->line == 1) {
		if (strcmp(line, "format") || strcmp(eq + 1, "1"))
			return bad_line(ps, "not a uniscope recording of format 1");
		return NULL;
	}
	return apply(ps, line, eq + 1);
}

static struct us_error *check_complete(const struct parse_state *ps)
{
	static const unsigned required[] = { 0, 1, 2, 3 }; /* image build_id qemu mem_size */

	if (ps->line == 0)
		return us_error_create(US_ERR_INVALID, "empty");
	for (unsigned i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!(ps->seen & (1u << required[i])))
			return us_error_create(US_ERR_INVALID, "no %s line", keys[required[i]].key);
	if (ps->have_log_size != ps->have_end || ps->have_crc != ps->have_end)
		return us_error_create(US_ERR_INVALID, "log_size, log_crc32c and end_icount come together");
	ps->rec->ended = ps->have_end;
	return NULL;
}

struct us_error *us_recording_parse(const char *text, size_t len, struct us_recording *out)
{
	struct parse_state ps = { .rec = out };
	char line[US_RECORDING_VALUE_MAX + 32];
	struct us_error *err = NULL;
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	if (len > US_RECORDING_FILE_MAX)
		return us_error_create(US_ERR_INVALID, "larger than %u bytes", US_RECORDING_FILE_MAX);
	while (pos < len && !err) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		ps.line++;
		if (n >= sizeof(line) || memchr(text + pos, 0, n))
			return bad_line(&ps, n >= sizeof(line) ? "too long" : "holds a NUL byte");
		memcpy(line, text + pos, n);
		line[n] = 0;
		err = parse_line(&ps, line);
		pos += n + 1;
	}
	return err ? err : check_complete(&ps);
}

static struct us_error *read_whole(const char *path, char **text, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return us_error_errno(errno, "cannot read '%s'", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > US_RECORDING_FILE_MAX) {
		close(fd);
		return us_error_create(US_ERR_INVALID, "'%s' is not a recording's metadata file", path);
	}
	*text = malloc((size_t)st.st_size + 1);
	n = *text ? read(fd, *text, (size_t)st.st_size) : -1;
	close(fd);
	if (n < 0) {
		free(*text);
		return *text ? us_error_errno(errno, "cannot read '%s'", path) : &us_error_nomem;
	}
	*len = (size_t)n;
	return NULL;
}

struct us_error *us_recording_load(const char *dir, struct us_recording *out)
{
	char path[PATH_CAP], *text = NULL;
	struct us_error *err;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, US_RECORDING_FILE);
	if ((err = read_whole(path, &text, &len)))
		return err;
	err = us_recording_parse(text, len, out);
	free(text);
	return err ? us_error_prefix(err, "%s", path) : NULL;
}

static void write_lines(FILE *f, const struct us_recording *rec)
{
	fprintf(f, "format=%d\nimage=%s\nbuild_id=%s\nqemu=%s\nmem_size=%llu\n", US_RECORDING_FORMAT,
		rec->image, rec->build_id, rec->qemu, (unsigned long long)rec->mem_size);
	if (rec->has_append)
		fprintf(f, "append=%s\n", rec->append);
	for (unsigned i = 0; i < rec->nr_args && i < US_RECORDING_MAX_ARGS; i++)
		fprintf(f, "qemu_arg=%s\n", rec->args[i]);
	if (rec->rootfs)
		fprintf(f, "rootfs=yes\n");
	if (rec->ended)
		fprintf(f, "log_size=%llu\nlog_crc32c=%08x\nend_icount=%llu\n",
			(unsigned long long)rec->log_size, (unsigned)rec->log_crc32c,
			(unsigned long long)rec->end_icount);
}

struct us_error *us_recording_format(const struct us_recording *rec, char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);

	if (!f)
		return &us_error_nomem;
	write_lines(f, rec);
	return fclose(f) == 0 ? NULL : &us_error_nomem;
}

static struct us_error *write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t done = 0;

	if (fd < 0)
		return us_error_errno(errno, "cannot write '%s'", path);
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);
		if (n <= 0) {
			int saved = n < 0 ? errno : EIO;
			close(fd);
			return us_error_errno(saved, "cannot write '%s'", path);
		}
		done += (size_t)n;
	}
	return close(fd) < 0 ? us_error_errno(errno, "cannot write '%s'", path) : NULL;
}

struct us_error *us_recording_save(const char *dir, const struct us_recording *rec)
{
	char path[PATH_CAP], tmp[PATH_CAP + 8], *text = NULL;
	struct us_error *err;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, US_RECORDING_FILE);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((err = us_recording_format(rec, &text, &len)))
		return err;
	err = write_file(tmp, text, len);
	free(text);
	if (!err && rename(tmp, path) < 0)
		err = us_error_errno(errno, "cannot write '%s'", path);
	if (err)
		unlink(tmp);
	return err;
}

struct us_error *us_recording_log_sum(const char *dir, uint64_t *size, uint32_t *crc)
{
	char path[PATH_CAP];
	uint8_t *buf = malloc(1 << 16);
	ssize_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, US_RECORDING_LOG);
	if (!buf)
		return &us_error_nomem;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		free(buf);
		return us_error_errno(errno, "cannot read '%s'", path);
	}
	*size = 0;
	*crc = 0;
	while ((n = read(fd, buf, 1 << 16)) > 0) {
		*crc = chan_crc32c(*crc, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	close(fd);
	free(buf);
	return n < 0 ? us_error_errno(errno, "cannot read '%s'", path) : NULL;
}
