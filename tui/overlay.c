/* The boxes drawn over the panes: the help (?) and a text such as a backtrace (Enter). */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include "tui.h"

#define OVERLAY_LINES_MAX 1024
#define OVERLAY_WIDTH_MAX 110

const char *const tui_help_lines[] = {
	"uniscope top: threads, trace events and console of a unikernel",
	"",
	"  ?            this help (any key closes it)",
	"  q  F10       quit",
	"  Tab          next pane: threads, events, console",
	"  Up Down      move in the pane; PgUp PgDn Home End too",
	"  /            filter events: any text of the line (event name, thread",
	"               name, fields), case-insensitive; Enter keeps, Esc drops",
	"  Space  p     pause / resume the view (the guest keeps running)",
	"  Left Right   scrub back / forward through the history, 100 ms a step",
	"  f  End       follow the newest events again",
	"  Enter        backtrace of the selected thread (threads pane)",
	"  s  F6        sort threads by the next column; r reverses",
	"  g            GDB on the image (a session: its stub; a core: the core);",
	"               the UI comes back when GDB exits",
	"  e            trace events on / off in the guest (live session)",
	"  n            connections: TCP sockets as `uniscope net` lists them",
	"               (Up Down PgUp PgDn Home End scroll, Enter backtrace of",
	"               the owning thread, n or Esc back)",
	"",
	"Timeline: share of each 100 ms on a CPU, ' ' none . <10% : <35% + <70% # more",
	"Status: up = guest uptime, ev/s, lost events, heap in use,",
	"        chan = frames in / dropped in / dropped out, trace on|off",
	NULL,
};

static int split_lines(const char *text, const char **lines, int *lens, int max)
{
	int n = 0;

	while (text && *text && n < max) {
		const char *nl = strchr(text, '\n');
		lines[n] = text;
		lens[n++] = nl ? (int)(nl - text) : (int)strlen(text);
		text = nl ? nl + 1 : NULL;
	}
	return n;
}

static void draw_box(const struct tui_ui *ui, const char *title, const char **lines, const int *lens, int n)
{
	int w = COLS - 4 < OVERLAY_WIDTH_MAX ? COLS - 4 : OVERLAY_WIDTH_MAX;
	int h = LINES - 4 < n + 2 ? LINES - 4 : n + 2;
	int y = (LINES - h) / 2, x = (COLS - w) / 2, top = ui->modal_top;
	char buf[OVERLAY_WIDTH_MAX + 1];

	if (w < 10 || h < 3)
		return;
	for (int r = 0; r < h; r++)
		tui_put(y + r, x, w, "");
	attron(A_BOLD);
	mvhline(y, x, ACS_HLINE, w);
	mvhline(y + h - 1, x, ACS_HLINE, w);
	mvvline(y, x, ACS_VLINE, h);
	mvvline(y, x + w - 1, ACS_VLINE, h);
	mvaddch(y, x, ACS_ULCORNER);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	snprintf(buf, sizeof(buf), " %s ", title);
	mvaddnstr(y, x + 2, buf, w - 4);
	attroff(A_BOLD);
	for (int r = 0; r < h - 2 && top + r < n; r++) {
		int len = lens[top + r] < w - 4 ? lens[top + r] : w - 4;
		snprintf(buf, sizeof(buf), "%.*s", len, lines[top + r]);
		tui_put(y + 1 + r, x + 2, w - 4, buf);
	}
}

void overlay_draw(struct tui_ui *ui)
{
	static const char *lines[OVERLAY_LINES_MAX];
	static int lens[OVERLAY_LINES_MAX];
	int n = 0;

	if (ui->modal == TUI_MODAL_HELP) {
		for (; tui_help_lines[n] && n < OVERLAY_LINES_MAX; n++) {
			lines[n] = tui_help_lines[n];
			lens[n] = (int)strlen(lines[n]);
		}
		if (ui->modal_top > n - 1)
			ui->modal_top = n - 1 > 0 ? n - 1 : 0;
		draw_box(ui, "help (Esc closes)", lines, lens, n);
	} else if (ui->modal == TUI_MODAL_TEXT) {
		n = split_lines(ui->modal_text, lines, lens, OVERLAY_LINES_MAX);
		if (ui->modal_top > n - 1)
			ui->modal_top = n - 1 > 0 ? n - 1 : 0;
		draw_box(ui, ui->modal_title, lines, lens, n);
	}
}
