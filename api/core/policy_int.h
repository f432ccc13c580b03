/* The policy parser's own header, shared by its two files and by nothing else:
 *   policy.c       the sections of the file (classes, datasets, results, terms, the rest,
 *                  hardening), policy_parse, the terms check, policy_clear and the queries
 *   policy_read.c  reading one value: the path of the value for messages, the errors, the
 *                  checks on names, groups, registries and constraints, sizes and durations,
 *                  typed values from a JSON object, string arrays, host and container paths
 *
 * Every function here that takes char **err fails with -1 and *err = "<path>.<key>: <message>"
 * (policy_fail), so callers can return its result; err may be NULL when only the verdict is
 * wanted. JSON values handed out are borrowed from the object they were read from. */
#ifndef GB_API_CORE_POLICY_INT_H
#define GB_API_CORE_POLICY_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* ---- the path of the value being read ---- */

/* "classes.gpu.constraints[0]". Class and dataset names are checked (at most 64 characters)
 * before they go in, so the buffer never fills in practice; if it did, the path would be cut
 * short, never overrun. */
struct jpath {
	char s[256];
	size_t n;
};

/* Appends ".key" ("key" at the top); returns the length to jp_pop back to. */
size_t jp_push(struct jpath *p, const char *key);
void jp_pop(struct jpath *p, size_t n);

/* ---- errors ---- */

/* *err = "<path>.<key>: <message>" (parts left out when NULL or empty); jp may be NULL. */
int policy_fail(char **err, const struct jpath *jp, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* For a value that is bad as a whole: "<path>: "<value>" <message>", the value quoted with
 * JSON-style escapes (a newline cannot forge a second message line) and cut at 60 bytes. */
int policy_fail_value(char **err, const struct jpath *jp, const char *key, const char *value,
                      const char *msg);
/* jansson's message for a syntax error shows the bytes it stopped at as they were ("invalid
 * token near '\x1b'"): the same escapes for its control characters. New string. */
char *escape_ctl(const char *s);

/* ---- small predicates (ASCII only: the locale must not change what a name is) ---- */

bool has_ctl(const char *s);
/* Empty or only blanks. */
bool policy_blank(const char *s);
/* [a-z0-9][a-z0-9._-]*, at most 64: safe in labels, paths and messages. */
bool valid_name(const char *s);
/* What /etc/group can hold: no separators (':' ','), no blanks, no controls. */
bool valid_group(const char *s);
/* Lowercase, and Docker Hub under the one name image references use. New string. */
char *registry_normal(const char *s);

/* ---- typed values ---- */

enum want { W_OBJECT, W_ARRAY, W_STRING, W_NUMBER, W_INTEGER, W_BOOLEAN };

/* "an object", "a string", "null": a JSON value's type for a message. */
const char *type_text(const json_t *v);
/* o[key] into *v (borrowed; NULL when absent and optional), which must be of type w. */
int get(json_t *o, const char *key, const struct jpath *jp, bool required, enum want w,
        json_t **v, char **err);
/* An optional or required string; *s borrowed, NULL when absent. */
int get_str(json_t *o, const char *key, const struct jpath *jp, bool required,
            const char **s, char **err);
/* The same, and it must say something. */
int get_text(json_t *o, const char *key, const struct jpath *jp, bool required,
             const char **s, char **err);
/* Unknown keys are errors: a typo ("max_cpu") would otherwise drop a limit without a word.
 * known ends with NULL. */
int check_keys(json_t *o, const struct jpath *jp, const char *const known[], char **err);

/* Each string of an array through check (which fails with *err); the copies go to *out. */
typedef int (*item_check)(const char *s, const struct jpath *jp, char **err);
/* o[key], an optional array of strings, each through check, into *out (owned, *n of them).
 * empty_hint: NULL when an empty list is fine, else why it is not and what to write instead. */
int get_str_array(json_t *o, const char *key, struct jpath *jp, const char *empty_hint,
                  item_check check, char ***out, size_t *n, char **err);
/* item_checks: a placement constraint, a Unix group, a registry host[:port]. */
int check_constraint(const char *s, const struct jpath *jp, char **err);
int check_group(const char *s, const struct jpath *jp, char **err);
int check_registry(const char *s, const struct jpath *jp, char **err);

/* ---- paths ---- */

enum path_kind { PATH_PLAIN, PATH_USER_TEMPLATE };

/* A clean copy of an absolute host or container path into *out (new string): "//" and "/./"
 * collapsed, no trailing "/", so "/data/x/" and "/data/x" compare equal. Refuses what could
 * escape or break a bind: "..", ':' and ',' (docker's --mount and -v syntax), controls, and
 * braces except "{user}" in a PATH_USER_TEMPLATE. */
int clean_path(const char *s, const char *key, const struct jpath *jp, enum path_kind kind,
               char **out, char **err);
/* Whether path is dir or inside it. */
bool path_under(const char *path, const char *dir);
/* Refuses container paths a job needs for itself: "/", /tmp, /proc, /sys, /dev. */
int check_target(const char *t, const char *key, const struct jpath *jp, char **err);

#endif
