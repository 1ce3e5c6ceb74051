/* Drawing helpers the panes share: colors, clipped text, pane titles, messages. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "tui.h"

#define MESSAGE_MS 4000

void tui_colors_init(struct tui_ui *ui)
{
	ui->colors = has_colors() && start_color() == OK;
	if (!ui->colors)
		return;
	use_default_colors();
	init_pair(TUI_C_BAR, COLOR_BLACK, COLOR_CYAN);
	init_pair(TUI_C_HEADER, COLOR_BLACK, COLOR_WHITE);
	init_pair(TUI_C_FOCUS, COLOR_BLACK, COLOR_GREEN);
	init_pair(TUI_C_RUNNING, COLOR_GREEN, -1);
	init_pair(TUI_C_STRIP, COLOR_CYAN, -1);
	init_pair(TUI_C_MARK, COLOR_YELLOW, -1);
	init_pair(TUI_C_LOST, COLOR_RED, -1);
}

int tui_scroll_to(int top, int i, int rows, int n)
{
	if (top > i)
		top = i;
	if (top < i - rows + 1)
		top = i - rows + 1;
	if (top > n - rows)
		top = n - rows > 0 ? n - rows : 0;
	return top;
}

int tui_attr(const struct tui_ui *ui, enum tui_color c, int fallback)
{
	return ui->colors ? (int)COLOR_PAIR(c) : fallback;
}

void tui_put(int y, int x, int w, const char *text)
{
	int n = 0;

	if (w <= 0)
		return;
	move(y, x);
	for (; n < w && text[n]; n++)
		addch((unsigned char)text[n] >= ' ' && (unsigned char)text[n] < 127 ? (chtype)(unsigned char)text[n] : '?');
	for (; n < w; n++)
		addch(' ');
}

void tui_pane_header(const struct tui_ui *ui, struct tui_rect r, const char *title, bool focus)
{
	int attr = focus ? tui_attr(ui, TUI_C_FOCUS, A_REVERSE) | (int)A_BOLD
			 : tui_attr(ui, TUI_C_HEADER, A_REVERSE);

	attron(attr);
	tui_put(r.y, r.x, r.w, title);
	attroff(attr);
}

void tui_show_message(struct tui_ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->message, sizeof(ui->message), fmt, ap);
	va_end(ap);
	ui->message_until = tui_now_ms() + MESSAGE_MS;
	ui->redraw = true;
}
