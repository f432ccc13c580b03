/* Memory for secrets (registry passwords, tokens, the X-Registry-Auth value built from them).
 *
 * Each buffer gets pages of its own, locked into RAM with mlock() so it is never written to
 * swap, excluded from core dumps (MADV_DONTDUMP) and from forked children (MADV_WIPEONFORK),
 * and wiped with explicit_bzero() before it is released. mlock can fail (RLIMIT_MEMLOCK):
 * the buffer is then still wiped and excluded from dumps, only not locked; secmem_locked()
 * says which. Buffers are NUL-terminated strings; on out-of-memory these abort like xalloc.
 *
 * Copies made elsewhere are outside this module's reach: libcurl's request buffers, the
 * kernel's socket buffers, libsecret's own D-Bus messages. glovebox keeps its own copies
 * here and wipes them as soon as they have been used. */
#ifndef GB_API_BASE_SECMEM_H
#define GB_API_BASE_SECMEM_H

#include <stdbool.h>
#include <stddef.h>

/* A zeroed buffer for a string of up to n bytes plus its NUL. Never NULL. */
char *secmem_alloc(size_t n);
/* Copies; NULL gives NULL. */
char *secmem_strdup(const char *s);
char *secmem_strndup(const char *s, size_t n);
/* Capacity given to secmem_alloc (string bytes, without the NUL). */
size_t secmem_capacity(const char *p);
/* Whether mlock() succeeded for this buffer. */
bool secmem_locked(const char *p);
/* Wipe the whole buffer, unlock, release, set *p to NULL. NULL is fine. */
void secmem_free(char **p);

/* Wipe n bytes of ordinary memory (a copy that could not live in a secmem buffer). */
void secmem_wipe(void *p, size_t n);

/* Append n bytes of s to the secmem string *p (NULL to start one) of *len bytes, keeping it
 * NUL-terminated. When it is full, the bytes move to a new secmem buffer twice as large and
 * the old one is wiped and released: growth leaves no copy behind. For a secret that arrives
 * in pieces (a reply from the network). */
void secmem_append(char **p, size_t *len, const void *s, size_t n);

/* ---- the ordinary heap, wiped ----
 * Libraries copy secrets into the ordinary heap where no secmem buffer can hold them: jansson
 * (every string it parses, and its parser's scratch buffers, hold an identity token or a
 * config.json auth field), libcurl (the request it writes holds X-Registry-Auth and the /auth
 * body; the buffer it reads into holds the identity token). These wipe a block, all of it
 * (malloc_usable_size), before it goes back to malloc; they are not locked in memory. */

/* free() that wipes the block first. NULL is fine. */
void secmem_heap_free(void *p);
/* realloc() that never grows in place: the contents move to a new block and the old one is
 * wiped and freed. realloc's contract otherwise (NULL p allocates; on failure NULL, p kept). */
void *secmem_heap_realloc(void *p, size_t n);

/* Route jansson's frees through secmem_heap_free for the whole process, so that no JSON string
 * outlives its tree in freed memory. Call once, first thing in main, before other threads
 * start and before any jansson call; libcurl gets the same from engine_new
 * (curl_global_init_mem). The cost: one memset of each block jansson frees (docs/credentials.md). */
void secmem_heap_setup(void);

#endif
