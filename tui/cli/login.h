/* glovebox login, logout, and the registry credentials glovebox submit sends (tui/cli/login.c).
 * See docs/credentials.md. */
#ifndef GB_TUI_CLI_LOGIN_H
#define GB_TUI_CLI_LOGIN_H

#include "tui/cli/cli.h"

/* Read a password or token into a secmem buffer: from fd until EOF (one trailing newline
 * removed, as docker login --password-stdin does) or, when fd is a terminal, one line typed
 * without echo after prompt. Returns NULL with *err (owned) on failure or when aborted. */
char *login_read_secret(int fd, const char *prompt, char **err);

/* For glovebox submit: the X-Registry-Auth value (a secmem string: free it with secmem_free)
 * for images on registry, or NULL when there are no credentials for it. With user, the
 * credentials are user and *password (a secmem string, consumed); otherwise they come from
 * the keyring. When the keyring could not be asked, *note says why (owned), for the message
 * shown if the registry then refuses the image. */
char *login_registry_auth(const char *registry, const char *user, char **password, char **note);

/* Whether registry credentials may be sent to the engine of this command (--host,
 * DOCKER_HOST; endpoint_secure_for_secrets): 0 when they may; otherwise prints the refusal and
 * returns GB_EXIT_ERROR, or GB_EXIT_USAGE when the endpoint cannot be resolved. Needs no
 * connection: call it before a password is asked for. */
int login_check_endpoint(struct session *cli);

/* What to print when submitting failed because the registry wanted credentials: had_auth
 * says whether some were sent, note is login_registry_auth's. Printed with cli_error. */
void login_explain_refusal(const char *registry, bool had_auth, const char *note);

#endif
