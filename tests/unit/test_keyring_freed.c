/* No secret is left behind in freed heap memory: every block the process frees (through glibc's
 * free and realloc, which this test interposes, or ASan's free hook) is scanned for canary
 * secrets, during a login (POST /auth answered with an identity token), a config.json read
 * (auths holding a token, and a broken file whose parse error quotes it) and a
 * submission (X-Registry-Auth on the digest lookup and on the service).
 *
 * The engine is a small HTTP server on a thread of this process, on a unix socket (plain tcp
 * would be refused: registry credentials never travel in clear). It keeps every byte on its
 * stack, so the only heap blocks holding a canary are glovebox's, curl's, jansson's and libc's.
 *
 * realloc is made to move every block, so a copy left behind by growth is always seen. Under
 * valgrind the interposed free runs only with --soname-synonyms=somalloc=nouserintercepts
 * (tests/run.sh passes it; otherwise valgrind takes this free for the program's own allocator
 * and the scan is skipped, saying so); each block is then marked defined before it is scanned,
 * since a freed buffer may hold bytes never written. Under ASan, its free hook does the scan. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/base/secmem.h"
#include "api/core/jobspec.h"
#include "api/core/policy.h"
#include "api/creds/creds.h"
#include "api/creds/dockercfg.h"
#include "api/engine/endpoint.h"
#include "api/engine/engine.h"
#include "api/swarm/policy_fetch.h"
#include "api/swarm/submit.h"

#if defined(__SANITIZE_ADDRESS__)
#define GB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GB_ASAN 1
#endif
#endif

#if !defined(GB_ASAN) && defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define MAKE_DEFINED(p, n) VALGRIND_MAKE_MEM_DEFINED(p, n)
#define ON_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef MAKE_DEFINED
#define MAKE_DEFINED(p, n) ((void)(p), (void)(n))
#define ON_VALGRIND() 0
#endif

/* ---- the scanner ---- */

#define MAX_NEEDLES 4
#define NEEDLE_MAX 512

struct needle {
	const char *name;
	char text[NEEDLE_MAX];
	size_t len;
};
/* Static, never heap: the scanner must not find its own needles. */
static struct needle needles[MAX_NEEDLES];
static int n_needles;
static volatile int scanning;
static volatile bool quiet;  /* the control's hits are expected: not reported */
/* volatile: the compiler takes free() for a builtin that touches no global, and would keep
 * the counts it read before the frees. */
static volatile int hits[MAX_NEEDLES];
static __thread int in_scan;

static void say(const char *s)
{
	ssize_t w = write(STDERR_FILENO, s, strlen(s));
	(void)w;
}

static void say_num(size_t n)
{
	char buf[32], *p = buf + sizeof buf;
	*--p = '\0';
	do
		*--p = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	say(p);
}

/* Called on every block about to be freed; allocates nothing. */
static void scan_block(const void *p, size_t n)
{
	if (!p || !scanning || in_scan)
		return;
	in_scan = 1;
	MAKE_DEFINED(p, n);
	for (int i = 0; i < n_needles; i++)
		if (n >= needles[i].len && memmem(p, n, needles[i].text, needles[i].len)) {
			__atomic_add_fetch(&hits[i], 1, __ATOMIC_RELAXED);
			if (quiet)
				continue;
			say("  freed block of ");
			say_num(n);
			say(" bytes holds the canary ");
			say(needles[i].name);
			say("\n");
		}
	in_scan = 0;
}

#ifdef GB_ASAN
/* ASan owns malloc and free: its free hook runs before a block is released or quarantined. */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));
size_t __sanitizer_get_allocated_size(const volatile void *p);

static void asan_free_hook(const volatile void *p)
{
	scan_block((const void *)(uintptr_t)p, __sanitizer_get_allocated_size(p));
}

/* ASan installs hooks in pairs only. */
static void asan_malloc_hook(const volatile void *p, size_t n)
{
	(void)p, (void)n;
}

static int scanner_install(void)
{
	return __sanitizer_install_malloc_and_free_hooks(asan_malloc_hook, asan_free_hook) ? 0 : -1;
}
#else
/* glibc exports its own allocator under these names; this executable's free and realloc take
 * the place of libc's for every library (libc's own calls included). */
