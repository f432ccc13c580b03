/* policy.h: one failing case per validation rule with the exact message (field path included),
 * on a valid base policy changed in one place, and the checks jobs use. The example, sizes,
 * durations and files are in test_policy.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"
#include "api/core/policy.h"
#include "api/swarm/policy_fetch.h"
#include "tests/unit/policy_cases.h"
#include "tests/unit/support.h"

/* ---- validation: one case per rule, on a valid base policy changed in one place ---- */


#define NAME_RULE "(1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit)"
#define CLASS_KEYS "description, constraints, cpus, max_cpus, memory, max_memory, gpus"
#define TOP_KEYS "classes, datasets, results, terms, registries, max_lifetime, admin_group, researcher_logs, " \
                 "log_rotation, ulimits, encrypted_network, metrics"
#define A65 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct change changes[] = {
	/* the document */
	{"max_lifetme", "\"24h\"", "max_lifetme: unknown key; expected one of " TOP_KEYS},
	/* classes */
	{"classes", NULL, "classes: required key is missing"},
	{"classes", "{}", "classes: must define at least one class"},
	{"classes", "[]", "classes: must be an object, not an array"},
	{"classes/GPU", "{\"cpus\": 1, \"memory\": \"1GiB\"}",
	 "classes: \"GPU\" is not a valid class name " NAME_RULE},
	{"classes/-x", "{\"cpus\": 1, \"memory\": \"1GiB\"}",
	 "classes: \"-x\" is not a valid class name " NAME_RULE},
	{"classes/a b", "{\"cpus\": 1, \"memory\": \"1GiB\"}",
	 "classes: \"a b\" is not a valid class name " NAME_RULE},
	{"classes/" A65, "{\"cpus\": 1, \"memory\": \"1GiB\"}",
	 "classes: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is not a valid class name " NAME_RULE},
	{"classes/gpu", "5", "classes.gpu: must be an object, not a number"},
	{"classes/gpu/max_cpu", "8", "classes.gpu.max_cpu: unknown key; expected one of " CLASS_KEYS},
	{"classes/gpu/description", "3", "classes.gpu.description: must be a string, not a number"},
	{"classes/gpu/constraints", "\"node.labels.glovebox.class==gpu\"",
	 "classes.gpu.constraints: must be an array, not a string"},
	{"classes/gpu/constraints", "[\"node.labels.a==b\", \"\"]",
	 "classes.gpu.constraints[1]: \"\" is not a placement constraint (e.g. node.labels.glovebox.class==gpu)"},
	{"classes/gpu/constraints", "[\"node.labels.glovebox.class=gpu\"]",
	 "classes.gpu.constraints[0]: \"node.labels.glovebox.class=gpu\" is not a placement constraint "
	 "(e.g. node.labels.glovebox.class==gpu)"},
	{"classes/gpu/constraints", "[\"==gpu\"]",
	 "classes.gpu.constraints[0]: \"==gpu\" is not a placement constraint (e.g. node.labels.glovebox.class==gpu)"},
	{"classes/gpu/constraints", "[\"node.role!=\"]",
	 "classes.gpu.constraints[0]: \"node.role!=\" is not a placement constraint (e.g. node.labels.glovebox.class==gpu)"},
	{"classes/gpu/constraints", "[\"a==b\\nc\"]",
	 "classes.gpu.constraints[0]: \"a==b\\u000ac\" is not a placement constraint (e.g. node.labels.glovebox.class==gpu)"},
	{"classes/gpu/constraints", "[null]", "classes.gpu.constraints[0]: must be a string, not null"},
	{"classes/gpu/cpus", NULL, "classes.gpu.cpus: required key is missing"},
	{"classes/gpu/cpus", "\"4\"", "classes.gpu.cpus: must be a number, not a string"},
	{"classes/gpu/cpus", "true", "classes.gpu.cpus: must be a number, not a boolean"},
	{"classes/gpu/cpus", "0", "classes.gpu.cpus: must be at least 0.001"},
	{"classes/gpu/cpus", "-1", "classes.gpu.cpus: must be at least 0.001"},
	{"classes/gpu/cpus", "0.0005", "classes.gpu.cpus: must be at least 0.001"},
	{"classes/gpu/cpus", "10000", "classes.gpu.cpus: must be at most 8192"},
	{"classes/gpu/max_cpus", "2", "classes.gpu.max_cpus: must be at least cpus (4)"},
	{"classes/gpu/max_cpus", "3.5", "classes.gpu.max_cpus: must be at least cpus (4)"},
	{"classes/gpu/max_cpus", "0", "classes.gpu.max_cpus: must be at least 0.001"},
	{"classes/default/cpus", "2.5", "classes.default.max_cpus: must be at least cpus (2.5)"},
	{"classes/gpu/memory", NULL, "classes.gpu.memory: required key is missing"},
	{"classes/gpu/memory", "17179869184", "classes.gpu.memory: must be a string, not a number"},
	{"classes/gpu/memory", "\"16 GiB\"", "classes.gpu.memory: \"16 GiB\" is not a size (e.g. 512MiB, 2GiB, 1.5G)"},
	{"classes/gpu/memory", "\"-1G\"", "classes.gpu.memory: \"-1G\" is not a size: sizes cannot be negative"},
	{"classes/gpu/memory", "\"4MiB\"", "classes.gpu.memory: must be at least 6MiB (the engine's minimum), not 4MiB"},
	{"classes/gpu/memory", "\"0\"", "classes.gpu.memory: must be at least 6MiB (the engine's minimum), not 0 bytes"},
	{"classes/gpu/memory", "\"6291455\"", "classes.gpu.memory: must be at least 6MiB (the engine's minimum), not 6291455 bytes"},
	{"classes/default/memory", "\"5M\"", "classes.default.memory: must be at least 6MiB (the engine's minimum), not 5MiB"},
	{"classes/gpu/max_memory", "\"8GiB\"", "classes.gpu.max_memory: must be at least memory (16GiB), not 8GiB"},
	{"classes/gpu/max_memory", "\"1MB\"", "classes.gpu.max_memory: must be at least 6MiB (the engine's minimum), not 1000000 bytes"},
	{"classes/gpu/gpus", "-1", "classes.gpu.gpus: must not be negative"},
	{"classes/gpu/gpus", "1.5", "classes.gpu.gpus: must be a whole number, not 1.5"},
	{"classes/gpu/gpus", "\"1\"", "classes.gpu.gpus: must be a whole number, not a string"},
	{"classes/gpu/gpus", "1000", "classes.gpu.gpus: must be at most 256"},
	/* datasets */
	{"datasets", "[]", "datasets: must be an object, not an array"},
	{"datasets/CT", "{\"source\": \"/a\", \"target\": \"/b\"}",
	 "datasets: \"CT\" is not a valid dataset name " NAME_RULE},
	{"datasets/ct-2018", "\"/srv\"", "datasets.ct-2018: must be an object, not a string"},
	{"datasets/ct-2018/sorce", "\"/a\"",
	 "datasets.ct-2018.sorce: unknown key; expected one of description, source, target, groups"},
	{"datasets/ct-2018/description", "[]", "datasets.ct-2018.description: must be a string, not an array"},
	{"datasets/ct-2018/source", NULL, "datasets.ct-2018.source: required key is missing"},
	{"datasets/ct-2018/source", "\"srv/data/ct-2018\"", "datasets.ct-2018.source: must be an absolute path"},
	{"datasets/ct-2018/source", "\"\"", "datasets.ct-2018.source: must be an absolute path"},
	{"datasets/ct-2018/source", "\"/srv/data/../../etc\"", "datasets.ct-2018.source: must not contain \"..\" components"},
	{"datasets/ct-2018/source", "\"/srv/data/..\"", "datasets.ct-2018.source: must not contain \"..\" components"},
	{"datasets/ct-2018/source", "\"/srv/a:b\"",
	 "datasets.ct-2018.source: must not contain ':' or ',' (they would break mount syntax)"},
	{"datasets/ct-2018/source", "\"/srv/a,readonly=false\"",
	 "datasets.ct-2018.source: must not contain ':' or ',' (they would break mount syntax)"},
	{"datasets/ct-2018/source", "\"/srv/a\\tb\"", "datasets.ct-2018.source: must not contain control characters"},
	{"datasets/ct-2018/source", "\"/srv/{user}\"",
	 "datasets.ct-2018.source: must not contain '{' or '}' ({user} is only replaced in results.source)"},
	{"datasets/ct-2018/source", "\"//./\"", "datasets.ct-2018.source: must not be \"/\""},
	{"datasets/ct-2018/target", NULL, "datasets.ct-2018.target: required key is missing"},
	{"datasets/ct-2018/target", "\"data/ct\"", "datasets.ct-2018.target: must be an absolute path"},
	{"datasets/ct-2018/target", "\"/data/../ct\"", "datasets.ct-2018.target: must not contain \"..\" components"},
	{"datasets/ct-2018/target", "\"/data:ro\"",
	 "datasets.ct-2018.target: must not contain ':' or ',' (they would break mount syntax)"},
	{"datasets/ct-2018/target", "\"/\"", "datasets.ct-2018.target: must not be \"/\""},
	{"datasets/ct-2018/target", "\"/tmp\"",
	 "datasets.ct-2018.target: must not be /tmp or inside it (each job gets its own scratch space there)"},
	{"datasets/ct-2018/target", "\"/tmp/ct/\"",
	 "datasets.ct-2018.target: must not be /tmp or inside it (each job gets its own scratch space there)"},
	{"datasets/ct-2018/target", "\"/proc/ct\"",
	 "datasets.ct-2018.target: must not be /proc or inside it (the kernel's own file system)"},
	{"datasets/ct-2018/target", "\"/dev\"",
	 "datasets.ct-2018.target: must not be /dev or inside it (the kernel's own file system)"},
	{"datasets/ct-2018/target", "\"/results\"", "datasets.ct-2018.target: \"/results\" is the results target"},
	{"datasets/mri-open/target", "\"//results/\"", "datasets.mri-open.target: \"/results\" is the results target"},
	{"datasets/ct-2018/target", "\"/results/ct\"",
	 "datasets.ct-2018.target: \"/results/ct\" overlaps the results target (\"/results\"); "
	 "mount points must not be inside one another"},
	{"results/target", "\"/data\"",
	 "datasets.ct-2018.target: \"/data/ct-2018\" overlaps the results target (\"/data\"); "
	 "mount points must not be inside one another"},
	{"datasets/mri-open/target", "\"/data/ct-2018/\"",
	 "datasets.mri-open.target: \"/data/ct-2018\" is already the target of datasets.ct-2018"},
	{"datasets/mri-open/target", "\"/data/ct-2018/mri\"",
	 "datasets.mri-open.target: \"/data/ct-2018/mri\" overlaps datasets.ct-2018.target (\"/data/ct-2018\"); "
	 "mount points must not be inside one another"},
	{"datasets/mri-open/target", "\"/data\"",
	 "datasets.mri-open.target: \"/data\" overlaps datasets.ct-2018.target (\"/data/ct-2018\"); "
	 "mount points must not be inside one another"},
	{"datasets/ct-2018/groups", "[]",
	 "datasets.ct-2018.groups: must not be an empty list; leave the key out to let everyone use the dataset"},
	{"datasets/ct-2018/groups", "\"oncology\"", "datasets.ct-2018.groups: must be an array, not a string"},
	{"datasets/ct-2018/groups", "[\"oncology\", \"a b\"]", "datasets.ct-2018.groups[1]: \"a b\" is not a Unix group name"},
	{"datasets/ct-2018/groups", "[\"\"]", "datasets.ct-2018.groups[0]: \"\" is not a Unix group name"},
	{"datasets/ct-2018/groups", "[\"a:b\"]", "datasets.ct-2018.groups[0]: \"a:b\" is not a Unix group name"},
	{"datasets/ct-2018/groups", "[7]", "datasets.ct-2018.groups[0]: must be a string, not a number"},
	/* results */
	{"results", NULL, "results: required key is missing"},
	{"results", "\"/srv/results\"", "results: must be an object, not a string"},
	{"results/mode", "\"rw\"", "results.mode: unknown key; expected one of source, target"},
	{"results/source", NULL, "results.source: required key is missing"},
	{"results/source", "\"results/{user}\"", "results.source: must be an absolute path"},
	{"results/source", "\"/srv/results/{usr}\"", "results.source: must not contain '{' or '}' other than in {user}"},
	{"results/source", "\"/srv/results/user}\"", "results.source: must not contain '{' or '}' other than in {user}"},
	{"results/source", "\"/srv/../{user}\"", "results.source: must not contain \"..\" components"},
	{"results/source", "\"/srv/{user}:rw\"",
	 "results.source: must not contain ':' or ',' (they would break mount syntax)"},
	{"results/source", "\"/\"", "results.source: must not be \"/\""},
	{"results/target", NULL, "results.target: required key is missing"},
	{"results/target", "\"results\"", "results.target: must be an absolute path"},
	{"results/target", "\"/\"", "results.target: must not be \"/\""},
	{"results/target", "\"/tmp/results\"",
	 "results.target: must not be /tmp or inside it (each job gets its own scratch space there)"},
	{"results/target", "\"/sys\"", "results.target: must not be /sys or inside it (the kernel's own file system)"},
	{"results/target", "\"/{user}\"",
	 "results.target: must not contain '{' or '}' ({user} is only replaced in results.source)"},
	/* terms */
	{"terms", NULL, "terms: required key is missing"},
	{"terms/url", "\"https://x\"", "terms.url: unknown key; expected one of file, version"},
	{"terms/file", NULL, "terms.file: required key is missing"},
	{"terms/file", "\"\"", "terms.file: must not be empty"},
	{"terms/file", "\"  \"", "terms.file: must not be empty"},
	{"terms/file", "1", "terms.file: must be a string, not a number"},
	{"terms/version", NULL, "terms.version: required key is missing"},
	{"terms/version", "\"\"", "terms.version: must not be empty"},
	{"terms/version", "2026", "terms.version: must be a string, not a number"},
	{"terms/version", "\"2026\\n11\"", "terms.version: must be one line without control characters"},
	/* registries */
	{"registries", "\"127.0.0.1:5000\"", "registries: must be an array, not a string"},
	{"registries", "[]", "registries: must not be an empty list; leave the key out to allow any registry"},
	{"registries", "[\"127.0.0.1:5000\", \"http://x\"]", "registries[1]: \"http://x\" is not a host[:port]"},
	{"registries", "[\"registry.example.org/lab\"]", "registries[0]: \"registry.example.org/lab\" is not a host[:port]"},
	{"registries", "[\"registry.example.org:0\"]", "registries[0]: \"registry.example.org:0\" is not a host[:port]"},
	{"registries", "[\"localhost:65536\"]", "registries[0]: \"localhost:65536\" is not a host[:port]"},
	{"registries", "[\"localhost:\"]", "registries[0]: \"localhost:\" is not a host[:port]"},
	{"registries", "[\"-bad.example.org\"]", "registries[0]: \"-bad.example.org\" is not a host[:port]"},
	{"registries", "[\"bad-.example.org\"]", "registries[0]: \"bad-.example.org\" is not a host[:port]"},
	{"registries", "[\"a..b\"]", "registries[0]: \"a..b\" is not a host[:port]"},
	{"registries", "[\"\"]", "registries[0]: \"\" is not a host[:port]"},
	{"registries", "[\"[::1\"]", "registries[0]: \"[::1\" is not a host[:port]"},
	{"registries", "[\"reg istry\"]", "registries[0]: \"reg istry\" is not a host[:port]"},
	{"registries", "[{}]", "registries[0]: must be a string, not an object"},
	/* max_lifetime */
	{"max_lifetime", NULL, "max_lifetime: required key is missing"},
	{"max_lifetime", "\"24 hours\"", "max_lifetime: \"24 hours\" is not a duration (e.g. 24h, 90m, 1h30m)"},
	{"max_lifetime", "\"\"", "max_lifetime: \"\" is not a duration (e.g. 24h, 90m, 1h30m)"},
	{"max_lifetime", "\"-1h\"", "max_lifetime: \"-1h\" is not a duration: durations cannot be negative"},
	{"max_lifetime", "\"0\"", "max_lifetime: must be more than 0"},
	{"max_lifetime", "\"0h0m\"", "max_lifetime: must be more than 0"},
	{"max_lifetime", "\"366d\"", "max_lifetime: must be at most 365d"},
	{"max_lifetime", "\"365d1s\"", "max_lifetime: must be at most 365d"},
	{"max_lifetime", "86400", "max_lifetime: must be a string, not a number"},
	/* admin_group */
	{"admin_group", NULL, "admin_group: required key is missing"},
	{"admin_group", "\"\"", "admin_group: must not be empty"},
	{"admin_group", "[\"glovebox-admins\"]", "admin_group: must be a string, not an array"},
	{"admin_group", "\"admins,staff\"", "admin_group: \"admins,staff\" is not a Unix group name"},
	/* researcher_logs */
	{"researcher_logs", "\"tails\"", "researcher_logs: \"tails\" is not one of full, tail, none"},
	{"researcher_logs", "\"FULL\"", "researcher_logs: \"FULL\" is not one of full, tail, none"},
	{"researcher_logs", "false", "researcher_logs: must be a string, not a boolean"},
	/* log_rotation */
	{"log_rotation", "[]", "log_rotation: must be an object, not an array"},
	{"log_rotation/max_file", "3", "log_rotation.max_file: unknown key; expected one of max_size, max_files"},
	{"log_rotation/max_size", "10485760", "log_rotation.max_size: must be a string, not a number"},
	{"log_rotation/max_size", "\"10 MB\"", "log_rotation.max_size: \"10 MB\" is not a size (e.g. 512MiB, 2GiB, 1.5G)"},
	{"log_rotation/max_size", "\"512KiB\"", "log_rotation.max_size: must be at least 1MiB, not 512KiB"},
	{"log_rotation/max_size", "\"0\"", "log_rotation.max_size: must be at least 1MiB, not 0 bytes"},
	{"log_rotation/max_files", "0", "log_rotation.max_files: must be at least 1"},
	{"log_rotation/max_files", "101", "log_rotation.max_files: must be at most 100"},
	{"log_rotation/max_files", "2.5", "log_rotation.max_files: must be a whole number, not 2.5"},
	{"log_rotation/max_files", "\"3\"", "log_rotation.max_files: must be a whole number, not a string"},
	/* ulimits */
	{"ulimits", "\"nofile=1024\"", "ulimits: must be an object, not a string"},
	{"ulimits/core", "{\"soft\": 0}", "ulimits.core: unknown key; expected one of nofile, nproc"},
	{"ulimits/nofile", "1024", "ulimits.nofile: must be an object, not a number"},
	{"ulimits/nofile", "{\"hard\": 1024}", "ulimits.nofile.soft: required key is missing"},
	{"ulimits/nofile", "{\"soft\": 1024, \"max\": 1}", "ulimits.nofile.max: unknown key; expected one of soft, hard"},
	{"ulimits/nofile", "{\"soft\": 32}", "ulimits.nofile.soft: must be at least 64"},
	{"ulimits/nofile", "{\"soft\": 2048, \"hard\": 1024}", "ulimits.nofile.hard: must be at least soft (2048)"},
	{"ulimits/nofile", "{\"soft\": 1024, \"hard\": 2000000}", "ulimits.nofile.hard: must be at most 1048576"},
	{"ulimits/nofile", "{\"soft\": -1}", "ulimits.nofile.soft: must be at least 64"},
	{"ulimits/nproc", "{\"soft\": 8}", "ulimits.nproc.soft: must be at least 16"},
	{"ulimits/nproc", "{\"soft\": 5000000}", "ulimits.nproc.soft: must be at most 4194304"},
	{"ulimits/nproc", "{\"soft\": 1.5}", "ulimits.nproc.soft: must be a whole number, not 1.5"},
	/* encrypted_network */
	{"encrypted_network", "\"yes\"", "encrypted_network: must be true or false, not a string"},
	{"encrypted_network", "1", "encrypted_network: must be true or false, not a number"},
	/* metrics */
	{"metrics", "\"http://p:9090\"", "metrics: must be an object, not a string"},
	{"metrics", "{}", "metrics.prometheus: required key is missing"},
	{"metrics", "{\"prometheus\": \"http://p:9090\", \"password\": \"x\"}",
	 "metrics.password: unknown key; expected one of prometheus, ca_file, credentials_file, rate_window"},
	{"metrics", "{\"prometheus\": \"ftp://p:9090\"}",
	 "metrics.prometheus: ftp://p:9090 is not a usable URL: only http:// and https:// are supported"},
	{"metrics", "{\"prometheus\": \"http://u:pw@p:9090\"}",
	 "metrics.prometheus: http://u:pw@p:9090 is not a usable URL: no user:password@ in the URL: give credentials in a credentials file"},
	{"metrics", "{\"prometheus\": \"http://p:99999\"}",
	 "metrics.prometheus: http://p:99999 is not a usable URL: the port must be a number from 1 to 65535"},
	{"metrics", "{\"prometheus\": \"http://p\", \"credentials_file\": \"creds\"}",
	 "metrics.credentials_file: must be an absolute path"},
	{"metrics", "{\"prometheus\": \"http://p\", \"rate_window\": \"2s\"}",
	 "metrics.rate_window: must be from 4s to 1h (at least four scrape intervals)"},
};

