/* api/metrics/collect.h against fixture cgroup trees (tests/fixtures/cgroup): v1 and v2, the
 * cgroupfs and systemd drivers, unlimited limits, kernels without oom_kill, files that do not
 * parse, --parent, a container that vanishes mid-read, and the atomic write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/base/xalloc.h"
#include "api/metrics/collect.h"

#define A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static char *fixture(const char *name)
{
	const char *root = getenv("GB_ROOT");
	return xasprintf("%s/tests/fixtures/cgroup/%s", root ? root : ".", name);
}

static char *scan_text(const char *tree, const char *parent, size_t *n)
{
	char *root = fixture(tree), *err = NULL;
	struct collect_opts o = {.cgroup_root = root, .parent = parent};
	struct collect_result r;
	assert_int_equal(collect_scan(&o, &r, &err), 0);
	*n = r.n;
	char *text = collect_format(&r);
	collect_result_clear(&r);
	free(root);
	return text;
}

static void has_line(const char *text, const char *line)
{
	char *want = xasprintf("\n%s\n", line);
	if (!strstr(text, want))
		fail_msg("missing line: %s\nin:\n%s", line, text);
	free(want);
}

static void test_names(void **state)
{
	(void)state;
	assert_true(collect_is_container(A));
	assert_true(collect_is_container("docker-" A ".scope"));
	assert_false(collect_is_container("docker-" A));
	assert_false(collect_is_container("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
	assert_false(collect_is_container(A "a"));
	assert_false(collect_is_container("user.slice"));
	assert_false(collect_is_container(""));
}

static void test_v1_cgroupfs(void **state)
{
	(void)state;
	size_t n;
	char *t = scan_text("v1-cgroupfs", NULL, &n);
	assert_int_equal(n, 2);
	has_line(t, "# TYPE container_cpu_usage_seconds_total counter");
	has_line(t, "container_cpu_usage_seconds_total{id=\"/docker/" A "\"} 2.500000000");
	has_line(t, "container_memory_working_set_bytes{id=\"/docker/" A "\"} 100000000");
	has_line(t, "container_spec_memory_limit_bytes{id=\"/docker/" A "\"} 134217728");
	has_line(t, "container_oom_events_total{id=\"/docker/" A "\"} 1");
	/* The page-rounded "unlimited" of v1 is 0, as cAdvisor writes it; usage under inactive is 0. */
	has_line(t, "container_spec_memory_limit_bytes{id=\"/gb-parent/" B "\"} 0");
	has_line(t, "container_memory_working_set_bytes{id=\"/gb-parent/" B "\"} 0");
	assert_null(strstr(t, "user.slice"));
	/* One label only: nothing but id. */
	assert_null(strstr(t, ","));
	free(t);
	/* --parent: only what is below it, with or without slashes. */
	t = scan_text("v1-cgroupfs", "gb-parent/", &n);
	assert_int_equal(n, 1);
	assert_null(strstr(t, "/docker/"));
	free(t);
	t = scan_text("v1-cgroupfs", "/nothing-here", &n);
	assert_int_equal(n, 0);
	free(t);
}

static void test_v1_systemd(void **state)
{
	(void)state;
	size_t n;
	char *t = scan_text("v1-systemd", NULL, &n);
	assert_int_equal(n, 1);
	has_line(t, "container_cpu_usage_seconds_total{id=\"/system.slice/docker-" A ".scope\"} 7.000000000");
	has_line(t, "container_memory_working_set_bytes{id=\"/system.slice/docker-" A ".scope\"} 50000000");
	/* A kernel without the oom_kill count: 0, as docker says. */
	has_line(t, "container_oom_events_total{id=\"/system.slice/docker-" A ".scope\"} 0");
	free(t);
}

