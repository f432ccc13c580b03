#include "api/swarm/submit.h"

#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "api/base/secmem.h"
#include "api/base/xalloc.h"
#include "api/engine/decode.h"
#include "api/engine/jsonout.h"

enum step { S_RESOLVE, S_CHECK_NAME, S_CHECK_NET, S_REMOVE_NET, S_NETWORK, S_CONSENT, S_SERVICE,
            S_ROLLBACK, S_DONE };

/* Tries for a derived name before giving up; with 32 random bits a second is already rare. */
#define NAME_TRIES 3
/* Stands for the network's ID while the service spec is checked, before the network exists. */
#define NETWORK_ID_PLACEHOLDER "0000000000000000000000000"

struct submit {
	struct engine *engine;
	struct job_plan *plan;
	char *terms_sha256, *consent_name, *consent_json, *consent_labels;
	char *registry_auth;               /* secmem */
	int64_t now;
	submit_progress_fn progress;
	submit_done_fn done;
	void *ud;

	enum step step;
	struct engine_req *req;
	bool interrupted, finished, rolled_back;
	int name_tries;                     /* derived names tried, the first included */
	char *network_body, *consent_body;  /* built, and checked, before anything is made */
	char *image_pinned, *network_id, *service_id, *warnings, *stale_network;
	char *error;
	enum job_field field;
};

static void submit_next(struct submit *s);

/* Go on with step. */
static void submit_go(struct submit *s, enum step step)
{
	s->step = step;
	submit_next(s);
}

static void submit_fail(struct submit *s, enum job_field field, char *msg)
{
	if (!s->error) {
		s->error = msg;
		s->field = field;
	} else {
		free(msg);
	}
	submit_go(s, s->network_id ? S_ROLLBACK : S_DONE);
}

static void submit_finish(struct submit *s)
{
	struct submit_result r = {
		.ok = s->error == NULL,
		.field = s->error ? s->field : JF_COUNT,
		.error = s->error,
		.service_id = s->service_id,
		.network_id = s->network_id,
		.image_pinned = s->image_pinned,
		.warnings = s->warnings,
		.rolled_back = s->rolled_back,
	};
	s->finished = true;
	if (s->done)
		s->done(s->ud, &r);
}

static void submit_progress(struct submit *s, const char *what)
{
	if (s->progress)
		s->progress(s->ud, what);
}

/* "/<kind>?filters={"name":{"<name>":true}}": the services or networks of that name. */
static char *named_path(const char *kind, const char *name)
{
	char *f = jsonout_query(json_pack("{s:{s:b}}", "name", name, 1));
	char *path = xasprintf("/%s?filters=%s", kind, f);
	free(f);
	return path;
}

static bool label_is(json_t *labels, const char *key, const char *want)
{
	json_t *v = json_object_get(labels, key);
	return want && json_is_string(v) && strcmp(json_string_value(v), want) == 0;
}

/* What a list of services or networks says about one name. Lists are prefix (networks:
 * substring) matches, so only an exact name counts; before API 1.44 two networks could share
 * a name, so every match is looked at. */
struct name_use {
	bool others;        /* something of that name that is not a leftover of this job */
	char *leftover;     /* the ID of a network of that name left by this job's owner, or NULL */
};

/* A network is a leftover of this job (an earlier, interrupted submission of it) only when
 * both labels say so: the name alone, or glovebox.job alone, could be another user's. */
static void name_use(const char *body, size_t len, const char *name, const struct job_plan *plan,
                     bool networks, struct name_use *u)
{
	json_t *root = json_loadb(body, len, 0, NULL), *o;
	size_t i;
	json_array_foreach(root, i, o) {
		json_t *spec = json_object_get(o, "Spec");
		json_t *n = json_object_get(networks ? o : spec, "Name");
		if (!json_is_string(n) || strcmp(json_string_value(n), name) != 0)
			continue;
		json_t *labels = json_object_get(o, "Labels"), *id = json_object_get(o, "Id");
		if (networks && !u->leftover && json_is_string(id) &&
		    label_is(labels, "glovebox.job", plan->name) &&
		    label_is(labels, "glovebox.owner", plan->owner))
			u->leftover = xstrdup(json_string_value(id));
		else
			u->others = true;
	}
	json_decref(root);
}

