/* The Prometheus client: HTTP API v1 instant and range queries, asynchronous on the engine's
 * curl multi loop (api/engine/engine.h, engine_remote_get), so whoever drives engine_poll()
 * drives these too; nothing here waits. Every request has a connect timeout, a total timeout
 * and a reply cap (the remote's, else PROM_* below). */
#ifndef GB_API_METRICS_PROM_H
#define GB_API_METRICS_PROM_H

#include <stdint.h>

#include "api/engine/engine.h"
#include "api/metrics/promdecode.h"

#define PROM_CONNECT_TIMEOUT_MS 3000
#define PROM_TIMEOUT_MS         10000
#define PROM_MAX_BODY           ((size_t)16 << 20)

struct prom;
struct prom_req;

/* The result, or err (a sentence naming Prometheus and its URL) with r NULL. Both borrowed,
 * valid during the call. Called once per request unless cancelled; may start or cancel
 * others. */
typedef void (*prom_done_fn)(void *ud, const struct prom_result *r, const char *err,
                             bool unreachable);

/* e borrowed (must outlive the client); rm copied. Never NULL. */
struct prom *prom_new(struct engine *e, const struct engine_remote *rm);
/* Cancels the requests in flight without calling back. */
void prom_free(struct prom **p);

const char *prom_url(const struct prom *p);

/* GET /api/v1/query?query=Q (at the server's now). what names it for messages. */
struct prom_req *prom_query(struct prom *p, const char *promql, const char *what,
                            prom_done_fn done, void *ud);
/* GET /api/v1/query_range?query=Q&start=S&end=E&step=STEP (unix seconds). */
struct prom_req *prom_query_range(struct prom *p, const char *promql, int64_t start,
                                  int64_t end, int64_t step, const char *what,
                                  prom_done_fn done, void *ud);
/* Stop a request in flight; done is not called. */
void prom_cancel(struct prom *p, struct prom_req *r);

/* The URL-encoded form of s (RFC 3986 unreserved kept). New string. */
char *prom_urlencode(const char *s);

#endif
