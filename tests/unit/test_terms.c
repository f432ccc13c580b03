/* terms.h: SHA-256, acceptance records as JSON, their swarm config name and labels, and the
 * line diff shown when the terms change. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"
#include "api/core/terms.h"

#define TERMS "Data-use terms, version 3.\nDo not copy données out of the swarm. 🔒\n"
#define TIME_ISO "2026-11-22T08:11:44Z"
#define TIME_UNIX INT64_C(1795335104)

/* ---- SHA-256 ---- */

static void assert_sha(const char *data, size_t len, const char *want)
{
	char *got = sha256_hex(data, len);
	assert_string_equal(got, want);
	free(got);
}

static void test_sha256_vectors(void **state)
{
	(void)state;
	/* FIPS 180-2 examples. */
	assert_sha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_sha(NULL, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	assert_sha(two, strlen(two), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* Length counts, not the NUL: the hash is of the exact bytes. */
	assert_sha("abc\0", 4, "dc1114cd074914bd872cc1f9a23ec910ea2203bc79779ab2e17da25782a624fc");
}

static void test_sha256_one_mib(void **state)
{
	(void)state;
	size_t n = (size_t)1 << 20;
	char *buf = xmalloc(n);
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(unsigned char)(i % 251);
	/* python3 -c 'import sys; sys.stdout.buffer.write(bytes(i%251 for i in range(1<<20)))' | sha256sum */
	assert_sha(buf, n, "631b84027d6b9e52b539c4e8373622d23032dfadc64d60af87339c9037e4f769");
	free(buf);
}

/* ---- records ---- */

/* A valid record whose strings are owned by the caller's consent_clear(). */
static void sample(struct consent *c)
{
	memset(c, 0, sizeof *c);
	c->user = xstrdup("zoë");
	c->terms_version = xstrdup("3");
	c->terms_text = xstrdup(TERMS);
	c->terms_sha256 = sha256_hex(TERMS, strlen(TERMS));
	c->n_datasets = 2;
	c->datasets = xcalloc(2, sizeof *c->datasets);
	c->datasets[0] = xstrdup("cohort-ü");
	c->datasets[1] = xstrdup("mri-2024");
	c->class_name = xstrdup("gpu");
	c->purpose = xstrdup("Train the \"baseline\" model \\ check C:\\data — 日本語");
	c->time = TIME_UNIX;
	c->host = xstrdup("login-1.example.org");
	c->glovebox_version = xstrdup("0.1.0");
}

static void assert_same(const struct consent *a, const struct consent *b)
{
	assert_string_equal(a->user, b->user);
	assert_string_equal(a->terms_version, b->terms_version);
	assert_string_equal(a->terms_sha256, b->terms_sha256);
	assert_string_equal(a->terms_text, b->terms_text);
	assert_int_equal(a->n_datasets, b->n_datasets);
	for (size_t i = 0; i < a->n_datasets; i++)
		assert_string_equal(a->datasets[i], b->datasets[i]);
	assert_string_equal(a->class_name, b->class_name);
	assert_string_equal(a->purpose, b->purpose);
	assert_int_equal(a->time, b->time);
	assert_string_equal(a->host, b->host);
	assert_string_equal(a->glovebox_version, b->glovebox_version);
}

static void test_json_round_trip(void **state)
{
	(void)state;
	struct consent c, back = {0};
	sample(&c);
	char *json = consent_to_json(&c), *err = NULL;
	assert_non_null(json);

	/* The time is written as UTC ISO 8601, with the keys the header names. */
	json_t *doc = json_loads(json, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "time")), TIME_ISO);
	assert_string_equal(json_string_value(json_object_get(doc, "class")), "gpu");
	assert_int_equal(json_object_size(doc), 10);
	json_decref(doc);

	if (consent_from_json(json, strlen(json), &back, &err) != 0)
		fail_msg("%s", err);
	assert_null(err);
	assert_same(&c, &back);

	/* Again from the parsed copy: the text is stable. */
	char *again = consent_to_json(&back);
	assert_string_equal(json, again);
	free(again);
	free(json);
	consent_clear(&back);
	consent_clear(&c);
	assert_null(c.user);
	assert_int_equal(c.n_datasets, 0);
}

