#include "api/creds/keyring.h"

#include <errno.h>
#include <libsecret/secret.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "api/base/log.h"
#include "api/base/secmem.h"
#include "api/base/xalloc.h"

#define SECRETS_NAME "org.freedesktop.secrets"
#define SECRETS_PATH "/org/freedesktop/secrets"

/* docker-credential-helpers secretservice/secretservice.c, unchanged since v0.6. */
static const SecretSchema docker_schema = {
	.name = "io.docker.Credentials",
	.flags = SECRET_SCHEMA_NONE,
	.attributes = {
		{"label", SECRET_SCHEMA_ATTRIBUTE_STRING},
		{"server", SECRET_SCHEMA_ATTRIBUTE_STRING},
		{"username", SECRET_SCHEMA_ATTRIBUTE_STRING},
		{"docker_cli", SECRET_SCHEMA_ATTRIBUTE_STRING},
		{NULL, 0},
	},
};

struct keyring {
	pthread_mutex_t mu;
	int refs;                      /* the owner, and each running thread */
	int efd;
	long timeout_ms, prompt_ms;
	struct keyring_req *pending;   /* submitted and not yet delivered, in submission order */
};

struct keyring_req {
	struct keyring *kr;
	int refs;                      /* the pending list, and the thread while it runs */
	enum keyring_op op;
	char *server;
	struct cred *in;               /* store: a copy of the caller's */
	keyring_done_fn done;
	void *ud;
	int64_t deadline;              /* CLOCK_MONOTONIC ms; under kr->mu */
	bool finished, abandoned;      /* under kr->mu */
	bool in_ready, cancelled;      /* taken off the list by keyring_dispatch; cancelled meanwhile */
	/* Results, written by the thread before finished is set. */
	enum keyring_state state;
	bool found;
	struct cred *out;
	char *message;
	struct keyring_req *next;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void keyring_destroy(struct keyring *kr)
{
	close(kr->efd);
	pthread_mutex_destroy(&kr->mu);
	free(kr);
}

/* Under kr->mu. */
static void req_unref_locked(struct keyring_req *r)
{
	if (--r->refs > 0)
		return;
	free(r->server);
	cred_free(&r->in);
	cred_free(&r->out);
	free(r->message);
	free(r);
}

static void unlink_locked(struct keyring *kr, struct keyring_req *r)
{
	for (struct keyring_req **p = &kr->pending; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			r->next = NULL;
			return;
		}
}

struct keyring *keyring_new(const struct keyring_opts *opts, char **err)
{
	struct keyring *kr = xcalloc(1, sizeof *kr);
	kr->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (kr->efd < 0) {
		*err = xasprintf("cannot make an eventfd for the keyring: %s", strerror(errno));
		free(kr);
		return NULL;
	}
	pthread_mutex_init(&kr->mu, NULL);
	kr->refs = 1;
	kr->timeout_ms = opts && opts->timeout_ms > 0 ? opts->timeout_ms : 5000;
	kr->prompt_ms = opts && opts->prompt_timeout_ms > 0 ? opts->prompt_timeout_ms : 120000;
	return kr;
}

void keyring_free(struct keyring **pkr)
{
	struct keyring *kr = *pkr;
	if (!kr)
		return;
	pthread_mutex_lock(&kr->mu);
	while (kr->pending) {
		struct keyring_req *r = kr->pending;
		kr->pending = r->next;
		r->abandoned = true;
		req_unref_locked(r);
	}
	bool last = --kr->refs == 0;
	pthread_mutex_unlock(&kr->mu);
	if (last)
		keyring_destroy(kr);
	*pkr = NULL;
}

int keyring_fd(const struct keyring *kr)
{
	return kr->efd;
}

int keyring_timeout_ms(struct keyring *kr)
{
	int64_t now = now_ms(), best = -1;
	pthread_mutex_lock(&kr->mu);
	for (struct keyring_req *r = kr->pending; r; r = r->next) {
		int64_t left = r->finished ? 0 : r->deadline - now;
		if (left < 0)
			left = 0;
		if (best < 0 || left < best)
			best = left;
	}
	pthread_mutex_unlock(&kr->mu);
	return best > INT32_MAX ? INT32_MAX : (int)best;
}

size_t keyring_pending(struct keyring *kr)
{
	size_t n = 0;
	pthread_mutex_lock(&kr->mu);
	for (struct keyring_req *r = kr->pending; r; r = r->next)
		n++;
	pthread_mutex_unlock(&kr->mu);
	return n;
}

static const char *op_name(enum keyring_op op)
{
	switch (op) {
	case KEYRING_OP_STATUS: return "status";
	case KEYRING_OP_LOOKUP: return "lookup";
	case KEYRING_OP_STORE: return "store";
	case KEYRING_OP_ERASE: return "erase";
	}
	return "?";
}

int keyring_dispatch(struct keyring *kr)
{
	uint64_t count;
	ssize_t rd = read(kr->efd, &count, sizeof count);
	(void)rd;
	int64_t now = now_ms();
	struct keyring_req *ready = NULL, **tail = &ready;
	pthread_mutex_lock(&kr->mu);
	for (struct keyring_req **p = &kr->pending; *p;) {
		struct keyring_req *r = *p;
		if (r->finished || now >= r->deadline) {
			*p = r->next;
			r->next = NULL;
			/* Its thread still inside libsecret: answer now, the thread cleans up after
			 * itself. Either way the list's reference is now ours until delivered. */
			if (!r->finished)
				r->abandoned = true;
			r->in_ready = true;
			*tail = r;
			tail = &r->next;
		} else {
			p = &r->next;
		}
	}
	pthread_mutex_unlock(&kr->mu);

	int n = 0;
	while (ready) {
		struct keyring_req *r = ready;
		ready = r->next;
		struct keyring_result res = {.op = r->op, .server = r->server};
		char *timeout_msg = NULL;
		pthread_mutex_lock(&kr->mu);
		bool timed_out = r->abandoned, cancelled = r->cancelled;
		pthread_mutex_unlock(&kr->mu);
		if (cancelled) {
			pthread_mutex_lock(&kr->mu);
			req_unref_locked(r);
			pthread_mutex_unlock(&kr->mu);
			continue;
		}
		if (timed_out) {
			res.state = KEYRING_TIMEOUT;
			timeout_msg = xasprintf("the keyring service did not answer within %ld s",
			                        (kr->timeout_ms + 999) / 1000);
			res.message = timeout_msg;
		} else {
			res.state = r->state;
			res.found = r->found;
			res.cred = r->out;
			res.message = r->message;
		}
		log_msg(res.state == KEYRING_OK ? LOG_DEBUG : LOG_INFO, "keyring %s%s%s: %s%s%s",
		        op_name(r->op), r->server ? " " : "", r->server ? r->server : "",
		        keyring_state_name(res.state), res.state == KEYRING_OK && res.found ? ", found" : "",
		        res.message ? res.message : "");
		if (r->done)
			r->done(r->ud, &res);
		if (!timed_out)
			r->out = res.cred;   /* NULL when the callee took it */
		free(timeout_msg);
		pthread_mutex_lock(&kr->mu);
		req_unref_locked(r);
		pthread_mutex_unlock(&kr->mu);
		n++;
	}
	return n;
}

void keyring_cancel(struct keyring *kr, struct keyring_req *r)
{
	pthread_mutex_lock(&kr->mu);
	if (r->in_ready) {
		/* keyring_dispatch holds it (a callback cancels another request): it skips it. */
		r->cancelled = true;
	} else {
		unlink_locked(kr, r);
		r->abandoned = true;
		req_unref_locked(r);
	}
	pthread_mutex_unlock(&kr->mu);
}

/* ---- the worker: everything below runs on the request's own thread ---- */

/* Milliseconds left before the request's deadline, for D-Bus call timeouts. */
static int time_left(struct keyring_req *r)
{
	pthread_mutex_lock(&r->kr->mu);
	int64_t left = r->deadline - now_ms();
	pthread_mutex_unlock(&r->kr->mu);
	return left < 1 ? 1 : left > INT32_MAX ? INT32_MAX : (int)left;
}

static enum keyring_state keyring_fail(struct keyring_req *r, enum keyring_state st, char *msg)
{
	r->state = st;
	free(r->message);
	r->message = msg;
	return st;
}

static bool is_timeout(const GError *e)
{
	return g_error_matches(e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY);
}

static bool is_no_provider(const GError *e)
{
	return g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
	       g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
	       (e->domain == G_DBUS_ERROR && e->code >= G_DBUS_ERROR_SPAWN_EXEC_FAILED &&
	        e->code <= G_DBUS_ERROR_SPAWN_FAILED);
}

static enum keyring_state keyring_fail_gerror(struct keyring_req *r, GError *e, const char *doing)
{
	enum keyring_state st;
	char *msg;
	if (is_timeout(e)) {
		st = KEYRING_TIMEOUT;
		msg = xasprintf("the keyring service did not answer while %s", doing);
	} else if (is_no_provider(e)) {
		st = KEYRING_NO_PROVIDER;
		msg = xasprintf("no Secret Service provider could be started on the D-Bus session (%s)",
		                e->message);
	} else if (g_error_matches(e, SECRET_ERROR, SECRET_ERROR_IS_LOCKED)) {
		st = KEYRING_LOCKED;
		msg = xstrdup("the keyring is locked: unlock it and try again");
	} else {
		st = KEYRING_ERROR;
		msg = xasprintf("the keyring failed while %s: %s", doing, e->message);
	}
	g_error_free(e);
	return keyring_fail(r, st, msg);
}

static bool can_prompt(void)
{
	const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
	return (x && *x) || (w && *w);
}

static void extend_for_prompt(struct keyring_req *r)
{
	pthread_mutex_lock(&r->kr->mu);
	r->deadline = now_ms() + r->kr->prompt_ms;
	pthread_mutex_unlock(&r->kr->mu);
}

static GVariant *bus_call(struct keyring_req *r, GDBusConnection *bus, const char *dest,
                          const char *path, const char *iface, const char *method, GVariant *args,
                          const char *reply_type, GError **e)
{
	return g_dbus_connection_call_sync(bus, dest, path, iface, method, args,
	                                   reply_type ? G_VARIANT_TYPE(reply_type) : NULL,
	                                   G_DBUS_CALL_FLAGS_NONE, time_left(r), NULL, e);
}

/* The session bus, with someone providing the Secret Service on it. */
static enum keyring_state connect_bus(struct keyring_req *r, GDBusConnection **out)
{
	GError *e = NULL;
	const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
	GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &e);
	if (!bus) {
		char *msg = addr && *addr
			? xasprintf("the D-Bus session cannot be reached (%s), so no keyring can be used", e->message)
			: xstrdup("there is no D-Bus session (DBUS_SESSION_BUS_ADDRESS is not set, as usual over SSH), so no keyring can be used");
		g_error_free(e);
		return keyring_fail(r, KEYRING_NO_BUS, msg);
	}
	/* GLib would otherwise raise SIGTERM in glovebox when the session bus goes away. */
	g_dbus_connection_set_exit_on_close(bus, FALSE);
	*out = bus;

