/* Small string rules that several modules share: NULL-safe comparison, blankness, joining. */
#ifndef GB_API_BASE_STR_H
#define GB_API_BASE_STR_H

#include <stdbool.h>
#include <stddef.h>

/* strcmp() where NULL sorts as "" (the engine leaves fields out). */
int str_cmp(const char *a, const char *b);

/* Whether both are set and equal: a missing value matches nothing. */
bool str_eq(const char *a, const char *b);

/* A qsort() comparator for an array of char * (none NULL). */
int str_cmp_ptr(const void *a, const void *b);

/* Whether s holds nothing but char_is_space() characters (or nothing at all). */
bool str_blank(const char *s);

/* Free the n strings of v, then v (NULL with n == 0 is fine). */
void strv_free(char **v, size_t n);

/* Whether s is exactly 64 lowercase hex digits: a SHA-256 as docker and glovebox write it. */
bool str_is_sha256_hex(const char *s);

/* The n strings get(ctx, i) returns, with sep between them ("a, b, c"). New string. */
char *str_join(size_t n, const char *(*get)(const void *ctx, size_t i), const void *ctx,
               const char *sep);
/* A getter for str_join over an array of strings: ((const char *const *)strv)[i]. */
const char *str_at(const void *strv, size_t i);

#endif
