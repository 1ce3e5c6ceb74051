/*
 * Memory: m (read, hex), M (write, hex) and X (write, binary).
 *
 * A read may come back short: RSP lets the reply hold fewer bytes than
 * asked, and GDB then asks again from where it stopped, so a read that
 * runs into an unmapped page still returns what precedes it. Writes are
 * all or nothing. Every length is clamped to the scratch buffer and the
 * reply buffer before the target sees it.
 */
#include "internal.h"

/* "ADDR,LEN" followed by `terminator` (or the end, if it is '\0'). */
static bool parse_addr_len(struct gdb_cursor *args, char terminator, uint64_t *addr,
			   uint64_t *len)
{
	if (!gdb_parse_hex_u64(args, addr) || !gdb_parse_char(args, ',') ||
	    !gdb_parse_hex_u64(args, len))
		return false;
	if (terminator == '\0')
		return gdb_cursor_done(args);
	return gdb_parse_char(args, terminator);
}

/* How much of [addr, addr + len) one reply can carry, without wrapping. */
static size_t read_length(const struct gdb_engine *e, uint64_t addr, uint64_t len)
{
	size_t limit = sizeof(e->scratch);

	if (limit > gdb_reply_room(e) / 2)
		limit = gdb_reply_room(e) / 2;
	if (addr != 0 && len > 0 - addr)
		len = 0 - addr;
	return len < limit ? (size_t)len : limit;
}

unsigned gdb_cmd_read_memory(struct gdb_engine *e, struct gdb_cursor *args)
{
	uint64_t addr, len;
	size_t want;
	int got;

	if (!parse_addr_len(args, '\0', &addr, &len)) {
		gdb_send_error(e, GDB_ERR_INVALID);
		return GDB_EVENT_NONE;
	}
	gdb_reply_begin(e);
	want = read_length(e, addr, len);
	if (want == 0) {
		gdb_reply_send(e);
		return GDB_EVENT_NONE;
	}
	got = e->ops->read_memory ? e->ops->read_memory(e->target_ctx, addr, e->scratch, want)
				  : GDB_ERR_FAULT;
	if (got <= 0) {
		gdb_send_failure(e, got == 0 ? GDB_ERR_FAULT : got);
		return GDB_EVENT_NONE;
	}
	gdb_reply_hex_bytes(e, e->scratch, (size_t)got < want ? (size_t)got : want);
	gdb_reply_send(e);
	return GDB_EVENT_NONE;
}

static void write_and_reply(struct gdb_engine *e, uint64_t addr, size_t len)
{
	int rc = GDB_ERR_REFUSED;

	if (len == 0) {
		gdb_send_ok(e); /* GDB probes X support with a zero-length write */
		return;
	}
	if (e->ops->write_memory)
		rc = e->ops->write_memory(e->target_ctx, addr, e->scratch, len);
	if (rc < 0)
		gdb_send_failure(e, rc);
	else
		gdb_send_ok(e);
}

unsigned gdb_cmd_write_memory_hex(struct gdb_engine *e, struct gdb_cursor *args)
{
	uint64_t addr, len;

	if (!parse_addr_len(args, ':', &addr, &len) || len > sizeof(e->scratch) ||
	    !gdb_hex_decode(args->p, gdb_cursor_left(args), e->scratch, (size_t)len)) {
		gdb_send_error(e, GDB_ERR_INVALID);
		return GDB_EVENT_NONE;
	}
	write_and_reply(e, addr, (size_t)len);
	return GDB_EVENT_NONE;
}

/* Undo RSP's binary escaping ('}' + byte ^ 0x20) into the scratch buffer. */
static bool unescape_binary(struct gdb_engine *e, struct gdb_cursor *data, size_t len)
{
	size_t n = 0;

	while (!gdb_cursor_done(data)) {
		uint8_t byte = (uint8_t)*data->p++;

		if (byte == '}') {
			if (gdb_cursor_done(data))
				return false;
			byte = (uint8_t)(*data->p++ ^ 0x20);
		}
		if (n == len)
			return false;
		e->scratch[n++] = byte;
	}
	return n == len;
}

unsigned gdb_cmd_write_memory_binary(struct gdb_engine *e, struct gdb_cursor *args)
{
	uint64_t addr, len;

	if (!parse_addr_len(args, ':', &addr, &len) || len > sizeof(e->scratch) ||
	    !unescape_binary(e, args, (size_t)len)) {
		gdb_send_error(e, GDB_ERR_INVALID);
		return GDB_EVENT_NONE;
	}
	write_and_reply(e, addr, (size_t)len);
	return GDB_EVENT_NONE;
}