	GVariant *v = bus_call(r, bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
	                       "org.freedesktop.DBus", "NameHasOwner",
	                       g_variant_new("(s)", SECRETS_NAME), "(b)", &e);
	if (!v)
		return keyring_fail_gerror(r, e, "asking the D-Bus session for the Secret Service");
	gboolean owned = FALSE;
	g_variant_get(v, "(b)", &owned);
	g_variant_unref(v);
	if (!owned) {
		v = bus_call(r, bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
		             "org.freedesktop.DBus", "ListActivatableNames", NULL, "(as)", &e);
		if (!v)
			return keyring_fail_gerror(r, e, "asking the D-Bus session for the "
			                           "Secret Service");
		GVariantIter *it;
		const char *name;
		bool activatable = false;
		g_variant_get(v, "(as)", &it);
		while (!activatable && g_variant_iter_next(it, "&s", &name))
			activatable = strcmp(name, SECRETS_NAME) == 0;
		g_variant_iter_free(it);
		g_variant_unref(v);
		if (!activatable)
			return keyring_fail(r, KEYRING_NO_PROVIDER,
			                    xstrdup("no Secret Service provider on the D-Bus session: nothing runs or "
			                    "can start " SECRETS_NAME " (install and unlock gnome-keyring)"));
	}
	/* A real call the service must answer (and that starts it when it is only activatable):
	 * a stopped or stuck daemon is found here, within the deadline. */
	v = bus_call(r, bus, SECRETS_NAME, SECRETS_PATH, "org.freedesktop.DBus.Properties", "Get",
	             g_variant_new("(ss)", "org.freedesktop.Secret.Service", "Collections"), "(v)", &e);
	if (!v)
		return keyring_fail_gerror(r, e, "connecting to the Secret Service");
	g_variant_unref(v);
	return KEYRING_OK;
}