/* The name, or its network's, is in use. To a researcher another user's job does not exist:
 * the same words whether the name is theirs or someone else's, and never whose it is. A
 * derived name is derived again instead, a few times. */
static void name_taken(struct submit *s)
{
	uint32_t rnd;
	char *err = NULL;
	if (!s->plan->name_derived) {
		submit_fail(s, JF_NAME, xasprintf("the name %s cannot be used: choose another", s->plan->name));
		return;
	}
	if (s->name_tries >= NAME_TRIES) {
		submit_fail(s, JF_NAME, xasprintf("no free name was found for the job in %d tries: submit again, "
		                                  "or choose a name", NAME_TRIES));
		return;
	}
	if (submit_name_random(&rnd, &err) != 0) {
		submit_fail(s, JF_NAME, err);
		return;
	}
	s->name_tries++;
	job_plan_rename(s->plan, rnd);
	submit_go(s, S_CHECK_NAME);
}

/* The reply to the check of the job's name (networks false) or its network's name: true
 * when the name is free but for, with networks, a leftover of this job in u->leftover;
 * otherwise s failed or drew another name. */
static bool name_free(struct submit *s, const struct engine_reply *r, bool networks,
                      struct name_use *u)
{
	if (r->error) {
		submit_fail(s, JF_COUNT, xasprintf("the job's %s could not be checked: %s",
		                                   networks ? "network name" : "name", r->error));
		return false;
	}
	name_use(r->body, r->len, networks ? s->plan->network : s->plan->name, s->plan, networks, u);
	if (u->others) {
		free(u->leftover);
		name_taken(s);
		return false;
	}
	return true;
}

/* The reply of the step that made the job's network or its service (what): true with the new
 * object's ID in *id (and the engine's warnings in *warnings, which may be NULL); otherwise
 * s failed. */
static bool submit_made(struct submit *s, const struct engine_reply *r, const char *what,
                        char **id, char **warnings)
{
	char *err = NULL;
	if (r->error)
		submit_fail(s, JF_COUNT, xasprintf("%s could not be made: %s", what, r->error));
	else if (decode_created(r->body, r->len, id, warnings, &err) != 0)
		submit_fail(s, JF_COUNT, xasprintf("the engine's answer cannot be read: %s", err));
	else
		return true;
	free(err);
	return false;
}

/* Everything the creating steps send, built before the first of them: what cannot be built
 * (text that is not UTF-8, a dataset the policy lost, labels that do not parse) must fail
 * while nothing exists, not after the network or the acceptance record was made. The service
 * spec is checked with a stand-in for the network's ID and built for good once it is known. */
static int submit_prepare(struct submit *s, char **err)
{
	struct job_meta meta = {
		.image_pinned = s->image_pinned, .terms_sha256 = s->terms_sha256,
		.consent = s->consent_name, .network_id = NETWORK_ID_PLACEHOLDER, .now = s->now,
		.api_minor = engine_api_minor(s->engine),
	};
	char *spec = job_service_spec(s->plan, &meta);
	free(s->network_body);
	free(s->consent_body);
	s->network_body = job_network_spec(s->plan);
	s->consent_body = NULL;
	if (!spec || !s->network_body) {
		free(spec);
		*err = xstrdup("the job cannot be made from this plan (a dataset missing from the policy, "
		               "text that is not UTF-8, or log rotation or ulimits no policy may have)");
		return -1;
	}
	free(spec);
	if (!s->consent_json)
		return 0;
	json_t *labels = json_loads(s->consent_labels ? s->consent_labels : "", 0, NULL);
	gchar *b64 = g_base64_encode((const guchar *)s->consent_json, strlen(s->consent_json));
	json_t *cfg = json_is_object(labels) && s->consent_name
	              ? json_pack("{s:s, s:O, s:s}", "Name", s->consent_name, "Labels", labels, "Data", b64)
	              : NULL;
	s->consent_body = cfg ? json_dumps(cfg, JSON_COMPACT) : NULL;
	json_decref(cfg);
	json_decref(labels);
	g_free(b64);
	if (!s->consent_body) {
		/* A record without its labels is never found again: the researcher would be asked to
		 * accept the same terms at every submission, and the record cannot be changed. */
		*err = xstrdup("the acceptance of the terms cannot be recorded: its name or labels are missing");
		return -1;
	}
	return 0;
}

