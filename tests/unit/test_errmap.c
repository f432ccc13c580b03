/* errmap: engine error replies and transport failures as sentences (ENGINE-API-NOTES.md 2). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "api/engine/errmap.h"

/* Every message: lowercase start, no trailing period (an ellipsis for cut text is fine),
 * printable ASCII only. */
static void check_shape(const char *m)
{
	assert_non_null(m);
	assert_true(m[0] >= 'a' && m[0] <= 'z');
	size_t n = strlen(m);
	assert_true(m[n - 1] != '.' || (n > 3 && strcmp(m + n - 3, "...") == 0 && m[n - 4] != '.'));
	for (const char *c = m; *c; c++)
		if (*c < 0x20 || *c >= 0x7f)
			fail_msg("unprintable byte 0x%02x in [%s]", (unsigned char)*c, m);
}

static void expect_http(long status, const char *body, const char *what, const char *want)
{
	char *m = errmap_http(status, body, body ? strlen(body) : 0, what);
	check_shape(m);
	assert_string_equal(m, want);
	free(m);
}

static void expect_http_has(long status, const char *body, const char *needle)
{
	char *m = errmap_http(status, body, body ? strlen(body) : 0, "listing services");
	check_shape(m);
	if (!strstr(m, needle))
		fail_msg("[%s] lacks [%s]", m, needle);
	free(m);
}

static void test_http_engine_message(void **state)
{
	(void)state;
	expect_http(404, "{\"message\":\"service foo not found\"}", "inspecting foo",
	            "inspecting foo failed: service foo not found (HTTP 404)");
	expect_http(409, "{\"message\": \"rpc error: code = AlreadyExists desc = name conflicts with "
	                 "an existing object: service foo already exists\"}\n", "creating foo",
	            "creating foo failed: rpc error: code = AlreadyExists desc = name conflicts with "
	            "an existing object: service foo already exists (HTTP 409)");
	expect_http(500, "{\"message\":\"rpc error: code = Unknown desc = update out of sequence\"}",
	            "updating foo",
	            "updating foo failed: rpc error: code = Unknown desc = update out of sequence "
	            "(HTTP 500)");
	/* other members are ignored, the trailing period goes (the text is mid-sentence) */
	expect_http(400, "{\"other\":1,\"message\":\"invalid memory value.\"}", "creating x",
	            "creating x failed: invalid memory value (HTTP 400)");
	/* no what: still a sentence */
	expect_http(500, "{\"message\":\"boom\"}", NULL, "the request failed: boom (HTTP 500)");
	expect_http(500, "{\"message\":\"boom\"}", "", "the request failed: boom (HTTP 500)");
}

static void test_http_message_sanitised(void **state)
{
	(void)state;
	/* JSON escapes become real control bytes after parsing: they must not survive */
	expect_http(400, "{\"message\":\"bad \\u001b[31mred\\u001b[0m\\nnext\\tline \\u00e9\"}", "x",
	            "x failed: bad ?[31mred?[0m next line ?? (HTTP 400)");
	/* bidi override U+202E is three bytes of UTF-8, all shown as '?' */
	expect_http(400, "{\"message\":\"a\\u202eb\"}", "x", "x failed: a???b (HTTP 400)");
	/* long messages are bounded */
	size_t n = 5000;
	char *body = malloc(n + 32);
	strcpy(body, "{\"message\":\"");
	memset(body + 12, 'm', n);
	strcpy(body + 12 + n, "\"}");
	char *m = errmap_http(400, body, strlen(body), "x");
	check_shape(m);
	assert_true(strlen(m) < 1100);
	assert_non_null(strstr(m, "mmm... (HTTP 400)"));
	free(m);
	free(body);
}

static void test_http_not_json(void **state)
{
	(void)state;
	/* Go's mux answers plain text; the trailing newline goes */
	expect_http(404, "404 page not found\n", "listing services",
	            "listing services failed: 404 page not found (HTTP 404): the API version glovebox "
	            "asked for may be too new for this engine (compare `docker version`, or set "
	            "DOCKER_API_VERSION)");
	/* a proxy's HTML: whitespace runs fold to one space */
	expect_http(502, "<html>\r\n  <body>Bad   gateway</body>\n</html>\n", "listing services",
	            "listing services failed: <html> <body>Bad gateway</body> </html> (HTTP 502)");
	/* JSON without a string message falls back to the body text */
	expect_http(500, "{\"message\":42}", "x", "x failed: {\"message\":42} (HTTP 500)");
	expect_http(500, "[\"message\"]", "x", "x failed: [\"message\"] (HTTP 500)");
	expect_http(500, "{\"msg\":\"no\"}", "x", "x failed: {\"msg\":\"no\"} (HTTP 500)");
	/* an empty message string: the body is all there is */
	expect_http(500, "{\"message\":\"\"}", "x", "x failed: {\"message\":\"\"} (HTTP 500)");
}