/* The default collection's path ("/" when there is none) and whether it is locked. */
static enum keyring_state default_collection(struct keyring_req *r, GDBusConnection *bus,
                                             char **path, bool *locked)
{
	GError *e = NULL;
	GVariant *v = bus_call(r, bus, SECRETS_NAME, SECRETS_PATH, "org.freedesktop.Secret.Service",
	                       "ReadAlias", g_variant_new("(s)", "default"), "(o)", &e);
	if (!v)
		return keyring_fail_gerror(r, e, "looking for the default keyring");
	const char *p;
	g_variant_get(v, "(&o)", &p);
	*path = xstrdup(p);
	g_variant_unref(v);
	*locked = false;
	if (strcmp(*path, "/") == 0)
		return KEYRING_OK;
	v = bus_call(r, bus, SECRETS_NAME, *path, "org.freedesktop.DBus.Properties", "Get",
	             g_variant_new("(ss)", "org.freedesktop.Secret.Collection", "Locked"), "(v)", &e);
	if (!v)
		return keyring_fail_gerror(r, e, "asking whether the keyring is locked");
	GVariant *b = NULL;
	g_variant_get(v, "(v)", &b);
	*locked = g_variant_is_of_type(b, G_VARIANT_TYPE_BOOLEAN) && g_variant_get_boolean(b);
	g_variant_unref(b);
	g_variant_unref(v);
	return KEYRING_OK;
}

