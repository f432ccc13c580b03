#include "widgets/cmdline.h"

#include <errno.h>
#include <histedit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/base/str.h"
#include "api/base/xalloc.h"

int cmdline_split(const char *line, int *argc, char ***argv, char **err)
{
	*argc = 0;
	*argv = NULL;
	Tokenizer *tok = tok_init(NULL);
	if (!tok)
		xalloc_die();
	int n = 0;
	const char **words = NULL;
	int r = tok_str(tok, line, &n, &words);
	if (r != 0) {
		*err = xstrdup(r == 1 ? "a single quote is not closed"
		               : r == 2 ? "a double quote is not closed"
		                        : "the line could not be split into words");
		tok_end(tok);
		return -1;
	}
	char **v = xcalloc((size_t)n + 1, sizeof *v);
	for (int i = 0; i < n; i++)
		v[i] = xstrdup(words[i]);
	tok_end(tok);
	*argc = n;
	*argv = v;
	return 0;
}

void cmdline_argv_free(char ***argv)
{
	if (!argv || !*argv)
		return;
	for (char **p = *argv; *p; p++)
		free(*p);
	free(*argv);
	*argv = NULL;
}

const struct keybinding *cmdline_find(const struct keybinding *cmds, const char *name,
                                      bool *ambiguous)
{
	const struct keybinding *found = NULL;
	size_t len = strlen(name);
	bool many = false;
	if (ambiguous)
		*ambiguous = false;
	if (len == 0)
		return NULL;
	for (const struct keybinding *k = cmds; k && k->key; k++) {
		if (!k->action)
			continue;
		if (strcmp(k->action, name) == 0)
			return k;
		if (strncmp(k->action, name, len) == 0) {
			many = found != NULL;
			found = many ? found : k;
			if (many)
				break;
		}
	}
	if (many) {
		/* An exact name later in the table still wins. */
		for (const struct keybinding *k = cmds; k->key; k++)
			if (str_eq(k->action, name))
				return k;
		if (ambiguous)
			*ambiguous = true;
		return NULL;
	}
	return found;
}

bool cmdline_history_ok(const char *line, const struct keybinding *cmds)
{
	if (!line[0] || line[0] == ' ' || line[0] == '\t')
		return false;
	int argc;
	char **argv, *err = NULL;
	if (cmdline_split(line, &argc, &argv, &err) != 0) {
		free(err);
		return false;
	}
	const struct keybinding *k = argc > 0 ? cmdline_find(cmds, argv[0], NULL) : NULL;
	bool ok = k && !((k->flags & KB_CMD_PRIVATE) && argc > 1);
	cmdline_argv_free(&argv);
	return ok;
}

static bool cmdline_blank(char c)
{
	return c == ' ' || c == '\t';
}

int cmdline_word_at(const char *line, size_t cursor, size_t *start)
{
	size_t len = strlen(line);
	if (cursor > len)
		cursor = len;
	size_t s = cursor;
	while (s > 0 && !cmdline_blank(line[s - 1]))
		s--;
	int index = 0;
	for (size_t i = 0; i < s; i++)
		if (!cmdline_blank(line[i]) && (i == 0 || cmdline_blank(line[i - 1])))
			index++;
	*start = s;
	return index;
}

void completion_find(struct completion *c, const char *const *cands, size_t n,
                     const char *prefix)
{
	size_t plen = strlen(prefix);
	c->v = xcalloc(n + 1, sizeof *c->v);
	c->n = 0;
	for (size_t i = 0; i < n; i++)
		if (cands[i] && strncmp(cands[i], prefix, plen) == 0)
			c->v[c->n++] = xstrdup(cands[i]);
	qsort(c->v, c->n, sizeof *c->v, str_cmp_ptr);
	size_t out = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (out > 0 && strcmp(c->v[out - 1], c->v[i]) == 0)
			free(c->v[i]);
		else
			c->v[out++] = c->v[i];
	}
	c->n = out;
	size_t common = 0;
	if (c->n > 0) {
		/* In sorted order the first and the last differ soonest. */
		const char *first = c->v[0], *last = c->v[c->n - 1];
		while (first[common] && first[common] == last[common])
			common++;
		while (common > 0 && ((unsigned char)first[common] & 0xC0) == 0x80)
			common--;   /* never cut a UTF-8 character */
	}
	c->common = xstrndup(c->n ? c->v[0] : "", common);
}

