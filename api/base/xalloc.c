#include "api/base/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The only process-wide state: set once at start-up, before any allocation can fail. */
static void (*oom_hook)(void);

void xalloc_set_oom_hook(void (*hook)(void)) { oom_hook = hook; }

static void oom(void)
{
	if (oom_hook)
		oom_hook();
	fputs("glovebox: out of memory\n", stderr);
	abort();
}

void xalloc_die(void)
{
	oom();
	abort();   /* oom() does not return; this tells the compiler */
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		oom();
	return xrealloc(p, n * size);
}

char *xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *p = NULL;
	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	return p;
}

void xbuf_add(struct xbuf *b, const void *s, size_t n)
{
	if (n >= b->cap - b->len || !b->p) {
		size_t cap = b->cap ? b->cap : 256;
		while (n >= cap - b->len) {
			if (cap > ((size_t)-1) / 2)
				oom();
			cap *= 2;
		}
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void xbuf_adds(struct xbuf *b, const char *s)
{
	xbuf_add(b, s, strlen(s));
}

char *xbuf_take(struct xbuf *b)
{
	char *p = b->p ? b->p : xstrdup("");
	*b = (struct xbuf){0};
	return p;
}
