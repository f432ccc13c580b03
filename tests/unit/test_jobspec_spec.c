/* job_service_spec, job_network_spec, the hardening warning and the posture, for plans made
 * against a policy built by hand (jobspec_policy.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/core/jobspec.h"
#include "api/engine/model.h"
#include "tests/unit/jobspec_policy.h"

/* ---- job_service_spec ---- */

/* Follows "A/B/0/C" through objects and arrays; NULL when any step is missing. */
static json_t *at(json_t *root, const char *path)
{
	char *copy = strdup(path), *save = NULL;
	json_t *j = root;
	for (char *k = strtok_r(copy, "/", &save); j && k; k = strtok_r(NULL, "/", &save)) {
		if (json_is_array(j))
			j = json_array_get(j, strtoul(k, NULL, 10));
		else
			j = json_object_get(j, k);
	}
	free(copy);
	return j;
}

static const char *spec_str_at(json_t *root, const char *path)
{
	json_t *j = at(root, path);
	if (!json_is_string(j))
		fail_msg("%s is not a string", path);
	return json_string_value(j);
}

static json_int_t int_at(json_t *root, const char *path)
{
	json_t *j = at(root, path);
	if (!json_is_integer(j))
		fail_msg("%s is not an integer", path);
	return json_integer_value(j);
}

static bool bool_at(json_t *root, const char *path)
{
	json_t *j = at(root, path);
	if (!json_is_boolean(j))
		fail_msg("%s is not a boolean", path);
	return json_is_true(j);
}

static json_t *spec_for(const struct job_plan *plan, int api_minor)
{
	struct job_meta meta = {
		.image_pinned = "127.0.0.1:5000/lab/analysis:1.3@" DIGEST,
		.terms_sha256 = "ab12", .consent = "glovebox-consent-alice-1700000000-ab12cd34",
		.network_id = NETID, .now = NOW, .api_minor = api_minor,
	};
	char *s = job_service_spec(plan, &meta);
	assert_non_null(s);
	json_error_t jerr;
	json_t *root = json_loads(s, 0, &jerr);
	if (!root)
		fail_msg("not JSON: %s: %s", jerr.text, s);
	free(s);
	return root;
}

static void plan_for(const struct policy *p, const char *cls, struct job_plan *plan)
{
	static const char *const ds[] = { "genomics", "public" };
	static const char *const cmd[] = { "run.py", "--cohort", "b" };
	struct job_request r = {
		.image = IMAGE, .class_name = cls, .datasets = ds, .n_datasets = 2, .cpus = "1.5",
		.memory = "3GiB", .lifetime = "12h", .name = "cohort-b", .command = cmd, .n_command = 3,
	};
	expect_ok(p, &r, &alice, plan);
}

