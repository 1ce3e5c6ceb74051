/*
 * The thread pane, as in htop: one row per thread (id, name, state, wait
 * reason, CPU %, switches), '*' on the one on a CPU, the sort column in
 * brackets, the selected row highlighted; the timeline strip
 * (pane_timeline.c) fills the columns to the right. A thread blocked for
 * WAIT_SHOWN_NS or more has not run for most of the strip: it shows what
 * it waits on and who holds it there instead ("-> store_lock held by 4
 * "worker-a" 12s").
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include "tui.h"

#define ROW_WIDTH 61 /* the columns before the timeline */
#define MIN_STRIP 8
#define STATE_COLUMN 25
#define WAIT_SHOWN_NS 1000000000ull

struct column {
	const char *label;
	int width;
	bool right;
	int sort; /* enum tui_sort, or -1 */
};

static const struct column columns[] = {
	{ "TID", 6, true, TUI_SORT_TID },     { "NAME", 16, false, TUI_SORT_NAME },
	{ "STATE", 8, false, TUI_SORT_STATE }, { "WAIT", 9, false, -1 },
	{ "CPU%", 6, true, TUI_SORT_CPU },    { "SWITCHES", 10, true, TUI_SORT_SWITCHES },
};

static void format_header(const struct tui_model *m, char *out, size_t cap)
{
	size_t len = 0;

	out[len++] = ' ';
	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]) && len < cap; i++) {
		const struct column *c = &columns[i];
		char label[24];
		snprintf(label, sizeof(label), c->sort == (int)m->sort ? "[%s]" : "%s", c->label);
		len += (size_t)snprintf(out + len, cap - len, c->right ? "%*s " : "%-*s ", c->width, label);
	}
	if (len >= cap)
		out[cap - 1] = 0;
}

static void format_row(const struct tui_thread *t, char *out, size_t cap)
{
	char cpu[16];

	snprintf(cpu, sizeof(cpu), "%5.1f", t->cpu_permille / 10.0);
	snprintf(out, cap, "%c%6u %-16.16s %-8.8s %-9.9s %6s %10llu ", t->on_cpu ? '*' : ' ', t->id,
		 t->name, t->state, t->wait, cpu, (unsigned long long)t->switches);
}

/* Keeps the selection on the same thread across re-sorting, or near where it was. */
static void place_selection(struct tui_ui *ui, int rows)
{
	const struct tui_model *m = ui->m;
	int n = (int)m->nr_threads, i;

	for (i = 0; ui->have_sel && i < n && m->threads[i].id != ui->sel_tid; i++)
		;
	if (!ui->have_sel || i == n)
		i = ui->sel_index < n ? ui->sel_index : n - 1;
	if (i < 0)
		i = 0;
	ui->sel_index = i;
	ui->have_sel = n > 0;
	if (n > 0)
		ui->sel_tid = m->threads[i].id;
	ui->thread_top = tui_scroll_to(ui->thread_top, i, rows, n);
}

static void draw_row(struct tui_ui *ui, const struct tui_thread *t, int y, struct tui_rect r, bool selected)
{
	char line[160];
	int attr = selected ? (ui->focus == TUI_PANE_THREADS ? A_REVERSE : A_BOLD) : 0;

	format_row(t, line, sizeof(line));
	attron(attr);
	tui_put(y, r.x, r.w < ROW_WIDTH + 1 ? r.w : ROW_WIDTH + 1, line);
	if (!selected && t->on_cpu) {
		attron(tui_attr(ui, TUI_C_RUNNING, A_BOLD));
		mvaddnstr(y, r.x + STATE_COLUMN, t->state, r.w - STATE_COLUMN > 0 ? r.w - STATE_COLUMN : 0);
		attroff(tui_attr(ui, TUI_C_RUNNING, A_BOLD));
	}
	attroff(attr);
	if (r.w < ROW_WIDTH + 1 + MIN_STRIP)
		return;
	if (t->waits_on[0] && t->blocked_ns >= WAIT_SHOWN_NS) {
		char text[128];
		snprintf(text, sizeof(text), "-> %s %llus", t->waits_on,
			 (unsigned long long)(t->blocked_ns / 1000000000ull));
		tui_put(y, r.x + ROW_WIDTH + 1, r.w - ROW_WIDTH - 1, text);
		return;
	}
	pane_timeline_row(ui, t->id, y, r.x + ROW_WIDTH + 1, r.w - ROW_WIDTH - 1);
}

/* A corrupt thread list: the rows are what was read before it stopped; the last row says why. */
static void draw_list_problem(struct tui_ui *ui, struct tui_rect r, int rows)
{
	int shown = (int)ui->m->nr_threads - ui->thread_top;
	char text[240];

	if (!ui->m->threads_error[0])
		return;
	snprintf(text, sizeof(text), " ! the thread list stops here: %s", ui->m->threads_error);
	attron(tui_attr(ui, TUI_C_RUNNING, A_BOLD));
	tui_put(r.y + 1 + (shown < rows ? shown : rows - 1), r.x, r.w, text);
	attroff(tui_attr(ui, TUI_C_RUNNING, A_BOLD));
}

void pane_threads_draw(struct tui_ui *ui, struct tui_rect r)
{
	struct tui_model *m = ui->m;
	char header[160];
	int rows = r.h - 1;

	if (rows < 1)
		return;
	tui_model_sort_threads(m);
	format_header(m, header, sizeof(header));
	tui_pane_header(ui, r, header, ui->focus == TUI_PANE_THREADS);
	if (r.w >= ROW_WIDTH + 1 + MIN_STRIP)
		pane_timeline_header(ui, r.y, r.x + ROW_WIDTH + 1, r.w - ROW_WIDTH - 1);
	ui->thread_rows = rows;
	place_selection(ui, rows);
	if (!m->nr_threads)
		tui_put(r.y + 1, r.x, r.w, m->threads_from_trace ? " (no threads in the trace)" : " (no threads read yet)");
	for (int i = 0; i < rows && ui->thread_top + i < (int)m->nr_threads; i++) {
		int idx = ui->thread_top + i;
		draw_row(ui, &m->threads[idx], r.y + 1 + i, r, idx == ui->sel_index);
	}
	draw_list_problem(ui, r, rows);
}
