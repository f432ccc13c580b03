#include "api/engine/decode.h"

#include <glib.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/base/err.h"
#include "api/base/xalloc.h"

/* Decoding state. The first error sticks and every later getter does nothing, so an item
 * decoder reads its fields straight through and the caller checks once at the end. */
struct dec {
	char prefix[160];       /* "services[3]" inside a list, "" for a single object */
	char *err;
};

static void dec_fail(struct dec *d, const char *path, size_t plen, const char *expected)
{
	if (d->err)
		return;
	if (d->prefix[0] && plen)
		d->err = xasprintf("%s.%.*s: expected %s", d->prefix, (int)plen, path, expected);
	else if (d->prefix[0])
		d->err = xasprintf("%s: expected %s", d->prefix, expected);
	else
		d->err = xasprintf("%.*s: expected %s", (int)plen, path, expected);
}

/* The value at a dotted path below the object o ("Spec.Mode.Replicated"), borrowed.
 * NULL when a component is missing or JSON null (Go writes nil maps and slices as null,
 * so null means "absent"); an error when a component on the way is not an object. */
static json_t *dig(struct dec *d, json_t *o, const char *path)
{
	const char *p = path;

	if (d->err)
		return NULL;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t klen = dot ? (size_t)(dot - p) : strlen(p);
		char key[64];

		if (klen >= sizeof key)
			abort();        /* paths are literals in this file */
		memcpy(key, p, klen);
		key[klen] = '\0';
		json_t *v = json_object_get(o, key);
		if (!v || json_is_null(v))
			return NULL;
		if (!dot)
			return v;
		if (!json_is_object(v)) {
			dec_fail(d, path, (size_t)(dot - path), "an object");
			return NULL;
		}
		o = v;
		p = dot + 1;
	}
}

/* A C string cannot hold NUL, which a Go string can: each one becomes U+FFFD, so the value
 * shows up damaged instead of silently cut short. */
static char *str_copy(json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v), nul = 0;

	for (size_t i = 0; i < n; i++)
		nul += s[i] == '\0';
	if (!nul)
		return xstrndup(s, n);
	char *out = xmalloc(n + 2 * nul + 1), *q = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i]) {
			*q++ = s[i];
		} else {
			memcpy(q, "\xef\xbf\xbd", 3);
			q += 3;
		}
	}
	*q = '\0';
	return out;
}

static json_t *dec_typed(struct dec *d, json_t *o, const char *path,
                         int (*is)(const json_t *), const char *expected)
{
	json_t *v = dig(d, o, path);
	if (v && !is(v)) {
		dec_fail(d, path, strlen(path), expected);
		return NULL;
	}
	return v;
}

/* jansson's type tests are macros; these give dec_typed something to point at. */
static int is_object(const json_t *v) { return json_is_object(v); }
static int is_array(const json_t *v) { return json_is_array(v); }
static int is_string(const json_t *v) { return json_is_string(v); }
static int is_integer(const json_t *v) { return json_is_integer(v); }
static int is_boolean(const json_t *v) { return json_is_boolean(v); }

static json_t *dec_obj(struct dec *d, json_t *o, const char *path)
{
	return dec_typed(d, o, path, is_object, "an object");
}

static json_t *dec_arr(struct dec *d, json_t *o, const char *path)
{
	return dec_typed(d, o, path, is_array, "an array");
}

static char *dec_str(struct dec *d, json_t *o, const char *path)
{
	json_t *v = dec_typed(d, o, path, is_string, "a string");
	return v ? str_copy(v) : NULL;
}

static bool dec_bool(struct dec *d, json_t *o, const char *path)
{
	json_t *v = dec_typed(d, o, path, is_boolean, "a boolean");
	return v && json_is_true(v);
}