static void test_json_round_trip_no_datasets(void **state)
{
	(void)state;
	struct consent c, back = {0};
	sample(&c);
	for (size_t i = 0; i < c.n_datasets; i++)
		free(c.datasets[i]);
	free(c.datasets);
	c.datasets = NULL;
	c.n_datasets = 0;
	c.time = 0;
	char *json = consent_to_json(&c), *err = NULL;
	assert_non_null(json);
	assert_non_null(strstr(json, "\"1970-01-01T00:00:00Z\""));
	assert_int_equal(consent_from_json(json, strlen(json), &back, &err), 0);
	assert_same(&c, &back);
	free(json);
	consent_clear(&back);
	consent_clear(&c);
}

/* The sample record as a jansson object, to take apart. */
static json_t *sample_doc(void)
{
	struct consent c;
	sample(&c);
	char *json = consent_to_json(&c);
	assert_non_null(json);
	json_t *doc = json_loads(json, 0, NULL);
	assert_non_null(doc);
	free(json);
	consent_clear(&c);
	return doc;
}

/* Parsing must fail, leave *out as it was, and give a message containing want. */
static void assert_rejects_text(const char *json, size_t len, const char *want)
{
	struct consent out = {0};
	out.time = 42;
	char *err = NULL;
	if (consent_from_json(json, len, &out, &err) == 0)
		fail_msg("accepted: %s", json);
	assert_non_null(err);
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not contain \"%s\"", err, want);
	assert_null(out.user);
	assert_int_equal(out.time, 42);
	free(err);
	/* A NULL err is allowed. */
	assert_int_equal(consent_from_json(json, len, &out, NULL), -1);
}

static void assert_rejects(json_t *doc, const char *want)
{
	char *json = json_dumps(doc, 0);
	assert_non_null(json);
	assert_rejects_text(json, strlen(json), want);
	free(json);
	json_decref(doc);
}

static const char *const keys[] = {
	"user", "terms_version", "terms_sha256", "terms_text", "datasets", "class",
	"purpose", "time", "host", "glovebox_version",
};

static void test_from_json_missing_keys(void **state)
{
	(void)state;
	char want[64];
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		json_t *doc = sample_doc();
		json_object_del(doc, keys[i]);
		snprintf(want, sizeof want, "\"%s\" is missing", keys[i]);
		assert_rejects(doc, want);
	}
}

static void test_from_json_wrong_types(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		json_t *doc = sample_doc();
		json_object_set_new(doc, keys[i], json_integer(1));
		assert_rejects(doc, keys[i]);
		doc = sample_doc();
		json_object_set_new(doc, keys[i], json_null());
		assert_rejects(doc, keys[i]);
	}
	json_t *doc = sample_doc();
	json_object_set_new(doc, "datasets", json_string("mri"));
	assert_rejects(doc, "\"datasets\" must be an array of strings");
	doc = sample_doc();
	json_array_append_new(json_object_get(doc, "datasets"), json_true());
	assert_rejects(doc, "datasets[2] must be a string");
	doc = sample_doc();
	json_object_set_new(doc, "time", json_integer(TIME_UNIX));
	assert_rejects(doc, "\"time\" must be a string");

	assert_rejects_text("[]", 2, "not a JSON object");
	assert_rejects_text("\"x\"", 3, "not valid JSON");   /* jansson wants an object or array */
}

static void test_from_json_bad_time(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "2026-11-22", "2026-11-22 08:11:44Z", "2026-11-22T08:11:44",
		"2026-11-22T08:11:44+00:00", "2026-11-22T08:11:44.5Z", "2026-11-22t08:11:44z",
		"2026-1-22T08:11:44Z", "+026-11-22T08:11:44Z", "2026-11-22T08:11:4xZ",
		"2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
		"2026-00-10T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-22T24:00:00Z",
		"2026-11-22T08:60:00Z", "2026-11-22T08:11:60Z", "1969-12-31T23:59:59Z",
		"0000-01-01T00:00:00Z", " 2026-11-22T08:11:44Z", "2026-11-22T08:11:44Z ",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *doc = sample_doc();
		json_object_set_new(doc, "time", json_string(bad[i]));
		assert_rejects(doc, "is not UTC ISO 8601");
	}

	static const struct { const char *iso; int64_t t; } good[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2024-02-29T12:00:00Z", INT64_C(1709208000) },
		{ TIME_ISO, TIME_UNIX },
		{ "9999-12-31T23:59:59Z", INT64_C(253402300799) },
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		json_t *doc = sample_doc();
		json_object_set_new(doc, "time", json_string(good[i].iso));
		char *json = json_dumps(doc, 0), *err = NULL;
		struct consent c = {0};
		if (consent_from_json(json, strlen(json), &c, &err) != 0)
			fail_msg("%s: %s", good[i].iso, err);
		assert_int_equal(c.time, good[i].t);
		consent_clear(&c);
		free(json);
		json_decref(doc);
	}
}