/* Unlock objects with a prompt, only where one can be shown (a desktop): over SSH the prompt
 * would be dismissed at once, or wait for nobody. Returns whether all were unlocked. */
static bool try_unlock(struct keyring_req *r, SecretService *svc, GList *objects)
{
	if (!can_prompt())
		return false;
	extend_for_prompt(r);
	GError *e = NULL;
	GList *unlocked = NULL;
	int n = secret_service_unlock_sync(svc, objects, NULL, &unlocked, &e);
	g_list_free_full(unlocked, g_object_unref);
	if (e)
		g_error_free(e);
	return n == (int)g_list_length(objects);
}

static enum keyring_state locked_state(struct keyring_req *r, const char *what)
{
	return keyring_fail(r, KEYRING_LOCKED,
	                    xasprintf("the keyring is locked, so glovebox cannot %s: unlock it and try again", what));
}

/* The default collection, unlocked (by a prompt when one can be shown). */
static enum keyring_state ensure_unlocked(struct keyring_req *r, GDBusConnection *bus,
                                         SecretService *svc, const char *what, bool need_default)
{
	char *path = NULL;
	bool locked = false;
	if (default_collection(r, bus, &path, &locked) != KEYRING_OK) {
		free(path);
		return r->state;
	}
	enum keyring_state st = KEYRING_OK;
	if (strcmp(path, "/") == 0) {
		if (need_default)
			st = keyring_fail(r, KEYRING_ERROR,
			                  xstrdup("the keyring has no default collection to keep credentials in: "
			                  "unlock (or create) the login keyring, see docs/credentials.md"));
	} else if (locked) {
		GError *e = NULL;
		SecretCollection *coll = secret_collection_for_alias_sync(svc, SECRET_COLLECTION_DEFAULT,
		                                                          SECRET_COLLECTION_NONE, NULL, &e);
		if (!coll) {
			st = e ? keyring_fail_gerror(r, e, "opening the default keyring") : locked_state(r, what);
		} else {
			GList *l = g_list_append(NULL, coll);
			if (!try_unlock(r, svc, l))
				st = locked_state(r, what);
			g_list_free(l);
			g_object_unref(coll);
		}
	}
	free(path);
	return st;
}

