#include "api/engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "api/base/log.h"
#include "api/base/priv.h"
#include "api/base/secmem.h"
#include "api/base/xalloc.h"
#include "api/engine/errmap.h"
#include "api/engine/version.h"

struct engine_req {
	struct engine *engine;
	CURL *easy;
	/* The header list, built here rather than with curl_slist_append (which copies into the
	 * ordinary heap): the caller's headers are secmem strings, the fixed ones static. */
	struct curl_slist *headers;
	size_t n_headers;
	char *what;
	char *body_out;          /* request body, kept alive for curl; secmem for ENGINE_SECRET */
	struct xbuf reply;
	char *secret_reply;      /* the reply for ENGINE_SECRET_REPLY: secmem, instead of reply */
	size_t secret_len;
	unsigned flags;
	char *api_version, *swarm, *content_type;
	bool stream, stream_stopped, oversize, is_ping;
	engine_done_fn done;
	engine_data_fn data;
	void *ud;
	char errbuf[CURL_ERROR_SIZE];
	char *log_line;          /* "GET /v1.41/services" for the log */
	char *refused;           /* a secret request to an endpoint that may not have it: the error */
	unsigned long seq;       /* when it was refused, so that a retry waits for the next poll */
	bool added;              /* handed to curl's multi handle */
	char *remote_name;       /* a remote's request (engine_remote_get): its name, else NULL */
	char *remote_display;    /* and its base URL, for messages */
	size_t max_body;         /* reply cap of this request */
	struct timespec t0;
	struct engine_req *prev, *next;
};

struct engine {
	CURLM *multi;
	struct endpoint ep;
	struct engine_opts opts;
	char *api_override;
	int minor;
	struct engine_req *reqs;  /* in flight */
	size_t n_reqs;
	bool fail_next_poll;      /* engine_fail_next_poll(), for tests */
	unsigned long seq;        /* refusals so far */
	struct remote_slot { char *role; struct engine_remote rm; } remotes[4];
};

static struct endpoint endpoint_copy(const struct endpoint *ep)
{
	struct endpoint c = *ep;
	c.socket_path = xstrdup(ep->socket_path);
	c.base_url = xstrdup(ep->base_url);
	c.ca_file = xstrdup(ep->ca_file);
	c.cert_file = xstrdup(ep->cert_file);
	c.key_file = xstrdup(ep->key_file);
	c.display = xstrdup(ep->display);
	return c;
}

struct engine *engine_new(const struct endpoint *ep, const struct engine_opts *opts, char **err)
{
	static int curl_ready;
	if (!curl_ready) {
		/* Not thread-safe by curl's contract; glovebox calls it once from main's thread.
		 * curl's buffers hold what it sends and receives, X-Registry-Auth and identity tokens
		 * included: they are wiped when curl frees them, and never left behind by a realloc. */
		if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, secmem_heap_free, secmem_heap_realloc,
		                         strdup, calloc) != CURLE_OK) {
			*err = xstrdup("libcurl could not be initialised");
			return NULL;
		}
		curl_ready = 1;
	}
	struct engine *e = xcalloc(1, sizeof *e);
	e->multi = curl_multi_init();
	if (!e->multi) {
		free(e);
		*err = xstrdup("libcurl could not be initialised");
		return NULL;
	}
	e->ep = endpoint_copy(ep);
	if (opts)
		e->opts = *opts;
	if (e->opts.connect_timeout_ms <= 0)
		e->opts.connect_timeout_ms = 5000;
	if (e->opts.timeout_ms <= 0)
		e->opts.timeout_ms = 30000;
	if (e->opts.max_body == 0)
		e->opts.max_body = 64u << 20;
	if (e->opts.max_connections <= 0)
		e->opts.max_connections = 32;
	e->api_override = opts && opts->api_version && *opts->api_version ? xstrdup(opts->api_version) : NULL;
	e->opts.api_version = NULL;
	curl_multi_setopt(e->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, e->opts.max_connections);
	curl_multi_setopt(e->multi, CURLMOPT_MAX_HOST_CONNECTIONS, e->opts.max_connections);
	return e;
}

