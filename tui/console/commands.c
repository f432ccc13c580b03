#include "tui/console/commands.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/base/xalloc.h"
#include "api/core/roles.h"
#include "tui/console/app.h"
#include "tui/console/login.h"
#include "tui/console/logs.h"
#include "tui/console/nodes.h"
#include "tui/console/submit.h"
#include "tui/console/tasks.h"
#include "tui/console/triage.h"

enum cmd_op {
	CMD_SERVICES = 1, CMD_TASKS, CMD_NODES, CMD_LOGS, CMD_RM, CMD_SCALE, CMD_SUBMIT, CMD_LOGIN,
	CMD_FILTER, CMD_SORT, CMD_HELP, CMD_QUIT,
};

/* What the first argument is, for Tab. */
enum cmd_arg { ARG_NONE, ARG_JOB, ARG_NODE, ARG_COLUMN };

const struct keybinding command_keys[] = {
	{27, ":services", "services", "Back to the jobs list (key: Esc)", 0, CMD_SERVICES},
	{'\r', ":tasks NAME", "tasks", "The tasks of job NAME (key: Enter on the selected job)", 0, CMD_TASKS},
	{'N', ":nodes [NODE]", "nodes", "The nodes view, for admins; with NODE, filtered to that node (key: N)", 0, CMD_NODES},
	{'l', ":logs NAME", "logs", "The log of job NAME (key: l on the selected job)", 0, CMD_LOGS},
	{'x', ":rm NAME", "rm", "Remove job NAME, after asking (key: x on the selected job)", 0, CMD_RM},
	{'p', ":scale NAME N", "scale", "Run N replicas of job NAME: 0 pauses it, 1 resumes it, more for admins (key: p pauses or resumes)", 0, CMD_SCALE},
	{'n', ":submit", "submit", "Submit a new job (key: n)", 0, CMD_SUBMIT},
	/* Never with arguments in the history: the dialog, not the prompt, takes the password. */
	{'L', ":login", "login", "Log in to a registry in the login dialog (key: L)", KB_CMD_PRIVATE, CMD_LOGIN},
	{'/', ":filter TEXT", "filter", "Show only the rows that contain TEXT; no TEXT clears the filter (key: /)", 0, CMD_FILTER},
	{'>', ":sort COLUMN [desc]", "sort", "Sort by the column titled COLUMN, descending with desc (keys: < > I)", 0, CMD_SORT},
	{'?', ":help", "help", "Show this help (keys: ?, F1)", 0, CMD_HELP},
	{'q', ":quit", "quit", "Quit glovebox (keys: q, F10)", 0, CMD_QUIT},
	{0, NULL, NULL, NULL, 0, 0},
};

static enum cmd_arg arg_kind(int op)
{
	switch (op) {
	case CMD_TASKS: case CMD_LOGS: case CMD_RM: case CMD_SCALE:
		return ARG_JOB;
	case CMD_NODES:
		return ARG_NODE;
	case CMD_SORT:
		return ARG_COLUMN;
	default:
		return ARG_NONE;
	}
}

/* A command refused or not understood, on the status line, printf-style. */
#define commands_say(a, ...)                                     \
	do {                                            \
		char *commands_say_msg = xasprintf(__VA_ARGS__); \
		app_say((a), STATUS_WARN, commands_say_msg);     \
		free(commands_say_msg);                          \
	} while (0)

/* Whether argc words fit the command; says its usage when not. */
static bool arity(struct app *a, const struct keybinding *k, int argc, int min, int max)
{
	if (argc - 1 >= min && (max < 0 || argc - 1 <= max))
		return true;
	commands_say(a, "usage: %s", k->keyname);
	return false;
}

static const struct job *find_job(struct app *a, const char *name)
{
	char *err = NULL;
	const struct job *j = jobview_find(a->view, name, NULL, &err);
	if (!j) {
		app_say(a, STATUS_WARN, err);
		free(err);
	}
	return j;
}

static const struct node *find_node(struct app *a, const char *name)
{
	const struct node_list *nl = cluster_nodes(a->cluster);
	char *err = NULL;
	const struct node *n = nl ? node_find(nl, name, &err) : NULL;
	if (!n) {
		if (err)
			app_say(a, STATUS_WARN, err);
		else
			commands_say(a, "no node named \"%s\"", name);
		free(err);
	}
	return n;
}

static void run_sort(struct app *a, int argc, char **argv)
{
	bool desc = false;
	if (argc == 3) {
		if (strcasecmp(argv[2], "desc") != 0 && strcasecmp(argv[2], "asc") != 0) {
			commands_say(a, "usage: sort COLUMN [desc], not \"%s\"", argv[2]);
			return;
		}
		desc = strcasecmp(argv[2], "desc") == 0;
	}
	struct table *t = app_table(a);
	size_t n;
	const struct table_column *cols = t ? table_columns(t, &n) : NULL;
	for (size_t i = 0; cols && i < n; i++) {
		if (!cols[i].sortable || strcasecmp(cols[i].title, argv[1]) != 0)
			continue;
		table_sort_by(t, (int)i, desc);
		a->dirty = true;
		return;
	}
	commands_say(a, "no sortable column \"%s\" here: Tab lists them", argv[1]);
}

static void run_filter(struct app *a, int argc, char **argv)
{
	size_t len = 0;
	for (int i = 1; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *text = xcalloc(len + 1, 1);
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			strcat(text, " ");
		strcat(text, argv[i]);
	}
	app_set_filter(a, text);
	free(text);
}