static void test_v2(void **state)
{
	(void)state;
	size_t n;
	char *t = scan_text("v2-cgroupfs", NULL, &n);
	assert_int_equal(n, 2);
	has_line(t, "container_cpu_usage_seconds_total{id=\"/docker/" A "\"} 1.500000000");
	has_line(t, "container_memory_working_set_bytes{id=\"/docker/" A "\"} 200000000");
	has_line(t, "container_spec_memory_limit_bytes{id=\"/docker/" A "\"} 268435456");
	has_line(t, "container_oom_events_total{id=\"/docker/" A "\"} 2");
	/* cpu.stat that does not parse: no CPU line for it, the rest stays; "max" is 0. */
	assert_null(strstr(t, "container_cpu_usage_seconds_total{id=\"/docker/" C));
	has_line(t, "container_spec_memory_limit_bytes{id=\"/docker/" C "\"} 0");
	free(t);
	t = scan_text("v2-systemd", NULL, &n);
	assert_int_equal(n, 1);
	has_line(t, "container_cpu_usage_seconds_total{id=\"/system.slice/docker-" B ".scope\"} 0.250000000");
	has_line(t, "container_memory_working_set_bytes{id=\"/system.slice/docker-" B ".scope\"} 10000000");
	assert_null(strstr(t, "ssh.service"));
	free(t);
}

static void test_not_a_hierarchy(void **state)
{
	(void)state;
	struct collect_opts o = {.cgroup_root = "/nonexistent/glovebox"};
	struct collect_result r;
	char *err = NULL;
	assert_int_equal(collect_scan(&o, &r, &err), -1);
	assert_non_null(strstr(err, "neither a cgroup v2 tree"));
	free(err);
}

/* A copy of a tree in a temporary directory, so a test may change it. */
static char *copy_tree(const char *name)
{
	char tmpl[] = "/tmp/gb-collect-XXXXXX";
	char *dir = xstrdup(mkdtemp(tmpl));
	char *src = fixture(name);
	char *cmd = xasprintf("cp -r '%s/.' '%s/'", src, dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(src);
	return dir;
}

static void rm_tree(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

static const char *vanish_match;
static void vanish(const char *dir)
{
	if (strstr(dir, vanish_match))
		rm_tree(dir);
}

static void test_vanishes(void **state)
{
	(void)state;
	char *root = copy_tree("v2-cgroupfs"), *err = NULL;
	struct collect_opts o = {.cgroup_root = root};
	struct collect_result r;
	vanish_match = A;
	collect_between_hook = vanish;
	assert_int_equal(collect_scan(&o, &r, &err), 0);
	collect_between_hook = NULL;
	/* Listed, then gone before it was read: left out whole; the other one is there. */
	assert_int_equal(r.n, 1);
	assert_string_equal(r.v[0].id, "/docker/" C);
	collect_result_clear(&r);
	rm_tree(root);
	free(root);
}

static void test_write(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/gb-collect-out-XXXXXX";
	char *dir = mkdtemp(tmpl), *err = NULL;
	assert_int_equal(collect_write(dir, "one\n", &err), 0);
	assert_int_equal(collect_write(dir, "two\n", &err), 0);
	char *path = xasprintf("%s/%s", dir, COLLECT_FILE);
	FILE *f = fopen(path, "r");
	char buf[16] = "";
	assert_non_null(fgets(buf, sizeof buf, f));
	fclose(f);
	assert_string_equal(buf, "two\n");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* Nothing but the file: no temporary left behind. */
	DIR *d = opendir(dir);
	int entries = 0;
	for (struct dirent *e; (e = readdir(d));)
		entries += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, ".."));
	closedir(d);
	assert_int_equal(entries, 1);
	/* A directory that is not there: an error, nothing written. */
	assert_int_equal(collect_write("/nonexistent/glovebox", "x", &err), -1);
	assert_non_null(strstr(err, "cannot write there"));
	free(err);
	unlink(path);
	free(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_v1_cgroupfs),
		cmocka_unit_test(test_v1_systemd),
		cmocka_unit_test(test_v2),
		cmocka_unit_test(test_not_a_hierarchy),
		cmocka_unit_test(test_vanishes),
		cmocka_unit_test(test_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
