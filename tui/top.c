/*
 * uniscope top: the main loop of the terminal UI.
 *
 * One thread, one poll(): on standard input with a timeout that ends when
 * the source's next read is due (200 ms trace, 500 ms the rest; nothing
 * while paused, so a paused or static view sleeps). The screen is redrawn
 * only when the model or the UI changed, and ncurses sends the terminal
 * only the cells that differ.
 *
 * The terminal is given back on every way out: q, SIGINT/SIGTERM/SIGHUP
 * (their handlers set a flag that ends the loop; poll() returns at once),
 * exit() (atexit), and crashes (a last-gasp endwin() before the default
 * action). SIGWINCH sets a flag: the next turn resizes and redraws. `g`
 * hands the terminal to GDB (endwin, fork, exec, wait) and takes it back.
 */
#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tui.h"

#define MIN_COLS 40
#define MIN_LINES 10
#define IDLE_WAKE_MS 1000
#define ESC_DELAY_MS 25
#define EOF_WAKEUPS 50 /* readable but no key, this many times in a row: stdin is gone */
#define KEY_ESC 27
#define KEY_CTRL_U 21

static volatile sig_atomic_t quit_signal, resized;
static bool curses_active, quit_requested;

/* ---- the terminal ------------------------------------------------------------------ */

static void restore_terminal(void)
{
	if (curses_active) {
		curses_active = false;
		endwin();
	}
}

static void on_quit(int sig)
{
	quit_signal = sig;
}

static void on_winch(int sig)
{
	(void)sig;
	resized = 1;
}

/* Not async-signal-safe, but the process is dying anyway: leave a usable terminal. */
static void on_fatal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa = { .sa_handler = fn };

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void install_signals(void)
{
	static const int quit[] = { SIGINT, SIGTERM, SIGHUP }, fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGABRT };

	for (size_t i = 0; i < sizeof(quit) / sizeof(quit[0]); i++)
		set_handler(quit[i], on_quit);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		set_handler(fatal[i], on_fatal);
	set_handler(SIGWINCH, on_winch);
	set_handler(SIGPIPE, SIG_IGN);
}

static int start_curses(struct tui_ui *ui)
{
	const char *term = getenv("TERM");

	setlocale(LC_ALL, "");
	if (!newterm(NULL, stdout, stdin)) {
		fprintf(stderr, "uniscope: cannot drive the terminal (TERM=%s): set TERM to your terminal's type\n",
			term ? term : "unset");
		return -1;
	}
	curses_active = true;
	atexit(restore_terminal);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(ESC_DELAY_MS);
	curs_set(0);
	tui_colors_init(ui);
	install_signals(); /* after newterm: ours, not ncurses' */
	return 0;
}

static void resize(struct tui_ui *ui)
{
	struct winsize ws;

	resized = 0;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	ui->redraw = true;
}

/* ---- drawing -------------------------------------------------------------------------- */

static void layout(const struct tui_ui *ui, struct tui_rect *threads, struct tui_rect *events,
		   struct tui_rect *console)
{
	int top = 1 + ui->m->status.net.known; /* the status bar, the network line */
	int body = LINES - 1 - top, con = body / 5;
	int th = (int)ui->m->nr_threads + 1 + (ui->m->threads_error[0] != 0); /* + why it stops */

	if (th > body * 45 / 100)
		th = body * 45 / 100;
	th = th < 3 ? 3 : th;
	con = con < 3 ? 3 : con;
	*threads = (struct tui_rect){ top, 0, th, COLS };
	*events = (struct tui_rect){ top + th, 0, body - th - con, COLS };
	*console = (struct tui_rect){ top + body - con, 0, con, COLS };
}

