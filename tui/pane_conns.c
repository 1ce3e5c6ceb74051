/*
 * The connections view (`n`): the guest's TCP connections and listening
 * sockets as `uniscope net` lists them — state, receive and send queues
 * (a listening socket's: its accept queue and backlog, as ss shows them),
 * local and peer address, descriptor and owning thread — refreshed with
 * the rest of the model every TUI_INFO_INTERVAL_MS. It takes the body of
 * the screen, under the status and network lines; a selected row, kept
 * on the same connection (local and peer address) while the list
 * changes under it, scrolls the rows, and Enter shows its owner's
 * backtrace. The model keeps at most TUI_MAX_CONNS rows; the title says
 * when the guest had more, and why the list stops when a list was
 * corrupt.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include "tui.h"

static void format_queue(uint64_t bytes, char *out, size_t cap)
{
	if (bytes == TUI_QUEUE_UNKNOWN)
		snprintf(out, cap, "-");
	else
		snprintf(out, cap, "%llu", (unsigned long long)bytes);
}

static void format_conn(const struct tui_conn *c, char *out, size_t cap)
{
	char rq[24], sq[24], fd[16] = "", owner[TUI_NAME_MAX + 32] = "";

	format_queue(c->recv_q, rq, sizeof(rq));
	format_queue(c->send_q, sq, sizeof(sq));
	if (c->fd >= 0)
		snprintf(fd, sizeof(fd), "%d", c->fd);
	if (c->owner_tid)
		snprintf(owner, sizeof(owner), "%u %s%s", c->owner_tid, c->owner, c->owner_blocked ? " (blocked)" : "");
	snprintf(out, cap, " %-11s %7s %7s %-23s %-23s %5s %s", c->state, rq, sq, c->local, c->peer, fd, owner);
}

static bool same_conn(const struct tui_conn *a, const struct tui_conn *b)
{
	return !strcmp(a->local, b->local) && !strcmp(a->peer, b->peer);
}

/* Keeps the selection on the same connection as the rows change, or near where it was. */
static void place_selection(struct tui_ui *ui, int rows)
{
	const struct tui_model *m = ui->m;
	int n = (int)m->nr_conns, i;

	for (i = 0; ui->have_conn_sel && i < n && !same_conn(&m->conns[i], &ui->sel_conn); i++)
		;
	if (!ui->have_conn_sel || i == n)
		i = ui->conn_index < n ? ui->conn_index : n - 1;
	i = i < 0 ? 0 : i;
	ui->conn_index = i;
	ui->have_conn_sel = n > 0;
	if (n > 0)
		ui->sel_conn = m->conns[i];
	ui->conn_top = tui_scroll_to(ui->conn_top, i, rows, n);
}

/* Moves the selection by delta rows (a page, the ends: clipped). */
void pane_conns_move(struct tui_ui *ui, int delta)
{
	int n = (int)ui->m->nr_conns, i = ui->conn_index + delta;

	if (!n)
		return;
	i = i < 0 ? 0 : i >= n ? n - 1 : i;
	ui->conn_index = i;
	ui->sel_conn = ui->m->conns[i];
	ui->have_conn_sel = true;
}

static void format_title(const struct tui_ui *ui, int rows, char *out, size_t cap)
{
	const struct tui_model *m = ui->m;
	int n = (int)m->nr_conns, last = ui->conn_top + rows < n ? ui->conn_top + rows : n;
	char more[64] = "";

	if (m->conns_total > m->nr_conns)
		snprintf(more, sizeof(more), " (the first %zu of %zu)", m->nr_conns, m->conns_total);
	snprintf(out, cap, " CONNECTIONS  %zu%s, rows %d-%d  Enter bt of the owner  n back", m->nr_conns, more,
		 n ? ui->conn_top + 1 : 0, last);
}

static void draw_problem(const struct tui_ui *ui, int y, int w)
{
	char text[TUI_PROBLEM_MAX + 40];

	snprintf(text, sizeof(text), " ! the list stops here: %s", ui->m->conns_error);
	attron(tui_attr(ui, TUI_C_RUNNING, A_BOLD));
	tui_put(y, 0, w, text);
	attroff(tui_attr(ui, TUI_C_RUNNING, A_BOLD));
}

void pane_conns_draw(struct tui_ui *ui, struct tui_rect r)
{
	struct tui_model *m = ui->m;
	int rows = r.h - 2 - (m->conns_error[0] != 0), shown = 0;
	char line[256];

	if (rows < 1)
		return;
	ui->conn_rows = rows;
	place_selection(ui, rows);
	format_title(ui, rows, line, sizeof(line));
	tui_pane_header(ui, r, line, true);
	snprintf(line, sizeof(line), " %-11s %7s %7s %-23s %-23s %5s %s", "STATE", "RECV-Q", "SEND-Q", "LOCAL",
		 "PEER", "FD", "THREAD");
	attron(A_BOLD);
	tui_put(r.y + 1, r.x, r.w, line);
	attroff(A_BOLD);
	if (!m->nr_conns)
		tui_put(r.y + 2, r.x, r.w, " (no connections, no listening sockets)");
	for (; shown < rows && ui->conn_top + shown < (int)m->nr_conns; shown++) {
		int idx = ui->conn_top + shown;
		format_conn(&m->conns[idx], line, sizeof(line));
		if (idx == ui->conn_index)
			attron(A_REVERSE);
		tui_put(r.y + 2 + shown, r.x, r.w, line);
		attroff(A_REVERSE);
	}
	if (m->conns_error[0])
		draw_problem(ui, r.y + 2 + shown, r.w);
}
