/* The grammar is distribution/reference's (reference.go, normalize.go), checked by hand rather
 * than with regcomp: each rule gets its own message, which a regular expression cannot give. */
#include "api/core/imageref.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/chars.h"
#include "api/base/str.h"
#include "api/base/xalloc.h"

#define NAME_MAX_LEN 255        /* NameTotalLengthMax, over "registry/path" */
#define TAG_MAX_LEN 128

/* domain-component: [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9], joined by '.'. */
static bool host_valid(const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '.') {
			if (!char_is_alnum(s[i]) && s[i] != '-')
				return false;
			continue;
		}
		if (i == start || s[start] == '-' || s[i - 1] == '-')
			return false;
		start = i + 1;
	}
	return true;
}

/* host[:port] where host is a domain name or a bracketed IPv6 address. NULL when valid. */
static const char *domain_problem(const char *s, size_t n)
{
	size_t host_end;
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close || close == s + 1)
			return "an IPv6 registry address needs hex digits and ':' inside [ ]";
		for (const char *p = s + 1; p < close; p++)
			if (!char_is_hex(*p) && *p != ':')
				return "an IPv6 registry address needs hex digits and ':' inside [ ]";
		host_end = (size_t)(close - s) + 1;
		if (host_end < n && s[host_end] != ':')
			return "only \":port\" may follow an IPv6 registry address";
	} else {
		const char *colon = memchr(s, ':', n);
		host_end = colon ? (size_t)(colon - s) : n;
		if (!host_valid(s, host_end))
			return "the registry host must be letters, digits and '-' in dot-separated parts";
	}
	if (host_end == n)
		return NULL;
	size_t port_len = n - host_end - 1;
	unsigned long port = 0;
	if (port_len == 0 || port_len > 5)
		return "the registry port must be a number from 1 to 65535";
	for (size_t i = host_end + 1; i < n; i++) {
		if (!char_is_digit(s[i]))
			return "the registry port must be a number from 1 to 65535";
		port = port * 10 + (unsigned long)(s[i] - '0');
	}
	if (port == 0 || port > 65535)
		return "the registry port must be a number from 1 to 65535";
	return NULL;
}

/* path-component: [a-z0-9]+ ([._] | __ | -+ [a-z0-9]+)*. */
static bool component_valid(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !char_is_lower_alnum(s[0]))
		return false;
	while (i < n) {
		while (i < n && char_is_lower_alnum(s[i]))
			i++;
		if (i == n)
			return true;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i == n || !char_is_lower_alnum(s[i]))
			return false;
	}
	return true;
}

static const char *path_problem(const char *path)
{
	if (strchr(path, ':'))
		return "too many ':' (only one, before the tag, is allowed)";
	bool upper = false;
	for (const char *c = path;; ) {
		const char *slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);
		if (n == 0)
			return "empty path component (check for \"//\" or a '/' at either end)";
		if (!component_valid(c, n)) {
			char low[NAME_MAX_LEN + 1];
			if (n > NAME_MAX_LEN)
				return "a path component is longer than 255 characters";
			for (size_t i = 0; i < n; i++)
				low[i] = (c[i] >= 'A' && c[i] <= 'Z') ? (char)(c[i] - 'A' + 'a') : c[i];
			if (!component_valid(low, n))
				return "path components are lowercase letters and digits, separated by "
				       "'.', '_', '__' or '-'";
			upper = true;
		}
		if (!slash)
			break;
		c = slash + 1;
	}
	return upper ? "repository name must be lowercase" : NULL;
}

static const char *tag_problem(const char *tag)
{
	size_t n = strlen(tag);
	if (n == 0)
		return "empty tag after ':'";
	if (n > TAG_MAX_LEN)
		return "the tag is longer than 128 characters";
	if (!char_is_alnum(tag[0]) && tag[0] != '_')
		return "the tag must start with a letter, digit or '_'";
	for (size_t i = 1; i < n; i++)
		if (!char_is_name(tag[i]))
			return "the tag may only hold letters, digits, '_', '.' and '-'";
	return NULL;
}

