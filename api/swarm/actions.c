#include "api/swarm/actions.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/base/err.h"
#include "api/base/xalloc.h"
#include "api/engine/decode.h"
#include "api/engine/jsonout.h"

#define BACKOFF_MAX_MS 2000

enum kind { K_REMOVE, K_SCALE, K_NODE };

enum step {
	S_AUDIT,          /* POST /configs/create */
	S_READ,           /* GET the service or node (scale, node) */
	S_UPDATE,         /* POST .../update?version=N */
	S_DELETE,         /* DELETE /services/{id} */
	S_NETWORKS,       /* GET /networks labelled for the job */
	S_NET_DELETE,     /* DELETE /networks/{id}, retried while it is in use */
	S_DONE,
};

struct action {
	struct engine *engine;
	enum kind kind;
	struct audit_record rec;
	bool write_audit;
	uint64_t replicas;             /* scale */
	char *availability;            /* node */
	struct action_opts opts;
	action_progress_fn progress;
	action_done_fn done;
	void *ud;

	enum step step;
	struct engine_req *req;
	bool finished, ok, unreachable, not_found;
	char *error, *warning, *audit_config, *update_body;
	uint64_t version;
	unsigned attempts;             /* updates tried */
	/* networks to remove */
	char **nets, **net_names;
	size_t n_nets, net_i;
	int64_t net_deadline, wake_at, backoff_ms;
	char *net_error;               /* the last refusal */
};

/* ---- pure parts ---- */

/* The Spec of an engine object's description, borrowed from *root (the whole description,
 * which the caller decrefs whatever happens), and its Version.Index. */
static json_t *spec_load(const char *json, size_t len, const char *what, json_t **root,
                         uint64_t *version, char **err)
{
	json_error_t jerr;
	*root = json_loadb(json, len, 0, &jerr);
	if (!json_is_object(*root)) {
		err_set(err, "the engine's description of the %s cannot be read", what);
		return NULL;
	}
	json_t *idx = json_object_get(json_object_get(*root, "Version"), "Index");
	json_t *spec = json_object_get(*root, "Spec");
	if (!json_is_integer(idx) || json_integer_value(idx) < 0 || !json_is_object(spec)) {
		err_set(err, "the engine's description of the %s has no Version.Index or Spec", what);
		return NULL;
	}
	*version = (uint64_t)json_integer_value(idx);
	return spec;
}

/* The edited spec as the body of the update. */
static char *spec_dump(const json_t *spec, const char *what, char **err)
{
	char *out = json_dumps(spec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!out)
		err_set(err, "the %s's spec cannot be written back", what);
	return out;
}

char *service_spec_scaled(const char *service_json, size_t len, uint64_t replicas,
                          uint64_t *version, uint64_t *old_replicas, char **err)
{
	json_t *root;
	char *out = NULL;
	json_t *spec = spec_load(service_json, len, "service", &root, version, err);
	if (!spec)
		goto out;
	json_t *rep = json_object_get(json_object_get(spec, "Mode"), "Replicated");
	if (!json_is_object(rep)) {
		err_set(err, "only replicated services can be scaled; this one is global or a one-off job");
		goto out;
	}
	json_t *cur = json_object_get(rep, "Replicas");
	/* Replicas left out means one, as the engine reads it. */
	*old_replicas = json_is_integer(cur) && json_integer_value(cur) >= 0 ? (uint64_t)json_integer_value(cur) : 1;
	json_object_set_new(rep, "Replicas", json_integer((json_int_t)replicas));
	out = spec_dump(spec, "service", err);
out:
	json_decref(root);
	return out;
}

char *node_spec_with_availability(const char *node_json, size_t len, const char *availability,
                                  uint64_t *version, char **old_availability, char **err)
{
	json_t *root;
	char *out = NULL;
	json_t *spec = spec_load(node_json, len, "node", &root, version, err);
	if (!spec)
		goto out;
	json_t *cur = json_object_get(spec, "Availability");
	*old_availability = xstrdup(json_is_string(cur) ? json_string_value(cur) : "active");
	json_object_set_new(spec, "Availability", json_string(availability));
	out = spec_dump(spec, "node", err);
out:
	json_decref(root);
	return out;
}

bool reply_out_of_sequence(long status, const char *body, const char *error)
{
	if (status != 500)
		return false;
	return (body && strstr(body, "update out of sequence")) || (error && strstr(error, "update out of sequence"));
}

