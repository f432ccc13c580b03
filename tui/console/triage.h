/* Triage in the console: who uses it, and the actions on a job (remove, pause and resume)
 * with their confirmation box.
 *
 * Role. Worked out once, as the commands do (api/core/roles.h who_apply_policy): root is an
 * admin at once; anyone else needs the admin_group of the policy that governs, read without
 * blocking once the engine has answered (api/swarm/policy_fetch.h: a named file only when it
 * is trusted, else the swarm's). Until then, and without a policy, the account is a
 * researcher; the jobs are rebuilt when the role changes.
 *
 * Actions. triage_remove and triage_scale check actor_may; a removal opens a modal box that
 * asks for confirmation, with a reason field when the job is not the actor's own (an admin's
 * action on another user's job, or on a service not made by glovebox); scaling asks only for
 * that reason. The action (api/swarm/actions.h: audit record first, then the
 * change) runs from the event loop: triage_tick() after engine_poll, triage_wait_ms() in the
 * loop's timeout. Progress and the outcome go to the status line. One action at a time. */
#ifndef GB_TUI_CONSOLE_TRIAGE_H
#define GB_TUI_CONSOLE_TRIAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <wchar.h>

#include "api/core/attention.h"
#include "api/core/roles.h"
#include "widgets/keys.h"
#include "widgets/widget.h"

struct app;
struct triage;

/* Reads the password database at once; nothing on the network. */
struct triage *triage_new(struct app *a);
/* Abandons an action in flight (the engine may still finish the request it has). */
void triage_free(struct triage **t);

const struct actor *triage_actor(const struct triage *t);
/* Whether the role is settled (false while the swarm's policy is still being read). */
bool triage_role_known(const struct triage *t);
/* The policy the role came from (borrowed, valid until triage_free), or NULL while it is being
 * read and when there is none: the log pager reads researcher_logs from it. */
const struct policy *triage_policy(const struct triage *t);

/* After each change of the cluster data: the swarm's policy is asked for once the engine is
 * negotiated. (The restart history is the jobview's: jobview_history.) */
void triage_data_changed(struct triage *t);

/* Once per loop turn: goes on with a pausing action and frees a finished one. */
void triage_tick(struct triage *t);
/* Milliseconds until triage_tick has something to do; -1 when it waits only on the engine. */
int triage_wait_ms(const struct triage *t);
/* Whether an action is in flight. */
bool triage_busy(const struct triage *t);

/* The actions on a job, for its keys (x, p) and the commands (:rm, :scale): checked against
 * the role (a refusal is said on the status line), then the confirmation box or the action.
 * service_id is a job of a->jobs, found there by the caller ("that job is gone" when it is no
 * longer there). */
void triage_remove(struct app *a, const char *service_id);   /* asks first */
void triage_scale(struct app *a, const char *service_id, uint64_t replicas);

/* The confirmation box: while open it takes every key. */
bool triage_box_open(const struct triage *t);
void triage_box_place(struct triage *t, struct rect area);
void triage_box_draw(struct triage *t);
int triage_box_input(struct triage *t, wint_t ch, bool is_code);

#endif
