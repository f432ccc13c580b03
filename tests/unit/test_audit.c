/* audit.h: records as JSON both ways, their swarm config name, labels and body, and the log
 * read back from configs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"
#include "api/swarm/audit.h"

#define TIME_ISO "2026-11-22T08:11:44Z"
#define TIME_UNIX INT64_C(1795335104)

static void sample(struct audit_record *r)
{
	memset(r, 0, sizeof *r);
	r->who = xstrdup("carol");
	r->action = AUDIT_RM;
	r->target = xstrdup("alice-analysis-3f2a");
	r->target_id = xstrdup("z8ze1yciyxmx2fc9fjop7ak2t");
	r->owner = xstrdup("alice");
	r->reason = xstrdup("stuck for 3 days, asked by the data steward — ticket #42 «ü»");
	r->detail = NULL;
	r->time = TIME_UNIX;
	r->host = xstrdup("gateway-1.example.org");
	r->glovebox_version = xstrdup("0.1.0");
}

static void assert_same(const struct audit_record *a, const struct audit_record *b)
{
	assert_string_equal(a->who, b->who);
	assert_int_equal(a->action, b->action);
	assert_string_equal(a->target, b->target);
	assert_string_equal(a->target_id, b->target_id);
	if (a->owner)
		assert_string_equal(a->owner, b->owner);
	else
		assert_null(b->owner);
	if (a->reason)
		assert_string_equal(a->reason, b->reason);
	else
		assert_null(b->reason);
	if (a->detail)
		assert_string_equal(a->detail, b->detail);
	else
		assert_null(b->detail);
	assert_int_equal(a->time, b->time);
	assert_string_equal(a->host, b->host);
	assert_string_equal(a->glovebox_version, b->glovebox_version);
}

static void test_action_names(void **state)
{
	(void)state;
	const char *names[] = {"rm", "scale", "pause-node", "activate-node", "drain-node", "reap",
	                       "publish-policy"};
	assert_int_equal(sizeof names / sizeof names[0], AUDIT_N);
	for (int i = 0; i < AUDIT_N; i++) {
		enum audit_action a;
		assert_string_equal(audit_action_name((enum audit_action)i), names[i]);
		assert_int_equal(audit_action_parse(names[i], &a), 0);
		assert_int_equal(a, i);
	}
	enum audit_action a;
	assert_int_equal(audit_action_parse("delete", &a), -1);
	assert_int_equal(audit_action_parse(NULL, &a), -1);
	assert_int_equal(audit_action_parse("RM", &a), -1);
	assert_true(audit_action_on_node(AUDIT_DRAIN_NODE));
	assert_true(audit_action_on_node(AUDIT_PAUSE_NODE));
	assert_false(audit_action_on_node(AUDIT_REAP));
	assert_false(audit_action_on_node(AUDIT_SCALE));
}

static void test_round_trip(void **state)
{
	(void)state;
	struct audit_record r, back;
	sample(&r);
	char *json = audit_to_json(&r);
	assert_non_null(json);
	char *err = NULL;
	assert_int_equal(audit_from_json(json, strlen(json), &back, &err), 0);
	assert_same(&r, &back);
	audit_clear(&back);
	free(json);

	/* Optional fields as null; a node action. */
	free(r.owner);
	free(r.reason);
	r.owner = r.reason = NULL;
	r.action = AUDIT_PAUSE_NODE;
	r.detail = xstrdup("availability active -> pause");
	json = audit_to_json(&r);
	assert_non_null(json);
	assert_int_equal(audit_from_json(json, strlen(json), &back, &err), 0);
	assert_same(&r, &back);
	audit_clear(&back);
	free(json);
	audit_clear(&r);
}

static void test_json_keys(void **state)
{
	(void)state;
	struct audit_record r;
	sample(&r);
	char *json = audit_to_json(&r);
	json_t *o = json_loads(json, 0, NULL);
	assert_true(json_is_object(o));
	const char *keys[] = {"who", "action", "target", "target_id", "owner", "reason", "detail",
	                      "time", "host", "glovebox_version"};
	assert_int_equal(json_object_size(o), sizeof keys / sizeof keys[0]);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		assert_non_null(json_object_get(o, keys[i]));
	assert_string_equal(json_string_value(json_object_get(o, "time")), TIME_ISO);
	assert_string_equal(json_string_value(json_object_get(o, "action")), "rm");
	assert_true(json_is_null(json_object_get(o, "detail")));
	json_decref(o);
	free(json);
	audit_clear(&r);
}

/* audit_to_json refuses r; the string field is replaced by value (owned by r afterwards). */
static void assert_refused(struct audit_record *r)
{
	char *json = audit_to_json(r);
	assert_null(json);
}

