/* libFuzzer target: the engine's JSON decoders (api/decode.c, api/model.c) and the stats
 * formulas computed straight from their output (api/stats.c).
 *
 * The first byte picks the decoder, the rest is the body: 'a' services, 'b' tasks, 'c' nodes,
 * 'd' stats, 'e' events (one JSON object per line, as GET /events streams them), 'f' info,
 * 'g' container inspect, 'h' configs, 'i' distribution digest, 'j' create reply, 'k' error
 * body, 'l' an RFC 3339 time; any other byte picks one of these by its value modulo 12.
 * Beyond the sanitizers, it checks decode.h's contract: 0 with no message, or -1 with a
 * message and the output left cleared. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"
#include "api/engine/decode.h"
#include "api/engine/model.h"
#include "api/engine/stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { N_DECODERS = 12 };

static void require(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_decode: broken contract: %s\n", what);
		abort();
	}
}

/* 0 with no message, or -1 with one; err is freed. */
static void check_result(int r, char **err)
{
	require(r == 0 || r == -1, "a decoder returned neither 0 nor -1");
	require(r == 0 ? *err == NULL : *err != NULL && **err != '\0',
	        "a failed decoder must say why, a successful one must not");
	free(*err);
	*err = NULL;
}

/* Reads every string so that ASan sees one that is not NUL-terminated or already freed. */
static size_t touch(const char *s)
{
	return s ? strlen(s) : 0;
}

static size_t touch_labels(const struct labels *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += touch(l->v[i].key) + touch(l->v[i].value);
	require(labels_get(l, NULL) == NULL, "labels_get(NULL)");
	if (l->n)
		require(labels_get(l, l->v[0].key) != NULL, "labels_get finds no label it holds");
	return n;
}

static void services(const char *body, size_t len)
{
	struct service_list l;
	char *err = NULL;
	int r = decode_services(body, len, &l, &err);
	check_result(r, &err);
	if (r)
		require(l.v == NULL && l.n == 0, "a failed decoder left services behind");
	for (size_t i = 0; i < l.n; i++) {
		const struct service *s = &l.v[i];
		touch(s->id), touch(s->name), touch(s->image), touch(s->restart_condition);
		touch_labels(&s->labels);
		for (size_t k = 0; k < s->n_constraints; k++)
			touch(s->constraints[k]);
		require(s->mode <= MODE_UNKNOWN, "service mode out of range");
	}
	service_list_clear(&l);
}

static void tasks(const char *body, size_t len)
{
	struct task_list l;
	char *err = NULL;
	int r = decode_tasks(body, len, &l, &err);
	check_result(r, &err);
	if (r)
		require(l.v == NULL && l.n == 0, "a failed decoder left tasks behind");
	for (size_t i = 0; i < l.n; i++) {
		const struct task *t = &l.v[i];
		touch(t->id), touch(t->service_id), touch(t->node_id), touch(t->name);
		touch(t->desired_state), touch(t->state), touch(t->message), touch(t->err);
		touch(t->container_id);
	}
	task_list_clear(&l);
}

static void nodes(const char *body, size_t len)
{
	struct node_list l;
	char *err = NULL;
	int r = decode_nodes(body, len, &l, &err);
	check_result(r, &err);
	if (r)
		require(l.v == NULL && l.n == 0, "a failed decoder left nodes behind");
	for (size_t i = 0; i < l.n; i++) {
		const struct node *n = &l.v[i];
		touch(n->id), touch(n->hostname), touch(n->role), touch(n->availability);
		touch(n->state), touch(n->addr), touch(n->engine_version);
		touch_labels(&n->labels);
	}
	node_list_clear(&l);
}

