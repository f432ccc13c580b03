/* Registry credentials in the user's keyring (the Secret Service, through libsecret), shared
 * with docker's own helper, docker-credential-secretservice.
 *
 * Items use the helper's schema: name "io.docker.Credentials" (flags SECRET_SCHEMA_NONE, so
 * libsecret also sets xdg:schema), string attributes label="Docker Credentials",
 * server=<key> (creds_server_key), username=<user or "<token>">, docker_cli="1"; display
 * label "Registry credentials for <key>"; the secret is the password or identity token, in
 * the default collection. A store first erases every item for the server, as the helper does;
 * a lookup takes the last item found, as the helper does. So `docker login` through the
 * helper and `glovebox login` see each other's credentials.
 *
 * libsecret's calls are synchronous D-Bus calls that can hang (a stopped keyring daemon, a
 * bus that does not answer). Each request runs on a thread of its own; its result is handed
 * back on the owner's thread by keyring_dispatch(), which the owner calls when keyring_fd()
 * is readable or keyring_timeout_ms() has passed. A request that has not finished by its
 * deadline (5 s; longer only while the keyring shows an unlock prompt on a desktop) is
 * answered with KEYRING_TIMEOUT and its thread is left to finish on its own and clean up.
 * The *_sync functions wrap this for the CLI.
 *
 * Secrets: lookups fetch the password with secret_password_lookup_nonpageable_sync, copy it
 * into a secmem buffer (mlocked, wiped on free) and release libsecret's copy with
 * secret_password_free at once. */
#ifndef GB_API_CREDS_KEYRING_H
#define GB_API_CREDS_KEYRING_H

#include <stdbool.h>
#include <stddef.h>

#include "api/creds/creds.h"

enum keyring_state {
	KEYRING_OK,            /* the Secret Service answered and the default keyring is unlocked */
	KEYRING_NO_BUS,        /* no D-Bus session (no DBUS_SESSION_BUS_ADDRESS: typical over SSH) */
	KEYRING_NO_PROVIDER,   /* a session bus, but nothing provides org.freedesktop.secrets */
	KEYRING_LOCKED,        /* the keyring is locked (or the item asked for is) */
	KEYRING_TIMEOUT,       /* the keyring service did not answer in time */
	KEYRING_ERROR,         /* anything else; the message says what */
};

enum keyring_op { KEYRING_OP_STATUS, KEYRING_OP_LOOKUP, KEYRING_OP_STORE, KEYRING_OP_ERASE };

struct keyring_result {
	enum keyring_op op;
	enum keyring_state state;
	const char *server;        /* the key asked about; NULL for status */
	bool found;                /* lookup: credentials found; store: stored; erase: some removed */
	struct cred *cred;         /* lookup, found: the callee may take it (set it to NULL);
	                              otherwise it is wiped after the callback */
	const char *message;       /* when state != KEYRING_OK: a sentence for people */
};

/* Called on the owner's thread from keyring_dispatch(); r is valid during the call. It may
 * submit or cancel other requests. */
typedef void (*keyring_done_fn)(void *ud, struct keyring_result *r);

struct keyring_opts {
	long timeout_ms;           /* per request; default 5000 */
	long prompt_timeout_ms;    /* while an unlock prompt is up on a desktop; default 120000 */
};

struct keyring;
struct keyring_req;

/* NULL opts: the defaults. Returns NULL with *err when no eventfd can be made. */
struct keyring *keyring_new(const struct keyring_opts *opts, char **err);
/* Requests in flight are abandoned without callbacks; their threads clean up after
 * themselves when they return. */
void keyring_free(struct keyring **kr);

/* Readable when results wait: poll it, then call keyring_dispatch(). */
int keyring_fd(const struct keyring *kr);
/* Milliseconds until the nearest deadline of a request in flight (0 when one has passed), or
 * -1 when none is in flight: the owner's poll timeout must not exceed it. */
int keyring_timeout_ms(struct keyring *kr);
/* Deliver finished and timed-out requests to their callbacks. Returns how many. */
int keyring_dispatch(struct keyring *kr);
size_t keyring_pending(struct keyring *kr);

/* Submit a request; never NULL. server is normalised with creds_server_key. c is copied. */
struct keyring_req *keyring_status(struct keyring *kr, keyring_done_fn done, void *ud);
struct keyring_req *keyring_lookup(struct keyring *kr, const char *server, keyring_done_fn done,
                                   void *ud);
struct keyring_req *keyring_store(struct keyring *kr, const struct cred *c, keyring_done_fn done,
                                  void *ud);
struct keyring_req *keyring_erase(struct keyring *kr, const char *server, keyring_done_fn done,
                                  void *ud);
/* Forget a request in flight: no callback. Not after its callback ran. */
void keyring_cancel(struct keyring *kr, struct keyring_req *req);

/* Blocking forms for the CLI: submit, then dispatch until answered (at most the timeout).
 * *message (owned, may be NULL to discard) is set when the state is not KEYRING_OK. */
enum keyring_state keyring_status_sync(struct keyring *kr, char **message);
/* *cred: the credentials, or NULL when none are stored (state KEYRING_OK). */
enum keyring_state keyring_lookup_sync(struct keyring *kr, const char *server, struct cred **cred,
                                       char **message);
enum keyring_state keyring_store_sync(struct keyring *kr, const struct cred *c, char **message);
/* *removed: whether there was anything to remove. */
enum keyring_state keyring_erase_sync(struct keyring *kr, const char *server, bool *removed,
                                      char **message);

/* A short name for status lines: "unlocked", "no D-Bus session", "no Secret Service",
 * "locked", "not answering", "error". Static. */
const char *keyring_state_name(enum keyring_state s);

/* What the user can do about a state, several lines, each ending in '\n' (how to start and
 * unlock a keyring over SSH, how to unlock it); "" for KEYRING_OK. Static. */
const char *keyring_state_help(enum keyring_state s);

#endif