static void test_base_policy_is_valid(void **state)
{
	(void)state;
	struct policy p;
	parse_ok(base_policy, "/etc/glovebox", &p);
	assert_string_equal(p.terms_file, "/etc/glovebox/terms.md");
	policy_clear(&p);
}

static void test_every_rule(void **state)
{
	(void)state;
	int bad = 0;
	for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
		const struct change *c = &changes[i];
		char *json = changed(c), *err = NULL;
		struct policy p;
		memset(&p, 0xa5, sizeof p);     /* policy_parse must not rely on a zeroed out */
		if (policy_parse(json, strlen(json), NULL, &p, &err) == 0) {
			print_error("%s = %s: accepted, want \"%s\"\n", c->at, c->value ? c->value : "(deleted)", c->err);
			bad++;
			policy_clear(&p);
		} else {
			if (!err || strcmp(err, c->err) != 0) {
				print_error("%s = %s:\n  got  %s\n  want %s\n", c->at, c->value ? c->value : "(deleted)",
				            err ? err : "(null)", c->err);
				bad++;
			}
			/* A failed parse leaves nothing to free. */
			assert_int_equal(p.n_classes, 0);
			assert_null(p.classes);
			assert_null(p.results_source);
		}
		free(err);
		free(json);
	}
	if (bad)
		fail_msg("%d of %zu cases wrong", bad, sizeof changes / sizeof changes[0]);
}

