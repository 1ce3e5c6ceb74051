/*
 * qGetTLSAddr:TID,OFFSET,LM: where thread TID's copy of a thread-local
 * variable lives. GDB sends it for a __thread variable: OFFSET is the
 * variable's offset in its module's TLS block (its DWARF location), LM the
 * module's link map, 0 for a static executable. The target computes the
 * address (from the thread's thread pointer and the TLS layout); the reply
 * is the address in hex. A target without tls_address answers empty, and
 * GDB says thread-local storage is unsupported.
 */
#include "internal.h"

unsigned gdb_cmd_tls_address(struct gdb_engine *e, struct gdb_cursor *args)
{
	int64_t tid;
	uint64_t offset, lm, addr;
	int rc;

	if (!e->ops->tls_address) {
		gdb_send_empty(e);
		return GDB_EVENT_NONE;
	}
	if (!gdb_parse_tid(args, &tid) || !gdb_parse_char(args, ',') || !gdb_parse_hex_u64(args, &offset) ||
	    !gdb_parse_char(args, ',') || !gdb_parse_hex_u64(args, &lm) || !gdb_cursor_done(args)) {
		gdb_send_error(e, GDB_ERR_INVALID);
		return GDB_EVENT_NONE;
	}
	rc = e->ops->tls_address(e->target_ctx, gdb_resolve_tid(e, tid), offset, lm, &addr);
	if (rc < 0) {
		gdb_send_error(e, rc);
		return GDB_EVENT_NONE;
	}
	gdb_reply_begin(e);
	gdb_reply_hex_u64(e, addr);
	gdb_reply_send(e);
	return GDB_EVENT_NONE;
}
