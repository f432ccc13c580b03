/* creds.h and secmem.h: registry keys, the X-Registry-Auth value and the /auth body built in
 * locked memory, the /auth reply, the errors that mean "log in", the session cache. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/secmem.h"
#include "api/creds/creds.h"

/* ---- registry keys ---- */

static void assert_key(const char *in, const char *want)
{
	char *got = creds_server_key(in);
	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_server_key(void **state)
{
	(void)state;
	assert_key("127.0.0.1:5001", "127.0.0.1:5001");
	assert_key("https://127.0.0.1:5001", "127.0.0.1:5001");
	assert_key("http://127.0.0.1:5001/v2/", "127.0.0.1:5001");
	assert_key("Reg.Example.ORG/lab/analysis", "reg.example.org");
	assert_key("  reg.example.org  ", "reg.example.org");
	/* Docker Hub has one key whatever it is called. */
	assert_key("docker.io", "https://index.docker.io/v1/");
	assert_key("index.docker.io", "https://index.docker.io/v1/");
	assert_key("registry-1.docker.io", "https://index.docker.io/v1/");
	assert_key("https://index.docker.io/v1/", "https://index.docker.io/v1/");
	assert_key("", NULL);
	assert_key("https://", NULL);
	assert_key("/path", NULL);
	assert_key(NULL, NULL);
}

/* ---- X-Registry-Auth ---- */

static void assert_auth(const char *user, const char *pw, const char *server, const char *want)
{
	struct cred *c = cred_new(server, user, pw);
	char *got = cred_registry_auth(c);
	assert_string_equal(got, want);
	assert_null(strchr(got, '+'));
	assert_null(strchr(got, '/'));
	secmem_free(&got);
	assert_null(got);
	cred_free(&c);
	assert_null(c);
}

static void test_registry_auth_vectors(void **state)
{
	(void)state;
	/* python3: base64.urlsafe_b64encode(json.dumps(d, separators=(",", ":")).encode()) */
	assert_auth("u", "p", "127.0.0.1:5001",
	            "eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InAiLCJzZXJ2ZXJhZGRyZXNzIjoiMTI3LjAuMC4xOjUwMDEifQ==");
	/* '-' where standard base64 has '+', '_' for '/'. */
	assert_auth("u", "~~~?", "r",
	            "eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6In5-fj8iLCJzZXJ2ZXJhZGRyZXNzIjoiciJ9");
	assert_auth("u", "?" "?>>", "r",
	            "eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6Ij8_Pj4iLCJzZXJ2ZXJhZGRyZXNzIjoiciJ9");
	/* Quotes, backslashes, controls escaped; UTF-8 kept. */
	assert_auth("u", "p\"q\\\\r\001\xc3\xa9", "r",
	            "eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InBcInFcXFxcclx1MDAwMcOpIiwic2VydmVyYWRkcmVzcyI6InIifQ==");
}

static void test_registry_auth_token(void **state)
{
	(void)state;
	struct cred *c = cred_new("docker.io", CRED_TOKEN_USER, "tok");
	assert_true(cred_is_token(c));
	char *got = cred_registry_auth(c);
	assert_string_equal(got, "eyJpZGVudGl0eXRva2VuIjoidG9rIiwic2VydmVyYWRkcmVzcyI6Imh0dHBzOi8vaW5kZXguZG9ja2VyLmlvL3YxLyJ9");
	secmem_free(&got);
	cred_free(&c);
}

static void test_auth_body_parses(void **state)
{
	(void)state;
	const char *pw = "a\"b\\c\nd\te\x7f\xf0\x9f\x94\x92";
	struct cred *c = cred_new("https://Reg.Example.org/v2/", "alice", pw);
	assert_string_equal(c->server, "reg.example.org");
	char *body = cred_auth_body(c);
	json_error_t je;
	json_t *j = json_loads(body, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "username")), "alice");
	assert_string_equal(json_string_value(json_object_get(j, "password")), pw);
	assert_string_equal(json_string_value(json_object_get(j, "serveraddress")), "reg.example.org");
	assert_int_equal(json_object_size(j), 3);
	json_decref(j);
	secmem_free(&body);
	cred_free(&c);
}

