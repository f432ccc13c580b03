#include "api/creds/dockercfg.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/base/secmem.h"
#include "api/base/xalloc.h"
#include "api/creds/creds.h"

#define MAX_CONFIG (4u << 20)

char *dockercfg_path(void)
{
	const char *dir = getenv("DOCKER_CONFIG");
	if (dir && *dir)
		return xasprintf("%s/config.json", dir);
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : "/";
	}
	return xasprintf("%s/.docker/config.json", home);
}

void dockercfg_clear(struct dockercfg *c)
{
	free(c->path);
	free(c->creds_store);
	for (size_t i = 0; i < c->n_helpers; i++) {
		free(c->helpers[i].key);
		free(c->helpers[i].helper);
	}
	free(c->helpers);
	for (size_t i = 0; i < c->n_auths; i++)
		free(c->auths[i].key);
	free(c->auths);
	memset(c, 0, sizeof *c);
}

static bool dockercfg_nonempty(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) && json_string_length(v) > 0;
}

/* jansson keeps its own copies of the strings it parsed; the file's passwords must not stay
 * behind in freed memory either. glovebox routes all of jansson's frees through
 * secmem_heap_free (secmem_heap_setup, in main), which also wipes the parser's scratch copies;
 * this wipes this tree's values wherever that was not done (tests, fuzz targets). */
static void wipe_strings(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;
	if (json_is_string(j)) {
		secmem_wipe((void *)(uintptr_t)json_string_value(j), json_string_length(j));
	} else if (json_is_object(j)) {
		json_object_foreach(j, k, v) {
			wipe_strings(v);
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) {
			wipe_strings(v);
		}
	}
}

int dockercfg_parse(const char *json, size_t len, struct dockercfg *out, char **err)
{
	json_error_t je;
	json_t *root = json_loadb(json, len, 0, &je);
	int rc = -1;
	if (!root) {
		/* Never je.text: it quotes what the parser stopped in, which can be a password. */
		*err = xasprintf("not valid JSON (line %d, column %d)", je.line, je.column);
		explicit_bzero(&je, sizeof je);
		return -1;
	}
	explicit_bzero(&je, sizeof je);
	if (!json_is_object(root)) {
		*err = xstrdup("not a JSON object");
		goto out;
	}
	json_t *store = json_object_get(root, "credsStore");
	json_t *helpers = json_object_get(root, "credHelpers");
	json_t *auths = json_object_get(root, "auths");
	if (store && !json_is_string(store)) {
		*err = xstrdup("\"credsStore\" is not a string");
		goto out;
	}
	if ((helpers && !json_is_object(helpers)) || (auths && !json_is_object(auths))) {
		*err = xstrdup(helpers && !json_is_object(helpers) ? "\"credHelpers\" is not an object"
		                                                    : "\"auths\" is not an object");
		goto out;
	}
	if (store && json_string_length(store) > 0)
		out->creds_store = xstrdup(json_string_value(store));
	const char *key;
	json_t *v;
	json_object_foreach(helpers, key, v) {
		char *k = creds_server_key(key);
		if (!k || !json_is_string(v) || json_string_length(v) == 0) {
			free(k);
			continue;
		}
		out->helpers = xreallocarray(out->helpers, out->n_helpers + 1, sizeof *out->helpers);
		out->helpers[out->n_helpers++] = (struct dockercfg_helper){k, xstrdup(json_string_value(v))};
	}
	json_object_foreach(auths, key, v) {
		char *k = creds_server_key(key);
		if (!k)
			continue;
		bool secret = json_is_object(v) && (dockercfg_nonempty(v, "auth") || dockercfg_nonempty(v, "identitytoken") ||
		                                    dockercfg_nonempty(v, "registrytoken") || dockercfg_nonempty(v, "password"));
		out->auths = xreallocarray(out->auths, out->n_auths + 1, sizeof *out->auths);
		out->auths[out->n_auths++] = (struct dockercfg_auth){k, secret};
	}
	rc = 0;
out:
	wipe_strings(root);
	json_decref(root);
	return rc;
}

