/* Registry credentials: one credential, the keys docker files them under, the X-Registry-Auth
 * value and the /auth check through the engine, and a cache kept in memory for one session.
 *
 * Secrets (passwords, identity tokens, and everything built from them) live in secmem
 * buffers (api/base/secmem.h) and are wiped when freed; glovebox never writes them to a file,
 * an argument, the environment or a log. See docs/credentials.md. */
#ifndef GB_API_CREDS_CREDS_H
#define GB_API_CREDS_CREDS_H

#include <stdbool.h>
#include <stddef.h>

#include "api/engine/engine.h"

/* docker's user name for an identity token (cli/config/credentials/native_store.go). */
#define CRED_TOKEN_USER "<token>"

struct cred {
	char *server;     /* the key, as creds_server_key gives it; owned */
	char *username;   /* owned; CRED_TOKEN_USER when secret is an identity token */
	char *secret;     /* password or identity token; owned, a secmem buffer */
};

/* Copies all three (the secret into a secmem buffer). server is normalised with
 * creds_server_key. Never NULL. */
struct cred *cred_new(const char *server, const char *username, const char *secret);
/* Same, taking ownership of *secret (a secmem buffer), which is set to NULL. */
struct cred *cred_new_take(const char *server, const char *username, char **secret);
struct cred *cred_dup(const struct cred *c);
/* Wipes the secret. NULL is fine. */
void cred_free(struct cred **c);
bool cred_is_token(const struct cred *c);

/* The key docker files credentials under for a registry (docker/cli registry and
 * credentials.ConvertToHostname): Docker Hub ("docker.io", "index.docker.io",
 * "registry-1.docker.io", with or without a scheme) is "https://index.docker.io/v1/";
 * any other registry is host[:port], with a scheme and a path removed and the host in
 * lower case. New string; NULL for an empty name. */
char *creds_server_key(const char *registry);

/* The X-Registry-Auth value: base64url, padded (RFC 4648 section 5), of
 * {"username":..,"password":..,"serveraddress":..}, or {"identitytoken":..,"serveraddress":..}
 * for a token. A secmem string: free it with secmem_free. */
char *cred_registry_auth(const struct cred *c);

/* The body of POST /auth: {"username":..,"password":..,"serveraddress":..}. secmem string. */
char *cred_auth_body(const struct cred *c);

/* Read the reply of a successful POST /auth ({"Status":"Login Succeeded","IdentityToken":..}).
 * *status is a new plain string; *token a secmem string, or NULL when the registry gave none.
 * Returns 0, or -1 with *err. */
int cred_auth_reply(const char *body, size_t len, char **status, char **token, char **err);

/* Whether an engine error (from /auth, /distribution or a task) says the registry wants
 * credentials it did not get, or refused the ones it got. */
bool creds_error_is_auth(const char *msg);

/* Check credentials against the registry through the engine (POST /auth). */
struct cred_check_result {
	bool ok;
	bool refused;            /* the registry refused the user name or password */
	bool unreachable;        /* the engine could not be reached */
	const char *error;       /* a sentence, NULL when ok */
	char *token;             /* an identity token the registry gave instead, secmem, or NULL:
	                            the callee may take it (set to NULL), else it is wiped */
};
typedef void (*cred_check_fn)(void *ud, struct cred_check_result *r);
struct cred_check;
/* Needs a negotiated engine. c is copied. done is called once, unless cancelled first. On an
 * endpoint that may not carry credentials (endpoint_secure_for_secrets) nothing is sent and
 * done gets endpoint_check_secrets()'s sentence as error. */
struct cred_check *cred_check_start(struct engine *e, const struct cred *c, cred_check_fn done,
                                    void *ud);
/* Cancel a check in flight (no callback). After done, the check is already gone: do not
 * cancel it then. */
void cred_check_cancel(struct cred_check **chk);

/* Credentials kept in memory for this session only, for when no keyring can be used.
 * Every secret is wiped when it is replaced, removed, or the cache is freed. */
struct creds;
struct creds *creds_new(void);
void creds_free(struct creds **c);
/* Takes ownership of *cred (set to NULL); replaces an entry for the same server. */
void creds_put(struct creds *c, struct cred **cred);
/* Borrowed, valid until the entry is replaced or removed. server is normalised. */
const struct cred *creds_find(const struct creds *c, const char *server);
/* Returns whether an entry was removed. */
bool creds_remove(struct creds *c, const char *server);
size_t creds_count(const struct creds *c);

#endif