static void op_lookup(struct keyring_req *r, SecretService *svc)
{
	GError *e = NULL;
	GHashTable *attrs = secret_attributes_build(&docker_schema, "server", r->server,
	                                            "docker_cli", "1", NULL);
	GList *items = secret_service_search_sync(svc, &docker_schema, attrs, SECRET_SEARCH_ALL,
	                                          NULL, &e);
	g_hash_table_unref(attrs);
	if (e) {
		keyring_fail_gerror(r, e, "looking up registry credentials");
		return;
	}
	r->state = KEYRING_OK;
	if (!items)
		return;
	/* docker-credential-secretservice takes the last one. */
	SecretItem *item = g_list_last(items)->data;
	if (secret_item_get_locked(item)) {
		GList *one = g_list_append(NULL, item);
		bool ok = try_unlock(r, svc, one);
		g_list_free(one);
		if (!ok) {
			locked_state(r, "read the registry credentials");
			g_list_free_full(items, g_object_unref);
			return;
		}
	}
	GHashTable *got = secret_item_get_attributes(item);
	const char *user = got ? g_hash_table_lookup(got, "username") : NULL;
	char *username = xstrdup(user ? user : "");
	if (got)
		g_hash_table_unref(got);
	g_list_free_full(items, g_object_unref);

	gchar *pw = secret_password_lookup_nonpageable_sync(&docker_schema, NULL, &e,
	                                                    "server", r->server, "username", username,
	                                                    "docker_cli", "1", NULL);
	if (e) {
		keyring_fail_gerror(r, e, "reading registry credentials");
	} else if (!pw) {
		/* The item was there a moment ago: libsecret answers a locked item with nothing. */
		locked_state(r, "read the registry credentials");
	} else {
		r->out = cred_new(r->server, username, pw);
		r->found = true;
	}
	secret_password_free(pw);
	free(username);
}

/* The end of a write: done, found telling whether an item was there, or the error e. */
static void op_end(struct keyring_req *r, GError *e, const char *doing, bool found)
{
	if (e) {
		keyring_fail_gerror(r, e, doing);
		return;
	}
	r->state = KEYRING_OK;
	r->found = found;
}

static void op_store(struct keyring_req *r)
{
	GError *e = NULL;
	/* A store only replaces an item whose attributes are all equal: erase the server's items
	 * first, as docker-credential-secretservice does, so another user name leaves no twin. */
	secret_password_clear_sync(&docker_schema, NULL, &e, "server", r->server, "docker_cli", "1", NULL);
	if (e) {
		keyring_fail_gerror(r, e, "replacing the registry credentials");
		return;
	}
	char *label = xasprintf("Registry credentials for %s", r->server);
	secret_password_store_sync(&docker_schema, SECRET_COLLECTION_DEFAULT, label, r->in->secret,
	                           NULL, &e, "label", "Docker Credentials", "server", r->server,
	                           "username", r->in->username, "docker_cli", "1", NULL);
	free(label);
	op_end(r, e, "storing the registry credentials", true);
}

static void op_erase(struct keyring_req *r)
{
	GError *e = NULL;
	gboolean removed = secret_password_clear_sync(&docker_schema, NULL, &e, "server", r->server,
	                                              "docker_cli", "1", NULL);
	op_end(r, e, "removing the registry credentials", removed);
}

