#include "api/creds/creds.h"

#include <ctype.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/base/secmem.h"
#include "api/base/xalloc.h"

#define HUB_KEY "https://index.docker.io/v1/"

struct cred *cred_new_take(const char *server, const char *username, char **secret)
{
	struct cred *c = xcalloc(1, sizeof *c);
	c->server = creds_server_key(server);
	if (!c->server)
		c->server = xstrdup("");
	c->username = xstrdup(username ? username : "");
	c->secret = *secret ? *secret : secmem_strdup("");
	*secret = NULL;
	return c;
}

struct cred *cred_new(const char *server, const char *username, const char *secret)
{
	char *s = secmem_strdup(secret ? secret : "");
	return cred_new_take(server, username, &s);
}

struct cred *cred_dup(const struct cred *c)
{
	return c ? cred_new(c->server, c->username, c->secret) : NULL;
}

void cred_free(struct cred **pc)
{
	struct cred *c = *pc;
	if (!c)
		return;
	secmem_free(&c->secret);
	free(c->server);
	free(c->username);
	free(c);
	*pc = NULL;
}

bool cred_is_token(const struct cred *c)
{
	return strcmp(c->username, CRED_TOKEN_USER) == 0;
}

char *creds_server_key(const char *registry)
{
	if (!registry)
		return NULL;
	const char *s = registry;
	while (*s == ' ' || *s == '\t')
		s++;
	if (strncasecmp(s, "https://", 8) == 0)
		s += 8;
	else if (strncasecmp(s, "http://", 7) == 0)
		s += 7;
	size_t n = strcspn(s, "/");
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0)
		return NULL;
	char *host = xstrndup(s, n);
	for (char *p = host; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strcmp(host, "docker.io") == 0 || strcmp(host, "index.docker.io") == 0 ||
	    strcmp(host, "registry-1.docker.io") == 0) {
		free(host);
		return xstrdup(HUB_KEY);
	}
	return host;
}

/* ---- JSON and base64 into secmem buffers (jansson and GLib would leave copies behind) ---- */

/* Bytes s takes as the inside of a JSON string. */
static size_t json_str_len(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p == '"' || *p == '\\') ? 2 : *p < 0x20 ? 6 : 1;
	return n;
}

static char *json_str_put(char *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	*o++ = '"';
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			*o++ = '\\';
			*o++ = (char)*p;
		} else if (*p < 0x20) {
			memcpy(o, "\\u00", 4);
			o[4] = hex[*p >> 4];
			o[5] = hex[*p & 15];
			o += 6;
		} else {
			*o++ = (char)*p;
		}
	}
	*o++ = '"';
	return o;
}

/* {"k1":"v1","k2":"v2",...} for n pairs, into a secmem buffer. */
static char *json_object_secret(const char *const *kv, size_t n)
{
	size_t len = 2;
	for (size_t i = 0; i < n; i++)
		len += json_str_len(kv[2 * i]) + json_str_len(kv[2 * i + 1]) + 6;
	char *buf = secmem_alloc(len);
	char *o = buf;
	*o++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i)
			*o++ = ',';
		o = json_str_put(o, kv[2 * i]);
		*o++ = ':';
		o = json_str_put(o, kv[2 * i + 1]);
	}
	*o++ = '}';
	*o = '\0';
	return buf;
}

static char *base64url_secret(const char *in, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char *out = secmem_alloc((n + 2) / 3 * 4);
	const unsigned char *p = (const unsigned char *)in;
	char *o = out;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = tab[v >> 6 & 63];
		*o++ = tab[v & 63];
	}
	if (n - i == 1) {
		unsigned v = (unsigned)p[i] << 16;
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = '=';
		*o++ = '=';
	} else if (n - i == 2) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		*o++ = tab[v >> 18 & 63];
		*o++ = tab[v >> 12 & 63];
		*o++ = tab[v >> 6 & 63];
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

char *cred_auth_body(const struct cred *c)
{
	const char *kv[] = {"username", c->username, "password", c->secret, "serveraddress", c->server};
	return json_object_secret(kv, 3);
}

char *cred_registry_auth(const struct cred *c)
{
	char *json;
	if (cred_is_token(c)) {
		const char *kv[] = {"identitytoken", c->secret, "serveraddress", c->server};
		json = json_object_secret(kv, 2);
	} else {
		json = cred_auth_body(c);
	}
	char *b64 = base64url_secret(json, strlen(json));
	secmem_free(&json);
	return b64;
}