static void req_free(struct engine_req *r)
{
	curl_easy_cleanup(r->easy);
	/* The caller's headers may carry registry credentials (X-Registry-Auth): the first
	 * n_headers nodes are theirs, in secmem. */
	for (size_t i = 0; i < r->n_headers; i++)
		secmem_free(&r->headers[i].data);
	free(r->headers);
	if (r->flags & ENGINE_SECRET)
		secmem_free(&r->body_out);
	free(r->log_line);
	free(r->remote_name);
	free(r->remote_display);
	free(r->refused);
	free(r->what);
	free(r->body_out);
	free(r->reply.p);
	secmem_free(&r->secret_reply);
	free(r->api_version);
	free(r->swarm);
	free(r->content_type);
	free(r);
}

static void req_unlink(struct engine *e, struct engine_req *r)
{
	if (r->added)
		curl_multi_remove_handle(e->multi, r->easy);
	if (r->prev)
		r->prev->next = r->next;
	else
		e->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	e->n_reqs--;
}

void engine_free(struct engine **pe)
{
	struct engine *e = *pe;
	if (!e)
		return;
	while (e->reqs) {
		struct engine_req *r = e->reqs;
		req_unlink(e, r);
		req_free(r);
	}
	curl_multi_cleanup(e->multi);
	for (size_t i = 0; i < sizeof e->remotes / sizeof e->remotes[0]; i++)
		engine_set_remote(e, e->remotes[i].role, NULL);
	endpoint_clear(&e->ep);
	free(e->api_override);
	free(e);
	*pe = NULL;
}

const struct endpoint *engine_endpoint(const struct engine *e) { return &e->ep; }
int engine_api_minor(const struct engine *e) { return e->minor; }
void engine_reset_version(struct engine *e) { e->minor = 0; }
size_t engine_pending(const struct engine *e) { return e->n_reqs; }

/* Under the setgid install the socket's group comes back for the connect that follows, which
 * curl makes right after this; it goes again when the first byte arrives or perform returns. */
static curl_socket_t open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
	(void)ud;
	(void)purpose;
	priv_socket_begin();
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	priv_socket_end();   /* connected: nothing else may run with the socket's group */
	struct engine_req *r = ud;
	size_t len = size * n;
	long status = 0;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	if (r->stream && status < 400) {
		if (r->data(r->ud, p, len) != 0) {
			r->stream_stopped = true;
			return 0;
		}
		return len;
	}
	size_t have = (r->flags & ENGINE_SECRET_REPLY) ? r->secret_len : r->reply.len;
	if (have + len > r->max_body) {
		r->oversize = true;
		return 0;
	}
	if (r->flags & ENGINE_SECRET_REPLY)
		secmem_append(&r->secret_reply, &r->secret_len, p, len);
	else
		xbuf_add(&r->reply, p, len);
	return len;
}

/* Keep a header's value when its name matches; values are trimmed of CR/LF and blanks. */
static void header_take(char **dst, const char *name, const char *line, size_t len)
{
	size_t nl = strlen(name);
	if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	const char *v = line + nl + 1;
	const char *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	free(*dst);
	*dst = xstrndup(v, (size_t)(end - v));
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	priv_socket_end();
	struct engine_req *r = ud;
	size_t len = size * n;
	header_take(&r->api_version, "Api-Version", p, len);
	header_take(&r->swarm, "Swarm", p, len);
	header_take(&r->content_type, "Content-Type", p, len);
	return len;
}

static void req_link(struct engine *e, struct engine_req *r)
{
	r->next = e->reqs;
	if (e->reqs)
		e->reqs->prev = r;
	e->reqs = r;
	e->n_reqs++;
}