static void test_http_body_first_200_bytes(void **state)
{
	(void)state;
	char body[1000];
	for (size_t i = 0; i < sizeof body; i++)
		body[i] = (char)('a' + i % 26);
	/* NUL and control bytes inside: the length is what counts, not strlen */
	body[3] = '\0';
	body[4] = '\x1b';
	body[5] = '\x9b'; /* C1 CSI */
	body[6] = '\x7f';
	char *m = errmap_http(500, body, sizeof body, "x");
	check_shape(m);
	assert_true(strncmp(m, "x failed: abc????hij", 20) == 0);
	const char *tail = strstr(m, "... (HTTP 500)");
	assert_non_null(tail);
	assert_int_equal(tail - (m + strlen("x failed: ")), 200);
	free(m);

	/* exactly 200 bytes: no ellipsis */
	memset(body, 'z', 200);
	m = errmap_http(500, body, 200, "x");
	assert_null(strstr(m, "..."));
	assert_int_equal(strlen(m), strlen("x failed: ") + 200 + strlen(" (HTTP 500)"));
	free(m);
}

static void test_http_reason_phrase(void **state)
{
	(void)state;
	/* HEAD replies and empty bodies */
	expect_http(404, NULL, "pinging", "pinging failed: not found (HTTP 404)");
	expect_http(500, "", "pinging", "pinging failed: internal server error (HTTP 500)");
	expect_http(503, " \r\n", "x", "x failed: service unavailable (HTTP 503)");
	expect_http(401, NULL, "x", "x failed: unauthorized (HTTP 401)");
	expect_http(403, NULL, "x", "x failed: forbidden (HTTP 403)");
	expect_http(409, NULL, "x", "x failed: conflict (HTTP 409)");
	expect_http(400, NULL, "x", "x failed: bad request (HTTP 400)");
	expect_http(501, NULL, "x", "x failed: not implemented (HTTP 501)");
	expect_http(502, NULL, "x", "x failed: bad gateway (HTTP 502)");
	expect_http(504, NULL, "x", "x failed: gateway timeout (HTTP 504)");
	expect_http(418, NULL, "x", "x failed: no message (HTTP 418)");
	/* the body length wins over an empty-looking pointer */
	char *m = errmap_http(500, "ignored", 0, "x");
	assert_string_equal(m, "x failed: internal server error (HTTP 500)");
	free(m);
}

static void test_http_not_a_manager(void **state)
{
	(void)state;
	const char *want = "this engine is not a swarm manager: run `docker swarm init` or point "
	                   "DOCKER_HOST at a manager";
	expect_http(503, "{\"message\":\"This node is not a swarm manager. Use \\\"docker swarm "
	                 "init\\\" or \\\"docker swarm join\\\" to connect this node to swarm and try "
	                 "again.\"}", "listing services", want);
	/* plain-text variant too */
	expect_http(503, "This node is not a swarm manager.", "listing services", want);
	expect_http(503, "{\"message\":\"This node is not a swarm manager. Worker nodes can't be "
	                 "used to view or modify cluster state. Please run this command on a manager "
	                 "node or promote the current node to a manager.\"}", "listing services",
	            "this engine is a swarm worker: point DOCKER_HOST at a manager");
	/* other 503s keep the engine's words */
	expect_http(503, "{\"message\":\"Swarm is encrypted and needs to be unlocked before it can "
	                 "be used. Please use \\\"docker swarm unlock\\\" to unlock it.\"}", "x",
	            "x failed: Swarm is encrypted and needs to be unlocked before it can be used. "
	            "Please use \"docker swarm unlock\" to unlock it (HTTP 503)");
	/* the phrase on another status is not special */
	expect_http_has(500, "{\"message\":\"not a swarm manager\"}", "not a swarm manager (HTTP 500)");
}

