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
#ifndef GB_API_SECMEM_H
#define GB_API_SECMEM_H

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

#endif