static void draw(struct tui_ui *ui)
{
	struct tui_rect threads, events, console;

	erase();
	if (COLS < MIN_COLS || LINES < MIN_LINES) {
		mvprintw(0, 0, "uniscope top: %dx%d is too small (%dx%d at least)", COLS, LINES, MIN_COLS, MIN_LINES);
		refresh();
		return;
	}
	layout(ui, &threads, &events, &console);
	statusbar_draw(ui, 0, COLS);
	if (ui->m->status.net.known)
		netbar_draw(ui, 1, COLS);
	if (ui->view == TUI_VIEW_CONNS) {
		pane_conns_draw(ui, (struct tui_rect){ threads.y, 0, LINES - 1 - threads.y, COLS });
	} else {
		pane_threads_draw(ui, threads);
		pane_events_draw(ui, events);
		pane_console_draw(ui, console);
	}
	overlay_draw(ui);
	curs_set(ui->modal == TUI_MODAL_FILTER);
	keybar_draw(ui, LINES - 1, COLS);
	refresh();
}

/* ---- actions ---------------------------------------------------------------------------- */

static void show_backtrace(struct tui_ui *ui, uint32_t tid)
{
	char msg[256], *text;

	if (tui_source_backtrace(ui->src, tid, &text, msg, sizeof(msg)) < 0) {
		tui_show_message(ui, "%s", msg);
		return;
	}
	free(ui->modal_text);
	ui->modal_text = text;
	ui->modal = TUI_MODAL_TEXT;
	ui->modal_top = 0;
	snprintf(ui->modal_title, sizeof(ui->modal_title), "backtrace of thread %u (Esc closes)", tid);
}

static void wait_for(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return;
		if (quit_signal)
			kill(pid, SIGTERM);
	}
}

/* GDB gets the terminal; Ctrl-C in it interrupts the guest, not us. */
static void run_gdb(struct tui_ui *ui)
{
	char buf[SESSION_PATH_MAX + 64], msg[256];
	const char *argv[8];
	int status = 0;
	pid_t pid;

	if (tui_source_gdb_argv(ui->src, argv, 8, buf, sizeof(buf), msg, sizeof(msg)) < 0) {
		tui_show_message(ui, "%s", msg);
		return;
	}
	def_prog_mode();
	endwin();
	set_handler(SIGINT, SIG_IGN);
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execvp("gdb", (char *const *)argv);
		fprintf(stderr, "uniscope: cannot start gdb: %s (apt-get install gdb)\n", strerror(errno));
		_exit(127);
	}
	if (pid > 0)
		wait_for(pid, &status);
	set_handler(SIGINT, SIG_IGN); /* drops a Ctrl-C meant for GDB that is still pending */
	set_handler(SIGINT, on_quit);
	reset_prog_mode();
	clearok(curscr, TRUE);
	if (pid < 0)
		tui_show_message(ui, "cannot start gdb: %s", strerror(errno));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		tui_show_message(ui, "cannot start gdb (apt-get install gdb)");
	else
		tui_show_message(ui, "back from GDB");
}

static void toggle_trace(struct tui_ui *ui)
{
	char msg[256];

	tui_source_toggle_trace(ui->src, ui->m, msg, sizeof(msg));
	tui_show_message(ui, "%s", msg);
}

/* ---- keys -------------------------------------------------------------------------------- */

static void move_threads(struct tui_ui *ui, int delta)
{
	struct tui_model *m = ui->m;
	int n = (int)m->nr_threads, i;

	if (!n)
		return;
	tui_model_sort_threads(m);
	for (i = 0; i < n && m->threads[i].id != ui->sel_tid; i++)
		;
	i = i == n ? 0 : i;
	i += delta;
	i = i < 0 ? 0 : i >= n ? n - 1 : i;
	ui->sel_index = i;
	ui->sel_tid = m->threads[i].id;
	ui->have_sel = true;
}

static void move_in_pane(struct tui_ui *ui, int ch)
{
	int page[TUI_PANE_COUNT] = { ui->thread_rows, ui->event_rows, ui->console_rows };
	int p = page[ui->focus] > 1 ? page[ui->focus] - 1 : 1;
	int delta = ch == KEY_UP ? -1 : ch == KEY_DOWN ? 1 : ch == KEY_PPAGE ? -p : ch == KEY_NPAGE ? p
		  : ch == KEY_HOME ? -TUI_EVENTS_CAP : TUI_EVENTS_CAP;

	if (ui->focus == TUI_PANE_THREADS)
		move_threads(ui, delta);
	else if (ui->focus == TUI_PANE_EVENTS && ch == KEY_END)
		tui_model_follow(ui->m);
	else if (ui->focus == TUI_PANE_EVENTS)
		tui_model_scroll_events(ui->m, delta);
	else
		ui->console_back = ui->console_back - delta < 0 ? 0 : ui->console_back - delta;
}

