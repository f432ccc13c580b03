/* Prometheus HTTP API v1 replies, decoded: pure functions over the reply's bytes, so they are
 * unit-tested on fixture JSON (tests/unit/test_promdecode.c).
 *
 *   api/metrics/promdecode.{c,h}  replies of /api/v1/query and /api/v1/query_range, container IDs
 *   api/metrics/promusage.{c,h}   the usage round: its one query, and its result as figures
 *   api/metrics/promconf.{c,h}    where the settings come from: --metrics, env, the policy
 *   api/metrics/prom.{c,h}        the client, asynchronous on the engine's loop
 *
 * Nothing here trusts the reply: sizes are bounded by the client, every field is type-checked,
 * and text from it (error messages) is sanitised before it goes into a message. */
#ifndef GB_API_METRICS_PROMDECODE_H
#define GB_API_METRICS_PROMDECODE_H

#include <stdbool.h>
#include <stddef.h>

enum prom_type { PROM_VECTOR, PROM_MATRIX, PROM_SCALAR, PROM_STRING };

struct prom_label { char *name, *value; };                /* owned */
struct prom_point { double t, v; };                        /* unix seconds; v may be NaN or inf */

struct prom_series {
	struct prom_label *labels; size_t n_labels;            /* the metric's labels, __name__ included */
	struct prom_point *points; size_t n_points;            /* vector and scalar: one point */
};

struct prom_result {
	enum prom_type type;
	struct prom_series *v; size_t n;                       /* scalar: one series without labels */
};

/* Decode a reply of an instant or range query. status: the HTTP status; content_type: the
 * Content-Type header or NULL. Returns 0 with *out (clear it with prom_result_clear), or -1
 * with *err (owned), one sentence:
 *   - {"status":"error","errorType":T,"error":E} (any HTTP status): "Prometheus refused the
 *     query (T): E";
 *   - a reply that is not a Prometheus API answer (HTML, plain text, other JSON): "the reply
 *     does not look like a Prometheus API (got text/html, HTTP 200): ..." - one message,
 *     whatever the page said;
 *   - 401/403 without a Prometheus body: the credentials were refused;
 *   - a "success" whose data is malformed: what is wrong. */
int prom_decode(long status, const char *content_type, const char *body, size_t len,
                struct prom_result *out, char **err);

void prom_result_clear(struct prom_result *r);

/* The value of label name of s, or NULL. Borrowed. */
const char *prom_series_label(const struct prom_series *s, const char *name);

/* The Docker container ID in a cgroup path (the `id` label of cAdvisor's and `glovebox
 * collect`'s metrics): its last element must be exactly 64 lower-case hex digits, bare
 * ("/docker/<id>", "/<parent>/<id>") or as a systemd scope ("/system.slice/docker-<id>.scope").
 * Anything else ("/", "/docker", "/docker/<id>/init", short or upper-case IDs) is not a
 * container: returns false. out gets the ID and its NUL. */
bool prom_container_id(const char *cgroup_path, char out[65]);

#endif
