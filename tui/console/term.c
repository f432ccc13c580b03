#include "tui/console/term.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <unistd.h>

#include "api/base/xalloc.h"

/* A signal handler can only reach globals: the self-pipe's write end, and whether curses is
 * on (for the emergency restore). Nothing else in glovebox is global. */
static int sig_write_fd = -1;
static volatile sig_atomic_t curses_on;

static const int handled[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGCONT, SIGWINCH};

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	if (sig_write_fd >= 0 && write(sig_write_fd, &b, 1) < 0) {
		/* A full pipe already holds enough wake-ups. */
	}
	errno = saved;
}

int term_check(char **err)
{
	const char *term = getenv("TERM");
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*err = xstrdup("the console needs a terminal on stdin and stdout (for scripts: glovebox ls --json)");
		return -1;
	}
	if (!term || !*term) {
		*err = xstrdup("TERM is not set: the console needs to know the terminal (e.g. TERM=xterm-256color)");
		return -1;
	}
	if (strcmp(term, "dumb") == 0) {
		*err = xstrdup("TERM=dumb cannot show the console: use a full terminal, or glovebox ls");
		return -1;
	}
	int e = 0;
	if (setupterm(term, STDOUT_FILENO, &e) != OK) {
		*err = xasprintf("the terminal type \"%.40s\" is unknown here (no terminfo entry): set TERM to one that is, e.g. xterm-256color",
		                 term);
		for (char *p = *err; *p; p++)   /* TERM is untrusted too */
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				*p = '?';
		return -1;
	}
	del_curterm(cur_term);
	return 0;
}

static void handlers_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
		sigaction(handled[i], &sa, NULL);
}

static void handlers_reset(void)
{
	for (size_t i = 0; i < sizeof handled / sizeof handled[0]; i++)
		signal(handled[i], SIG_DFL);
}

int term_start(struct tui_term *t, bool headless, char **err)
{
	int p[2];
	memset(t, 0, sizeof *t);
	t->sig_fd = -1;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) {
		*err = xasprintf("cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	t->sig_fd = p[0];
	sig_write_fd = p[1];
	handlers_install();

	SCREEN *s;
	if (headless) {
		t->headless = true;
		t->hl_in = fopen("/dev/null", "r");
		t->hl_out = fopen("/dev/null", "w");
		if (!t->hl_in || !t->hl_out) {
			*err = xstrdup("cannot open /dev/null");
			term_stop(t);
			return -1;
		}
		/* A fixed virtual size, so headless runs are repeatable. */
		use_env(FALSE);
		s = newterm("xterm-256color", t->hl_out, t->hl_in);
		if (s)
			resizeterm(24, 80);
	} else {
		s = newterm(NULL, stdout, stdin);
	}
	if (!s) {
		*err = xstrdup("curses could not start on this terminal");
		term_stop(t);
		return -1;
	}
	t->screen = s;
	t->active = true;
	curses_on = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	return 0;
}

void term_stop(struct tui_term *t)
{
	if (t->active) {
		curs_set(1);
		endwin();
		delscreen(t->screen);
		t->screen = NULL;
		t->active = false;
		curses_on = 0;
	}
	handlers_reset();
	if (t->sig_fd >= 0) {
		close(t->sig_fd);
		t->sig_fd = -1;
	}
	if (sig_write_fd >= 0) {
		close(sig_write_fd);
		sig_write_fd = -1;
	}
	if (t->hl_in)
		fclose(t->hl_in);
	if (t->hl_out)
		fclose(t->hl_out);
	t->hl_in = t->hl_out = NULL;
}

int term_take_signals(struct tui_term *t, int *sigs, int n)
{
	unsigned char b[64];
	int got = 0;
	ssize_t r;
	while (got < n && (r = read(t->sig_fd, b, (size_t)(n - got) < sizeof b ? (size_t)(n - got) : sizeof b)) > 0)
		for (ssize_t i = 0; i < r; i++)
			sigs[got++] = b[i];
	return got;
}

void term_suspend(struct tui_term *t)
{
	if (!t->active || t->headless)
		return;
	endwin();
	signal(SIGTSTP, SIG_DFL);
	raise(SIGTSTP);
	/* Here again after SIGCONT. */
	handlers_install();
	refresh();
	clearok(curscr, TRUE);
}

void term_resize(struct tui_term *t)
{
	struct winsize ws;
	if (!t->active || t->headless)
		return;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
}

void term_emergency_restore(void)
{
	if (curses_on) {
		endwin();
		curses_on = 0;
	}
}
