/* Unit and property tests for widgets/sanitize: the gate between engine strings and the
 * terminal. The property tests check the header's promises over every code point and over
 * random byte strings, using a UTF-8 decoder written independently of the one under test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "api/base/sanitize.h"

#define FFFD "\xEF\xBF\xBD"
#define ELLIPSIS "\xE2\x80\xA6"

/* The code points the header lists by name: bidi controls, zero-width and invisible
 * characters, and the line/paragraph separators. */
static const uint32_t listed[] = {
	0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
	0x200E, 0x200F, 0x061C,
	0x200B, 0x200C, 0x200D, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
	0xFEFF, 0x00AD, 0x180E, 0x2028, 0x2029,
};

static bool is_listed(uint32_t cp)
{
	for (size_t i = 0; i < sizeof listed / sizeof listed[0]; i++)
		if (listed[i] == cp)
			return true;
	return false;
}

/* Encode cp as UTF-8, surrogates included (as the ill-formed 3-byte form an attacker would
 * send). Returns the byte count. */
static size_t enc(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Textbook strict decoder: decode by the lead byte's length, then reject overlongs,
 * surrogates and values above U+10FFFF. Returns the length, or 0 when ill-formed. */
static size_t ref_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2;
		v = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3;
		v = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4;
		v = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[k] & 0x3F);
	}
	if (v < min[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* Everything sanitize() promises about its output, whatever the input was. */
static void check_output(const char *out, int flags)
{
	const unsigned char *s = (const unsigned char *)out;
	size_t n = strlen(out), cols = 0;
	uint32_t prev = 0;
	bool first = true;

	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t k = ref_decode(s + i, n - i, &cp);
		if (k == 0)
			fail_msg("invalid UTF-8 at byte %zu of \"%s\"", i, out);
		bool kept = (cp == '\t' && (flags & SAN_KEEP_TAB)) ||
			    (cp == '\n' && (flags & SAN_KEEP_NEWLINE));
		if (!kept && (cp < 0x20 || cp == 0x7F))
			fail_msg("control 0x%02X in output \"%s\"", (unsigned)cp, out);
		if (cp >= 0x80 && cp <= 0x9F)
			fail_msg("C1 U+%04X in output", (unsigned)cp);
		if (is_listed(cp))
			fail_msg("bidi/zero-width U+%04X in output", (unsigned)cp);
		if ((flags & SAN_ASCII) && cp >= 0x80)
			fail_msg("non-ASCII U+%04X in ASCII output", (unsigned)cp);
		int w = wcwidth((wchar_t)cp);
		if (w < 0 && !kept)
			fail_msg("non-printable U+%04X (wcwidth %d) in output", (unsigned)cp, w);
		if (w == 0 && (first || prev == 0xFFFD || prev == '\t' || prev == '\n'))
			fail_msg("zero-width U+%04X without a base in \"%s\"", (unsigned)cp, out);
		cols += w > 0 ? (size_t)w : 0;
		prev = cp;
		first = false;
		i += k;
	}
	if (text_width(out) != cols)
		fail_msg("text_width %zu != sum of wcwidth %zu for \"%s\"", text_width(out), cols, out);
}

static void expect(const char *in, size_t len, int flags, const char *want)
{
	char *out = sanitize(in, len, flags);
	assert_string_equal(out, want);
	check_output(out, flags);
	free(out);
}

/* Most cases are NUL-free literals. */
#define EXPECT(in, flags, want) expect((in), sizeof(in) - 1, (flags), (want))

static void test_ascii_unchanged(void **state)
{
	(void)state;
	EXPECT("nginx:1.25-alpine web.1.x9k2 <none> ~!@#$%^&*()_+{}|:\"?`-=[]\\;',./", 0,
	       "nginx:1.25-alpine web.1.x9k2 <none> ~!@#$%^&*()_+{}|:\"?`-=[]\\;',./");
	EXPECT("", 0, "");
}

static void test_escape_sequences(void **state)
{
	(void)state;
	EXPECT("\033[31mred\033[0m", 0, "^[[31mred^[[0m");
	EXPECT("\033[2J\033[H", 0, "^[[2J^[[H");
	EXPECT("\033]0;pwned\007", 0, "^[]0;pwned^G");
	EXPECT("\033]52;c;ZXZpbA==\033\\", 0, "^[]52;c;ZXZpbA==^[\\");
	EXPECT("\033P1$r0m\033\\", 0, "^[P1$r0m^[\\");
	EXPECT("\033c", 0, "^[c");
}

static void test_c0_and_del(void **state)
{
	(void)state;
	EXPECT("\x01\x02\x08\x0D\x1A\x1F", 0, "^A^B^H^M^Z^_");
	EXPECT("a\x7F" "b", 0, "a^?b");
	expect("a\0b\0", 4, 0, "a^@b^@");
	expect("\0", 1, SAN_KEEP_TAB | SAN_KEEP_NEWLINE, "^@");
}

static void test_c1_controls(void **state)
{
	(void)state;
	EXPECT("a\xC2\x9B" "31m", 0, "a<U+009B>31m");
	EXPECT("a\x9B" "31m", 0, "a" FFFD "31m");
	EXPECT("\xC2\x9D" "0;x\xC2\x9C", 0, "<U+009D>0;x<U+009C>");
	for (uint32_t cp = 0x80; cp <= 0x9F; cp++) {
		char in[2], want[16];
		enc(cp, in);
		snprintf(want, sizeof want, "<U+%04X>", (unsigned)cp);
		expect(in, 2, 0, want);
		expect(in + 1, 1, 0, FFFD);     /* the raw 8-bit form */
	}
}

static void test_tab_newline(void **state)
{
	(void)state;
	EXPECT("a\tb\nc\r\n", 0, "a^Ib^Jc^M^J");
	EXPECT("a\tb\nc\r\n", SAN_KEEP_TAB, "a\tb^Jc^M^J");
	EXPECT("a\tb\nc\r\n", SAN_KEEP_NEWLINE, "a^Ib\nc^M\n");
	EXPECT("a\tb\nc\r\n", SAN_KEEP_TAB | SAN_KEEP_NEWLINE, "a\tb\nc^M\n");
	EXPECT("\v\f", SAN_KEEP_TAB | SAN_KEEP_NEWLINE, "^K^L");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	/* Overlongs: the lead byte can never start a valid sequence, or the second byte is
	 * out of range for it, so each byte is its own maximal subpart. */
	EXPECT("\xC0\xAF", 0, FFFD FFFD);
	EXPECT("\xC1\xBF", 0, FFFD FFFD);
	EXPECT("\xE0\x80\xAF", 0, FFFD FFFD FFFD);
	EXPECT("\xF0\x80\x80\xAF", 0, FFFD FFFD FFFD FFFD);
	/* Surrogates. */
	EXPECT("\xED\xA0\x80", 0, FFFD FFFD FFFD);
	EXPECT("\xED\xBF\xBF", 0, FFFD FFFD FFFD);
	/* Above U+10FFFF and bytes that never occur. */
	EXPECT("\xF4\x90\x80\x80", 0, FFFD FFFD FFFD FFFD);
	EXPECT("\xF5\x80\x80\x80", 0, FFFD FFFD FFFD FFFD);
	EXPECT("\xFE\xFF", 0, FFFD FFFD);
	/* Lone continuation bytes. */
	EXPECT("a\x80\xBF" "b", 0, "a" FFFD FFFD "b");
	/* A truncated sequence is one subpart, at the end of input or before another byte. */
	EXPECT("a\xE2\x82", 0, "a" FFFD);
	EXPECT("\xF0\x9F\x98", 0, FFFD);
	EXPECT("\xC3", 0, FFFD);
	EXPECT("\xE2\x82" "a", 0, FFFD "a");
	EXPECT("\xF0\x9F\x98\033", 0, FFFD "^[");
	EXPECT("\xE2\x82\xE2\x82\xAC", 0, FFFD "\xE2\x82\xAC");
	/* Unicode's own example for maximal subparts (Table 3-8). */
	EXPECT("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", 0,
	       "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d");
	/* The length bounds the read: a sequence cut by len is truncated. */
	expect("\xE2\x82\xAC", 2, 0, FFFD);
}

static void test_listed_invisible(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof listed / sizeof listed[0]; i++) {
		char in[8], want[32];
		size_t n = enc(listed[i], in + 1);
		in[0] = 'x';
		in[n + 1] = 'y';
		snprintf(want, sizeof want, "x<U+%04X>y", (unsigned)listed[i]);
		expect(in, n + 2, 0, want);
	}
	/* The classic file-name trick: "exe" shown as "txt". */
	EXPECT("invoice\xE2\x80\xAEtxt.exe", 0, "invoice<U+202E>txt.exe");
	EXPECT("\xEF\xBB\xBFhello", 0, "<U+FEFF>hello");
	/* Other format characters, Hangul fillers and tag characters are hidden too. */
	EXPECT("\xE3\x85\xA4", 0, "<U+3164>");
	EXPECT("\xF3\xA0\x80\x81", 0, "<U+E0001>");
	EXPECT("\xF0\x9D\x85\xB3", 0, "<U+1D173>");
	EXPECT("\xD8\x80", 0, "<U+0600>");
}

