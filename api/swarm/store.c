#include "api/swarm/store.h"

#include <glib.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/str.h"
#include "api/base/xalloc.h"
#include "api/core/terms.h"
#include "api/engine/decode.h"
#include "api/engine/jsonout.h"

struct list_ctx {
	configs_fn fn;
	void *ud;
};

static void configs_on_list(void *ud, const struct engine_reply *r)
{
	struct list_ctx *c = ud;
	struct config_list l = {0};
	char *err = NULL;
	if (r->error) {
		c->fn(c->ud, &l, r->error, r->unreachable);
	} else if (decode_configs(r->body, r->len, &l, &err) != 0) {
		char *msg = xasprintf("the engine's list of configs cannot be read: %s", err);
		c->fn(c->ud, &l, msg, false);
		free(msg);
	} else {
		c->fn(c->ud, &l, NULL, false);
	}
	config_list_clear(&l);
	free(err);
	free(c);
}

struct engine_req *configs_list(struct engine *e, const char *label1, const char *label2,
                                configs_fn fn, void *ud)
{
	return configs_list_for(e, "listing swarm configs", label1, label2, fn, ud);
}

struct engine_req *configs_list_for(struct engine *e, const char *what, const char *label1,
                                    const char *label2, configs_fn fn, void *ud)
{
	json_t *labels = json_object();
	json_object_set_new(labels, label1, json_true());
	if (label2)
		json_object_set_new(labels, label2, json_true());
	char *f = jsonout_query(json_pack("{s:o}", "label", labels));
	char *path = xasprintf("/configs?filters=%s", f);
	free(f);
	struct list_ctx *c = xcalloc(1, sizeof *c);
	c->fn = fn;
	c->ud = ud;
	struct engine_req *r = engine_request(e, "GET", path, NULL, what, configs_on_list, c);
	free(path);
	return r;
}

void configs_list_cancel(struct engine *e, struct engine_req *r)
{
	free(engine_cancel(e, r));   /* the list_ctx made for on_list */
}

const struct swarm_config *configs_newest(const struct config_list *l)
{
	const struct swarm_config *best = NULL;
	for (size_t i = 0; i < l->n; i++)
		if (!best || l->v[i].created_ns > best->created_ns)
			best = &l->v[i];
	return best;
}

const struct swarm_config *configs_named(const struct config_list *l, const char *name)
{
	for (size_t i = 0; name && i < l->n; i++)
		if (str_eq(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

static char *config_body(const char *name, json_t *labels, const char *data, size_t len)
{
	gchar *b64 = g_base64_encode((const guchar *)data, len);
	json_t *cfg = json_pack("{s:s, s:o, s:s}", "Name", name, "Labels", labels, "Data", b64);
	char *body = json_dumps(cfg, JSON_COMPACT);
	json_decref(cfg);
	g_free(b64);
	return body;
}

char *publish_terms_body(const struct policy *p, char **name)
{
	size_t len = strlen(p->terms_text);
	char *sha = sha256_hex(p->terms_text, len);
	*name = xasprintf("glovebox-terms-%.8s", sha);
	json_t *labels = json_pack("{s:s, s:s, s:s}", "glovebox.terms", "1", "glovebox.terms-sha256", sha,
	                           "glovebox.terms-version", p->terms_version ? p->terms_version : "");
	char *body = config_body(*name, labels, p->terms_text, len);
	free(sha);
	return body;
}

char *publish_policy_body(const char *policy_json, size_t len, const char *terms_config, char **name)
{
	char *sha = sha256_hex(policy_json, len);
	*name = xasprintf("glovebox-policy-%.8s-%.8s", sha, terms_config + strlen("glovebox-terms-"));
	json_t *labels = json_pack("{s:s, s:s}", "glovebox.policy", "1", "glovebox.terms-config", terms_config);
	char *body = config_body(*name, labels, policy_json, len);
	free(sha);
	return body;
}
