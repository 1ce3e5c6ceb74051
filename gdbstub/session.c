/*
 * The session: what one debugger connection has set up (no-ack mode,
 * thread selections, the features it announced, the last stop) and what a
 * new connection, a detach or a kill forgets.
 */
#include "internal.h"

void gdb_session_reset(struct gdb_engine *e)
{
	static const struct gdb_stop unknown_stop = { .signal = GDB_SIGNAL_TRAP };

	gdb_framer_init(&e->rx);
	e->error_text = 0;
	e->tx_len = 0;
	e->tx_unacked = false;
	e->no_ack = false;
	e->running = false;
	e->in_monitor = false;
	e->gdb_swbreak = false;
	e->gdb_hwbreak = false;
	e->general_tid = GDB_TID_ANY;
	e->continue_tid = GDB_TID_ANY;
	e->thread_cursor = 0;
	e->console_len = 0;
	e->vfile_open = 0;
	e->stop = unknown_stop;
}