static void test_cred_copies(void **state)
{
	(void)state;
	char *s = secmem_strdup("pw");
	struct cred *c = cred_new_take("127.0.0.1:5001", "u", &s);
	assert_null(s);
	struct cred *d = cred_dup(c);
	assert_ptr_not_equal(d->secret, c->secret);
	assert_string_equal(d->secret, "pw");
	assert_string_equal(d->server, "127.0.0.1:5001");
	assert_false(cred_is_token(d));
	cred_free(&c);
	cred_free(&d);
	cred_free(&d);   /* NULL is fine */
	assert_null(cred_dup(NULL));
}

/* ---- /auth replies and errors ---- */

static void test_auth_reply(void **state)
{
	(void)state;
	char *status = NULL, *token = NULL, *err = NULL;
	const char *ok = "{\"IdentityToken\":\"\",\"Status\":\"Login Succeeded\"}";
	assert_int_equal(cred_auth_reply(ok, strlen(ok), &status, &token, &err), 0);
	assert_string_equal(status, "Login Succeeded");
	assert_null(token);
	free(status);
	const char *tok = "{\"IdentityToken\":\"t0k\",\"Status\":\"Login Succeeded\"}";
	assert_int_equal(cred_auth_reply(tok, strlen(tok), &status, &token, &err), 0);
	assert_string_equal(token, "t0k");
	assert_true(secmem_capacity(token) >= 3);
	secmem_free(&token);
	free(status);
	assert_int_equal(cred_auth_reply("[1]", 3, &status, &token, &err), -1);
	assert_non_null(err);
	free(err);
	err = NULL;
	assert_int_equal(cred_auth_reply("", 0, &status, &token, &err), -1);
	free(err);
}

static void test_error_is_auth(void **state)
{
	(void)state;
	/* Engine 20.10, resolving an image on a registry with basic auth and no credentials. */
	assert_true(creds_error_is_auth("cannot resolve 127.0.0.1:5001/x:latest to a digest on its registry: "
	                                "Head \"http://127.0.0.1:5001/v2/x/manifests/latest\": no basic auth credentials"));
	assert_true(creds_error_is_auth("login attempt to http://127.0.0.1:5001/v2/ failed with status: 401 Unauthorized"));
	assert_true(creds_error_is_auth("unauthorized: authentication required"));
	assert_true(creds_error_is_auth("denied: requested access to the resource is denied"));
	assert_true(creds_error_is_auth("pull access denied for x, repository does not exist or may require 'docker login'"));
	assert_false(creds_error_is_auth("manifest unknown: manifest unknown"));
	assert_false(creds_error_is_auth("connection refused"));
	assert_false(creds_error_is_auth(NULL));
}

/* ---- the session cache ---- */

static void test_session_cache(void **state)
{
	(void)state;
	struct creds *cache = creds_new();
	assert_int_equal(creds_count(cache), 0);
	assert_null(creds_find(cache, "127.0.0.1:5001"));
	struct cred *a = cred_new("127.0.0.1:5001", "u1", "p1");
	creds_put(cache, &a);
	assert_null(a);
	struct cred *b = cred_new("docker.io", "u2", "p2");
	creds_put(cache, &b);
	assert_int_equal(creds_count(cache), 2);
	/* Found by any name of the same key. */
	const struct cred *f = creds_find(cache, "https://127.0.0.1:5001/v2/");
	assert_non_null(f);
	assert_string_equal(f->username, "u1");
	assert_non_null(creds_find(cache, "index.docker.io"));
	/* Replacing keeps one entry per server. */
	struct cred *c = cred_new("127.0.0.1:5001", "u3", "p3");
	creds_put(cache, &c);
	assert_int_equal(creds_count(cache), 2);
	assert_string_equal(creds_find(cache, "127.0.0.1:5001")->secret, "p3");
	assert_true(creds_remove(cache, "127.0.0.1:5001"));
	assert_false(creds_remove(cache, "127.0.0.1:5001"));
	assert_int_equal(creds_count(cache), 1);
	creds_free(&cache);
	assert_null(cache);
	creds_free(&cache);
}

