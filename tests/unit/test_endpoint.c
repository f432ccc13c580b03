/* endpoint_resolve: the docker CLI's host rules (cli/flags/options.go, opts/hosts.go). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api/engine/endpoint.h"

/* Resolve and expect success; the endpoint is returned for inspection. */
static struct endpoint ok(const char *flag, const struct endpoint_env *env)
{
	struct endpoint ep;
	char *err = NULL;
	int rc = endpoint_resolve(flag, env, &ep, &err);
	if (rc != 0)
		fail_msg("resolve %s: unexpected error: %s", flag ? flag : "(env)", err ? err : "?");
	assert_null(err);
	return ep;
}

/* Resolve and expect failure; returns the message (caller frees) and checks *out is clear. */
static char *bad(const char *flag, const struct endpoint_env *env)
{
	struct endpoint ep;
	memset(&ep, 0xa5, sizeof ep);
	char *err = NULL;
	if (endpoint_resolve(flag, env, &ep, &err) == 0)
		fail_msg("resolve %s: expected an error, got %s", flag ? flag : "(env)", ep.display);
	assert_non_null(err);
	assert_null(ep.socket_path);
	assert_null(ep.base_url);
	assert_null(ep.display);
	assert_null(ep.ca_file);
	/* messages start lowercase and have no trailing period */
	assert_true(err[0] >= 'a' && err[0] <= 'z');
	assert_true(err[strlen(err) - 1] != '.');
	return err;
}

static void expect_tcp(const char *flag, const struct endpoint_env *env,
                       const char *base_url, const char *display, bool tls)
{
	struct endpoint ep = ok(flag, env);
	assert_int_equal(ep.kind, ENDPOINT_TCP);
	assert_string_equal(ep.base_url, base_url);
	assert_string_equal(ep.display, display);
	assert_int_equal(ep.tls, tls);
	assert_null(ep.socket_path);
	endpoint_clear(&ep);
}

static void expect_bad(const char *flag, const struct endpoint_env *env, const char *needle)
{
	char *err = bad(flag, env);
	if (!strstr(err, needle))
		fail_msg("resolve %s: error [%s] lacks [%s]", flag, err, needle);
	free(err);
}

static const struct endpoint_env no_env;
static const struct endpoint_env tls_verify = { .docker_tls_verify = "1" };

static void test_default_is_unix_socket(void **state)
{
	(void)state;
	struct endpoint ep = ok(NULL, &no_env);
	assert_int_equal(ep.kind, ENDPOINT_UNIX);
	assert_string_equal(ep.socket_path, "/var/run/docker.sock");
	assert_string_equal(ep.base_url, "http://localhost");
	assert_string_equal(ep.display, "unix:///var/run/docker.sock");
	assert_false(ep.tls);
	endpoint_clear(&ep);
	assert_null(ep.display);
	endpoint_clear(&ep); /* twice is harmless */

	/* a NULL env means nothing is set */
	ep = ok(NULL, NULL);
	assert_string_equal(ep.display, "unix:///var/run/docker.sock");
	endpoint_clear(&ep);
}

static void test_empty_docker_host_is_unset(void **state)
{
	(void)state;
	const char *vals[] = { "", "   ", "\t\n" };
	for (size_t i = 0; i < 3; i++) {
		struct endpoint_env env = { .docker_host = vals[i] };
		struct endpoint ep = ok(NULL, &env);
		assert_string_equal(ep.display, "unix:///var/run/docker.sock");
		endpoint_clear(&ep);
	}
}

static void test_default_ignores_tls_env(void **state)
{
	(void)state;
	/* TLS settings do not apply to the unix socket: no certificates, plain http base. */
	struct endpoint_env env = { .docker_tls_verify = "1", .docker_cert_path = "/" };
	struct endpoint ep = ok(NULL, &env);
	assert_int_equal(ep.kind, ENDPOINT_UNIX);
	assert_false(ep.tls);
	assert_null(ep.ca_file);
	assert_string_equal(ep.base_url, "http://localhost");
	endpoint_clear(&ep);
}