static void test_http_page_not_found(void **state)
{
	(void)state;
	expect_http(404, "{\"message\":\"page not found\"}", "listing services",
	            "listing services failed: page not found (HTTP 404): the API version glovebox "
	            "asked for may be too new for this engine (compare `docker version`, or set "
	            "DOCKER_API_VERSION)");
	/* an ordinary 404 has no hint */
	expect_http(404, "{\"message\":\"No such container: abc\"}", "x",
	            "x failed: No such container: abc (HTTP 404)");
}

static void test_http_client_version(void **state)
{
	(void)state;
	expect_http(400, "{\"message\":\"client version 1.56 is too new. Maximum supported API "
	                 "version is 1.41\"}", "connecting to the engine",
	            "connecting to the engine failed: client version 1.56 is too new. Maximum "
	            "supported API version is 1.41 (HTTP 400): check DOCKER_API_VERSION, or unset it "
	            "to let glovebox negotiate");
	expect_http_has(400, "{\"message\":\"client version 1.41 is too old. Minimum supported API "
	                     "version is 1.44, please upgrade your client to a newer version\"}",
	                "(HTTP 400): check DOCKER_API_VERSION, or unset it to let glovebox negotiate");
	/* not a version complaint */
	expect_http(400, "{\"message\":\"invalid service version\"}", "x",
	            "x failed: invalid service version (HTTP 400)");
}

static void test_http_plain_to_tls_port(void **state)
{
	(void)state;
	expect_http(400, "Client sent an HTTP request to an HTTPS server.\n", "connecting to the engine",
	            "connecting to the engine failed: Client sent an HTTP request to an HTTPS server "
	            "(HTTP 400): the engine expects TLS: use https:// or set DOCKER_TLS_VERIFY=1");
}

/* Transport ------------------------------------------------------------------------------ */

static void expect_tr(int code, const char *msg, const char *ep, const char *what, const char *want)
{
	char *m = errmap_transport(code, msg, ep, what);
	check_shape(m);
	assert_string_equal(m, want);
	free(m);
}

static char *tr(int code, const char *msg, const char *ep)
{
	char *m = errmap_transport(code, msg, ep, "listing services");
	check_shape(m);
	return m;
}

static void expect_tr_has(int code, const char *msg, const char *ep, const char *needle)
{
	char *m = tr(code, msg, ep);
	if (!strstr(m, needle))
		fail_msg("[%s] lacks [%s]", m, needle);
	free(m);
}

static void test_tr_refused_tcp(void **state)
{
	(void)state;
	expect_tr(CURLE_COULDNT_CONNECT,
	          "Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server",
	          "tcp://127.0.0.1:1", "listing services",
	          "cannot reach the engine at tcp://127.0.0.1:1: connection refused "
	          "(is dockerd running? is DOCKER_HOST right?)");
	expect_tr_has(CURLE_COULDNT_CONNECT, "Failed to connect to h port 1: No route to host",
	              "tcp://h:1", "at tcp://h:1: no route to host (is dockerd running?");
	expect_tr_has(CURLE_COULDNT_CONNECT, "connect: Network is unreachable",
	              "tcp://h:1", ": network is unreachable (");
	/* no curl text at all: curl_easy_strerror fills in, the sentence is the same */
	expect_tr_has(CURLE_COULDNT_CONNECT, NULL, "https://h:2376", "connection refused");
	expect_tr_has(CURLE_COULDNT_CONNECT, "", "https://h:2376", "connection refused");
}

static char tmpdir[64];

