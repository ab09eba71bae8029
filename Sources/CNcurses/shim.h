#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H
// SwiftPM drops pkg-config's feature defines, so the wide-character API is enabled here.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// Everything below is a prefixed static inline helper. Swift cannot import function-like
// macros (COLOR_PAIR, A_BOLD's NCURSES_BITS, BUTTON*_PRESSED) and, under Swift 6 strict
// concurrency, cannot read the C globals LINES, COLS, COLORS, COLOR_PAIRS and stdscr, so they
// are reached through these. The helpers keep no state of their own.

// TUIKit's CursesKeys table hard-codes ncurses' key codes so key decoding can be tested without
// a terminal; these assertions make the build fail if the system header ever disagrees.
_Static_assert(KEY_DOWN == 0402 && KEY_UP == 0403 && KEY_LEFT == 0404 && KEY_RIGHT == 0405, "arrow key codes");
_Static_assert(KEY_HOME == 0406 && KEY_BACKSPACE == 0407 && KEY_F0 == 0410, "home/backspace/F0 codes");
_Static_assert(KEY_DC == 0512 && KEY_IC == 0513 && KEY_SF == 0520 && KEY_SR == 0521, "edit/scroll codes");
_Static_assert(KEY_NPAGE == 0522 && KEY_PPAGE == 0523 && KEY_ENTER == 0527, "page/enter codes");
_Static_assert(KEY_A1 == 0534 && KEY_A3 == 0535 && KEY_C1 == 0537 && KEY_C3 == 0540, "keypad codes");
_Static_assert(KEY_BTAB == 0541 && KEY_END == 0550 && KEY_SDC == 0577 && KEY_SEND == 0602, "btab/end codes");
_Static_assert(KEY_SHOME == 0607 && KEY_SLEFT == 0611 && KEY_SRIGHT == 0622, "shifted key codes");
_Static_assert(KEY_MOUSE == 0631 && KEY_RESIZE == 0632, "mouse/resize codes");

static inline WINDOW *cncurses_stdscr(void) { return stdscr; }
static inline int cncurses_lines(void) { return LINES; }
static inline int cncurses_cols(void) { return COLS; }
static inline int cncurses_colors(void) { return COLORS; }
static inline int cncurses_color_pairs(void) { return COLOR_PAIRS; }
static inline int cncurses_err(void) { return ERR; }

static inline attr_t cncurses_a_normal(void) { return A_NORMAL; }
static inline attr_t cncurses_a_bold(void) { return A_BOLD; }
static inline attr_t cncurses_a_dim(void) { return A_DIM; }
static inline attr_t cncurses_a_reverse(void) { return A_REVERSE; }
static inline attr_t cncurses_a_underline(void) { return A_UNDERLINE; }

/// Whether the current locale's codeset is UTF-8 (call after setlocale).
static inline int cncurses_locale_is_utf8(void) {
  const char *codeset = nl_langinfo(CODESET);
  return codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

/// Starts curses on the process's terminal without exiting on failure (initscr would).
/// Returns 0 on success, -1 when the terminal type is unknown.
static inline int cncurses_start(void) {
  SCREEN *screen = newterm(NULL, stdout, stdin);
  if (screen == NULL) return -1;
  set_term(screen);
  return 0;
}

/// Keyboard modes: characters at once, no echo, keypad decoding, no CR/LF translation,
/// and a short ESC delay so Esc does not feel sluggish.
static inline void cncurses_setup_input(void) {
  cbreak();
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  intrflush(stdscr, FALSE);
  set_escdelay(25);
}

/// Enables press/release of buttons 1–3 and the wheel (buttons 4/5). Returns whether any
/// mouse events will be reported.
static inline int cncurses_enable_mouse(void) {
  mmask_t wanted = BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON2_PRESSED | BUTTON2_RELEASED
    | BUTTON3_PRESSED | BUTTON3_RELEASED | BUTTON4_PRESSED | BUTTON5_PRESSED;
  mmask_t granted = mousemask(wanted, NULL);
  // Without a click interval ncurses reports presses immediately instead of waiting to
  // combine them into clicks, which keeps clicking responsive over SSH.
  mouseinterval(0);
  return granted != 0;
}

/// Reads one key with a timeout in milliseconds (-1 blocks). Returns 0 with a character,
/// 1 with a key code, -1 on timeout or error.
static inline int cncurses_read(int timeout_ms, unsigned int *code) {
  wtimeout(stdscr, timeout_ms);
  wint_t value = 0;
  int rc = wget_wch(stdscr, &value);
  *code = (unsigned int)value;
  if (rc == OK) return 0;
  if (rc == KEY_CODE_YES) return 1;
  return -1;
}

/// Reads the pending mouse event and classifies it for CursesKeys.mouseEvent:
/// 1–3 press, 4–6 release, 7–9 click of buttons 1–3, 10 wheel up, 11 wheel down, 0 other.
/// Returns -1 when there is no event.
static inline int cncurses_read_mouse(int *kind, int *x, int *y) {
  MEVENT event;
  if (getmouse(&event) != OK) return -1;
  *x = event.x;
  *y = event.y;
  mmask_t s = event.bstate;
  if (s & BUTTON4_PRESSED) *kind = 10;
  else if (s & BUTTON5_PRESSED) *kind = 11;
  else if (s & BUTTON1_PRESSED) *kind = 1;
  else if (s & BUTTON2_PRESSED) *kind = 2;
  else if (s & BUTTON3_PRESSED) *kind = 3;
  else if (s & BUTTON1_RELEASED) *kind = 4;
  else if (s & BUTTON2_RELEASED) *kind = 5;
  else if (s & BUTTON3_RELEASED) *kind = 6;
  else if (s & BUTTON1_CLICKED) *kind = 7;
  else if (s & BUTTON2_CLICKED) *kind = 8;
  else if (s & BUTTON3_CLICKED) *kind = 9;
  else *kind = 0;
  return 0;
}

/// Defines color pair `pair`, using the extended call so more than 256 pairs work.
static inline int cncurses_init_pair(int pair, int fg, int bg) {
  return init_extended_pair(pair, fg, bg);
}

/// Draws one cell: `text` is a NUL-terminated spacing character plus combining characters.
/// The pair number is passed through setcchar's extension argument so it is not limited to
/// a short.
static inline int cncurses_put(int y, int x, const wchar_t *text, attr_t attrs, int pair) {
  cchar_t cell;
  int extended = pair;
  if (setcchar(&cell, text, attrs, (short)(pair < 32767 ? pair : 0), &extended) != OK) return ERR;
  return mvadd_wch(y, x, &cell);
}

static inline int cncurses_move(int y, int x) { return move(y, x); }
static inline int cncurses_erase(void) { return werase(stdscr); }
static inline int cncurses_refresh(void) { return wrefresh(stdscr); }

/// Installs `handler` for `sig` without SA_RESTART, so a blocking read is interrupted and the
/// signal is noticed promptly; the previous action is stored in `old`.
static inline int cncurses_set_handler(int sig, void (*handler)(int), struct sigaction *old) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  return sigaction(sig, &action, old);
}

/// Puts back a saved signal action.
static inline int cncurses_restore_handler(int sig, const struct sigaction *old) {
  return sigaction(sig, old, NULL);
}

#endif
