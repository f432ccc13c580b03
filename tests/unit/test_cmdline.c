/* The prompt's pure parts (widgets/cmdline.h): splitting with quotes, finding a command,
 * the history filter that keeps secrets out, the word under the cursor, completion, and the
 * history file (libedit's format, mode 0600, browsing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "widgets/cmdline.h"

static const struct keybinding cmds[] = {
	{27, ":services", "services", "Back", 0, 1},
	{'\r', ":tasks NAME", "tasks", "Tasks", 0, 2},
	{'n', ":submit", "submit", "New", 0, 3},
	{'>', ":sort COLUMN", "sort", "Sort", 0, 4},
	{'L', ":login", "login", "Log in", KB_CMD_PRIVATE, 5},
	{'q', ":quit", "quit", "Quit", 0, 6},
	{'Q', ":q", "q", "Quit at once", 0, 7},
	{0, NULL, NULL, NULL, 0, 0},
};

static void test_split(void **state)
{
	(void)state;
	int argc;
	char **argv, *err = NULL;
	assert_int_equal(cmdline_split("  filter \"two words\" 'it''s' a\\ b  ", &argc, &argv, &err), 0);
	assert_int_equal(argc, 4);
	assert_string_equal(argv[0], "filter");
	assert_string_equal(argv[1], "two words");
	assert_string_equal(argv[2], "its");
	assert_string_equal(argv[3], "a b");
	assert_null(argv[4]);
	cmdline_argv_free(&argv);
	assert_null(argv);
	cmdline_argv_free(&argv);

	assert_int_equal(cmdline_split("", &argc, &argv, &err), 0);
	assert_int_equal(argc, 0);
	assert_null(argv[0]);
	cmdline_argv_free(&argv);

	assert_int_equal(cmdline_split("filter 'open", &argc, &argv, &err), -1);
	assert_string_equal(err, "a single quote is not closed");
	assert_null(argv);
	free(err);
	err = NULL;
	assert_int_equal(cmdline_split("filter \"open", &argc, &argv, &err), -1);
	assert_string_equal(err, "a double quote is not closed");
	free(err);
}

static void test_find(void **state)
{
	(void)state;
	bool amb;
	assert_int_equal(cmdline_find(cmds, "tasks", &amb)->op, 2);
	assert_false(amb);
	assert_int_equal(cmdline_find(cmds, "ta", &amb)->op, 2);     /* a unique start */
	assert_null(cmdline_find(cmds, "s", &amb));                   /* services, submit, sort */
	assert_true(amb);
	assert_null(cmdline_find(cmds, "su2", &amb));
	assert_false(amb);
	assert_int_equal(cmdline_find(cmds, "q", &amb)->op, 7);       /* exact wins over quit */
	assert_int_equal(cmdline_find(cmds, "qu", NULL)->op, 6);
	assert_null(cmdline_find(cmds, "", &amb));
	assert_null(cmdline_find(cmds, "Tasks", NULL));               /* case matters */
}

static void test_history_filter(void **state)
{
	(void)state;
	assert_true(cmdline_history_ok("tasks gbt-job", cmds));
	assert_true(cmdline_history_ok("sort name", cmds));
	assert_true(cmdline_history_ok("login", cmds));
	assert_true(cmdline_history_ok("login   ", cmds));
	assert_true(cmdline_history_ok("ta x", cmds));
	/* A password after login, in any quoting, never. */
	assert_false(cmdline_history_ok("login hunter2", cmds));
	assert_false(cmdline_history_ok("login reg.example.org user 'pass word'", cmds));
	assert_false(cmdline_history_ok("log hunter2", cmds));
	/* Not a command: what was typed might be a password meant for somewhere else. */
	assert_false(cmdline_history_ok("hunter2", cmds));
	assert_false(cmdline_history_ok("s", cmds));
	/* A leading blank keeps it out, as in bash; empty lines and broken quoting too. */
	assert_false(cmdline_history_ok(" tasks x", cmds));
	assert_false(cmdline_history_ok("\ttasks x", cmds));
	assert_false(cmdline_history_ok("", cmds));
	assert_false(cmdline_history_ok("filter 'x", cmds));
}

static void test_word_at(void **state)
{
	(void)state;
	size_t start;
	assert_int_equal(cmdline_word_at("", 0, &start), 0);
	assert_int_equal(start, 0);
	assert_int_equal(cmdline_word_at("ta", 2, &start), 0);
	assert_int_equal(start, 0);
	assert_int_equal(cmdline_word_at("tasks ", 6, &start), 1);
	assert_int_equal(start, 6);
	assert_int_equal(cmdline_word_at("tasks gb", 8, &start), 1);
	assert_int_equal(start, 6);
	assert_int_equal(cmdline_word_at("  tasks  gb x", 11, &start), 1);
	assert_int_equal(start, 9);
	assert_int_equal(cmdline_word_at("tasks gb x", 3, &start), 0);   /* inside the first */
	assert_int_equal(cmdline_word_at("scale job 3", 99, &start), 2);
	assert_int_equal(start, 10);
}