static int setup_dir(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/gb-errmap-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int bind_socket(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	return fd;
}

static void test_tr_unix_missing(void **state)
{
	(void)state;
	char ep[128];
	snprintf(ep, sizeof ep, "unix://%s/nope.sock", tmpdir);
	char want[512];
	snprintf(want, sizeof want, "cannot reach the engine at %s: the socket does not exist "
	         "(is dockerd running? is DOCKER_HOST right?)", ep);
	/* curl's own text for unix sockets names "localhost port 80": it is left out */
	expect_tr(CURLE_COULDNT_CONNECT,
	          "Failed to connect to localhost port 80 after 0 ms: Couldn't connect to server",
	          ep, "listing services", want);
	/* a missing parent directory is the same */
	snprintf(ep, sizeof ep, "unix://%s/no/such/dir.sock", tmpdir);
	expect_tr_has(CURLE_COULDNT_CONNECT, NULL, ep, "the socket does not exist");
}

static void test_tr_unix_refused(void **state)
{
	(void)state;
	char path[128], ep[140];
	snprintf(path, sizeof path, "%s/stale.sock", tmpdir);
	snprintf(ep, sizeof ep, "unix://%s", path);
	int fd = bind_socket(path); /* bound, never listening: connect() is refused */
	char want[512];
	snprintf(want, sizeof want, "cannot reach the engine at %s: connection refused "
	         "(is dockerd running? is DOCKER_HOST right?)", ep);
	expect_tr(CURLE_COULDNT_CONNECT, "Couldn't connect to server", ep, "x", want);
	close(fd);
	unlink(path);
}

static void test_tr_unix_not_a_socket(void **state)
{
	(void)state;
	char path[128], ep[140];
	snprintf(path, sizeof path, "%s/plain-file", tmpdir);
	fclose(fopen(path, "w"));
	snprintf(ep, sizeof ep, "unix://%s", path);
	expect_tr_has(CURLE_COULDNT_CONNECT, NULL, ep, ": that file is not a socket (is DOCKER_HOST right?)");
	unlink(path);
}

static const char *const denied_hint =
	"permission denied on the socket (add your user to the docker group: "
	"`sudo usermod -aG docker $USER`, then log in again)";

static void test_tr_unix_permission_from_curl(void **state)
{
	(void)state;
	/* whatever the file looks like, curl's errno text is believed */
	expect_tr_has(CURLE_COULDNT_CONNECT, "connect to /var/run/docker.sock: Permission denied",
	              "unix:///nonexistent/docker.sock", denied_hint);
}

/* Run errmap as an unprivileged user when we are root (root passes every access check). */
static char *tr_as_user(const char *ep)
{
	if (geteuid() != 0)
		return errmap_transport(CURLE_COULDNT_CONNECT, NULL, ep, "x");
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(2);
		char *m = errmap_transport(CURLE_COULDNT_CONNECT, NULL, ep, "x");
		ssize_t w = write(p[1], m, strlen(m));
		free(m);
		_exit(w > 0 ? 0 : 3);
	}
	close(p[1]);
	char buf[1024];
	size_t n = 0;
	ssize_t r;
	while ((r = read(p[0], buf + n, sizeof buf - 1 - n)) > 0)
		n += (size_t)r;
	close(p[0]);
	buf[n] = '\0';
	/* The message arriving is the check: under valgrind the child's exit status also
	 * counts the memory it inherited. */
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st));
	assert_true(n > 0);
	return strdup(buf);
}

static void test_tr_unix_permission_from_file(void **state)
{
	(void)state;
	char path[128], ep[140];
	snprintf(path, sizeof path, "%s/root-only.sock", tmpdir);
	snprintf(ep, sizeof ep, "unix://%s", path);
	int fd = bind_socket(path);
	/* not writable for us, as dockerd's root:docker 0660 socket is for a user outside the group */
	assert_int_equal(chmod(path, 0), 0);
	assert_int_equal(chmod(tmpdir, 0755), 0);
	char *m = tr_as_user(ep);
	check_shape(m);
	assert_non_null(strstr(m, denied_hint));
	free(m);

	/* the directory on the way is closed to us */
	assert_int_equal(chmod(tmpdir, 0700), 0);
	if (geteuid() == 0) {
		m = tr_as_user(ep);
		check_shape(m);
		assert_non_null(strstr(m, denied_hint));
		free(m);
	}
	close(fd);
	unlink(path);
}

static void test_tr_timeout(void **state)
{
	(void)state;
	expect_tr(CURLE_OPERATION_TIMEDOUT, "Operation timed out after 3001 milliseconds with 0 bytes "
	          "received", "tcp://127.0.0.1:4000", "listing services",
	          "no reply from the engine at tcp://127.0.0.1:4000 in time while listing services");
	expect_tr(CURLE_OPERATION_TIMEDOUT, "Operation timed out after 3000 milliseconds with 10 out of "
	          "1000 bytes received", "unix:///s", "listing tasks",
	          "no reply from the engine at unix:///s in time while listing tasks");
	/* curl reports a connect timeout with the same code */
	expect_tr_has(CURLE_OPERATION_TIMEDOUT, "Connection timed out after 5001 milliseconds",
	              "tcp://10.1.1.1:2375", "no reply from the engine at tcp://10.1.1.1:2375 in time "
	              "while listing services: the connection was not accepted");
	expect_tr_has(CURLE_OPERATION_TIMEDOUT, "Failed to connect to h port 1 after 5000 ms: Timed out",
	              "tcp://h:1", "the connection was not accepted");
	expect_tr_has(CURLE_OPERATION_TIMEDOUT, "Resolving timed out after 5000 milliseconds",
	              "tcp://h:1", "the connection was not accepted");
	/* no what */
	expect_tr(CURLE_OPERATION_TIMEDOUT, NULL, "tcp://h:1", NULL,
	          "no reply from the engine at tcp://h:1 in time while talking to the engine");
}

