#include "api/swarm/session.h"

#include <stdlib.h>
#include <unistd.h>

#include "api/base/priv.h"
#include "api/base/secmem.h"
#include "api/engine/errmap.h"

/* Resolve the metrics settings and give the engine its "metrics" remote (or none). */
static int metrics_setup(struct session *s, const struct policy *p, char **err)
{
	struct metrics_conf mc;
	const struct policy_metrics *pm = p ? &p->metrics : NULL;
	if (metrics_conf_resolve(s->metrics_url, getenv("GLOVEBOX_METRICS"),
	                         getenv("GLOVEBOX_METRICS_WINDOW"), pm, &mc, err) != 0)
		return -1;
	char *userpwd = NULL;
	int rc = 0;
	if (mc.credentials_file && (p->trusted || getuid() == 0) &&
	    metrics_credentials_load(mc.credentials_file, &userpwd, err) != 0) {
		rc = -1;
		goto out;
	}
	if (mc.from == METRICS_NONE) {
		engine_set_remote(s->engine, "metrics", NULL);
	} else {
		struct engine_remote rm = {
			.name = "Prometheus", .base_url = mc.url,
			.ca_file = p && !p->trusted && getuid() != 0 ? NULL : mc.ca_file,
			.userpwd = userpwd, .user_param = (long)mc.window_s,
		};
		engine_set_remote(s->engine, "metrics", &rm);
	}
	s->metrics_from = mc.from;
out:
	secmem_free(&userpwd);
	metrics_conf_clear(&mc);
	return rc;
}

int session_metrics_policy(struct session *s, const struct policy *p, char **err)
{
	return metrics_setup(s, p, err);
}

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
	if (!s->engine)
		return GB_EXIT_ERROR;
	if (metrics_setup(s, NULL, err) != 0) {
		engine_free(&s->engine);
		endpoint_clear(&s->ep);
		return GB_EXIT_USAGE;
	}
	return 0;
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
