/* For the policy tests (test_policy.c, test_policy_rules.c): a valid base policy to change in
 * one place, repository paths, and parsing that must succeed. */
#ifndef GB_TESTS_POLICY_CASES_H
#define GB_TESTS_POLICY_CASES_H

#include <stdint.h>

#include "api/core/policy.h"

#define KiB ((int64_t)1 << 10)
#define MiB ((int64_t)1 << 20)
#define GiB ((int64_t)1 << 30)
#define TiB ((int64_t)1 << 40)

/* A repository file by its path from the root ($GB_ROOT, as support.c). New string. */
char *repo_path(const char *rel);
/* repo_path with its directory resolved: where policy_load_file looks for terms beside a
 * policy (the file itself need not exist). New string. */
char *repo_real_path(const char *rel);
/* policy_parse that fails the test with its message. */
void parse_ok(const char *json, const char *base_dir, struct policy *p);

/* A valid policy (JSON text) that uses every section. */
extern const char base_policy[];

struct change {
	const char *at;         /* "classes/gpu/max_cpus": objects down to the key to set */
	const char *value;      /* JSON; NULL deletes the key */
	const char *err;        /* the whole message */
};

/* base_policy with one change, as JSON text. New string. */
char *changed(const struct change *c);

#endif