static void test_flag_beats_env(void **state)
{
	(void)state;
	struct endpoint_env env = { .docker_host = "tcp://from-env:1" };
	expect_tcp("tcp://from-flag:2", &env, "http://from-flag:2", "tcp://from-flag:2", false);
	expect_tcp(NULL, &env, "http://from-env:1", "tcp://from-env:1", false);
}

static void test_empty_flag_rejected(void **state)
{
	(void)state;
	expect_bad("", &no_env, "--host");
	expect_bad("  ", &no_env, "--host");
}

static void test_unix(void **state)
{
	(void)state;
	struct endpoint ep = ok("unix:///tmp/x.sock", &no_env);
	assert_int_equal(ep.kind, ENDPOINT_UNIX);
	assert_string_equal(ep.socket_path, "/tmp/x.sock");
	assert_string_equal(ep.base_url, "http://localhost");
	assert_string_equal(ep.display, "unix:///tmp/x.sock");
	endpoint_clear(&ep);

	/* the CLI treats a bare path as a unix socket */
	ep = ok("/run/user/1000/docker.sock", &no_env);
	assert_int_equal(ep.kind, ENDPOINT_UNIX);
	assert_string_equal(ep.socket_path, "/run/user/1000/docker.sock");
	assert_string_equal(ep.display, "unix:///run/user/1000/docker.sock");
	endpoint_clear(&ep);

	ep = ok("./docker.sock", &no_env);
	assert_int_equal(ep.kind, ENDPOINT_UNIX);
	assert_string_equal(ep.socket_path, "./docker.sock");
	endpoint_clear(&ep);

	/* surrounding blanks are trimmed, as the CLI does */
	ep = ok("  unix:///tmp/y.sock \n", &no_env);
	assert_string_equal(ep.socket_path, "/tmp/y.sock");
	endpoint_clear(&ep);

	/* scheme case does not matter */
	ep = ok("UNIX:///tmp/z.sock", &no_env);
	assert_string_equal(ep.socket_path, "/tmp/z.sock");
	endpoint_clear(&ep);
}

static void test_unix_errors(void **state)
{
	(void)state;
	expect_bad("unix://", &no_env, "needs a socket path");
	expect_bad("unix://unix:///x", &no_env, "single unix://");
	expect_bad("unix:///tmp/a\x01", &no_env, "control characters");

	char longpath[200];
	memset(longpath, 'a', sizeof longpath);
	memcpy(longpath, "unix:///", 8);
	longpath[sizeof longpath - 1] = '\0';
	expect_bad(longpath, &no_env, "longer than the 107 bytes");

	/* 107 bytes of path is the most sun_path holds with its NUL */
	char fits[7 + 107 + 1];
	memcpy(fits, "unix://", 7);
	memset(fits + 7, 'b', 107);
	fits[7] = '/';
	fits[sizeof fits - 1] = '\0';
	struct endpoint ep = ok(fits, &no_env);
	assert_int_equal(strlen(ep.socket_path), 107);
	endpoint_clear(&ep);
}

static void test_tcp_default_port(void **state)
{
	(void)state;
	expect_tcp("tcp://engine.example", &no_env,
	           "http://engine.example:2375", "tcp://engine.example:2375", false);
	expect_tcp("tcp://10.0.0.5:2380", &no_env, "http://10.0.0.5:2380", "tcp://10.0.0.5:2380", false);
	/* without a scheme, host:port means tcp */
	expect_tcp("engine.example:2380", &no_env,
	           "http://engine.example:2380", "tcp://engine.example:2380", false);
	expect_tcp("engine.example", &no_env,
	           "http://engine.example:2375", "tcp://engine.example:2375", false);
	/* a trailing colon keeps the default port (Go's SplitHostPort) */
	expect_tcp("tcp://engine.example:", &no_env,
	           "http://engine.example:2375", "tcp://engine.example:2375", false);
	/* a lone trailing slash is harmless */
	expect_tcp("tcp://engine.example:2375/", &no_env,
	           "http://engine.example:2375", "tcp://engine.example:2375", false);
	expect_tcp("TCP://Engine_1.example", &no_env,
	           "http://Engine_1.example:2375", "tcp://Engine_1.example:2375", false);
	/* leading zeros are canonicalised */
	expect_tcp("tcp://h:02375", &no_env, "http://h:2375", "tcp://h:2375", false);
	expect_tcp("tcp://h:1", &no_env, "http://h:1", "tcp://h:1", false);
	expect_tcp("tcp://h:65535", &no_env, "http://h:65535", "tcp://h:65535", false);
}

