/* The parts of a command prompt that need no terminal: splitting a line into words, finding
 * a command in a command table, completing a word, and a persisted history that keeps
 * secrets out. Editing itself is widgets/field.h; the prompt that joins them is
 * tui/console/prompt.c.
 *
 * Words are split by libedit's tokenizer(3), so quoting works as in a shell: `filter "two
 * words"` is two words. History is libedit's history(3): its file format (a
 * "_HiStOrY_V2_" line, then one vis(3)-encoded line per entry, oldest first) is what editline
 * programs write.
 *
 * A command table is a key table (keys.h) whose entries are commands: action is the command's
 * name ("tasks"), keyname its usage as shown in help (":tasks NAME"), key the key that does
 * the same thing (any non-zero code; it ends nothing but the table's terminator), op the
 * owner's action code. Flags may carry KB_CMD_PRIVATE. Nothing here knows about Docker. */
#ifndef GB_WIDGETS_CMDLINE_H
#define GB_WIDGETS_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "widgets/keys.h"

enum {
	/* The command's arguments could be a secret: the history records the command only when
	 * it has none. */
	KB_CMD_PRIVATE = 1 << 8,
};

/* Split line into words, quotes and backslashes as in a shell. Returns 0 with *argv (owned,
 * NULL-terminated, free with cmdline_argv_free) and *argc, or -1 with *err (owned) for an
 * unclosed quote or a trailing backslash. */
int cmdline_split(const char *line, int *argc, char ***argv, char **err);
void cmdline_argv_free(char ***argv);

/* The command entry for name: an exact name, else the one command name starts (":q" is
 * quit when nothing else starts with q). NULL when none; *ambiguous (may be NULL) tells "more
 * than one starts so" from "none". */
const struct keybinding *cmdline_find(const struct keybinding *cmds, const char *name,
                                      bool *ambiguous);

/* Whether line may enter the history: it starts with no blank (a line typed with a leading
 * blank stays out, as bash's ignorespace), splits cleanly, its first word is a command of
 * cmds (so a password typed at the prompt by mistake is never kept), and when that command
 * is KB_CMD_PRIVATE it has no arguments. */
bool cmdline_history_ok(const char *line, const struct keybinding *cmds);

/* The word the cursor (a byte offset into line) is in or just after: *start is its first
 * byte, and the result is its index (0 = the command). Words are runs of non-blanks here;
 * completion needs no quoting. */
int cmdline_word_at(const char *line, size_t cursor, size_t *start);

/* Completion of a prefix against candidates. */
struct completion {
	char **v;         /* owned: the matches, sorted, without duplicates */
	size_t n;
	char *common;     /* owned: the longest prefix all matches share ("" when none) */
};

/* The candidates (n of them; NULL entries skipped) that start with prefix. Case-sensitive;
 * c must be empty (zeroed) or cleared. */
void completion_find(struct completion *c, const char *const *cands, size_t n,
                     const char *prefix);
void completion_clear(struct completion *c);
/* The matches separated by two blanks, cut at sz; returns the bytes written. */
size_t completion_render(const struct completion *c, char *buf, size_t sz);

/* A command history: entries in memory, newest last, at most size of them (libedit history
 * with H_SETUNIQUE: a line equal to the one before is not added again). */
struct cmdhist;

struct cmdhist *cmdhist_new(int size);
void cmdhist_free(struct cmdhist **h);
/* Read path (a history file as above). A missing file is not an error (empty history).
 * Returns 0, or -1 with *err (owned). */
int cmdhist_load(struct cmdhist *h, const char *path, char **err);
/* Write the whole history to path, mode 0600, through a temporary file renamed over it (a
 * crash leaves the old file whole; an existing file's mode is not trusted). The directory
 * must exist. Returns 0, or -1 with *err (owned). */
int cmdhist_save(struct cmdhist *h, const char *path, char **err);
/* Add line (no checks: run cmdline_history_ok first); ends any browsing. */
void cmdhist_add(struct cmdhist *h, const char *line);
size_t cmdhist_count(const struct cmdhist *h);

/* Browsing from the newest entry: older() gives the entry before the current one (the newest
 * at first), newer() the one after it, NULL at either end (newer() past the newest ends the
 * browsing: the owner shows the line it was editing). Borrowed until the next call. */
const char *cmdhist_older(struct cmdhist *h);
const char *cmdhist_newer(struct cmdhist *h);
void cmdhist_rewind(struct cmdhist *h);   /* end browsing */
bool cmdhist_browsing(const struct cmdhist *h);

#endif