/* ---- the sequence ---- */

static void actions_next(struct action *a);

/* Go on with step. */
static void actions_go(struct action *a, enum step step)
{
	a->step = step;
	actions_next(a);
}

static void actions_finish(struct action *a)
{
	a->step = S_DONE;
	a->finished = true;
	a->wake_at = 0;
	struct action_result r = {
		.ok = a->ok,
		.error = a->error,
		.unreachable = a->unreachable,
		.not_found = a->not_found,
		.audit_config = a->audit_config,
		.warning = a->warning,
		.detail = a->rec.detail,
	};
	if (a->done)
		a->done(a->ud, &r);
}

static void actions_fail(struct action *a, char *msg)
{
	free(a->error);
	a->error = msg;
	a->ok = false;
	actions_finish(a);
}

/* Whether the reply of the job's or the node's own request failed; then so does a. */
static bool actions_failed(struct action *a, const struct engine_reply *r)
{
	if (!r->error)
		return false;
	a->unreachable = r->unreachable;
	a->not_found = r->status == 404;
	actions_fail(a, xstrdup(r->error));
	return true;
}

static void actions_progress(struct action *a, const char *what)
{
	if (a->progress)
		a->progress(a->ud, what);
}

static void actions_on_reply(void *ud, const struct engine_reply *r);

static void actions_request(struct action *a, const char *method, const char *path,
                            const char *body,
                            const char *what)
{
	actions_progress(a, what);
	a->req = engine_request(a->engine, method, path, body, what, actions_on_reply, a);
}

static char *label_filter(const struct audit_record *rec)
{
	json_t *labels = json_object();
	char *job = xasprintf("glovebox.job=%s", rec->target);
	json_object_set_new(labels, job, json_true());
	free(job);
	if (rec->owner) {
		char *owner = xasprintf("glovebox.owner=%s", rec->owner);
		json_object_set_new(labels, owner, json_true());
		free(owner);
	}
	return jsonout_query(json_pack("{s:o}", "label", labels));
}

/* Networks from GET /networks whose labels name exactly this job (the filter already asked
 * for that; the check keeps a wrong filter from costing another job its network). */
static void take_networks(struct action *a, const char *body, size_t len)
{
	json_t *root = json_loadb(body, len, 0, NULL), *o;
	size_t i;
	json_array_foreach(root, i, o) {
		json_t *labels = json_object_get(o, "Labels");
		json_t *job = json_object_get(labels, "glovebox.job");
		json_t *owner = json_object_get(labels, "glovebox.owner");
		json_t *id = json_object_get(o, "Id");
		json_t *name = json_object_get(o, "Name");
		if (!json_is_string(id) || !json_is_string(job) || strcmp(json_string_value(job), a->rec.target) != 0)
			continue;
		if (a->rec.owner && (!json_is_string(owner) || strcmp(json_string_value(owner), a->rec.owner) != 0))
			continue;
		a->nets = xreallocarray(a->nets, a->n_nets + 1, sizeof *a->nets);
		a->net_names = xreallocarray(a->net_names, a->n_nets + 1, sizeof *a->net_names);
		a->nets[a->n_nets] = xstrdup(json_string_value(id));
		a->net_names[a->n_nets] = xstrdup(json_is_string(name) ? json_string_value(name) : json_string_value(id));
		a->n_nets++;
	}
	json_decref(root);
}

/* The network could not go (yet): try again after a pause, until the deadline. */
static void net_retry(struct action *a, const char *why)
{
	free(a->net_error);
	a->net_error = xstrdup(why);
	int64_t now = mono_ns();
	if (now + a->backoff_ms * 1000000LL > a->net_deadline) {
		char *w = xasprintf("the job's network %s could not be removed: %s (remove it later with "
		                    "docker network rm %s)", a->net_names[a->net_i], a->net_error,
		                    a->net_names[a->net_i]);
		if (a->warning) {
			char *both = xasprintf("%s; %s", a->warning, w);
			free(w);
			w = both;
		}
		free(a->warning);
		a->warning = w;
		a->net_i++;
		a->backoff_ms = a->opts.backoff_ms;
		actions_next(a);
		return;
	}
	actions_progress(a, "waiting for the job's tasks to stop before removing its network");
	a->wake_at = now + a->backoff_ms * 1000000LL;
	a->backoff_ms = a->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : a->backoff_ms * 2;
}