static void test_tcp_with_tls_keeps_2375(void **state)
{
	(void)state;
	/* the CLI gives a named tcp:// host 2375 even with TLS on */
	expect_tcp("tcp://engine.example", &tls_verify,
	           "https://engine.example:2375", "tcp://engine.example:2375", true);
	expect_tcp("tcp://engine.example:2376", &tls_verify,
	           "https://engine.example:2376", "tcp://engine.example:2376", true);
}

static void test_tls_env_rules(void **state)
{
	(void)state;
	/* non-empty means on, whatever the value */
	const struct endpoint_env on[] = {
		{ .docker_tls_verify = "1" },
		{ .docker_tls_verify = "0" },
		{ .docker_tls_verify = "false" },
		{ .docker_tls = "1" },
		{ .docker_tls = "1", .docker_tls_verify = "" },
	};
	for (size_t i = 0; i < sizeof on / sizeof on[0]; i++)
		expect_tcp("tcp://h", &on[i], "https://h:2375", "tcp://h:2375", true);
	const struct endpoint_env off[] = {
		{ .docker_tls_verify = "" },
		{ .docker_tls = "", .docker_tls_verify = "" },
		{ .docker_cert_path = "/etc/docker-certs" }, /* unlike the Go SDK, not on by itself */
	};
	for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
		expect_tcp("tcp://h", &off[i], "http://h:2375", "tcp://h:2375", false);
}

static void test_tcp_empty_host(void **state)
{
	(void)state;
	expect_tcp("tcp://", &no_env, "http://127.0.0.1:2375", "tcp://127.0.0.1:2375", false);
	expect_tcp("tcp://", &tls_verify, "https://127.0.0.1:2376", "tcp://127.0.0.1:2376", true);
	expect_tcp("tcp://:", &tls_verify, "https://127.0.0.1:2376", "tcp://127.0.0.1:2376", true);
	expect_tcp("tcp://:3000", &no_env, "http://127.0.0.1:3000", "tcp://127.0.0.1:3000", false);
	expect_tcp("tcp://:3000", &tls_verify, "https://127.0.0.1:3000", "tcp://127.0.0.1:3000", true);
	expect_tcp(":3000", &no_env, "http://127.0.0.1:3000", "tcp://127.0.0.1:3000", false);
	struct endpoint_env env = { .docker_host = "tcp://" };
	expect_tcp(NULL, &env, "http://127.0.0.1:2375", "tcp://127.0.0.1:2375", false);
}

static void test_ipv6(void **state)
{
	(void)state;
	expect_tcp("tcp://[::1]:2380", &no_env, "http://[::1]:2380", "tcp://[::1]:2380", false);
	expect_tcp("tcp://[::1]", &no_env, "http://[::1]:2375", "tcp://[::1]:2375", false);
	expect_tcp("tcp://[::1]:", &no_env, "http://[::1]:2375", "tcp://[::1]:2375", false);
	expect_tcp("https://[fd00::1:2]", &no_env,
	           "https://[fd00::1:2]:2376", "https://[fd00::1:2]:2376", true);
	expect_tcp("tcp://[::ffff:10.0.0.1]:1", &no_env,
	           "http://[::ffff:10.0.0.1]:1", "tcp://[::ffff:10.0.0.1]:1", false);
	expect_bad("tcp://::1", &no_env, "brackets");
	expect_bad("tcp://::1:2375", &no_env, "brackets");
	expect_bad("tcp://[::1", &no_env, "missing ']'");
	expect_bad("tcp://[::1]2375", &no_env, "':port'");
	expect_bad("tcp://[]:2375", &no_env, "IPv6");
	expect_bad("tcp://[host]:2375", &no_env, "IPv6");
	expect_bad("tcp://[::g]:2375", &no_env, "IPv6");
	expect_bad("tcp://[::1]:0", &no_env, "port");
}