void __libc_free(void *p);

void free(void *p)
{
	if (p)
		scan_block(p, malloc_usable_size(p));
	__libc_free(p);
}

void *realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	if (n == 0) {
		free(p);
		return NULL;
	}
	void *q = malloc(n);
	if (!q)
		return NULL;
	size_t old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	free(p);
	return q;
}

static int scanner_install(void)
{
	return 0;
}
#endif

static void needle_set(int i, const char *name, const char *text)
{
	needles[i].name = name;
	needles[i].len = strlen(text);
	assert_true(needles[i].len < NEEDLE_MAX);
	memcpy(needles[i].text, text, needles[i].len + 1);
	if (i >= n_needles)
		n_needles = i + 1;
}

/* Scanning from now on, for these needles only (a phase's canaries, so that stale copies of an
 * earlier phase's are not counted twice). */
static void scan_start(void)
{
	for (int i = 0; i < MAX_NEEDLES; i++)
		hits[i] = 0;
	scanning = 1;
}

static int scan_stop(void)
{
	scanning = 0;
	int total = 0;
	for (int i = 0; i < n_needles; i++)
		total += hits[i];
	n_needles = 0;
	return total;
}

/* A random hex tail, so that no canary can match bytes of an earlier run or the binary. */
static void canary(char *out, size_t cap, const char *stem)
{
	unsigned char r[12];
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		abort();
	size_t n = (size_t)snprintf(out, cap, "%s", stem);
	for (size_t i = 0; i < sizeof r && n + 2 < cap; i++, n += 2)
		snprintf(out + n, cap - n, "%02x", r[i]);
}

/* ---- the engine: a thread answering on a unix socket, from its stack ---- */

static char login_pw[64], login_token[64], submit_pw[64], submit_xra[NEEDLE_MAX];
#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct server {
	char dir[32], sock[64];
	int lfd, stop[2];
	pthread_t thread;
	int auth_seen;       /* X-Registry-Auth with the expected value */
	int auth_posts;      /* POST /auth carrying the login password */
};
static struct server srv;

#define CONNS 8
#define IN_MAX 65536

struct sconn {
	int fd;
	size_t len;
	char in[IN_MAX];
};

static void send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void reply(int fd, int status, const char *body)
{
	char head[256];
	int n = snprintf(head, sizeof head,
	                 "HTTP/1.1 %d X\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
	                 "Content-Length: %zu\r\n\r\n", status, strlen(body));
	send_all(fd, head, (size_t)n);
	send_all(fd, body, strlen(body));
}

static bool has_header(const char *head, size_t n, const char *line)
{
	return memmem(head, n, line, strlen(line)) != NULL;
}

/* One whole request (head + body) is at the start of c->in: answer it. Returns its length,
 * 0 when more must arrive. */
static size_t serve_one(struct server *s, struct sconn *c)
{
	char *end = memmem(c->in, c->len, "\r\n\r\n", 4);
	if (!end)
		return 0;
	size_t head = (size_t)(end - c->in) + 4, body = 0;
	char *cl = memmem(c->in, head, "Content-Length: ", 16);
	if (cl)
		body = strtoul(cl + 16, NULL, 10);
	if (c->len < head + body)
		return 0;
	char xra[NEEDLE_MAX + 32];
	snprintf(xra, sizeof xra, "X-Registry-Auth: %s\r\n", submit_xra);
	bool auth = has_header(c->in, head, xra);
	const char *line = c->in;
	if (strncmp(line, "GET /_ping ", 11) == 0) {
		reply(c->fd, 200, "OK");
	} else if (strncmp(line, "POST /v1.41/auth ", 17) == 0) {
		char ok[256];
		snprintf(ok, sizeof ok, "{\"Status\":\"Login Succeeded\",\"IdentityToken\":\"%s\"}", login_token);
		if (memmem(c->in + head, body, login_pw, strlen(login_pw)))
			s->auth_posts++;
		reply(c->fd, 200, ok);
		explicit_bzero(ok, sizeof ok);
	} else if (strncmp(line, "GET /v1.41/distribution/", 24) == 0) {
		s->auth_seen += auth;
		reply(c->fd, auth ? 200 : 401, auth ? "{\"Descriptor\":{\"digest\":\"" DIGEST "\"}}"
		                                  : "{\"message\":\"unauthorized: no basic auth credentials\"}");
	} else if (strncmp(line, "GET /v1.41/services", 19) == 0 ||
	           strncmp(line, "GET /v1.41/networks", 19) == 0) {
		reply(c->fd, 200, "[]");
	} else if (strncmp(line, "POST /v1.41/networks/create ", 28) == 0) {
		reply(c->fd, 201, "{\"Id\":\"net0123456789\",\"Warning\":\"\"}");
	} else if (strncmp(line, "POST /v1.41/services/create ", 28) == 0) {
		s->auth_seen += auth;
		reply(c->fd, auth ? 201 : 500, auth ? "{\"ID\":\"svc0123456789\"}" : "{\"message\":\"no auth\"}");
	} else {
		reply(c->fd, 404, "{\"message\":\"not here\"}");
	}
	explicit_bzero(xra, sizeof xra);
	explicit_bzero(c->in, head + body);
	return head + body;
}