static void actions_on_reply(void *ud, const struct engine_reply *r)
{
	struct action *a = ud;
	a->req = NULL;
	char *err = NULL;
	switch (a->step) {
	case S_AUDIT:
		/* 409: this very record is stored already (its name is a hash of its content). */
		if (r->error && r->status != 409) {
			a->unreachable = r->unreachable;
			actions_fail(a, xasprintf("nothing was done: the audit record could not be stored: %s", r->error));
			return;
		}
		actions_go(a, a->kind == K_REMOVE ? S_DELETE : S_UPDATE);
		return;
	case S_READ: {
		if (actions_failed(a, r))
			return;
		free(a->update_body);
		char *old = NULL;
		if (a->kind == K_SCALE) {
			uint64_t before = 0;
			a->update_body = service_spec_scaled(r->body, r->len, a->replicas, &a->version, &before, &err);
			if (a->update_body && !a->rec.detail)
				a->rec.detail = xasprintf("replicas %llu -> %llu", (unsigned long long)before,
				                          (unsigned long long)a->replicas);
		} else {
			a->update_body = node_spec_with_availability(r->body, r->len, a->availability, &a->version,
			                                             &old, &err);
			if (a->update_body && !a->rec.detail)
				a->rec.detail = xasprintf("availability %s -> %s", old, a->availability);
		}
		free(old);
		if (!a->update_body) {
			actions_fail(a, err);
			return;
		}
		/* The record goes first, once: a retried update is the same action. */
		actions_go(a, a->write_audit && !a->audit_config ? S_AUDIT : S_UPDATE);
		return;
	}
	case S_UPDATE:
		if (r->error && reply_out_of_sequence(r->status, r->body, r->error) &&
		    a->attempts < a->opts.update_attempts) {
			/* Someone else changed it between our read and write: read again. */
			actions_go(a, S_READ);
			return;
		}
		if (actions_failed(a, r))
			return;
		a->ok = true;
		actions_finish(a);
		return;
	case S_DELETE:
		if (actions_failed(a, r))
			return;
		a->ok = true;
		/* Services not made by glovebox have no network of glovebox's. */
		actions_go(a, a->rec.owner ? S_NETWORKS : S_DONE);
		return;
	case S_NETWORKS:
		if (r->error) {
			a->warning = xasprintf("the job's network could not be looked up: %s", r->error);
			a->step = S_DONE;
		} else {
			take_networks(a, r->body, r->len);
			a->net_deadline = mono_ns() + a->opts.network_timeout_ms * 1000000LL;
			a->backoff_ms = a->opts.backoff_ms;
			a->step = S_NET_DELETE;
		}
		actions_next(a);
		return;
	case S_NET_DELETE:
		if (r->error && r->status != 404) {
			net_retry(a, r->error);
			return;
		}
		a->net_i++;
		a->backoff_ms = a->opts.backoff_ms;
		actions_next(a);
		return;
	case S_DONE:
		return;
	}
}

static void actions_next(struct action *a)
{
	char *path = NULL;
	switch (a->step) {
	case S_AUDIT: {
		char *name = NULL;
		char *body = audit_config_body(&a->rec, &name);
		if (!body) {
			actions_fail(a, xstrdup("nothing was done: the audit record is incomplete or not valid text"));
			return;
		}
		a->audit_config = name;
		actions_request(a, "POST", "/configs/create", body, "recording the action in the audit log");
		free(body);
		return;
	}
	case S_READ:
		a->attempts++;
		if (a->kind == K_SCALE) {
			path = xasprintf("/services/%s", a->rec.target_id);
			actions_request(a, "GET", path, NULL, "reading the job's service");
		} else {
			path = xasprintf("/nodes/%s", a->rec.target_id);
			actions_request(a, "GET", path, NULL, "reading the node");
		}
		break;
	case S_UPDATE:
		path = xasprintf("/%s/%s/update?version=%llu", a->kind == K_SCALE ? "services" : "nodes",
		                 a->rec.target_id, (unsigned long long)a->version);
		actions_request(a, "POST", path, a->update_body, a->kind == K_SCALE ? "scaling the job" : "updating the node");
		break;
	case S_DELETE:
		path = xasprintf("/services/%s", a->rec.target_id);
		actions_request(a, "DELETE", path, NULL, "removing the job's service");
		break;
	case S_NETWORKS: {
		char *f = label_filter(&a->rec);
		path = xasprintf("/networks?filters=%s", f);
		free(f);
		actions_request(a, "GET", path, NULL, "looking for the job's network");
		break;
	}
	case S_NET_DELETE:
		if (a->net_i >= a->n_nets) {
			actions_finish(a);
			return;
		}
		path = xasprintf("/networks/%s", a->nets[a->net_i]);
		actions_request(a, "DELETE", path, NULL, "removing the job's network");
		break;
	case S_DONE:
		actions_finish(a);
		return;
	}
	free(path);
}