static void keyring_run(struct keyring_req *r)
{
	GDBusConnection *bus = NULL;
	SecretService *svc = NULL;
	GError *e = NULL;
	static const char *const what[] = {
		[KEYRING_OP_STATUS] = "use it",
		[KEYRING_OP_LOOKUP] = "read the registry credentials",
		[KEYRING_OP_STORE] = "store the registry credentials",
		[KEYRING_OP_ERASE] = "remove the registry credentials",
	};
	if (connect_bus(r, &bus) != KEYRING_OK)
		goto out;
	svc = secret_service_get_sync(SECRET_SERVICE_OPEN_SESSION, NULL, &e);
	if (!svc) {
		keyring_fail_gerror(r, e, "opening a session with the Secret Service");
		goto out;
	}
	if (ensure_unlocked(r, bus, svc, what[r->op],
	                    r->op == KEYRING_OP_STORE || r->op == KEYRING_OP_STATUS) != KEYRING_OK)
		goto out;
	switch (r->op) {
	case KEYRING_OP_STATUS: r->state = KEYRING_OK; break;
	case KEYRING_OP_LOOKUP: op_lookup(r, svc); break;
	case KEYRING_OP_STORE: op_store(r); break;
	case KEYRING_OP_ERASE: op_erase(r); break;
	}
out:
	if (svc)
		g_object_unref(svc);
	if (bus)
		g_object_unref(bus);
}

static void *worker(void *arg)
{
	struct keyring_req *r = arg;
	struct keyring *kr = r->kr;
	keyring_run(r);
	/* The input secret is no longer needed: wipe it now, not when the result is delivered. */
	cred_free(&r->in);
	pthread_mutex_lock(&kr->mu);
	r->finished = true;
	if (!r->abandoned) {
		uint64_t one = 1;
		ssize_t w = write(kr->efd, &one, sizeof one);
		(void)w;
	}
	req_unref_locked(r);
	bool last = --kr->refs == 0;
	pthread_mutex_unlock(&kr->mu);
	if (last)
		keyring_destroy(kr);
	return NULL;
}

static struct keyring_req *submit(struct keyring *kr, enum keyring_op op, const char *server,
                                  const struct cred *in, keyring_done_fn done, void *ud)
{
	struct keyring_req *r = xcalloc(1, sizeof *r);
	r->kr = kr;
	r->op = op;
	r->server = server ? creds_server_key(server) : NULL;
	if (server && !r->server)
		r->server = xstrdup("");
	r->in = cred_dup(in);
	r->done = done;
	r->ud = ud;
	r->state = KEYRING_ERROR;
	r->refs = 2;
	r->deadline = now_ms() + kr->timeout_ms;

	pthread_mutex_lock(&kr->mu);
	struct keyring_req **tail = &kr->pending;
	while (*tail)
		tail = &(*tail)->next;
	*tail = r;
	kr->refs++;
	pthread_mutex_unlock(&kr->mu);

	pthread_attr_t attr;
	pthread_t t;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int rc = pthread_create(&t, &attr, worker, r);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		r->message = xasprintf("cannot start a thread for the keyring: %s", strerror(rc));
		cred_free(&r->in);
		pthread_mutex_lock(&kr->mu);
		r->finished = true;
		r->refs--;
		kr->refs--;
		uint64_t one = 1;
		ssize_t w = write(kr->efd, &one, sizeof one);
		(void)w;
		pthread_mutex_unlock(&kr->mu);
	}
	return r;
}

struct keyring_req *keyring_status(struct keyring *kr, keyring_done_fn done, void *ud)
{
	return submit(kr, KEYRING_OP_STATUS, NULL, NULL, done, ud);
}

struct keyring_req *keyring_lookup(struct keyring *kr, const char *server, keyring_done_fn done,
                                   void *ud)
{
	return submit(kr, KEYRING_OP_LOOKUP, server, NULL, done, ud);
}

struct keyring_req *keyring_store(struct keyring *kr, const struct cred *c, keyring_done_fn done,
                                  void *ud)
{
	return submit(kr, KEYRING_OP_STORE, c->server, c, done, ud);
}

