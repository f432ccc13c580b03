#include "tui/cli/out.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"

void put_sanitised(FILE *f, const char *prefix, const char *s)
{
	char *clean = sanitize_str(s, 0);
	fprintf(f, "%s%s\n", prefix, clean);
	free(clean);
}

void table_print(const char *const *headers, const size_t *max_width, size_t ncols,
                 char *const *cells, size_t nrows, bool tty)
{
	bool ascii = !locale_is_utf8();
	size_t *width = xcalloc(ncols, sizeof *width);
	for (size_t c = 0; c < ncols; c++)
		width[c] = strlen(headers[c]);
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++) {
			size_t w = text_width(cells[r * ncols + c]);
			if (max_width && max_width[c] && w > max_width[c])
				w = max_width[c];
			if (w > width[c])
				width[c] = w;
		}
	size_t last_cols = 0;
	if (tty) {
		struct winsize ws;
		size_t used = 0;
		for (size_t c = 0; c + 1 < ncols; c++)
			used += width[c] + 2;
		size_t cols = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
		last_cols = cols > used + 8 ? cols - used : 8;
	}
	size_t bufsz = 256;
	char *buf = xmalloc(bufsz);
	for (size_t r = 0; r <= nrows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			const char *s = r == 0 ? headers[c] : cells[(r - 1) * ncols + c];
			bool last = c + 1 == ncols;
			size_t w = last ? (last_cols ? last_cols : text_width(s)) : width[c];
			if (bufsz < w * 4 + 8) {
				bufsz = w * 4 + 8;
				buf = xrealloc(buf, bufsz);
			}
			text_fit(buf, bufsz, s, w, !last, ascii);
			fputs(buf, stdout);
			if (!last)
				fputs("  ", stdout);
		}
		fputc('\n', stdout);
	}
	free(buf);
	free(width);
}

void json_print(json_t *j)
{
	size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER | (isatty(STDOUT_FILENO) ? JSON_ENSURE_ASCII : 0);
	char *text = json_dumps(j, flags);
	json_decref(j);
	if (!text)
		abort();   /* only on out-of-memory */
	puts(text);
	free(text);
}