static void stats(const char *body, size_t len)
{
	struct stats_sample s;
	char *err = NULL;
	int r = decode_stats(body, len, &s, &err);
	check_result(r, &err);
	if (r == 0) {
		touch(s.id), touch(s.name);
		double cpu = stats_cpu_percent(&s);
		uint64_t used = stats_mem_used(&s);
		double mem = stats_mem_percent(&s);
		require(cpu == cpu && cpu >= 0, "CPU % is negative or NaN");
		require(used <= s.mem_usage, "memory in use above the usage reported");
		require(mem == mem && mem >= 0, "memory % is negative or NaN");
		/* Limits as a service's spec may hold them, taken from the sample itself. */
		stats_cpu_percent_of_limit(cpu, (int64_t)s.cpu_total);
		stats_mem_percent_of_limit(used, (int64_t)s.mem_limit);
	}
	stats_sample_clear(&s);
}

static void events(const char *body, size_t len)
{
	/* As tui/app.c splits the stream: one event per line, empty lines skipped. */
	while (len > 0) {
		const char *nl = memchr(body, '\n', len);
		size_t n = nl ? (size_t)(nl - body) : len;
		if (n > 0) {
			struct event e;
			char *err = NULL;
			int r = decode_event(body, n, &e, &err);
			check_result(r, &err);
			if (r == 0) {
				touch(e.type), touch(e.action), touch(e.actor_id), touch(e.scope);
				touch_labels(&e.attributes);
			}
			event_clear(&e);
		}
		if (!nl)
			break;
		body += n + 1;
		len -= n + 1;
	}
}

static void info(const char *body, size_t len)
{
	struct engine_info i;
	char *err = NULL;
	int r = decode_info(body, len, &i, &err);
	check_result(r, &err);
	if (r == 0) {
		touch(i.node_id), touch(i.local_node_state), touch(i.name), touch(i.server_version);
		require(!i.node_id || *i.node_id, "an empty Swarm.NodeID must become NULL");
	}
	engine_info_clear(&i);
}

static void container(const char *body, size_t len)
{
	struct container_state c;
	char *err = NULL;
	int r = decode_container_state(body, len, &c, &err);
	check_result(r, &err);
	if (r == 0)
		touch(c.status), touch(c.error);
	container_state_clear(&c);
}

static void configs(const char *body, size_t len)
{
	struct config_list l;
	char *err = NULL;
	int r = decode_configs(body, len, &l, &err);
	check_result(r, &err);
	if (r)
		require(l.v == NULL && l.n == 0, "a failed decoder left configs behind");
	for (size_t i = 0; i < l.n; i++) {
		const struct swarm_config *c = &l.v[i];
		touch(c->id), touch(c->name);
		touch_labels(&c->labels);
		require(c->data != NULL && c->data[c->data_len] == '\0', "config data not terminated");
	}
	config_list_clear(&l);
}

static void digest(const char *body, size_t len)
{
	char *d = NULL, *err = NULL;
	int r = decode_distribution_digest(body, len, &d, &err);
	check_result(r, &err);
	require(r == 0 ? d != NULL : d == NULL, "digest and result disagree");
	touch(d);
	free(d);
}

static void created(const char *body, size_t len)
{
	char *id = NULL, *warnings = NULL, *err = NULL;
	int r = decode_created(body, len, &id, &warnings, &err);
	check_result(r, &err);
	require(r == 0 ? id != NULL : id == NULL && warnings == NULL, "id and result disagree");
	touch(id), touch(warnings);
	free(id);
	free(warnings);
	/* Without a place for the warnings. */
	r = decode_created(body, len, &id, NULL, &err);
	check_result(r, &err);
	free(id);
}

static void error_body(const char *body, size_t len)
{
	char *msg = decode_error_message(body, len);
	touch(msg);
	free(msg);
}

static void rfc3339(const char *body, size_t len)
{
	char *s = xstrndup(body, len);
	int64_t t = decode_time(s);
	require(t >= -1, "decode_time below -1");
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const decoders[N_DECODERS])(const char *, size_t) = {
		services, tasks, nodes, stats, events, info, container, configs, digest, created,
		error_body, rfc3339,
	};

	if (size == 0)
		return 0;
	/* A copy of exactly the body, so that ASan sees any read past its end. */
	size_t len = size - 1;
	char *body = xmalloc(len ? len : 1);
	memcpy(body, data + 1, len);
	decoders[(unsigned char)(data[0] - 'a') % N_DECODERS](body, len);
	free(body);
	return 0;
}