static void test_tr_cut_short(void **state)
{
	(void)state;
	expect_tr(CURLE_PARTIAL_FILE, "transfer closed with 4900 bytes remaining to read",
	          "tcp://127.0.0.1:4000", "listing services",
	          "the engine's reply was cut short while listing services: transfer closed with 4900 "
	          "bytes remaining to read");
	expect_tr(CURLE_GOT_NOTHING, "Empty reply from server", "unix:///s", "listing nodes",
	          "the engine's reply was cut short while listing nodes: Empty reply from server");
	expect_tr_has(CURLE_RECV_ERROR, "Recv failure: Connection reset by peer", "unix:///s",
	              "the engine's reply was cut short while listing services: Recv failure: "
	              "Connection reset by peer");
	expect_tr_has(CURLE_RECV_ERROR, NULL, "unix:///s",
	              "the engine's reply was cut short while listing services: ");
}

static void test_tr_tls(void **state)
{
	(void)state;
	const char *ep = "tcp://engine.example:2376";
	char *m = tr(CURLE_PEER_FAILED_VERIFICATION,
	             "SSL certificate problem: unable to get local issuer certificate", ep);
	assert_string_equal(m, "cannot reach the engine at tcp://engine.example:2376 over TLS: the "
	                       "engine's certificate did not verify against ca.pem: SSL certificate "
	                       "problem: unable to get local issuer certificate (glovebox reads ca.pem, "
	                       "cert.pem and key.pem from DOCKER_CERT_PATH, else $DOCKER_CONFIG, else "
	                       "~/.docker)");
	free(m);
	expect_tr_has(CURLE_SSL_CACERT_BADFILE, "error setting certificate file: /x/ca.pem", ep,
	              "over TLS: the CA certificate (ca.pem) cannot be read: error setting "
	              "certificate file: /x/ca.pem (glovebox reads ca.pem");
	expect_tr_has(CURLE_SSL_CERTPROBLEM, "could not load PEM client certificate", ep,
	              "over TLS: the client certificate or key (cert.pem, key.pem) cannot be used");
	expect_tr_has(CURLE_SSL_CERTPROBLEM, NULL, ep, "DOCKER_CERT_PATH");
	expect_tr(CURLE_SSL_CONNECT_ERROR, "OpenSSL/3.0.11: error:0A00010B:SSL routines::wrong "
	          "version number", ep, "x", "cannot reach the engine at tcp://engine.example:2376 "
	          "over TLS: the handshake failed: OpenSSL/3.0.11: error:0A00010B:SSL routines::wrong "
	          "version number (is the engine serving plain HTTP on that port? then unset "
	          "DOCKER_TLS and DOCKER_TLS_VERIFY, or use http://)");
	expect_tr_has(CURLE_SSL_CONNECT_ERROR, "OpenSSL SSL_connect: SSL_ERROR_SYSCALL", ep,
	              "over TLS: the handshake failed: OpenSSL SSL_connect");
	const int others[] = { CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CRL_BADFILE,
	                       CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
	                       CURLE_SSL_CLIENTCERT, CURLE_SSL_ENGINE_NOTFOUND,
	                       CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED };
	for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
		m = tr(others[i], NULL, ep);
		assert_non_null(strstr(m, "over TLS: the handshake failed: "));
		assert_non_null(strstr(m, "DOCKER_CERT_PATH"));
		free(m);
	}
}