void completion_clear(struct completion *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i]);
	free(c->v);
	free(c->common);
	memset(c, 0, sizeof *c);
}

size_t completion_render(const struct completion *c, char *buf, size_t sz)
{
	size_t o = 0;
	if (sz == 0)
		return 0;
	buf[0] = '\0';
	for (size_t i = 0; i < c->n; i++) {
		int w = snprintf(buf + o, sz - o, "%s%s", i ? "  " : "", c->v[i]);
		if (w < 0 || (size_t)w >= sz - o) {
			buf[o] = '\0';
			break;
		}
		o += (size_t)w;
	}
	return o;
}

/* --- history --- */

struct cmdhist {
	History *h;
	bool browsing;
};

struct cmdhist *cmdhist_new(int size)
{
	struct cmdhist *c = xcalloc(1, sizeof *c);
	HistEvent ev;
	c->h = history_init();
	if (!c->h)
		xalloc_die();
	history(c->h, &ev, H_SETSIZE, size > 0 ? size : 500);
	history(c->h, &ev, H_SETUNIQUE, 1);
	return c;
}

void cmdhist_free(struct cmdhist **h)
{
	if (!h || !*h)
		return;
	history_end((*h)->h);
	free(*h);
	*h = NULL;
}

int cmdhist_load(struct cmdhist *h, const char *path, char **err)
{
	HistEvent ev;
	struct stat st;
	h->browsing = false;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		*err = xasprintf("cannot read the history %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		*err = xasprintf("the history %s is not a regular file", path);
		return -1;
	}
	if (history(h->h, &ev, H_LOAD, path) < 0) {
		*err = xasprintf("cannot read the history %s: not a history file", path);
		return -1;
	}
	return 0;
}

int cmdhist_save(struct cmdhist *h, const char *path, char **err)
{
	HistEvent ev;
	char *tmp = xasprintf("%s.XXXXXX", path);
	int fd = mkstemp(tmp);   /* 0600 */
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!fp) {
		*err = xasprintf("cannot save the history in %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return -1;
	}
	int n = history(h->h, &ev, H_SAVE_FP, fp);
	int saved_errno = errno;
	bool ok = n >= 0 && fflush(fp) == 0 && fsync(fd) == 0;
	if (!ok)
		saved_errno = errno ? errno : saved_errno;
	if (fclose(fp) != 0 && ok) {
		ok = false;
		saved_errno = errno;
	}
	if (ok && rename(tmp, path) != 0) {
		ok = false;
		saved_errno = errno;
	}
	if (!ok) {
		unlink(tmp);
		*err = xasprintf("cannot save the history in %s: %s", path, strerror(saved_errno));
	}
	free(tmp);
	return ok ? 0 : -1;
}

void cmdhist_add(struct cmdhist *h, const char *line)
{
	HistEvent ev;
	history(h->h, &ev, H_ENTER, line);
	h->browsing = false;
}

size_t cmdhist_count(const struct cmdhist *h)
{
	HistEvent ev;
	if (history(h->h, &ev, H_GETSIZE) < 0)
		return 0;
	return ev.num > 0 ? (size_t)ev.num : 0;
}

/* libedit's H_FIRST is the newest entry and H_NEXT moves to older ones. */
const char *cmdhist_older(struct cmdhist *h)
{
	HistEvent ev;
	if (!h->browsing) {
		if (history(h->h, &ev, H_FIRST) < 0)
			return NULL;
		h->browsing = true;
		return ev.str;
	}
	return history(h->h, &ev, H_NEXT) < 0 ? NULL : ev.str;
}

const char *cmdhist_newer(struct cmdhist *h)
{
	HistEvent ev;
	if (!h->browsing)
		return NULL;
	if (history(h->h, &ev, H_PREV) < 0) {
		h->browsing = false;
		return NULL;
	}
	return ev.str;
}

void cmdhist_rewind(struct cmdhist *h)
{
	h->browsing = false;
}

bool cmdhist_browsing(const struct cmdhist *h)
{
	return h->browsing;
}
