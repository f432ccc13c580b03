/* glovebox login, logout and login --status: registry credentials in the keyring. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "api/base/log.h"
#include "api/base/sanitize.h"
#include "api/base/secmem.h"
#include "api/base/xalloc.h"
#include "api/creds/creds.h"
#include "api/creds/dockercfg.h"
#include "api/creds/keyring.h"
#include "tui/cli/login.h"

#define SECRET_MAX 4096

static const char login_usage[] =
	"usage: glovebox login [REGISTRY] [--username USER] [--password-stdin]\n"
	"       glovebox login --status [REGISTRY]\n"
	"       glovebox logout [REGISTRY]\n"
	"\n"
	"Checks the user name and password with the registry (through the engine), then keeps them\n"
	"in your keyring (the Secret Service), where docker's secretservice helper finds them too.\n"
	"The password is read from stdin with --password-stdin, else typed without echo; never\n"
	"from an argument or the environment. REGISTRY defaults to the policy's first registry.\n"
	"--status says whether the keyring can be used and which registries have credentials.\n"
	"See docs/credentials.md.\n"
	"exit codes: 0 ok, 1 error (refused, keyring unusable), 2 usage, 3 engine unreachable\n";

static void say_keyring(enum keyring_state st, const char *message)
{
	char *m = sanitize_str(message ? message : keyring_state_name(st), 0);
	err_print("%s", m);
	free(m);
	fputs(keyring_state_help(st), stderr);
}

/* ---- reading secrets ---- */

/* One line typed on a terminal without echo, with ^U, backspace, ^C and ^D. */
static char *read_tty_line(int fd, const char *prompt, char **err)
{
	struct termios old, raw;
	if (tcgetattr(fd, &old) != 0) {
		*err = xasprintf("cannot set up the terminal: %s", strerror(errno));
		return NULL;
	}
	raw = old;
	raw.c_lflag &= ~(tcflag_t)(ECHO | ICANON | ISIG | IEXTEN);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	ssize_t w = write(fd, prompt, strlen(prompt));
	(void)w;
	tcsetattr(fd, TCSAFLUSH, &raw);
	char *buf = secmem_alloc(SECRET_MAX);
	size_t n = 0;
	bool ok = false;
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || c == 3 || (c == 4 && n == 0))
			break;
		if (c == '\r' || c == '\n') {
			ok = true;
			break;
		}
		if (c == 0x7f || c == 8) {
			if (n > 0)
				buf[--n] = '\0';
		} else if (c == 0x15) {
			secmem_wipe(buf, n);
			n = 0;
		} else if (n < SECRET_MAX) {
			buf[n++] = c;
		}
	}
	tcsetattr(fd, TCSAFLUSH, &old);
	w = write(fd, "\n", 1);
	if (!ok) {
		secmem_free(&buf);
		*err = xstrdup("no password given");
		return NULL;
	}
	return buf;
}

char *login_read_secret(int fd, const char *prompt, char **err)
{
	if (isatty(fd))
		return read_tty_line(fd, prompt, err);
	/* Straight into the locked buffer: stdio would keep a copy in its own buffer. */
	char *buf = secmem_alloc(SECRET_MAX);
	size_t n = 0;
	for (;;) {
		ssize_t r = read(fd, buf + n, SECRET_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*err = xasprintf("cannot read the password from stdin: %s", strerror(errno));
			secmem_free(&buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == SECRET_MAX) {
			char c;
			if (read(fd, &c, 1) > 0) {
				*err = xasprintf("the password on stdin is longer than %d bytes", SECRET_MAX);
				secmem_free(&buf);
				return NULL;
			}
			break;
		}
	}
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	if (n == 0 || memchr(buf, '\0', n)) {
		*err = xstrdup(n == 0 ? "no password on stdin" : "the password on stdin contains a NUL byte");
		secmem_free(&buf);
		return NULL;
	}
	return buf;
}

/* A user name typed on the terminal (echoed: it is no secret). */
static char *read_username(char **err)
{
	FILE *tty = fopen("/dev/tty", "r+e");
	if (!tty) {
		*err = xstrdup("no terminal to ask for the user name: pass --username");
		return NULL;
	}
	fputs("Username: ", tty);
	fflush(tty);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, tty);
	fclose(tty);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n <= 0) {
		free(line);
		*err = xstrdup("no user name given");
		return NULL;
	}
	return line;
}

/* ---- which registry ---- */

/* REGISTRY from the command line, else the policy's first registry. Prints and returns an
 * exit code on failure. */
