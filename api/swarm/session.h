/* A session with the engine: the global options every command and the console share, and the
 * connection they make from them.
 *
 * Both programs of tui/ (the console and the command line) start from one: main() fills the
 * options from argv, session_connect() resolves the endpoint the docker CLI's way (--host,
 * DOCKER_HOST, TLS files), keeps the setgid group only for its own socket (api/base/priv.h)
 * and creates the engine; nothing goes on the network until someone asks. */
#ifndef GB_API_SWARM_SESSION_H
#define GB_API_SWARM_SESSION_H

#include "api/core/policy.h"
#include "api/engine/endpoint.h"
#include "api/engine/engine.h"
#include "api/metrics/promconf.h"

struct session {
	const char *host;          /* --host, borrowed from argv; NULL = the environment */
	const char *policy_path;   /* --policy, borrowed; NULL = GLOVEBOX_POLICY, the swarm, /etc */
	long timeout_ms;           /* --timeout; 0 = the default (30 s) */
	const char *metrics_url;   /* --metrics, borrowed; NULL = GLOVEBOX_METRICS, the policy */
	enum metrics_from metrics_from;   /* where the engine's "metrics" remote came from */
	struct endpoint ep;
	struct engine *engine;     /* owned, after session_connect */
};

/* Resolve the endpoint and create the engine (no network yet). Usage from Prometheus when
 * --metrics or GLOVEBOX_METRICS names it (the engine's "metrics" remote, which
 * api/swarm/cluster.c uses). Returns 0, or an exit code (GB_EXIT_USAGE for a bad endpoint or
 * metrics URL, GB_EXIT_ERROR) with *err (owned). */
int session_connect(struct session *s, char **err);
void session_close(struct session *s);

/* The metrics settings again, now with the policy that governs (p may be NULL): the policy's
 * URL when neither --metrics nor GLOVEBOX_METRICS is set, and the policy's CA file and
 * credentials file when the URL is the policy's (api/metrics/promconf.h). The credentials
 * file is read only when the policy is trusted or the caller is root. Returns 0, or -1 with
 * *err (owned); then the engine keeps what it had (usage from the engine when that was
 * nothing). Call before the cluster samples usage. */
int session_metrics_policy(struct session *s, const struct policy *p, char **err);

/* The policy file the user named: --policy, else $GLOVEBOX_POLICY; NULL when none. Borrowed.
 * Whether it governs anything is policy_fetch's to say (api/swarm/policy_fetch.h). */
const char *session_policy_file(const struct session *s);

#endif
