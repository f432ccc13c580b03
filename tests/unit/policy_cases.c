#include "tests/unit/policy_cases.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"

char *repo_path(const char *rel)
{
	const char *root = getenv("GB_ROOT");
	return xasprintf("%s/%s", root && *root ? root : ".", rel);
}

char *repo_real_path(const char *rel)
{
	char *path = repo_path(rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	char *dir = realpath(path, NULL);
	assert_non_null(dir);
	char *out = xasprintf("%s/%s", dir, slash + 1);
	free(dir);
	free(path);
	return out;
}

void parse_ok(const char *json, const char *base_dir, struct policy *p)
{
	char *err = NULL;
	if (policy_parse(json, strlen(json), base_dir, p, &err) != 0)
		fail_msg("policy_parse: %s", err);
	assert_null(err);
}

const char base_policy[] =
	"{"
	" \"classes\": {"
	"  \"default\": {\"description\": \"small\", \"constraints\": [\"node.labels.glovebox.class==default\"],"
	"               \"cpus\": 1, \"max_cpus\": 2, \"memory\": \"2GiB\", \"max_memory\": \"4GiB\"},"
	"  \"gpu\": {\"constraints\": [\"node.labels.glovebox.class==gpu\"],"
	"           \"cpus\": 4, \"max_cpus\": 8, \"memory\": \"16GiB\", \"max_memory\": \"32GiB\", \"gpus\": 1}"
	" },"
	" \"datasets\": {"
	"  \"ct-2018\": {\"source\": \"/srv/data/ct-2018\", \"target\": \"/data/ct-2018\", \"groups\": [\"oncology\"]},"
	"  \"mri-open\": {\"source\": \"/srv/data/mri-open\", \"target\": \"/data/mri-open\"}"
	" },"
	" \"results\": {\"source\": \"/srv/results/{user}\", \"target\": \"/results\"},"
	" \"terms\": {\"file\": \"terms.md\", \"version\": \"2026-11\"},"
	" \"registries\": [\"127.0.0.1:5000\"],"
	" \"max_lifetime\": \"24h\","
	" \"admin_group\": \"glovebox-admins\","
	" \"log_rotation\": {\"max_size\": \"20MiB\", \"max_files\": 5},"
	" \"ulimits\": {\"nofile\": {\"soft\": 4096, \"hard\": 8192}, \"nproc\": {\"soft\": 512}},"
	" \"encrypted_network\": true"
	"}";


char *changed(const struct change *c)
{
	json_error_t je;
	json_t *root = json_loads(base_policy, 0, &je);
	if (!root)
		fail_msg("base policy: %s", je.text);
	json_t *o = root;
	char *at = xstrdup(c->at), *key = at, *slash;
	while ((slash = strchr(key, '/'))) {
		*slash = '\0';
		o = json_object_get(o, key);
		if (!json_is_object(o))
			fail_msg("%s: no object %s in the base policy", c->at, key);
		key = slash + 1;
	}
	if (c->value) {
		json_t *v = json_loads(c->value, JSON_DECODE_ANY, &je);
		if (!v)
			fail_msg("%s: bad test value %s: %s", c->at, c->value, je.text);
		json_object_set_new(o, key, v);
	} else {
		json_object_del(o, key);
	}
	char *text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	free(at);
	return text;
}