static void filter_key(struct tui_ui *ui, int ch)
{
	char text[TUI_FILTER_MAX];
	size_t len;

	snprintf(text, sizeof(text), "%s", ui->m->filter);
	len = strlen(text);
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		ui->modal = TUI_MODAL_NONE;
	} else if (ch == KEY_ESC) {
		tui_model_set_filter(ui->m, ui->filter_before);
		ui->modal = TUI_MODAL_NONE;
	} else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && len > 0) {
		text[len - 1] = 0;
		tui_model_set_filter(ui->m, text);
	} else if (ch == KEY_CTRL_U) {
		tui_model_set_filter(ui->m, "");
	} else if (ch >= ' ' && ch < 127 && len + 1 < sizeof(text)) {
		text[len] = (char)ch;
		text[len + 1] = 0;
		tui_model_set_filter(ui->m, text);
	}
}

static void modal_key(struct tui_ui *ui, int ch)
{
	int page = LINES > 8 ? LINES - 8 : 1;

	if (ch == KEY_UP || ch == KEY_DOWN || ch == KEY_PPAGE || ch == KEY_NPAGE) {
		ui->modal_top += ch == KEY_UP ? -1 : ch == KEY_DOWN ? 1 : ch == KEY_PPAGE ? -page : page;
		ui->modal_top = ui->modal_top < 0 ? 0 : ui->modal_top;
		return;
	}
	ui->modal = TUI_MODAL_NONE;
	free(ui->modal_text);
	ui->modal_text = NULL;
}

static void open_filter(struct tui_ui *ui)
{
	snprintf(ui->filter_before, sizeof(ui->filter_before), "%s", ui->m->filter);
	ui->modal = TUI_MODAL_FILTER;
}

static void open_conns(struct tui_ui *ui)
{
	if (!ui->m->status.net.known) {
		tui_show_message(ui, "no network stack in this image: no connections");
		return;
	}
	ui->view = TUI_VIEW_CONNS;
}

/* The connections view takes the moves, Enter and Esc; the other keys are the main view's. */
static bool conns_key(struct tui_ui *ui, int ch)
{
	int p = ui->conn_rows > 1 ? ui->conn_rows - 1 : 1;

	switch (ch) {
	case 'n': case KEY_ESC: ui->view = TUI_VIEW_MAIN; return true;
	case KEY_UP: pane_conns_move(ui, -1); return true;
	case KEY_DOWN: pane_conns_move(ui, 1); return true;
	case KEY_PPAGE: pane_conns_move(ui, -p); return true;
	case KEY_NPAGE: pane_conns_move(ui, p); return true;
	case KEY_HOME: pane_conns_move(ui, -TUI_MAX_CONNS); return true;
	case KEY_END: pane_conns_move(ui, TUI_MAX_CONNS); return true;
	case '\n': case '\r': case KEY_ENTER:
		if (!ui->have_conn_sel || !ui->sel_conn.owner_tid)
			tui_show_message(ui, "no thread known for this connection");
		else
			show_backtrace(ui, ui->sel_conn.owner_tid);
		return true;
	case '\t': case KEY_BTAB: return true;
	default: return false;
	}
}

