/*
 * The bars: the status bar on top (what is shown, guest uptime, events per
 * second, lost events, heap in use, the channel's frames/drops, whether the
 * guest traces, PAUSED), the network line under it (packets and bytes per
 * second each way, connections, drops: images with a network stack), and
 * the key bar at the bottom, which doubles as the
 * filter prompt and the place for messages.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include "tui.h"

static void human(uint64_t v, char *out, size_t cap)
{
	if (v >= 10000000)
		snprintf(out, cap, "%.1fM", (double)v / 1e6);
	else if (v >= 10000)
		snprintf(out, cap, "%.1fk", (double)v / 1e3);
	else
		snprintf(out, cap, "%llu", (unsigned long long)v);
}

static void bytes(uint64_t v, char *out, size_t cap)
{
	if (v >= 10ull << 20)
		snprintf(out, cap, "%lluM", (unsigned long long)(v >> 20));
	else if (v >= 10ull << 10)
		snprintf(out, cap, "%lluK", (unsigned long long)(v >> 10));
	else
		snprintf(out, cap, "%lluB", (unsigned long long)v);
}

static const char *source_label(const struct tui_ui *ui)
{
	if (ui->m->status.ended)
		return "ended";
	switch (ui->m->source_kind) {
	case TUI_LIVE: return "live";
	case TUI_CORE: return "core";
	default: return "replay";
	}
}

static void format_status(const struct tui_ui *ui, char *out, size_t cap)
{
	const struct tui_model *m = ui->m;
	const struct tui_status *st = &m->status;
	uint64_t up = m->newest_ns > st->cpu_uptime_ns ? m->newest_ns : st->cpu_uptime_ns;
	char rate[16], lost[16], heap[16] = "-", chan[48] = "-";
	const char *trace = st->trace_enabled < 0 ? "?" : st->trace_enabled ? "on" : "off";

	/* guest time stands still for the trace when it is off: no stale rate */
	human(st->trace_enabled == 0 && !m->paused ? 0 : tui_model_event_rate(m), rate, sizeof(rate));
	human(m->lost, lost, sizeof(lost));
	if (st->heap_known)
		bytes(st->heap_in_use, heap, sizeof(heap));
	if (st->chan_known)
		snprintf(chan, sizeof(chan), "%u/%u/%u", st->frames_in, st->dropped_in, st->dropped_out);
	snprintf(out, cap, " %s [%s]  up %.1fs  ev/s %s  lost %s  heap %s  chan %s  trace %s",
		 m->source_name, source_label(ui), (double)up / 1e9, rate, lost, heap, chan, trace);
}

void statusbar_draw(const struct tui_ui *ui, int y, int w)
{
	const struct tui_model *m = ui->m;
	char line[512], mark[64] = "";
	int bar = tui_attr(ui, TUI_C_BAR, A_REVERSE), len;

	format_status(ui, line, sizeof(line));
	if (m->scrubbing)
		snprintf(mark, sizeof(mark), " PAUSED @-%.1fs ", (double)(m->newest_ns - m->cursor_ns) / 1e9);
	else if (m->paused)
		snprintf(mark, sizeof(mark), " PAUSED ");
	attron(bar);
	tui_put(y, 0, w, line);
	attroff(bar);
	len = (int)strlen(mark);
	if (len && w > len) {
		attron(A_REVERSE | A_BOLD | tui_attr(ui, TUI_C_MARK, 0));
		mvaddstr(y, w - len, mark);
		attroff(A_REVERSE | A_BOLD | tui_attr(ui, TUI_C_MARK, 0));
	}
}

/* The network line, under the status bar when the image has a network stack. */
void netbar_draw(const struct tui_ui *ui, int y, int w)
{
	const struct tui_net_status *n = &ui->m->status.net;
	char rxp[16] = "-", txp[16] = "-", rxb[16] = "-", txb[16] = "-", drops[16], line[256];

	if (n->rates_known) {
		human(n->rx_pps, rxp, sizeof(rxp));
		human(n->tx_pps, txp, sizeof(txp));
		bytes(n->rx_bps, rxb, sizeof(rxb));
		bytes(n->tx_bps, txb, sizeof(txb));
	}
	human(n->last.drops, drops, sizeof(drops));
	snprintf(line, sizeof(line), " net  rx %s pkt/s %s/s  tx %s pkt/s %s/s  conns %u  drops %s", rxp,
		 rxb, txp, txb, n->last.connections, drops);
	attron(tui_attr(ui, TUI_C_BAR, A_REVERSE));
	tui_put(y, 0, w, line);
	attroff(tui_attr(ui, TUI_C_BAR, A_REVERSE));
}

void keybar_draw(const struct tui_ui *ui, int y, int w)
{
	static const char keys[] =
		" ?help q quit Tab pane /filter Space pause <-/-> scrub Enter bt g gdb e trace s sort n net";
	char line[256];

	if (ui->modal == TUI_MODAL_FILTER) {
		snprintf(line, sizeof(line), "/%s", ui->m->filter);
		tui_put(y, 0, w, line);
		move(y, (int)strlen(line) < w ? (int)strlen(line) : w - 1);
		return;
	}
	if (ui->message[0]) {
		attron(A_BOLD);
		snprintf(line, sizeof(line), " %s", ui->message);
		tui_put(y, 0, w, line);
		attroff(A_BOLD);
		return;
	}
	attron(tui_attr(ui, TUI_C_BAR, A_REVERSE));
	tui_put(y, 0, w, keys);
	attroff(tui_attr(ui, TUI_C_BAR, A_REVERSE));
}