static void submit_on_reply(void *ud, const struct engine_reply *r)
{
	struct submit *s = ud;
	char *err = NULL;
	s->req = NULL;

	switch (s->step) {
	case S_RESOLVE: {
		char *digest = NULL;
		char *name = imageref_name_tag(&s->plan->image);
		if (r->error) {
			submit_fail(s, JF_IMAGE, xasprintf("cannot resolve %s to a digest on its registry: %s", name,
			                                   r->error));
		} else if (decode_distribution_digest(r->body, r->len, &digest, &err) != 0) {
			submit_fail(s, JF_IMAGE, xasprintf("the registry's answer for %s cannot be read: %s", name, err));
		} else {
			s->image_pinned = imageref_pinned(&s->plan->image, digest);
			submit_go(s, S_CHECK_NAME);
		}
		free(digest);
		free(name);
		break;
	}
	case S_CHECK_NAME: {
		struct name_use u = {0};
		if (name_free(s, r, false, &u)) {
			submit_go(s, S_CHECK_NET);
		}
		break;
	}
	case S_CHECK_NET: {
		struct name_use u = {0};
		if (name_free(s, r, true, &u)) {
			free(s->stale_network);
			s->stale_network = u.leftover;
			submit_go(s, u.leftover ? S_REMOVE_NET : S_NETWORK);
		}
		break;
	}
	case S_REMOVE_NET:
		/* Only ever the submitter's own network: saying so reveals nothing of anyone else. */
		if (r->error && r->status != 404) {
			submit_fail(s, JF_NAME, xasprintf("a network %s is left from an earlier submission of yours "
			                                  "and cannot be removed: %s", s->plan->network, r->error));
		} else {
			submit_go(s, S_NETWORK);
		}
		break;
	case S_NETWORK:
		if (r->status == 409) {
			name_taken(s);   /* made between the check and now; nothing of ours exists yet */
		} else if (submit_made(s, r, "the job's network", &s->network_id, NULL)) {
			submit_go(s, S_CONSENT);
		}
		break;
	case S_CONSENT:
		/* 409: the same record exists already (same user, second and terms): fine. */
		if (r->error && r->status != 409) {
			submit_fail(s, JF_COUNT, xasprintf("the acceptance of the terms could not be recorded: %s", r->error));
		} else {
			submit_go(s, S_SERVICE);
		}
		break;
	case S_SERVICE:
		if (r->status == 409) {
			submit_fail(s, JF_NAME, xasprintf("the name %s cannot be used: choose another", s->plan->name));
		} else if (submit_made(s, r, "the service", &s->service_id, &s->warnings)) {
			submit_go(s, S_DONE);
		}
		break;
	case S_ROLLBACK:
		if (r->error && r->status != 404) {
			char *msg = xasprintf("%s; and the network %s made for it could not be removed: %s",
			                      s->error, s->plan->network, r->error);
			free(s->error);
			s->error = msg;
		} else {
			free(s->network_id);
			s->network_id = NULL;
			s->rolled_back = true;
		}
		submit_go(s, S_DONE);
		break;
	case S_DONE:
		break;
	}
	free(err);
}

static void submit_request(struct submit *s, const char *method, const char *path, const char *body,
                           const char *what)
{
	submit_progress(s, what);
	static const char name[] = "X-Registry-Auth: ";
	const char *hdr[1];
	size_t nh = 0;
	char *auth = NULL;
	if (s->registry_auth && (s->step == S_RESOLVE || s->step == S_SERVICE)) {
		/* Built in secmem: vasprintf grows its buffer by copying, and frees the copies unwiped. */
		size_t n = strlen(s->registry_auth);
		auth = secmem_alloc(sizeof name - 1 + n);
		memcpy(auth, name, sizeof name - 1);
		memcpy(auth + sizeof name - 1, s->registry_auth, n + 1);
		hdr[nh++] = auth;
	}
	s->req = engine_request_flags(s->engine, method, path, body, hdr, nh, nh ? ENGINE_SECRET : 0,
	                              what, submit_on_reply, s);
	secmem_free(&auth);
}

