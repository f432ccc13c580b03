#include "api/base/secmem.h"

#include <jansson.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Placed at the start of the mapping; the string follows it. */
struct secmem_head {
	size_t map_len;     /* the whole mapping */
	size_t capacity;    /* string bytes, without the NUL */
	bool locked;
};

#define HEAD_SIZE 64    /* keeps the string 16-byte aligned whatever the head's size */

_Static_assert(sizeof(struct secmem_head) <= HEAD_SIZE, "secmem head too large");

static struct secmem_head *head_of(const char *p)
{
	return (struct secmem_head *)(void *)(uintptr_t)(p - HEAD_SIZE);
}

char *secmem_alloc(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	if (n > SIZE_MAX / 2) {
		fputs("glovebox: secret too large\n", stderr);
		abort();
	}
	size_t len = (HEAD_SIZE + n + 1 + page - 1) / page * page;
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		fputs("glovebox: out of memory\n", stderr);
		abort();
	}
	/* Best effort: a kernel without one of these still gets the others. */
	madvise(m, len, MADV_DONTDUMP);
#ifdef MADV_WIPEONFORK
	madvise(m, len, MADV_WIPEONFORK);
#endif
	struct secmem_head *h = m;
	h->map_len = len;
	h->capacity = n;
	h->locked = mlock(m, len) == 0;
	return (char *)m + HEAD_SIZE;
}

char *secmem_strndup(const char *s, size_t n)
{
	if (!s)
		return NULL;
	size_t len = strnlen(s, n);
	char *p = secmem_alloc(len);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *secmem_strdup(const char *s)
{
	return s ? secmem_strndup(s, strlen(s)) : NULL;
}

size_t secmem_capacity(const char *p)
{
	return head_of(p)->capacity;
}

bool secmem_locked(const char *p)
{
	return head_of(p)->locked;
}

void secmem_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

void secmem_free(char **pp)
{
	char *p = *pp;
	if (!p)
		return;
	struct secmem_head *h = head_of(p);
	size_t len = h->map_len;
	bool locked = h->locked;
	explicit_bzero(h, len);
	if (locked)
		munlock(h, len);
	munmap(h, len);
	*pp = NULL;
}

void secmem_append(char **pp, size_t *len, const void *s, size_t n)
{
	if (!*pp) {
		*pp = secmem_alloc(n > 256 ? n : 256);
		*len = 0;
	}
	size_t cap = secmem_capacity(*pp);
	if (n > cap - *len) {
		if (n > SIZE_MAX / 2 - *len) {
			fputs("glovebox: secret too large\n", stderr);
			abort();
		}
		size_t want = cap * 2 > *len + n ? cap * 2 : *len + n;
		char *grown = secmem_alloc(want);
		memcpy(grown, *pp, *len);
		secmem_free(pp);
		*pp = grown;
	}
	memcpy(*pp + *len, s, n);
	*len += n;
	(*pp)[*len] = '\0';
}

void secmem_heap_free(void *p)
{
	if (!p)
		return;
	explicit_bzero(p, malloc_usable_size(p));
	free(p);
}

void *secmem_heap_realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	if (n == 0) {
		/* As glibc's realloc(p, 0): freed, and NULL. */
		secmem_heap_free(p);
		return NULL;
	}
	void *q = malloc(n);
	if (!q)
		return NULL;
	size_t old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	secmem_heap_free(p);
	return q;
}

void secmem_heap_setup(void)
{
	json_set_alloc_funcs(malloc, secmem_heap_free);
}
