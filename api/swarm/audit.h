/* The audit log: one immutable record for every action glovebox takes on a job or a node.
 *
 * A record is a small JSON document stored in the swarm as a config (configs cannot be
 * edited, only deleted, and only by someone with manager access), named
 *   glovebox-audit-<unix time>-<action>-<target...>-<sha8>
 * and labelled glovebox.audit=1, glovebox.actor, glovebox.action, glovebox.target (and
 * glovebox.target-owner when the target has one), so it can be listed and filtered
 * (docs/admin-guide.md). Labels can be changed by any manager; readers trust the data. */
#ifndef GB_API_SWARM_AUDIT_H
#define GB_API_SWARM_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/core/roles.h"
#include "api/engine/engine.h"
#include "api/engine/model.h"

enum audit_action {
	AUDIT_RM,              /* a job removed by a person */
	AUDIT_SCALE,           /* a job scaled (paused at 0, resumed at 1) */
	AUDIT_PAUSE_NODE,
	AUDIT_ACTIVATE_NODE,
	AUDIT_DRAIN_NODE,
	AUDIT_REAP,            /* an expired job removed by glovebox reap */
	AUDIT_PUBLISH_POLICY,  /* a policy published: target its config, target_id its SHA-256 */
	AUDIT_N
};

/* "rm", "scale", "pause-node", "activate-node", "drain-node", "reap", "publish-policy". */
const char *audit_action_name(enum audit_action a);
/* The reverse; -1 for an unknown name. */
int audit_action_parse(const char *name, enum audit_action *out);
/* Whether the action's target is a node (else a job). */
bool audit_action_on_node(enum audit_action a);

/* Longest reason kept, in bytes. */
#define AUDIT_REASON_MAX 1000

struct audit_record {
	char *who;                 /* account that acted, from the password database */
	enum audit_action action;
	char *target;              /* job (service) or node name */
	char *target_id;           /* service or node ID */
	char *owner;               /* the job's glovebox.owner; NULL for nodes and for services not made by glovebox */
	char *reason;              /* NULL when none was given */
	char *detail;              /* what changed, "replicas 1 -> 0"; NULL when nothing to add */
	int64_t time;              /* unix seconds, UTC */
	char *host;                /* where glovebox ran */
	char *glovebox_version;
};

/* A reason must be one line of UTF-8, not blank, at most AUDIT_REASON_MAX bytes.
 * Returns 0, or -1 with *err (owned). */
int audit_reason_check(const char *reason, char **err);

/* The record as JSON: keys who, action, target, target_id, owner, reason, detail, time
 * (ISO 8601 UTC), host, glovebox_version; owner, reason and detail are null when NULL.
 * New string; NULL when r is not a record audit_from_json would accept (a required field
 * NULL, empty or not UTF-8, a bad reason or time, a multi-line detail). */
char *audit_to_json(const struct audit_record *r);
/* Parse a record back; -1 with *err (owned) when it is not one. */
int audit_from_json(const char *json, size_t len, struct audit_record *out, char **err);
void audit_clear(struct audit_record *r);
/* A record of an action now: every string copied (owner and reason may be NULL), the time
 * now, host this machine's name ("unknown" when it has none), this glovebox's version. */
void audit_record_init(struct audit_record *r, const char *who, enum audit_action act,
                       const char *target, const char *target_id, const char *owner,
                       const char *reason);
/* A deep copy. */
void audit_copy(struct audit_record *dst, const struct audit_record *src);

/* The config name (<= 64 characters of [a-zA-Z0-9_.-]; other characters of the target become
 * '-', a long target is shortened; the last 8 hex digits are of the record's SHA-256, so two
 * different records never share a name and the same record always gets the same one). */
char *audit_config_name(const struct audit_record *r);
/* The body of POST /configs/create for the record: name, labels, base64 data. New string,
 * *name (owned) gets the config name; NULL when audit_to_json() refuses the record. */
char *audit_config_body(const struct audit_record *r, char **name);

/* Records read back from the swarm. */
struct audit_entry {
	struct audit_record rec;
	char *config;              /* the config's name */
	int64_t created_ns;        /* when the swarm stored it */
};

struct audit_log {
	struct audit_entry *v;
	size_t n;
	size_t unreadable;         /* configs labelled as records whose data is not one */
};

/* Parse every config of l (those labelled glovebox.audit), newest first (record time, then
 * the config's creation, then name). */
void audit_log_from_configs(const struct config_list *l, struct audit_log *out);
/* Keep what a may read: admins everything; others the records they made and those about
 * their own jobs (by the record's owner). */
void audit_log_filter(struct audit_log *l, const struct actor *a);
void audit_log_clear(struct audit_log *l);

/* The `glovebox audit --json` document: an array of the records' objects (audit_to_json's
 * keys) with "config" added. ascii escapes non-ASCII. New string. */
char *audit_log_json(const struct audit_log *l, bool pretty, bool ascii);

/* Listing the records (GET /configs filtered by glovebox.audit=1), asynchronously: fn is
 * called once, with the log borrowed during the call (newest first, not filtered) and error
 * NULL, or with an empty log and error set. */
typedef void (*audit_list_fn)(void *ud, const struct audit_log *l, const char *error, bool unreachable);
struct audit_query;
/* Needs a negotiated engine. Never NULL. */
struct audit_query *audit_query_start(struct engine *e, audit_list_fn fn, void *ud);
/* After fn ran, or to abandon the query (the request is cancelled, fn is not called). */
void audit_query_free(struct audit_query **q);

#endif