/* An integer within [min, max]; *present says whether the field was there. */
static json_int_t dec_int_in(struct dec *d, json_t *o, const char *path,
                             json_int_t min, json_int_t max, bool *present)
{
	json_t *v = dec_typed(d, o, path, is_integer, "an integer");
	if (present)
		*present = v != NULL;
	if (!v)
		return 0;
	json_int_t i = json_integer_value(v);
	if (i < min || i > max) {
		char what[96];
		if (min == 0 && max == LLONG_MAX)
			snprintf(what, sizeof what, "a non-negative integer");
		else
			snprintf(what, sizeof what, "an integer from %lld to %lld", (long long)min,
			         (long long)max);
		dec_fail(d, path, strlen(path), what);
		if (present)
			*present = false;
		return 0;
	}
	return i;
}

static int64_t dec_i64(struct dec *d, json_t *o, const char *path)
{
	return dec_int_in(d, o, path, LLONG_MIN, LLONG_MAX, NULL);
}

static uint64_t dec_u64(struct dec *d, json_t *o, const char *path)
{
	return (uint64_t)dec_int_in(d, o, path, 0, LLONG_MAX, NULL);
}

static int dec_int(struct dec *d, json_t *o, const char *path, bool *present)
{
	return (int)dec_int_in(d, o, path, INT_MIN, INT_MAX, present);
}

static int64_t dec_time(struct dec *d, json_t *o, const char *path)
{
	json_t *v = dec_typed(d, o, path, is_string, "an RFC 3339 time string");
	if (!v)
		return 0;
	int64_t t = decode_time(json_string_value(v));
	if (t == -1) {
		dec_fail(d, path, strlen(path), "an RFC 3339 time");
		return 0;
	}
	return t;
}

static void dec_labels(struct dec *d, json_t *o, const char *path, struct labels *out)
{
	json_t *obj = dec_obj(d, o, path), *val;
	const char *key;

	if (!obj || json_object_size(obj) == 0)
		return;
	out->v = xcalloc(json_object_size(obj), sizeof *out->v);
	json_object_foreach(obj, key, val) {
		if (json_is_null(val))
			continue;
		if (!json_is_string(val)) {
			char *p = xasprintf("%s.%s", path, key);
			dec_fail(d, p, strlen(p), "a string");
			free(p);
			return;
		}
		out->v[out->n].key = xstrdup(key);
		out->v[out->n].value = str_copy(val);
		out->n++;
	}
}

static void dec_strings(struct dec *d, json_t *o, const char *path, char ***out, size_t *n)
{
	json_t *arr = dec_arr(d, o, path), *val;
	size_t i;

	if (!arr || json_array_size(arr) == 0)
		return;
	*out = xcalloc(json_array_size(arr), sizeof **out);
	json_array_foreach(arr, i, val) {
		if (!json_is_string(val)) {
			char *p = xasprintf("%s[%zu]", path, i);
			dec_fail(d, p, strlen(p), "a string");
			free(p);
			return;
		}
		(*out)[(*n)++] = str_copy(val);
	}
}

/* GenericResources: [{"NamedResourceSpec": {"Kind", "Value": "gpu0"}} | {"DiscreteResourceSpec":
 * {"Kind", "Value": 2}}], merged per kind (model.h). */
static void dec_gres(struct dec *d, json_t *o, const char *path, struct gres_list *out)
{
	json_t *arr = dec_arr(d, o, path), *val;
	size_t i;

	if (!arr || json_array_size(arr) == 0)
		return;
	out->v = xcalloc(json_array_size(arr), sizeof *out->v);
	json_array_foreach(arr, i, val) {
		/* Errors name the element: "nodes[0].Description.Resources.GenericResources[2]...". */
		struct dec sub = { .err = NULL };
		if (snprintf(sub.prefix, sizeof sub.prefix, "%s%s%s[%zu]", d->prefix,
		             d->prefix[0] ? "." : "", path, i) >= (int)sizeof sub.prefix)
			sub.prefix[sizeof sub.prefix - 1] = '\0';   /* cut: the message stays readable */
		bool named = json_is_object(val) && json_object_get(val, "NamedResourceSpec");
		char *kind = dec_str(&sub, val, named ? "NamedResourceSpec.Kind" : "DiscreteResourceSpec.Kind");
		int64_t count = named ? 1 : dec_i64(&sub, val, "DiscreteResourceSpec.Value");
		if (!sub.err && (!json_is_object(val) || !kind || count < 0))
			dec_fail(&sub, "", 0, "a named or discrete resource with a kind and a count");
		if (sub.err) {
			if (!d->err)
				d->err = sub.err;
			else
				free(sub.err);
			free(kind);
			return;
		}
		size_t k = 0;
		while (k < out->n && strcmp(out->v[k].kind, kind) != 0)
			k++;
		if (k == out->n)
			out->v[out->n++].kind = kind;
		else
			free(kind);
		out->v[k].count += count;
	}
}