static void submit_next(struct submit *s)
{
	char *path = NULL, *body = NULL, *err = NULL;
	if (s->interrupted && s->step != S_ROLLBACK && s->step != S_DONE && !s->service_id) {
		if (!s->error) {
			s->error = xstrdup("interrupted: nothing was submitted");
			s->field = JF_COUNT;
		}
		s->step = s->network_id ? S_ROLLBACK : S_DONE;
	}
	switch (s->step) {
	case S_RESOLVE: {
		if (s->plan->image.digest) {
			s->image_pinned = imageref_pinned(&s->plan->image, s->plan->image.digest);
			submit_go(s, S_CHECK_NAME);
			return;
		}
		char *name = imageref_name_tag(&s->plan->image);
		path = xasprintf("/distribution/%s/json", name);
		free(name);
		submit_request(s, "GET", path, NULL, "resolving the image to a digest");
		break;
	}
	case S_CHECK_NAME:
		path = named_path("services", s->plan->name);
		submit_request(s, "GET", path, NULL, "checking the job name");
		break;
	case S_CHECK_NET:
		path = named_path("networks", s->plan->network);
		submit_request(s, "GET", path, NULL, "checking for a leftover network");
		break;
	case S_REMOVE_NET:
		path = xasprintf("/networks/%s", s->stale_network);
		submit_request(s, "DELETE", path, NULL, "removing a leftover network");
		break;
	case S_NETWORK:
		if (submit_prepare(s, &err) != 0) {
			submit_fail(s, JF_COUNT, err);
			return;
		}
		submit_request(s, "POST", "/networks/create", s->network_body, "creating the job's internal network");
		break;
	case S_CONSENT:
		if (!s->consent_body) {
			submit_go(s, S_SERVICE);
			return;
		}
		submit_request(s, "POST", "/configs/create", s->consent_body, "recording the acceptance of the terms");
		break;
	case S_SERVICE: {
		struct job_meta meta = {
			.image_pinned = s->image_pinned,
			.terms_sha256 = s->terms_sha256,
			.consent = s->consent_name,
			.network_id = s->network_id,
			.now = s->now,
			.api_minor = engine_api_minor(s->engine),
		};
		body = job_service_spec(s->plan, &meta);
		if (!body) {
			/* prepare built it with a stand-in ID; only the engine's own ID can fail here */
			submit_fail(s, JF_COUNT, xstrdup("the service spec cannot be built with the network's ID"));
			return;
		}
		submit_request(s, "POST", "/services/create", body, "creating the service");
		break;
	}
	case S_ROLLBACK:
		path = xasprintf("/networks/%s", s->network_id);
		submit_request(s, "DELETE", path, NULL, "removing the network again");
		break;
	case S_DONE:
		submit_finish(s);
		break;
	}
	free(path);
	free(body);
}

struct submit *submit_start(struct engine *e, const struct submit_args *a,
                            submit_progress_fn progress_fn, submit_done_fn done, void *ud)
{
	struct submit *s = xcalloc(1, sizeof *s);
	s->engine = e;
	s->plan = a->plan;
	s->name_tries = 1;
	s->terms_sha256 = xstrdup(a->terms_sha256);
	s->consent_name = xstrdup(a->consent_name);
	s->consent_json = xstrdup(a->consent_json);
	s->consent_labels = xstrdup(a->consent_labels);
	s->registry_auth = secmem_strdup(a->registry_auth);
	s->now = a->now;
	s->progress = progress_fn;
	s->done = done;
	s->ud = ud;
	s->field = JF_COUNT;
	submit_go(s, S_RESOLVE);
	return s;
}

void submit_interrupt(struct submit *s)
{
	s->interrupted = true;
}

void submit_free(struct submit **ps)
{
	struct submit *s = *ps;
	if (!s)
		return;
	engine_cancel_clear(s->engine, &s->req);
	free(s->terms_sha256);
	free(s->consent_name);
	free(s->consent_json);
	free(s->consent_labels);
	secmem_free(&s->registry_auth);
	free(s->image_pinned);
	free(s->network_id);
	free(s->service_id);
	free(s->warnings);
	free(s->stale_network);
	free(s->network_body);
	free(s->consent_body);
	free(s->error);
	free(s);
	*ps = NULL;
}

int submit_name_random(uint32_t *rnd, char **err)
{
	unsigned char *p = (unsigned char *)rnd;
	size_t got = 0;
	while (got < sizeof *rnd) {
		ssize_t n = getrandom(p + got, sizeof *rnd - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*err = xasprintf("no random number for the job's name: getrandom: %s",
			                 n < 0 ? strerror(errno) : "no bytes");
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}
