/* What glovebox keeps in the swarm, as configs (immutable, replicated by the managers):
 *   policy      "glovebox-policy-<sha8>"   labels glovebox.policy=1, glovebox.terms-config=<name>
 *   terms       "glovebox-terms-<sha8>"    labels glovebox.terms=1, glovebox.terms-sha256, .terms-version
 *   acceptance  "glovebox-consent-..."     labels glovebox.consent=1, glovebox.user, glovebox.terms-sha256
 * Every client of the cluster sees the same rules and the same records. */
#ifndef GB_API_SWARM_STORE_H
#define GB_API_SWARM_STORE_H

#include <stdbool.h>

#include "api/core/policy.h"
#include "api/engine/engine.h"
#include "api/engine/model.h"

/* l is borrowed during the call; error is NULL on success. */
typedef void (*configs_fn)(void *ud, const struct config_list *l, const char *error, bool unreachable);

/* GET /configs filtered by one or two labels ("glovebox.policy", "glovebox.user=alice"); both
 * must match. label2 may be NULL. */
struct engine_req *configs_list(struct engine *e, const char *label1, const char *label2,
                                configs_fn fn, void *ud);
/* The same, with what naming the request in errors ("listing the audit records");
 * configs_list says "listing swarm configs". */
struct engine_req *configs_list_for(struct engine *e, const char *what, const char *label1,
                                    const char *label2, configs_fn fn, void *ud);

/* Stop a configs_list request before it answered; fn is not called. */
void configs_list_cancel(struct engine *e, struct engine_req *r);

/* The newest config in l (by creation time), or NULL. */
const struct swarm_config *configs_newest(const struct config_list *l);
/* The config named name, or NULL. */
const struct swarm_config *configs_named(const struct config_list *l, const char *name);

/* POST /configs/create bodies for publishing: the terms (text as is) and the policy (the
 * file's JSON as is, pointing at the terms config). New strings; *name gets the config name. */
char *publish_terms_body(const struct policy *p, char **name);
char *publish_policy_body(const char *policy_json, size_t len, const char *terms_config, char **name);

#endif
