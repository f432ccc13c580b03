#include "api/engine/version.h"

#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"

int version_parse(const char *text, int *minor)
{
	if (!text || strncmp(text, "1.", 2) != 0)
		return -1;
	const char *d = text + 2;
	size_t n = strspn(d, "0123456789");
	/* Three digits are plenty and keep the arithmetic far from overflow. */
	if (n == 0 || n > 3 || d[n] != '\0')
		return -1;
	int v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (d[i] - '0');
	*minor = v;
	return 0;
}

/* Header and variable text go into messages shown on a terminal: printable ASCII, bounded. */
static char *version_shown(const char *s)
{
	size_t n = strlen(s);
	if (n > 40)
		n = 40;
	char *out = xstrndup(s, n);
	for (char *c = out; *c; c++)
		if (*c < 0x20 || *c >= 0x7f)
			*c = '?';
	return out;
}

int version_negotiate(const char *override, const char *header, int *minor, char **err)
{
	int v;
	if (override && *override) {
		if (version_parse(override, &v) != 0) {
			char *s = version_shown(override);
			*err = xasprintf("DOCKER_API_VERSION=\"%s\" is not an API version: "
			                 "expected 1.%d to 1.%d, e.g. 1.%d",
			                 s, API_MIN_MINOR, API_MAX_MINOR, API_MIN_MINOR);
			free(s);
			return -1;
		}
		if (v < API_MIN_MINOR || v > API_MAX_MINOR) {
			*err = xasprintf("DOCKER_API_VERSION=1.%d is outside what glovebox speaks "
			                 "(1.%d to 1.%d): unset it or pick a version in that range",
			                 v, API_MIN_MINOR, API_MAX_MINOR);
			return -1;
		}
		*minor = v;
		return 0;
	}
	/* No header (a proxy may drop it): speak our newest, as moby's client does since v29;
	 * an engine that is too old then says so with a 400 that errmap explains. */
	if (!header || !*header) {
		*minor = API_MAX_MINOR;
		return 0;
	}
	if (version_parse(header, &v) != 0) {
		char *s = version_shown(header);
		*err = xasprintf("the engine announced API version \"%s\", which glovebox does not "
		                 "understand (it speaks 1.%d to 1.%d)", s, API_MIN_MINOR, API_MAX_MINOR);
		free(s);
		return -1;
	}
	if (v < API_MIN_MINOR) {
		*err = xasprintf("the engine speaks API 1.%d at most; glovebox needs 1.%d "
		                 "(Docker Engine 20.10) or newer", v, API_MIN_MINOR);
		return -1;
	}
	*minor = v < API_MAX_MINOR ? v : API_MAX_MINOR;
	return 0;
}