static void *server_main(void *ud)
{
	struct server *s = ud;
	/* Static: 8 x 64 KiB is too much for a thread's stack, and must not be heap. */
	static struct sconn conns[CONNS];
	for (int i = 0; i < CONNS; i++)
		conns[i].fd = -1;
	for (;;) {
		struct pollfd p[CONNS + 2];
		p[0] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
		p[1] = (struct pollfd){.fd = s->stop[0], .events = POLLIN};
		for (int i = 0; i < CONNS; i++)
			p[i + 2] = (struct pollfd){.fd = conns[i].fd, .events = POLLIN};
		if (poll(p, CONNS + 2, 10000) <= 0 || p[1].revents)
			break;
		if (p[0].revents & POLLIN) {
			int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
			for (int i = 0; fd >= 0 && i < CONNS; i++)
				if (conns[i].fd < 0) {
					conns[i].fd = fd;
					conns[i].len = 0;
					fd = -1;
				}
			if (fd >= 0)
				close(fd);
		}
		for (int i = 0; i < CONNS; i++) {
			struct sconn *c = &conns[i];
			if (c->fd < 0 || !p[i + 2].revents)
				continue;
			ssize_t r = recv(c->fd, c->in + c->len, sizeof c->in - c->len, 0);
			if (r <= 0) {
				close(c->fd);
				c->fd = -1;
				continue;
			}
			c->len += (size_t)r;
			size_t used;
			while ((used = serve_one(s, c)) > 0) {
				memmove(c->in, c->in + used, c->len - used);
				c->len -= used;
			}
		}
	}
	for (int i = 0; i < CONNS; i++)
		if (conns[i].fd >= 0)
			close(conns[i].fd);
	explicit_bzero(conns, sizeof conns);
	return NULL;
}

