/* JSON (jansson) to the structs of model.h.
 * Tolerant of missing optional fields (they stay NULL/0), strict about types: a field that
 * is present with the wrong JSON type is an error that names it ("Spec.Name: expected a
 * string"). Every decoder takes the raw body, returns 0 or -1 with *err (caller frees),
 * overwrites *out without freeing it, and leaves *out cleared on failure. JSON null counts
 * as missing. Timestamps (RFC 3339 with nanoseconds) become unix ns. */
#ifndef GB_API_ENGINE_DECODE_H
#define GB_API_ENGINE_DECODE_H

#include "api/engine/model.h"

int decode_services(const char *json, size_t len, struct service_list *out, char **err);
int decode_tasks(const char *json, size_t len, struct task_list *out, char **err);
int decode_nodes(const char *json, size_t len, struct node_list *out, char **err);
int decode_stats(const char *json, size_t len, struct stats_sample *out, char **err);
int decode_event(const char *json, size_t len, struct event *out, char **err);
int decode_info(const char *json, size_t len, struct engine_info *out, char **err);
int decode_container_state(const char *json, size_t len, struct container_state *out, char **err);

int decode_configs(const char *json, size_t len, struct config_list *out, char **err);

/* GET /distribution/{name}/json: the manifest digest (Descriptor.digest), a new string. */
int decode_distribution_digest(const char *json, size_t len, char **digest, char **err);

/* The reply of a create call: {"ID": ...} (services, configs) or {"Id": ...} (networks).
 * Returns the id (new string), and the Warnings/Warning text joined by "; " in *warnings
 * (new string, NULL when none; warnings may be NULL). */
int decode_created(const char *json, size_t len, char **id, char **warnings, char **err);

/* The engine's error body {"message": "..."}: returns a new string or NULL. */
char *decode_error_message(const char *json, size_t len);

/* "2026-11-22T08:11:44.123456789Z" (or with +hh:mm offset) to unix ns; -1 on error.
 * Go's zero time "0001-01-01T00:00:00Z" gives 0. */
int64_t decode_time(const char *rfc3339);

#endif