static void test_https_and_http(void **state)
{
	(void)state;
	expect_tcp("https://engine.example", &no_env,
	           "https://engine.example:2376", "https://engine.example:2376", true);
	expect_tcp("https://engine.example:443", &no_env,
	           "https://engine.example:443", "https://engine.example:443", true);
	expect_tcp("https://engine.example", &tls_verify,
	           "https://engine.example:2376", "https://engine.example:2376", true);
	expect_tcp("http://engine.example", &no_env,
	           "http://engine.example:2375", "http://engine.example:2375", false);
	expect_tcp("http://engine.example:80/", &no_env,
	           "http://engine.example:80", "http://engine.example:80", false);
	/* plain http with TLS asked for in the environment would silently drop TLS */
	expect_bad("http://engine.example", &tls_verify, "DOCKER_TLS_VERIFY");
	struct endpoint_env tls = { .docker_tls = "yes" };
	expect_bad("http://engine.example", &tls, "use https://");
	expect_bad("http://", &no_env, "missing host");
	expect_bad("https://", &no_env, "missing host");
	expect_bad("https://:2376", &no_env, "missing host");
}

static void test_paths_queries_users(void **state)
{
	(void)state;
	expect_bad("tcp://h:2375/v1.41", &no_env, "without a path or query");
	expect_bad("tcp://h:2375//", &no_env, "without a path or query");
	expect_bad("tcp://h/x", &no_env, "without a path or query");
	expect_bad("tcp://h:2375?x=1", &no_env, "without a path or query");
	expect_bad("https://h#frag", &no_env, "without a path or query");
	expect_bad("http://h:2375/", &tls_verify, "https://"); /* TLS conflict still wins */
	expect_bad("tcp://user:pw@h:2375", &no_env, "passwords");
	expect_bad("tcp://h:2375://x", &no_env, "without a path");
}

static void test_bad_ports(void **state)
{
	(void)state;
	const char *ports[] = {
		"tcp://h:0", "tcp://h:65536", "tcp://h:99999999", "tcp://h:abc", "tcp://h:-1",
		"tcp://h:+80", "tcp://h:23 75", "tcp://h:0x10", "https://h:100000", "h:70000",
	};
	for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
		expect_bad(ports[i], &no_env, "the port must be a number from 1 to 65535");
}

static void test_bad_hosts(void **state)
{
	(void)state;
	expect_bad("tcp://ho st:1", &no_env, "host name");
	expect_bad("tcp://h%41:1", &no_env, "host name");
	expect_bad("tcp://h\x1b[31m:1", &no_env, "host name");
}

static void test_ssh_rejected_with_hint(void **state)
{
	(void)state;
	char *err = bad("ssh://alice@build-box", &no_env);
	assert_non_null(strstr(err, "ssh:// hosts are not supported yet"));
	assert_non_null(strstr(err, "`ssh -N -L /tmp/docker.sock:/var/run/docker.sock alice@build-box`"));
	assert_non_null(strstr(err, "use unix:///tmp/docker.sock"));
	assert_non_null(strstr(err, "--host \"ssh://alice@build-box\""));
	free(err);

	err = bad("ssh://box:2222", &no_env);
	assert_non_null(strstr(err, "`ssh -N -L /tmp/docker.sock:/var/run/docker.sock -p 2222 box`"));
	free(err);

	err = bad("ssh://", &no_env);
	assert_non_null(strstr(err, "/var/run/docker.sock host`"));
	free(err);

	struct endpoint_env env = { .docker_host = "ssh://me@h" };
	err = bad(NULL, &env);
	assert_non_null(strstr(err, "invalid DOCKER_HOST \"ssh://me@h\""));
	assert_non_null(strstr(err, "ssh:// hosts are not supported yet"));
	free(err);
}

