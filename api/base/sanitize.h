/* The one gate every untrusted string (engine, registry, log, user) passes before it is drawn.
 *
 * Output is valid UTF-8 that contains no byte that a terminal would interpret:
 * - invalid UTF-8 (bad lead or continuation bytes, overlongs, surrogates, > U+10FFFF): one
 *   U+FFFD per maximal invalid subpart (the Unicode "substitution of maximal subparts");
 * - C0 controls (U+0000..U+001F) and DEL: shown as caret form in reverse-able text, "^[" for
 *   ESC, "^?" for DEL, "^A".. ; TAB and newline also become visible ("^I", "^J") unless the
 *   SAN_KEEP_TAB / SAN_KEEP_NEWLINE flags ask to keep them (the log pager expands tabs itself);
 * - C1 controls (U+0080..U+009F): "<U+009B>" style token;
 * - bidi controls (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F, U+061C) and zero-width or
 *   invisible characters (U+200B..U+200D, U+2060..U+2064, U+FEFF, U+00AD, U+180E) and other
 *   format characters: "<U+202E>" token; line/paragraph separators U+2028/U+2029 likewise;
 * - characters wcwidth() says are non-printable (< 0) in the current locale: "<U+XXXX>";
 * - a combining mark (wcwidth 0) with no passed-through glyph to sit on (at the start, or
 *   after a token, U+FFFD or a kept TAB/newline): "<U+0301>", so it cannot decorate a token.
 * With SAN_STRIP_ESC (job logs, where programs colour their output), a complete escape
 * sequence is removed whole instead: CSI (ESC [ params intermediates final), the strings
 * OSC, DCS, SOS, PM and APC (ESC ] P X ^ _ up to BEL or ESC \, or to the end of the text when
 * unterminated, as a terminal would swallow it) and ESC intermediates final. A lone or broken
 * ESC still shows as "^[".
 * Everything else passes unchanged.
 * In a non-UTF-8 locale (ascii_only), every non-ASCII character becomes "?" so the output
 * is pure printable ASCII.
 *
 * Width is terminal columns as wcwidth() measures them. No function here knows about Docker
 * or curses; they only need setlocale() to have been called. */
#ifndef GB_API_BASE_SANITIZE_H
#define GB_API_BASE_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>

enum {
	SAN_KEEP_TAB     = 1 << 0,
	SAN_KEEP_NEWLINE = 1 << 1,
	SAN_ASCII        = 1 << 2,   /* force the ASCII-only form */
	SAN_STRIP_ESC    = 1 << 3,   /* remove escape sequences whole (see escape_len) */
};

/* Sanitise len bytes of in. Returns a new NUL-terminated string (caller frees); never NULL
 * (aborts on out-of-memory via xalloc). in may contain NUL bytes, shown as "^@". */
char *sanitize(const char *in, size_t len, int flags);

/* Same for a NUL-terminated string; NULL gives "". */
char *sanitize_str(const char *in, int flags);

/* Only the first rule: each ill-formed UTF-8 subpart of s becomes U+FFFD, everything else is
 * kept, controls included. For JSON, which escapes controls itself but refuses invalid
 * UTF-8, not for a terminal. New string (caller frees); never NULL. */
char *sanitize_utf8(const char *s);

/* Display width of already sanitised UTF-8 text. */
size_t text_width(const char *s);

/* Write into out (size outsz bytes) the longest prefix of sanitised text s that fits in
 * max_cols columns; when s is wider, the prefix is cut to max_cols-1 columns plus "…"
 * ("~" in ASCII mode). A double-width character is never split. Pads with spaces to exactly
 * max_cols when pad is true. Returns the number of columns written. outsz bounds the bytes
 * too: text cut for lack of bytes is marked the same way ("~" when "…" does not fit). */
size_t text_fit(char *out, size_t outsz, const char *s, size_t max_cols, bool pad, bool ascii);

/* Whether the current locale's charset is UTF-8 (nl_langinfo(CODESET)). */
bool locale_is_utf8(void);

#endif