int cred_auth_reply(const char *body, size_t len, char **status, char **token, char **err)
{
	json_error_t je;
	json_t *root = json_loadb(body ? body : "", len, 0, &je);
	/* Its text can quote the token it stopped in: never shown, and wiped. */
	explicit_bzero(&je, sizeof je);
	*status = NULL;
	*token = NULL;
	if (!json_is_object(root)) {
		*err = xstrdup("the engine's answer to the login is not a JSON object");
		json_decref(root);
		return -1;
	}
	json_t *s = json_object_get(root, "Status");
	json_t *t = json_object_get(root, "IdentityToken");
	*status = xstrdup(json_is_string(s) ? json_string_value(s) : "");
	if (json_is_string(t) && json_string_length(t) > 0) {
		*token = secmem_strdup(json_string_value(t));
		/* jansson's copy: wipe it before it goes back to the allocator (which wipes it again
		 * where main ran secmem_heap_setup, along with the parser's scratch copies). */
		secmem_wipe((void *)(uintptr_t)json_string_value(t), json_string_length(t));
	}
	json_decref(root);
	return 0;
}

bool creds_error_is_auth(const char *msg)
{
	static const char *const signs[] = {
		"no basic auth credentials", "unauthorized", "authentication required",
		"401", "incorrect username or password", "access denied", "denied: ",
		"may require 'docker login'",
	};
	if (!msg)
		return false;
	for (size_t i = 0; i < sizeof signs / sizeof signs[0]; i++)
		if (strcasestr(msg, signs[i]))
			return true;
	return false;
}

/* ---- POST /auth ---- */

struct cred_check {
	struct engine *engine;
	struct engine_req *req;
	cred_check_fn done;
	void *ud;
};

static void on_auth(void *ud, const struct engine_reply *reply)
{
	struct cred_check *chk = ud;
	struct cred_check_result r = {0};
	char *status = NULL, *err = NULL, *msg = NULL;
	if (reply->error) {
		r.unreachable = reply->unreachable;
		/* Engines before 25 answer a refused login with 500 "... failed with status: 401
		 * Unauthorized"; newer ones with 401. */
		r.refused = reply->status == 401 || (reply->status >= 400 && creds_error_is_auth(reply->error));
		msg = r.refused ? xasprintf("the registry refused the user name or password (%s)", reply->error)
		                : xstrdup(reply->error);
		r.error = msg;
	} else if (cred_auth_reply(reply->body, reply->len, &status, &r.token, &err) != 0) {
		r.error = err;
	} else {
		r.ok = true;
	}
	chk->req = NULL;
	chk->done(chk->ud, &r);
	secmem_free(&r.token);
	free(status);
	free(err);
	free(msg);
	free(chk);
}

struct cred_check *cred_check_start(struct engine *e, const struct cred *c, cred_check_fn done,
                                    void *ud)
{
	struct cred_check *chk = xcalloc(1, sizeof *chk);
	chk->engine = e;
	chk->done = done;
	chk->ud = ud;
	char *body = cred_auth_body(c);
	char *what = xasprintf("logging in to %s", c->server);
	/* The body holds the password: refused, unsent, unless the endpoint is a unix socket or
	 * TLS. The reply can hold an identity token. */
	chk->req = engine_request_flags(e, "POST", "/auth", body, NULL, 0,
	                                ENGINE_SECRET | ENGINE_SECRET_REPLY, what, on_auth, chk);
	free(what);
	secmem_free(&body);
	return chk;
}

void cred_check_cancel(struct cred_check **pchk)
{
	struct cred_check *chk = *pchk;
	if (!chk)
		return;
	engine_cancel_clear(chk->engine, &chk->req);
	free(chk);
	*pchk = NULL;
}

/* ---- the session cache ---- */

struct creds {
	struct cred **v;
	size_t n;
};

struct creds *creds_new(void)
{
	return xcalloc(1, sizeof(struct creds));
}

void creds_free(struct creds **pc)
{
	struct creds *c = *pc;
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		cred_free(&c->v[i]);
	free(c->v);
	free(c);
	*pc = NULL;
}

static size_t creds_index(const struct creds *c, const char *server, bool *found)
{
	char *key = creds_server_key(server);
	*found = false;
	size_t i = 0;
	for (; key && i < c->n; i++)
		if (strcmp(c->v[i]->server, key) == 0) {
			*found = true;
			break;
		}
	free(key);
	return i;
}

void creds_put(struct creds *c, struct cred **cred)
{
	bool found;
	size_t i = creds_index(c, (*cred)->server, &found);
	if (found) {
		cred_free(&c->v[i]);
	} else {
		c->v = xreallocarray(c->v, c->n + 1, sizeof *c->v);
		i = c->n++;
	}
	c->v[i] = *cred;
	*cred = NULL;
}

const struct cred *creds_find(const struct creds *c, const char *server)
{
	bool found;
	size_t i = creds_index(c, server, &found);
	return found ? c->v[i] : NULL;
}

bool creds_remove(struct creds *c, const char *server)
{
	bool found;
	size_t i = creds_index(c, server, &found);
	if (!found)
		return false;
	cred_free(&c->v[i]);
	memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof *c->v);
	c->n--;
	return true;
}

size_t creds_count(const struct creds *c)
{
	return c->n;
}