static void test_other_schemes_rejected(void **state)
{
	(void)state;
	expect_bad("fd://", &no_env, "fd://");
	expect_bad("fd://3", &no_env, "socket activation");
	expect_bad("npipe:////./pipe/docker_engine", &no_env, "Windows");
	expect_bad("ftp://h", &no_env, "unknown scheme");
	expect_bad("://h", &no_env, "unknown scheme");
}

static void test_error_names_source_and_value(void **state)
{
	(void)state;
	struct endpoint_env env = { .docker_host = "tcp://h:0" };
	char *err = bad(NULL, &env);
	assert_string_equal(err, "invalid DOCKER_HOST \"tcp://h:0\": "
	                         "the port must be a number from 1 to 65535");
	free(err);
	err = bad("tcp://h:0", &env);
	assert_string_equal(err, "invalid --host \"tcp://h:0\": "
	                         "the port must be a number from 1 to 65535");
	free(err);

	/* the value is shown printable only: no escape sequence reaches the terminal */
	err = bad("ftp://\x1b]0;pwned\x07", &no_env);
	assert_null(strchr(err, '\x1b'));
	assert_null(strchr(err, '\x07'));
	assert_non_null(strstr(err, "ftp://?]0;pwned?"));
	free(err);

	/* and bounded */
	char big[1000];
	memset(big, 'x', sizeof big);
	memcpy(big, "ftp://", 6);
	big[sizeof big - 1] = '\0';
	err = bad(big, &no_env);
	assert_true(strlen(err) < 300);
	assert_non_null(strstr(err, "...\""));
	free(err);
}

/* A scratch cert dir with the named files. */
static char *cert_dir(const char *const *files, size_t n)
{
	char tmpl[] = "/tmp/gb-certs-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	for (size_t i = 0; i < n; i++) {
		char path[256];
		snprintf(path, sizeof path, "%s/%s", tmpl, files[i]);
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs("-----BEGIN CERTIFICATE-----\n", f);
		fclose(f);
	}
	return strdup(tmpl);
}

static void rm_dir(char *dir)
{
	const char *names[] = { "ca.pem", "cert.pem", "key.pem", ".docker/ca.pem", ".docker" };
	for (size_t i = 0; i < 5; i++) {
		char path[256];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (unlink(path) != 0)
			rmdir(path);
	}
	rmdir(dir);
	free(dir);
}

static void test_certs_only_existing_files(void **state)
{
	(void)state;
	const char *files[] = { "ca.pem", "cert.pem" };
	char *dir = cert_dir(files, 2);
	char want[300];

	struct endpoint_env env = { .docker_tls_verify = "1", .docker_cert_path = dir };
	struct endpoint ep = ok("tcp://h:2376", &env);
	snprintf(want, sizeof want, "%s/ca.pem", dir);
	assert_string_equal(ep.ca_file, want);
	snprintf(want, sizeof want, "%s/cert.pem", dir);
	assert_string_equal(ep.cert_file, want);
	assert_null(ep.key_file);
	endpoint_clear(&ep);

	/* a trailing slash on the dir does not double up */
	char slashed[300];
	snprintf(slashed, sizeof slashed, "%s/", dir);
	env.docker_cert_path = slashed;
	ep = ok("tcp://h:2376", &env);
	snprintf(want, sizeof want, "%s/ca.pem", dir);
	assert_string_equal(ep.ca_file, want);
	endpoint_clear(&ep);

	/* TLS off: no certificates even though the files exist */
	struct endpoint_env plain = { .docker_cert_path = dir };
	ep = ok("tcp://h:2375", &plain);
	assert_null(ep.ca_file);
	assert_null(ep.cert_file);
	assert_null(ep.key_file);
	endpoint_clear(&ep);

	/* https:// turns TLS on by itself, and then certificates apply */
	ep = ok("https://h", &plain);
	assert_non_null(ep.ca_file);
	assert_non_null(ep.cert_file);
	endpoint_clear(&ep);

	/* unix sockets never use them */
	ep = ok("unix:///tmp/s.sock", &env);
	assert_null(ep.ca_file);
	endpoint_clear(&ep);

	rm_dir(dir);
}