/* ---- secmem ---- */

static void test_secmem(void **state)
{
	(void)state;
	char *p = secmem_alloc(10);
	assert_int_equal(secmem_capacity(p), 10);
	for (int i = 0; i <= 10; i++)
		assert_int_equal(p[i], 0);
	/* Locked unless RLIMIT_MEMLOCK forbids it; either way usable. */
	(void)secmem_locked(p);
	memcpy(p, "0123456789", 11);
	secmem_free(&p);
	assert_null(p);
	secmem_free(&p);
	char *q = secmem_strndup("abcdef", 3);
	assert_string_equal(q, "abc");
	secmem_free(&q);
	assert_null(secmem_strdup(NULL));
	/* A large one spans pages. */
	char *big = secmem_alloc(10000);
	memset(big, 'x', 10000);
	assert_int_equal(big[10000], 0);
	secmem_free(&big);
}

/* A secret arriving in pieces: always terminated, growing by moving to a larger buffer. */
static void test_secmem_append(void **state)
{
	(void)state;
	char *p = NULL;
	size_t len = 0;
	secmem_append(&p, &len, "", 0);
	assert_non_null(p);
	assert_int_equal(len, 0);
	assert_string_equal(p, "");
	char chunk[100];
	memset(chunk, 'a', sizeof chunk);
	for (int i = 0; i < 50; i++) {
		chunk[0] = (char)('A' + i % 26);
		secmem_append(&p, &len, chunk, sizeof chunk);
		assert_int_equal(len, (size_t)(i + 1) * sizeof chunk);
		assert_int_equal(p[len], '\0');
		assert_true(secmem_capacity(p) >= len);
	}
	for (int i = 0; i < 50; i++)
		assert_int_equal(p[i * 100], 'A' + i % 26);
	assert_int_equal(strspn(p + 1, "a"), 99);
	secmem_free(&p);
	/* One piece larger than twice the buffer. */
	char *big = malloc(100000);
	memset(big, 'b', 100000);
	secmem_append(&p, &len, "x", 1);
	secmem_append(&p, &len, big, 100000);
	assert_int_equal(len, 100001);
	assert_int_equal(p[0], 'x');
	assert_int_equal(p[100000], 'b');
	assert_int_equal(p[100001], '\0');
	secmem_free(&p);
	free(big);
}

/* The heap functions libcurl and jansson are given: realloc's contract, always moving. */
static void test_heap_wiping(void **state)
{
	(void)state;
	secmem_heap_free(NULL);
	char *p = secmem_heap_realloc(NULL, 16);
	assert_non_null(p);
	memcpy(p, "0123456789abcde", 16);
	for (size_t n = 32; n <= 1u << 20; n *= 4) {
		char *q = secmem_heap_realloc(p, n);
		assert_non_null(q);
		assert_ptr_not_equal(q, p);      /* moved, the old block wiped and freed */
		assert_string_equal(q, "0123456789abcde");
		p = q;
	}
	p = secmem_heap_realloc(p, 4);      /* shrinking keeps the head */
	assert_memory_equal(p, "0123", 4);
	assert_null(secmem_heap_realloc(p, 0));
	secmem_heap_free(malloc(1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_key),
		cmocka_unit_test(test_registry_auth_vectors),
		cmocka_unit_test(test_registry_auth_token),
		cmocka_unit_test(test_auth_body_parses),
		cmocka_unit_test(test_cred_copies),
		cmocka_unit_test(test_auth_reply),
		cmocka_unit_test(test_error_is_auth),
		cmocka_unit_test(test_session_cache),
		cmocka_unit_test(test_secmem),
		cmocka_unit_test(test_secmem_append),
		cmocka_unit_test(test_heap_wiping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