static int pick_registry(struct session *cli, const char *arg, char **key, bool connect)
{
	if (arg) {
		*key = creds_server_key(arg);
		if (!*key) {
			err_print("\"%s\" is not a registry name (host[:port])", arg);
			return GB_EXIT_USAGE;
		}
		return 0;
	}
	struct policy pol = {0};
	int rc = 0;
	if (connect && (rc = cli_connect_negotiated(cli)) != 0)
		return rc;
	if ((rc = cli_policy(cli, &pol, 0)) != 0) {
		err_print("name the registry: glovebox login REGISTRY");
		return rc;
	}
	if (pol.n_registries == 0) {
		err_print("the policy allows any registry: name one (glovebox login REGISTRY)");
		rc = GB_EXIT_USAGE;
	} else {
		*key = creds_server_key(pol.registries[0]);
	}
	policy_clear(&pol);
	return rc;
}

/* ---- what docker does with the same registry ---- */

/* A password docker left in config.json: named, never used. */
static void plaintext_note(const struct dockercfg *cfg, const char *key)
{
	for (size_t i = 0; i < cfg->n_auths; i++)
		if (strcmp(cfg->auths[i].key, key) == 0 && cfg->auths[i].has_secret) {
			char *k = sanitize_str(key, 0), *path = sanitize_str(cfg->path, 0);
			printf("note: %s holds a password for %s in plain text; glovebox does not use it:\n"
			       "      `docker logout %s` removes it\n", path, k, k);
			free(k);
			free(path);
		}
}

static void docker_note(const char *key, bool stored)
{
	struct dockercfg cfg;
	char *err = NULL;
	if (dockercfg_load(NULL, &cfg, &err) != 0) {
		char *m = sanitize_str(err, 0);
		err_print("note: docker's configuration cannot be read: %s", m);
		free(m);
		free(err);
		dockercfg_clear(&cfg);
		return;
	}
	const char *helper = NULL;
	char *k = sanitize_str(key, 0), *path = sanitize_str(cfg.path, 0);
	enum dockercfg_store st = dockercfg_store_for(&cfg, key, &helper);
	char *h = sanitize_str(helper, 0);
	switch (st) {
	case DOCKERCFG_SECRETSERVICE:
		if (stored)
			printf("docker uses the same keyring item for %s (docker-credential-secretservice)\n", k);
		break;
	case DOCKERCFG_OTHER_HELPER:
		printf("note: docker keeps its credentials for %s with docker-credential-%s, not in the keyring:\n"
		       "      docker and glovebox do not share this login\n", k, h);
		break;
	case DOCKERCFG_FILE:
	case DOCKERCFG_NONE:
		if (stored)
			printf("note: docker will not see this login unless %s has \"credsStore\": \"secretservice\"\n"
			       "      or docker-credential-secretservice is installed (glovebox never edits that file)\n",
			       path);
		break;
	}
	plaintext_note(&cfg, key);
	free(k);
	free(path);
	free(h);
	dockercfg_clear(&cfg);
}

/* ---- login ---- */

struct check {
	bool done, ok, refused, unreachable;
	char *error;
	char *token;
};

static void on_check(void *ud, struct cred_check_result *r)
{
	struct check *c = ud;
	c->done = true;
	c->ok = r->ok;
	c->refused = r->refused;
	c->unreachable = r->unreachable;
	c->error = xstrdup(r->error);
	c->token = r->token;
	r->token = NULL;
}

static int login_status(const char *arg)
{
	char *err = NULL;
	struct keyring *kr = keyring_new(NULL, &err);
	if (!kr) {
		err_print("%s", err);
		free(err);
		return GB_EXIT_ERROR;
	}
	char *msg = NULL;
	enum keyring_state st = keyring_status_sync(kr, &msg);
	if (st == KEYRING_OK)
		printf("keyring: unlocked (Secret Service)\n");
	else
		say_keyring(st, msg);
	free(msg);

	struct dockercfg cfg;
	if (dockercfg_load(NULL, &cfg, &err) != 0) {
		char *m = sanitize_str(err, 0);
		err_print("docker's configuration cannot be read: %s", m);
		free(m);
		free(err);
		err = NULL;
	}
	char *path = sanitize_str(cfg.path, 0);
	char *store = sanitize_str(cfg.creds_store, 0);
	if (cfg.store_detected)
		printf("docker: %s sets no credsStore: docker uses docker-credential-%s, which is installed\n",
		       path, store);
	else if (cfg.creds_store)
		printf("docker: %s sends logins to docker-credential-%s\n", path, store);
	else
		printf("docker: %s%s sets no credsStore and no helper is installed: docker keeps logins in that file\n",
		       path, cfg.exists ? "" : " (missing)");
	free(path);
	free(store);

	size_t n = 0;
	const char **regs;
	char *one = NULL;
	if (arg) {
		one = creds_server_key(arg);
		regs = xcalloc(1, sizeof *regs);
		if (one)
			regs[n++] = one;
	} else {
		regs = dockercfg_registries(&cfg, &n);
	}
	for (size_t i = 0; i < n; i++) {
		char *k = sanitize_str(regs[i], 0);
		struct cred *c = NULL;
		char *m = NULL;
		const char *helper = NULL;
		enum dockercfg_store ds = dockercfg_store_for(&cfg, regs[i], &helper);
		static const char *const dnames[] = {
			[DOCKERCFG_NONE] = "docker: not logged in",
			[DOCKERCFG_SECRETSERVICE] = "docker: shares the keyring item",
			[DOCKERCFG_OTHER_HELPER] = "docker: uses another helper, not shared",
			[DOCKERCFG_FILE] = "docker: plain text in config.json, not used by glovebox",
		};
		if (st == KEYRING_OK && keyring_lookup_sync(kr, regs[i], &c, &m) == KEYRING_OK) {
			char *u = c ? sanitize_str(c->username, 0) : NULL;
			if (c)
				printf("%s: keyring: user \"%s\"; %s\n", k, u, dnames[ds]);
			else
				printf("%s: keyring: no credentials; %s\n", k, dnames[ds]);
			free(u);
		} else {
			printf("%s: keyring: %s; %s\n", k, m ? "cannot be read" : "not usable", dnames[ds]);
		}
		plaintext_note(&cfg, regs[i]);
		cred_free(&c);
		free(m);
		free(k);
	}
	if (n == 0 && !arg)
		printf("no registry logins known to docker; glovebox login --status REGISTRY checks one\n");
	free(one);
	free(regs);
	dockercfg_clear(&cfg);
	keyring_free(&kr);
	return st == KEYRING_OK ? GB_EXIT_OK : GB_EXIT_ERROR;
}

