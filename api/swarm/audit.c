#include "api/swarm/audit.h"

#include <glib.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/base/chars.h"
#include "api/base/err.h"
#include "api/base/str.h"
#include "api/base/timefmt.h"
#include "api/base/xalloc.h"
#include "api/core/terms.h"
#include "api/swarm/store.h"

/* Swarm limits on configs (docker/swarmkit api/validation). */
#define CONFIG_NAME_MAX 64
/* "YYYY-MM-DDTHH:MM:SSZ" covers 1970 to 9999. */

static const char *const action_names[AUDIT_N] = {
	[AUDIT_RM] = "rm",
	[AUDIT_SCALE] = "scale",
	[AUDIT_PAUSE_NODE] = "pause-node",
	[AUDIT_ACTIVATE_NODE] = "activate-node",
	[AUDIT_DRAIN_NODE] = "drain-node",
	[AUDIT_REAP] = "reap",
	[AUDIT_PUBLISH_POLICY] = "publish-policy",
};

const char *audit_action_name(enum audit_action a)
{
	return (unsigned)a < AUDIT_N ? action_names[a] : "unknown";
}

int audit_action_parse(const char *name, enum audit_action *out)
{
	for (int i = 0; name && i < AUDIT_N; i++)
		if (strcmp(name, action_names[i]) == 0) {
			*out = (enum audit_action)i;
			return 0;
		}
	return -1;
}

bool audit_action_on_node(enum audit_action a)
{
	return a == AUDIT_PAUSE_NODE || a == AUDIT_ACTIVATE_NODE || a == AUDIT_DRAIN_NODE;
}

static bool is_utf8(const char *s)
{
	return g_utf8_validate(s, -1, NULL);
}

/* No C0 control and no DEL: a record's fields are single lines. */
static bool one_line(const char *s)
{
	for (; *s; s++)
		if (char_is_ctl((unsigned char)*s))
			return false;
	return true;
}

int audit_reason_check(const char *reason, char **err)
{
	if (!reason || str_blank(reason))
		return err_set(err, "the reason is empty: say in one line why");
	if (strlen(reason) > AUDIT_REASON_MAX)
		return err_set(err, "the reason is longer than %d bytes", AUDIT_REASON_MAX);
	if (!is_utf8(reason))
		return err_set(err, "the reason is not valid UTF-8");
	if (!one_line(reason))
		return err_set(err, "the reason must be one line of text, without control characters");
	return 0;
}

/* Both directions apply it, so glovebox never stores a record it would refuse to read back. */
static int audit_validate(const struct audit_record *r, char **err)
{
	const struct { const char *key, *value; bool optional; } fields[] = {
		{ "who", r->who, false },
		{ "target", r->target, false },
		{ "target_id", r->target_id, false },
		{ "owner", r->owner, true },
		{ "detail", r->detail, true },
		{ "host", r->host, false },
		{ "glovebox_version", r->glovebox_version, false },
	};
	if ((unsigned)r->action >= AUDIT_N)
		return err_set(err, "audit record: unknown action");
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *v = fields[i].value;
		if (!v && fields[i].optional)
			continue;
		if (!v || !*v)
			return err_set(err, "audit record: \"%s\" is empty", fields[i].key);
		if (!is_utf8(v) || !one_line(v))
			return err_set(err, "audit record: \"%s\" must be one line of UTF-8", fields[i].key);
	}
	if (r->reason) {
		char *why = NULL;
		if (audit_reason_check(r->reason, &why) != 0) {
			err_set(err, "audit record: reason: %s", why);
			free(why);
			return -1;
		}
	}
	if (r->time < 0 || r->time > TIME_ISO8601_MAX)
		return err_set(err, "audit record: time %" PRId64 " is outside 1970-9999", r->time);
	return 0;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* NULL when a value is not UTF-8 (json_string() refuses it). */
