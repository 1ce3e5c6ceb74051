/*
 * The command table: each packet is matched against a name, either exactly
 * or as a prefix whose remainder becomes the handler's arguments. The
 * names are chosen so that no two can match the same packet, which makes
 * the table's order irrelevant. Anything unmatched gets the empty reply,
 * RSP's "not supported", which is what keeps GDB and LLDB probing safely.
 *
 * This file also holds the session-level commands that touch no target
 * state: feature negotiation, no-ack mode, detach, kill, monitor.
 */
#include "internal.h"

enum match { MATCH_EXACT, MATCH_PREFIX };

struct gdb_command {
	const char *name;
	uint8_t match;
	gdb_handler *handler;
};

static gdb_handler cmd_supported, cmd_start_no_ack, cmd_attached, cmd_symbol;
static gdb_handler cmd_must_reply_empty, cmd_detach, cmd_kill;
#ifndef UNISCOPE_GUEST
static gdb_handler cmd_monitor;
#endif

#if defined(UNISCOPE_GUEST) && defined(UNISCOPE_DEBUG_SEALED)
/*
 * The sealed profile's stub writes nothing (libos/debug/stub_sealed.c), so
 * its image carries none of the write handlers: each write packet gets the
 * refusal, with the reason GDB shows, that the handlers would have sent.
 */
static unsigned refuse(struct gdb_engine *e, const char *why)
{
	gdb_engine_error_message(e, why);
	gdb_send_error(e, GDB_ERR_REFUSED);
	return GDB_EVENT_NONE;
}

static unsigned refuse_register_write(struct gdb_engine *e, struct gdb_cursor *args)
{
	(void)args;
	return refuse(e, "sealed profile: register writes disabled");
}

static unsigned refuse_memory_write(struct gdb_engine *e, struct gdb_cursor *args)
{
	(void)args;
	return refuse(e, "sealed profile: memory writes disabled");
}
#define WRITE_REGISTERS refuse_register_write
#define WRITE_REGISTER refuse_register_write
#define WRITE_MEMORY_HEX refuse_memory_write
#define WRITE_MEMORY_BINARY refuse_memory_write
#else
#define WRITE_REGISTERS gdb_cmd_write_registers
#define WRITE_REGISTER gdb_cmd_write_register
#define WRITE_MEMORY_HEX gdb_cmd_write_memory_hex
#define WRITE_MEMORY_BINARY gdb_cmd_write_memory_binary
#endif

static const struct gdb_command commands[] = {
	{ "?", MATCH_EXACT, gdb_cmd_stop_reason },
	{ "g", MATCH_EXACT, gdb_cmd_read_registers },
	{ "G", MATCH_PREFIX, WRITE_REGISTERS },
	{ "p", MATCH_PREFIX, gdb_cmd_read_register },
	{ "P", MATCH_PREFIX, WRITE_REGISTER },
	{ "m", MATCH_PREFIX, gdb_cmd_read_memory },
	{ "M", MATCH_PREFIX, WRITE_MEMORY_HEX },
	{ "X", MATCH_PREFIX, WRITE_MEMORY_BINARY },
	{ "c", MATCH_PREFIX, gdb_cmd_continue },
	{ "C", MATCH_PREFIX, gdb_cmd_continue_signal },
	{ "s", MATCH_PREFIX, gdb_cmd_step },
	{ "S", MATCH_PREFIX, gdb_cmd_step_signal },
	{ "vCont?", MATCH_EXACT, gdb_cmd_vcont_query },
	{ "vCont;", MATCH_PREFIX, gdb_cmd_vcont },
#ifndef UNISCOPE_GUEST /* replays run on the host (uniscope replay) */
	{ "bc", MATCH_EXACT, gdb_cmd_reverse_continue },
	{ "bs", MATCH_EXACT, gdb_cmd_reverse_step },
#endif
	{ "H", MATCH_PREFIX, gdb_cmd_set_thread },
	{ "T", MATCH_PREFIX, gdb_cmd_thread_alive },
	{ "Z", MATCH_PREFIX, gdb_cmd_insert_breakpoint },
	{ "z", MATCH_PREFIX, gdb_cmd_remove_breakpoint },
	{ "D", MATCH_PREFIX, cmd_detach },
	{ "k", MATCH_EXACT, cmd_kill },
	{ "qC", MATCH_EXACT, gdb_cmd_current_thread },
	{ "qfThreadInfo", MATCH_EXACT, gdb_cmd_thread_list_first },
	{ "qsThreadInfo", MATCH_EXACT, gdb_cmd_thread_list_next },
	{ "qThreadStopInfo", MATCH_PREFIX, gdb_cmd_thread_stop_info },
#ifndef UNISCOPE_GUEST
	/*
	 * Answers from guest memory or the architecture alone: in the guest's
	 * stub they would only take room, as `uniscope run`'s bridge answers
	 * them from the host (cli/gdb_host.c). The stub still offers them in
	 * qSupported, on the bridge's behalf.
	 */
	{ "qThreadExtraInfo,", MATCH_PREFIX, gdb_cmd_thread_extra_info },
	{ "qGetTLSAddr:", MATCH_PREFIX, gdb_cmd_tls_address },
	{ "qXfer:features:read:", MATCH_PREFIX, gdb_cmd_qxfer_features },
	{ "qXfer:threads:read:", MATCH_PREFIX, gdb_cmd_qxfer_threads },
#endif
	{ "qSupported", MATCH_PREFIX, cmd_supported },
	{ "QStartNoAckMode", MATCH_EXACT, cmd_start_no_ack },
	{ "qAttached", MATCH_PREFIX, cmd_attached },
	{ "qSymbol:", MATCH_PREFIX, cmd_symbol },
#ifndef UNISCOPE_GUEST
	{ "qRcmd,", MATCH_PREFIX, cmd_monitor },
#endif
#ifndef UNISCOPE_GUEST /* the memory map comes from the host too (cli/gdb_host.c) */
	{ "vFile:setfs:", MATCH_PREFIX, gdb_cmd_vfile_setfs },
	{ "vFile:open:", MATCH_PREFIX, gdb_cmd_vfile_open },
	{ "vFile:pread:", MATCH_PREFIX, gdb_cmd_vfile_pread },
	{ "vFile:close:", MATCH_PREFIX, gdb_cmd_vfile_close },
#endif
	{ "vMustReplyEmpty", MATCH_EXACT, cmd_must_reply_empty },
};