static json_t *parse(const char *json, size_t len, const char *what, bool array, char **err)
{
	json_error_t e;
	json_t *root = json_loadb(json ? json : "", json ? len : 0, JSON_ALLOW_NUL, &e);

	if (!root) {
		err_set(err, "%s: invalid JSON at line %d, column %d: %s", what, e.line, e.column, e.text);
		return NULL;
	}
	if (array ? !json_is_array(root) : !json_is_object(root)) {
		err_set(err, "%s: expected %s", what, array ? "an array" : "an object");
		json_decref(root);
		return NULL;
	}
	return root;
}

/* 0, or -1 with the first error of the decoding passed on to *err (which may be NULL). */
static int dec_end(struct dec *d, char **err)
{
	if (!d->err)
		return 0;
	err_set(err, "%s", d->err);
	free(d->err);
	return -1;
}

/* The public decoders (decode.h), one line each below their item function: DECODE_LIST for a
 * top-level array of objects (decode_list), DECODE_ONE for a single object (decode_one); both
 * clear what was filled in when decoding fails, so the caller never frees half a result. */
#define DECODE_LIST(fn, type, what, item, clear)                                                 \
	int fn(const char *json, size_t len, struct type *out, char **err)                          \
	{                                                                                            \
		void *v;                                                                                 \
		int r = decode_list(json, len, what, sizeof *out->v, item, &v, &out->n, err);            \
		out->v = v;                                                                              \
		if (r < 0)                                                                               \
			clear(out);                                                                          \
		return r;                                                                                \
	}
#define DECODE_ONE(fn, type, what, item, clear)                                                  \
	int fn(const char *json, size_t len, struct type *out, char **err)                          \
	{                                                                                            \
		int r = decode_one(json, len, what, item, out, sizeof *out, err);                        \
		if (r < 0)                                                                               \
			clear(out);                                                                          \
		return r;                                                                                \
	}

/* The common shape of the list decoders: a top-level array of objects, each decoded by item
 * into the next element of a zeroed array. On failure *v and *n still describe what was
 * filled in, so the typed caller can clear it with its own _clear. */
static int decode_list(const char *json, size_t len, const char *what, size_t size,
                       void (*item)(struct dec *, json_t *, void *), void **v, size_t *n,
                       char **err)
{
	json_t *root = parse(json, len, what, true, err), *o;
	struct dec d = { .err = NULL };
	size_t i;

	*v = NULL;
	*n = 0;
	if (!root)
		return -1;
	if (json_array_size(root))
		*v = xcalloc(json_array_size(root), size);
	json_array_foreach(root, i, o) {
		snprintf(d.prefix, sizeof d.prefix, "%s[%zu]", what, i);
		if (!json_is_object(o))
			dec_fail(&d, "", 0, "an object");
		else
			item(&d, o, (char *)*v + i * size);
		*n = i + 1;
		if (d.err)
			break;
	}
	json_decref(root);
	return dec_end(&d, err);
}