struct keyring_req *keyring_erase(struct keyring *kr, const char *server, keyring_done_fn done,
                                  void *ud)
{
	return submit(kr, KEYRING_OP_ERASE, server, NULL, done, ud);
}

/* ---- blocking forms ---- */

struct sync_result {
	bool done, found;
	enum keyring_state state;
	struct cred *cred;
	char *message;
};

static void on_sync(void *ud, struct keyring_result *r)
{
	struct sync_result *s = ud;
	s->done = true;
	s->state = r->state;
	s->found = r->found;
	s->cred = r->cred;
	r->cred = NULL;
	s->message = xstrdup(r->message);
}

static enum keyring_state wait_sync(struct keyring *kr, struct sync_result *s, char **message)
{
	while (!s->done) {
		struct pollfd p = {.fd = kr->efd, .events = POLLIN};
		int t = keyring_timeout_ms(kr);
		if (poll(&p, 1, t < 0 ? 1000 : t) < 0 && errno != EINTR)
			break;
		keyring_dispatch(kr);
	}
	if (message)
		*message = s->message;
	else
		free(s->message);
	return s->state;
}

enum keyring_state keyring_status_sync(struct keyring *kr, char **message)
{
	struct sync_result s = {0};
	keyring_status(kr, on_sync, &s);
	return wait_sync(kr, &s, message);
}

enum keyring_state keyring_lookup_sync(struct keyring *kr, const char *server, struct cred **cred,
                                       char **message)
{
	struct sync_result s = {0};
	keyring_lookup(kr, server, on_sync, &s);
	enum keyring_state st = wait_sync(kr, &s, message);
	*cred = s.cred;
	return st;
}

enum keyring_state keyring_store_sync(struct keyring *kr, const struct cred *c, char **message)
{
	struct sync_result s = {0};
	keyring_store(kr, c, on_sync, &s);
	return wait_sync(kr, &s, message);
}

enum keyring_state keyring_erase_sync(struct keyring *kr, const char *server, bool *removed,
                                      char **message)
{
	struct sync_result s = {0};
	keyring_erase(kr, server, on_sync, &s);
	enum keyring_state st = wait_sync(kr, &s, message);
	*removed = s.found;
	return st;
}

const char *keyring_state_name(enum keyring_state s)
{
	switch (s) {
	case KEYRING_OK: return "unlocked";
	case KEYRING_NO_BUS: return "no D-Bus session";
	case KEYRING_NO_PROVIDER: return "no Secret Service";
	case KEYRING_LOCKED: return "locked";
	case KEYRING_TIMEOUT: return "not answering";
	case KEYRING_ERROR: return "error";
	}
	return "error";
}

#define SSH_RECIPE \
	"  dbus-run-session -- bash\n" \
	"  read -rsp 'keyring password: ' pw; echo\n" \
	"  printf %s \"$pw\" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; unset pw\n"

const char *keyring_state_help(enum keyring_state s)
{
	switch (s) {
	case KEYRING_OK:
		return "";
	case KEYRING_NO_BUS:
	case KEYRING_NO_PROVIDER:
		return "Over SSH there is often no keyring. Start one for this shell (it keeps its items in\n"
		       "~/.local/share/keyrings, like the desktop's), then run glovebox from that shell:\n"
		       SSH_RECIPE
		       "See docs/credentials.md.\n";
	case KEYRING_LOCKED:
		return "On a desktop, unlock the login keyring (Seahorse, or log out and in again).\n"
		       "Over SSH, a running gnome-keyring-daemon cannot be given its password again: stop the\n"
		       "one of this session and start it anew with the password (docs/credentials.md):\n"
		       "  read -rsp 'keyring password: ' pw; echo\n"
		       "  printf %s \"$pw\" | gnome-keyring-daemon --unlock --components=secrets >/dev/null; unset pw\n";
	case KEYRING_TIMEOUT:
		return "The keyring daemon may be stopped or stuck: restart it (docs/credentials.md).\n";
	case KEYRING_ERROR:
		return "See docs/credentials.md.\n";
	}
	return "";
}