static struct engine_req *req_start(struct engine *e, const struct engine_remote *rm,
                                    const char *method, const char *path,
                                    bool versioned, const char *body,
                                    const char *const *headers, size_t n_headers,
                                    unsigned flags, const char *what, engine_data_fn data,
                                    engine_done_fn done, void *ud)
{
	struct engine_req *r = xcalloc(1, sizeof *r);
	r->engine = e;
	r->flags = flags;
	r->what = xstrdup(what ? what : "talking to the engine");
	r->done = done;
	r->data = data;
	r->stream = data != NULL;
	r->ud = ud;
	r->easy = curl_easy_init();
	if (!r->easy) {
		fputs("glovebox: curl_easy_init failed\n", stderr);
		abort();
	}
	const char *base = rm ? rm->base_url : e->ep.base_url;
	char *url = versioned ? xasprintf("%s/v1.%d%s", base, e->minor, path)
	                      : xasprintf("%s%s", base, path);
	CURL *c = r->easy;
	curl_easy_setopt(c, CURLOPT_URL, url);
	r->log_line = rm ? xasprintf("%s %s", method, url) : xasprintf("%s %s", method, url + strlen(base));
	r->max_body = rm && rm->max_body ? rm->max_body : e->opts.max_body;
	if (rm) {
		r->remote_name = xstrdup(rm->name ? rm->name : "the service");
		r->remote_display = xstrdup(rm->base_url);
	}
	clock_gettime(CLOCK_MONOTONIC, &r->t0);
	free(url);
	if ((flags & ENGINE_SECRET) && endpoint_check_secrets(&e->ep, &r->refused) != 0) {
		/* Not a byte goes out: the caller hears of it from the next engine_poll(), as of any
		 * other failure, never from inside this call. */
		r->seq = ++e->seq;
		req_link(e, r);
		return r;
	}
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, rm && rm->connect_timeout_ms
	                 ? rm->connect_timeout_ms : e->opts.connect_timeout_ms);
	if (!r->stream) {
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, rm && rm->timeout_ms ? rm->timeout_ms
		                                                              : e->opts.timeout_ms);
	} else if (e->ep.kind == ENDPOINT_TCP) {
		/* A stream may be quiet for hours; keepalive finds a peer that vanished. */
		curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
		curl_easy_setopt(c, CURLOPT_TCP_KEEPIDLE, 30L);
		curl_easy_setopt(c, CURLOPT_TCP_KEEPINTVL, 10L);
	}
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_PRIVATE, r);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "glovebox/" GLOVEBOX_VERSION);
	if (rm) {
		/* Nothing of the engine's endpoint: no socket path, no client certificate, and no
		 * open_socket, so the set-group-ID group is never raised for this connection. */
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
		if (rm->ca_file)
			curl_easy_setopt(c, CURLOPT_CAINFO, rm->ca_file);
		if (rm->userpwd) {
			/* curl keeps its own copy, in its heap, wiped when freed (engine_new). */
			curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
			curl_easy_setopt(c, CURLOPT_USERPWD, rm->userpwd);
		}
	} else if (e->ep.kind == ENDPOINT_UNIX) {
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, e->ep.socket_path);
		if (priv_setgid())
			curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	}
	if (!rm && e->ep.tls) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
		if (e->ep.ca_file)
			curl_easy_setopt(c, CURLOPT_CAINFO, e->ep.ca_file);
		if (e->ep.cert_file)
			curl_easy_setopt(c, CURLOPT_SSLCERT, e->ep.cert_file);
		if (e->ep.key_file)
			curl_easy_setopt(c, CURLOPT_SSLKEY, e->ep.key_file);
	}
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	static char content_type[] = "Content-Type: application/json";
	/* Streams must arrive as they are written, and big replies should not wait for a 100. */
	static char expect[] = "Expect:";
	r->headers = xcalloc(n_headers + 2, sizeof *r->headers);
	r->n_headers = n_headers;
	size_t nh = n_headers;
	if (body) {
		/* POSTFIELDS is not copied by curl: this copy lives until the request ends. */
		r->body_out = (flags & ENGINE_SECRET) ? secmem_strdup(body) : xstrdup(body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body_out);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body_out));
		r->headers[nh++].data = content_type;
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	}
	r->headers[nh++].data = expect;
	for (size_t i = 0; i + 1 < nh; i++)
		r->headers[i].next = &r->headers[i + 1];
	for (size_t i = 0; i < n_headers; i++) {
		r->headers[i].data = secmem_strdup(headers[i]);
		if (log_enabled(LOG_DEBUG)) {
			/* Never the value: the names say enough, and log_redact is only a second guard. */
			const char *colon = strchr(headers[i], ':');
			log_msg(LOG_DEBUG, "%s: header %.*s: <redacted>", r->log_line,
			        colon ? (int)(colon - headers[i]) : 0, headers[i]);
		}
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, r->headers);

	req_link(e, r);
	curl_multi_add_handle(e->multi, c);
	r->added = true;
	return r;
}