static void service_item(struct dec *d, json_t *o, void *out)
{
	struct service *s = out;

	s->id = dec_str(d, o, "ID");
	s->version = dec_u64(d, o, "Version.Index");
	s->created_ns = dec_time(d, o, "CreatedAt");
	s->updated_ns = dec_time(d, o, "UpdatedAt");
	s->name = dec_str(d, o, "Spec.Name");
	dec_labels(d, o, "Spec.Labels", &s->labels);
	s->image = dec_str(d, o, "Spec.TaskTemplate.ContainerSpec.Image");
	s->tty = dec_bool(d, o, "Spec.TaskTemplate.ContainerSpec.TTY");

	if (dec_obj(d, o, "Spec.Mode.Replicated")) {
		s->mode = MODE_REPLICATED;
		s->replicas = dec_u64(d, o, "Spec.Mode.Replicated.Replicas");
	} else if (dec_obj(d, o, "Spec.Mode.Global")) {
		s->mode = MODE_GLOBAL;
	} else if (dec_obj(d, o, "Spec.Mode.ReplicatedJob")) {
		/* The spec's defaults: TotalCompletions falls back to MaxConcurrent, which is 1. */
		bool has_total, has_max;
		s->mode = MODE_REPLICATED_JOB;
		uint64_t total = (uint64_t)dec_int_in(d, o, "Spec.Mode.ReplicatedJob.TotalCompletions",
		                                      0, LLONG_MAX, &has_total);
		uint64_t max = (uint64_t)dec_int_in(d, o, "Spec.Mode.ReplicatedJob.MaxConcurrent",
		                                    0, LLONG_MAX, &has_max);
		s->replicas = has_total ? total : has_max ? max : 1;
	} else if (dec_obj(d, o, "Spec.Mode.GlobalJob")) {
		s->mode = MODE_GLOBAL_JOB;
	} else {
		s->mode = MODE_UNKNOWN;
	}

	if (dec_obj(d, o, "ServiceStatus")) {
		s->has_status = true;
		s->running_tasks = dec_u64(d, o, "ServiceStatus.RunningTasks");
		s->desired_tasks = dec_u64(d, o, "ServiceStatus.DesiredTasks");
		s->completed_tasks = dec_u64(d, o, "ServiceStatus.CompletedTasks");
	}

	s->limit_nano_cpus = dec_i64(d, o, "Spec.TaskTemplate.Resources.Limits.NanoCPUs");
	s->limit_memory = dec_i64(d, o, "Spec.TaskTemplate.Resources.Limits.MemoryBytes");
	s->reserve_nano_cpus = dec_i64(d, o, "Spec.TaskTemplate.Resources.Reservations.NanoCPUs");
	s->reserve_memory = dec_i64(d, o, "Spec.TaskTemplate.Resources.Reservations.MemoryBytes");
	dec_gres(d, o, "Spec.TaskTemplate.Resources.Reservations.GenericResources", &s->reserve_generic);
	s->restart_condition = dec_str(d, o, "Spec.TaskTemplate.RestartPolicy.Condition");
	s->restart_max_attempts = dec_u64(d, o, "Spec.TaskTemplate.RestartPolicy.MaxAttempts");
	dec_strings(d, o, "Spec.TaskTemplate.Placement.Constraints", &s->constraints,
	            &s->n_constraints);
}

static void task_item(struct dec *d, json_t *o, void *out)
{
	struct task *t = out;

	t->id = dec_str(d, o, "ID");
	t->service_id = dec_str(d, o, "ServiceID");
	t->node_id = dec_str(d, o, "NodeID");
	t->name = dec_str(d, o, "Name");
	t->slot = dec_u64(d, o, "Slot");
	t->desired_state = dec_str(d, o, "DesiredState");
	t->created_ns = dec_time(d, o, "CreatedAt");
	t->updated_ns = dec_time(d, o, "UpdatedAt");
	t->state = dec_str(d, o, "Status.State");
	t->message = dec_str(d, o, "Status.Message");
	t->err = dec_str(d, o, "Status.Err");
	t->timestamp_ns = dec_time(d, o, "Status.Timestamp");
	t->container_id = dec_str(d, o, "Status.ContainerStatus.ContainerID");
	t->exit_code = dec_int(d, o, "Status.ContainerStatus.ExitCode", &t->has_exit_code);
	t->pid = dec_int(d, o, "Status.ContainerStatus.PID", NULL);
}

