/*
 * The event pane: trace events as lines, newest at the bottom, following
 * the guest unless scrolled back, paused or scrubbing; only lines the
 * filter matches. LOST markers stand out.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tui.h"

#define EVENT_ROWS_MAX 512

static const char *view_state(const struct tui_model *m)
{
	if (m->scrubbing)
		return "scrubbing";
	if (m->paused)
		return "paused";
	return m->follow ? "following" : "scrolled back (f follows)";
}

static void draw_title(struct tui_ui *ui, struct tui_rect r, size_t shown)
{
	const struct tui_model *m = ui->m;
	char title[256], filter[TUI_FILTER_MAX + 32] = "";

	if (m->filter[0])
		snprintf(filter, sizeof(filter), ", filter '%s'", m->filter);
	if (m->trace_error[0])
		snprintf(title, sizeof(title), " EVENTS  %zu shown, not updating: %s", shown, m->trace_error);
	else
		snprintf(title, sizeof(title), " EVENTS  %zu shown%s, %s", shown, filter, view_state(m));
	tui_pane_header(ui, r, title, ui->focus == TUI_PANE_EVENTS);
}

static void draw_empty(const struct tui_ui *ui, struct tui_rect r)
{
	const struct tui_model *m = ui->m;
	const char *why = m->trace_error[0] ? m->trace_error
			  : m->scrubbing && m->nr_total ? "(no events kept from before this point)"
			  : m->nr_total ? "(no event matches the filter)"
			  : m->status.trace_enabled == 0 ? "(trace events are off in the guest: e turns them on)"
			  : "(no trace events yet)";
	char line[256];

	snprintf(line, sizeof(line), " %s", why);
	tui_put(r.y + 1, r.x, r.w, line);
}

void pane_events_draw(struct tui_ui *ui, struct tui_rect r)
{
	static uint64_t seqs[EVENT_ROWS_MAX];
	const struct tui_model *m = ui->m;
	int rows = r.h - 1 < EVENT_ROWS_MAX ? r.h - 1 : EVENT_ROWS_MAX;
	size_t n;

	if (rows < 1)
		return;
	ui->event_rows = rows;
	n = tui_model_visible_events(m, seqs, (size_t)rows);
	draw_title(ui, r, n);
	if (!n)
		draw_empty(ui, r);
	for (size_t i = 0; i < n; i++) {
		const struct tui_event *e = tui_model_event(m, seqs[i]);
		int attr = e->id == UNISCOPE_TRACE_ID_LOST ? tui_attr(ui, TUI_C_LOST, A_BOLD) : 0;
		attron(attr);
		tui_put(r.y + 1 + (int)i, r.x, r.w, e->text);
		attroff(attr);
	}
}
