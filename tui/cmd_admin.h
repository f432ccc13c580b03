/* The commands of roles, triage and admin actions (tui/cmd_admin.c), and who runs glovebox,
 * which `glovebox ls` shares. */
#ifndef GB_TUI_CMD_ADMIN_H
#define GB_TUI_CMD_ADMIN_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "api/cluster.h"
#include "api/identity.h"
#include "api/policy.h"
#include "api/roles.h"
#include "tui/cli.h"

/* Who runs glovebox and in which role. */
struct who {
	struct whoami me;
	struct actor actor;          /* user borrowed from me */
	const char *admin_group;     /* borrowed from pol; NULL without a trusted policy */
	bool have_policy;
	struct policy pol;           /* when have_policy */
};

/* Root is an admin without a policy. Anyone else needs the admin_group of the policy that
 * governs (cli_policy: the swarm's, or a file only root can change). Without a policy the
 * account acts as a researcher: its own jobs only. Needs a negotiated engine for accounts
 * other than root. Returns 0, or an exit code after printing why (no password entry, engine
 * unreachable). */
int who_establish(struct cli *cli, struct who *w);
/* The role w->pol grants (have_policy set, me and actor filled in): sets admin_group and
 * actor.role. */
void who_apply_policy(struct who *w);
void who_clear(struct who *w);
/* who_establish's first step, for the console, which must not block: the account (root is an
 * admin at once); -1 with *err (owned) when it has no password entry. The console then reads
 * w->pol with policy_fetch, sets have_policy and calls who_apply_policy(). */
int who_begin(struct who *w, char **err);
/* "only admins (root and members of group G) may <what>", or why only root is one. Owned. */
char *who_denied_text(const struct who *w, const char *what);

/* Write prefix and s to f, s sanitised for a terminal, then a newline. */
void put_sanitised(FILE *f, const char *prefix, const char *s);

/* Fetch the cluster (info, services, tasks, nodes) and, with inspect, the final state of the
 * failed containers on the connected node (OOM kills). Returns 0 with *out (free with
 * cluster_free), or an exit code after printing the error. */
int cli_cluster(struct cli *cli, bool inspect, struct cluster **out);

/* The job called name: an exact name, else an exact ID, else a unique ID prefix. NULL with
 * *err (owned) when there is none or the prefix is ambiguous. */
const struct job *job_find(const struct job_list *jobs, const char *name, char **err);

/* The node called name: its host name or ID, else a unique ID prefix. NULL with *err (owned)
 * when the name or prefix is ambiguous; NULL with *err NULL when nothing matches. */
const struct node *node_find(const struct node_list *nodes, const char *name, char **err);

/* Print a table of sanitised cells (row-major, nrows x ncols) under headers, columns
 * separated by two spaces; widths are capped by max_width (0 = none). On a terminal the last
 * column is cut to what is left of the line. */
void table_print(const char *const *headers, const size_t *max_width, size_t ncols,
                 char *const *cells, size_t nrows, bool tty);

/* A JSON document for stdout: pretty, and all non-ASCII escaped when stdout is a terminal
 * (JSON escapes C0 controls but not DEL or C1). Steals j. */
void json_print(json_t *j);

int cmd_ps(struct cli *cli, int argc, char **argv);
int cmd_nodes(struct cli *cli, int argc, char **argv);
int cmd_node(struct cli *cli, int argc, char **argv);
int cmd_rm(struct cli *cli, int argc, char **argv);
int cmd_scale(struct cli *cli, int argc, char **argv);
int cmd_audit(struct cli *cli, int argc, char **argv);
int cmd_reap(struct cli *cli, int argc, char **argv);

#endif
