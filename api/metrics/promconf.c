#include "api/metrics/promconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/base/priv.h"
#include "api/base/secmem.h"
#include "api/base/trust.h"
#include "api/base/xalloc.h"
#include "api/core/weburl.h"
#include "api/metrics/promusage.h"

#define CREDENTIALS_MAX 1024

const char *metrics_from_name(enum metrics_from f)
{
	switch (f) {
	case METRICS_FLAG: return "--metrics";
	case METRICS_ENV: return "GLOVEBOX_METRICS";
	case METRICS_POLICY: return "the policy";
	case METRICS_NONE: break;
	}
	return "nothing";
}

int metrics_conf_resolve(const char *flag, const char *env, const char *window_env,
                         const struct policy_metrics *pm, struct metrics_conf *out, char **err)
{
	memset(out, 0, sizeof *out);
	out->window_s = PROM_RATE_WINDOW_DEFAULT;
	if (window_env && *window_env) {
		char *why = NULL;
		if (parse_duration(window_env, &out->window_s, &why) != 0 || out->window_s < 4 ||
		    out->window_s > 3600) {
			*err = xasprintf("GLOVEBOX_METRICS_WINDOW: %s", why ? why : "must be from 4s to 1h (at least four scrape intervals)");
			free(why);
			return -1;
		}
	}
	if (pm && pm->rate_window > 0)
		out->window_s = pm->rate_window;
	const char *url = NULL, *what = NULL;
	if (flag && *flag)
		url = flag, what = "--metrics", out->from = METRICS_FLAG;
	else if (env && *env)
		url = env, what = "GLOVEBOX_METRICS", out->from = METRICS_ENV;
	else if (pm && pm->prometheus)
		url = pm->prometheus, what = "the policy's metrics.prometheus", out->from = METRICS_POLICY;
	if (!url)
		return 0;
	if (weburl_check(url, what, &out->url, err) != 0) {
		out->from = METRICS_NONE;
		return -1;
	}
	/* The policy's CA and credentials only ever go with the policy's own URL. */
	if (pm && pm->prometheus && strcmp(out->url, pm->prometheus) == 0) {
		out->ca_file = xstrdup(pm->ca_file);
		out->credentials_file = xstrdup(pm->credentials_file);
	}
	return 0;
}

void metrics_conf_clear(struct metrics_conf *c)
{
	free(c->url);
	free(c->ca_file);
	free(c->credentials_file);
	memset(c, 0, sizeof *c);
}

int metrics_credentials_load(const char *path, char **userpwd, char **err)
{
	*userpwd = NULL;
	priv_secret_file_begin();
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int saved = errno;
	priv_secret_file_end();
	if (fd < 0) {
		*err = xasprintf("the metrics credentials file %s cannot be read: %s", path, strerror(saved));
		return -1;
	}
	char *why = NULL, *buf = NULL;
	struct stat st;
	int rc = -1;
	if (!trust_fd(fd, path, &why)) {
		*err = xasprintf("the metrics credentials file is not used: %s", why);
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*err = xasprintf("the metrics credentials file %s is not a regular file", path);
		goto out;
	}
	if (st.st_mode & S_IROTH) {
		*err = xasprintf("the metrics credentials file %s is readable by everyone: make it mode 0640, "
		                 "owned by root and glovebox's group", path);
		goto out;
	}
	buf = secmem_alloc(CREDENTIALS_MAX + 1);
	size_t n = 0;
	for (;;) {
		ssize_t k = read(fd, buf + n, CREDENTIALS_MAX + 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			*err = xasprintf("the metrics credentials file %s cannot be read: %s", path, strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n > CREDENTIALS_MAX) {
			*err = xasprintf("the metrics credentials file %s is longer than %d bytes", path, CREDENTIALS_MAX);
			goto out;
		}
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	bool ctl = false;
	for (size_t i = 0; i < n; i++)
		ctl |= (unsigned char)buf[i] < 0x20 || buf[i] == 0x7f;
	const char *colon = memchr(buf, ':', n);
	if (ctl || !colon || colon == buf) {
		*err = xasprintf("the metrics credentials file %s must hold one line user:password", path);
		goto out;
	}
	*userpwd = buf;
	buf = NULL;
	rc = 0;
out:
	secmem_free(&buf);
	free(why);
	close(fd);
	return rc;
}
