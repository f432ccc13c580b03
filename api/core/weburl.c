#include "api/core/weburl.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/base/chars.h"
#include "api/base/xalloc.h"

static int fail(char **err, const char *what, const char *url, const char *why)
{
	*err = xasprintf("%s: %s is not a usable URL: %s", what, url, why);
	return -1;
}

int weburl_check(const char *url, const char *what, char **norm, char **err)
{
	*norm = NULL;
	if (!url || !*url)
		return fail(err, what, "\"\"", "it is empty");
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return fail(err, what, "that value", "it contains spaces or control characters");
	if (strlen(url) > 2048)
		return fail(err, what, "that value", "it is longer than 2048 characters");
	const char *rest;
	if (strncasecmp(url, "http://", 7) == 0)
		rest = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		rest = url + 8;
	else
		return fail(err, what, url, "only http:// and https:// are supported");
	size_t auth_len = strcspn(rest, "/?#");
	if (memchr(rest, '@', auth_len))
		return fail(err, what, url, "no user:password@ in the URL: give credentials in a credentials file");
	if (strpbrk(rest, "?#"))
		return fail(err, what, url, "no query or fragment: glovebox adds the API path itself");
	if (auth_len == 0)
		return fail(err, what, url, "it names no host");
	const char *host = rest, *port = NULL;
	size_t host_len;
	if (*host == '[') {
		const char *close = memchr(host, ']', auth_len);
		if (!close || close == host + 1)
			return fail(err, what, url, "an IPv6 address needs its closing ]");
		for (const char *p = host + 1; p < close; p++)
			if (!char_is_hex((unsigned char)*p) && *p != ':' && *p != '.')
				return fail(err, what, url, "not an IPv6 address in the brackets");
		host_len = (size_t)(close - host) + 1;
		if (host_len < auth_len) {
			if (host[host_len] != ':')
				return fail(err, what, url, "expected :PORT after the IPv6 address");
			port = host + host_len + 1;
		}
	} else {
		const char *colon = memchr(host, ':', auth_len);
		host_len = colon ? (size_t)(colon - host) : auth_len;
		if (colon)
			port = colon + 1;
		if (host_len == 0)
			return fail(err, what, url, "it names no host");
		for (size_t i = 0; i < host_len; i++)
			if (!char_is_alnum((unsigned char)host[i]) && !strchr(".-_", host[i]))
				return fail(err, what, url, "the host name has characters a host name cannot have");
	}
	if (port) {
		size_t plen = (size_t)(rest + auth_len - port);
		long v = 0;
		if (plen == 0 || plen > 5)
			return fail(err, what, url, "the port must be a number from 1 to 65535");
		for (size_t i = 0; i < plen; i++) {
			if (!char_is_digit((unsigned char)port[i]))
				return fail(err, what, url, "the port must be a number from 1 to 65535");
			v = v * 10 + (port[i] - '0');
		}
		if (v < 1 || v > 65535)
			return fail(err, what, url, "the port must be a number from 1 to 65535");
	}
	size_t n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	*norm = xstrndup(url, n);
	return 0;
}
