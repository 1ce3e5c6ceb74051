/*
 * Inside `uniscope top`: the sources that feed the model (source.c,
 * control.c), the UI state the panes share (struct tui_ui) and one draw
 * function per pane. Panes read the model and the UI state and draw into
 * a rectangle of stdscr; only top.c changes state in answer to keys.
 */
#ifndef UNISCOPE_TUI_H
#define UNISCOPE_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "introspect/uniscope.h"
#include "model.h"
#include "top.h"

#define TUI_TRACE_INTERVAL_MS 200 /* trace rings, as `trace --follow` */
#define TUI_INFO_INTERVAL_MS 500  /* threads, console, heap, channel */

/* ---- sources (source.c, control.c) ---------------------------------------- */

struct tui_source {
	enum tui_source_kind kind;
	const char *spec;
	struct us_target *target;  /* live, core */
	struct trace_set set;      /* decoder state; events move to the model */
	char warning[200];         /* shown once the UI is up, or "" */
	bool have_session;         /* a `uniscope run` session: ctl.sock, gdb.sock, stats */
	struct session session;
	uint64_t next_trace_ms, next_info_ms;
	uint64_t saved_mask;       /* the trace mask before `e` turned tracing off */
	bool mask_pending;         /* `e` asked for pending_mask; the guest may not have it yet */
	uint64_t pending_mask, pending_until_ms;
};

/* Opens the source and loads what a static one has; 0, or -1 with err set. */
int tui_source_open(struct tui_source *s, const struct tui_top_options *o, struct tui_model *m,
		    char *err, size_t cap);
void tui_source_close(struct tui_source *s);
/* Reads what is due at now_ms (live only); returns when the next read is due. */
uint64_t tui_source_poll(struct tui_source *s, struct tui_model *m, uint64_t now_ms);
uint64_t tui_now_ms(void);
/* The guest's trace mask: what `e` asked for while the guest catches up, else its memory. */
int tui_source_trace_mask(struct tui_source *s, uint64_t *mask);

/* control.c: what keys ask of the source. Each returns 0, or -1 with msg set. */
int tui_source_backtrace(struct tui_source *s, uint32_t tid, char **text, char *msg, size_t cap);
int tui_source_toggle_trace(struct tui_source *s, struct tui_model *m, char *msg, size_t cap);
/* argv for GDB on the image (bufs holds its strings); NULL-terminated. */
int tui_source_gdb_argv(struct tui_source *s, const char **argv, size_t max, char *buf,
			size_t buf_cap, char *msg, size_t cap);

/* ---- UI state -------------------------------------------------------------------- */

enum tui_pane { TUI_PANE_THREADS, TUI_PANE_EVENTS, TUI_PANE_CONSOLE, TUI_PANE_COUNT };
enum tui_view { TUI_VIEW_MAIN, TUI_VIEW_CONNS }; /* the panes, or the connections (n) */
enum tui_modal { TUI_MODAL_NONE, TUI_MODAL_HELP, TUI_MODAL_TEXT, TUI_MODAL_FILTER };

struct tui_rect {
	int y, x, h, w;
};

struct tui_ui {
	struct tui_model *m;
	struct tui_source *src;
	enum tui_view view;
	enum tui_pane focus;
	bool have_sel;
	uint32_t sel_tid;
	int sel_index;       /* of sel_tid in the sorted rows at the last draw */
	int thread_top;      /* first row shown */
	int thread_rows;     /* rows shown at the last draw: a page */
	int event_rows;
	int console_back;    /* lines scrolled back from the console's end */
	int console_rows;
	bool have_conn_sel;  /* the connections view's selection: */
	struct tui_conn sel_conn; /* the connection (its addresses find it again) */
	int conn_index;      /* its row at the last draw */
	int conn_top;        /* first row shown */
	int conn_rows;       /* rows shown at the last draw: a page */
	enum tui_modal modal;
	char *modal_text;    /* TUI_MODAL_TEXT: owned */
	char modal_title[128];
	int modal_top;
	char filter_before[TUI_FILTER_MAX];
	char message[200];
	uint64_t message_until;
	bool redraw;
	bool colors;
};

/* ---- drawing (draw.c and one file per pane) ----------------------------------------- */

enum tui_color { TUI_C_BAR = 1, TUI_C_HEADER, TUI_C_FOCUS, TUI_C_RUNNING, TUI_C_STRIP,
		 TUI_C_MARK, TUI_C_LOST, TUI_C_COUNT };

void tui_colors_init(struct tui_ui *ui);
/* The first of `rows` visible rows of a list of n, moved so that row i shows. */
int tui_scroll_to(int top, int i, int rows, int n);
/* attr of a color pair, or the fallback attribute without colors. */
int tui_attr(const struct tui_ui *ui, enum tui_color c, int fallback);
/* text at (y, x), clipped to w columns, the rest of the w columns blank. */
void tui_put(int y, int x, int w, const char *text);
/* A pane's title line: highlighted when the pane has the focus. */
void tui_pane_header(const struct tui_ui *ui, struct tui_rect r, const char *title, bool focus);
void tui_show_message(struct tui_ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void pane_threads_draw(struct tui_ui *ui, struct tui_rect r);
/* The timeline strip column of the thread pane: header, then one row per thread. */
void pane_timeline_header(const struct tui_ui *ui, int y, int x, int w);
void pane_timeline_row(const struct tui_ui *ui, uint32_t tid, int y, int x, int w);
void pane_events_draw(struct tui_ui *ui, struct tui_rect r);
void pane_console_draw(struct tui_ui *ui, struct tui_rect r);
void pane_conns_draw(struct tui_ui *ui, struct tui_rect r);
void pane_conns_move(struct tui_ui *ui, int delta);
void statusbar_draw(const struct tui_ui *ui, int y, int w);
void netbar_draw(const struct tui_ui *ui, int y, int w);
void keybar_draw(const struct tui_ui *ui, int y, int w);
void overlay_draw(struct tui_ui *ui);
/* Lines in the help (for scrolling it). */
extern const char *const tui_help_lines[];

#endif