/* Whether a header line carries a credential, whatever the caller's flags say. */
static bool header_is_secret(const char *h)
{
	static const char *const names[] = {"X-Registry-Auth:", "Authorization:"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strncasecmp(h, names[i], strlen(names[i])) == 0)
			return true;
	return false;
}

struct engine_req *engine_request_flags(struct engine *e, const char *method, const char *path,
                                        const char *body, const char *const *headers,
                                        size_t n_headers, unsigned flags, const char *what,
                                        engine_done_fn done, void *ud)
{
	for (size_t i = 0; i < n_headers; i++)
		if (header_is_secret(headers[i]))
			flags |= ENGINE_SECRET;
	return req_start(e, NULL, method, path, true, body, headers, n_headers, flags, what, NULL, done, ud);
}

struct engine_req *engine_request_hdr(struct engine *e, const char *method, const char *path,
                                      const char *body, const char *const *headers,
                                      size_t n_headers, const char *what,
                                      engine_done_fn done, void *ud)
{
	return engine_request_flags(e, method, path, body, headers, n_headers, 0, what, done, ud);
}

struct engine_req *engine_request(struct engine *e, const char *method, const char *path,
                                  const char *body, const char *what,
                                  engine_done_fn done, void *ud)
{
	return req_start(e, NULL, method, path, true, body, NULL, 0, 0, what, NULL, done, ud);
}

struct engine_req *engine_stream(struct engine *e, const char *path, const char *what,
                                 engine_data_fn data, engine_done_fn done, void *ud)
{
	return req_start(e, NULL, "GET", path, true, NULL, NULL, 0, 0, what, data, done, ud);
}

struct engine_req *engine_negotiate(struct engine *e, engine_done_fn done, void *ud)
{
	struct engine_req *r = req_start(e, NULL, "GET", "/_ping", false, NULL, NULL, 0, 0,
	                                 "connecting to the engine", NULL, done, ud);
	r->is_ping = true;
	return r;
}

struct engine_req *engine_remote_get(struct engine *e, const struct engine_remote *rm,
                                     const char *path_query, const char *what,
                                     engine_done_fn done, void *ud)
{
	return req_start(e, rm, "GET", path_query, false, NULL, NULL, 0, 0, what, NULL, done, ud);
}

static void remote_clear(struct engine_remote *rm)
{
	free((char *)rm->name);
	free((char *)rm->base_url);
	free((char *)rm->ca_file);
	char *pw = (char *)rm->userpwd;
	secmem_free(&pw);
	memset(rm, 0, sizeof *rm);
}

void engine_set_remote(struct engine *e, const char *role, const struct engine_remote *rm)
{
	if (!role)
		return;
	size_t n = sizeof e->remotes / sizeof e->remotes[0], free_at = n;
	for (size_t i = 0; i < n; i++) {
		struct remote_slot *s = &e->remotes[i];
		if (s->role && strcmp(s->role, role) == 0) {
			remote_clear(&s->rm);
			free(s->role);
			s->role = NULL;
		}
		if (!s->role && free_at == n)
			free_at = i;
	}
	if (!rm)
		return;
	if (free_at == n) {
		fputs("glovebox: too many remotes\n", stderr);
		abort();
	}
	struct remote_slot *s = &e->remotes[free_at];
	s->role = xstrdup(role);
	s->rm = *rm;
	s->rm.name = xstrdup(rm->name);
	s->rm.base_url = xstrdup(rm->base_url);
	s->rm.ca_file = xstrdup(rm->ca_file);
	s->rm.userpwd = secmem_strdup(rm->userpwd);
}

const struct engine_remote *engine_remote(const struct engine *e, const char *role)
{
	for (size_t i = 0; e && role && i < sizeof e->remotes / sizeof e->remotes[0]; i++)
		if (e->remotes[i].role && strcmp(e->remotes[i].role, role) == 0)
			return &e->remotes[i].rm;
	return NULL;
}