static bool on_path(const char *name)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	bool found = false;
	char *dirs = xstrdup(path), *save = NULL;
	for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *f = xasprintf("%s/%s", *d ? d : ".", name);
		found = access(f, X_OK) == 0;
		free(f);
	}
	free(dirs);
	return found;
}

/* docker/cli credentials/default_store_linux.go and DetectDefaultStore. */
static void detect_default_store(struct dockercfg *c)
{
	if (c->creds_store)
		return;
	const char *helper = on_path("pass") ? "pass" : "secretservice";
	char *bin = xasprintf("docker-credential-%s", helper);
	if (on_path(bin)) {
		c->creds_store = xstrdup(helper);
		c->store_detected = true;
	}
	free(bin);
}

int dockercfg_load(const char *path, struct dockercfg *out, char **err)
{
	memset(out, 0, sizeof *out);
	out->path = path ? xstrdup(path) : dockercfg_path();
	int fd = open(out->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			detect_default_store(out);
			return 0;
		}
		*err = xasprintf("%s: %s", out->path, strerror(errno));
		return -1;
	}
	out->exists = true;
	/* docker may keep passwords here: read(2) straight into a buffer that is locked and wiped
	 * after parsing (stdio would leave a copy in its own buffer, freed unwiped). One byte
	 * more than the size is asked for, to see a file that grew or lied about its size. */
	struct stat st;
	size_t cap = fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < MAX_CONFIG
	             ? (size_t)st.st_size : MAX_CONFIG;
	char *buf = secmem_alloc(cap + 1);
	size_t len = 0;
	bool failed = false;
	while (len <= cap) {
		ssize_t r = read(fd, buf + len, cap + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			failed = r < 0;
			break;
		}
		len += (size_t)r;
	}
	close(fd);
	bool too_big = len > cap;
	int rc = -1;
	char *perr = NULL;
	if (failed) {
		*err = xasprintf("%s: cannot be read", out->path);
	} else if (too_big) {
		*err = xasprintf("%s: larger than %u MiB", out->path, MAX_CONFIG >> 20);
	} else if (dockercfg_parse(buf, len, out, &perr) != 0) {
		*err = xasprintf("%s: %s", out->path, perr);
		free(perr);
	} else {
		detect_default_store(out);
		rc = 0;
	}
	secmem_free(&buf);
	return rc;
}

static enum dockercfg_store helper_kind(const char *helper)
{
	return strcmp(helper, "secretservice") == 0 ? DOCKERCFG_SECRETSERVICE : DOCKERCFG_OTHER_HELPER;
}

enum dockercfg_store dockercfg_store_for(const struct dockercfg *c, const char *server,
                                         const char **helper)
{
	char *key = creds_server_key(server);
	enum dockercfg_store st = DOCKERCFG_NONE;
	const char *h = NULL;
	if (!key)
		goto out;
	for (size_t i = 0; i < c->n_helpers; i++)
		if (strcmp(c->helpers[i].key, key) == 0) {
			h = c->helpers[i].helper;
			st = helper_kind(h);
			goto out;
		}
	if (c->creds_store) {
		h = c->creds_store;
		st = helper_kind(h);
		goto out;
	}
	for (size_t i = 0; i < c->n_auths; i++)
		if (strcmp(c->auths[i].key, key) == 0 && c->auths[i].has_secret)
			st = DOCKERCFG_FILE;
out:
	free(key);
	if (helper)
		*helper = h;
	return st;
}

const char **dockercfg_registries(const struct dockercfg *c, size_t *n)
{
	const char **v = xcalloc(c->n_auths + c->n_helpers + 1, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < c->n_auths + c->n_helpers; i++) {
		const char *key = i < c->n_auths ? c->auths[i].key : c->helpers[i - c->n_auths].key;
		bool seen = false;
		for (size_t j = 0; j < k && !seen; j++)
			seen = strcmp(v[j], key) == 0;
		if (!seen)
			v[k++] = key;
	}
	*n = k;
	return v;
}
