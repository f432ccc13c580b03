#include "api/engine/endpoint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/base/chars.h"
#include "api/base/err.h"
#include "api/base/xalloc.h"

#define DEFAULT_SOCKET "/var/run/docker.sock"
#define DEFAULT_TCP_HOST "127.0.0.1"
#define PORT_PLAIN 2375
#define PORT_TLS 2376

void endpoint_env_from_process(struct endpoint_env *env)
{
	env->docker_host = getenv("DOCKER_HOST");
	env->docker_tls = getenv("DOCKER_TLS");
	env->docker_tls_verify = getenv("DOCKER_TLS_VERIFY");
	env->docker_cert_path = getenv("DOCKER_CERT_PATH");
	env->docker_config = getenv("DOCKER_CONFIG");
	env->home = getenv("HOME");
}

void endpoint_clear(struct endpoint *ep)
{
	free(ep->socket_path);
	free(ep->base_url);
	free(ep->ca_file);
	free(ep->cert_file);
	free(ep->key_file);
	free(ep->display);
	memset(ep, 0, sizeof *ep);
}

static bool endpoint_nonempty(const char *s) { return s && *s; }

/* The bad value goes back to a terminal inside the error: printable ASCII only, bounded. */
static char *endpoint_shown(const char *s)
{
	size_t n = strlen(s), cap = n > 120 ? 120 : n;
	char *out = xmalloc(cap + 4);
	size_t i;
	for (i = 0; i < cap; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (n > cap)
		memcpy(out + i, "...", 4);
	else
		out[i] = '\0';
	return out;
}

/* The parts of a value being resolved, kept together so errors can name the source. */
struct parse {
	const char *source;   /* "--host" or "DOCKER_HOST" */
	const char *value;    /* trimmed */
	char **err;
};

__attribute__((format(printf, 2, 3)))
static int endpoint_fail(const struct parse *p, const char *fmt, ...)
{
	char reason[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	char *v = endpoint_shown(p->value);
	err_set(p->err, "invalid %s \"%s\": %s", p->source, v, reason);
	free(v);
	return -1;
}

static int parse_unix(const struct parse *p, const char *path, struct endpoint *out)
{
	if (!*path)
		return endpoint_fail(p, "unix:// needs a socket path, e.g. unix://" DEFAULT_SOCKET);
	if (strstr(path, "://"))
		return endpoint_fail(p, "expected a single unix:// prefix");
	for (const char *c = path; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return endpoint_fail(p, "the socket path contains control characters");
	if (strlen(path) >= sizeof ((struct sockaddr_un *)0)->sun_path)
		return endpoint_fail(p, "the socket path is longer than the %zu bytes a unix "
		                     "socket allows", sizeof ((struct sockaddr_un *)0)->sun_path - 1);
	out->kind = ENDPOINT_UNIX;
	out->socket_path = xstrdup(path);
	out->base_url = xstrdup("http://localhost");
	out->display = xasprintf("unix://%s", path);
	out->tls = false;
	return 0;
}

/* "1".."65535", digits only. */
static int parse_port(const char *s, size_t n, int *port)
{
	if (n == 0 || n > 5)
		return -1;
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!char_is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

static bool ipv6_char_ok(char c)
{
	return char_is_hex(c) || c == ':' || c == '.';
}

enum scheme { SCHEME_TCP, SCHEME_HTTP, SCHEME_HTTPS };

static const char *scheme_name(enum scheme s)
{
	return s == SCHEME_TCP ? "tcp" : s == SCHEME_HTTP ? "http" : "https";
}

/* authority is everything after "scheme://": host[:port] with an optional lone "/" after. */
static int parse_net(const struct parse *p, enum scheme scheme, const char *authority,
                     bool tls_env, struct endpoint *out)
{
	size_t alen = strcspn(authority, "/?#");
	const char *rest = authority + alen;
	if (*rest && strcmp(rest, "/") != 0)
		return endpoint_fail(p,
		                     "glovebox takes only %s://host:port, without a path or query",
		                     scheme_name(scheme));
	if (memchr(authority, '@', alen))
		return endpoint_fail(p,
		                     "user names and passwords in the address are not supported");

	const char *host = authority, *port_s = NULL;
	size_t hlen, plen = 0;
	bool bracketed = false;
	if (alen > 0 && authority[0] == '[') {
		const char *close = memchr(authority, ']', alen);
		if (!close)
			return endpoint_fail(p, "missing ']' after the IPv6 address");
		host = authority + 1;
		hlen = (size_t)(close - host);
		bracketed = true;
		const char *after = close + 1;
		size_t left = alen - (size_t)(after - authority);
		if (left > 0) {
			if (*after != ':')
				return endpoint_fail(p, "expected ':port' after the IPv6 address");
			port_s = after + 1;
			plen = left - 1;
		}
		if (hlen == 0 || !memchr(host, ':', hlen))
			return endpoint_fail(p, "the brackets must hold an IPv6 address");
		for (size_t i = 0; i < hlen; i++)
			if (!ipv6_char_ok(host[i]))
				return endpoint_fail(p, "the brackets must hold an IPv6 address");
	} else {
		const char *colon = memchr(authority, ':', alen);
		if (colon && memchr(colon + 1, ':', alen - (size_t)(colon + 1 - authority)))
			return endpoint_fail(p, "put an IPv6 address in brackets, e.g. "
			                     "tcp://[::1]:2375");
		hlen = colon ? (size_t)(colon - authority) : alen;
		if (colon) {
			port_s = colon + 1;
			plen = alen - hlen - 1;
		}
		for (size_t i = 0; i < hlen; i++)
			if (!char_is_name(host[i]))
				return endpoint_fail(p, "the host name may hold only letters, digits, '-', '.' and '_'");
	}

	bool tls;
	if (scheme == SCHEME_HTTPS) {
		tls = true;
	} else if (scheme == SCHEME_HTTP) {
		if (tls_env)
			return endpoint_fail(p, "http:// asks for plain HTTP but DOCKER_TLS or DOCKER_TLS_VERIFY "
			               "is set: use https:// or unset them");
		tls = false;
	} else {
		tls = tls_env;
	}

	int port;
	if (plen > 0) {
		if (parse_port(port_s, plen, &port) != 0)
			return endpoint_fail(p, "the port must be a number from 1 to 65535");
	} else if (scheme == SCHEME_HTTPS) {
		port = PORT_TLS;
	} else if (scheme == SCHEME_TCP && hlen == 0 && tls) {
		/* The CLI's default TLS host; a named tcp:// host keeps 2375 even with TLS. */
		port = PORT_TLS;
	} else {
		port = PORT_PLAIN;
	}

	char *h;
	if (hlen == 0) {
		if (scheme != SCHEME_TCP)
			return endpoint_fail(p, "missing host name");
		h = xstrdup(DEFAULT_TCP_HOST);
	} else if (bracketed) {
		h = xasprintf("[%.*s]", (int)hlen, host);
	} else {
		h = xstrndup(host, hlen);
	}
	out->kind = ENDPOINT_TCP;
	out->tls = tls;
	out->base_url = xasprintf("%s://%s:%d", tls ? "https" : "http", h, port);
	out->display = xasprintf("%s://%s:%d", scheme_name(scheme), h, port);
	free(h);
	return 0;
}

/* ssh://[user@]host[:port]: point the user at a socket forward they can run today. */
static int reject_ssh(const struct parse *p, const char *authority)
{
	size_t alen = strcspn(authority, "/?#");
	char *target = alen ? xstrndup(authority, alen) : xstrdup("host");
	char *port = NULL;
	char *colon = strrchr(target, ':');
	if (colon && !strchr(colon, ']')) {
		*colon = '\0';
		if (colon[1])
			port = xasprintf("-p %s ", colon + 1);
	}
	char *t = endpoint_shown(*target ? target : "host");
	char *pp = port ? endpoint_shown(port) : xstrdup("");
	endpoint_fail(p, "ssh:// hosts are not supported yet: forward the socket with "
	        "`ssh -N -L /tmp/docker.sock:" DEFAULT_SOCKET " %s%s` and use unix:///tmp/docker.sock",
	              pp, t);
	free(t);
	free(pp);
	free(port);
	free(target);
	return -1;
}

static bool scheme_is(const char *v, size_t len, const char *name)
{
	return len == strlen(name) && strncasecmp(v, name, len) == 0;
}

static int parse_value(const struct parse *p, bool tls_env, struct endpoint *out)
{
	const char *v = p->value;
	const char *sep = strstr(v, "://");
	if (!sep) {
		/* As the docker CLI: a bare path means unix, anything else is host:port for tcp. */
		if (v[0] == '/' || strncmp(v, "./", 2) == 0)
			return parse_unix(p, v, out);
		return parse_net(p, SCHEME_TCP, v, tls_env, out);
	}
	size_t slen = (size_t)(sep - v);
	const char *rest = sep + 3;
	if (scheme_is(v, slen, "unix"))
		return parse_unix(p, rest, out);
	if (scheme_is(v, slen, "tcp"))
		return parse_net(p, SCHEME_TCP, rest, tls_env, out);
	if (scheme_is(v, slen, "http"))
		return parse_net(p, SCHEME_HTTP, rest, tls_env, out);
	if (scheme_is(v, slen, "https"))
		return parse_net(p, SCHEME_HTTPS, rest, tls_env, out);
	if (scheme_is(v, slen, "ssh"))
		return reject_ssh(p, rest);
	if (scheme_is(v, slen, "fd"))
		return endpoint_fail(p,
		                     "fd:// is for dockerd's socket activation, not for clients: "
		               "use unix://, tcp://, http:// or https://");
	if (scheme_is(v, slen, "npipe"))
		return endpoint_fail(p, "npipe:// is for Windows: use unix://, tcp://, http:// or "
		                     "https://");
	return endpoint_fail(p, "unknown scheme: use unix://, tcp://, http:// or https://");
}

static char *trimmed(const char *s)
{
	while (char_is_space((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && char_is_space((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* ca.pem, cert.pem, key.pem from the cert dir, each only when readable. */
static void find_certs(const struct endpoint_env *env, struct endpoint *out)
{
	char *dir;
	if (endpoint_nonempty(env->docker_cert_path))
		dir = xstrdup(env->docker_cert_path);
	else if (endpoint_nonempty(env->docker_config))
		dir = xstrdup(env->docker_config);
	else if (endpoint_nonempty(env->home))
		dir = xasprintf("%s/.docker", env->home);
	else
		return;
	size_t n = strlen(dir);
	const char *slash = n > 0 && dir[n - 1] == '/' ? "" : "/";
	static const char *const names[] = { "ca.pem", "cert.pem", "key.pem" };
	char **slots[] = { &out->ca_file, &out->cert_file, &out->key_file };
	for (size_t i = 0; i < 3; i++) {
		char *path = xasprintf("%s%s%s", dir, slash, names[i]);
		if (access(path, R_OK) == 0)
			*slots[i] = path;
		else
			free(path);
	}
	free(dir);
}

int endpoint_resolve(const char *flag_host, const struct endpoint_env *env,
                     struct endpoint *out, char **err)
{
	static const struct endpoint_env none;
	if (!env)
		env = &none;
	memset(out, 0, sizeof *out);
	bool tls_env = endpoint_nonempty(env->docker_tls) ||
	               endpoint_nonempty(env->docker_tls_verify);

	char *value;
	struct parse p = { .err = err };
	if (flag_host) {
		p.source = "--host";
		value = trimmed(flag_host);
		if (!*value) {
			free(value);
			*err = xstrdup("invalid --host \"\": give an address such as "
			               "unix://" DEFAULT_SOCKET " or tcp://host:2375");
			return -1;
		}
	} else {
		p.source = "DOCKER_HOST";
		value = trimmed(env->docker_host ? env->docker_host : "");
		if (!*value) {
			free(value);
			value = xstrdup("unix://" DEFAULT_SOCKET);
		}
	}
	p.value = value;

	int rc = parse_value(&p, tls_env, out);
	free(value);
	if (rc != 0) {
		endpoint_clear(out);
		return -1;
	}
	if (out->tls)
		find_certs(env, out);
	return 0;
}

bool endpoint_secure_for_secrets(const struct endpoint *ep)
{
	return ep->kind == ENDPOINT_UNIX || ep->tls;
}

int endpoint_check_secrets(const struct endpoint *ep, char **err)
{
	if (endpoint_secure_for_secrets(ep))
		return 0;
	*err = xasprintf("refusing to send registry credentials to %s: it is plain HTTP, which anyone "
	                 "on the way can read; use TLS (DOCKER_TLS_VERIFY=1 and tcp://HOST:2376 with "
	                 "certificates in DOCKER_CERT_PATH) or a unix socket, see docs/credentials.md",
	                 ep->display);
	return -1;
}