static void check_common(json_t *s, int api_minor)
{
	assert_string_equal(spec_str_at(s, "Name"), "cohort-b");
	assert_int_equal(json_object_size(at(s, "Labels")), 7);
	assert_string_equal(spec_str_at(s, "Labels/glovebox.owner"), "alice");
	assert_string_equal(spec_str_at(s, "Labels/glovebox.class"), "default");
	assert_string_equal(spec_str_at(s, "Labels/glovebox.datasets"), "public,genomics");
	assert_string_equal(spec_str_at(s, "Labels/glovebox.expires-at"), "2023-11-15T10:13:20Z");
	assert_string_equal(spec_str_at(s, "Labels/glovebox.terms-sha256"), "ab12");
	assert_string_equal(spec_str_at(s, "Labels/glovebox.consent"),
	                    "glovebox-consent-alice-1700000000-ab12cd34");
	assert_string_equal(spec_str_at(s, "Labels/glovebox.network"), "cohort-b-net");
	assert_int_equal(json_object_size(at(s, "Mode")), 1);
	assert_int_equal(int_at(s, "Mode/Replicated/Replicas"), 1);
	assert_null(at(s, "Networks"));          /* deprecated, ignored from 1.44 */
	assert_null(at(s, "EndpointSpec"));      /* no published ports */

	json_t *cs = at(s, "TaskTemplate/ContainerSpec");
	assert_string_equal(spec_str_at(cs, "Image"), "127.0.0.1:5000/lab/analysis:1.3@" DIGEST);
	assert_null(at(cs, "Command"));          /* the image's ENTRYPOINT stays */
	assert_int_equal(json_array_size(at(cs, "Args")), 3);
	assert_string_equal(spec_str_at(cs, "Args/0"), "run.py");
	assert_string_equal(spec_str_at(cs, "Args/1"), "--cohort");
	assert_string_equal(spec_str_at(cs, "Args/2"), "b");
	assert_null(at(cs, "Labels"));
	assert_null(at(cs, "Env"));
	assert_string_equal(spec_str_at(cs, "User"), "1000:1000");
	assert_true(bool_at(cs, "ReadOnly"));
	assert_true(bool_at(cs, "Init"));

	json_t *m = at(cs, "Mounts");
	assert_int_equal(json_array_size(m), 4);
	static const struct { const char *src, *dst; } ro[] = {
		{ "/srv/data/public", "/data/public" }, { "/srv/data/gen", "/data/genomics" },
	};
	for (size_t i = 0; i < 2; i++) {
		json_t *b = json_array_get(m, i);
		assert_int_equal(json_object_size(b), 4);
		assert_string_equal(spec_str_at(b, "Type"), "bind");
		assert_string_equal(spec_str_at(b, "Source"), ro[i].src);
		assert_string_equal(spec_str_at(b, "Target"), ro[i].dst);
		assert_true(bool_at(b, "ReadOnly"));
	}
	json_t *res = json_array_get(m, 2);
	assert_string_equal(spec_str_at(res, "Type"), "bind");
	assert_string_equal(spec_str_at(res, "Source"), "/srv/results/alice");
	assert_string_equal(spec_str_at(res, "Target"), "/results");
	assert_false(bool_at(res, "ReadOnly"));
	json_t *tmp = json_array_get(m, 3);
	assert_string_equal(spec_str_at(tmp, "Type"), "tmpfs");
	assert_string_equal(spec_str_at(tmp, "Target"), "/tmp");
	assert_null(at(tmp, "Source"));
	assert_int_equal(int_at(tmp, "TmpfsOptions/SizeBytes"), 268435456);
	assert_int_equal(int_at(tmp, "TmpfsOptions/Mode"), 1023);
	if (api_minor >= 46) {
		/* [["noexec"],["nosuid"],["nodev"]]: flags are one-element arrays */
		json_t *o = at(tmp, "TmpfsOptions/Options");
		assert_int_equal(json_array_size(o), 3);
		assert_int_equal(json_array_size(json_array_get(o, 0)), 1);
		assert_string_equal(spec_str_at(o, "0/0"), "noexec");
		assert_string_equal(spec_str_at(o, "1/0"), "nosuid");
		assert_string_equal(spec_str_at(o, "2/0"), "nodev");
		assert_int_equal(json_object_size(at(tmp, "TmpfsOptions")), 3);
	} else {
		/* older engines drop it silently: never sent, so the posture cannot believe in it */
		assert_null(at(tmp, "TmpfsOptions/Options"));
		assert_int_equal(json_object_size(at(tmp, "TmpfsOptions")), 2);
	}
	/* only the results bind is writable */
	size_t writable = 0;
	for (size_t i = 0; i < json_array_size(m); i++) {
		json_t *b = json_array_get(m, i);
		if (strcmp(spec_str_at(b, "Type"), "bind") == 0 && !bool_at(b, "ReadOnly"))
			writable++;
	}
	assert_int_equal(writable, 1);

	if (api_minor >= 41) {
		assert_int_equal(json_array_size(at(cs, "CapabilityDrop")), 1);
		assert_string_equal(spec_str_at(cs, "CapabilityDrop/0"), "ALL");
		json_t *ul = at(cs, "Ulimits");
		assert_int_equal(json_array_size(ul), 2);
		assert_string_equal(spec_str_at(ul, "0/Name"), "nofile");
		assert_int_equal(int_at(ul, "0/Soft"), 1024);
		assert_int_equal(int_at(ul, "0/Hard"), 4096);
		assert_int_equal(json_object_size(json_array_get(ul, 0)), 3);
		assert_string_equal(spec_str_at(ul, "1/Name"), "nproc");
		assert_int_equal(int_at(ul, "1/Soft"), 2048);
		assert_int_equal(int_at(ul, "1/Hard"), 2048);
	} else {
		assert_null(at(cs, "CapabilityDrop"));
		assert_null(at(cs, "Ulimits"));
	}
	if (api_minor >= 44) {
		assert_true(bool_at(cs, "Privileges/NoNewPrivileges"));
		assert_int_equal(json_object_size(at(cs, "Privileges")), 1);
	} else {
		assert_null(at(cs, "Privileges"));
	}
	assert_null(at(cs, "CapabilityAdd"));

	json_t *r = at(s, "TaskTemplate/Resources");
	assert_int_equal(int_at(r, "Limits/NanoCPUs"), 1500000000);
	assert_int_equal(int_at(r, "Limits/MemoryBytes"), 3 * GiB);
	if (api_minor >= 41)
		assert_int_equal(int_at(r, "Limits/Pids"), 512);
	else
		assert_null(at(r, "Limits/Pids"));
	assert_int_equal(int_at(r, "Reservations/NanoCPUs"), int_at(r, "Limits/NanoCPUs"));
	assert_int_equal(int_at(r, "Reservations/MemoryBytes"), int_at(r, "Limits/MemoryBytes"));

	/* json-file with rotation from the policy, whatever the daemon's default driver */
	json_t *ld = at(s, "TaskTemplate/LogDriver");
	assert_int_equal(json_object_size(ld), 2);
	assert_string_equal(spec_str_at(ld, "Name"), "json-file");
	assert_int_equal(json_object_size(at(ld, "Options")), 2);
	assert_string_equal(spec_str_at(ld, "Options/max-size"), "10m");
	assert_string_equal(spec_str_at(ld, "Options/max-file"), "3");

	json_t *rp = at(s, "TaskTemplate/RestartPolicy");
	assert_string_equal(spec_str_at(rp, "Condition"), "on-failure");
	assert_int_equal(int_at(rp, "MaxAttempts"), 5);
	assert_int_equal(int_at(rp, "Delay"), 10000000000LL);

	assert_int_equal(json_array_size(at(s, "TaskTemplate/Networks")), 1);
	/* by ID: by name the engine would attach any network called cohort-b-net */
	assert_string_equal(spec_str_at(s, "TaskTemplate/Networks/0/Target"), NETID);
	assert_int_equal(json_object_size(at(s, "TaskTemplate/Networks/0")), 1);
}