static void test_tr_resolve(void **state)
{
	(void)state;
	expect_tr(CURLE_COULDNT_RESOLVE_HOST, "Could not resolve host: nosuch.invalid",
	          "tcp://nosuch.invalid:2375", "listing services",
	          "cannot reach the engine at tcp://nosuch.invalid:2375: the host name does not "
	          "resolve (is DOCKER_HOST right?)");
	expect_tr_has(CURLE_COULDNT_RESOLVE_PROXY, "Could not resolve proxy: p", "tcp://h:1",
	              "the proxy's host name does not resolve (check https_proxy");
}

static void test_tr_other(void **state)
{
	(void)state;
	expect_tr(CURLE_SEND_ERROR, "Send failure: Broken pipe", "tcp://h:1", "creating foo",
	          "the connection to the engine at tcp://h:1 broke while creating foo: Send failure: "
	          "Broken pipe");
	expect_tr(CURLE_FILESIZE_EXCEEDED, "Maximum file size exceeded", "tcp://h:1", "listing services",
	          "the engine's reply was larger than glovebox accepts while listing services");
	expect_tr_has(CURLE_UNSUPPORTED_PROTOCOL, "Protocol \"https\" not supported", "https://h:1",
	              "cannot talk to the engine at https://h:1: Protocol \"https\" not supported");
	expect_tr(CURLE_WRITE_ERROR, "Failure writing output to destination", "unix:///s", "listing x",
	          "listing x failed: cannot talk to the engine at unix:///s: Failure writing output to "
	          "destination");
	/* curl text is sanitised and bounded too */
	char big[600];
	memset(big, 'e', sizeof big);
	big[0] = '\x1b';
	big[sizeof big - 1] = '\0';
	char *m = tr(CURLE_WRITE_ERROR, big, "unix:///s");
	assert_true(strlen(m) < 300);
	assert_non_null(strstr(m, ": ?eee"));
	free(m);
	/* no endpoint */
	expect_tr_has(CURLE_COULDNT_RESOLVE_HOST, NULL, NULL, "at the configured address");
	/* an unknown code still reads */
	expect_tr_has(9999, NULL, "tcp://h:1", "listing services failed: cannot talk to the engine at "
	              "tcp://h:1: ");
}

static void test_unreachable_class(void **state)
{
	(void)state;
	const int yes[] = {
		CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY,
		CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
		CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CLIENTCERT,
		CURLE_SSL_PINNEDPUBKEYNOTMATCH,
	};
	const int no[] = {
		CURLE_OK, CURLE_OPERATION_TIMEDOUT, CURLE_PARTIAL_FILE, CURLE_RECV_ERROR,
		CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_WRITE_ERROR, CURLE_FILESIZE_EXCEEDED,
		CURLE_ABORTED_BY_CALLBACK, CURLE_OUT_OF_MEMORY, CURLE_UNSUPPORTED_PROTOCOL,
		CURLE_URL_MALFORMAT, 9999, -1,
	};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!errmap_is_unreachable(yes[i]))
			fail_msg("code %d should be unreachable", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (errmap_is_unreachable(no[i]))
			fail_msg("code %d should not be unreachable", no[i]);
}

static int teardown_dir(void **state)
{
	(void)state;
	/* a failed test may have left its files behind */
	const char *names[] = { "stale.sock", "plain-file", "root-only.sock" };
	char path[128];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_engine_message),
		cmocka_unit_test(test_http_message_sanitised),
		cmocka_unit_test(test_http_not_json),
		cmocka_unit_test(test_http_body_first_200_bytes),
		cmocka_unit_test(test_http_reason_phrase),
		cmocka_unit_test(test_http_not_a_manager),
		cmocka_unit_test(test_http_page_not_found),
		cmocka_unit_test(test_http_client_version),
		cmocka_unit_test(test_http_plain_to_tls_port),
		cmocka_unit_test(test_tr_refused_tcp),
		cmocka_unit_test(test_tr_unix_missing),
		cmocka_unit_test(test_tr_unix_refused),
		cmocka_unit_test(test_tr_unix_not_a_socket),
		cmocka_unit_test(test_tr_unix_permission_from_curl),
		cmocka_unit_test(test_tr_unix_permission_from_file),
		cmocka_unit_test(test_tr_timeout),
		cmocka_unit_test(test_tr_cut_short),
		cmocka_unit_test(test_tr_tls),
		cmocka_unit_test(test_tr_resolve),
		cmocka_unit_test(test_tr_other),
		cmocka_unit_test(test_unreachable_class),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
