/* The commands that act on jobs and nodes by role: rm, scale, node, reap and audit (admin.c),
 * ps and nodes (triage.c); and who runs glovebox and the cluster as fetched, which
 * `glovebox ls` shares. */
#ifndef GB_TUI_CLI_ADMIN_H
#define GB_TUI_CLI_ADMIN_H

#include <stdbool.h>

#include "api/core/identity.h"
#include "api/core/policy.h"
#include "api/core/roles.h"
#include "api/swarm/cluster.h"
#include "tui/cli/cli.h"
#include "tui/cli/out.h"   /* for ls.c and triage.c, which print through it */

/* Root is an admin without a policy. Anyone else needs the admin_group of the policy that
 * governs (cli_policy: the swarm's, or a file only root can change). Without a policy the
 * account acts as a researcher: its own jobs only. Needs a negotiated engine for accounts
 * other than root. Returns 0, or an exit code after printing why (no password entry, engine
 * unreachable). */
int who_establish(struct session *cli, struct who *w);

/* Fetch the cluster (info, services, tasks, nodes) and, with inspect, the final state of the
 * failed containers on the connected node (OOM kills). Returns 0 with *out (free with
 * cluster_free), or an exit code after printing the error. */
int cli_cluster(struct session *cli, bool inspect, struct cluster **out);

#endif
