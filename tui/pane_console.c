/*
 * The console pane: the last lines of the guest's console log ring (read
 * from its memory, so it shows what the guest printed even when nobody
 * watched the channel), scrollable back.
 */
#include <curses.h>
#include <stdio.h>
#include "tui.h"

#define CONSOLE_ROWS_MAX 512

/* Start offsets of the last rows + back lines of text, oldest first; returns how many. */
static int last_lines(const char *text, size_t len, int want, size_t *starts)
{
	size_t end = len;
	int n = 0;

	if (end > 0 && text[end - 1] == '\n')
		end--;
	while (n < want && (end > 0 || n == 0) && len > 0) {
		size_t s = end;
		while (s > 0 && text[s - 1] != '\n')
			s--;
		starts[n++] = s;
		if (s == 0)
			break;
		end = s - 1;
	}
	for (int i = 0; i < n / 2; i++) {
		size_t t = starts[i];
		starts[i] = starts[n - 1 - i];
		starts[n - 1 - i] = t;
	}
	return n;
}

static void draw_line(const char *text, size_t len, size_t start, int y, int x, int w)
{
	char line[CONSOLE_ROWS_MAX];
	int n = 0;

	for (size_t i = start; i < len && text[i] != '\n' && n < w && n < (int)sizeof(line) - 1; i++)
		line[n++] = text[i] == '\t' ? ' ' : text[i];
	line[n] = 0;
	tui_put(y, x, w, line);
}

void pane_console_draw(struct tui_ui *ui, struct tui_rect r)
{
	static size_t starts[2 * CONSOLE_ROWS_MAX];
	const struct tui_model *m = ui->m;
	int rows = r.h - 1 < CONSOLE_ROWS_MAX ? r.h - 1 : CONSOLE_ROWS_MAX, n, first;
	char title[96];

	if (rows < 1)
		return;
	ui->console_rows = rows;
	if (ui->console_back > CONSOLE_ROWS_MAX)
		ui->console_back = CONSOLE_ROWS_MAX;
	n = last_lines(m->console, m->console_len, rows + ui->console_back, starts);
	if (ui->console_back > n - rows)
		ui->console_back = n - rows > 0 ? n - rows : 0;
	first = n - rows - ui->console_back > 0 ? n - rows - ui->console_back : 0;
	snprintf(title, sizeof(title), " CONSOLE%s", ui->console_back ? "  (scrolled back)" : "");
	tui_pane_header(ui, r, title, ui->focus == TUI_PANE_CONSOLE);
	if (!m->console_len)
		tui_put(r.y + 1, r.x, r.w, m->source_kind == TUI_REPLAY ? " (a trace replay has no console)"
									 : " (nothing printed yet)");
	for (int i = 0; i < rows && first + i < n; i++)
		draw_line(m->console, m->console_len, starts[first + i], r.y + 1 + i, r.x, r.w);
}
