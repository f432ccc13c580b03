/* The screen stack and the key table step: see screen.h. */
#include "tui/console/screen.h"

#include <stdlib.h>

#include "api/base/log.h"
#include "api/base/xalloc.h"
#include "api/core/roles.h"
#include "tui/console/app.h"

static void screen_append(struct screen **v, size_t *n, struct screen s)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = s;
}

void screen_push(struct app *a, const struct screen_ops *ops, void *data)
{
	log_msg(LOG_DEBUG, "console: %s screen shown", ops->name);
	screen_append(&a->stack, &a->depth, (struct screen){ops, data});
	app_screens_changed(a);
}

/* Off the stack: freed, or kept until its action ends (app_back did that for the nodes). */
static void screen_drop(struct app *a, struct screen s)
{
	if (s.ops->busy && s.ops->busy(s.data)) {
		log_msg(LOG_DEBUG, "console: %s screen kept until its action ends", s.ops->name);
		screen_append(&a->kept, &a->n_kept, s);
	} else {
		s.ops->free(s.data);
	}
}

void screen_pop(struct app *a)
{
	if (a->depth <= 1)
		return;   /* the jobs list stays */
	screen_drop(a, a->stack[--a->depth]);
	app_screens_changed(a);
}

void screen_pop_all(struct app *a)
{
	if (a->depth <= 1)
		return;
	while (a->depth > 1)
		screen_drop(a, a->stack[--a->depth]);
	app_screens_changed(a);
}

struct screen *screen_top(struct app *a)
{
	return a->depth ? &a->stack[a->depth - 1] : NULL;
}

void *screen_take(struct app *a, const struct screen_ops *ops)
{
	if (a->depth > 1 && a->stack[a->depth - 1].ops == ops) {
		void *data = a->stack[--a->depth].data;
		app_screens_changed(a);
		return data;
	}
	for (size_t i = 0; i < a->n_kept; i++) {
		if (a->kept[i].ops != ops)
			continue;
		void *data = a->kept[i].data;
		a->kept[i] = a->kept[--a->n_kept];
		return data;
	}
	return NULL;
}

bool screen_allowed(struct app *a, const struct screen_ops *ops, void *data, int checks)
{
	if (checks & (NEEDS_JOB | NEEDS_NODE)) {
		struct table *t = ops->table ? ops->table(data) : NULL;
		size_t row;
		if (!t || !table_selected_row(t, &row)) {
			app_say(a, STATUS_WARN, checks & NEEDS_JOB ? "no job selected" : "no node selected");
			return false;
		}
	}
	if ((checks & NEEDS_ADMIN) && app_actor(a)->role != ROLE_ADMIN) {
		app_say(a, STATUS_WARN, ops->admin_only);
		return false;
	}
	return true;
}

int screen_key(struct app *a, struct screen *s, int key)
{
	const struct screen_ops *ops = s->ops;
	void *data = s->data;   /* s may move once the function pushes or pops */
	const struct keybinding *k = keytable_find(ops->keys(data), key);
	const struct screen_fn *f = ops->fns;
	while (k && f && f->op && f->op != k->op)
		f++;
	if (!k || !f || !f->op)
		return WR_IGNORED;   /* a key of the widget's, or a global one the bar shows */
	if (!screen_allowed(a, ops, data, f->flags))
		return WR_HANDLED | WR_REDRAW;
	return f->fn(data, k->op);
}

void screen_reap(struct app *a)
{
	for (size_t i = 0; i < a->n_kept;) {
		struct screen s = a->kept[i];
		if (s.ops->busy && s.ops->busy(s.data)) {
			i++;
			continue;
		}
		a->kept[i] = a->kept[--a->n_kept];
		s.ops->free(s.data);
	}
}

void screen_free_all(struct app *a)
{
	/* Top first, as popping them would. */
	while (a->depth) {
		struct screen s = a->stack[--a->depth];
		s.ops->free(s.data);
	}
	while (a->n_kept) {
		struct screen s = a->kept[--a->n_kept];
		s.ops->free(s.data);
	}
	free(a->stack);
	free(a->kept);
	a->stack = a->kept = NULL;
}
