/* The Docker Engine API client: libcurl's multi interface, never blocking on its own.
 *
 * The owner of the event loop (the TUI, or a CLI command) submits requests and then drives
 * the transfers with engine_poll(), which waits on curl's sockets plus any extra fds the
 * caller passes (terminal input, a signal self-pipe), runs the transfers and calls each
 * finished request's callback. Nothing here ever waits on the network by itself;
 * engine_call() is a blocking convenience built on the same path, for the CLI only.
 *
 * Every request has a connect timeout; non-streaming requests also have a total timeout and
 * a cap on the reply size. Streams (events, logs, stats) have no total timeout: their owner
 * cancels them. Paths are given without the version prefix ("/services"); the engine adds
 * "/v1.NN" once engine_negotiate() has settled the version. Bodies are sent with
 * Content-Type: application/json. TLS verification is never turned off.
 *
 * The first engine_new() initialises libcurl with allocation functions that wipe every block
 * curl frees (secmem_heap_free): what curl sent and received, credentials included, does not
 * stay behind in freed memory. */
#ifndef GB_API_ENGINE_ENGINE_H
#define GB_API_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <curl/curl.h>

#include "api/engine/endpoint.h"

struct engine;
struct engine_req;

struct engine_opts {
	long connect_timeout_ms;   /* default 5000 */
	long timeout_ms;           /* whole non-streaming request; default 30000 */
	size_t max_body;           /* reply cap for non-streaming requests; default 64 MiB */
	long max_connections;      /* parallel connections; default 32 */
	const char *api_version;   /* DOCKER_API_VERSION, borrowed during engine_new; NULL = negotiate */
};

/* What a finished request got. Everything is borrowed and valid only during the callback. */
struct engine_reply {
	long status;               /* HTTP status, 0 when there was no reply */
	const char *body;          /* NUL-terminated, "" when empty (streams: "") */
	size_t len;
	const char *api_version;   /* Api-Version header or NULL */
	const char *swarm;         /* Swarm header (API >= 1.42) or NULL */
	const char *content_type;  /* Content-Type header or NULL */
	const char *error;         /* NULL on 2xx; else a sentence a person can act on */
	bool unreachable;          /* the engine could not be reached at all */
};

/* done is called exactly once per request unless the request is cancelled first; it may
 * submit or cancel other requests. */
typedef void (*engine_done_fn)(void *ud, const struct engine_reply *reply);
/* Streams: each chunk of body as it arrives. Return 0 to go on, -1 to stop (then done is
 * called with error "stopped"). Not called for error replies (status >= 400): their body goes
 * to done. */
typedef int (*engine_data_fn)(void *ud, const char *data, size_t len);

/* ep is copied. Returns NULL with *err on failure (curl could not be initialised). */
struct engine *engine_new(const struct endpoint *ep, const struct engine_opts *opts, char **err);
/* Cancels every request without calling their callbacks. */
void engine_free(struct engine **e);

const struct endpoint *engine_endpoint(const struct engine *e);

/* Negotiated API minor version (41 means 1.41), 0 before negotiation. */
int engine_api_minor(const struct engine *e);
/* Forget the negotiated version (the engine went away; it may come back another version). */
void engine_reset_version(struct engine *e);

/* Start negotiation: GET /_ping, then min(Api-Version, ours), honouring DOCKER_API_VERSION.
 * done receives the ping reply; reply->error is set when the ping or the version failed. */
struct engine_req *engine_negotiate(struct engine *e, engine_done_fn done, void *ud);

/* A request. method "GET", "POST", "DELETE", "HEAD"; body may be NULL; what names the
 * request for error messages ("listing services"). Needs a negotiated version. Never NULL. */
struct engine_req *engine_request(struct engine *e, const char *method, const char *path,
                                  const char *body, const char *what,
                                  engine_done_fn done, void *ud);

/* Same, with extra request headers (e.g. "X-Registry-Auth: ..."); headers are copied into
 * secmem buffers, wiped when the request ends, and never logged. n_headers may be 0. A request with an X-Registry-Auth or Authorization header
 * is an ENGINE_SECRET request, whether or not the caller says so. */
struct engine_req *engine_request_hdr(struct engine *e, const char *method, const char *path,
                                      const char *body, const char *const *headers,
                                      size_t n_headers, const char *what,
                                      engine_done_fn done, void *ud);

/* Flags for engine_request_flags. */
enum {
	/* The request carries a registry credential (an X-Registry-Auth header, a password in the
	 * body). Unless endpoint_secure_for_secrets() holds for the engine's endpoint, it is
	 * refused without connecting: nothing is sent, and done is called from the next
	 * engine_poll() with endpoint_check_secrets()'s sentence as error (status 0, not
	 * unreachable). Its body and headers are kept in secmem buffers, wiped when it ends.
	 * (Every request's extra headers are, whatever the flags.) */
	ENGINE_SECRET = 1u << 0,
	/* The reply may hold a secret (POST /auth's identity token): its body is collected in a
	 * secmem buffer, grown without leaving copies behind (secmem_append), and wiped when the
	 * request ends, after done. */
	ENGINE_SECRET_REPLY = 1u << 1,
};

