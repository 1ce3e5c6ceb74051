/*
 * The engine's public entry points. The engine is either stopped (GDB
 * sends packets, we answer) or running (the target runs after a resume;
 * GDB waits for a stop reply and may send 0x03). The caller moves it back
 * to stopped with gdb_engine_report_stop().
 */
#include "internal.h"

static const struct gdb_target_ops no_target;

void gdb_engine_init(struct gdb_engine *engine, const struct gdb_target_ops *ops,
		     void *target_ctx, const struct gdb_transport *transport)
{
	memset(engine, 0, sizeof(*engine));
	engine->ops = ops ? ops : &no_target;
	engine->target_ctx = target_ctx;
	if (transport)
		engine->transport = *transport;
	gdb_session_reset(engine);
}

void gdb_engine_reset(struct gdb_engine *engine)
{
	gdb_session_reset(engine);
}

/* A packet arrived intact (and was acknowledged): answer it. */
static unsigned accept_packet(struct gdb_engine *e)
{
	e->stats.packets++;
	if (e->rx_overflow) {
		e->stats.oversized++;
		gdb_send_error(e, GDB_ERR_GENERIC);
		return GDB_EVENT_NONE;
	}
	if (e->running) {
		/* All-stop GDB sends nothing but 0x03 while the target runs. */
		e->stats.dropped++;
		return GDB_EVENT_NONE;
	}
	return gdb_dispatch(e, e->rx, e->rx_len);
}

unsigned gdb_engine_input(struct gdb_engine *engine, const uint8_t *buf, size_t len)
{
	unsigned events = GDB_EVENT_NONE;

	for (size_t i = 0; i < len; i++) {
		enum gdb_rx_result got = gdb_rx_byte(engine, buf[i]);

		if (got == GDB_RX_PACKET)
			events |= accept_packet(engine);
		else if (got == GDB_RX_INTERRUPT && engine->running)
			events |= GDB_EVENT_INTERRUPT;
	}
	return events;
}

/* The stop record may come from untrusted guest data: keep it in range. */
static struct gdb_stop checked_stop(const struct gdb_stop *stop)
{
	struct gdb_stop checked = *stop;

	if (checked.kind > GDB_STOP_TERMINATED)
		checked.kind = GDB_STOP_SIGNAL;
	if (checked.reason > GDB_REASON_REPLAY_END)
		checked.reason = GDB_REASON_NONE;
	if (checked.tid < 0)
		checked.tid = 0;
	return checked;
}

void gdb_engine_set_stop(struct gdb_engine *engine, const struct gdb_stop *stop)
{
	engine->stop = checked_stop(stop);
	engine->general_tid = GDB_TID_ANY; /* registers now follow the stop thread */
}

void gdb_engine_report_stop(struct gdb_engine *engine, const struct gdb_stop *stop)
{
	gdb_engine_set_stop(engine, stop);
	if (!engine->running)
		return; /* GDB is not waiting for a stop reply: it would misread one */
	engine->running = false;
	gdb_send_stop_reply(engine, &engine->stop);
}

bool gdb_engine_running(const struct gdb_engine *engine)
{
	return engine->running;
}
