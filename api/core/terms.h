/* Data-use terms and their acceptance records.
 *
 * The record of an acceptance is a small JSON document stored in the swarm as an immutable
 * config (so it cannot be edited afterwards), named "glovebox-consent-<user>-<unix time>-<sha8>"
 * and labelled so it can be listed per user (docs/terms.md). */
#ifndef GB_API_CORE_TERMS_H
#define GB_API_CORE_TERMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "api/engine/model.h"

/* Lowercase hex SHA-256 of len bytes (GLib's GChecksum). New string. */
char *sha256_hex(const char *data, size_t len);

/* The JSON text of a record kept as a config (an acceptance, an audit record) as an object,
 * refused when a key is duplicated (the record would say two things). New reference, or NULL
 * with *err "<what>: not valid JSON (line N: ...)" or "<what>: not a JSON object". */
json_t *record_json_load(const char *json, size_t len, const char *what, char **err);

struct consent {
	char *user;                 /* Unix account from the password database */
	char *terms_version;
	char *terms_sha256;         /* of the exact text shown */
	char *terms_text;           /* the text itself, so a later change can be shown as a diff */
	char **datasets; size_t n_datasets;
	char *class_name;
	char *purpose;              /* one line */
	int64_t time;               /* unix seconds, UTC */
	char *host;                 /* where glovebox ran */
	char *glovebox_version;
};

/* The record as JSON (keys: user, terms_version, terms_sha256, terms_text, datasets, class,
 * purpose, time (ISO 8601 UTC), host, glovebox_version). New string; NULL when c is not a
 * record consent_from_json would accept (a field NULL or not UTF-8, a blank or multi-line
 * purpose, terms_sha256 not that of terms_text) or is too big for a swarm config. */
char *consent_to_json(const struct consent *c);
/* Parse a record back; -1 with *err when it is not one. */
int consent_from_json(const char *json, size_t len, struct consent *out, char **err);
void consent_clear(struct consent *c);

/* The swarm config name for a record, and its labels as a JSON object text
 * {"glovebox.consent":"1","glovebox.user":...,"glovebox.terms-sha256":...}. New strings;
 * the labels are NULL when one of those fields is NULL or not UTF-8. */
char *consent_config_name(const struct consent *c);
char *consent_config_labels(const struct consent *c);

/* The acceptances of user among the configs l. l is listed by label, and labels can be set by
 * anyone who can create a config: only each record's data counts, and a record whose data
 * names another user is passed over, whatever its labels say. *accepted (owned; NULL when
 * none): the name of a record of user's for the terms with SHA-256 sha. *last: user's newest
 * record (by the swarm's creation time), for what changed since; *has_last whether there is
 * one (then consent_clear it). */
void consent_find(const struct config_list *l, const char *user, const char *sha,
                  char **accepted, struct consent *last, bool *has_last);

/* What changed between two versions of the terms, as a unified-style line diff ("- old line",
 * "+ new line", unchanged lines as "  line", with at most context lines of context around
 * changes and "..." between hunks). New string; "" when the texts are equal. */
char *terms_diff(const char *old_text, const char *new_text, int context);

#endif