static void test_service_spec_versions(void **state)
{
	const struct policy *p = *state;
	struct job_plan plan;
	plan_for(p, NULL, &plan);
	static const int versions[] = { 40, 41, 43, 44, 45, 46, 56 };
	for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
		json_t *s = spec_for(&plan, versions[i]);
		check_common(s, versions[i]);
		/* no GPUs in class default */
		assert_null(at(s, "TaskTemplate/Resources/Reservations/GenericResources"));
		assert_int_equal(json_array_size(at(s, "TaskTemplate/Placement/Constraints")), 1);
		assert_string_equal(spec_str_at(s, "TaskTemplate/Placement/Constraints/0"),
		                    "node.labels.glovebox.class==default");
		json_decref(s);
	}
	job_plan_clear(&plan);
}

static void test_service_spec_gpu(void **state)
{
	struct policy *p = *state;
	struct job_plan plan;
	p->classes[2].gpus = 2;
	plan_for(p, "gpu", &plan);
	json_t *s = spec_for(&plan, 44);
	assert_string_equal(spec_str_at(s, "Labels/glovebox.class"), "gpu");
	json_t *gr = at(s, "TaskTemplate/Resources/Reservations/GenericResources");
	assert_int_equal(json_array_size(gr), 1);
	assert_string_equal(spec_str_at(gr, "0/DiscreteResourceSpec/Kind"), "GPU");
	assert_int_equal(int_at(gr, "0/DiscreteResourceSpec/Value"), 2);
	assert_null(at(s, "TaskTemplate/Resources/Limits/GenericResources"));
	json_t *c = at(s, "TaskTemplate/Placement/Constraints");
	assert_int_equal(json_array_size(c), 2);
	assert_string_equal(spec_str_at(c, "0"), "node.labels.glovebox.class==gpu");
	assert_string_equal(spec_str_at(c, "1"), "node.platform.arch==x86_64");
	json_decref(s);
	job_plan_clear(&plan);

	/* a class without constraints still sends an (empty) list */
	plan_for(p, "highram", &plan);
	s = spec_for(&plan, 44);
	assert_int_equal(json_array_size(at(s, "TaskTemplate/Placement/Constraints")), 0);
	assert_null(at(s, "TaskTemplate/Resources/Reservations/GenericResources"));
	json_decref(s);
	job_plan_clear(&plan);
}

