/* libFuzzer target: the sanitiser (widgets/sanitize.c), against the promises of sanitize.h.
 *
 * Byte 0 holds the flags (its low four bits: SAN_KEEP_TAB, SAN_KEEP_NEWLINE, SAN_ASCII,
 * SAN_STRIP_ESC), byte 1 the column budget for text_fit, the rest is the untrusted text.
 * What comes out of sanitize() must be something no terminal interprets, checked here with a
 * decoder of its own rather than the sanitiser's:
 * - no ESC, no DEL, no C0 control but a TAB or newline the flags keep;
 * - valid UTF-8 (no overlong form, surrogate or value above U+10FFFF), or with SAN_ASCII
 *   printable ASCII only;
 * - no C1 control (U+0080..U+009F), no bidi control (U+202A..U+202E, U+2066..U+2069, U+200E,
 *   U+200F, U+061C);
 * - no combining mark at the start or on a U+FFFD or a kept TAB or newline.
 * text_fit() of the result must keep within its column and byte budgets, say how many
 * columns it wrote, and keep the same properties. Any violation aborts. */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void violation(const char *what, const char *out)
{
	fprintf(stderr, "fuzz_sanitize: invariant broken: %s in output:\n", what);
	for (const unsigned char *p = (const unsigned char *)out; *p; p++)
		fprintf(stderr, p[0] >= 0x20 && p[0] < 0x7F ? "%c" : "\\x%02x", *p);
	fputc('\n', stderr);
	abort();
}

/* One strictly valid UTF-8 character at s into *cp; its length, or 0 when it is not one. */
static size_t utf8_strict(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t v, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0)
		n = 2, v = s[0] & 0x1F, min = 0x80;
	else if ((s[0] & 0xF0) == 0xE0)
		n = 3, v = s[0] & 0x0F, min = 0x800;
	else if ((s[0] & 0xF8) == 0xF0)
		n = 4, v = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)   /* the terminating NUL stops it too */
			return 0;
		v = v << 6 | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

static int is_bidi(uint32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
	       cp == 0x200F || cp == 0x061C;
}

static void check(const char *out, int flags)
{
	const unsigned char *p = (const unsigned char *)out;
	uint32_t prev = 0;   /* 0: nothing before */

	while (*p) {
		uint32_t cp;
		size_t n;
		if (*p == 0x1B)
			violation("ESC", out);
		if (*p == 0x7F)
			violation("DEL", out);
		if (*p < 0x20 && !(*p == '\t' && (flags & SAN_KEEP_TAB)) &&
		    !(*p == '\n' && (flags & SAN_KEEP_NEWLINE)))
			violation("a C0 control", out);
		if ((flags & SAN_ASCII) && *p >= 0x80)
			violation("a non-ASCII byte under SAN_ASCII", out);
		if (!(n = utf8_strict(p, &cp)))
			violation("invalid UTF-8", out);
		if (cp >= 0x80 && cp <= 0x9F)
			violation("a C1 control", out);
		if (is_bidi(cp))
			violation("a bidi control", out);
		if (cp >= 0x300 && wcwidth((wchar_t)cp) == 0 &&
		    (prev == 0 || prev == 0xFFFD || prev == '\t' || prev == '\n'))
			violation("a combining mark with nothing to sit on", out);
		prev = cp;
		p += n;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	/* What the console runs in; sanitize() only needs setlocale() to have been called. */
	if (!setlocale(LC_ALL, "C.UTF-8")) {
		fprintf(stderr, "fuzz_sanitize: the C.UTF-8 locale is missing\n");
		abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	int flags = data[0] & (SAN_KEEP_TAB | SAN_KEEP_NEWLINE | SAN_ASCII | SAN_STRIP_ESC);
	size_t cols = data[1];
	size_t len = size - 2;
	/* A copy of exactly the text, so that ASan sees any read past its end. */
	char *in = xmalloc(len ? len : 1);
	memcpy(in, data + 2, len);

	char *out = sanitize(in, len, flags);
	check(out, flags);

	/* The NUL-terminated form stops at the first NUL and says the same up to it. */
	char *z = xstrndup(in, len);
	char *outz = sanitize_str(z, flags);
	check(outz, flags);
	if (strlen(z) == len && strcmp(out, outz) != 0)
		violation("sanitize_str differs from sanitize", outz);
	free(outz);
	free(z);

	/* Fitting into a column: the budgets hold and the result is still clean. Tiny buffers
	 * too, where the ellipsis itself does not fit. */
	bool ascii = flags & SAN_ASCII;
	size_t width = text_width(out);
	size_t sizes[] = { 1, 2, 4, 16, 3 * cols + 8 };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		for (int pad = 0; pad <= 1; pad++) {
			char *fit = xmalloc(sizes[i]);
			memset(fit, 'X', sizes[i]);
			size_t got = text_fit(fit, sizes[i], out, cols, pad, ascii);
			if (memchr(fit, '\0', sizes[i]) == NULL)
				violation("text_fit did not terminate its output", out);
			check(fit, flags);
			if (got > cols)
				violation("text_fit wrote more columns than asked", fit);
			if (got != text_width(fit))
				violation("text_fit miscounted its columns", fit);
			if (width <= cols && strlen(out) < sizes[i] && !pad && strcmp(fit, out) != 0)
				violation("text_fit cut text that fits", fit);
			free(fit);
		}
	}
	free(out);
	free(in);
	return 0;
}
