/* The docker CLI's config.json, read only: where docker keeps registry credentials.
 *
 * glovebox reads $DOCKER_CONFIG/config.json (else ~/.docker/config.json) to tell which
 * registries the user logged in to with docker and where docker keeps each credential:
 * "credHelpers" (per registry) before "credsStore" before "auths". It never writes the file.
 * Of "auths" only the keys are kept and whether an entry holds a secret: glovebox does not
 * use a password docker left in the file (see docs/credentials.md), it only says so. */
#ifndef GB_API_CREDS_DOCKERCFG_H
#define GB_API_CREDS_DOCKERCFG_H

#include <stdbool.h>
#include <stddef.h>

struct dockercfg_helper {
	char *key;        /* normalised with creds_server_key */
	char *helper;     /* "secretservice": docker-credential-secretservice */
};

struct dockercfg_auth {
	char *key;        /* normalised with creds_server_key */
	bool has_secret;  /* "auth", "identitytoken", "registrytoken" or "password" is non-empty */
};

struct dockercfg {
	char *path;                       /* the file read (or looked for) */
	bool exists;
	char *creds_store;                /* NULL when unset */
	bool store_detected;              /* not in the file: docker picks creds_store by itself */
	struct dockercfg_helper *helpers; size_t n_helpers;
	struct dockercfg_auth *auths; size_t n_auths;
};

/* $DOCKER_CONFIG/config.json, else $HOME/.docker/config.json (HOME from the password database
 * when unset). New string. */
char *dockercfg_path(void);

/* Parse the text of a config.json. Unknown keys are ignored (it is docker's file); a value of
 * the wrong type in one of the three keys is an error. Returns 0, or -1 with *err. */
int dockercfg_parse(const char *json, size_t len, struct dockercfg *out, char **err);

/* Read path (NULL: dockercfg_path()). A missing file is no error: exists is false and the
 * rest empty. Without a credsStore, docker picks a helper by itself, as its CLI does
 * (credentials.DetectDefaultStore): "pass" when `pass` is on PATH, else "secretservice",
 * provided docker-credential-<it> is on PATH; creds_store then names it and store_detected is
 * set. Returns 0, or -1 with *err (unreadable, not JSON). */
int dockercfg_load(const char *path, struct dockercfg *out, char **err);

void dockercfg_clear(struct dockercfg *c);

enum dockercfg_store {
	DOCKERCFG_NONE,            /* docker has no credentials for this registry */
	DOCKERCFG_SECRETSERVICE,   /* docker-credential-secretservice: shared with glovebox */
	DOCKERCFG_OTHER_HELPER,    /* another helper (pass, desktop, ...): not seen by glovebox */
	DOCKERCFG_FILE,            /* in config.json itself, in plain text */
};

/* Where docker reads and writes the credentials for server (any form creds_server_key takes),
 * in docker's order: credHelpers, credsStore, auths. *helper (borrowed, may be NULL) names
 * the helper for the two helper cases. */
enum dockercfg_store dockercfg_store_for(const struct dockercfg *c, const char *server,
                                         const char **helper);

/* The registries docker knows a login for (auths and credHelpers keys, each once, in file
 * order). Borrowed strings in a new array of *n entries (free the array only). */
const char **dockercfg_registries(const struct dockercfg *c, size_t *n);

#endif