static void test_service_spec_minimal(void **state)
{
	const struct policy *p = *state;
	struct job_request r = { .image = IMAGE };
	struct job_plan plan;
	expect_ok(p, &r, &alice, &plan);
	/* no terms to accept, no pinned digest yet */
	struct job_meta meta = { .network_id = NETID, .now = NOW, .api_minor = 44 };
	char *text = job_service_spec(&plan, &meta);
	json_t *s = json_loads(text, 0, NULL);
	assert_non_null(s);
	free(text);
	assert_string_equal(spec_str_at(s, "Labels/glovebox.datasets"), "");
	assert_null(at(s, "Labels/glovebox.terms-sha256"));
	assert_null(at(s, "Labels/glovebox.consent"));
	assert_string_equal(spec_str_at(s, "Labels/glovebox.expires-at"), "2023-11-21T22:13:20Z");
	assert_string_equal(spec_str_at(s, "TaskTemplate/ContainerSpec/Image"), IMAGE);
	assert_null(at(s, "TaskTemplate/ContainerSpec/Args"));
	assert_null(at(s, "TaskTemplate/ContainerSpec/Command"));
	/* results bind and tmpfs only */
	json_t *m = at(s, "TaskTemplate/ContainerSpec/Mounts");
	assert_int_equal(json_array_size(m), 2);
	assert_false(bool_at(m, "0/ReadOnly"));
	assert_string_equal(spec_str_at(m, "1/Type"), "tmpfs");
	assert_int_equal(int_at(s, "TaskTemplate/Resources/Limits/NanoCPUs"), 1000000000);
	assert_int_equal(int_at(s, "TaskTemplate/Resources/Limits/MemoryBytes"), 2 * GiB);
	json_decref(s);
	job_plan_clear(&plan);
}

static void test_service_spec_root_and_rounding(void **state)
{
	const struct policy *p = *state;
	static const char *const g[] = { "root" };
	struct identity root = { "root", 0, 0, g, 1 };
	struct job_request r = { .image = IMAGE, .cpus = "0.333333333" };
	struct job_plan plan;
	expect_ok(p, &r, &root, &plan);
	json_t *s = spec_for(&plan, 41);
	assert_string_equal(spec_str_at(s, "TaskTemplate/ContainerSpec/User"), "65534:65534");
	assert_int_equal(int_at(s, "TaskTemplate/Resources/Limits/NanoCPUs"), 333333333);
	assert_int_equal(int_at(s, "TaskTemplate/Resources/Reservations/NanoCPUs"), 333333333);
	json_decref(s);
	job_plan_clear(&plan);
}

/* A plan that names a dataset its policy lacks must not become a spec without that bind. */
static void test_service_spec_refuses_broken_plan(void **state)
{
	const struct policy *p = *state;
	struct job_plan plan;
	plan_for(p, NULL, &plan);
	free(plan.datasets[0]);
	plan.datasets[0] = strdup("gone");
	struct job_meta meta = { .network_id = NETID, .now = NOW, .api_minor = 44 };
	assert_null(job_service_spec(&plan, &meta));
	free(plan.datasets[0]);
	plan.datasets[0] = strdup("public");
	free(plan.owner);
	plan.owner = strdup("\xff");
	assert_null(job_service_spec(&plan, &meta));
	free(plan.owner);
	plan.owner = strdup("alice");
	char *good = job_service_spec(&plan, &meta);
	assert_non_null(good);
	free(good);
	/* never by name: no network ID, no spec */
	meta.network_id = NULL;
	assert_null(job_service_spec(&plan, &meta));
	job_plan_clear(&plan);
}

