/* roles.h: who is an admin, who sees which job, who may do what, which policy files may
 * decide it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/base/xalloc.h"
#include "api/core/roles.h"

#define S(lit) ((char *)(uintptr_t)(lit))

static struct whoami person(unsigned uid, const char *user, char **groups, size_t n)
{
	struct whoami w = {0};
	w.user = S(user);
	w.uid = uid;
	w.groups = groups;
	w.n_groups = n;
	return w;
}

static void test_role_of(void **state)
{
	(void)state;
	char *groups[] = {S("alice"), S("researchers"), S("glovebox-admins")};
	struct whoami admin = person(1001, "alice", groups, 3);
	struct whoami researcher = person(1002, "bob", groups, 2);
	struct whoami root = person(0, "root", NULL, 0);

	assert_int_equal(role_of(&admin, "glovebox-admins"), ROLE_ADMIN);
	assert_int_equal(role_of(&researcher, "glovebox-admins"), ROLE_RESEARCHER);
	/* Without a trusted policy nobody is an admin but root. */
	assert_int_equal(role_of(&admin, NULL), ROLE_RESEARCHER);
	assert_int_equal(role_of(&admin, ""), ROLE_RESEARCHER);
	assert_int_equal(role_of(&root, NULL), ROLE_ADMIN);
	assert_int_equal(role_of(&root, "glovebox-admins"), ROLE_ADMIN);
	/* Group names compare whole: no prefixes. */
	assert_int_equal(role_of(&admin, "glovebox"), ROLE_RESEARCHER);
	assert_int_equal(role_of(&admin, "glovebox-admins2"), ROLE_RESEARCHER);
	assert_string_equal(role_name(ROLE_ADMIN), "admin");
	assert_string_equal(role_name(ROLE_RESEARCHER), "researcher");
}

static void test_visibility(void **state)
{
	(void)state;
	struct actor alice = {"alice", ROLE_RESEARCHER};
	struct actor admin = {"carol", ROLE_ADMIN};
	assert_true(actor_sees_owner(&alice, "alice"));
	assert_false(actor_sees_owner(&alice, "bob"));
	assert_false(actor_sees_owner(&alice, "alice2"));
	assert_false(actor_sees_owner(&alice, "alic"));
	assert_false(actor_sees_owner(&alice, NULL));      /* not made by glovebox */
	assert_false(actor_sees_owner(&alice, ""));
	assert_true(actor_sees_owner(&admin, "bob"));
	assert_true(actor_sees_owner(&admin, NULL));
	/* A researcher without a name sees nothing. */
	struct actor nobody = {NULL, ROLE_RESEARCHER};
	assert_false(actor_sees_owner(&nobody, NULL));
	assert_false(actor_sees_owner(&nobody, "alice"));

	struct label l = {S("glovebox.owner"), S("alice")};
	struct service mine = {.labels = {&l, 1}};
	struct service foreign = {0};
	assert_true(actor_sees_service(&alice, &mine));
	assert_false(actor_sees_service(&alice, &foreign));
	assert_true(actor_sees_service(&admin, &foreign));
}

static void add_job(struct job_list *l, const char *name, const char *owner)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	struct job *j = &l->v[l->n++];
	memset(j, 0, sizeof *j);
	j->id = xasprintf("id-%s", name);
	j->name = xstrdup(name);
	j->image = xstrdup("img");
	j->owner = xstrdup(owner);
	j->managed = owner != NULL;
	j->reason = xstrdup("some reason");
}

static void sample_jobs(struct job_list *l)
{
	memset(l, 0, sizeof *l);
	add_job(l, "a1", "alice");
	add_job(l, "b1", "bob");
	add_job(l, "x", NULL);
	add_job(l, "a2", "alice");
	add_job(l, "a3", "alice2");
}

static void test_filter_jobs(void **state)
{
	(void)state;
	struct job_list l;
	sample_jobs(&l);
	struct actor alice = {"alice", ROLE_RESEARCHER};
	assert_int_equal(actor_filter_jobs(&alice, &l), 3);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].name, "a1");
	assert_string_equal(l.v[1].name, "a2");
	assert_true(actor_sees_job(&alice, &l.v[0]));
	job_list_clear(&l);

	sample_jobs(&l);
	struct actor admin = {"carol", ROLE_ADMIN};
	assert_int_equal(actor_filter_jobs(&admin, &l), 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.v[2].name, "x");
	assert_false(l.v[2].managed);
	job_list_clear(&l);

	/* Nobody's jobs: everything goes, nothing leaks (ASan, valgrind). */
	sample_jobs(&l);
	struct actor dave = {"dave", ROLE_RESEARCHER};
	assert_int_equal(actor_filter_jobs(&dave, &l), 5);
	assert_int_equal(l.n, 0);
	job_list_clear(&l);

	struct job_list empty = {0};
	assert_int_equal(actor_filter_jobs(&dave, &empty), 0);
	job_list_clear(&empty);
}

