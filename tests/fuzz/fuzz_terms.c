/* libFuzzer target: the diff of two versions of the terms (api/terms.c, terms_diff).
 *
 * Byte 0 sets the context (its value modulo 10, minus 1: -1 to 8 lines); the rest holds the
 * old text, a NUL byte, then the new text (cut at a further NUL). Beyond the sanitizers, it
 * checks what a person reading the diff relies on:
 * - every line is "- x", "+ x", "  x" or "..." (never first, last or twice in a row);
 * - with unlimited context, the "  " and "- " lines are exactly the old text's lines and the
 *   "  " and "+ " lines the new text's, and the diff is empty only when they are the same;
 * - with any context, the same lines are marked removed and added as with unlimited context;
 * - either diff is the "rewritten entirely" note only when the other is too. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"
#include "api/core/terms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TOO_LARGE "the terms were rewritten entirely\n"

struct span { const char *s; size_t len; };

struct spans { struct span *v; size_t n, cap; };

static void require(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_terms: broken contract: %s\n", what);
		abort();
	}
}

static void push(struct spans *l, const char *s, size_t len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	l->v[l->n++] = (struct span){ s, len };
}

static int span_eq(const struct span *a, const struct span *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

static int spans_eq(const struct spans *a, const struct spans *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (!span_eq(&a->v[i], &b->v[i]))
			return 0;
	return 1;
}

/* The lines of a text as terms.h reads them: ending at "\n" or "\r\n", a last line without
 * either still counting. */
static void text_lines(const char *t, struct spans *out)
{
	while (*t) {
		const char *nl = strchr(t, '\n');
		size_t len = nl ? (size_t)(nl - t) : strlen(t);
		push(out, t, nl && len > 0 && t[len - 1] == '\r' ? len - 1 : len);
		t += len + (nl != NULL);
	}
}

/* A diff's lines by kind: 'k' kept, '-' removed, '+' added; checks the format. Returns
 * whether the diff was the "rewritten entirely" note. */
static int diff_lines(const char *d, struct spans *old, struct spans *new, struct spans *changes)
{
	if (strcmp(d, TOO_LARGE) == 0)
		return 1;
	int after_dots = 1;   /* "..." cannot come first */
	while (*d) {
		const char *nl = strchr(d, '\n');
		require(nl != NULL, "a diff line without its newline");
		size_t len = (size_t)(nl - d);
		if (len == 3 && memcmp(d, "...", 3) == 0) {
			require(!after_dots, "\"...\" first or twice in a row");
			after_dots = 1;
		} else {
			require(len >= 2 && (d[0] == '-' || d[0] == '+' || d[0] == ' ') && d[1] == ' ',
			        "a diff line that is neither kept, removed, added nor \"...\"");
			if (d[0] != '+')
				push(old, d + 2, len - 2);
			if (d[0] != '-')
				push(new, d + 2, len - 2);
			if (d[0] != ' ')
				push(changes, d, len);
			after_dots = 0;
		}
		d = nl + 1;
	}
	require(!after_dots || old->n + new->n == 0, "\"...\" last");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int context = data[0] % 10 - 1;
	const char *rest = (const char *)data + 1;
	size_t len = size - 1;
	const char *sep = memchr(rest, '\0', len);
	char *old_text = xstrndup(rest, sep ? (size_t)(sep - rest) : len);
	char *new_text = sep ? xstrndup(sep + 1, len - (size_t)(sep - rest) - 1) : xstrdup("");
	struct spans a = {0}, b = {0}, full_old = {0}, full_new = {0}, full_changes = {0};
	struct spans ctx_old = {0}, ctx_new = {0}, ctx_changes = {0};

	text_lines(old_text, &a);
	text_lines(new_text, &b);

	char *full = terms_diff(old_text, new_text, INT_MAX);
	char *diff = terms_diff(old_text, new_text, context);
	int full_too_large = diff_lines(full, &full_old, &full_new, &full_changes);
	int too_large = diff_lines(diff, &ctx_old, &ctx_new, &ctx_changes);
	require(full_too_large == too_large, "too large with one context and not the other");
	if (strcmp(old_text, new_text) == 0)
		require(*full == '\0' && *diff == '\0', "equal texts give a diff");
	if (!full_too_large) {
		if (*full == '\0') {
			require(spans_eq(&a, &b), "an empty diff of texts that differ");
		} else {
			require(spans_eq(&full_old, &a), "the full diff does not hold the old text");
			require(spans_eq(&full_new, &b), "the full diff does not hold the new text");
			require(strstr(full, "\n...\n") == NULL && strncmp(full, "...\n", 4) != 0,
			        "the full diff skips lines");
		}
		require(spans_eq(&ctx_changes, &full_changes), "the context changes what changed");
	}

	free(full_old.v), free(full_new.v), free(full_changes.v);
	free(ctx_old.v), free(ctx_new.v), free(ctx_changes.v);
	free(a.v), free(b.v);
	free(diff);
	free(full);
	free(new_text);
	free(old_text);
	return 0;
}