static void server_start(struct server *s)
{
	memset(s, 0, sizeof *s);
	strcpy(s->dir, "/tmp/gb-freed.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->sock, sizeof s->sock, "%s/engine.sock", s->dir);
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", s->sock);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(s->lfd, 8), 0);
	assert_int_equal(pipe2(s->stop, O_CLOEXEC), 0);
	assert_int_equal(pthread_create(&s->thread, NULL, server_main, s), 0);
}

static void server_stop(struct server *s)
{
	ssize_t w = write(s->stop[1], "x", 1);
	(void)w;
	pthread_join(s->thread, NULL);
	close(s->lfd);
	close(s->stop[0]);
	close(s->stop[1]);
	unlink(s->sock);
	rmdir(s->dir);
}

/* ---- glovebox's side ---- */

struct done { bool done; char *error; };

static void on_ping(void *ud, const struct engine_reply *r)
{
	struct done *d = ud;
	d->done = true;
	if (r->error)
		d->error = strdup(r->error);
}

static void run_until(struct engine *e, const bool *done)
{
	for (int i = 0; !*done && i < 200; i++)
		assert_int_equal(engine_poll(e, NULL, 0, 100), 0);
	assert_true(*done);
}

static struct engine *engine_up(void)
{
	struct endpoint ep;
	char *err = NULL, *host = NULL;
	assert_true(asprintf(&host, "unix://%s", srv.sock) > 0);
	assert_int_equal(endpoint_resolve(host, NULL, &ep, &err), 0);
	free(host);
	struct engine *e = engine_new(&ep, NULL, &err);
	assert_non_null(e);
	endpoint_clear(&ep);
	struct done d = {0};
	engine_negotiate(e, on_ping, &d);
	run_until(e, &d.done);
	assert_null(d.error);
	return e;
}

/* ---- the scanner works: a canary in a freed block is seen ---- */

static bool scan_works = true;

static void test_scanner_sees_canary(void **state)
{
	(void)state;
	char c[64];
	canary(c, sizeof c, "gbcontrol-");
	needle_set(0, "control", c);
	quiet = true;
	scan_start();
	/* Written through volatile pointers: stores into a block that is freed next are
	 * otherwise dropped by the compiler. */
	volatile char *p = malloc(300);
	for (size_t i = 0; i < 300; i++)
		p[i] = i >= 100 && i < 100 + strlen(c) ? c[i - 100] : 'x';
	free((void *)(uintptr_t)p);
	/* and a block that realloc moves */
	p = malloc(40);
	for (size_t i = 0; i < 40; i++)
		p[i] = i < strlen(c) ? c[i] : '\0';
	char *q = realloc((void *)(uintptr_t)p, 1 << 20);
	free(q);
	int n = scan_stop();
	quiet = false;
	if (n == 0 && ON_VALGRIND()) {
		scan_works = false;
		puts("[  SKIPPED ] valgrind took over free: nothing is scanned (run valgrind with "
		     "--soname-synonyms=somalloc=nouserintercepts, as tests/run.sh does)");
		skip();
	}
	if (n == 0)
		fail_msg("the scanner saw no canary in a freed block: the interposer is not in place");
	/* The first block, the block realloc moved away from, and the one it moved to. */
	assert_int_equal(n, 3);
}

/* ---- login: POST /auth with a password, answered with an identity token ---- */

struct login { bool done, ok, token_ok; };

static void on_check(void *ud, struct cred_check_result *r)
{
	struct login *l = ud;
	l->done = true;
	l->ok = r->ok;
	l->token_ok = r->token && strcmp(r->token, login_token) == 0;
}

static void test_login(void **state)
{
	(void)state;
	canary(login_pw, sizeof login_pw, "gbloginpw-");
	canary(login_token, sizeof login_token, "gbtoken-");
	needle_set(0, "login-password", login_pw);
	needle_set(1, "identity-token", login_token);
	scan_start();
	struct engine *e = engine_up();
	struct cred *c = cred_new("127.0.0.1:5999", "alice", login_pw);
	struct login l = {0};
	cred_check_start(e, c, on_check, &l);
	run_until(e, &l.done);
	cred_free(&c);
	engine_free(&e);
	int n = scan_stop();
	assert_true(l.ok);
	assert_true(l.token_ok);
	assert_int_equal(srv.auth_posts, 1);
	if (!scan_works)
		skip();   /* the flow ran (for valgrind's checks); nothing was scanned */
	if (n)
		fail_msg("%d freed blocks held the login's password or identity token", n);
}

/* ---- config.json: auths with secrets, and a file broken inside one ---- */

static char *write_config(const char *dir, const char *text)
{
	char *path = NULL;
	assert_true(asprintf(&path, "%s/config.json", dir) > 0);
	/* write(2): the test's own stdio must not leave a copy behind */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_config_read(void **state)
{
	(void)state;
	char b64[64], tok[64], pw[24], text[512];
	canary(b64, sizeof b64, "Z2JhdXRo");
	canary(tok, sizeof tok, "gbcfgtoken-");
	/* Short: jansson's error text quotes up to 20 bytes of the token it stopped in. */
	canary(pw, 16, "gbpw");
	needle_set(0, "config-auth", b64);
	needle_set(1, "config-token", tok);
	needle_set(2, "config-password", pw);
	scan_start();
	snprintf(text, sizeof text,
	         "{\"credsStore\": \"pass\", \"auths\": {\"reg.example.org\": {\"auth\": \"%s\"},"
	         " \"tok.example.org\": {\"identitytoken\": \"%s\"}}}\n", b64, tok);
	char *path = write_config(srv.dir, text);
	struct dockercfg cfg;
	char *err = NULL;
	assert_int_equal(dockercfg_load(path, &cfg, &err), 0);
	assert_int_equal(cfg.n_auths, 2);
	assert_true(cfg.auths[0].has_secret);
	assert_true(cfg.auths[1].has_secret);
	dockercfg_clear(&cfg);

	/* Broken inside a password: jansson's error text would quote it. */
	snprintf(text, sizeof text, "{\"auths\": {\"reg.example.org\": {\"password\": \"%s\\q\"}}}", pw);
	free(write_config(srv.dir, text));
	int rc = dockercfg_load(path, &cfg, &err);
	bool quoted = err && strstr(err, pw);
	free(err);
	dockercfg_clear(&cfg);
	unlink(path);
	free(path);
	explicit_bzero(text, sizeof text);
	int n = scan_stop();
	assert_int_equal(rc, -1);
	if (quoted)
		fail_msg("the parse error quotes the password (and %d freed blocks held a secret)", n);
	if (!scan_works)
		skip();   /* the flow ran (for valgrind's checks); nothing was scanned */
	if (n)
		fail_msg("%d freed blocks held config.json's auth, token or password", n);
}

/* ---- submit: X-Registry-Auth on the digest lookup and the service ---- */

struct sub { bool done, ok; char *error; };

static void on_submitted(void *ud, const struct submit_result *r)
{
	struct sub *s = ud;
	s->done = true;
	s->ok = r->ok;
	if (r->error)
		s->error = strdup(r->error);
}

static void test_submit(void **state)
{
	(void)state;
	canary(submit_pw, sizeof submit_pw, "gbsubmitpw-");
	struct cred *c = cred_new("127.0.0.1:5999", "alice", submit_pw);
	char *xra = cred_registry_auth(c);
	cred_free(&c);
	snprintf(submit_xra, sizeof submit_xra, "%s", xra);
	needle_set(0, "registry-password", submit_pw);
	needle_set(1, "X-Registry-Auth", submit_xra);

	const char *root = getenv("GB_ROOT");
	char *ppath = NULL, *err = NULL;
	assert_true(asprintf(&ppath, "%s/tests/fixtures/policy/good-minimal.json", root && *root ? root : ".") > 0);
	struct policy pol = {0};
	if (policy_load_file(ppath, &pol, &err) != 0)
		fail_msg("%s", err);
	free(ppath);
	static const char *const groups[] = {"alice"};
	struct identity id = {"alice", 1000, 1000, groups, 1};
	struct job_request req = {.image = "127.0.0.1:5999/lab/analysis:1", .class_name = "default"};
	struct job_plan plan = {0};
	struct job_errors errs = {0};
	assert_int_equal(job_plan_make(&pol, &req, &id, 1, &plan, &errs), 0);

	scan_start();
	struct engine *e = engine_up();
	struct submit_args args = {
		.plan = &plan, .terms_sha256 = "0000", .consent_name = "consent", .registry_auth = xra,
		.now = 1700000000,
	};
	struct sub s = {0};
	struct submit *sub = submit_start(e, &args, NULL, on_submitted, &s);
	secmem_free(&xra);
	run_until(e, &s.done);
	submit_free(&sub);
	engine_free(&e);
	int n = scan_stop();
	if (!s.ok)
		fail_msg("the submission failed: %s", s.error);
	assert_int_equal(srv.auth_seen, 2);
	job_plan_clear(&plan);
	job_errors_clear(&errs);
	policy_clear(&pol);
	free(s.error);
	if (!scan_works)
		skip();   /* the flow ran (for valgrind's checks); nothing was scanned */
	if (n)
		fail_msg("%d freed blocks held the registry password or the X-Registry-Auth value", n);
}

static int setup(void **state)
{
	(void)state;
	server_start(&srv);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	server_stop(&srv);
	return 0;
}

int main(void)
{
	/* As glovebox's main does, before anything is allocated. */
	secmem_heap_setup();
	if (scanner_install() != 0) {
		puts("[  SKIPPED ] the free hook could not be installed: nothing to scan with");
		return 0;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scanner_sees_canary),
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_config_read),
		cmocka_unit_test(test_submit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
