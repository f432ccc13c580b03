/* Allocation that never returns NULL. On out-of-memory it calls the hook the UI installed
 * (to restore the terminal first, as htop's fail() does) and aborts. */
#ifndef GB_API_XALLOC_H
#define GB_API_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);          /* NULL gives NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Installed once by the UI; borrowed function pointer. May be NULL. */
void xalloc_set_oom_hook(void (*hook)(void));

#endif