static void test_complete(void **state)
{
	(void)state;
	const char *cands[] = {"gbt-beta", "gbt-alpha", NULL, "other", "gbt-alpha", "gbt-alps"};
	struct completion c = {0};
	completion_find(&c, cands, 6, "gbt-");
	assert_int_equal(c.n, 3);
	assert_string_equal(c.v[0], "gbt-alpha");   /* sorted, duplicates gone */
	assert_string_equal(c.v[1], "gbt-alps");
	assert_string_equal(c.v[2], "gbt-beta");
	assert_string_equal(c.common, "gbt-");
	char buf[64];
	assert_int_equal(completion_render(&c, buf, sizeof buf), strlen("gbt-alpha  gbt-alps  gbt-beta"));
	assert_string_equal(buf, "gbt-alpha  gbt-alps  gbt-beta");
	completion_render(&c, buf, 16);   /* cut between candidates */
	assert_string_equal(buf, "gbt-alpha");
	completion_clear(&c);

	completion_find(&c, cands, 6, "gbt-al");
	assert_int_equal(c.n, 2);
	assert_string_equal(c.common, "gbt-alp");
	completion_clear(&c);

	completion_find(&c, cands, 6, "o");
	assert_int_equal(c.n, 1);
	assert_string_equal(c.common, "other");
	completion_clear(&c);

	completion_find(&c, cands, 6, "zzz");
	assert_int_equal(c.n, 0);
	assert_string_equal(c.common, "");
	completion_clear(&c);

	/* The common part never ends inside a UTF-8 character. */
	const char *utf[] = {"caf\xc3\xa9", "caf\xc3\xa8"};
	completion_find(&c, utf, 2, "c");
	assert_string_equal(c.common, "caf");
	completion_clear(&c);
}

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/gb-cmdline-XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	char *out = malloc(strlen(d) + 1);
	strcpy(out, d);
	return out;
}

static void test_history_file(void **state)
{
	(void)state;
	char *dir = tmpdir();
	char path[256];
	snprintf(path, sizeof path, "%s/history", dir);
	char *err = NULL;

	struct cmdhist *h = cmdhist_new(3);
	assert_int_equal(cmdhist_load(h, path, &err), 0);   /* no file yet: empty */
	assert_int_equal(cmdhist_count(h), 0);
	assert_null(cmdhist_older(h));
	assert_false(cmdhist_browsing(h));
	cmdhist_add(h, "tasks one");
	cmdhist_add(h, "tasks one");                         /* the same again: once */
	cmdhist_add(h, "filter \"a b\"\tx");
	cmdhist_add(h, "sort name");
	cmdhist_add(h, "nodes");                             /* size 3: the oldest goes */
	assert_int_equal(cmdhist_count(h), 3);

	assert_string_equal(cmdhist_older(h), "nodes");
	assert_true(cmdhist_browsing(h));
	assert_string_equal(cmdhist_older(h), "sort name");
	assert_string_equal(cmdhist_older(h), "filter \"a b\"\tx");
	assert_null(cmdhist_older(h));                       /* the oldest: stays */
	assert_string_equal(cmdhist_newer(h), "sort name");
	assert_string_equal(cmdhist_newer(h), "nodes");
	assert_null(cmdhist_newer(h));                       /* past the newest: done */
	assert_false(cmdhist_browsing(h));
	assert_null(cmdhist_newer(h));
	cmdhist_older(h);
	cmdhist_rewind(h);
	assert_string_equal(cmdhist_older(h), "nodes");

	/* An old file with loose permissions is replaced by a private one. */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	chmod(path, 0644);
	assert_int_equal(cmdhist_save(h, path, &err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	f = fopen(path, "r");
	char line[128];
	assert_non_null(fgets(line, sizeof line, f));
	assert_string_equal(line, "_HiStOrY_V2_\n");
	fclose(f);
	cmdhist_free(&h);
	assert_null(h);

	h = cmdhist_new(10);
	assert_int_equal(cmdhist_load(h, path, &err), 0);
	assert_int_equal(cmdhist_count(h), 3);
	assert_string_equal(cmdhist_older(h), "nodes");
	assert_string_equal(cmdhist_older(h), "sort name");
	assert_string_equal(cmdhist_older(h), "filter \"a b\"\tx");   /* blanks and quotes survive */

	/* Unreadable or not a history: an error that says so; a save where the directory is
	 * missing too. */
	assert_int_equal(cmdhist_load(h, dir, &err), -1);
	assert_non_null(strstr(err, "not a regular file"));
	free(err);
	err = NULL;
	snprintf(line, sizeof line, "%s/other", dir);
	f = fopen(line, "w");
	fputs("hello\n", f);
	fclose(f);
	assert_int_equal(cmdhist_load(h, line, &err), -1);
	assert_non_null(strstr(err, "not a history file"));
	free(err);
	err = NULL;
	unlink(line);
	snprintf(line, sizeof line, "%s/missing/history", dir);
	assert_int_equal(cmdhist_save(h, line, &err), -1);
	assert_non_null(strstr(err, "cannot save the history"));
	free(err);
	cmdhist_free(&h);

	unlink(path);
	assert_int_equal(rmdir(dir), 0);   /* no temporary file left behind */
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_history_filter),
		cmocka_unit_test(test_word_at),
		cmocka_unit_test(test_complete),
		cmocka_unit_test(test_history_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