static void test_refuses_bad_records(void **state)
{
	(void)state;
	struct audit_record r;
#define REFUSE(field, value) do { sample(&r); free(r.field); r.field = value; assert_refused(&r); audit_clear(&r); } while (0)
	REFUSE(who, NULL);
	REFUSE(who, xstrdup(""));
	REFUSE(who, xstrdup("bob\nroot"));
	REFUSE(target, NULL);
	REFUSE(target_id, xstrdup(""));
	REFUSE(target, xstrdup("job\xff"));          /* not UTF-8 */
	REFUSE(owner, xstrdup("al\x1b[31mice"));      /* a control character */
	REFUSE(reason, xstrdup(""));
	REFUSE(reason, xstrdup("   "));
	REFUSE(reason, xstrdup("two\nlines"));
	REFUSE(reason, xstrdup("tab\there"));
	REFUSE(detail, xstrdup("a\rb"));
	REFUSE(host, NULL);
	REFUSE(glovebox_version, xstrdup(""));
#undef REFUSE
	char *long_reason = xmalloc(AUDIT_REASON_MAX + 2);
	memset(long_reason, 'x', AUDIT_REASON_MAX + 1);
	long_reason[AUDIT_REASON_MAX + 1] = '\0';
	sample(&r);
	free(r.reason);
	r.reason = long_reason;
	assert_refused(&r);
	long_reason[AUDIT_REASON_MAX] = '\0';   /* exactly the maximum is fine */
	char *json = audit_to_json(&r);
	assert_non_null(json);
	free(json);
	audit_clear(&r);

	sample(&r);
	r.time = -1;
	assert_refused(&r);
	r.time = INT64_C(253402300800);
	assert_refused(&r);
	r.action = AUDIT_N;
	r.time = TIME_UNIX;
	assert_refused(&r);
	audit_clear(&r);
}

static void test_reason_check(void **state)
{
	(void)state;
	char *err = NULL;
	assert_int_equal(audit_reason_check("user asked by mail", &err), 0);
	assert_int_equal(audit_reason_check("Zoë bat 日本語 🧪", &err), 0);
	assert_int_equal(audit_reason_check(NULL, &err), -1);
	assert_non_null(strstr(err, "empty"));
	free(err);
	err = NULL;
	assert_int_equal(audit_reason_check(" \t", &err), -1);
	free(err);
	err = NULL;
	assert_int_equal(audit_reason_check("a\nb", &err), -1);
	assert_non_null(strstr(err, "one line"));
	free(err);
	err = NULL;
	assert_int_equal(audit_reason_check("bad \xc3\x28", &err), -1);
	assert_non_null(strstr(err, "UTF-8"));
	free(err);
	err = NULL;
	assert_int_equal(audit_reason_check("esc \x1b]0;x\x07", NULL), -1);
}

static void assert_parse_fails(const char *json, const char *needle)
{
	struct audit_record r;
	char *err = NULL;
	assert_int_equal(audit_from_json(json, strlen(json), &r, &err), -1);
	assert_non_null(err);
	if (!strstr(err, needle))
		fail_msg("error \"%s\" lacks \"%s\"", err, needle);
	free(err);
}

#define GOOD_TAIL "\"target\":\"j\",\"target_id\":\"i\",\"owner\":null,\"reason\":null,\"detail\":null," \
                  "\"host\":\"h\",\"glovebox_version\":\"1\""

