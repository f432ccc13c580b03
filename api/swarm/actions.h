/* Actions on jobs and nodes, asynchronously through the engine (engine.h), each a short
 * sequence with nothing to roll back:
 *
 *   remove a job   audit record; DELETE /services/{id}; then its networks (labelled
 *                  glovebox.job=<name> and glovebox.owner=<owner>): a network cannot be deleted
 *                  while the job's tasks still use it, so each DELETE is retried with backoff
 *                  (250 ms doubling to 2 s) until a deadline (30 s); a network still there then
 *                  is reported as a warning, the job itself is gone
 *   scale a job    GET /services/{id}; audit record; POST /services/{id}/update?version=N with
 *                  the full spec, Mode.Replicated.Replicas changed
 *   node           GET /nodes/{id}; audit record; POST /nodes/{id}/update?version=N with the
 *                  full NodeSpec, Availability changed (pause, active or drain)
 * An update answered with 500 "update out of sequence" (someone else changed the object
 * between our read and write) is read again and retried, up to 5 times.
 *
 * The audit record is written before the change, never after: an action that fails halfway,
 * or whose reply is lost, is still on record, and no change happens without one (when the
 * record cannot be stored, nothing is done). So a record says what glovebox was asked to do
 * and started, not that it succeeded; the outcome is in the cluster. The record is written
 * once per action, however many times an update is retried. For scale and node actions it
 * follows the read, so it can say what changed ("replicas 1 -> 0") and a missing target
 * leaves no record.
 *
 * The owner of the loop drives the engine (engine_poll) and, for the network retries, calls
 * action_tick() once it is due (action_wait_ms() says when): nothing here blocks or sleeps. */
#ifndef GB_API_SWARM_ACTIONS_H
#define GB_API_SWARM_ACTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "api/engine/engine.h"
#include "api/swarm/audit.h"

struct action;

struct action_result {
	bool ok;                   /* the change itself was made */
	const char *error;         /* a sentence when !ok */
	bool unreachable;          /* the engine could not be reached */
	bool not_found;            /* the service or node is not there (404) */
	const char *audit_config;  /* the record's config name; NULL when none was written */
	const char *warning;       /* ok, but something was left behind (a network); or NULL */
	const char *detail;        /* what changed, "replicas 1 -> 0", or NULL */
};

/* Borrowed strings, valid during the call. done is called exactly once; it may run before the
 * action_*() call that started the action returns (when the record is refused). Never free
 * the action from inside done. */
typedef void (*action_progress_fn)(void *ud, const char *step);
typedef void (*action_done_fn)(void *ud, const struct action_result *r);

struct action_opts {
	int64_t network_timeout_ms;   /* keep trying to remove the network this long; 0 = 30000 */
	int64_t backoff_ms;           /* first pause between tries; 0 = 250 */
	unsigned update_attempts;     /* updates tried on "update out of sequence"; 0 = 5 */
	bool no_audit;                /* write no record (tests only) */
};

/* rec is copied. Its target is the service name, target_id the service ID, owner the job's
 * glovebox.owner (NULL: not made by glovebox, so no network is looked for); its action is
 * AUDIT_RM or AUDIT_REAP. opts may be NULL. Needs a negotiated engine. */
struct action *action_remove_job(struct engine *e, const struct audit_record *rec,
                                 const struct action_opts *opts, action_progress_fn progress,
                                 action_done_fn done, void *ud);

/* rec->action is AUDIT_SCALE; the record's detail is filled in from the service when NULL. */
struct action *action_scale_job(struct engine *e, const struct audit_record *rec, uint64_t replicas,
                                const struct action_opts *opts, action_progress_fn progress,
                                action_done_fn done, void *ud);

/* rec->action is AUDIT_PAUSE_NODE, AUDIT_ACTIVATE_NODE or AUDIT_DRAIN_NODE; target is the
 * node's hostname, target_id its ID. */
struct action *action_node_availability(struct engine *e, const struct audit_record *rec,
                                        const struct action_opts *opts, action_progress_fn progress,
                                        action_done_fn done, void *ud);

/* "pause", "active", "drain" for the node actions; NULL for the others. */
const char *node_availability_for(enum audit_action act);

/* When the action wants action_tick() (CLOCK_MONOTONIC ns); 0 when it waits only on the
 * engine or has finished. */
int64_t action_wake_at(const struct action *a);
/* Go on after a pause; does nothing before action_wake_at(). now: CLOCK_MONOTONIC ns. */
void action_tick(struct action *a, int64_t now_mono_ns);
bool action_finished(const struct action *a);
/* For the owner's poll timeout: milliseconds until action_tick() is due (rounded up; 0 when
 * it is due or the action has finished), or -1 when it waits only on the engine. */
int action_wait_ms(const struct action *a, int64_t now_mono_ns);
/* After done, or to abandon it (the request in flight is cancelled; done is not called). */
void action_free(struct action **a);

/* ---- pure helpers, exposed for tests ---- */

/* From GET /services/{id}: the Spec with Mode.Replicated.Replicas set to replicas, as JSON
 * (new string), Version.Index in *version and the replicas before in *old_replicas. NULL with
 * *err (owned) for a reply without Version.Index or Spec, or a service that is not replicated. */
char *service_spec_scaled(const char *service_json, size_t len, uint64_t replicas,
                          uint64_t *version, uint64_t *old_replicas, char **err);

/* From GET /nodes/{id}: the Spec with Availability set, as JSON (new string), Version.Index
 * in *version and the availability before in *old_availability (owned). NULL with *err. */
char *node_spec_with_availability(const char *node_json, size_t len, const char *availability,
                                  uint64_t *version, char **old_availability, char **err);

/* Whether an update reply is swarmkit's "update out of sequence" (a 500). */
bool reply_out_of_sequence(long status, const char *body, const char *error);

#endif
