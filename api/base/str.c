#include "api/base/str.h"

#include <stdlib.h>
#include <string.h>

#include "api/base/chars.h"
#include "api/base/xalloc.h"

int str_cmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

bool str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

int str_cmp_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool str_blank(const char *s)
{
	for (; *s; s++)
		if (!char_is_space((unsigned char)*s))
			return false;
	return true;
}

bool str_is_sha256_hex(const char *s)
{
	size_t i;
	for (i = 0; s[i]; i++)
		if (!char_is_lower_hex((unsigned char)s[i]))
			return false;
	return i == 64;
}

void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

char *str_join(size_t n, const char *(*get)(const void *ctx, size_t i), const void *ctx,
               const char *sep)
{
	size_t len = 1, seplen = strlen(sep);
	for (size_t i = 0; i < n; i++)
		len += strlen(get(ctx, i)) + seplen;
	char *out = xmalloc(len), *o = out;
	*o = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			o = stpcpy(o, sep);
		o = stpcpy(o, get(ctx, i));
	}
	return out;
}

const char *str_at(const void *strv, size_t i)
{
	return ((const char *const *)strv)[i];
}
