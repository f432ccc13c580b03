/* Allocation that never returns NULL. On out-of-memory it calls the hook the UI installed
 * (to restore the terminal first, as htop's fail() does) and aborts. */
#ifndef GB_API_BASE_XALLOC_H
#define GB_API_BASE_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);          /* NULL gives NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* The out-of-memory exit, for allocations made inside libraries (libedit's history_init()
 * returning NULL): the hook, then abort. */
void xalloc_die(void) __attribute__((noreturn));

/* Installed once by the UI; borrowed function pointer. May be NULL. */
void xalloc_set_oom_hook(void (*hook)(void));

/* A growing string, for text built piece by piece. Zero-initialise it; after the first add
 * p is always NUL-terminated. xbuf_take() hands p over (an empty string when nothing was
 * added) and leaves the buffer empty for reuse. */
struct xbuf {
	char *p;
	size_t len, cap;
};
void xbuf_add(struct xbuf *b, const void *s, size_t n);
void xbuf_adds(struct xbuf *b, const char *s);
char *xbuf_take(struct xbuf *b);

#endif
