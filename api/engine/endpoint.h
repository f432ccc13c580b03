/* Where the engine is and how to talk to it, resolved the way the docker CLI does.
 *
 * Sources, first match wins: --host, then DOCKER_HOST, then unix:///var/run/docker.sock.
 * TLS is on when DOCKER_TLS or DOCKER_TLS_VERIFY is non-empty, or the URL is https://.
 * Unlike the docker CLI, glovebox always verifies the peer when TLS is on: the code has
 * no switch to turn verification off (DOCKER_TLS without DOCKER_TLS_VERIFY still verifies).
 * Certificates come from DOCKER_CERT_PATH, else $DOCKER_CONFIG, else ~/.docker:
 * ca.pem, cert.pem, key.pem; a missing file is simply not used.
 */
#ifndef GB_API_ENGINE_ENDPOINT_H
#define GB_API_ENGINE_ENDPOINT_H

#include <stdbool.h>

enum endpoint_kind { ENDPOINT_UNIX, ENDPOINT_TCP };

struct endpoint {
	enum endpoint_kind kind;
	char *socket_path;  /* owned; unix only */
	char *base_url;     /* owned; "http://localhost" for unix, "http(s)://host:port" for tcp */
	bool tls;
	char *ca_file;      /* owned, NULL when absent */
	char *cert_file;    /* owned, NULL when absent */
	char *key_file;     /* owned, NULL when absent */
	char *display;      /* owned; canonical form for messages, e.g. "unix:///var/run/docker.sock" */
};

/* The environment the resolution reads, passed in explicitly so tests need no setenv.
 * Every field is borrowed and may be NULL. */
struct endpoint_env {
	const char *docker_host;
	const char *docker_tls;
	const char *docker_tls_verify;
	const char *docker_cert_path;
	const char *docker_config;
	const char *home;
};

/* Fill *env from the process environment (pointers borrowed from environ). */
void endpoint_env_from_process(struct endpoint_env *env);

/* Resolve the endpoint. flag_host (from --host) may be NULL.
 * Accepts unix:///path, tcp://host[:port] (port 2375 by default, as the docker CLI does),
 * http://host[:port] and https://host[:port] (2376 by default). IPv6 literals in brackets.
 * Returns 0, or -1 with *err (owned by the caller) naming the bad value. */
int endpoint_resolve(const char *flag_host, const struct endpoint_env *env,
                     struct endpoint *out, char **err);

void endpoint_clear(struct endpoint *ep);

/* Whether registry credentials (the X-Registry-Auth header, the body of POST /auth, and the
 * identity token that comes back) may travel to this endpoint: true for a unix socket and for
 * TLS, false for plain tcp:// and http://, loopback included (glovebox cannot tell where a
 * forwarded port leads). The one place that decides; the engine refuses requests flagged as
 * secret when this is false (api/engine/engine.h), and the commands check it first to say
 * why. */
bool endpoint_secure_for_secrets(const struct endpoint *ep);

/* The same as a check: 0, or -1 with *err (owned), one sentence naming the endpoint and
 * pointing to TLS (docs/credentials.md). */
int endpoint_check_secrets(const struct endpoint *ep, char **err);

#endif
