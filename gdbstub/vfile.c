/*
 * vFile: GDB's host I/O, for the two files a unikernel can offer it, both
 * generated, never stored:
 *
 *	/proc/PID/maps     the target's memory map, as its memory_region op
 *	                   walks it (by address: each region is the first that
 *	                   ends above the last one's end): `info proc mappings`
 *	/proc/PID/cmdline  what GDB's `gcore` puts in the core's NT_PRPSINFO and
 *	                   prints when the core is opened ("Core was generated
 *	                   by ...")
 *
 * GDB's remote protocol without multiprocess extensions never learns a
 * process id, so GDB names the process 42000 and then refuses to read
 * /proc for `gcore`'s memory map: its core holds the image's sections and
 * no stack (GDB 13 would derive the selected thread's stack from its
 * outermost frame, but that frame is marked as the stack's end, which
 * leaves GDB no bound). The cmdline says so in the core itself, and names
 * the complete alternative, `uniscope core`. With a real PID (`info proc
 * mappings 1`) the same files serve as they are.
 *
 *	vFile:setfs:PID                 F0
 *	vFile:open:HEX-PATH,FLAGS,MODE  F1 or F2 (one file open at a time), or F-1,ERRNO
 *	vFile:pread:FD,COUNT,OFFSET     Fn;DATA (binary, escaped), F0; at the end
 *	vFile:close:FD                  F0
 *
 * Only the requested window of a file is kept. Other vFile packets get the
 * empty reply, so GDB knows they are not offered.
 */
#include "internal.h"

#define FILEIO_ENOENT 2
#define FILEIO_EBADF 9
#define FILEIO_EACCES 13
#define FILEIO_EMFILE 24
#define FILEIO_EINVAL 22
#define MAX_REGIONS 65536
#define PATH_MAX_BYTES 64

enum vfile { VFILE_NONE, VFILE_MAPS, VFILE_CMDLINE }; /* also the descriptors */

static const char cmdline_text[] =
	"unikernel (gcore keeps registers, no stacks: run uniscope core for all)";

static unsigned send_fileio_error(struct gdb_engine *e, unsigned err)
{
	char digits[20];

	gdb_reply_begin(e);
	gdb_reply_str(e, "F-1,");
	gdb_reply_append(e, digits, gdb_format_hex_u64(digits, err));
	gdb_reply_send(e);
	return GDB_EVENT_NONE;
}

/* "/proc/DIGITS/maps" or ".../cmdline", exactly; VFILE_NONE for anything else. */
static enum vfile proc_file(const char *path, size_t len)
{
	static const char head[] = "/proc/";
	size_t i = sizeof(head) - 1;

	if (len <= i || memcmp(path, head, i))
		return VFILE_NONE;
	while (i < len && path[i] >= '0' && path[i] <= '9')
		i++;
	if (i == sizeof(head) - 1)
		return VFILE_NONE;
	if (len - i == 5 && !memcmp(path + i, "/maps", 5))
		return VFILE_MAPS;
	if (len - i == 8 && !memcmp(path + i, "/cmdline", 8))
		return VFILE_CMDLINE;
	return VFILE_NONE;
}

unsigned gdb_cmd_vfile_setfs(struct gdb_engine *e, struct gdb_cursor *args)
{
	(void)args; /* one file system: the target's */
	gdb_send_str(e, "F0");
	return GDB_EVENT_NONE;
}

unsigned gdb_cmd_vfile_open(struct gdb_engine *e, struct gdb_cursor *args)
{
	char path[PATH_MAX_BYTES];
	const char *hex = args->p;
	uint64_t flags, mode;
	enum vfile file;
	size_t hex_len;

	while (!gdb_cursor_done(args) && *args->p != ',')
		args->p++;
	hex_len = (size_t)(args->p - hex);
	if (hex_len % 2 || hex_len / 2 >= sizeof(path) ||
	    !gdb_hex_decode(hex, hex_len, (uint8_t *)path, hex_len / 2) ||
	    !gdb_parse_char(args, ',') || !gdb_parse_hex_u64(args, &flags) ||
	    !gdb_parse_char(args, ',') || !gdb_parse_hex_u64(args, &mode) || !gdb_cursor_done(args))
		return send_fileio_error(e, FILEIO_EINVAL);
	file = proc_file(path, hex_len / 2);
	if (file == VFILE_NONE || (file == VFILE_MAPS && !e->ops->memory_region))
		return send_fileio_error(e, FILEIO_ENOENT);
	if (flags != 0) /* O_RDONLY */
		return send_fileio_error(e, FILEIO_EACCES);
	if (e->vfile_open != VFILE_NONE)
		return send_fileio_error(e, FILEIO_EMFILE);
	e->vfile_open = (uint8_t)file;
	gdb_send_str(e, file == VFILE_MAPS ? "F1" : "F2");
	return GDB_EVENT_NONE;
}