static void test_nonprintable(void **state)
{
	(void)state;
	EXPECT("\xCD\xB8", 0, "<U+0378>");             /* unassigned */
	EXPECT("\xEF\xBF\xBF", 0, "<U+FFFF>");         /* noncharacter */
	EXPECT("\xF4\x8F\xBF\xBF", 0, "<U+10FFFF>");
}

static void test_combining_marks(void **state)
{
	(void)state;
	EXPECT("cafe\xCC\x81", 0, "cafe\xCC\x81");
	EXPECT("a\xCC\x81\xCC\x88", 0, "a\xCC\x81\xCC\x88");
	EXPECT("\xE4\xB8\xAD\xCC\x81", 0, "\xE4\xB8\xAD\xCC\x81");
	EXPECT(" \xCC\x81", 0, " \xCC\x81");
	EXPECT("\xE2\x9D\xA4\xEF\xB8\x8F", 0, "\xE2\x9D\xA4\xEF\xB8\x8F");   /* heart + VS16 */
	/* Nothing to attach to: at the start, after a token, after U+FFFD, after a line break. */
	EXPECT("\xCC\x81x", 0, "<U+0301>x");
	EXPECT("\xEF\xB8\x8F", 0, "<U+FE0F>");
	EXPECT("\033\xCC\x81", 0, "^[<U+0301>");
	EXPECT("\xC2\x9B\xCC\x81", 0, "<U+009B><U+0301>");
	EXPECT("\xE2\x80\xAE\xCC\x81", 0, "<U+202E><U+0301>");
	EXPECT("\xFF\xCC\x81", 0, FFFD "<U+0301>");
	EXPECT(FFFD "\xCC\x81", 0, FFFD "<U+0301>");
	EXPECT("a\n\xCC\x81", SAN_KEEP_NEWLINE, "a\n<U+0301>");
	EXPECT("a\t\xCC\x81", SAN_KEEP_TAB, "a\t<U+0301>");
	EXPECT("\xCC\x81\xCC\x81", 0, "<U+0301><U+0301>");
}