/* engine_request_hdr with flags (ENGINE_*). */
struct engine_req *engine_request_flags(struct engine *e, const char *method, const char *path,
                                        const char *body, const char *const *headers,
                                        size_t n_headers, unsigned flags, const char *what,
                                        engine_done_fn done, void *ud);

/* A streaming GET (events, logs, stats with stream=true). */
struct engine_req *engine_stream(struct engine *e, const char *path, const char *what,
                                 engine_data_fn data, engine_done_fn done, void *ud);

/* ---- other HTTP services through the same loop ----
 * A remote is another HTTP(S) service glovebox reads from (Prometheus: api/metrics/prom.h),
 * driven by the engine's multi handle so that the loop owner polls one thing. Its requests
 * share nothing with the engine's endpoint: never the engine's unix socket, client
 * certificate or key, never the set-group-ID group (api/base/priv.h: no socket of a remote is
 * opened with it), and no negotiated version prefix. Only http:// and https:// URLs, no
 * redirects followed, TLS always verified (against ca_file when given, else the system's CAs).
 * A reply with an HTTP error status is not an error here: the body goes to done with
 * reply->error NULL and the status set, since such services explain errors in their body;
 * reply->error is set for transport failures (unreachable, timeout, reply too large). */
struct engine_remote {
	const char *name;          /* "Prometheus": for messages */
	const char *base_url;      /* "http(s)://host[:port][/prefix]", no trailing slash */
	const char *ca_file;       /* NULL: the system's CAs */
	const char *userpwd;       /* "user:password" for HTTP basic auth, or NULL; secret */
	long connect_timeout_ms;   /* 0: the engine's */
	long timeout_ms;           /* whole request; 0: the engine's */
	size_t max_body;           /* reply cap; 0: the engine's */
	long user_param;           /* for the remote's user, untouched here (metrics: the rate()
	                            * window in seconds) */
};

/* A GET of base_url + path_query at rm (borrowed for the call: everything is copied, the
 * credentials into secmem, wiped when the request ends; never logged). Never NULL. */
struct engine_req *engine_remote_get(struct engine *e, const struct engine_remote *rm,
                                     const char *path_query, const char *what,
                                     engine_done_fn done, void *ud);

/* Remotes the session configured, by role ("metrics"), for whoever builds on this engine
 * (api/swarm/cluster.c finds its metrics source here). engine_set_remote copies rm (NULL
 * removes the role); engine_remote returns the engine's copy (valid until the next
 * engine_set_remote of that role or engine_free) or NULL. */
void engine_set_remote(struct engine *e, const char *role, const struct engine_remote *rm);
const struct engine_remote *engine_remote(const struct engine *e, const char *role);

/* Stop a request; its done callback is not called. r must be in flight. Returns the ud the
 * request was made with, so that whoever allocated it for the callback can free it. */
void *engine_cancel(struct engine *e, struct engine_req *r);
/* engine_cancel(e, *r) when a request is in flight there (*r not NULL), then *r = NULL: for
 * the owners that keep one request and free themselves. */
void engine_cancel_clear(struct engine *e, struct engine_req **r);

/* CLOCK_MONOTONIC in nanoseconds: the clock of every deadline and retry around the loop. */
int64_t mono_ns(void);

/* Requests in flight. */
size_t engine_pending(const struct engine *e);

/* Wait up to timeout_ms (or less, when curl wants to be called sooner) for activity on curl's
 * sockets or on the extra fds, run the transfers and call the callbacks of finished requests.
 * Returns at once, without waiting, when requests had already finished.
 * extra[i].revents tells which extra fds are ready. Returns 0, or -1 on a curl failure; then
 * every request that was in flight has finished, its done called with an error, so that no
 * request outlives callback data its owner frees on -1. */
int engine_poll(struct engine *e, struct curl_waitfd *extra, unsigned n_extra, int timeout_ms);

/* For tests: the next engine_poll() fails as if libcurl had. */
void engine_fail_next_poll(struct engine *e);

/* Run until no request is in flight (for CLI commands). */
int engine_run(struct engine *e);

/* Blocking call for the CLI: submit, run until it finished. On success (2xx) returns 0 and
 * gives the body in *body (owned by the caller, NUL-terminated; may be NULL to discard) and
 * its length; otherwise -1 with *err (owned) and *unreachable set. */
int engine_call(struct engine *e, const char *method, const char *path, const char *req_body,
                const char *what, char **body, size_t *len, bool *unreachable, char **err);

#endif