static bool command_matches(const struct gdb_command *cmd, const char *payload, size_t len)
{
	size_t name_len = strlen(cmd->name);

	if (len < name_len || memcmp(payload, cmd->name, name_len) != 0)
		return false;
	return cmd->match == MATCH_PREFIX || len == name_len;
}

unsigned gdb_dispatch(struct gdb_engine *e, const char *payload, size_t len)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct gdb_command *cmd = &commands[i];
		struct gdb_cursor args;

		if (!command_matches(cmd, payload, len))
			continue;
		args.p = payload + strlen(cmd->name);
		args.end = payload + len;
		return cmd->handler(e, &args);
	}
	gdb_send_empty(e);
	return GDB_EVENT_NONE;
}

/* Does GDB's ';'-separated feature list contain `feature` exactly? */
static bool gdb_offers(const struct gdb_cursor *list, const char *feature)
{
	size_t len = strlen(feature);
	struct gdb_cursor rest = *list;

	while (!gdb_cursor_done(&rest)) {
		const char *item = rest.p;

		while (!gdb_cursor_done(&rest) && *rest.p != ';')
			rest.p++;
		if ((size_t)(rest.p - item) == len && memcmp(item, feature, len) == 0)
			return true;
		gdb_parse_char(&rest, ';');
	}
	return false;
}

static unsigned cmd_supported(struct gdb_engine *e, struct gdb_cursor *args)
{
	gdb_parse_char(args, ':');
	e->gdb_swbreak = gdb_offers(args, "swbreak+");
	e->gdb_hwbreak = gdb_offers(args, "hwbreak+");
	gdb_reply_begin(e);
	gdb_reply_str(e, "PacketSize=");
	gdb_reply_hex_u64(e, GDB_PACKET_SIZE);
	gdb_reply_str(e, ";qXfer:features:read+;qXfer:threads:read+;QStartNoAckMode+"
			 ";vContSupported+;swbreak+;hwbreak+");
	if (e->ops->resume_reverse)
		gdb_reply_str(e, ";ReverseStep+;ReverseContinue+");
	gdb_reply_send(e);
	return GDB_EVENT_NONE;
}

/* The OK itself still travels in ack mode; everything after it does not. */
static unsigned cmd_start_no_ack(struct gdb_engine *e, struct gdb_cursor *args)
{
	(void)args;
	gdb_send_ok(e);
	e->no_ack = true;
	return GDB_EVENT_NONE;
}

/* "1": we attached to something already running, so quitting detaches. */
static unsigned cmd_attached(struct gdb_engine *e, struct gdb_cursor *args)
{
	(void)args;
	gdb_send_str(e, "1");
	return GDB_EVENT_NONE;
}

static unsigned cmd_symbol(struct gdb_engine *e, struct gdb_cursor *args)
{
	(void)args;
	gdb_send_ok(e); /* no symbols wanted */
	return GDB_EVENT_NONE;
}

static unsigned cmd_must_reply_empty(struct gdb_engine *e, struct gdb_cursor *args)
{
	(void)args;
	gdb_send_empty(e);
	return GDB_EVENT_NONE;
}

static unsigned cmd_detach(struct gdb_engine *e, struct gdb_cursor *args)
{
	(void)args; /* "D;pid": there is one process */
	gdb_send_ok(e);
	if (e->ops->detach)
		e->ops->detach(e->target_ctx);
	gdb_session_reset(e);
	return GDB_EVENT_DETACHED;
}

static unsigned cmd_kill(struct gdb_engine *e, struct gdb_cursor *args)
{
	(void)args; /* GDB expects no reply */
	if (e->ops->kill)
		e->ops->kill(e->target_ctx);
	gdb_session_reset(e);
	return GDB_EVENT_KILLED;
}

#ifndef UNISCOPE_GUEST
/* "qRcmd,HEX": the command's text goes back in 'O' packets, then OK. */
static unsigned cmd_monitor(struct gdb_engine *e, struct gdb_cursor *args)
{
	size_t len = gdb_cursor_left(args) / 2;
	int rc;

	if (!e->ops->monitor) {
		gdb_send_empty(e);
		return GDB_EVENT_NONE;
	}
	if (len >= sizeof(e->scratch) ||
	    !gdb_hex_decode(args->p, gdb_cursor_left(args), e->scratch, len)) {
		gdb_send_error(e, GDB_ERR_INVALID);
		return GDB_EVENT_NONE;
	}
	e->scratch[len] = '\0';
	e->in_monitor = true;
	e->console_len = 0;
	rc = e->ops->monitor(e->target_ctx, (const char *)e->scratch, e);
	gdb_console_flush(e);
	e->in_monitor = false;
	if (rc < 0)
		gdb_send_failure(e, rc);
	else
		gdb_send_ok(e);
	return GDB_EVENT_NONE;
}
#endif