static json_t *record_object(const struct audit_record *r)
{
	char when[TIME_ISO8601_SIZE];
	time_iso8601(r->time, when);
	json_t *o = json_object();
	const struct { const char *key; json_t *v; } kv[] = {
		{ "who", json_string(r->who) },
		{ "action", json_string(audit_action_name(r->action)) },
		{ "target", json_string(r->target) },
		{ "target_id", json_string(r->target_id) },
		{ "owner", str_or_null(r->owner) },
		{ "reason", str_or_null(r->reason) },
		{ "detail", str_or_null(r->detail) },
		{ "time", json_string(when) },
		{ "host", json_string(r->host) },
		{ "glovebox_version", json_string(r->glovebox_version) },
	};
	bool ok = o != NULL;
	for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
		ok = json_object_set_new(o, kv[i].key, kv[i].v) == 0 && ok;
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *audit_to_json(const struct audit_record *r)
{
	if (audit_validate(r, NULL) != 0)
		return NULL;
	json_t *o = record_object(r);
	char *out = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	return out;
}

/* Required strings must be strings; optional ones strings or null. */
static int get_field(json_t *o, const char *key, bool optional, char **to, char **err)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return err_set(err, "audit record: \"%s\" is missing", key);
	if (optional && json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return err_set(err, "audit record: \"%s\" must be a string%s", key, optional ? " or null" : "");
	*to = xstrdup(json_string_value(v));
	return 0;
}

int audit_from_json(const char *json, size_t len, struct audit_record *out, char **err)
{
	struct audit_record r = {0};
	int rc = -1;
	char *action = NULL, *when = NULL;
	json_t *root = record_json_load(json, len, "audit record", err);
	if (!root)
		return -1;
	const struct { const char *key; char **to; bool optional; } fields[] = {
		{ "who", &r.who, false },
		{ "action", &action, false },
		{ "target", &r.target, false },
		{ "target_id", &r.target_id, false },
		{ "owner", &r.owner, true },
		{ "reason", &r.reason, true },
		{ "detail", &r.detail, true },
		{ "time", &when, false },
		{ "host", &r.host, false },
		{ "glovebox_version", &r.glovebox_version, false },
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (get_field(root, fields[i].key, fields[i].optional, fields[i].to, err) != 0)
			goto out;
	if (audit_action_parse(action, &r.action) != 0) {
		err_set(err, "audit record: unknown action \"%.40s\"", action);
		goto out;
	}
	if (time_iso8601_parse(when, &r.time) != 0) {
		err_set(err, "audit record: time \"%.40s\" is not UTC ISO 8601 (2026-11-22T08:11:44Z)", when);
		goto out;
	}
	if (audit_validate(&r, err) != 0)
		goto out;
	*out = r;
	memset(&r, 0, sizeof r);
	rc = 0;
out:
	free(action);
	free(when);
	audit_clear(&r);
	json_decref(root);
	return rc;
}

void audit_record_init(struct audit_record *r, const char *who, enum audit_action act,
                       const char *target, const char *target_id, const char *owner,
                       const char *reason)
{
	char host[256] = "unknown";
	if (gethostname(host, sizeof host - 1) != 0)
		strcpy(host, "unknown");
	host[sizeof host - 1] = '\0';
	*r = (struct audit_record){
		.who = xstrdup(who),
		.action = act,
		.target = xstrdup(target),
		.target_id = xstrdup(target_id),
		.owner = xstrdup(owner),
		.reason = xstrdup(reason),
		.time = (int64_t)time(NULL),
		.host = xstrdup(host),
		.glovebox_version = xstrdup(GLOVEBOX_VERSION),
	};
}

void audit_clear(struct audit_record *r)
{
	free(r->who);
	free(r->target);
	free(r->target_id);
	free(r->owner);
	free(r->reason);
	free(r->detail);
	free(r->host);
	free(r->glovebox_version);
	memset(r, 0, sizeof *r);
}

void audit_copy(struct audit_record *dst, const struct audit_record *src)
{
	*dst = (struct audit_record){
		.who = xstrdup(src->who),
		.action = src->action,
		.target = xstrdup(src->target),
		.target_id = xstrdup(src->target_id),
		.owner = xstrdup(src->owner),
		.reason = xstrdup(src->reason),
		.detail = xstrdup(src->detail),
		.time = src->time,
		.host = xstrdup(src->host),
		.glovebox_version = xstrdup(src->glovebox_version),
	};
}

/* The name from the record's JSON text (for the hash). */
static char *name_for(const struct audit_record *r, const char *json)
{
	static const char prefix[] = "glovebox-audit-";
	char *sha = sha256_hex(json, strlen(json));
	char head[48];
	int n = snprintf(head, sizeof head, "%" PRId64 "-%s-", r->time, audit_action_name(r->action));
	/* Room for the target between the head and "-<sha8>". */
	size_t fixed = (sizeof prefix - 1) + (size_t)n + 1 + 8;
	size_t room = CONFIG_NAME_MAX > fixed ? CONFIG_NAME_MAX - fixed : 0;
	const char *t = r->target ? r->target : "";
	size_t tlen = strlen(t);
	if (tlen > room)
		tlen = room;
	char *name = xmalloc(CONFIG_NAME_MAX + 1);
	char *p = stpcpy(stpcpy(name, prefix), head);
	for (size_t i = 0; i < tlen; i++)
		*p++ = char_is_name(t[i]) ? t[i] : '-';
	*p++ = '-';
	memcpy(p, sha, 8);
	p[8] = '\0';
	free(sha);
	return name;
}

char *audit_config_name(const struct audit_record *r)
{
	char *json = audit_to_json(r);
	/* A record that cannot be stored still gets a name, from its fields alone. */
	char *name = name_for(r, json ? json : "");
	free(json);
	return name;
}

char *audit_config_body(const struct audit_record *r, char **name)
{
	char *json = audit_to_json(r);
	if (!json)
		return NULL;
	*name = name_for(r, json);
	json_t *labels = json_object();
	json_object_set_new(labels, "glovebox.audit", json_string("1"));
	json_object_set_new(labels, "glovebox.actor", json_string(r->who));
	json_object_set_new(labels, "glovebox.action", json_string(audit_action_name(r->action)));
	json_object_set_new(labels, "glovebox.target", json_string(r->target));
	if (r->owner)
		json_object_set_new(labels, "glovebox.target-owner", json_string(r->owner));
	gchar *b64 = g_base64_encode((const guchar *)json, strlen(json));
	json_t *cfg = json_pack("{s:s, s:o, s:s}", "Name", *name, "Labels", labels, "Data", b64);
	char *body = cfg ? json_dumps(cfg, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(cfg);
	g_free(b64);
	free(json);
	if (!body) {
		free(*name);
		*name = NULL;
	}
	return body;
}

/* ---- the log ---- */

static int entry_cmp(const void *a, const void *b)
{
	const struct audit_entry *x = a, *y = b;
	if (x->rec.time != y->rec.time)
		return x->rec.time > y->rec.time ? -1 : 1;
	if (x->created_ns != y->created_ns)
		return x->created_ns > y->created_ns ? -1 : 1;
	return str_cmp(x->config, y->config);
}

void audit_log_from_configs(const struct config_list *l, struct audit_log *out)
{
	memset(out, 0, sizeof *out);
	out->v = xcalloc(l->n + 1, sizeof *out->v);
	for (size_t i = 0; i < l->n; i++) {
		const struct swarm_config *c = &l->v[i];
		struct audit_entry *e = &out->v[out->n];
		if (!c->data || audit_from_json(c->data, c->data_len, &e->rec, NULL) != 0) {
			out->unreadable++;
			continue;
		}
		e->config = xstrdup(c->name);
		e->created_ns = c->created_ns;
		out->n++;
	}
	qsort(out->v, out->n, sizeof *out->v, entry_cmp);
}

void audit_log_filter(struct audit_log *l, const struct actor *a)
{
	if (actor_may(a, ACT_AUDIT_ALL, NULL) == PERMIT)
		return;
	size_t kept = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct audit_entry *e = &l->v[i];
		bool mine = str_eq(e->rec.who, a->user) || str_eq(e->rec.owner, a->user);
		if (mine) {
			l->v[kept++] = *e;
		} else {
			audit_clear(&e->rec);
			free(e->config);
		}
	}
	l->n = kept;
}

void audit_log_clear(struct audit_log *l)
{
	for (size_t i = 0; i < l->n; i++) {
		audit_clear(&l->v[i].rec);
		free(l->v[i].config);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

char *audit_log_json(const struct audit_log *l, bool pretty, bool ascii)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < l->n; i++) {
		/* Entries were validated when read, so every string is UTF-8. */
		json_t *o = record_object(&l->v[i].rec);
		if (!o)
			continue;
		json_object_set_new(o, "config", str_or_null(l->v[i].config));
		json_array_append_new(arr, o);
	}
	char *out = json_dumps(arr, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT) |
	                                (ascii ? JSON_ENSURE_ASCII : 0));
	json_decref(arr);
	if (!out)
		abort();   /* only on out-of-memory */
	return out;
}

/* ---- listing from the swarm ---- */

struct audit_query {
	struct engine *engine;
	struct engine_req *req;
	audit_list_fn fn;
	void *ud;
};

static void on_configs(void *ud, const struct config_list *l, const char *error, bool unreachable)
{
	struct audit_query *q = ud;
	struct audit_log log = {0};
	q->req = NULL;
	if (!error)
		audit_log_from_configs(l, &log);
	q->fn(q->ud, &log, error, unreachable);
	audit_log_clear(&log);
}

struct audit_query *audit_query_start(struct engine *e, audit_list_fn fn, void *ud)
{
	struct audit_query *q = xcalloc(1, sizeof *q);
	q->engine = e;
	q->fn = fn;
	q->ud = ud;
	q->req = configs_list_for(e, "listing the audit records", "glovebox.audit=1", NULL, on_configs, q);
	return q;
}

void audit_query_free(struct audit_query **pq)
{
	struct audit_query *q = *pq;
	if (!q)
		return;
	if (q->req)
		configs_list_cancel(q->engine, q->req);
	free(q);
	*pq = NULL;
}
