#include "widgets/statusbar.h"

#include <stdlib.h>
#include <string.h>

#include "api/base/sanitize.h"
#include "api/base/xalloc.h"

struct statusbar {
	struct widget w;            /* first */
	const struct theme *th;     /* borrowed */
	char *left, *right, *msg;   /* owned, sanitised; msg NULL = none */
	enum status_level level;
};

static void replace(char **dst, const char *src)
{
	free(*dst);
	*dst = sanitize_str(src, 0);
}

void statusbar_set(struct statusbar *sb, const char *left, const char *right)
{
	replace(&sb->left, left);
	replace(&sb->right, right);
	sb->w.dirty = true;
}

void statusbar_message(struct statusbar *sb, enum status_level level, const char *msg)
{
	free(sb->msg);
	sb->msg = msg ? sanitize_str(msg, 0) : NULL;
	sb->level = level;
	sb->w.dirty = true;
}

bool statusbar_has_message(const struct statusbar *sb)
{
	return sb->msg != NULL;
}

size_t statusbar_render_text(const struct statusbar *sb, int width, char *buf, size_t sz)
{
	if (sz == 0)
		return 0;
	buf[0] = '\0';
	if (width <= 0)
		return 0;
	const char *left = sb->msg ? sb->msg : sb->left;
	int lw = (int)text_width(left), rw = (int)text_width(sb->right);
	bool ascii = sb->th->ascii;
	size_t len = strlen(left), rlen = strlen(sb->right);
	size_t gap = lw + rw < width ? (size_t)(width - lw - rw) : 0;
	/* The right text only goes in whole, after at least one blank. */
	if (rw == 0 || lw + 1 + rw > width || len + gap + rlen + 1 > sz) {
		text_fit(buf, sz, left, (size_t)width, true, ascii);
		return strlen(buf);
	}
	memcpy(buf, left, len);
	memset(buf + len, ' ', gap);
	memcpy(buf + len + gap, sb->right, rlen + 1);
	return len + gap + rlen;
}

static void statusbar_draw_cb(struct widget *w)
{
	struct statusbar *sb = (struct statusbar *)w;
	enum theme_role role = !sb->msg ? THEME_STATUS
	                     : sb->level == STATUS_ERROR ? THEME_STATUS_ERROR
	                     : sb->level == STATUS_WARN ? THEME_STATUS_WARN : THEME_STATUS;
	size_t sz = (size_t)w->area.w * 8 + strlen(sb->left) + strlen(sb->right) + 16;
	char *buf = xmalloc(sz);
	statusbar_render_text(sb, w->area.w, buf, sz);
	widget_put(w->win, w->area.y, w->area.x, w->area.w, buf, theme_attr(sb->th, role), true,
	           sb->th->ascii);
	free(buf);
}

static void statusbar_free_cb(struct widget *w)
{
	struct statusbar *sb = (struct statusbar *)w;
	free(sb->left);
	free(sb->right);
	free(sb->msg);
	free(sb);
}

static const struct widget_ops statusbar_ops = {
	.name = "statusbar",
	.draw = statusbar_draw_cb,
	.free = statusbar_free_cb,
};

struct statusbar *statusbar_new(const struct theme *th)
{
	struct statusbar *sb = widget_new(sizeof *sb, &statusbar_ops);
	sb->th = th;
	sb->left = xstrdup("");
	sb->right = xstrdup("");
	return sb;
}

void statusbar_free(struct statusbar **sb)
{
	if (sb)
		*sb = widget_release(*sb);
}

struct widget *statusbar_widget(struct statusbar *sb)
{
	return &sb->w;
}