static void test_parse_errors(void **state)
{
	(void)state;
	assert_parse_fails("", "not valid JSON");
	assert_parse_fails("[]", "not a JSON object");
	assert_parse_fails("{\"action\":\"rm\",\"time\":\"" TIME_ISO "\"," GOOD_TAIL "}", "\"who\" is missing");
	assert_parse_fails("{\"who\":1,\"action\":\"rm\",\"time\":\"" TIME_ISO "\"," GOOD_TAIL "}", "\"who\" must be a string");
	assert_parse_fails("{\"who\":\"a\",\"action\":\"nuke\",\"time\":\"" TIME_ISO "\"," GOOD_TAIL "}", "unknown action");
	assert_parse_fails("{\"who\":\"a\",\"action\":\"rm\",\"time\":\"2026-02-30T00:00:00Z\"," GOOD_TAIL "}", "not UTC ISO 8601");
	assert_parse_fails("{\"who\":\"a\",\"action\":\"rm\",\"time\":\"2026-11-22T08:11:44+01:00\"," GOOD_TAIL "}", "not UTC ISO 8601");
	assert_parse_fails("{\"who\":\"a\",\"who\":\"b\",\"action\":\"rm\",\"time\":\"" TIME_ISO "\"," GOOD_TAIL "}", "not valid JSON");
	assert_parse_fails("{\"who\":\"a\",\"action\":\"rm\",\"time\":\"" TIME_ISO "\",\"target\":\"j\",\"target_id\":\"i\","
	                   "\"owner\":3,\"reason\":null,\"detail\":null,\"host\":\"h\",\"glovebox_version\":\"1\"}",
	                   "\"owner\" must be a string or null");
	assert_parse_fails("{\"who\":\"a\",\"action\":\"rm\",\"time\":\"" TIME_ISO "\",\"target\":\"j\",\"target_id\":\"i\","
	                   "\"owner\":null,\"reason\":\"x\\ny\",\"detail\":null,\"host\":\"h\",\"glovebox_version\":\"1\"}",
	                   "reason");
	/* Optional keys must still be there (as null): a record says everything or nothing. */
	assert_parse_fails("{\"who\":\"a\",\"action\":\"rm\",\"time\":\"" TIME_ISO "\",\"target\":\"j\",\"target_id\":\"i\","
	                   "\"host\":\"h\",\"glovebox_version\":\"1\"}", "\"owner\" is missing");

	struct audit_record r;
	const char *ok = "{\"who\":\"a\",\"action\":\"reap\",\"time\":\"" TIME_ISO "\"," GOOD_TAIL "}";
	assert_int_equal(audit_from_json(ok, strlen(ok), &r, NULL), 0);
	assert_int_equal(r.action, AUDIT_REAP);
	assert_int_equal(r.time, TIME_UNIX);
	audit_clear(&r);
}

static bool name_ok(const char *name)
{
	if (strlen(name) > 64)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '.' || *p == '-'))
			return false;
	return true;
}

static void test_config_name(void **state)
{
	(void)state;
	struct audit_record r;
	sample(&r);
	char *name = audit_config_name(&r);
	assert_true(name_ok(name));
	assert_true(strncmp(name, "glovebox-audit-1795335104-rm-alice-analysis-3f2a-", 49) == 0);
	assert_int_equal(strlen(name), 49 + 8);
	/* Same record, same name; a different reason, another name. */
	char *again = audit_config_name(&r);
	assert_string_equal(name, again);
	free(again);
	free(r.reason);
	r.reason = xstrdup("another reason");
	again = audit_config_name(&r);
	assert_string_not_equal(name, again);
	assert_true(strncmp(name, again, 49) == 0);
	free(again);
	free(name);

	/* Characters outside the set become '-', a long target gives way, the hash stays. */
	free(r.target);
	r.target = xstrdup("Zoë's job/with spaces and a very long name that goes on and on and on");
	r.action = AUDIT_ACTIVATE_NODE;
	name = audit_config_name(&r);
	assert_true(name_ok(name));
	assert_int_equal(strlen(name), 64);
	assert_true(strncmp(name, "glovebox-audit-1795335104-activate-node-Zo---s-job-", 51) == 0);
	const char *tail = name + 64 - 9;
	assert_int_equal(tail[0], '-');
	for (int i = 1; i < 9; i++)
		assert_true((tail[i] >= '0' && tail[i] <= '9') || (tail[i] >= 'a' && tail[i] <= 'f'));
	free(name);
	audit_clear(&r);
}

static void test_config_body(void **state)
{
	(void)state;
	struct audit_record r, back;
	sample(&r);
	char *name = NULL;
	char *body = audit_config_body(&r, &name);
	assert_non_null(body);
	char *expect = audit_config_name(&r);
	assert_string_equal(name, expect);
	free(expect);

	json_t *o = json_loads(body, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(o, "Name")), name);
	json_t *labels = json_object_get(o, "Labels");
	assert_string_equal(json_string_value(json_object_get(labels, "glovebox.audit")), "1");
	assert_string_equal(json_string_value(json_object_get(labels, "glovebox.actor")), "carol");
	assert_string_equal(json_string_value(json_object_get(labels, "glovebox.action")), "rm");
	assert_string_equal(json_string_value(json_object_get(labels, "glovebox.target")), "alice-analysis-3f2a");
	assert_string_equal(json_string_value(json_object_get(labels, "glovebox.target-owner")), "alice");
	gsize len;
	guchar *data = g_base64_decode(json_string_value(json_object_get(o, "Data")), &len);
	assert_int_equal(audit_from_json((const char *)data, len, &back, NULL), 0);
	assert_same(&r, &back);
	audit_clear(&back);
	g_free(data);
	json_decref(o);
	free(body);
	free(name);

	/* No owner: no target-owner label. */
	free(r.owner);
	r.owner = NULL;
	body = audit_config_body(&r, &name);
	o = json_loads(body, 0, NULL);
	assert_null(json_object_get(json_object_get(o, "Labels"), "glovebox.target-owner"));
	json_decref(o);
	free(body);
	free(name);

	/* A record that would not read back is not stored. */
	free(r.who);
	r.who = NULL;
	name = NULL;
	assert_null(audit_config_body(&r, &name));
	assert_null(name);
	audit_clear(&r);
}