static void test_widths(void **state)
{
	(void)state;
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width("abc"), 3);
	assert_int_equal(text_width("\xE4\xB8\xAD\xE6\x96\x87"), 4);       /* 中文 */
	assert_int_equal(text_width("\xF0\x9F\x98\x80"), 2);               /* 😀 */
	assert_int_equal(text_width("\xF0\x9F\x90\xB3 up"), 5);            /* 🐳 up */
	assert_int_equal(text_width("e\xCC\x81"), 1);
	assert_int_equal(text_width("\xEF\xBD\x81"), 2);                   /* fullwidth a */
	assert_int_equal(text_width(FFFD), 1);
	assert_int_equal(text_width("<U+202E>"), 8);
	assert_int_equal(text_width("a\tb\n"), 2);
	/* Unsanitised input still gets a defined width: a stray byte counts as U+FFFD. */
	assert_int_equal(text_width("a\xFF" "b"), 3);
	EXPECT("\xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80", 0,
	       "\xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80");
}

static void fit(const char *s, size_t max, bool pad, bool ascii, const char *want,
		size_t want_cols)
{
	char out[128];
	size_t cols = text_fit(out, sizeof out, s, max, pad, ascii);
	assert_string_equal(out, want);
	assert_int_equal(cols, want_cols);
	assert_int_equal(text_width(out), want_cols);
}