static char *digest_problem(const char *d)
{
	const char *colon = strchr(d, ':');
	if (!colon || colon == d)
		return xstrdup("the digest must be \"sha256:\" followed by 64 hex digits");
	if ((size_t)(colon - d) != 6 || strncmp(d, "sha256", 6) != 0)
		return xasprintf("digest algorithm \"%.*s\" is not supported (only sha256)",
		                 (int)(colon - d), d);
	if (!str_is_sha256_hex(colon + 1))
		return xstrdup("a sha256 digest is 64 lowercase hex digits");
	return NULL;
}

int imageref_parse(const char *s, struct imageref *out, char **err)
{
	char *copy = xstrdup(s ? s : "");
	char *why = NULL, *at, *colon, *last_slash, *slash;
	const char *problem = NULL, *rest = copy;
	struct imageref r = { 0 };

	if (!*copy) {
		problem = "it is empty";
		goto out;
	}
	/* Docker refuses a bare image ID where a name is expected (anchoredIdentifierRegexp). */
	if (str_is_sha256_hex(copy)) {
		problem = "a 64-digit hex string is an image ID, not a reference";
		goto out;
	}

	at = strchr(copy, '@');
	if (at) {
		*at = '\0';
		why = digest_problem(at + 1);
		if (why)
			goto out;
		r.digest = xstrdup(at + 1);
	}
	last_slash = strrchr(copy, '/');
	colon = strrchr(last_slash ? last_slash : copy, ':');
	if (colon) {
		*colon = '\0';
		if ((problem = tag_problem(colon + 1)))
			goto out;
		r.tag = xstrdup(colon + 1);
	}
	if (!*copy) {
		problem = "no repository name";
		goto out;
	}

	/* splitDockerDomain: the first component names a registry when it looks like a host.
	 * Docker also takes an uppercase first component for a host; here it stays part of the
	 * path, so "Lab/x" gets "must be lowercase" instead of a pull from a registry "Lab". */
	slash = strchr(copy, '/');
	if (slash && (memchr(copy, '.', (size_t)(slash - copy)) ||
	              memchr(copy, ':', (size_t)(slash - copy)) ||
	              ((size_t)(slash - copy) == 9 && strncmp(copy, "localhost", 9) == 0))) {
		if ((problem = domain_problem(copy, (size_t)(slash - copy))))
			goto out;
		r.registry = xstrndup(copy, (size_t)(slash - copy));
		rest = slash + 1;
	}
	if (!r.registry || strcmp(r.registry, "index.docker.io") == 0) {
		free(r.registry);
		r.registry = xstrdup("docker.io");
	}
	if ((problem = path_problem(rest)))
		goto out;
	r.path = (strcmp(r.registry, "docker.io") == 0 && !strchr(rest, '/'))
	         ? xasprintf("library/%s", rest) : xstrdup(rest);
	if (strlen(r.registry) + 1 + strlen(r.path) > NAME_MAX_LEN) {
		problem = "the repository name is longer than 255 characters";
		goto out;
	}
	if (!r.tag && !r.digest)
		r.tag = xstrdup("latest");

out:
	free(copy);
	if (problem || why) {
		if (err)
			*err = xasprintf("malformed image reference \"%s\": %s", s ? s : "",
			                 problem ? problem : why);
		free(why);
		imageref_clear(&r);
		return -1;
	}
	*out = r;
	return 0;
}

char *imageref_name_tag(const struct imageref *r)
{
	/* With only a digest there is no tag to name; the digest is what the registry resolves. */
	if (!r->tag && r->digest)
		return xasprintf("%s/%s@%s", r->registry, r->path, r->digest);
	return xasprintf("%s/%s:%s", r->registry, r->path, r->tag ? r->tag : "latest");
}

char *imageref_pinned(const struct imageref *r, const char *digest)
{
	if (!digest)
		digest = r->digest;
	if (!digest)
		return imageref_name_tag(r);
	if (!r->tag)
		return xasprintf("%s/%s@%s", r->registry, r->path, digest);
	return xasprintf("%s/%s:%s@%s", r->registry, r->path, r->tag, digest);
}

void imageref_clear(struct imageref *r)
{
	free(r->registry);
	free(r->path);
	free(r->tag);
	free(r->digest);
	r->registry = r->path = r->tag = r->digest = NULL;
}
