/* The console's login dialog (key L, :login): registry, user name and a masked password,
 * checked with the registry through the engine (POST /auth), then kept in the keyring; when
 * no keyring can be used, it offers to keep them in the app's session cache (a->creds)
 * instead, wiped when the console ends. Every step is asynchronous: the engine loop drives
 * the check, the keyring fd drives the store; nothing here waits.
 *
 * A modal overlay, not a screen on the stack (screen.h): it is a box over part of whatever
 * screen is shown, which stays visible under it and keeps its state (the new-job form opens
 * it when a registry refused the image, and its submission goes on being the form's); a
 * screen would take the body, the key bar and the stack's place of the one it helps, and
 * the form, which pops everything above the jobs list, could not be under it. The app draws
 * it after the screen and gives it every key while it is open (a->login).
 *
 * The password lives in a secmem buffer and is drawn as one '*' per character; it is wiped
 * as soon as the credentials have been built from it, and when the dialog closes.
 *
 * For other screens (the new-job form): a->keyring and a->creds are the app's; look up a
 * registry's credentials with creds_find(a->creds, registry) first (this session's), then
 * keyring_lookup(a->keyring, registry, done, ud), and pass cred_registry_auth() of what is
 * found as submit_args.registry_auth (then secmem_free it). login_dialog_open(a, registry)
 * opens this dialog for a registry that refused the image. */
#ifndef GB_TUI_CONSOLE_LOGIN_H
#define GB_TUI_CONSOLE_LOGIN_H

#include <stdbool.h>
#include <wchar.h>

#include "widgets/keys.h"
#include "widgets/widget.h"

struct app;
struct login_dialog;

/* registry: the field's first value, or NULL. Asks the keyring for its state at once. */
struct login_dialog *login_dialog_new(struct app *a, const char *registry);
/* Cancels whatever is in flight and wipes the password. */
void login_dialog_free(struct login_dialog **s);
void login_dialog_place(struct login_dialog *s, struct rect area);
void login_dialog_draw(struct login_dialog *s);
/* Every key goes here while the dialog is open (it is modal). Returns WR_DONE when it closed
 * itself: the owner then frees it. */
int login_dialog_input(struct login_dialog *s, wint_t ch, bool is_code);

/* Open the dialog (replacing an open one), the registry field set to registry (may be NULL). */
void login_dialog_open(struct app *a, const char *registry);

extern const struct keybinding login_keys[];

#endif
