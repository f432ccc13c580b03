/* The commands of roles, triage and admin actions (tui/cmd_admin.c), and who runs glovebox,
 * which `glovebox ls` shares. */
#ifndef GB_TUI_CMD_ADMIN_H
#define GB_TUI_CMD_ADMIN_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "api/swarm/cluster.h"
#include "api/core/identity.h"
#include "api/core/policy.h"
#include "api/core/roles.h"
#include "tui/cli/cli.h"


/* Root is an admin without a policy. Anyone else needs the admin_group of the policy that
 * governs (cli_policy: the swarm's, or a file only root can change). Without a policy the
 * account acts as a researcher: its own jobs only. Needs a negotiated engine for accounts
 * other than root. Returns 0, or an exit code after printing why (no password entry, engine
 * unreachable). */
int who_establish(struct session *cli, struct who *w);

/* Write prefix and s to f, s sanitised for a terminal, then a newline. */
void put_sanitised(FILE *f, const char *prefix, const char *s);

/* Fetch the cluster (info, services, tasks, nodes) and, with inspect, the final state of the
 * failed containers on the connected node (OOM kills). Returns 0 with *out (free with
 * cluster_free), or an exit code after printing the error. */
int cli_cluster(struct session *cli, bool inspect, struct cluster **out);


/* Print a table of sanitised cells (row-major, nrows x ncols) under headers, columns
 * separated by two spaces; widths are capped by max_width (0 = none). On a terminal the last
 * column is cut to what is left of the line. */
void table_print(const char *const *headers, const size_t *max_width, size_t ncols,
                 char *const *cells, size_t nrows, bool tty);

/* A JSON document for stdout: pretty, and all non-ASCII escaped when stdout is a terminal
 * (JSON escapes C0 controls but not DEL or C1). Steals j. */
void json_print(json_t *j);

int cmd_ps(struct session *cli, int argc, char **argv);
int cmd_nodes(struct session *cli, int argc, char **argv);
int cmd_node(struct session *cli, int argc, char **argv);
int cmd_rm(struct session *cli, int argc, char **argv);
int cmd_scale(struct session *cli, int argc, char **argv);
int cmd_audit(struct session *cli, int argc, char **argv);
int cmd_reap(struct session *cli, int argc, char **argv);

#endif