static void test_cert_dir_precedence(void **state)
{
	(void)state;
	const char *ca[] = { "ca.pem" };
	const char *key[] = { "key.pem" };
	char *certs = cert_dir(ca, 1);
	char *config = cert_dir(key, 1);
	char *home = cert_dir(NULL, 0);
	char path[300];
	snprintf(path, sizeof path, "%s/.docker", home);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/.docker/ca.pem", home);
	fclose(fopen(path, "w"));

	/* DOCKER_CERT_PATH first */
	struct endpoint_env env = { .docker_tls = "1", .docker_cert_path = certs,
	                            .docker_config = config, .home = home };
	struct endpoint ep = ok("tcp://h", &env);
	assert_non_null(ep.ca_file);
	assert_ptr_equal(strstr(ep.ca_file, certs), ep.ca_file);
	assert_null(ep.key_file);
	endpoint_clear(&ep);

	/* then DOCKER_CONFIG (an empty DOCKER_CERT_PATH counts as unset) */
	env.docker_cert_path = "";
	ep = ok("tcp://h", &env);
	assert_null(ep.ca_file);
	assert_non_null(ep.key_file);
	assert_ptr_equal(strstr(ep.key_file, config), ep.key_file);
	endpoint_clear(&ep);

	/* then $HOME/.docker */
	env.docker_config = NULL;
	ep = ok("tcp://h", &env);
	assert_string_equal(ep.ca_file, path);
	assert_null(ep.key_file);
	endpoint_clear(&ep);

	/* nothing to go on: no certificates, still resolves (curl uses the system CAs) */
	env.home = NULL;
	ep = ok("tcp://h", &env);
	assert_true(ep.tls);
	assert_null(ep.ca_file);
	endpoint_clear(&ep);

	rm_dir(certs);
	rm_dir(config);
	rm_dir(home);
}

/* Resolve as an unprivileged user when we are root (root reads every file); reports which
 * of ca/cert/key were found as a three-letter mask like "c-k". */
static void found_as_user(const struct endpoint_env *env, char mask[4])
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(2);
		struct endpoint ep;
		char *err = NULL;
		if (endpoint_resolve("tcp://h", env, &ep, &err) != 0)
			_exit(3);
		char m[3] = { ep.ca_file ? 'c' : '-', ep.cert_file ? 'c' : '-', ep.key_file ? 'k' : '-' };
		endpoint_clear(&ep);
		_exit(write(p[1], m, 3) == 3 ? 0 : 4);
	}
	close(p[1]);
	memset(mask, 0, 4);
	assert_int_equal(read(p[0], mask, 3), 3);
	close(p[0]);
	/* Three bytes arriving is the check: under valgrind the child's exit status also counts
	 * the memory it inherited. */
	int st;
	waitpid(pid, &st, 0);
	assert_true(WIFEXITED(st));
}

static void test_unreadable_cert_skipped(void **state)
{
	(void)state;
	const char *files[] = { "ca.pem", "cert.pem", "key.pem" };
	char *dir = cert_dir(files, 3);
	assert_int_equal(chmod(dir, 0755), 0);
	char path[300];
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		assert_int_equal(chmod(path, i == 2 ? 0 : 0644), 0);
	}
	struct endpoint_env env = { .docker_tls_verify = "1", .docker_cert_path = dir };
	char mask[4];
	found_as_user(&env, mask);
	assert_string_equal(mask, "cc-");
	rm_dir(dir);
}