static void main_key(struct tui_ui *ui, int ch)
{
	struct tui_model *m = ui->m;

	switch (ch) {
	case 'q': case KEY_F(10): quit_requested = true; break;
	case '?': case 'h': case KEY_F(1): ui->modal = TUI_MODAL_HELP; ui->modal_top = 0; break;
	case '\t': ui->focus = (enum tui_pane)((ui->focus + 1) % TUI_PANE_COUNT); break;
	case KEY_BTAB: ui->focus = (enum tui_pane)((ui->focus + TUI_PANE_COUNT - 1) % TUI_PANE_COUNT); break;
	case '/': open_filter(ui); break;
	case KEY_ESC: tui_model_set_filter(m, ""); break;
	case ' ': case 'p': tui_model_set_paused(m, !m->paused); break;
	case KEY_LEFT: tui_model_scrub(m, -1); break;
	case KEY_RIGHT: if (m->paused) tui_model_scrub(m, 1); break;
	case 'f': tui_model_follow(m); break;
	case KEY_UP: case KEY_DOWN: case KEY_PPAGE: case KEY_NPAGE: case KEY_HOME: case KEY_END:
		move_in_pane(ui, ch);
		break;
	case '\n': case '\r': case KEY_ENTER:
		if (ui->focus == TUI_PANE_THREADS && ui->have_sel)
			show_backtrace(ui, ui->sel_tid);
		break;
	case 'n': open_conns(ui); break;
	case 's': case KEY_F(6): tui_model_cycle_sort(m); break;
	case 'r': m->sort_reverse = !m->sort_reverse; break;
	case 'g': run_gdb(ui); break;
	case 'e': toggle_trace(ui); break;
	case KEY_RESIZE: break;
	default: break;
	}
}

static void handle_key(struct tui_ui *ui, int ch)
{
	ui->redraw = true;
	if (ui->modal == TUI_MODAL_FILTER)
		filter_key(ui, ch);
	else if (ui->modal != TUI_MODAL_NONE)
		modal_key(ui, ch);
	else if (ui->view != TUI_VIEW_CONNS || !conns_key(ui, ch))
		main_key(ui, ch);
}

/* ---- the loop ------------------------------------------------------------------------------ */

static void wait_input(struct tui_ui *ui, uint64_t ms)
{
	static int empty_wakeups;
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	int ch, keys = 0;

	if (poll(&p, 1, ms > IDLE_WAKE_MS ? IDLE_WAKE_MS : (int)ms) <= 0)
		return;
	while ((ch = getch()) != ERR && !quit_requested) {
		handle_key(ui, ch);
		keys++;
	}
	empty_wakeups = keys ? 0 : empty_wakeups + 1;
	if (empty_wakeups >= EOF_WAKEUPS || (!keys && (p.revents & (POLLHUP | POLLERR))))
		quit_requested = true;
}

static void main_loop(struct tui_ui *ui)
{
	while (!quit_requested && !quit_signal) {
		uint64_t now = tui_now_ms(), next = now + IDLE_WAKE_MS, due;

		if (!ui->m->paused && (due = tui_source_poll(ui->src, ui->m, now)) < next)
			next = due;
		if (ui->message[0] && now >= ui->message_until) {
			ui->message[0] = 0;
			ui->redraw = true;
		}
		if (ui->message[0] && ui->message_until < next)
			next = ui->message_until;
		if (resized)
			resize(ui);
		if (ui->redraw || ui->m->dirty) {
			draw(ui);
			ui->redraw = ui->m->dirty = false;
		}
		now = tui_now_ms();
		wait_input(ui, next > now ? next - now : 0);
	}
}

static int refuse(const struct tui_top_options *o, const char *message)
{
	fprintf(stderr, "uniscope: %s\n", message);
	if (o->target)
		us_target_close(o->target);
	return 1;
}

int tui_top(const struct tui_top_options *o)
{
	static struct tui_model model;
	static struct tui_source source;
	struct tui_ui ui = { .m = &model, .src = &source, .focus = TUI_PANE_THREADS };
	char err[512];
	int status = 1;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return refuse(o, "top needs a terminal (without one: uniscope ps, log or trace --follow)");
	if (tui_model_init(&model, 0) < 0)
		return refuse(o, "out of memory for the trace events");
	if (tui_source_open(&source, o, &model, err, sizeof(err)) < 0) {
		fprintf(stderr, "uniscope: %s\n", err);
	} else if (start_curses(&ui) == 0) {
		if (source.warning[0])
			tui_show_message(&ui, "%s", source.warning);
		main_loop(&ui);
		restore_terminal();
		status = quit_signal ? 128 + quit_signal : 0;
	}
	tui_source_close(&source); /* and the target */
	tui_model_free(&model);
	free(ui.modal_text);
	return status;
}