static void opts_default(struct action_opts *o, const struct action_opts *in)
{
	*o = in ? *in : (struct action_opts){0};
	if (o->network_timeout_ms <= 0)
		o->network_timeout_ms = 30000;
	if (o->backoff_ms <= 0)
		o->backoff_ms = 250;
	if (o->update_attempts == 0)
		o->update_attempts = 5;
}

static struct action *action_new(struct engine *e, enum kind kind, const struct audit_record *rec,
                                 const struct action_opts *opts, action_progress_fn progress_fn,
                                 action_done_fn done, void *ud)
{
	struct action *a = xcalloc(1, sizeof *a);
	a->engine = e;
	a->kind = kind;
	audit_copy(&a->rec, rec);
	a->write_audit = !(opts && opts->no_audit);
	opts_default(&a->opts, opts);
	a->progress = progress_fn;
	a->done = done;
	a->ud = ud;
	return a;
}

struct action *action_remove_job(struct engine *e, const struct audit_record *rec,
                                 const struct action_opts *opts, action_progress_fn progress_fn,
                                 action_done_fn done, void *ud)
{
	struct action *a = action_new(e, K_REMOVE, rec, opts, progress_fn, done, ud);
	actions_go(a, a->write_audit ? S_AUDIT : S_DELETE);
	return a;
}

struct action *action_scale_job(struct engine *e, const struct audit_record *rec, uint64_t replicas,
                                const struct action_opts *opts, action_progress_fn progress_fn,
                                action_done_fn done, void *ud)
{
	struct action *a = action_new(e, K_SCALE, rec, opts, progress_fn, done, ud);
	a->replicas = replicas;
	actions_go(a, S_READ);
	return a;
}

const char *node_availability_for(enum audit_action act)
{
	switch (act) {
	case AUDIT_PAUSE_NODE:    return "pause";
	case AUDIT_ACTIVATE_NODE: return "active";
	case AUDIT_DRAIN_NODE:    return "drain";
	default:                  return NULL;
	}
}

struct action *action_node_availability(struct engine *e, const struct audit_record *rec,
                                        const struct action_opts *opts, action_progress_fn progress_fn,
                                        action_done_fn done, void *ud)
{
	struct action *a = action_new(e, K_NODE, rec, opts, progress_fn, done, ud);
	const char *avail = node_availability_for(rec->action);
	if (!avail) {
		actions_fail(a, xstrdup("not a node action"));
		return a;
	}
	a->availability = xstrdup(avail);
	actions_go(a, S_READ);
	return a;
}

int64_t action_wake_at(const struct action *a)
{
	return a->finished ? 0 : a->wake_at;
}

void action_tick(struct action *a, int64_t now_mono_ns)
{
	if (a->finished || a->req || a->wake_at == 0 || now_mono_ns < a->wake_at)
		return;
	a->wake_at = 0;
	actions_next(a);
}

bool action_finished(const struct action *a)
{
	return a->finished;
}

int action_wait_ms(const struct action *a, int64_t now_mono_ns)
{
	if (a->finished)
		return 0;
	if (!a->wake_at)
		return -1;
	int64_t ms = (a->wake_at - now_mono_ns + 999999) / 1000000;
	return ms <= 0 ? 0 : ms > INT32_MAX ? INT32_MAX : (int)ms;
}

void action_free(struct action **pa)
{
	struct action *a = *pa;
	if (!a)
		return;
	engine_cancel_clear(a->engine, &a->req);
	audit_clear(&a->rec);
	free(a->availability);
	free(a->error);
	free(a->warning);
	free(a->audit_config);
	free(a->update_body);
	for (size_t i = 0; i < a->n_nets; i++) {
		free(a->nets[i]);
		free(a->net_names[i]);
	}
	free(a->nets);
	free(a->net_names);
	free(a->net_error);
	free(a);
	*pa = NULL;
}
