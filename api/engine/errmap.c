#include "api/engine/errmap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "api/base/xalloc.h"

#define BODY_SHOWN 200      /* bytes of a non-JSON body worth showing */
#define MESSAGE_SHOWN 1000  /* the engine's own messages are longer, but not unbounded */

#define CERT_HINT "glovebox reads ca.pem, cert.pem and key.pem from DOCKER_CERT_PATH, " \
                  "else $DOCKER_CONFIG, else ~/.docker"
#define CHECK_HOST "is dockerd running? is DOCKER_HOST right?"

/* Everything here ends up on a terminal, and much of it came from the network:
 * keep printable ASCII, turn runs of whitespace into one space, show anything else as '?',
 * drop trailing periods (the text is embedded mid-sentence) and cut at max bytes with "...".
 * Returns NULL when nothing printable is left. */
static char *clean(const char *s, size_t n, size_t max)
{
	char *out = xmalloc((n < max ? n : max) + 4);
	size_t o = 0;
	bool space = false, cut = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
			space = o > 0;
			continue;
		}
		if (o + (space ? 2 : 1) > max) {
			cut = true;
			break;
		}
		if (space)
			out[o++] = ' ';
		space = false;
		out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	while (!cut && o > 0 && out[o - 1] == '.')
		o--;
	if (cut) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	if (o == 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* The engine's {"message": "..."}, parsed here rather than in decode.c so that error
 * reporting never depends on the decoders. */
static char *engine_message(const char *body, size_t len)
{
	json_error_t jerr;
	json_t *root = json_loadb(body, len, 0, &jerr);
	if (!root)
		return NULL;
	char *msg = NULL;
	json_t *m = json_is_object(root) ? json_object_get(root, "message") : NULL;
	if (json_is_string(m))
		msg = clean(json_string_value(m), json_string_length(m), MESSAGE_SHOWN);
	json_decref(root);
	return msg;
}

static const char *reason_phrase(long status)
{
	switch (status) {
	case 400: return "bad request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not found";
	case 405: return "method not allowed";
	case 406: return "not acceptable";
	case 408: return "request timeout";
	case 409: return "conflict";
	case 410: return "gone";
	case 411: return "length required";
	case 412: return "precondition failed";
	case 413: return "payload too large";
	case 415: return "unsupported media type";
	case 429: return "too many requests";
	case 500: return "internal server error";
	case 501: return "not implemented";
	case 502: return "bad gateway";
	case 503: return "service unavailable";
	case 504: return "gateway timeout";
	default: return "no message";
	}
}

char *errmap_http(long status, const char *body, size_t len, const char *what)
{
	const char *w = what && *what ? what : "the request";
	char *msg = NULL;
	if (body && len > 0) {
		msg = engine_message(body, len);
		if (!msg)
			msg = clean(body, len, BODY_SHOWN);
	}
	if (!msg)
		msg = xstrdup(reason_phrase(status));

	char *out;
	if (status == 503 && strcasestr(msg, "not a swarm manager")) {
		if (strcasestr(msg, "worker"))
			out = xstrdup("this engine is a swarm worker: point DOCKER_HOST at a manager");
		else
			out = xstrdup("this engine is not a swarm manager: run `docker swarm init` "
			              "or point DOCKER_HOST at a manager");
		free(msg);
		return out;
	}

	const char *hint = NULL;
	if (status == 404 && strcasestr(msg, "page not found"))
		hint = "the API version glovebox asked for may be too new for this engine "
		       "(compare `docker version`, or set DOCKER_API_VERSION)";
	else if (status == 400 && strcasestr(msg, "client version") &&
	         (strcasestr(msg, "too new") || strcasestr(msg, "too old")))
		hint = "check DOCKER_API_VERSION, or unset it to let glovebox negotiate";
	else if (status == 400 && strcasestr(msg, "HTTP request to an HTTPS server"))
		hint = "the engine expects TLS: use https:// or set DOCKER_TLS_VERIFY=1";

	if (hint)
		out = xasprintf("%s failed: %s (HTTP %ld): %s", w, msg, status, hint);
	else
		out = xasprintf("%s failed: %s (HTTP %ld)", w, msg, status);
	free(msg);
	return out;
}

static bool has(const char *haystack, const char *needle)
{
	return haystack && strcasestr(haystack, needle);
}

/* curl says only "Couldn't connect to server" for unix sockets (and names port 80), so look
 * at the socket file itself to tell a missing socket from a refused or forbidden one. */
static char *unix_refused(const char *display, const char *path, const char *msg)
{
	struct stat st;
	bool denied = has(msg, "permission denied");
	if (!denied && stat(path, &st) != 0) {
		if (errno == EACCES)
			denied = true;
		else
			return xasprintf("cannot reach the engine at %s: the socket does not exist (%s)",
			                 display, CHECK_HOST);
	}
	if (!denied && !S_ISSOCK(st.st_mode))
		return xasprintf("cannot reach the engine at %s: that file is not a socket "
		                 "(is DOCKER_HOST right?)", display);
	if (!denied && access(path, R_OK | W_OK) != 0 && errno == EACCES)
		denied = true;
	if (denied)
		return xasprintf("cannot reach the engine at %s: permission denied on the socket "
		                 "(add your user to the docker group: `sudo usermod -aG docker $USER`, "
		                 "then log in again)", display);
	return xasprintf("cannot reach the engine at %s: connection refused (%s)", display, CHECK_HOST);
}

static char *tcp_refused(const char *display, const char *msg)
{
	static const char *const causes[] = {
		"no route to host", "network is unreachable", "host is unreachable",
	};
	const char *why = "connection refused";
	for (size_t i = 0; i < sizeof causes / sizeof causes[0]; i++)
		if (has(msg, causes[i]))
			why = causes[i];
	return xasprintf("cannot reach the engine at %s: %s (%s)", display, why, CHECK_HOST);
}

static bool is_tls_error(int code)
{
	switch (code) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
		return true;
	default:
		return false;
	}
}