/* Registry credentials go only where nobody on the way can read them. */
static void expect_secrets(const char *flag, const struct endpoint_env *env, bool allowed)
{
	struct endpoint ep = ok(flag, env);
	char *err = NULL;
	if (endpoint_secure_for_secrets(&ep) != allowed)
		fail_msg("%s: secrets %s, expected %s", flag, allowed ? "refused" : "allowed",
		         allowed ? "allowed" : "refused");
	assert_int_equal(endpoint_check_secrets(&ep, &err), allowed ? 0 : -1);
	if (allowed) {
		assert_null(err);
	} else {
		/* One sentence: the endpoint, and the way out. */
		assert_non_null(strstr(err, ep.display));
		assert_non_null(strstr(err, "refusing to send registry credentials"));
		assert_non_null(strstr(err, "DOCKER_TLS_VERIFY=1"));
		assert_non_null(strstr(err, ":2376"));
		assert_non_null(strstr(err, "docs/credentials.md"));
		assert_null(strchr(err, '\n'));
		free(err);
	}
	endpoint_clear(&ep);
}

static void test_secure_for_secrets(void **state)
{
	(void)state;
	static const struct endpoint_env tls_only = { .docker_tls = "1" };
	expect_secrets("unix:///var/run/docker.sock", NULL, true);
	expect_secrets("/run/user/1000/docker.sock", NULL, true);
	expect_secrets("https://engine.example.org", NULL, true);
	expect_secrets("tcp://engine.example.org:2376", &tls_verify, true);
	expect_secrets("tcp://engine.example.org", &tls_only, true);
	expect_secrets("tcp://engine.example.org:2375", NULL, false);
	expect_secrets("tcp://engine.example.org:2376", NULL, false);   /* the port is no TLS */
	expect_secrets("http://engine.example.org:2376", NULL, false);
	expect_secrets("tcp://127.0.0.1:2375", NULL, false);            /* loopback too */
	expect_secrets("tcp://[::1]:2375", NULL, false);
	expect_secrets("engine.example.org:2375", NULL, false);
}

static void test_env_from_process(void **state)
{
	(void)state;
	setenv("DOCKER_HOST", "tcp://from-process:1", 1);
	setenv("DOCKER_TLS", "", 1);
	setenv("DOCKER_TLS_VERIFY", "1", 1);
	unsetenv("DOCKER_CERT_PATH");
	setenv("DOCKER_CONFIG", "/cfg", 1);
	setenv("HOME", "/home/x", 1);
	struct endpoint_env env;
	endpoint_env_from_process(&env);
	assert_string_equal(env.docker_host, "tcp://from-process:1");
	assert_string_equal(env.docker_tls, "");
	assert_string_equal(env.docker_tls_verify, "1");
	assert_null(env.docker_cert_path);
	assert_string_equal(env.docker_config, "/cfg");
	assert_string_equal(env.home, "/home/x");
	expect_tcp(NULL, &env, "https://from-process:1", "tcp://from-process:1", true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_is_unix_socket),
		cmocka_unit_test(test_empty_docker_host_is_unset),
		cmocka_unit_test(test_default_ignores_tls_env),
		cmocka_unit_test(test_flag_beats_env),
		cmocka_unit_test(test_empty_flag_rejected),
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_unix_errors),
		cmocka_unit_test(test_tcp_default_port),
		cmocka_unit_test(test_tcp_with_tls_keeps_2375),
		cmocka_unit_test(test_tls_env_rules),
		cmocka_unit_test(test_tcp_empty_host),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_https_and_http),
		cmocka_unit_test(test_paths_queries_users),
		cmocka_unit_test(test_bad_ports),
		cmocka_unit_test(test_bad_hosts),
		cmocka_unit_test(test_ssh_rejected_with_hint),
		cmocka_unit_test(test_other_schemes_rejected),
		cmocka_unit_test(test_error_names_source_and_value),
		cmocka_unit_test(test_certs_only_existing_files),
		cmocka_unit_test(test_cert_dir_precedence),
		cmocka_unit_test(test_unreadable_cert_skipped),
		cmocka_unit_test(test_env_from_process),
		cmocka_unit_test(test_secure_for_secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