/* The policy's log rotation and ulimits as the spec sends them; values no parser would accept
 * make no spec at all rather than a limit of 0. */
static void test_service_spec_policy_fields(void **state)
{
	struct policy *p = *state;
	struct job_plan plan;
	static const struct { int64_t bytes; const char *want; } sizes[] = {
		{ 1 * GiB, "1g" }, { 3 * GiB, "3g" }, { 1536 * MiB, "1536m" }, { 10 * MiB, "10m" },
		{ 1 * MiB + 512 * 1024, "1536k" }, { 1 * MiB + 1, "1048577" },
	};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		p->log_max_size = sizes[i].bytes;
		p->log_max_files = 7;
		plan_for(p, NULL, &plan);
		json_t *s = spec_for(&plan, 41);
		assert_string_equal(spec_str_at(s, "TaskTemplate/LogDriver/Options/max-size"), sizes[i].want);
		assert_string_equal(spec_str_at(s, "TaskTemplate/LogDriver/Options/max-file"), "7");
		json_decref(s);
		job_plan_clear(&plan);
	}
	p->nofile = (struct policy_ulimit){ 64, 1048576 };
	p->nproc = (struct policy_ulimit){ 16, 16 };
	plan_for(p, NULL, &plan);
	json_t *s = spec_for(&plan, 44);
	assert_int_equal(int_at(s, "TaskTemplate/ContainerSpec/Ulimits/0/Soft"), 64);
	assert_int_equal(int_at(s, "TaskTemplate/ContainerSpec/Ulimits/0/Hard"), 1048576);
	assert_int_equal(int_at(s, "TaskTemplate/ContainerSpec/Ulimits/1/Soft"), 16);
	assert_int_equal(int_at(s, "TaskTemplate/ContainerSpec/Ulimits/1/Hard"), 16);
	json_decref(s);

	struct job_meta meta = { .network_id = NETID, .now = NOW, .api_minor = 44 };
	p->nproc = (struct policy_ulimit){ 0, 0 };
	assert_null(job_service_spec(&plan, &meta));
	p->nproc = (struct policy_ulimit){ 20, 10 };
	assert_null(job_service_spec(&plan, &meta));
	p->nproc = (struct policy_ulimit){ 16, 16 };
	p->log_max_files = 0;
	assert_null(job_service_spec(&plan, &meta));
	p->log_max_files = 3;
	p->log_max_size = 0;
	assert_null(job_service_spec(&plan, &meta));
	/* API 1.40 sends no ulimits: bad ones there do not matter, bad log rotation does */
	p->log_max_size = 10 * MiB;
	p->nproc = (struct policy_ulimit){ 0, 0 };
	meta.api_minor = 40;
	char *text = job_service_spec(&plan, &meta);
	assert_non_null(text);
	free(text);
	job_plan_clear(&plan);
}

static void test_network_spec(void **state)
{
	const struct policy *p = *state;
	struct job_plan plan;
	plan_for(p, NULL, &plan);
	char *text = job_network_spec(&plan);
	json_t *n = json_loads(text, 0, NULL);
	assert_non_null(n);
	free(text);
	assert_int_equal(json_object_size(n), 6);
	assert_string_equal(spec_str_at(n, "Name"), "cohort-b-net");
	assert_string_equal(spec_str_at(n, "Driver"), "overlay");
	assert_true(bool_at(n, "Internal"));
	assert_false(bool_at(n, "Attachable"));
	assert_true(bool_at(n, "CheckDuplicate"));
	assert_int_equal(json_object_size(at(n, "Labels")), 2);
	assert_string_equal(spec_str_at(n, "Labels/glovebox.job"), "cohort-b");
	assert_string_equal(spec_str_at(n, "Labels/glovebox.owner"), "alice");
	assert_null(at(n, "Options"));        /* not encrypted unless the policy says so */
	json_decref(n);
	job_plan_clear(&plan);

	struct policy *w = *state;
	w->encrypted_network = true;
	plan_for(p, NULL, &plan);
	text = job_network_spec(&plan);
	n = json_loads(text, 0, NULL);
	assert_non_null(n);
	free(text);
	assert_int_equal(json_object_size(n), 7);
	assert_int_equal(json_object_size(at(n, "Options")), 1);
	assert_string_equal(spec_str_at(n, "Options/encrypted"), "");
	assert_true(bool_at(n, "Internal"));
	json_decref(n);
	job_plan_clear(&plan);
}