static void node_item(struct dec *d, json_t *o, void *out)
{
	struct node *n = out;

	n->id = dec_str(d, o, "ID");
	n->hostname = dec_str(d, o, "Description.Hostname");
	n->role = dec_str(d, o, "Spec.Role");
	n->availability = dec_str(d, o, "Spec.Availability");
	dec_labels(d, o, "Spec.Labels", &n->labels);
	n->state = dec_str(d, o, "Status.State");
	n->addr = dec_str(d, o, "Status.Addr");
	n->nano_cpus = dec_i64(d, o, "Description.Resources.NanoCPUs");
	n->memory_bytes = dec_i64(d, o, "Description.Resources.MemoryBytes");
	dec_gres(d, o, "Description.Resources.GenericResources", &n->generic);
	n->engine_version = dec_str(d, o, "Description.Engine.EngineVersion");
	n->leader = dec_bool(d, o, "ManagerStatus.Leader");
}

DECODE_LIST(decode_services, service_list, "services", service_item, service_list_clear)

DECODE_LIST(decode_tasks, task_list, "tasks", task_item, task_list_clear)

DECODE_LIST(decode_nodes, node_list, "nodes", node_item, node_list_clear)

/* Zeroes out (size bytes) and runs item on the single top-level object; 0, or -1 with *err. */
static int decode_one(const char *json, size_t len, const char *what,
                      void (*item)(struct dec *, json_t *, void *), void *out, size_t size,
                      char **err)
{
	struct dec d = { .prefix = "", .err = NULL };
	json_t *root = parse(json, len, what, false, err);

	memset(out, 0, size);
	if (!root)
		return -1;
	item(&d, root, out);
	json_decref(root);
	return dec_end(&d, err);
}

static void stats_item(struct dec *d, json_t *o, void *out)
{
	struct stats_sample *s = out;
	json_t *percpu, *v;
	size_t i;

	s->id = dec_str(d, o, "id");
	s->name = dec_str(d, o, "name");
	s->read_ns = dec_time(d, o, "read");
	s->preread_ns = dec_time(d, o, "preread");
	s->cpu_total = dec_u64(d, o, "cpu_stats.cpu_usage.total_usage");
	s->precpu_total = dec_u64(d, o, "precpu_stats.cpu_usage.total_usage");
	s->system_cpu = dec_u64(d, o, "cpu_stats.system_cpu_usage");
	s->presystem_cpu = dec_u64(d, o, "precpu_stats.system_cpu_usage");
	s->online_cpus = (uint32_t)dec_int_in(d, o, "cpu_stats.online_cpus", 0, UINT32_MAX, NULL);
	percpu = dec_arr(d, o, "cpu_stats.cpu_usage.percpu_usage");
	if (percpu) {
		json_array_foreach(percpu, i, v) {
			if (!json_is_integer(v)) {
				char p[64];
				snprintf(p, sizeof p, "cpu_stats.cpu_usage.percpu_usage[%zu]", i);
				dec_fail(d, p, strlen(p), "an integer");
				break;
			}
		}
		s->percpu_count = (uint32_t)json_array_size(percpu);
	}
	s->mem_usage = dec_u64(d, o, "memory_stats.usage");
	s->mem_limit = dec_u64(d, o, "memory_stats.limit");
	s->total_inactive_file = (uint64_t)dec_int_in(d, o, "memory_stats.stats.total_inactive_file",
	                                              0, LLONG_MAX, &s->has_total_inactive_file);
	s->inactive_file = (uint64_t)dec_int_in(d, o, "memory_stats.stats.inactive_file",
	                                        0, LLONG_MAX, &s->has_inactive_file);
	s->pids = dec_u64(d, o, "pids_stats.current");

	/* Newer engines answer {} for a stopped container; Engine 20.10 sends zeros with the
	 * name and id but a zero "read" time. Either way there is no sample. */
	s->empty = !dec_obj(d, o, "cpu_stats") || (dig(d, o, "read") && s->read_ns == 0);
}

