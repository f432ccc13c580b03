#include "api/swarm/session.h"

#include <stdlib.h>

#include "api/base/priv.h"
#include "api/engine/errmap.h"

int session_connect(struct session *s, char **err)
{
	struct endpoint_env env;
	endpoint_env_from_process(&env);
	if (endpoint_resolve(s->host, &env, &s->ep, err) != 0)
		return GB_EXIT_USAGE;
	/* Installed setgid: the group only for its own engine socket, else given up for good. */
	priv_keep_for(s->ep.kind == ENDPOINT_UNIX ? s->ep.socket_path : NULL);
	struct engine_opts opts = {
		.timeout_ms = s->timeout_ms,
		.api_version = getenv("DOCKER_API_VERSION"),
	};
	s->engine = engine_new(&s->ep, &opts, err);
	return s->engine ? 0 : GB_EXIT_ERROR;
}

void session_close(struct session *s)
{
	engine_free(&s->engine);
	endpoint_clear(&s->ep);
}

const char *session_policy_file(const struct session *s)
{
	if (s->policy_path)
		return s->policy_path;
	const char *from_env = getenv("GLOVEBOX_POLICY");
	return from_env && *from_env ? from_env : NULL;
}