/* no-new-privileges: per job from 1.44; before, only when the engine says the daemon has it. */
static void test_hardening_warning(void **state)
{
	(void)state;
	struct engine_info on = {.no_new_privileges = true}, off = {0};
	assert_null(job_hardening_warning(44, NULL));
	assert_null(job_hardening_warning(52, &off));
	assert_null(job_hardening_warning(41, &on));
	char *w = job_hardening_warning(41, &off);
	assert_non_null(strstr(w, "API 1.41 cannot set it per job"));
	assert_non_null(strstr(w, "dockerd with --no-new-privileges"));
	free(w);
	w = job_hardening_warning(43, NULL);
	assert_non_null(w);
	free(w);
}

/* ---- the posture ---- */

static const struct posture_item *posture_find(const struct job_posture *ps, const char *name)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->item[i].name, name) == 0)
			return &ps->item[i];
	fail_msg("no posture item \"%s\"", name);
	return NULL;
}

static void expect_state(const struct job_posture *ps, const char *name, enum posture_state st,
                         const char *detail)
{
	const struct posture_item *it = posture_find(ps, name);
	if (it->state != st)
		fail_msg("%s: %s, want %s", name, job_posture_state_name(it->state),
		         job_posture_state_name(st));
	if (detail && !strstr(it->detail, detail))
		fail_msg("%s: \"%s\" does not say \"%s\"", name, it->detail, detail);
}