/* Cases a key-setting change cannot express. */
static void test_inline_cases(void **state)
{
	(void)state;
	static const struct { const char *json, *err; } cases[] = {
		{"[1, 2]", "the policy must be a JSON object, not an array"},
		{"\"policy\"", "line 1, column 8: '[' or '{' expected near '\"policy\"'"},
		{"", "line 1, column 0: '[' or '{' expected near end of file"},
		{"{\n  \"classes\": {\n    \"a\" 1\n  }\n}", "line 3, column 9: ':' expected near '1'"},
		{"{\"classes\": {}} trailing", "line 1, column 24: end of file expected near 'trailing'"},
		{"{\"classes\": [1 2]}", "line 1, column 16: ',' or ']' expected near '2'"},
		{"{\"a\": \"\\u0000\"}", "line 1, column 14: \\u0000 is not allowed in strings"},
		{"{\"bad key\\n\": 1}", "\"bad key\\u000a\": unknown key; expected one of " TOP_KEYS},
		{"{\"classes\": {\"gpu\": {\"cpus\": 1, \"cpus\": 2}}}", "line 1, column 38: duplicate object key near '\"cpus\"'"},
		/* jansson quotes the byte it stopped at; a message must not carry a control character
		 * to the terminal (tests/fuzz/regress/fuzz_policy). */
		{"{\"a\": \x1b[31m}", "line 1, column 7: invalid token near '\\u001b'"},
		{"{\"classes\": {\x0b}}", "line 1, column 14: string or '}' expected near '\\u000b'"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct policy p;
		char *err = NULL;
		assert_int_equal(policy_parse(cases[i].json, strlen(cases[i].json), NULL, &p, &err), -1);
		if (!err || strcmp(err, cases[i].err) != 0)
			fail_msg("%s:\n  got  %s\n  want %s", cases[i].json, err ? err : "(null)", cases[i].err);
		free(err);
	}
	/* err may be NULL; the verdict stands. */
	struct policy p;
	assert_int_equal(policy_parse("{}", 2, NULL, &p, NULL), -1);
	assert_int_equal(policy_parse(NULL, 0, NULL, &p, NULL), -1);
}

static void test_bad_fixtures(void **state)
{
	(void)state;
	static const struct { const char *file, *err; } cases[] = {
		{"policy/bad-syntax.json", "line 6, column 14: ',' or '}' expected near '\"memory\"'"},
		{"policy/bad-duplicate-class.json", "line 4, column 9: duplicate object key near '\"gpu\"'"},
		{"policy/bad-unknown-key.json", "classes.gpu.max_cpu: unknown key; expected one of " CLASS_KEYS},
		{"policy/bad-gpu-max-cpus.json", "classes.gpu.max_cpus: must be at least cpus (4)"},
		{"policy/bad-dataset-source.json", "datasets.ct-2018.source: must be an absolute path"},
		{"policy/bad-registry-scheme.json", "registries[1]: \"http://x\" is not a host[:port]"},
		{"policy/bad-lifetime.json", "max_lifetime: \"24 hours\" is not a duration (e.g. 24h, 90m, 1h30m)"},
		{"policy/bad-target-is-results.json", "datasets.ct-2018.target: \"/results\" is the results target"},
		{"policy/bad-no-classes.json", "classes: must define at least one class"},
		{"policy/bad-ulimit-hard.json", "ulimits.nofile.hard: must be at least soft (4096)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len;
		char *json = fixture_read(cases[i].file, &len), *err = NULL;
		struct policy p;
		assert_int_equal(policy_parse(json, len, NULL, &p, &err), -1);
		if (!err || strcmp(err, cases[i].err) != 0)
			fail_msg("%s:\n  got  %s\n  want %s", cases[i].file, err ? err : "(null)", cases[i].err);
		free(err);
		free(json);
	}
}

/* A registry normalised as image references are: lowercase, Docker Hub as docker.io. */
static void test_good_registries(void **state)
{
	(void)state;
	char *json = changed(&(struct change){
		"registries",
		"[\"127.0.0.1:5000\", \"localhost\", \"Registry.Example.org:443\", \"[::1]:5000\", \"index.docker.io\","
		" \"a-b.c\", \"x:65535\"]",
		NULL,
	});
	struct policy p;
	parse_ok(json, NULL, &p);
	static const char *const want[] = {
		"127.0.0.1:5000", "localhost", "registry.example.org:443", "[::1]:5000", "docker.io", "a-b.c", "x:65535",
	};
	assert_int_equal(p.n_registries, 7);
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(p.registries[i], want[i]);
	policy_clear(&p);
	free(json);
}

static void test_paths_are_cleaned(void **state)
{
	(void)state;
	char *json = changed(&(struct change){"datasets/ct-2018",
		"{\"source\": \"//srv/./data//ct-2018/\", \"target\": \"/data/./ct/\"}", NULL});
	char *json2 = NULL;
	struct policy p;
	parse_ok(json, NULL, &p);
	const struct policy_dataset *d = policy_dataset_find(&p, "ct-2018");
	assert_string_equal(d->source, "/srv/data/ct-2018");
	assert_string_equal(d->target, "/data/ct");
	policy_clear(&p);

	/* "{user}" may appear more than once; the template is cleaned like any path. */
	json2 = changed(&(struct change){"results", "{\"source\": \"/srv//{user}/out/{user}/\", \"target\": \"/results/\"}", NULL});
	parse_ok(json2, NULL, &p);
	assert_string_equal(p.results_source, "/srv/{user}/out/{user}");
	assert_string_equal(p.results_target, "/results");
	policy_clear(&p);
	free(json2);
	free(json);
}

/* The hardening fields as written, hard defaulting to soft, and each one alone. */
static void test_hardening_fields(void **state)
{
	(void)state;
	struct policy p;
	parse_ok(base_policy, NULL, &p);
	assert_int_equal(p.log_max_size, 20 * MiB);
	assert_int_equal(p.log_max_files, 5);
	assert_int_equal(p.nofile.soft, 4096);
	assert_int_equal(p.nofile.hard, 8192);
	assert_int_equal(p.nproc.soft, 512);
	assert_int_equal(p.nproc.hard, 512);
	assert_true(p.encrypted_network);
	policy_clear(&p);

	/* an empty object keeps every default; one key changes only itself */
	char *json = changed(&(struct change){"log_rotation", "{\"max_files\": 1}", NULL});
	parse_ok(json, NULL, &p);
	assert_int_equal(p.log_max_size, 10 * MiB);
	assert_int_equal(p.log_max_files, 1);
	policy_clear(&p);
	free(json);
	json = changed(&(struct change){"ulimits", "{\"nproc\": {\"soft\": 16, \"hard\": 4194304}}", NULL});
	parse_ok(json, NULL, &p);
	assert_int_equal(p.nofile.soft, 1024);
	assert_int_equal(p.nofile.hard, 4096);
	assert_int_equal(p.nproc.soft, 16);
	assert_int_equal(p.nproc.hard, 4194304);
	policy_clear(&p);
	free(json);
	json = changed(&(struct change){"ulimits", "{}", NULL});
	parse_ok(json, NULL, &p);
	assert_int_equal(p.nofile.soft, 1024);
	assert_int_equal(p.nproc.hard, 2048);
	policy_clear(&p);
	free(json);
	json = changed(&(struct change){"encrypted_network", "false", NULL});
	parse_ok(json, NULL, &p);
	assert_false(p.encrypted_network);
	policy_clear(&p);
	free(json);
	/* 6 MiB, the engine's minimum, is a valid class memory */
	json = changed(&(struct change){"classes/default/memory", "\"6MiB\"", NULL});
	parse_ok(json, NULL, &p);
	assert_int_equal(p.classes[0].memory, 6 * MiB);
	policy_clear(&p);
	free(json);
}

static void test_researcher_logs(void **state)
{
	(void)state;
	static const struct { const char *v; enum researcher_logs want; } cases[] = {
		{"\"full\"", LOGS_FULL}, {"\"tail\"", LOGS_TAIL}, {"\"none\"", LOGS_NONE},
	};
	for (size_t i = 0; i < 3; i++) {
		char *json = changed(&(struct change){"researcher_logs", cases[i].v, NULL});
		struct policy p;
		parse_ok(json, NULL, &p);
		assert_int_equal(p.researcher_logs, cases[i].want);
		policy_clear(&p);
		free(json);
	}
}

static void test_terms_file_resolution(void **state)
{
	(void)state;
	static const struct { const char *file, *base, *want; } cases[] = {
		{"terms.md", NULL, "terms.md"},
		{"terms.md", "", "terms.md"},
		{"terms.md", "/", "/terms.md"},
		{"terms.md", "/etc/glovebox", "/etc/glovebox/terms.md"},
		{"terms.md", "/etc/glovebox/", "/etc/glovebox/terms.md"},
		{"legal/terms.md", "conf", "conf/legal/terms.md"},
		{"/srv/legal/terms.md", "/etc/glovebox", "/srv/legal/terms.md"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *v = xasprintf("{\"file\": \"%s\", \"version\": \"1\"}", cases[i].file);
		char *json = changed(&(struct change){"terms", v, NULL});
		struct policy p;
		parse_ok(json, cases[i].base, &p);
		assert_string_equal(p.terms_file, cases[i].want);
		policy_clear(&p);
		free(json);
		free(v);
	}
}

/* ---- what jobs ask of the policy ---- */

static void test_dataset_allowed(void **state)
{
	(void)state;
	char *path = repo_path("docs/examples/policy.json");
	struct policy p;
	char *err = NULL;
	if (policy_load_file(path, &p, &err) != 0)
		fail_msg("%s", err);

	const struct policy_dataset *ct = policy_dataset_find(&p, "ct-2018");
	const struct policy_dataset *mri = policy_dataset_find(&p, "mri-open");
	const struct policy_dataset *gen = policy_dataset_find(&p, "genomics-restricted");
	const char *const staff_onc[] = {"staff", "oncology"};
	const char *const genomics[] = {"genomics"};
	const char *const nearly[] = {"Oncology", "oncology2", "onc"};

	assert_true(policy_dataset_allowed(ct, staff_onc, 2));
	assert_false(policy_dataset_allowed(ct, staff_onc, 1));     /* only "staff" counted */
	assert_false(policy_dataset_allowed(ct, genomics, 1));
	assert_false(policy_dataset_allowed(ct, nearly, 3));
	assert_false(policy_dataset_allowed(ct, NULL, 0));
	assert_true(policy_dataset_allowed(gen, genomics, 1));
	assert_false(policy_dataset_allowed(gen, staff_onc, 2));
	/* No groups: everyone, even an account in no group. */
	assert_true(policy_dataset_allowed(mri, NULL, 0));
	assert_true(policy_dataset_allowed(mri, genomics, 1));
	assert_false(policy_dataset_allowed(NULL, staff_onc, 2));
	policy_clear(&p);
	free(path);
}

static void test_registry_allowed(void **state)
{
	(void)state;
	struct policy p;
	parse_ok(base_policy, NULL, &p);        /* ["127.0.0.1:5000"] */
	assert_true(policy_registry_allowed(&p, "127.0.0.1:5000"));
	assert_false(policy_registry_allowed(&p, "127.0.0.1"));
	assert_false(policy_registry_allowed(&p, "127.0.0.1:50000"));
	assert_false(policy_registry_allowed(&p, "127.0.0.1:500"));
	assert_false(policy_registry_allowed(&p, "x127.0.0.1:5000"));
	assert_false(policy_registry_allowed(&p, "127.0.0.1:5000.evil.org"));
	assert_false(policy_registry_allowed(&p, "docker.io"));
	assert_false(policy_registry_allowed(&p, ""));
	assert_false(policy_registry_allowed(&p, NULL));
	policy_clear(&p);

	char *json = changed(&(struct change){"registries", "[\"docker.io\", \"Registry.Example.org\"]", NULL});
	parse_ok(json, NULL, &p);
	assert_true(policy_registry_allowed(&p, "docker.io"));
	assert_true(policy_registry_allowed(&p, "index.docker.io"));
	assert_false(policy_registry_allowed(&p, "registry-1.docker.io"));
	assert_true(policy_registry_allowed(&p, "registry.example.org"));
	assert_true(policy_registry_allowed(&p, "REGISTRY.example.org"));     /* DNS ignores case */
	assert_false(policy_registry_allowed(&p, "registry.example.org:443"));
	assert_false(policy_registry_allowed(&p, "example.org"));
	policy_clear(&p);
	free(json);

	/* No list: any registry. */
	json = changed(&(struct change){"registries", NULL, NULL});
	parse_ok(json, NULL, &p);
	assert_int_equal(p.n_registries, 0);
	assert_true(policy_registry_allowed(&p, "docker.io"));
	assert_true(policy_registry_allowed(&p, "ghcr.io"));
	assert_true(policy_registry_allowed(&p, "127.0.0.1:5000"));
	policy_clear(&p);
	free(json);
}

static void test_results_source(void **state)
{
	(void)state;
	static const struct { const char *tmpl, *user, *want; } cases[] = {
		{"/srv/glovebox/results/{user}", "alice", "/srv/glovebox/results/alice"},
		{"/srv/{user}/results/{user}-out", "bob", "/srv/bob/results/bob-out"},
		{"/srv/{user}{user}", "c", "/srv/cc"},
		{"/srv/shared", "alice", "/srv/shared"},
		{"/srv/{user}", "", "/srv/"},
		{"/srv/{user}", NULL, "/srv/"},
		{"/srv/{user}", "{user}", "/srv/{user}"},      /* replaced once, not again */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct policy p = {.results_source = (char *)cases[i].tmpl};
		char *got = policy_results_source(&p, cases[i].user);
		assert_string_equal(got, cases[i].want);
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_policy_is_valid),
		cmocka_unit_test(test_every_rule),
		cmocka_unit_test(test_inline_cases),
		cmocka_unit_test(test_bad_fixtures),
		cmocka_unit_test(test_good_registries),
		cmocka_unit_test(test_paths_are_cleaned),
		cmocka_unit_test(test_researcher_logs),
		cmocka_unit_test(test_hardening_fields),
		cmocka_unit_test(test_terms_file_resolution),
		cmocka_unit_test(test_dataset_allowed),
		cmocka_unit_test(test_registry_allowed),
		cmocka_unit_test(test_results_source),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