void *engine_cancel(struct engine *e, struct engine_req *r)
{
	void *ud = r->ud;
	log_msg(LOG_DEBUG, "%s: cancelled", r->log_line);
	req_unlink(e, r);
	req_free(r);
	return ud;
}

void engine_cancel_clear(struct engine *e, struct engine_req **r)
{
	if (*r)
		engine_cancel(e, *r);
	*r = NULL;
}

/* Finish one request: build the reply, unlink, call back, free. */
static void req_finish(struct engine *e, struct engine_req *r, CURLcode rc)
{
	struct engine_reply reply = {0};
	char *error = NULL;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &reply.status);
	if (r->flags & ENGINE_SECRET_REPLY) {
		reply.body = r->secret_reply ? r->secret_reply : "";
		reply.len = r->secret_len;
	} else {
		reply.body = r->reply.p ? r->reply.p : "";
		reply.len = r->reply.len;
	}
	reply.api_version = r->api_version;
	reply.swarm = r->swarm;
	reply.content_type = r->content_type;

	if (r->refused) {
		error = xstrdup(r->refused);
		reply.status = 0;
	} else if (r->oversize && r->remote_name) {
		error = xasprintf("%s's reply is larger than the %zu KiB glovebox accepts while %s",
		                  r->remote_name, r->max_body >> 10, r->what);
	} else if (r->oversize) {
		error = xasprintf("the engine's reply is larger than the %zu MiB glovebox accepts while %s",
		                  r->max_body >> 20, r->what);
	} else if (r->stream_stopped) {
		error = xstrdup("stopped");
	} else if (rc != CURLE_OK && r->remote_name) {
		const char *why = r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc);
		error = rc == CURLE_OPERATION_TIMEDOUT
		        ? xasprintf("%s at %s did not answer in time while %s (%s)", r->remote_name,
		                    r->remote_display, r->what, why)
		        : xasprintf("cannot reach %s at %s while %s: %s", r->remote_name,
		                    r->remote_display, r->what, why);
		reply.unreachable = true;
		reply.status = 0;
	} else if (r->remote_name) {
		/* The service explains its errors in its body: the caller reads it. */
	} else if (rc != CURLE_OK) {
		error = errmap_transport((int)rc, r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc),
		                         e->ep.display, r->what);
		reply.unreachable = errmap_is_unreachable((int)rc);
		reply.status = 0;
	} else if (reply.status < 200 || reply.status >= 300) {
		error = errmap_http(reply.status, reply.body, reply.len, r->what);
	} else if (r->is_ping) {
		char *verr = NULL;
		int minor;
		if (version_negotiate(e->api_override, r->api_version, &minor, &verr) == 0)
			e->minor = minor;
		else
			error = verr;
	}
	reply.error = error;
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (long)(t1.tv_sec - r->t0.tv_sec) * 1000 + (t1.tv_nsec - r->t0.tv_nsec) / 1000000;
	bool quiet = !error || r->stream_stopped;
	log_msg(quiet ? LOG_DEBUG : LOG_INFO, "%s -> %ld in %ld ms%s%s", r->log_line, reply.status, ms,
	        error ? ": " : "", error ? error : "");
	req_unlink(e, r);
	if (r->done)
		r->done(r->ud, &reply);
	free(error);
	req_free(r);
}