static char *tls_failed(int code, const char *display, const char *msg)
{
	const char *what;
	switch (code) {
	case CURLE_PEER_FAILED_VERIFICATION:
		what = "the engine's certificate did not verify against ca.pem";
		break;
	case CURLE_SSL_CACERT_BADFILE:
		what = "the CA certificate (ca.pem) cannot be read";
		break;
	case CURLE_SSL_CERTPROBLEM:
		what = "the client certificate or key (cert.pem, key.pem) cannot be used";
		break;
	default:
		/* OpenSSL's words when the other end answered in plain HTTP */
		if (has(msg, "wrong version number"))
			return xasprintf("cannot reach the engine at %s over TLS: the handshake failed: %s "
			                 "(is the engine serving plain HTTP on that port? then unset "
			                 "DOCKER_TLS and DOCKER_TLS_VERIFY, or use http://)", display, msg);
		what = "the handshake failed";
		break;
	}
	return xasprintf("cannot reach the engine at %s over TLS: %s: %s (%s)",
	                 display, what, msg, CERT_HINT);
}

char *errmap_transport(int curl_code, const char *curl_msg, const char *endpoint, const char *what)
{
	const char *w = what && *what ? what : "talking to the engine";
	const char *ep = endpoint && *endpoint ? endpoint : "the configured address";
	const char *raw = curl_msg && *curl_msg ? curl_msg : curl_easy_strerror((CURLcode)curl_code);
	char *msg = clean(raw, strlen(raw), BODY_SHOWN);
	if (!msg)
		msg = xasprintf("curl error %d", curl_code);
	char *out;

	if (is_tls_error(curl_code)) {
		out = tls_failed(curl_code, ep, msg);
		goto out;
	}
	switch (curl_code) {
	case CURLE_COULDNT_CONNECT:
		if (strncmp(ep, "unix://", 7) == 0 && ep[7])
			out = unix_refused(ep, ep + 7, msg);
		else
			out = tcp_refused(ep, msg);
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		out = xasprintf("cannot reach the engine at %s: the host name does not resolve "
		                "(is DOCKER_HOST right?)", ep);
		break;
	case CURLE_COULDNT_RESOLVE_PROXY:
		out = xasprintf("cannot reach the engine at %s: the proxy's host name does not resolve "
		                "(check https_proxy, http_proxy and no_proxy)", ep);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		/* curl uses the same code for a connect timeout: say which it was. */
		if (has(msg, "connect") || has(msg, "resolving"))
			out = xasprintf("no reply from the engine at %s in time while %s: the connection "
			                "was not accepted (is the address right? is a firewall dropping it?)",
			                ep, w);
		else
			out = xasprintf("no reply from the engine at %s in time while %s", ep, w);
		break;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		out = xasprintf("the engine's reply was cut short while %s: %s", w, msg);
		break;
	case CURLE_SEND_ERROR:
		out = xasprintf("the connection to the engine at %s broke while %s: %s", ep, w, msg);
		break;
	case CURLE_FILESIZE_EXCEEDED:
		out = xasprintf("the engine's reply was larger than glovebox accepts while %s", w);
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		out = xasprintf("cannot talk to the engine at %s: %s (was libcurl built without TLS?)",
		                ep, msg);
		break;
	default:
		out = xasprintf("%s failed: cannot talk to the engine at %s: %s", w, ep, msg);
		break;
	}
out:
	free(msg);
	return out;
}

int errmap_is_unreachable(int curl_code)
{
	switch (curl_code) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return 1;
	default:
		return is_tls_error(curl_code);
	}
}