static bool parse_fd(struct gdb_engine *e, struct gdb_cursor *args)
{
	uint64_t fd;

	return gdb_parse_hex_u64(args, &fd) && fd != VFILE_NONE && fd == e->vfile_open;
}

unsigned gdb_cmd_vfile_close(struct gdb_engine *e, struct gdb_cursor *args)
{
	if (!parse_fd(e, args) || !gdb_cursor_done(args))
		return send_fileio_error(e, FILEIO_EBADF);
	e->vfile_open = VFILE_NONE;
	gdb_send_str(e, "F0");
	return GDB_EVENT_NONE;
}

static void put_hex(struct gdb_engine *e, struct gdb_window *w, uint64_t value)
{
	char digits[16];

	gdb_window_put(e, w, digits, gdb_format_hex_u64(digits, value));
}

/* "START-END rwxp 00000000 00:00 0 NAME", as Linux writes it. */
static void put_region(struct gdb_engine *e, struct gdb_window *w,
		       const struct gdb_memory_region *r)
{
	char perms[5] = { r->read ? 'r' : '-', r->write ? 'w' : '-', r->exec ? 'x' : '-', 'p', ' ' };

	put_hex(e, w, r->start);
	gdb_window_put_str(e, w, "-");
	put_hex(e, w, r->end);
	gdb_window_put_str(e, w, " ");
	gdb_window_put(e, w, perms, sizeof(perms));
	gdb_window_put_str(e, w, "00000000 00:00 0");
	if (r->name[0]) {
		gdb_window_put_str(e, w, "                          ");
		gdb_window_put_str(e, w, r->name);
	}
	gdb_window_put_str(e, w, "\n");
}

/* The regions in address order; a target that goes backwards ends the file. */
static void maps_document(struct gdb_engine *e, struct gdb_window *w)
{
	struct gdb_memory_region r;
	uint64_t from = 0;

	for (size_t n = 0; n < MAX_REGIONS && !gdb_window_done(w); n++) {
		memset(&r, 0, sizeof(r));
		if (!e->ops->memory_region(e->target_ctx, from, &r) || r.end <= r.start ||
		    r.end <= from)
			break;
		r.name[sizeof(r.name) - 1] = '\0';
		for (char *c = r.name; *c; c++)
			if (*c <= ' ' || *c > '~')
				*c = '?'; /* one word of printable text */
		if (r.start < from)
			r.start = from;
		put_region(e, w, &r);
		from = r.end;
	}
}

unsigned gdb_cmd_vfile_pread(struct gdb_engine *e, struct gdb_cursor *args)
{
	struct gdb_window w = { 0 };
	char digits[16];
	size_t n;

	if (!parse_fd(e, args) || !gdb_parse_char(args, ',') ||
	    !gdb_parse_hex_u64(args, &w.length) || !gdb_parse_char(args, ',') ||
	    !gdb_parse_hex_u64(args, &w.offset) || !gdb_cursor_done(args))
		return send_fileio_error(e, FILEIO_EBADF);
	if (w.length > sizeof(e->scratch))
		w.length = sizeof(e->scratch);
	if (w.length > (GDB_TX_BUF_SIZE - 32) / 2)
		w.length = (GDB_TX_BUF_SIZE - 32) / 2; /* room for every byte escaped */
	gdb_window_begin_buffer(e, &w, e->scratch);
	if (e->vfile_open == VFILE_MAPS)
		maps_document(e, &w);
	else
		gdb_window_put(e, &w, cmdline_text, sizeof(cmdline_text)); /* with its NUL */
	n = gdb_window_buffered(&w);
	gdb_reply_begin(e);
	gdb_reply_str(e, "F");
	gdb_reply_append(e, digits, gdb_format_hex_u64(digits, n));
	gdb_reply_str(e, ";");
	for (size_t i = 0; i < n; i++)
		gdb_reply_binary_byte(e, e->scratch[i]);
	gdb_reply_send(e);
	return GDB_EVENT_NONE;
}
