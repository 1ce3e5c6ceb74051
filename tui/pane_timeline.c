/*
 * The timeline strip: for each thread, which share of each 100 ms bucket
 * it spent on a CPU over the last seconds (from sched_switch events; see
 * the model), newest bucket on the right. While scrubbing, the strip ends
 * at the cursor. One character per bucket:
 *
 *	' ' never   '.' under 10 %   ':' under 35 %   '+' under 70 %   '#' more
 */
#include <curses.h>
#include <stdio.h>
#include "tui.h"

#define STRIP_MAX 512

static char level(unsigned permille)
{
	if (permille == 0)
		return ' ';
	if (permille < 100)
		return '.';
	if (permille < 350)
		return ':';
	return permille < 700 ? '+' : '#';
}

void pane_timeline_header(const struct tui_ui *ui, int y, int x, int w)
{
	const struct tui_model *m = ui->m;
	double span = (double)w * TUI_TL_BUCKET_NS / 1e9;
	char text[80];
	int attr = ui->focus == TUI_PANE_THREADS ? tui_attr(ui, TUI_C_FOCUS, A_REVERSE) | (int)A_BOLD
						 : tui_attr(ui, TUI_C_HEADER, A_REVERSE);

	if (m->scrubbing)
		snprintf(text, sizeof(text), "ON CPU %.1fs to -%.1fs", span,
			 (double)(m->newest_ns - m->cursor_ns) / 1e9);
	else
		snprintf(text, sizeof(text), "ON CPU, last %.1fs", span);
	attron(attr);
	tui_put(y, x, w, text);
	attroff(attr);
}

void pane_timeline_row(const struct tui_ui *ui, uint32_t tid, int y, int x, int w)
{
	const struct tui_model *m = ui->m;
	unsigned permille[STRIP_MAX];
	char strip[STRIP_MAX + 1];
	int n = w < STRIP_MAX ? w : STRIP_MAX;

	if (n <= 0)
		return;
	tui_model_timeline(m, tid, tui_model_timeline_end(m), (unsigned)n, permille);
	for (int i = 0; i < n; i++)
		strip[i] = level(permille[i]);
	strip[n] = 0;
	attron(tui_attr(ui, TUI_C_STRIP, 0));
	tui_put(y, x, w, strip);
	attroff(tui_attr(ui, TUI_C_STRIP, 0));
}
