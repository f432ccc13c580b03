#include "tests/unit/support.h"

#include <stdio.h>
#include <stdlib.h>

char *fixture_read(const char *name, size_t *len)
{
	const char *root = getenv("GB_ROOT");
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/fixtures/%s", root && *root ? root : ".", name);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "fixture %s: cannot open (run from the repository root)\n", path);
		abort();
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	fclose(f);
	if (!buf)
		abort();
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}