static void test_fit_basic(void **state)
{
	(void)state;
	fit("hello", 10, false, false, "hello", 5);
	fit("hello", 10, true, false, "hello     ", 10);
	fit("hello", 5, false, false, "hello", 5);
	fit("hello", 4, false, false, "hel" ELLIPSIS, 4);
	fit("hello", 4, false, true, "hel~", 4);
	fit("hello", 1, false, false, ELLIPSIS, 1);
	fit("hello", 0, true, false, "", 0);
	fit("", 0, false, false, "", 0);
	fit("", 3, true, false, "   ", 3);
	fit("a\xFF" "b", 5, false, false, "a" FFFD "b", 3);
}

static void test_fit_wide(void **state)
{
	(void)state;
	/* ab中文 is 6 columns. */
	const char *s = "ab\xE4\xB8\xAD\xE6\x96\x87";
	fit(s, 6, false, false, s, 6);
	fit(s, 5, false, false, "ab\xE4\xB8\xAD" ELLIPSIS, 5);
	fit(s, 4, false, false, "ab" ELLIPSIS, 3);          /* 中 would straddle the edge */
	fit(s, 4, true, false, "ab" ELLIPSIS " ", 4);
	fit(s, 3, false, false, "ab" ELLIPSIS, 3);
	fit("\xE4\xB8\xAD\xE6\x96\x87", 3, false, false, "\xE4\xB8\xAD" ELLIPSIS, 3);
	fit("\xE4\xB8\xAD\xE6\x96\x87", 2, false, false, ELLIPSIS, 1);
	fit("\xE4\xB8\xAD\xE6\x96\x87", 2, true, false, ELLIPSIS " ", 2);
	fit("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 3, true, true, "\xF0\x9F\x98\x80~", 3);
	/* Marks stay with their base. */
	fit("e\xCC\x81xyz", 3, false, false, "e\xCC\x81x" ELLIPSIS, 3);
	fit("xye\xCC\x81", 3, false, false, "xye\xCC\x81", 3);
}

static void test_fit_small_buffer(void **state)
{
	(void)state;
	char out[8];

	memset(out, 'Z', sizeof out);
	assert_int_equal(text_fit(out, 0, "abc", 5, true, false), 0);
	assert_int_equal(out[0], 'Z');
	assert_int_equal(text_fit(out, 1, "abc", 5, true, false), 0);
	assert_string_equal(out, "");
	/* 7 bytes of room: "…" takes 3, so 4 bytes of text. */
	assert_int_equal(text_fit(out, sizeof out, "abcdefghijkl", 20, false, false), 5);
	assert_string_equal(out, "abcd" ELLIPSIS);
	assert_int_equal(text_fit(out, sizeof out, "abcdefg", 20, true, false), 7);
	assert_string_equal(out, "abcdefg");
	assert_int_equal(text_fit(out, 2, "abc", 5, false, true), 1);
	assert_string_equal(out, "~");
	/* Too small for "…": the cut is still marked. */
	assert_int_equal(text_fit(out, 3, "abc", 5, true, false), 2);
	assert_string_equal(out, "a~");
	/* No room for the accent means no room for its base either. */
	assert_int_equal(text_fit(out, 7, "ae\xCC\x81" "bcdef", 20, false, false), 2);
	assert_string_equal(out, "a" ELLIPSIS);
	assert_int_equal(text_fit(out, 8, "ae\xCC\x81\xCC\x88" "bcdef", 20, false, false), 2);
	assert_string_equal(out, "a" ELLIPSIS);
	/* Padding stops at the buffer. */
	assert_int_equal(text_fit(out, sizeof out, "ab", 20, true, false), 7);
	assert_string_equal(out, "ab     ");
}

static void test_ascii_mode(void **state)
{
	(void)state;
	EXPECT("h\xC3\xA9llo", SAN_ASCII, "h?llo");
	EXPECT("\xE4\xB8\xAD\xE6\x96\x87", SAN_ASCII, "??");
	EXPECT("\xE0\x80\xAF\xFF", SAN_ASCII, "????");
	EXPECT("\xE2\x80\xAE\xC2\x9B\033[1m", SAN_ASCII, "??^[[1m");
	EXPECT("a\tb\n", SAN_ASCII | SAN_KEEP_TAB, "a\tb^J");

	/* A non-UTF-8 locale selects the ASCII form without the flag. */
	assert_true(locale_is_utf8());
	assert_non_null(setlocale(LC_CTYPE, "C"));
	assert_false(locale_is_utf8());
	char *out = sanitize_str("\xC3\xA9t\xC3\xA9 \033]0;x\007", 0);
	assert_non_null(setlocale(LC_CTYPE, "C.UTF-8"));
	assert_string_equal(out, "?t? ^[]0;x^G");
	free(out);
	assert_true(locale_is_utf8());
}

/* Logs: escape sequences go whole; what is not a complete sequence still shows. */
static void test_strip_escapes(void **state)
{
	(void)state;
	const int f = SAN_STRIP_ESC;
	EXPECT("\x1b[31mred\x1b[0m plain", f, "red plain");
	EXPECT("\x1b[2J\x1b[H\x1b[?1049hscreen", f, "screen");
	EXPECT("a\x1b]0;pwned\x07" "b", f, "ab");                /* OSC title, BEL */
	EXPECT("a\x1b]52;c;aGk=\x1b\\b", f, "ab");          /* OSC clipboard, ST */
	EXPECT("a\x1bP+q\x1b\\b", f, "ab");                 /* DCS */
	EXPECT("a\x1b_apc\x1b\\b", f, "ab");                /* APC */
	EXPECT("a\x1b]0;never ends", f, "a");                /* unterminated: swallowed */
	EXPECT("a\x1b(B" "b\x1b" "c" "c\x1b" "7d", f, "abcd");          /* charset, RIS, DECSC */
	EXPECT("a\x1b[12", f, "a^[[12");                     /* broken CSI: shown */
	EXPECT("a\x1b", f, "a^[");
	EXPECT("a\x1b\x1b[1mb", f, "a^[b");
	EXPECT("a\x1b\xc3\xa9", f, "a^[\xc3\xa9");
	EXPECT("\x1b[31mred", 0, "^[[31mred");               /* without the flag: shown whole */
	EXPECT("tab\there\x1b[0m", f | SAN_KEEP_TAB, "tab\there");
}

static void test_sanitize_str(void **state)
{
	(void)state;
	char *out = sanitize_str(NULL, 0);
	assert_string_equal(out, "");
	free(out);
	out = sanitize_str("a\033b", 0);
	assert_string_equal(out, "a^[b");
	free(out);
}

/* For JSON: only ill-formed UTF-8 changes; controls, bidi and valid text stay. */
static void test_sanitize_utf8(void **state)
{
	(void)state;
	static const struct { const char *in, *want; } cases[] = {
		{ "", "" },
		{ "Zo\xC3\xAB \xE6\x97\xA5\x07\x1B[31m\xE2\x80\xAE",
		  "Zo\xC3\xAB \xE6\x97\xA5\x07\x1B[31m\xE2\x80\xAE" },
		{ "a\xFF" "b", "a" FFFD "b" },
		{ "\xE2\x82\xE2\x82\xAC", FFFD "\xE2\x82\xAC" },
		{ "\xED\xA0\x80", FFFD FFFD FFFD },
		{ "\xC3", FFFD },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = sanitize_utf8(cases[i].in);
		assert_string_equal(out, cases[i].want);
		free(out);
	}
}

static void test_large_growth(void **state)
{
	(void)state;
	enum { N = 100000 };
	char *in = malloc(2 * N);
	assert_non_null(in);

	memset(in, 0xFF, N);
	char *out = sanitize(in, N, 0);
	assert_int_equal(strlen(out), 3 * N);
	free(out);

	for (size_t i = 0; i < N; i++)
		memcpy(in + 2 * i, "\xC2\x9B", 2);
	out = sanitize(in, 2 * N, 0);
	assert_int_equal(strlen(out), 8 * N);
	assert_memory_equal(out + 8 * (N - 1), "<U+009B>", 8);
	free(out);

	memset(in, 'x', 2 * N);
	out = sanitize(in, 2 * N, 0);
	assert_int_equal(strlen(out), 2 * N);
	free(out);
	free(in);
}

/* Every code point, with an ASCII base before it and with nothing before it: the output is
 * the character itself, a caret form, a token or (surrogates) three U+FFFD. */
static void test_all_code_points(void **state)
{
	(void)state;
	size_t passed = 0, tokens = 0;

	for (uint32_t cp = 0; cp <= 0x10FFFF; cp++) {
		char in[8], want[32];
		size_t n = enc(cp, in + 1);
		in[0] = 'a';
		in[n + 1] = 'b';

		for (int lead = 0; lead < 2; lead++) {
			const char *p = lead ? in + 1 : in;
			size_t len = lead ? n + 1 : n + 2;
			char *out = sanitize(p, len, 0);
			check_output(out, 0);

			size_t olen = strlen(out);
			const char *mid = out + !lead;
			size_t mlen = olen - 1 - !lead;
			if ((!lead && out[0] != 'a') || out[olen - 1] != 'b')
				fail_msg("U+%04X: context lost in \"%s\"", (unsigned)cp, out);
			if (cp < 0x20 || cp == 0x7F) {
				snprintf(want, sizeof want, "^%c", cp == 0x7F ? '?' : (char)(cp + 0x40));
			} else if (cp >= 0xD800 && cp <= 0xDFFF) {
				snprintf(want, sizeof want, FFFD FFFD FFFD);
			} else if (mlen == n && memcmp(mid, in + 1, n) == 0) {
				passed++;
				free(out);
				continue;
			} else {
				snprintf(want, sizeof want, "<U+%04X>", (unsigned)cp);
				tokens++;
			}
			if (mlen != strlen(want) || memcmp(mid, want, mlen) != 0)
				fail_msg("U+%04X: got \"%s\", want \"%s\"", (unsigned)cp, out, want);
			free(out);
		}
	}
	/* Sanity on the split: the printable repertoire dwarfs the tokens' share. */
	assert_true(passed > 2 * 200000);
	assert_true(tokens > 0);
}

/* xorshift64*: fixed seed so a failure reproduces. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static size_t gen_piece(uint64_t *rng, char *out)
{
	static const uint32_t interesting[] = {
		0x0301, 0x0308, 0x20DD, 0xFE0F, 0x200D, 0x202E, 0x2066, 0xFEFF, 0x00AD, 0x009B,
		0x0085, 0xFFFD, 0x4E2D, 0x1F600, 0x1F3FB, 0x1F1E9, 0xE0041, 0x0378, 0x10FFFF,
		0xD800, 0x2028, 0x3164, 0x1160, 0x11A8, 0x00E9, 0xFF41,
	};
	uint64_t r = rng_next(rng);
	unsigned kind = (unsigned)(r % 100);
	r >>= 8;

	if (kind < 35) {
		out[0] = (char)(0x20 + r % 95);
		return 1;
	}
	if (kind < 43) {
		unsigned c = (unsigned)(r % 34);
		out[0] = (char)(c < 32 ? c : c == 32 ? 0x7F : 0x1B);
		return 1;
	}
	if (kind < 58) {
		out[0] = (char)(0x80 + r % 64);
		return 1;
	}
	if (kind < 70) {
		out[0] = (char)(0xC0 + r % 64);
		return 1;
	}
	if (kind < 82)
		return enc(interesting[r % (sizeof interesting / sizeof interesting[0])], out);
	if (kind < 95)
		return enc((uint32_t)(r % 0x110000), out);
	memcpy(out, "\033]0;", 4);
	return 4;
}

static void test_random_bytes(void **state)
{
	(void)state;
	static const int flag_sets[] = {
		0, 0, 0, SAN_KEEP_TAB, SAN_KEEP_NEWLINE, SAN_KEEP_TAB | SAN_KEEP_NEWLINE, SAN_ASCII,
		SAN_STRIP_ESC, SAN_STRIP_ESC | SAN_KEEP_TAB,
	};
	uint64_t rng = 0x9E3779B97F4A7C15ULL;
	char in[256], fitted[64];

	for (int iter = 0; iter < 200000; iter++) {
		size_t len = 0, pieces = (size_t)(rng_next(&rng) % 40);
		for (size_t k = 0; k < pieces; k++)
			len += gen_piece(&rng, in + len);
		int flags = flag_sets[rng_next(&rng) % (sizeof flag_sets / sizeof flag_sets[0])];

		char *out = sanitize(in, len, flags);
		check_output(out, flags);

		/* Sanitised text is a fixed point: nothing in it needs escaping again. */
		char *again = sanitize_str(out, flags);
		if (strcmp(again, out) != 0)
			fail_msg("not idempotent: \"%s\" -> \"%s\"", out, again);
		free(again);

		uint64_t r = rng_next(&rng);
		size_t max = (size_t)(r % 40);
		size_t outsz = (r >> 8) % 4 ? sizeof fitted : (size_t)((r >> 16) % sizeof fitted);
		bool pad = (r >> 24) & 1, ascii = (flags & SAN_ASCII) != 0;
		const char *ell = ascii || outsz < 4 ? "~" : ELLIPSIS;
		size_t cols = text_fit(fitted, outsz, out, max, pad, ascii);
		if (outsz == 0) {
			assert_int_equal(cols, 0);
			free(out);
			continue;
		}
		check_output(fitted, flags);
		size_t flen = strlen(fitted), olen = strlen(out);
		if (cols != text_width(fitted) || cols > max || flen >= outsz)
			fail_msg("text_fit(\"%s\", %zu, sz %zu) = \"%s\" (%zu cols)", out, max, outsz,
				 fitted, cols);
		if (pad && cols != max && flen + 1 < outsz)
			fail_msg("text_fit did not pad \"%s\" to %zu", fitted, max);
		if (text_width(out) <= max && olen < outsz) {
			if (strncmp(fitted, out, olen) != 0 || strspn(fitted + olen, " ") != flen - olen)
				fail_msg("text_fit changed \"%s\" that fits in %zu", out, max);
		} else if (flen > 0) {
			/* Cut: a byte prefix of the text, the ellipsis, then only padding. */
			const char *e = NULL;
			for (const char *q = strstr(fitted, ell); q; q = strstr(q + 1, ell))
				e = q;
			if (!e || strncmp(fitted, out, (size_t)(e - fitted)) != 0 ||
			    strspn(e + strlen(ell), " ") != strlen(e + strlen(ell)))
				fail_msg("text_fit cut \"%s\" to \"%s\"", out, fitted);
		}
		free(out);
	}
}

static int group_setup(void **state)
{
	(void)state;
	if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, "en_US.UTF-8")) {
		fprintf(stderr, "test_sanitize: no UTF-8 locale available\n");
		return -1;
	}
	return locale_is_utf8() ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_unchanged),
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_c0_and_del),
		cmocka_unit_test(test_c1_controls),
		cmocka_unit_test(test_tab_newline),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_listed_invisible),
		cmocka_unit_test(test_nonprintable),
		cmocka_unit_test(test_combining_marks),
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_fit_basic),
		cmocka_unit_test(test_fit_wide),
		cmocka_unit_test(test_fit_small_buffer),
		cmocka_unit_test(test_ascii_mode),
		cmocka_unit_test(test_strip_escapes),
		cmocka_unit_test(test_sanitize_str),
		cmocka_unit_test(test_sanitize_utf8),
		cmocka_unit_test(test_large_growth),
		cmocka_unit_test(test_all_code_points),
		cmocka_unit_test(test_random_bytes),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