static void test_from_json_rejects_what_is_not_a_record(void **state)
{
	(void)state;
	json_t *doc = sample_doc();
	json_object_set_new(doc, "terms_text", json_string(TERMS "and one more line\n"));
	assert_rejects(doc, "terms_sha256 is not the SHA-256 of terms_text");

	doc = sample_doc();
	char *upper = xstrdup(json_string_value(json_object_get(doc, "terms_sha256")));
	for (char *p = upper; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	json_object_set_new(doc, "terms_sha256", json_string(upper));
	free(upper);
	assert_rejects(doc, "64 lowercase hex digits");

	doc = sample_doc();
	json_object_set_new(doc, "terms_sha256", json_string("abc"));
	assert_rejects(doc, "64 lowercase hex digits");

	doc = sample_doc();
	json_object_set_new(doc, "purpose", json_string("line one\nline two"));
	assert_rejects(doc, "purpose must be one line");
	doc = sample_doc();
	json_object_set_new(doc, "purpose", json_string("line one\r"));
	assert_rejects(doc, "purpose must be one line");
	doc = sample_doc();
	json_object_set_new(doc, "purpose", json_string(" \t "));
	assert_rejects(doc, "purpose is empty");
	doc = sample_doc();
	json_object_set_new(doc, "user", json_string(""));
	assert_rejects(doc, "user is empty");

	assert_rejects_text("", 0, "not valid JSON");
	assert_rejects_text("{", 1, "not valid JSON");
	assert_rejects_text("{}x", 3, "not valid JSON");
	/* jansson refuses invalid UTF-8 and NUL characters: every text field is a C string. */
	assert_rejects_text("{\"user\":\"\xff\"}", strlen("{\"user\":\"\xff\"}"), "not valid JSON");
	assert_rejects_text("{\"user\":\"a\\u0000b\"}", strlen("{\"user\":\"a\\u0000b\"}"), "not valid JSON");

	/* The same key twice would make the record say two things. */
	doc = sample_doc();
	char *json = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	char *dup = xasprintf("{\"user\":\"mallory\",%s", json + 1);
	assert_rejects_text(dup, strlen(dup), "not valid JSON");
	free(dup);

	/* Only len bytes are read. */
	struct consent c = {0};
	char *err = NULL;
	char *padded = xasprintf("%s garbage", json);
	assert_int_equal(consent_from_json(padded, strlen(json), &c, &err), 0);
	consent_clear(&c);
	free(padded);
	free(json);
}

static void test_to_json_refuses_what_is_not_a_record(void **state)
{
	(void)state;
	struct consent c;
	char *saved;

	sample(&c);
	saved = c.purpose;
	c.purpose = (char *)"first line\nsecond line";
	assert_null(consent_to_json(&c));
	c.purpose = (char *)"";
	assert_null(consent_to_json(&c));
	c.purpose = (char *)"bad UTF-8 \xc3\x28";
	assert_null(consent_to_json(&c));
	c.purpose = NULL;
	assert_null(consent_to_json(&c));
	c.purpose = saved;

	c.time = -1;
	assert_null(consent_to_json(&c));
	c.time = TIME_UNIX;

	saved = c.datasets[1];
	c.datasets[1] = NULL;
	assert_null(consent_to_json(&c));
	c.datasets[1] = saved;

	saved = c.terms_sha256;
	c.terms_sha256 = (char *)"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	assert_null(consent_to_json(&c));
	c.terms_sha256 = saved;

	/* Swarm configs hold less than 1,024,000 bytes. */
	size_t n = 1024000;
	char *big = xmalloc(n + 1);
	memset(big, 'x', n);
	big[n] = '\0';
	free(c.terms_text);
	free(c.terms_sha256);
	c.terms_text = big;
	c.terms_sha256 = sha256_hex(big, n);
	assert_null(consent_to_json(&c));
	big[n - 2000] = '\0';
	free(c.terms_sha256);
	c.terms_sha256 = sha256_hex(big, strlen(big));
	char *json = consent_to_json(&c);
	assert_non_null(json);
	assert_true(strlen(json) < 1024000);
	free(json);
	consent_clear(&c);
}

/* ---- swarm config ---- */

static void assert_config_name(const char *name)
{
	size_t len = strlen(name);
	assert_true(len > 0 && len <= 64);
	for (size_t i = 0; i < len; i++) {
		char ch = name[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
			  || (i > 0 && (ch == '_' || ch == '.' || ch == '-'));
		if (!ok)
			fail_msg("\"%s\": character %zu not allowed", name, i);
	}
}

static void test_config_name(void **state)
{
	(void)state;
	struct consent c = {0};
	c.user = (char *)"alice";
	c.terms_sha256 = (char *)"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	c.time = TIME_UNIX;
	char *name = consent_config_name(&c);
	assert_string_equal(name, "glovebox-consent-alice-1795335104-ba7816bf");
	free(name);

	static const struct { const char *user; const char *want; } odd[] = {
		{ "j.doe_2", "glovebox-consent-j.doe_2-1795335104-ba7816bf" },
		{ "zoë", "glovebox-consent-zo---1795335104-ba7816bf" },
		{ "a b/c@d:e", "glovebox-consent-a-b-c-d-e-1795335104-ba7816bf" },
		{ "DOMAIN\\user", "glovebox-consent-DOMAIN-user-1795335104-ba7816bf" },
		{ "", "glovebox-consent--1795335104-ba7816bf" },
		/* 64 - 17 - 20 = 27 characters of user are left. */
		{ "averyveryverylongusername_from_ldap_of_some_institute",
		  "glovebox-consent-averyveryverylongusername_f-1795335104-ba7816bf" },
	};
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		c.user = (char *)odd[i].user;
		name = consent_config_name(&c);
		assert_config_name(name);
		assert_string_equal(name, odd[i].want);
		free(name);
	}

	/* The time and the hash are never cut, whatever the user. */
	char user[300];
	memset(user, 0xe2, sizeof user - 1);
	user[sizeof user - 1] = '\0';
	c.user = user;
	c.time = INT64_MAX;
	name = consent_config_name(&c);
	assert_config_name(name);
	assert_int_equal(strlen(name), 64);
	assert_string_equal(name, "glovebox-consent--------------------9223372036854775807-ba7816bf");
	free(name);

	c.user = NULL;
	c.terms_sha256 = NULL;
	c.time = 0;
	name = consent_config_name(&c);
	assert_config_name(name);
	assert_string_equal(name, "glovebox-consent--0-");
	free(name);
}

static void test_config_labels(void **state)
{
	(void)state;
	struct consent c;
	sample(&c);
	char *labels = consent_config_labels(&c);
	assert_non_null(labels);
	json_t *o = json_loads(labels, 0, NULL);
	assert_non_null(o);
	assert_true(json_is_object(o));
	assert_int_equal(json_object_size(o), 4);
	assert_string_equal(json_string_value(json_object_get(o, "glovebox.consent")), "1");
	assert_string_equal(json_string_value(json_object_get(o, "glovebox.user")), "zoë");
	assert_string_equal(json_string_value(json_object_get(o, "glovebox.terms-sha256")), c.terms_sha256);
	assert_string_equal(json_string_value(json_object_get(o, "glovebox.terms-version")), "3");
	json_decref(o);
	free(labels);

	/* Labels are strings: a missing or non-UTF-8 value gives no labels at all. */
	char *saved = c.terms_version;
	c.terms_version = NULL;
	assert_null(consent_config_labels(&c));
	c.terms_version = saved;
	saved = c.user;
	c.user = (char *)"\xff";
	assert_null(consent_config_labels(&c));
	c.user = saved;
	consent_clear(&c);
}

/* ---- diff ---- */

/* ---- consent_find ---- */

/* A config holding c's record, named name, created at ns, labelled for label_user. */
static void config_of(struct swarm_config *cf, const struct consent *c, const char *name,
                      int64_t ns, const char *label_user)
{
	memset(cf, 0, sizeof *cf);
	cf->name = xstrdup(name);
	cf->data = consent_to_json(c);
	assert_non_null(cf->data);
	cf->data_len = strlen(cf->data);
	cf->created_ns = ns;
	cf->labels.v = xcalloc(1, sizeof *cf->labels.v);
	cf->labels.v[0].key = xstrdup("glovebox.user");
	cf->labels.v[0].value = xstrdup(label_user);
	cf->labels.n = 1;
}

static void test_consent_find(void **state)
{
	(void)state;
	struct consent mine, forged;
	sample(&mine);
	sample(&forged);
	free(forged.user);
	forged.user = xstrdup("mallory");
	struct config_list l = {.v = xcalloc(4, sizeof *l.v), .n = 4};
	/* Newest first in the list, and the newest of all is another user's record labelled as
	 * zoë's: its labels say zoë, its data says mallory. */
	config_of(&l.v[0], &forged, "glovebox-consent-forged", 300, "zoë");
	config_of(&l.v[1], &mine, "glovebox-consent-zoe-old", 100, "zoë");
	free(mine.terms_version);
	mine.terms_version = xstrdup("4");
	config_of(&l.v[2], &mine, "glovebox-consent-zoe-new", 200, "zoë");
	l.v[3].name = xstrdup("not-a-record");
	l.v[3].data = xstrdup("{}");
	l.v[3].data_len = 2;

	char *accepted = NULL;
	struct consent last;
	bool has_last = false;
	consent_find(&l, "zoë", mine.terms_sha256, &accepted, &last, &has_last);
	assert_string_equal(accepted, "glovebox-consent-zoe-old");   /* the first of hers in the list */
	assert_true(has_last);
	assert_string_equal(last.user, "zoë");
	assert_string_equal(last.terms_version, "4");                 /* her newest, not the forged one */
	free(accepted);
	consent_clear(&last);

	/* Only the forged record would match mallory's terms: mallory finds it, zoë never does. */
	consent_find(&l, "mallory", forged.terms_sha256, &accepted, &last, &has_last);
	assert_string_equal(accepted, "glovebox-consent-forged");
	free(accepted);
	consent_clear(&last);

	/* Someone with no record. */
	consent_find(&l, "nobody", mine.terms_sha256, &accepted, &last, &has_last);
	assert_null(accepted);
	assert_false(has_last);

	config_list_clear(&l);
	consent_clear(&mine);
	consent_clear(&forged);
}

static void assert_diff(const char *old_text, const char *new_text, int context, const char *want)
{
	char *got = terms_diff(old_text, new_text, context);
	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("diff with context %d:\n--- got\n%s--- want\n%s---", context, got, want);
	free(got);
}

/* "1\n2\n...n\n" with line k replaced by repl[k] where given. */
static char *numbered(int n, const char *const *repl)
{
	size_t cap = (size_t)n * 24 + 1, len = 0;
	char *s = xmalloc(cap);
	s[0] = '\0';
	for (int i = 1; i <= n; i++) {
		const char *r = repl ? repl[i] : NULL;
		len += (size_t)(r ? snprintf(s + len, cap - len, "%s\n", r)
				  : snprintf(s + len, cap - len, "%d\n", i));
	}
	return s;
}

static void test_diff_equal(void **state)
{
	(void)state;
	assert_diff("", "", 3, "");
	assert_diff(NULL, NULL, 3, "");
	assert_diff("a\nb\n", "a\nb\n", 3, "");
	char *t = numbered(100, NULL);
	assert_diff(t, t, 0, "");
	free(t);
}

static void test_diff_one_line_in_the_middle(void **state)
{
	(void)state;
	const char *repl[10] = { [5] = "five" };
	char *a = numbered(9, NULL), *b = numbered(9, repl);
	assert_diff(a, b, 2,
		    "  3\n"
		    "  4\n"
		    "- 5\n"
		    "+ five\n"
		    "  6\n"
		    "  7\n");
	assert_diff(a, b, 0, "- 5\n+ five\n");
	assert_diff(a, b, -4, "- 5\n+ five\n");
	assert_diff(a, b, 2147483647,
		    "  1\n  2\n  3\n  4\n- 5\n+ five\n  6\n  7\n  8\n  9\n");
	free(a);
	free(b);
}

static void test_diff_additions_at_end(void **state)
{
	(void)state;
	assert_diff("a\nb\nc\n", "a\nb\nc\nd\ne\n", 1, "  c\n+ d\n+ e\n");
	/* The old text lacked its final newline: "c" is the same line. */
	assert_diff("a\nb\nc", "a\nb\nc\nd\n", 2, "  b\n  c\n+ d\n");
}

static void test_diff_deletions_at_start(void **state)
{
	(void)state;
	assert_diff("x\ny\na\nb\nc\n", "a\nb\nc\n", 1, "- x\n- y\n  a\n");
}

static void test_diff_replacement_lists_old_lines_first(void **state)
{
	(void)state;
	assert_diff("a\nb\nc\n", "a\nx\ny\nc\n", 1, "  a\n- b\n+ x\n+ y\n  c\n");
	/* An empty line shows as just its prefix. */
	assert_diff("a\n\nb\n", "a\nb\n", 0, "- \n");
}

static void test_diff_two_hunks(void **state)
{
	(void)state;
	const char *repl[21] = { [3] = "three", [17] = "seventeen" };
	char *a = numbered(20, NULL), *b = numbered(20, repl);
	assert_diff(a, b, 2,
		    "  1\n"
		    "  2\n"
		    "- 3\n"
		    "+ three\n"
		    "  4\n"
		    "  5\n"
		    "...\n"
		    "  15\n"
		    "  16\n"
		    "- 17\n"
		    "+ seventeen\n"
		    "  18\n"
		    "  19\n");
	free(b);

	/* Four unchanged lines between changes fit in two contexts of 2: one hunk. */
	const char *near[21] = { [3] = "three", [8] = "eight" };
	b = numbered(20, near);
	assert_diff(a, b, 2,
		    "  1\n  2\n- 3\n+ three\n  4\n  5\n  6\n  7\n- 8\n+ eight\n  9\n  10\n");
	free(b);

	/* Five do not: the middle one is left out. */
	const char *apart[21] = { [3] = "three", [9] = "nine" };
	b = numbered(20, apart);
	assert_diff(a, b, 2,
		    "  1\n  2\n- 3\n+ three\n  4\n  5\n...\n  7\n  8\n- 9\n+ nine\n  10\n  11\n");
	free(b);
	free(a);
}

static void test_diff_line_endings(void **state)
{
	(void)state;
	assert_diff("a\r\nb\r\n", "a\nb\n", 3, "");
	assert_diff("a\r\nb", "a\nb\n", 3, "");
	assert_diff("a\r\nb\r\nc\r\n", "a\nB\nc\n", 1, "  a\n- b\n+ B\n  c\n");
	/* A lone CR is part of the line. */
	assert_diff("a\rb\n", "a\nb\n", 0, "- a\rb\n+ a\n+ b\n");
}

static void test_diff_empty_texts(void **state)
{
	(void)state;
	assert_diff("", "a\nb\n", 3, "+ a\n+ b\n");
	assert_diff(NULL, "a\nb", 0, "+ a\n+ b\n");
	assert_diff("a\nb\n", "", 3, "- a\n- b\n");
	assert_diff("", "\n", 3, "+ \n");
}

static void test_diff_large_texts(void **state)
{
	(void)state;
	/* A long text with one change: the unchanged ends are not part of the LCS table. */
	const char *repl[4001] = { [2000] = "two thousand" };
	char *a = numbered(4000, NULL), *b = numbered(4000, repl);
	assert_diff(a, b, 1, "  1999\n- 2000\n+ two thousand\n  2001\n");
	free(a);
	free(b);

	/* Beyond the limits there is no line-by-line diff. */
	a = numbered(5001, NULL);
	assert_diff(a, "1\n", 3, "the terms were rewritten entirely\n");
	assert_diff("1\n", a, 3, "the terms were rewritten entirely\n");
	free(a);

	char *x = xmalloc(3000 * 8), *y = xmalloc(3000 * 8);
	size_t nx = 0, ny = 0;
	for (int i = 0; i < 3000; i++) {
		nx += (size_t)sprintf(x + nx, "x%d\n", i);
		ny += (size_t)sprintf(y + ny, "y%d\n", i);
	}
	assert_diff(x, y, 3, "the terms were rewritten entirely\n");
	free(x);
	free(y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_sha256_one_mib),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_round_trip_no_datasets),
		cmocka_unit_test(test_from_json_missing_keys),
		cmocka_unit_test(test_from_json_wrong_types),
		cmocka_unit_test(test_from_json_bad_time),
		cmocka_unit_test(test_from_json_rejects_what_is_not_a_record),
		cmocka_unit_test(test_to_json_refuses_what_is_not_a_record),
		cmocka_unit_test(test_config_name),
		cmocka_unit_test(test_config_labels),
		cmocka_unit_test(test_consent_find),
		cmocka_unit_test(test_diff_equal),
		cmocka_unit_test(test_diff_one_line_in_the_middle),
		cmocka_unit_test(test_diff_additions_at_end),
		cmocka_unit_test(test_diff_deletions_at_start),
		cmocka_unit_test(test_diff_replacement_lists_old_lines_first),
		cmocka_unit_test(test_diff_two_hunks),
		cmocka_unit_test(test_diff_line_endings),
		cmocka_unit_test(test_diff_empty_texts),
		cmocka_unit_test(test_diff_large_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
