/* The console's login dialog (key L): registry, user name and a masked password, checked with
 * the registry through the engine (POST /auth), then kept in the keyring; when no keyring can
 * be used, it offers to keep them in the app's session cache (a->creds) instead, wiped when
 * the console ends. Every step is asynchronous: the engine loop drives the check, the keyring
 * fd drives the store; nothing here waits.
 *
 * The password lives in a secmem buffer and is drawn as one '*' per character; it is wiped
 * as soon as the credentials have been built from it, and when the dialog closes.
 *
 * For other screens (the new-job form): a->keyring and a->creds are the app's; look up a
 * registry's credentials with creds_find(a->creds, registry) first (this session's), then
 * keyring_lookup(a->keyring, registry, done, ud), and pass cred_registry_auth() of what is
 * found as submit_args.registry_auth (then secmem_free it). app_open_login(a, registry)
 * opens this dialog for a registry that refused the image. */
#ifndef GB_TUI_SCREEN_LOGIN_H
#define GB_TUI_SCREEN_LOGIN_H

#include <stdbool.h>
#include <wchar.h>

#include "widgets/keys.h"
#include "widgets/widget.h"

struct app;
struct login_screen;

/* registry: the field's first value, or NULL. Asks the keyring for its state at once. */
struct login_screen *login_screen_new(struct app *a, const char *registry);
/* Cancels whatever is in flight and wipes the password. */
void login_screen_free(struct login_screen **s);
void login_screen_place(struct login_screen *s, struct rect area);
void login_screen_draw(struct login_screen *s);
/* Every key goes here while the dialog is open (it is modal). Returns WR_DONE when it closed
 * itself: the owner then frees it. */
int login_screen_input(struct login_screen *s, wint_t ch, bool is_code);

/* Open the dialog (replacing an open one), the registry field set to registry (may be NULL). */
void app_open_login(struct app *a, const char *registry);

extern const struct keybinding login_keys[];

#endif