static void run_scale(struct app *a, const char *name, const char *count)
{
	uint64_t n;
	if (replicas_parse(count, &n) != 0) {
		commands_say(a, "scale: \"%s\" is not a number of replicas (0 to %d)", count, REPLICAS_MAX);
		return;
	}
	const struct job *j = find_job(a, name);
	if (j)
		triage_scale(a, j->id, n);   /* triage says what the role allows */
}

void commands_run(struct app *a, const char *line)
{
	int argc;
	char **argv, *err = NULL;
	if (cmdline_split(line, &argc, &argv, &err) != 0) {
		app_say(a, STATUS_WARN, err);
		free(err);
		return;
	}
	if (argc == 0)
		goto out;
	bool ambiguous;
	const struct keybinding *k = cmdline_find(command_keys, argv[0], &ambiguous);
	if (!k) {
		commands_say(a, ambiguous ? "\"%s\" is the start of more than one command: Tab lists them"
		                 : "no command \"%s\": :help lists them", argv[0]);
		goto out;
	}
	const struct job *j;
	switch (k->op) {
	case CMD_SERVICES:
		if (arity(a, k, argc, 0, 0))
			screen_pop_all(a);
		break;
	case CMD_TASKS:
	case CMD_RM:
		if (arity(a, k, argc, 1, 1) && (j = find_job(a, argv[1])))
			(k->op == CMD_TASKS ? tasks_screen_open : triage_remove)(a, j->id);
		break;
	case CMD_LOGS:
		if (arity(a, k, argc, 1, 1) && (j = find_job(a, argv[1])))
			logs_screen_open(a, j->id, NULL);
		break;
	case CMD_SCALE:
		if (arity(a, k, argc, 2, 2))
			run_scale(a, argv[1], argv[2]);
		break;
	case CMD_NODES: {
		const struct node *nd = NULL;
		if (!arity(a, k, argc, 0, 1) || (argc == 2 && !(nd = find_node(a, argv[1]))))
			break;
		char *name = nd ? xstrdup(nd->hostname ? nd->hostname : nd->id) : NULL;
		nodes_screen_open(a);
		if (name)
			app_set_filter(a, name);
		free(name);
		break;
	}
	case CMD_SUBMIT:
		if (arity(a, k, argc, 0, 0))
			submit_screen_open(a);
		break;
	case CMD_LOGIN:
		/* Anything after it could be a password typed in the wrong place: refuse it. */
		if (argc > 1)
			app_say(a, STATUS_WARN, "login takes no arguments: the login dialog asks for the registry, user and password");
		else
			login_dialog_open(a, NULL);
		break;
	case CMD_FILTER:
		run_filter(a, argc, argv);
		break;
	case CMD_SORT:
		if (arity(a, k, argc, 1, 2))
			run_sort(a, argc, argv);
		break;
	case CMD_HELP:
		if (arity(a, k, argc, 0, 0))
			app_do(a, OP_HELP);
		break;
	case CMD_QUIT:
		if (arity(a, k, argc, 0, 0))
			app_do(a, OP_QUIT);
		break;
	default:
		break;
	}
out:
	cmdline_argv_free(&argv);
}

/* Lower-case copies of the sortable columns' titles of the table shown. */
static size_t column_names(struct app *a, char ***out)
{
	struct table *t = app_table(a);
	size_t n = 0, m = 0;
	const struct table_column *cols = t ? table_columns(t, &n) : NULL;
	*out = xcalloc(n + 1, sizeof **out);
	for (size_t i = 0; cols && i < n; i++) {
		if (!cols[i].sortable || !cols[i].title)
			continue;
		char *s = xstrdup(cols[i].title);
		for (char *p = s; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		(*out)[m++] = s;
	}
	return m;
}

void commands_complete(struct app *a, const char *line, size_t cursor, struct completion *c,
                       size_t *start)
{
	int index = cmdline_word_at(line, cursor, start);
	char *prefix = xstrndup(line + *start, cursor - *start);
	const char **cands = NULL;
	char **owned = NULL;
	size_t n = 0;
	enum cmd_arg kind = ARG_NONE;
	if (index == 0) {
		for (const struct keybinding *k = command_keys; k->key; k++)
			n++;
		cands = xcalloc(n + 1, sizeof *cands);
		for (size_t i = 0; i < n; i++)
			cands[i] = command_keys[i].action;
	} else if (index == 1) {
		size_t s0 = 0;
		while (line[s0] == ' ' || line[s0] == '\t')
			s0++;
		size_t len = strcspn(line + s0, " \t");
		char *cmd = xstrndup(line + s0, len);
		const struct keybinding *k = cmdline_find(command_keys, cmd, NULL);
		free(cmd);
		kind = k ? arg_kind(k->op) : ARG_NONE;
	}
	if (kind == ARG_JOB) {
		n = jobview_count(a->view);
		cands = xcalloc(n + 1, sizeof *cands);
		for (size_t i = 0; i < n; i++)
			cands[i] = jobview_job(a->view, i)->name;
	} else if (kind == ARG_NODE) {
		const struct node_list *nl = cluster_nodes(a->cluster);
		n = nl ? nl->n : 0;
		cands = xcalloc(n + 1, sizeof *cands);
		for (size_t i = 0; i < n; i++)
			cands[i] = nl->v[i].hostname;
	} else if (kind == ARG_COLUMN) {
		n = column_names(a, &owned);
		cands = (const char **)owned;
	}
	completion_find(c, cands, n, prefix);
	if (owned)
		cmdline_argv_free(&owned);
	else
		free(cands);
	free(prefix);
}