int cmd_login(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"username", required_argument, NULL, 'u'}, {"password-stdin", no_argument, NULL, 'p'},
		{"status", no_argument, NULL, 's'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	const char *user = NULL;
	bool from_stdin = false, status = false;
	int c;
	while ((c = getopt_long(argc, argv, "u:psh", opts, NULL)) != -1) {
		switch (c) {
		case 'u': user = optarg; break;
		case 'p': from_stdin = true; break;
		case 's': status = true; break;
		case 'h': fputs(login_usage, stdout); return GB_EXIT_OK;
		default: fputs(login_usage, stderr); return GB_EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		err_print("login takes one registry (glovebox login --help)");
		return GB_EXIT_USAGE;
	}
	const char *arg = optind < argc ? argv[optind] : NULL;
	if (status)
		return login_status(arg);

	char *key = NULL, *username = NULL, *password = NULL, *err = NULL;
	struct cred *cred = NULL;
	struct keyring *kr = NULL;
	struct check chk = {0};
	int rc = pick_registry(cli, arg, &key, true);
	if (rc != 0)
		goto out;
	/* Before the password is asked for: it could not be checked over this engine anyway. */
	if ((rc = login_check_endpoint(cli)) != 0)
		goto out;
	if (!cli->engine && (rc = cli_connect_negotiated(cli)) != 0)
		goto out;
	username = user ? xstrdup(user) : read_username(&err);
	if (!username || !*username) {
		err_print("%s", err ? err : "the user name is empty");
		rc = GB_EXIT_USAGE;
		goto out;
	}
	if (from_stdin) {
		password = login_read_secret(STDIN_FILENO, "Password: ", &err);
	} else {
		int tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
		if (tty < 0) {
			err = xstrdup("no terminal to ask for the password: give it on stdin with --password-stdin");
		} else {
			password = login_read_secret(tty, "Password: ", &err);
			close(tty);
		}
	}
	if (!password) {
		err_print("%s", err);
		rc = GB_EXIT_USAGE;
		goto out;
	}
	cred = cred_new_take(key, username, &password);

	/* Check with the registry first: nothing is stored unless it works. */
	char *shown = sanitize_str(key, 0);
	cred_check_start(cli->engine, cred, on_check, &chk);
	cli_wait(cli, &chk.done, NULL);
	if (!chk.ok) {
		char *m = sanitize_str(chk.error, 0);
		err_print("login to %s failed: %s", shown, m);
		err_print("nothing was stored");
		log_msg(LOG_INFO, "login to %s refused or failed", key);
		free(m);
		free(shown);
		rc = chk.unreachable ? GB_EXIT_UNREACHABLE : GB_EXIT_ERROR;
		goto out;
	}
	if (chk.token) {
		/* The registry gave an identity token: keep that instead of the password, as docker does. */
		struct cred *t = cred_new_take(key, CRED_TOKEN_USER, &chk.token);
		cred_free(&cred);
		cred = t;
	}
	printf("the registry accepted the credentials for %s\n", shown);

	kr = keyring_new(NULL, &err);
	char *msg = NULL;
	enum keyring_state st = kr ? keyring_store_sync(kr, cred, &msg) : KEYRING_ERROR;
	if (st == KEYRING_OK) {
		printf("Login Succeeded: the credentials for %s are in your keyring\n", shown);
		log_msg(LOG_INFO, "login to %s: stored in the keyring", key);
		docker_note(key, true);
		rc = GB_EXIT_OK;
	} else {
		say_keyring(st, msg ? msg : err);
		err_print("the credentials work but were not stored anywhere. To use them without a keyring:\n"
		          "  in the console, log in with L and keep them for that session only;\n"
		          "  for one submission: glovebox submit --registry-user USER --registry-password-stdin ...");
		log_msg(LOG_INFO, "login to %s: verified, not stored (%s)", key, keyring_state_name(st));
		rc = GB_EXIT_ERROR;
	}
	free(msg);
	free(shown);
out:
	secmem_free(&chk.token);
	free(chk.error);
	secmem_free(&password);
	cred_free(&cred);
	keyring_free(&kr);
	free(key);
	free(username);
	free(err);
	cli_close(cli);
	return rc;
}

int cmd_logout(struct session *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(login_usage, stdout);
			return GB_EXIT_OK;
		}
		fputs(login_usage, stderr);
		return GB_EXIT_USAGE;
	}
	if (argc - optind > 1) {
		err_print("logout takes one registry");
		return GB_EXIT_USAGE;
	}
	char *key = NULL, *err = NULL, *msg = NULL;
	struct keyring *kr = NULL;
	/* cli_policy connects when it must ask the swarm. */
	int rc = pick_registry(cli, optind < argc ? argv[optind] : NULL, &key, false);
	if (rc != 0)
		goto out;
	kr = keyring_new(NULL, &err);
	if (!kr) {
		err_print("%s", err);
		rc = GB_EXIT_ERROR;
		goto out;
	}
	bool removed = false;
	enum keyring_state st = keyring_erase_sync(kr, key, &removed, &msg);
	char *k = sanitize_str(key, 0);
	if (st != KEYRING_OK) {
		say_keyring(st, msg);
		rc = GB_EXIT_ERROR;
	} else if (removed) {
		printf("removed the credentials for %s from your keyring\n", k);
		log_msg(LOG_INFO, "logout from %s: removed from the keyring", key);
		docker_note(key, false);
	} else {
		printf("no credentials for %s in your keyring\n", k);
		docker_note(key, false);
	}
	free(k);
