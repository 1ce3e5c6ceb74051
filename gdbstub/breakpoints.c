/*
 * Breakpoints and watchpoints: "Z TYPE,ADDR,KIND" inserts, 'z' removes.
 *
 * The engine keeps no breakpoint table: the target owns them (int3 bytes
 * in a full build, debug registers in a sealed one). An empty reply tells
 * GDB the type is unsupported, so for software breakpoints it falls back to
 * writing int3 itself with M/X, which a sealed target refuses; for the
 * hardware types GDB reports that the breakpoint cannot be inserted.
 * Conditions after ';' are ignored: we never offer ConditionalBreakpoints.
 */
#include "internal.h"

static bool parse_breakpoint(struct gdb_cursor *args, uint64_t *type, uint64_t *addr,
			     uint64_t *kind)
{
	if (!gdb_parse_hex_u64(args, type) || !gdb_parse_char(args, ',') ||
	    !gdb_parse_hex_u64(args, addr) || !gdb_parse_char(args, ',') ||
	    !gdb_parse_hex_u64(args, kind))
		return false;
	return gdb_cursor_done(args) || gdb_parse_char(args, ';');
}

typedef int breakpoint_op(void *ctx, enum gdb_breakpoint_type type, uint64_t addr,
			  uint32_t kind);

static unsigned breakpoint_packet(struct gdb_engine *e, struct gdb_cursor *args,
				  breakpoint_op *op)
{
	uint64_t type, addr, kind;
	int rc;

	if (!parse_breakpoint(args, &type, &addr, &kind) || kind > UINT32_MAX) {
		gdb_send_error(e, GDB_ERR_INVALID);
		return GDB_EVENT_NONE;
	}
	if (!op || type > GDB_WATCH_ACCESS) {
		gdb_send_empty(e);
		return GDB_EVENT_NONE;
	}
	rc = op(e->target_ctx, (enum gdb_breakpoint_type)type, addr, (uint32_t)kind);
	if (rc < 0)
		gdb_send_error(e, rc);
	else
		gdb_send_ok(e);
	return GDB_EVENT_NONE;
}

unsigned gdb_cmd_insert_breakpoint(struct gdb_engine *e, struct gdb_cursor *args)
{
	return breakpoint_packet(e, args, e->ops->insert_breakpoint);
}

unsigned gdb_cmd_remove_breakpoint(struct gdb_engine *e, struct gdb_cursor *args)
{
	return breakpoint_packet(e, args, e->ops->remove_breakpoint);
}
