/* Where the policy comes from, and which one governs (docs/policy.md).
 *
 * The policy files (read with the trust decided on the file that was read: api/base/trust.h),
 * the policy published in the swarm (configs labelled glovebox.policy, with their terms), and
 * the order that picks the one that governs, for the command line and the console alike. */
#ifndef GB_API_SWARM_POLICY_FETCH_H
#define GB_API_SWARM_POLICY_FETCH_H

#include <stdbool.h>

#include "api/core/policy.h"
#include "api/engine/engine.h"
#include "api/engine/model.h"

/* Read path, parse it, and read the terms file it names into terms_text. The policy is
 * trusted when both files that were read are (api/base/trust.h); otherwise distrust says why.
 * A relative terms.file is beside the policy file that was read (not beside a link to it).
 * policy_parse() alone trusts nothing: whoever hands it text vouches for it. */
int policy_load_file(const char *path, struct policy *out, char **err);

/* The newest published policy out of the policy and terms configs. Returns 0 and fills *out
 * (terms_text included, origin "swarm config <name>"); 1 when none is published; -1 with
 * *err when the newest one is broken (its name in the message). */
int policy_from_configs(const struct config_list *policies, const struct config_list *terms,
                        struct policy *out, char **err);

/* The policy that governs, for an account (root when root is true):
 *   1. the file named by --policy or $GLOVEBOX_POLICY (session_policy_file): it governs when the
 *      account is root or the file is trusted (api/base/trust.h); otherwise it governs nothing,
 *      a notice says so, and the search goes on;
 *   2. the newest policy published in the swarm (only admins publish one);
 *   3. /etc/glovebox/policy.json, on the same terms as 1.
 * A policy that is not trusted never grants a dataset, a class, a registry, a role or logs to
 * an account other than root. */

/* Without blocking: a named file is read at once (then the fetch may already be finished,
 * and done is not called); the swarm's lists need a negotiated engine (e is borrowed), and
 * done (may be NULL) is called from engine_poll() once both answered. */
struct policy_fetch;
struct policy_fetch *policy_fetch_start(struct engine *e, const char *named, bool root,
                                        void (*done)(void *ud), void *ud);
bool policy_fetch_finished(const struct policy_fetch *f);
/* Once finished: 0 with *out (moved out of f: call once), or an exit code with *err (owned);
 * *none when no policy was found at all. */
int policy_fetch_result(struct policy_fetch *f, struct policy *out, bool *none, char **err);
/* The file that was named (or /etc/glovebox/policy.json) but governs nothing, and why: one
 * sentence for the person, or NULL. Borrowed from f. */
const char *policy_fetch_notice(const struct policy_fetch *f);
/* Whether the named file was set aside as untrusted. */
bool policy_fetch_named_refused(const struct policy_fetch *f);
/* Cancels what is still in flight; never call it from done. */
void policy_fetch_free(struct policy_fetch **f);

#endif