/* Returns how many requests finished. */
static int dispatch(struct engine *e)
{
	CURLMsg *m;
	int left, n = 0;
	while ((m = curl_multi_info_read(e->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		char *priv = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		req_finish(e, (struct engine_req *)(void *)priv, m->data.result);
		n++;
	}
	return n;
}

int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool in_flight(const struct engine *e, const struct engine_req *r)
{
	for (const struct engine_req *q = e->reqs; q; q = q->next)
		if (q == r)
			return true;
	return false;
}

/* libcurl failed: no request may stay in flight with callback data its owner is about to drop
 * (a CLI command's stack frame returns on -1). Each one still in flight now finishes with an
 * error; requests its callbacks submit stay for the caller. Returns -1. */
static int fail_all(struct engine *e, CURLMcode mc)
{
	size_t n = e->n_reqs, i = 0;
	struct engine_req **v = xcalloc(n + 1, sizeof *v);
	for (struct engine_req *r = e->reqs; r && i < n; r = r->next)
		v[i++] = r;
	char *msg = xasprintf("libcurl failed while talking to the engine at %s: %s", e->ep.display,
	                      curl_multi_strerror(mc));
	log_msg(LOG_ERROR, "%s", msg);
	for (i = 0; i < n; i++) {
		struct engine_req *r = v[i];
		if (!in_flight(e, r))   /* cancelled by an earlier callback */
			continue;
		struct engine_reply reply = {.body = "", .error = msg};
		req_unlink(e, r);
		if (r->done)
			r->done(r->ud, &reply);
		req_free(r);
	}
	free(msg);
	free(v);
	return -1;
}

void engine_fail_next_poll(struct engine *e)
{
	e->fail_next_poll = true;
}

/* Finish the requests refused before they were sent. Returns how many. */
static int dispatch_refused(struct engine *e)
{
	unsigned long upto = e->seq;
	int n = 0;
	for (;;) {
		/* A callback may start or cancel requests: look again from the start each time, and
		 * leave a request refused meanwhile (a retry) to the next poll. */
		struct engine_req *r = e->reqs;
		while (r && !(r->refused && r->seq <= upto))
			r = r->next;
		if (!r)
			return n;
		req_finish(e, r, CURLE_OK);
		n++;
	}
}

int engine_poll(struct engine *e, struct curl_waitfd *extra, unsigned n_extra, int timeout_ms)
{
	int running = 0;
	if (dispatch_refused(e) > 0)
		return 0;
	CURLMcode mc = curl_multi_perform(e->multi, &running);
	priv_socket_end();
	if (e->fail_next_poll) {
		e->fail_next_poll = false;
		mc = CURLM_INTERNAL_ERROR;
	}
	if (mc != CURLM_OK)
		return fail_all(e, mc);
	/* Callbacks ran: let the caller act on them (repaint, submit more) before waiting. */
	if (dispatch(e) > 0)
		return 0;
	long curl_ms = -1;
	curl_multi_timeout(e->multi, &curl_ms);
	if (e->n_reqs > 0 && curl_ms >= 0 && (timeout_ms < 0 || curl_ms < timeout_ms))
		timeout_ms = (int)curl_ms;
	if (timeout_ms < 0)
		timeout_ms = 1000;
	if ((mc = curl_multi_poll(e->multi, extra, n_extra, timeout_ms, NULL)) != CURLM_OK)
		return fail_all(e, mc);
	mc = curl_multi_perform(e->multi, &running);
	priv_socket_end();
	if (mc != CURLM_OK)
		return fail_all(e, mc);
	dispatch(e);
	return 0;
}

int engine_run(struct engine *e)
{
	while (e->n_reqs > 0)
		if (engine_poll(e, NULL, 0, 1000) != 0)
			return -1;
	return 0;
}

struct call_result {
	bool done, unreachable;
	char *body, *err;
	size_t len;
};

static void call_done(void *ud, const struct engine_reply *reply)
{
	struct call_result *cr = ud;
	cr->done = true;
	if (reply->error) {
		cr->err = xstrdup(reply->error);
		cr->unreachable = reply->unreachable;
		return;
	}
	cr->body = xstrndup(reply->body, reply->len);
	cr->len = reply->len;
}

int engine_call(struct engine *e, const char *method, const char *path, const char *req_body,
                const char *what, char **body, size_t *len, bool *unreachable, char **err)
{
	struct call_result cr = {0};
	engine_request(e, method, path, req_body, what, call_done, &cr);
	/* On a failed poll the request has finished with an error too (fail_all). */
	while (!cr.done)
		engine_poll(e, NULL, 0, 1000);
	if (unreachable)
		*unreachable = cr.unreachable;
	if (cr.err) {
		*err = cr.err;
		free(cr.body);
		return -1;
	}
	if (len)
		*len = cr.len;
	if (body)
		*body = cr.body;
	else
		free(cr.body);
	return 0;
}