static void test_may(void **state)
{
	(void)state;
	struct actor alice = {"alice", ROLE_RESEARCHER};
	struct actor admin = {"carol", ROLE_ADMIN};

	assert_int_equal(actor_may(&alice, ACT_RM, "alice"), PERMIT);
	assert_int_equal(actor_may(&alice, ACT_RM, "bob"), PERMIT_DENY);
	assert_int_equal(actor_may(&alice, ACT_RM, NULL), PERMIT_DENY);
	assert_int_equal(actor_may(&alice, ACT_SCALE, "alice"), PERMIT);
	assert_int_equal(actor_may(&alice, ACT_SCALE, "bob"), PERMIT_DENY);
	assert_int_equal(actor_may(&alice, ACT_NODE, "alice"), PERMIT_DENY);
	assert_int_equal(actor_may(&alice, ACT_REAP, NULL), PERMIT_DENY);
	assert_int_equal(actor_may(&alice, ACT_AUDIT_ALL, NULL), PERMIT_DENY);

	/* Admins on their own jobs act like anyone; on others' they owe a reason. */
	assert_int_equal(actor_may(&admin, ACT_RM, "carol"), PERMIT);
	assert_int_equal(actor_may(&admin, ACT_RM, "bob"), PERMIT_WITH_REASON);
	assert_int_equal(actor_may(&admin, ACT_RM, NULL), PERMIT_WITH_REASON);
	assert_int_equal(actor_may(&admin, ACT_SCALE, "bob"), PERMIT_WITH_REASON);
	assert_int_equal(actor_may(&admin, ACT_NODE, NULL), PERMIT);
	assert_int_equal(actor_may(&admin, ACT_REAP, NULL), PERMIT);
	assert_int_equal(actor_may(&admin, ACT_AUDIT_ALL, NULL), PERMIT);
}

/* ---- scaling ---- */

static void test_may_scale(void **state)
{
	(void)state;
	struct actor carol = {.user = "carol", .role = ROLE_RESEARCHER};
	struct actor admin = {.user = "ada", .role = ROLE_ADMIN};
	/* Researchers pause and resume their own jobs, nothing more. */
	assert_int_equal(actor_may_scale(&carol, "carol", 0), PERMIT);
	assert_int_equal(actor_may_scale(&carol, "carol", 1), PERMIT);
	assert_int_equal(actor_may_scale(&carol, "carol", 2), PERMIT_DENY);
	assert_int_equal(actor_may_scale(&carol, "carol", 1000), PERMIT_DENY);
	assert_int_equal(actor_may_scale(&carol, "bob", 0), PERMIT_DENY);
	assert_int_equal(actor_may_scale(&carol, NULL, 1), PERMIT_DENY);
	/* Admins: their own to 0 or 1 freely, anything else with a reason. */
	assert_int_equal(actor_may_scale(&admin, "ada", 1), PERMIT);
	assert_int_equal(actor_may_scale(&admin, "ada", 5), PERMIT_WITH_REASON);
	assert_int_equal(actor_may_scale(&admin, "bob", 0), PERMIT_WITH_REASON);
	assert_int_equal(actor_may_scale(&admin, NULL, 3), PERMIT_WITH_REASON);
}

static void test_replicas_parse(void **state)
{
	(void)state;
	uint64_t n = 99;
	assert_int_equal(replicas_parse("0", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(replicas_parse("1000", &n), 0);
	assert_int_equal(n, 1000);
	const char *bad[] = {"", "-1", "1001", "+1", " 1", "1 ", "1e3", "0x10", "99999999999999999999", NULL};
	for (int i = 0; bad[i]; i++)
		assert_int_equal(replicas_parse(bad[i], &n), -1);
	assert_int_equal(replicas_parse(NULL, &n), -1);
}

/* ---- policy_admin_group ---- */

static void test_policy_admin_group(void **state)
{
	(void)state;
	struct policy p = {.admin_group = (char *)(uintptr_t)"glovebox-admins", .trusted = true};
	/* From the swarm or a root-owned file: the group it names. */
	assert_string_equal(policy_admin_group(&p), "glovebox-admins");
	/* From a file others could change: nobody is an admin by it. */
	p.trusted = false;
	assert_null(policy_admin_group(&p));
	assert_null(policy_admin_group(NULL));
	struct policy none = {.trusted = true};
	assert_null(policy_admin_group(&none));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_of),
		cmocka_unit_test(test_visibility),
		cmocka_unit_test(test_filter_jobs),
		cmocka_unit_test(test_may),
		cmocka_unit_test(test_may_scale),
		cmocka_unit_test(test_replicas_parse),
		cmocka_unit_test(test_policy_admin_group),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
