/* trust_fd: trust decided on the file that was read, never on a second lookup of its path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/base/trust.h"
#include "api/core/policy.h"
#include "api/swarm/policy_fetch.h"

static bool trusted_path(const char *path, char **why)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*why = strdup("cannot open");
		return false;
	}
	bool ok = trust_fd(fd, path, why);
	close(fd);
	return ok;
}

static void test_system_file(void **state)
{
	(void)state;
	char *why = NULL;
	/* Root-owned, 0644, in root-owned 0755 directories on any Debian system. */
	assert_true(trusted_path("/etc/passwd", &why));
	assert_null(why);
	/* Through a path with "..": where the descriptor is counts. */
	assert_true(trusted_path("/etc/../etc/passwd", &why));
}

struct tmp {
	char dir[64];
	char file[128];
	char link[128];
};

static void tmp_make(struct tmp *t, mode_t dir_mode, mode_t file_mode)
{
	strcpy(t->dir, "/tmp/gbtest-trust-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->file, sizeof t->file, "%s/policy.json", t->dir);
	snprintf(t->link, sizeof t->link, "%s/link.json", t->dir);
	FILE *f = fopen(t->file, "w");
	assert_non_null(f);
	fputs("{}\n", f);
	fclose(f);
	assert_int_equal(chmod(t->file, file_mode), 0);
	assert_int_equal(chmod(t->dir, dir_mode), 0);
}

static void tmp_remove(struct tmp *t)
{
	chmod(t->dir, 0700);
	unlink(t->link);
	unlink(t->file);
	rmdir(t->dir);
}

static void expect_untrusted(const char *path, const char *needle)
{
	char *why = NULL;
	assert_false(trusted_path(path, &why));
	assert_non_null(why);
	if (!strstr(why, needle))
		fail_msg("\"%s\" does not say \"%s\"", why, needle);
	free(why);
}

static void test_by_mode(void **state)
{
	(void)state;
	struct tmp t;
	char *why = NULL;
	if (geteuid() != 0) {
		tmp_make(&t, 0755, 0644);
		expect_untrusted(t.file, "not root");   /* a file of one's own is never trusted */
		tmp_remove(&t);
		skip();
	}
	tmp_make(&t, 0755, 0644);
	assert_true(trusted_path(t.file, &why));
	tmp_remove(&t);

	tmp_make(&t, 0755, 0666);
	expect_untrusted(t.file, "writable by everyone");
	tmp_remove(&t);

	tmp_make(&t, 0755, 0664);
	expect_untrusted(t.file, "writable by its group");
	tmp_remove(&t);

	/* Anyone could replace the file in a world-writable directory without the sticky bit. */
	tmp_make(&t, 0777, 0644);
	expect_untrusted(t.file, t.dir);
	tmp_remove(&t);

	/* With the sticky bit they cannot. */
	tmp_make(&t, 01777, 0644);
	assert_true(trusted_path(t.file, &why));
	tmp_remove(&t);

	tmp_make(&t, 0755, 0644);
	assert_int_equal(chown(t.file, 65534, 65534), 0);
	expect_untrusted(t.file, "uid 65534");
	tmp_remove(&t);
}

/* The race the old check lost: the path was resolved again after the file was read, so a link
 * pointed at a user's file while glovebox read it and at root's file while it checked made
 * the user's policy trusted. Now the descriptor that was read decides. */
static void test_symlink_swapped_after_open(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct tmp t;
	tmp_make(&t, 0755, 0644);
	assert_int_equal(chown(t.file, 65534, 65534), 0);   /* "the user's policy" */
	assert_int_equal(symlink(t.file, t.link), 0);
	int fd = open(t.link, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	/* Swapped to root's file between the read and the check. */
	assert_int_equal(unlink(t.link), 0);
	assert_int_equal(symlink("/etc/passwd", t.link), 0);
	char *why = NULL;
	assert_false(trust_fd(fd, t.link, &why));
	assert_non_null(strstr(why, "uid 65534"));
	free(why);
	close(fd);
	tmp_remove(&t);
}

/* A link of anyone's to root's file is fine: what is read is root's. */
static void test_link_to_root_file(void **state)
{
	(void)state;
	struct tmp t;
	tmp_make(&t, 0755, 0644);
	assert_int_equal(symlink("/etc/passwd", t.link), 0);
	char *why = NULL;
	assert_true(trusted_path(t.link, &why));
	assert_null(why);
	tmp_remove(&t);
}

/* The file replaced at its path after it was opened: not the file that was read. */
static void test_replaced_after_open(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct tmp t;
	tmp_make(&t, 0755, 0644);
	int fd = open(t.file, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	char moved[160];
	snprintf(moved, sizeof moved, "%s.new", t.file);
	FILE *f = fopen(moved, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(rename(moved, t.file), 0);
	char *why = NULL;
	assert_false(trust_fd(fd, t.file, &why));
	assert_non_null(why);
	free(why);
	close(fd);
	tmp_remove(&t);
}

/* policy_load_file carries the verdict on both files it read. */
static void test_policy_load_trust(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	char dir[] = "/tmp/gbtest-trustp-XXXXXX";
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	char pol[128], terms[128];
	snprintf(pol, sizeof pol, "%s/policy.json", dir);
	snprintf(terms, sizeof terms, "%s/terms.md", dir);
	FILE *f = fopen(terms, "w");
	fputs("Use the data for the stated purpose only.\n", f);
	fclose(f);
	f = fopen(pol, "w");
	fputs("{\"classes\": {\"default\": {\"description\": \"d\", \"constraints\": [],"
	      " \"cpus\": 1, \"max_cpus\": 1, \"memory\": \"64MiB\", \"max_memory\": \"64MiB\"}},"
	      " \"datasets\": {}, \"results\": {\"source\": \"/srv/r/{user}\", \"target\": \"/results\"},"
	      " \"terms\": {\"file\": \"terms.md\", \"version\": \"1\"}, \"max_lifetime\": \"1h\","
	      " \"admin_group\": \"wheel\"}", f);
	fclose(f);
	struct policy p;
	char *err = NULL;
	assert_int_equal(policy_load_file(pol, &p, &err), 0);
	assert_true(p.trusted);
	assert_null(p.distrust);
	policy_clear(&p);

	/* Read through a link elsewhere: terms.file is beside the policy, never beside the link. */
	char other[] = "/tmp/gbtest-trustl-XXXXXX", link[128], decoy[128];
	assert_non_null(mkdtemp(other));
	snprintf(link, sizeof link, "%s/policy.json", other);
	snprintf(decoy, sizeof decoy, "%s/terms.md", other);
	assert_int_equal(symlink(pol, link), 0);
	f = fopen(decoy, "w");
	fputs("Anything goes.\n", f);
	fclose(f);
	assert_int_equal(policy_load_file(link, &p, &err), 0);
	assert_string_equal(p.terms_text, "Use the data for the stated purpose only.\n");
	assert_true(p.trusted);
	policy_clear(&p);
	unlink(link);
	unlink(decoy);
	rmdir(other);

	/* Terms anyone else could change make the policy untrusted too. */
	assert_int_equal(chown(terms, 65534, 65534), 0);
	assert_int_equal(policy_load_file(pol, &p, &err), 0);
	assert_false(p.trusted);
	assert_non_null(strstr(p.distrust, "terms.md"));
	policy_clear(&p);

	unlink(pol);
	unlink(terms);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system_file),
		cmocka_unit_test(test_by_mode),
		cmocka_unit_test(test_symlink_swapped_after_open),
		cmocka_unit_test(test_link_to_root_file),
		cmocka_unit_test(test_replaced_after_open),
		cmocka_unit_test(test_policy_load_trust),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
