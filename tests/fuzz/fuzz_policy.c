/* libFuzzer target: the policy parser (api/policy.c, policy_parse) and the sizes and
 * durations it reads (parse_size, parse_duration, format_duration).
 *
 * The input is a policy file. Beyond the sanitizers, it checks what policy.h promises:
 * 0 with a policy whose every value is within its documented limits, or -1 with a message
 * and the policy cleared; a message is one line without control characters (values from the
 * file are quoted), so a policy cannot forge a second line in a log or on a terminal. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"
#include "api/core/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* detail comes from the input: its bytes outside printable ASCII are shown as \xHH. */
static void require(int ok, const char *what, const char *detail)
{
	if (!ok) {
		fprintf(stderr, "fuzz_policy: broken contract: %s", what);
		if (detail) {
			fputs(": ", stderr);
			for (const unsigned char *p = (const unsigned char *)detail; *p; p++)
				fprintf(stderr, *p >= 0x20 && *p < 0x7F ? "%c" : "\\x%02x", *p);
		}
		fputc('\n', stderr);
		abort();
	}
}

static void check_message(const char *err)
{
	require(err != NULL && *err != '\0', "a failure without a message", NULL);
	for (const unsigned char *p = (const unsigned char *)err; *p; p++)
		require(*p >= 0x20 && *p != 0x7F, "a control character in a message", err);
}

static void check_policy(const struct policy *p)
{
	require(p->n_classes > 0 && p->classes, "a policy without classes", NULL);
	for (size_t i = 0; i < p->n_classes; i++) {
		const struct policy_class *c = &p->classes[i];
		require(c->name && c->description, "a class without a name or description", NULL);
		require(policy_class_find(p, c->name) != NULL, "a class not found by its name", c->name);
		require(c->cpus >= 0.001 && c->max_cpus >= c->cpus && c->max_cpus <= 8192,
		        "CPUs out of range", c->name);
		require(c->memory >= (6 << 20) && c->max_memory >= c->memory, "memory out of range",
		        c->name);
		require(c->gpus <= 256, "GPUs out of range", c->name);
		for (size_t k = 0; k < c->n_constraints; k++)
			require(c->constraints[k] != NULL, "a NULL constraint", c->name);
	}
	for (size_t i = 0; i < p->n_datasets; i++) {
		const struct policy_dataset *d = &p->datasets[i];
		require(d->name && d->description && d->source && d->target,
		        "a dataset without a name, source or target", NULL);
		require(d->source[0] == '/' && d->target[0] == '/', "a relative dataset path", d->name);
		require(policy_dataset_find(p, d->name) != NULL, "a dataset not found by its name",
		        d->name);
		const char *group = d->n_groups ? d->groups[0] : "nobody-at-all";
		require(policy_dataset_allowed(d, &group, 1) == true, "a dataset refuses its own group",
		        d->name);
	}
	require(p->results_source && p->results_source[0] == '/', "no absolute results.source", NULL);
	require(p->results_target && p->results_target[0] == '/', "no absolute results.target", NULL);
	char *src = policy_results_source(p, "alice");
	require(strstr(src, "{user}") == NULL, "{user} left in the results source", src);
	free(src);
	require(p->terms_file && p->terms_version && !p->terms_text, "terms not as documented", NULL);
	for (size_t i = 0; i < p->n_registries; i++)
		require(policy_registry_allowed(p, p->registries[i]), "a registry refuses itself",
		        p->registries[i]);
	require(p->max_lifetime > 0 && p->max_lifetime <= 365 * 86400, "max_lifetime out of range",
	        NULL);
	require(p->admin_group && *p->admin_group, "no admin_group", NULL);
	require(p->researcher_logs <= LOGS_NONE, "researcher_logs out of range", NULL);

	/* A lifetime as people read it parses back to the same or, cut to two units, less. */
	char buf[64], *err = NULL;
	int64_t back;
	format_duration(buf, sizeof buf, p->max_lifetime);
	require(parse_duration(buf, &back, &err) == 0, "format_duration does not read back", buf);
	require(back <= p->max_lifetime, "format_duration overstates", buf);
}

/* The strings of the policy's own grammar are also fuzzed on their own: the input as one
 * string, NUL bytes and all cut at the first. */
static void check_values(const char *s)
{
	int64_t v;
	char *err = NULL, buf[64];

	if (parse_size(s, &v, &err) == 0)
		require(v >= 0 && err == NULL, "a negative size, or a message with success", s);
	else
		check_message(err);
	free(err);
	err = NULL;
	if (parse_duration(s, &v, &err) == 0) {
		require(v >= 0 && err == NULL, "a negative duration, or a message with success", s);
		format_duration(buf, sizeof buf, v);
	} else {
		check_message(err);
	}
	free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly the file, so that ASan sees any read past its end. */
	char *json = xmalloc(size ? size : 1);
	memcpy(json, data, size);
	struct policy p;
	char *err = NULL;

	int r = policy_parse(json, size, "/etc/glovebox", &p, &err);
	require(r == 0 || r == -1, "policy_parse returned neither 0 nor -1", NULL);
	if (r == 0) {
		require(err == NULL, "a message with success", err);
		check_policy(&p);
	} else {
		check_message(err);
		require(p.classes == NULL && p.n_classes == 0 && p.admin_group == NULL,
		        "a failed parse left a policy behind", NULL);
	}
	policy_clear(&p);
	free(err);

	/* Without a place for the message, and without a base directory. */
	r = policy_parse(json, size, NULL, &p, NULL);
	policy_clear(&p);

	if (size <= 64) {
		char *s = xstrndup(json, size);
		check_values(s);
		free(s);
	}
	free(json);
	return 0;
}
