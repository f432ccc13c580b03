#include "api/engine/model.h"

#include <stdlib.h>
#include <string.h>

#include "api/base/str.h"

const char *labels_get(const struct labels *l, const char *key)
{
	if (!l || !key)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return l->v[i].value;
	return NULL;
}

int64_t gres_get(const struct gres_list *l, const char *kind)
{
	for (size_t i = 0; l && kind && i < l->n; i++)
		if (l->v[i].kind && strcmp(l->v[i].kind, kind) == 0)
			return l->v[i].count;
	return 0;
}

void gres_list_clear(struct gres_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].kind);
	free(l->v);
	memset(l, 0, sizeof *l);
}

void labels_clear(struct labels *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* T_list_clear (model.h) for a list of T cleared one by one with T_clear. */
#define LIST_CLEAR(T)                                                                            \
	void T##_list_clear(struct T##_list *l)                                                      \
	{                                                                                            \
		for (size_t i = 0; i < l->n; i++)                                                        \
			T##_clear(&l->v[i]);                                                                 \
		free(l->v);                                                                              \
		memset(l, 0, sizeof *l);                                                                 \
	}

static void service_clear(struct service *s)
{
	free(s->id);
	free(s->name);
	free(s->image);
	labels_clear(&s->labels);
	gres_list_clear(&s->reserve_generic);
	free(s->restart_condition);
	strv_free(s->constraints, s->n_constraints);
	memset(s, 0, sizeof *s);
}

LIST_CLEAR(service)

static void task_clear(struct task *t)
{
	free(t->id);
	free(t->service_id);
	free(t->node_id);
	free(t->name);
	free(t->desired_state);
	free(t->state);
	free(t->message);
	free(t->err);
	free(t->container_id);
	memset(t, 0, sizeof *t);
}

LIST_CLEAR(task)

static void node_clear(struct node *n)
{
	free(n->id);
	free(n->hostname);
	free(n->role);
	free(n->availability);
	free(n->state);
	free(n->addr);
	labels_clear(&n->labels);
	gres_list_clear(&n->generic);
	free(n->engine_version);
	memset(n, 0, sizeof *n);
}

LIST_CLEAR(node)

void stats_sample_clear(struct stats_sample *s)
{
	free(s->id);
	free(s->name);
	memset(s, 0, sizeof *s);
}

void event_clear(struct event *e)
{
	free(e->type);
	free(e->action);
	free(e->actor_id);
	free(e->scope);
	labels_clear(&e->attributes);
	memset(e, 0, sizeof *e);
}

void engine_info_clear(struct engine_info *i)
{
	free(i->node_id);
	free(i->local_node_state);
	free(i->name);
	free(i->server_version);
	memset(i, 0, sizeof *i);
}

void container_state_clear(struct container_state *c)
{
	free(c->status);
	free(c->error);
	memset(c, 0, sizeof *c);
}

void config_list_clear(struct config_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct swarm_config *c = &l->v[i];
		free(c->id);
		free(c->name);
		labels_clear(&c->labels);
		free(c->data);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