DECODE_ONE(decode_stats, stats_sample, "stats", stats_item, stats_sample_clear)

static void event_item(struct dec *d, json_t *o, void *out)
{
	struct event *e = out;
	bool has_nano;

	e->type = dec_str(d, o, "Type");
	/* status and id are the pre-1.22 names, still sent alongside up to API 1.51. */
	e->action = dec_str(d, o, "Action");
	if (!e->action)
		e->action = dec_str(d, o, "status");
	e->actor_id = dec_str(d, o, "Actor.ID");
	if (!e->actor_id)
		e->actor_id = dec_str(d, o, "id");
	e->scope = dec_str(d, o, "scope");
	dec_labels(d, o, "Actor.Attributes", &e->attributes);
	e->time_ns = dec_int_in(d, o, "timeNano", LLONG_MIN, LLONG_MAX, &has_nano);
	if (!has_nano) {
		int64_t sec = dec_int_in(d, o, "time", LLONG_MIN / 1000000000, LLONG_MAX / 1000000000,
		                         NULL);
		e->time_ns = sec * 1000000000;
	}
}

DECODE_ONE(decode_event, event, "event", event_item, event_clear)

static void info_item(struct dec *d, json_t *o, void *out)
{
	struct engine_info *i = out;

	i->node_id = dec_str(d, o, "Swarm.NodeID");
	if (i->node_id && !i->node_id[0]) {
		/* Outside a swarm the engine sends "", the header promises NULL. */
		free(i->node_id);
		i->node_id = NULL;
	}
	i->local_node_state = dec_str(d, o, "Swarm.LocalNodeState");
	i->control_available = dec_bool(d, o, "Swarm.ControlAvailable");
	i->name = dec_str(d, o, "Name");
	i->server_version = dec_str(d, o, "ServerVersion");
	i->ncpu = dec_i64(d, o, "NCPU");
	i->mem_total = dec_i64(d, o, "MemTotal");
	json_t *sec = dec_arr(d, o, "SecurityOptions"), *v;
	size_t k;
	json_array_foreach(sec, k, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), "name=no-new-privileges"))
			i->no_new_privileges = true;
}

DECODE_ONE(decode_info, engine_info, "info", info_item, engine_info_clear)

static void container_item(struct dec *d, json_t *o, void *out)
{
	struct container_state *c = out;

	c->oom_killed = dec_bool(d, o, "State.OOMKilled");
	c->exit_code = dec_int(d, o, "State.ExitCode", NULL);
	c->status = dec_str(d, o, "State.Status");
	c->error = dec_str(d, o, "State.Error");
	c->finished_ns = dec_time(d, o, "State.FinishedAt");
}

DECODE_ONE(decode_container_state, container_state, "container", container_item, container_state_clear)

static void config_item(struct dec *d, json_t *o, void *out)
{
	struct swarm_config *c = out;

	c->id = dec_str(d, o, "ID");
	c->name = dec_str(d, o, "Spec.Name");
	c->created_ns = dec_time(d, o, "CreatedAt");
	dec_labels(d, o, "Spec.Labels", &c->labels);
	char *b64 = dec_str(d, o, "Spec.Data");
	gsize n = 0;
	guchar *raw = b64 && *b64 ? g_base64_decode(b64, &n) : NULL;
	c->data = xmalloc(n + 1);
	if (raw)
		memcpy(c->data, raw, n);
	c->data[n] = '\0';
	c->data_len = n;
	g_free(raw);
	free(b64);
}

DECODE_LIST(decode_configs, config_list, "configs", config_item, config_list_clear)

static void digest_item(struct dec *d, json_t *o, void *out)
{
	*(char **)out = dec_str(d, o, "Descriptor.digest");
	if (!*(char **)out && !d->err)
		dec_fail(d, "Descriptor.digest", strlen("Descriptor.digest"), "a string");
}