static void test_posture(void **state)
{
	struct policy *p = *state;
	struct job_plan plan;
	struct job_posture ps;
	plan_for(p, NULL, &plan);

	/* Engine 20.10: what 1.41 keeps is enforced; no-new-privileges and the tmpfs flags are
	 * not confirmed; encryption is off by default. */
	job_posture_make(p, &plan, 41, NULL, &ps);
	assert_int_equal(ps.n, 12);
	static const char *const order[] = {
		"read-only root filesystem", "read-only datasets", "non-root user", "memory and CPU limits",
		"dropped capabilities", "no-new-privileges", "process limit", "ulimits",
		"tmpfs /tmp noexec,nosuid,nodev", "internal network", "network encryption", "log rotation",
	};
	for (size_t i = 0; i < 12; i++)
		assert_string_equal(ps.item[i].name, order[i]);
	expect_state(&ps, "read-only root filesystem", POSTURE_ENFORCED, NULL);
	expect_state(&ps, "non-root user", POSTURE_ENFORCED, "runs as 1000:1000");
	expect_state(&ps, "memory and CPU limits", POSTURE_ENFORCED, "3GiB and 1.5 CPUs");
	expect_state(&ps, "dropped capabilities", POSTURE_ENFORCED, "ALL");
	expect_state(&ps, "no-new-privileges", POSTURE_UNCONFIRMED, "API 1.41 cannot set it per job");
	expect_state(&ps, "process limit", POSTURE_ENFORCED, "512");
	expect_state(&ps, "ulimits", POSTURE_ENFORCED, "nofile 1024/4096, nproc 2048/2048 (soft/hard)");
	expect_state(&ps, "tmpfs /tmp noexec,nosuid,nodev", POSTURE_UNCONFIRMED,
	             "API 1.41 cannot pass a tmpfs its options (1.46 can)");
	expect_state(&ps, "internal network", POSTURE_ENFORCED, NULL);
	expect_state(&ps, "network encryption", POSTURE_OFF, "the policy does not ask for it");
	expect_state(&ps, "log rotation", POSTURE_ENFORCED, "json-file, rotated at 10MiB, 3 files kept");
	size_t not_enforced = 0;
	for (size_t i = 0; i < ps.n; i++)
		not_enforced += ps.item[i].state != POSTURE_ENFORCED;
	assert_int_equal(not_enforced, 3);

	/* The sentences for people; no-new-privileges reads as the warning always did. */
	char *line = job_posture_line(posture_find(&ps, "no-new-privileges"));
	char *warning = job_hardening_warning(41, NULL);
	assert_string_equal(line, warning);
	free(line);
	free(warning);
	line = job_posture_line(posture_find(&ps, "network encryption"));
	assert_string_equal(line, "network encryption is off: the policy does not ask for it (encrypted_network)");
	free(line);
	line = job_posture_line(posture_find(&ps, "ulimits"));
	assert_string_equal(line, "ulimits are enforced: nofile 1024/4096, nproc 2048/2048 (soft/hard)");
	free(line);
	line = job_posture_line(posture_find(&ps, "dropped capabilities"));
	assert_string_equal(line, "dropped capabilities are enforced: all (CapabilityDrop ALL)");
	free(line);
	line = job_posture_line(posture_find(&ps, "tmpfs /tmp noexec,nosuid,nodev"));
	assert_non_null(strstr(line, "tmpfs /tmp noexec,nosuid,nodev is not made sure: API 1.41"));
	free(line);
	job_posture_clear(&ps);
	assert_int_equal(ps.n, 0);

	/* The daemon-wide no-new-privileges counts, as job_hardening_warning has it. */
	struct engine_info on = { .no_new_privileges = true };
	job_posture_make(p, &plan, 41, &on, &ps);
	expect_state(&ps, "no-new-privileges", POSTURE_ENFORCED, "daemon-wide");
	job_posture_clear(&ps);

	/* 1.40 drops what 1.41 brought: off, not unconfirmed */
	job_posture_make(p, &plan, 40, NULL, &ps);
	expect_state(&ps, "dropped capabilities", POSTURE_OFF, "API 1.40 cannot set it (1.41 can)");
	expect_state(&ps, "process limit", POSTURE_OFF, NULL);
	expect_state(&ps, "ulimits", POSTURE_OFF, NULL);
	job_posture_clear(&ps);

	/* 1.44 sets no-new-privileges per job, 1.46 the tmpfs flags; the policy asks for IPsec */
	p->encrypted_network = true;
	job_posture_make(p, &plan, 44, NULL, &ps);
	expect_state(&ps, "no-new-privileges", POSTURE_ENFORCED, "per job");
	expect_state(&ps, "tmpfs /tmp noexec,nosuid,nodev", POSTURE_UNCONFIRMED, "API 1.44");
	expect_state(&ps, "network encryption", POSTURE_ENFORCED, "IPsec");
	job_posture_clear(&ps);
	job_posture_make(p, &plan, 46, NULL, &ps);
	for (size_t i = 0; i < ps.n; i++)
		if (ps.item[i].state != POSTURE_ENFORCED)
			fail_msg("API 1.46, encryption on: %s is %s", ps.item[i].name,
			         job_posture_state_name(ps.item[i].state));
	job_posture_clear(&ps);

	/* No plan yet (a form with errors): the same states, general details. */
	job_posture_make(p, NULL, 41, NULL, &ps);
	assert_int_equal(ps.n, 12);
	expect_state(&ps, "non-root user", POSTURE_ENFORCED, "the submitter's uid:gid");
	expect_state(&ps, "memory and CPU limits", POSTURE_ENFORCED, "the class's or the request's");
	job_posture_clear(&ps);
	job_plan_clear(&plan);

	assert_string_equal(job_posture_state_name(POSTURE_ENFORCED), "enforced");
	assert_string_equal(job_posture_state_name(POSTURE_UNCONFIRMED), "unconfirmed");
	assert_string_equal(job_posture_state_name(POSTURE_OFF), "off");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_hardening_warning),
		T(test_service_spec_versions),
		T(test_service_spec_gpu),
		T(test_service_spec_minimal),
		T(test_service_spec_root_and_rounding),
		T(test_service_spec_refuses_broken_plan),
		T(test_service_spec_policy_fields),
		T(test_network_spec),
		T(test_posture),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
