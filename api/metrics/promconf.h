/* Where usage across the cluster comes from: the Prometheus settings (docs/metrics.md).
 *
 * First match wins: --metrics URL, else GLOVEBOX_METRICS, else the policy's "metrics" section;
 * none of them: usage comes from the engine, as without Prometheus. The flag and the variable
 * change only what the person who sets them sees (read-only figures), so they are honoured for
 * everyone, setgid gateway included. The policy's CA file and credentials belong to the
 * policy's URL: a URL from the flag or the variable gets them only when it is the very same
 * URL, so that nobody can send the platform's Prometheus password to a server of their own. */
#ifndef GB_API_METRICS_PROMCONF_H
#define GB_API_METRICS_PROMCONF_H

#include <stdint.h>

#include "api/core/policy.h"

enum metrics_from { METRICS_NONE, METRICS_FLAG, METRICS_ENV, METRICS_POLICY };

struct metrics_conf {
	enum metrics_from from;
	char *url;                 /* owned, normalised (weburl_check); NULL when METRICS_NONE */
	char *ca_file;             /* owned; the policy's, when it applies */
	char *credentials_file;    /* owned; the policy's, when it applies */
	int64_t window_s;          /* rate() window: the policy's, else GLOVEBOX_METRICS_WINDOW, else 60 */
};

/* "--metrics", "GLOVEBOX_METRICS", "the policy". */
const char *metrics_from_name(enum metrics_from f);

/* Resolve. flag, env and window_env may be NULL or empty (unset); pm may be NULL (no policy, or
 * one without metrics). Pure. Returns 0 with *out (clear it), or -1 with *err (owned) naming
 * the setting: a URL that is not http(s), a window that is not a duration of 4 s to 1 h. */
int metrics_conf_resolve(const char *flag, const char *env, const char *window_env,
                         const struct policy_metrics *pm, struct metrics_conf *out, char **err);

void metrics_conf_clear(struct metrics_conf *c);

/* Read the credentials file: one line "user:password" (a trailing newline is fine), at most
 * 1 KiB, no control characters. It must be trusted (trust_fd: root's, in root's directories)
 * and not readable by others (mode 0640 or stricter, group glovebox's). Opened with the
 * setgid group where glovebox holds it (priv_secret_file_begin). Returns 0 with *userpwd in
 * secmem (secmem_free it), or -1 with *err (owned) that never quotes the file. */
int metrics_credentials_load(const char *path, char **userpwd, char **err);

#endif