int decode_distribution_digest(const char *json, size_t len, char **digest, char **err)
{
	int r = decode_one(json, len, "distribution", digest_item, digest, sizeof *digest, err);
	if (r < 0) {
		free(*digest);
		*digest = NULL;
	}
	return r;
}

struct created { char *id, *warnings; };

static void created_item(struct dec *d, json_t *o, void *out)
{
	struct created *c = out;
	json_t *w;

	c->id = dec_str(d, o, json_object_get(o, "ID") ? "ID" : "Id");
	if (!c->id && !d->err)
		dec_fail(d, "ID", 2, "a string");
	w = json_object_get(o, "Warnings");
	if (json_is_array(w)) {
		size_t i;
		json_t *x;
		json_array_foreach(w, i, x) {
			if (!json_is_string(x))
				continue;
			char *joined = c->warnings ? xasprintf("%s; %s", c->warnings, json_string_value(x))
			                           : xstrdup(json_string_value(x));
			free(c->warnings);
			c->warnings = joined;
		}
	} else if (json_is_string(json_object_get(o, "Warning")) &&
	           *json_string_value(json_object_get(o, "Warning"))) {
		c->warnings = xstrdup(json_string_value(json_object_get(o, "Warning")));
	}
}

int decode_created(const char *json, size_t len, char **id, char **warnings, char **err)
{
	struct created c = {0};
	int r = decode_one(json, len, "created", created_item, &c, sizeof c, err);
	if (r < 0) {
		free(c.id);
		free(c.warnings);
		c.id = c.warnings = NULL;
	}
	*id = c.id;
	if (warnings)
		*warnings = c.warnings;
	else
		free(c.warnings);
	return r;
}

char *decode_error_message(const char *json, size_t len)
{
	json_t *root, *msg;
	char *out = NULL;

	if (!json)
		return NULL;
	root = json_loadb(json, len, JSON_ALLOW_NUL, NULL);
	msg = json_is_object(root) ? json_object_get(root, "message") : NULL;
	if (json_is_string(msg))
		out = str_copy(msg);
	json_decref(root);
	return out;
}

/* Exactly n ASCII digits at s; stops at the terminating NUL, which is not a digit. */
static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static int days_in_month(int year, int mon)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return mon == 2 && leap ? 29 : days[mon - 1];
}

/* Seconds from the epoch to Go's zero time, 0001-01-01T00:00:00Z. */
#define GO_ZERO_SECONDS INT64_C(-62135596800)

int64_t decode_time(const char *t)
{
	int year, mon, day, hour, min, sec, off = 0;
	int64_t nanos = 0, ns;
	const char *p;

	if (!t || !digits(t, 4, &year) || t[4] != '-' || !digits(t + 5, 2, &mon) || t[7] != '-' ||
	    !digits(t + 8, 2, &day) || (t[10] != 'T' && t[10] != 't') || !digits(t + 11, 2, &hour) ||
	    t[13] != ':' || !digits(t + 14, 2, &min) || t[16] != ':' || !digits(t + 17, 2, &sec))
		return -1;
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) || hour > 23 ||
	    min > 59 || sec > 59)
		return -1;

	p = t + 19;
	if (*p == '.') {
		int nd = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, nd++) {
			if (nd == 9)
				return -1;
			nanos = nanos * 10 + (*p - '0');
		}
		if (nd == 0)
			return -1;
		for (; nd < 9; nd++)
			nanos *= 10;
	}

	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;

	struct tm tm = {
		.tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day,
		.tm_hour = hour, .tm_min = min, .tm_sec = sec,
	};
	int64_t secs = (int64_t)timegm(&tm) - off;
	if (secs == GO_ZERO_SECONDS && nanos == 0)
		return 0;
	/* Borrow a second before a negative time so the very first instant still fits. */
	if (secs < 0 && nanos > 0) {
		secs += 1;
		nanos -= 1000000000;
	}
	if (__builtin_mul_overflow(secs, INT64_C(1000000000), &ns) ||
	    __builtin_add_overflow(ns, nanos, &ns))
		return -1;
	return ns;
}