out:
	free(msg);
	free(err);
	free(key);
	keyring_free(&kr);
	cli_close(cli);
	return rc;
}

/* ---- for submit ---- */

int login_check_endpoint(struct session *cli)
{
	struct endpoint own = {0};
	const struct endpoint *ep = cli->engine ? engine_endpoint(cli->engine) : NULL;
	char *err = NULL;
	int rc = GB_EXIT_OK;
	if (!ep) {
		struct endpoint_env env;
		endpoint_env_from_process(&env);
		if (endpoint_resolve(cli->host, &env, &own, &err) != 0) {
			err_print("%s", err);
			free(err);
			return GB_EXIT_USAGE;
		}
		ep = &own;
	}
	if (endpoint_check_secrets(ep, &err) != 0) {
		char *m = sanitize_str(err, 0);
		err_print("%s", m);
		free(m);
		log_msg(LOG_INFO, "registry credentials not sent: %s is plain HTTP", ep->display);
		rc = GB_EXIT_ERROR;
	}
	free(err);
	endpoint_clear(&own);
	return rc;
}

char *login_registry_auth(const char *registry, const char *user, char **password, char **note)
{
	*note = NULL;
	char *auth = NULL;
	if (user) {
		struct cred *c = cred_new_take(registry, user, password);
		auth = cred_registry_auth(c);
		cred_free(&c);
		return auth;
	}
	char *err = NULL;
	struct keyring *kr = keyring_new(NULL, &err);
	if (!kr) {
		*note = err;
		return NULL;
	}
	struct cred *c = NULL;
	char *msg = NULL;
	enum keyring_state st = keyring_lookup_sync(kr, registry, &c, &msg);
	if (st != KEYRING_OK) {
		*note = msg;
		msg = NULL;
	} else if (c) {
		auth = cred_registry_auth(c);
	}
	cred_free(&c);
	free(msg);
	keyring_free(&kr);
	return auth;
}

void login_explain_refusal(const char *registry, bool had_auth, const char *note)
{
	char *key = creds_server_key(registry);
	char *k = sanitize_str(key ? key : registry, 0);
	if (had_auth) {
		err_print("the registry %s refused the credentials glovebox sent: log in again with `glovebox login %s`",
		          k, k);
	} else {
		err_print("the registry %s needs a login: run `glovebox login %s`, then submit again", k, k);
		if (note) {
			char *n = sanitize_str(note, 0);
			err_print("(the keyring could not be asked for credentials: %s)", n);
			free(n);
		}
	}
	free(k);
	free(key);
}
