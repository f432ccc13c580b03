/* A session with the engine: the global options every command and the console share, and the
 * connection they make from them.
 *
 * Both programs of tui/ (the console and the command line) start from one: main() fills the
 * options from argv, session_connect() resolves the endpoint the docker CLI's way (--host,
 * DOCKER_HOST, TLS files), keeps the setgid group only for its own socket (api/base/priv.h)
 * and creates the engine; nothing goes on the network until someone asks. */
#ifndef GB_API_SWARM_SESSION_H
#define GB_API_SWARM_SESSION_H

#include "api/engine/endpoint.h"
#include "api/engine/engine.h"

struct session {
	const char *host;          /* --host, borrowed from argv; NULL = the environment */
	const char *policy_path;   /* --policy, borrowed; NULL = GLOVEBOX_POLICY, the swarm, /etc */
	long timeout_ms;           /* --timeout; 0 = the default (30 s) */
	struct endpoint ep;
	struct engine *engine;     /* owned, after session_connect */
};

/* Resolve the endpoint and create the engine (no network yet). Returns 0, or an exit code
 * (GB_EXIT_USAGE for a bad endpoint, GB_EXIT_ERROR) with *err (owned). */
int session_connect(struct session *s, char **err);
void session_close(struct session *s);

/* The policy file the user named: --policy, else $GLOVEBOX_POLICY; NULL when none. Borrowed.
 * Whether it governs anything is policy_fetch's to say (api/swarm/policy_fetch.h). */
const char *session_policy_file(const struct session *s);

#endif