/* A config holding the record r at time t (the record's time) and creation c. */
static void add_config(struct config_list *l, const char *name, int64_t t, int64_t created, const char *who,
                       const char *owner)
{
	struct audit_record r;
	sample(&r);
	r.time = t;
	free(r.who);
	r.who = xstrdup(who);
	free(r.owner);
	r.owner = xstrdup(owner);
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	struct swarm_config *c = &l->v[l->n++];
	memset(c, 0, sizeof *c);
	c->name = xstrdup(name);
	c->data = audit_to_json(&r);
	c->data_len = strlen(c->data);
	c->created_ns = created;
	audit_clear(&r);
}

static void sample_log(struct audit_log *log)
{
	struct config_list l = {0};
	add_config(&l, "c-old", TIME_UNIX - 100, 5, "carol", "alice");
	add_config(&l, "c-new", TIME_UNIX + 100, 1, "alice", "alice");
	add_config(&l, "c-mid-b", TIME_UNIX, 2, "carol", "bob");
	add_config(&l, "c-mid-a", TIME_UNIX, 2, "bob", NULL);
	/* Labelled as a record, but not one. */
	l.v = xreallocarray(l.v, l.n + 1, sizeof *l.v);
	memset(&l.v[l.n], 0, sizeof l.v[l.n]);
	l.v[l.n].name = xstrdup("c-forged");
	l.v[l.n].data = xstrdup("{\"who\":\"mallory\"}");
	l.v[l.n].data_len = strlen(l.v[l.n].data);
	l.n++;
	audit_log_from_configs(&l, log);
	config_list_clear(&l);
}

static void test_log(void **state)
{
	(void)state;
	struct audit_log log;
	sample_log(&log);
	assert_int_equal(log.n, 4);
	assert_int_equal(log.unreadable, 1);
	/* Newest first; equal times by creation, then by name. */
	assert_string_equal(log.v[0].config, "c-new");
	assert_string_equal(log.v[1].config, "c-mid-a");
	assert_string_equal(log.v[2].config, "c-mid-b");
	assert_string_equal(log.v[3].config, "c-old");

	struct actor admin = {"carol", ROLE_ADMIN};
	audit_log_filter(&log, &admin);
	assert_int_equal(log.n, 4);
	audit_log_clear(&log);

	/* alice: the record she made, and those about her jobs. */
	sample_log(&log);
	struct actor alice = {"alice", ROLE_RESEARCHER};
	audit_log_filter(&log, &alice);
	assert_int_equal(log.n, 2);
	assert_string_equal(log.v[0].config, "c-new");
	assert_string_equal(log.v[1].config, "c-old");
	audit_log_clear(&log);

	/* bob: only his own record; carol's about his job too. */
	sample_log(&log);
	struct actor bob = {"bob", ROLE_RESEARCHER};
	audit_log_filter(&log, &bob);
	assert_int_equal(log.n, 2);
	assert_string_equal(log.v[0].config, "c-mid-a");
	assert_string_equal(log.v[1].config, "c-mid-b");
	audit_log_clear(&log);

	struct config_list none = {0};
	audit_log_from_configs(&none, &log);
	assert_int_equal(log.n, 0);
	audit_log_clear(&log);
}

static void test_log_json(void **state)
{
	(void)state;
	struct audit_log log;
	sample_log(&log);
	char *text = audit_log_json(&log, false, true);
	for (const char *p = text; *p; p++)
		assert_true((unsigned char)*p < 0x80);
	json_t *arr = json_loads(text, 0, NULL);
	assert_int_equal(json_array_size(arr), 4);
	json_t *first = json_array_get(arr, 0);
	assert_string_equal(json_string_value(json_object_get(first, "config")), "c-new");
	assert_string_equal(json_string_value(json_object_get(first, "who")), "alice");
	assert_string_equal(json_string_value(json_object_get(first, "reason")),
	                    "stuck for 3 days, asked by the data steward — ticket #42 «ü»");
	assert_string_equal(json_string_value(json_object_get(first, "time")), "2026-11-22T08:13:24Z");
	assert_true(json_is_null(json_object_get(json_array_get(arr, 1), "owner")));
	json_decref(arr);
	free(text);
	audit_log_clear(&log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_action_names),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_json_keys),
		cmocka_unit_test(test_refuses_bad_records),
		cmocka_unit_test(test_reason_check),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_config_name),
		cmocka_unit_test(test_config_body),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_log_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
