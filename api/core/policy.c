#include "api/core/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/base/chars.h"
#include "api/base/err.h"
#include "api/base/trust.h"
#include "api/base/xalloc.h"
#include "api/core/weburl.h"

#define NAME_MAX_LEN      64
#define GROUP_MAX_LEN     256
#define MIN_CPUS          0.001
/* The kernel's NR_CPUS ceiling; it also keeps cpus * 1e9 (NanoCPUs) far from overflowing. */
#define MAX_CPUS          8192.0
#define MAX_GPUS          256
/* dockerd refuses smaller limits (linuxMinMemory). It was 4 MiB before Engine 20.10, which
 * the sandbox runs, so a 4 MiB class would pass here and fail at every submission. */
#define MIN_MEMORY        POLICY_MIN_MEMORY
/* Below this a job's log rotates away faster than anyone can read it. */
#define MIN_LOG_SIZE      ((int64_t)1 << 20)
#define MAX_LOG_FILES     100
/* A hard nofile above the kernel's fs.nr_open (1048576 unless raised) makes every task of
 * the job fail to start; the runtime and init need a few dozen descriptors and processes. */
#define MIN_NOFILE        64
#define MAX_NOFILE        1048576
#define MIN_NPROC         16
#define MAX_NPROC         4194304   /* PID_MAX_LIMIT */
#define MAX_LIFETIME      ((int64_t)365 * 86400)

/* ---- errors ---- */

/* The path of the value being read, "classes.gpu.constraints[0]". Class and dataset names are
 * checked (at most 64 characters) before they go in, so the buffer never fills in practice;
 * if it did, the path would be cut short, never overrun. */
struct jpath {
	char s[256];
	size_t n;
};

static size_t jp_append(struct jpath *p, const char *text)
{
	size_t old = p->n, len = strlen(text);
	if (len > sizeof p->s - 1 - p->n)
		len = sizeof p->s - 1 - p->n;
	memcpy(p->s + p->n, text, len);
	p->n += len;
	p->s[p->n] = '\0';
	return old;
}

/* Appends ".key" ("key" at the top); returns the length to jp_pop back to. */
static size_t jp_push(struct jpath *p, const char *key)
{
	size_t old = p->n;
	if (p->n)
		jp_append(p, ".");
	jp_append(p, key);
	return old;
}

static size_t jp_index(struct jpath *p, size_t i)
{
	char buf[32];
	snprintf(buf, sizeof buf, "[%zu]", i);
	return jp_append(p, buf);
}

static void jp_pop(struct jpath *p, size_t n)
{
	p->n = n;
	p->s[n] = '\0';
}

/* *err = "<path>.<key>: <message>" (parts left out when NULL or empty). Returns -1 so callers
 * can return policy_fail(...). err may be NULL when the caller only wants the verdict. */
static int policy_fail(char **err, const struct jpath *jp, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int policy_fail(char **err, const struct jpath *jp, const char *key, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	const char *base = jp ? jp->s : "";
	if (*base && key)
		err_set(err, "%s.%s: %s", base, key, msg);
	else if (*base || key)
		err_set(err, "%s: %s", *base ? base : key, msg);
	else
		err_set(err, "%s", msg);
	free(msg);
	return -1;
}

/* A value from the file, quoted for a message: JSON-style escapes for quotes, backslashes and
 * control characters (so a newline cannot forge a second message line), cut at 60 bytes on a
 * character boundary. New string. */
static char *quote(const char *s)
{
	size_t n = strlen(s);
	bool cut = false;
	if (n > 60) {
		n = 60;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		cut = true;
	}
	char *out = xmalloc(n * 6 + 6), *q = out;
	*q++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			*q++ = '\\';
			*q++ = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			q += sprintf(q, "\\u%04x", c);
		} else {
			*q++ = (char)c;
		}
	}
	if (cut) {
		memcpy(q, "...", 3);
		q += 3;
	}
	*q++ = '"';
	*q = '\0';
	return out;
}

/* The same, for a value that is bad as a whole: "<path>: "<value>" <message>". */
static int policy_fail_value(char **err, const struct jpath *jp, const char *key, const char *value,
                             const char *msg)
{
	char *q = quote(value);
	policy_fail(err, jp, key, "%s %s", q, msg);
	free(q);
	return -1;
}

/* jansson's message for a syntax error shows the bytes it stopped at as they were ("invalid
 * token near '\x1b'"): the same escapes for its control characters. New string. */
static char *escape_ctl(const char *s)
{
	char *out = xmalloc(strlen(s) * 6 + 1), *q = out;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			q += sprintf(q, "\\u%04x", c);
		else
			*q++ = (char)c;
	}
	*q = '\0';
	return out;
}

/* ---- small predicates (chars.h: ASCII only, the locale must not change what a name is) ---- */

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if (char_is_ctl((unsigned char)*s))
			return true;
	return false;
}

static bool policy_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* [a-z0-9][a-z0-9._-]*, at most 64: safe in labels, paths and messages. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > NAME_MAX_LEN || !char_is_lower_alnum((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!char_is_lower_alnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

/* What /etc/group can hold: no separators (':' ','), no blanks, no controls. */
static bool valid_group(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > GROUP_MAX_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (char_is_ctl((unsigned char)s[i]) || strchr(" :,/", s[i]))
			return false;
	return true;
}

/* host[:port] as docker reads a registry: DNS labels or an IPv4 address, "localhost", or an
 * IPv6 address in brackets; no scheme, no path. */
static bool valid_registry(const char *s)
{
	const char *p = s;
	if (strlen(s) > 255)
		return false;
	if (*p == '[') {
		const char *end = strchr(++p, ']');
		if (!end || end == p || !memchr(p, ':', (size_t)(end - p)))
			return false;
		for (; p < end; p++)
			if (!char_is_digit(*p) && !strchr("abcdefABCDEF:.", *p))
				return false;
		p++;
	} else {
		for (;;) {
			const char *label = p;
			if (!char_is_alnum((unsigned char)*p))
				return false;
			while (char_is_alnum((unsigned char)*p) || *p == '-')
				p++;
			if (p[-1] == '-' || p - label > 63)
				return false;
			if (*p != '.')
				break;
			p++;
		}
	}
	if (*p == ':') {
		long port = 0;
		int digits = 0;
		for (p++; char_is_digit(*p) && digits < 6; p++, digits++)
			port = port * 10 + (*p - '0');
		if (digits == 0 || port < 1 || port > 65535)
			return false;
	}
	return *p == '\0';
}

/* Lowercase, and Docker Hub under the one name image references use. New string. */
static char *registry_normal(const char *s)
{
	if (strcasecmp(s, "index.docker.io") == 0)
		return xstrdup("docker.io");
	char *r = xstrdup(s);
	for (char *p = r; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return r;
}

/* key=value or key!=value, with something on both sides, as docker's placement constraints. */
static bool valid_constraint(const char *s)
{
	const char *op = strstr(s, "==");
	const char *ne = strstr(s, "!=");
	if (!op || (ne && ne < op))
		op = ne;
	if (!op || has_ctl(s))
		return false;
	bool left = false;
	for (const char *p = s; p < op; p++)
		left |= *p != ' ';
	return left && !policy_blank(op + 2);
}

/* ---- sizes and durations ---- */

int parse_size(const char *s, int64_t *bytes, char **err)
{
	static const char examples[] = "is not a size (e.g. 512MiB, 2GiB, 1.5G)";
	const char *p = s ? s : "";
	int64_t whole = 0, frac = 0, frac_den = 1, mult = 1;

	if (p[0] == '-' && char_is_digit(p[1]))
		return policy_fail_value(err, NULL, NULL, p,
		                         "is not a size: sizes cannot be negative");
	if (!char_is_digit(*p))
		return policy_fail_value(err, NULL, NULL, p, examples);
	for (; char_is_digit(*p); p++) {
		if (whole > (INT64_MAX - (*p - '0')) / 10)
			return policy_fail_value(err, NULL, NULL, s, "is too large");
		whole = whole * 10 + (*p - '0');
	}
	bool has_frac = *p == '.';
	if (has_frac) {
		if (!char_is_digit(*++p))
			return policy_fail_value(err, NULL, NULL, s, examples);
		/* A millionth of the unit is finer than anyone means, and keeps frac * mult in range. */
		for (; char_is_digit(*p); p++) {
			if (frac_den < 1000000) {
				frac = frac * 10 + (*p - '0');
				frac_den *= 10;
			}
		}
	}
	if (*p) {
		static const char prefixes[] = "kmgt";
		const char *pre = strchr(prefixes, *p | 0x20);
		if (pre) {
			int exp = (int)(pre - prefixes) + 1;
			const char *rest = p + 1;
			bool decimal = false;
			if (strcasecmp(rest, "b") == 0)
				decimal = true;
			else if (*rest && strcasecmp(rest, "i") != 0 && strcasecmp(rest, "ib") != 0)
				return policy_fail_value(err, NULL, NULL, s, examples);
			for (int i = 0; i < exp; i++)
				mult *= decimal ? 1000 : 1024;
		} else if (strcasecmp(p, "b") != 0) {
			return policy_fail_value(err, NULL, NULL, s, examples);
		}
	}
	if (has_frac && mult == 1)
		return policy_fail_value(err, NULL, NULL, s, "is not a size: a number of bytes must be whole");
	int64_t total;
	if (__builtin_mul_overflow(whole, mult, &total) ||
	    __builtin_add_overflow(total, frac * mult / frac_den, &total))
		return policy_fail_value(err, NULL, NULL, s, "is too large");
	*bytes = total;
	return 0;
}

int parse_duration(const char *s, int64_t *seconds, char **err)
{
	static const char examples[] = "is not a duration (e.g. 24h, 90m, 1h30m)";
	static const char units[] = "dhms";
	static const int64_t unit_secs[] = {86400, 3600, 60, 1};
	const char *p = s ? s : "";
	int64_t total = 0;
	int next_unit = 0;      /* units come largest first, each at most once */

	if (p[0] == '-' && char_is_digit(p[1]))
		return policy_fail_value(err, NULL, NULL, p, "is not a duration: durations cannot be negative");
	if (!char_is_digit(*p))
		return policy_fail_value(err, NULL, NULL, p, examples);
	for (;;) {
		int64_t n = 0;
		if (!char_is_digit(*p))
			return policy_fail_value(err, NULL, NULL, s, examples);
		for (; char_is_digit(*p); p++) {
			if (n > (INT64_MAX - (*p - '0')) / 10)
				return policy_fail_value(err, NULL, NULL, s, "is too long");
			n = n * 10 + (*p - '0');
		}
		if (*p == '\0' && next_unit == 0) {     /* a bare number: seconds */
			total = n;
			break;
		}
		const char *u = *p ? strchr(units, *p) : NULL;
		if (!u || u - units < next_unit)
			return policy_fail_value(err, NULL, NULL, s, examples);
		int idx = (int)(u - units);
		if (__builtin_mul_overflow(n, unit_secs[idx], &n) ||
		    __builtin_add_overflow(total, n, &total))
			return policy_fail_value(err, NULL, NULL, s, "is too long");
		next_unit = idx + 1;
		p++;
		if (*p == '\0')
			break;
		/* "1d 2h" as format_duration writes it reads back. */
		if (*p == ' ' && char_is_digit(p[1]))
			p++;
	}
	*seconds = total;
	return 0;
}

void format_duration(char *buf, size_t sz, int64_t seconds)
{
	static const struct { char unit; uint64_t secs; } u[] = {
		{'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1},
	};
	if (!buf || sz == 0)
		return;
	const char *sign = seconds < 0 ? "-" : "";
	uint64_t v = seconds < 0 ? (uint64_t)(-(seconds + 1)) + 1 : (uint64_t)seconds;
	size_t i = 0;
	while (i < 3 && v < u[i].secs)
		i++;
	uint64_t first = v / u[i].secs, rest = v % u[i].secs;
	/* Two units at most, the smaller cut off rather than rounded: time left is never overstated. */
	if (i < 3 && rest / u[i + 1].secs)
		snprintf(buf, sz, "%s%" PRIu64 "%c %" PRIu64 "%c", sign, first, u[i].unit,
		         rest / u[i + 1].secs, u[i + 1].unit);
	else
		snprintf(buf, sz, "%s%" PRIu64 "%c", sign, first, u[i].unit);
}

/* "16GiB" when exact, else bytes: for messages, so they echo what the admin wrote. */
void format_size(char *buf, size_t sz, int64_t b)
{
	static const struct { const char *unit; int64_t mult; } u[] = {
		{"TiB", (int64_t)1 << 40}, {"GiB", (int64_t)1 << 30}, {"MiB", (int64_t)1 << 20},
		{"KiB", (int64_t)1 << 10},
	};
	for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
		if (b != 0 && b % u[i].mult == 0) {
			snprintf(buf, sz, "%" PRId64 "%s", b / u[i].mult, u[i].unit);
			return;
		}
	}
	snprintf(buf, sz, "%" PRId64 " bytes", b);
}

/* ---- reading typed values ---- */

enum want { W_OBJECT, W_ARRAY, W_STRING, W_NUMBER, W_INTEGER, W_BOOLEAN };

static const char *want_text(enum want w)
{
	static const char *const t[] = {"an object", "an array", "a string", "a number", "a whole number",
	                                "true or false"};
	return t[w];
}

static const char *type_text(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: break;
	}
	return "null";
}

static bool is_wanted(const json_t *v, enum want w)
{
	switch (w) {
	case W_OBJECT: return json_is_object(v);
	case W_ARRAY: return json_is_array(v);
	case W_STRING: return json_is_string(v);
	case W_NUMBER: return json_is_number(v);
	case W_INTEGER: return json_is_integer(v);
	case W_BOOLEAN: return json_is_boolean(v);
	}
	return false;
}

/* o[key] into *v (borrowed; NULL when absent and optional). */
static int get(json_t *o, const char *key, const struct jpath *jp, bool required, enum want w,
               json_t **v, char **err)
{
	*v = json_object_get(o, key);
	if (!*v)
		return required ? policy_fail(err, jp, key, "required key is missing") : 0;
	if (w == W_INTEGER && json_is_real(*v))
		return policy_fail(err, jp, key, "must be a whole number, not %g",
		                   json_real_value(*v));
	if (!is_wanted(*v, w))
		return policy_fail(err, jp, key, "must be %s, not %s", want_text(w), type_text(*v));
	return 0;
}

/* An optional or required string; *s borrowed, NULL when absent. */
static int get_str(json_t *o, const char *key, const struct jpath *jp, bool required,
                   const char **s, char **err)
{
	json_t *v;
	if (get(o, key, jp, required, W_STRING, &v, err))
		return -1;
	*s = v ? json_string_value(v) : NULL;
	return 0;
}

/* The same, and it must say something. */
static int get_text(json_t *o, const char *key, const struct jpath *jp, bool required,
                    const char **s, char **err)
{
	if (get_str(o, key, jp, required, s, err))
		return -1;
	if (*s && policy_blank(*s))
		return policy_fail(err, jp, key, "must not be empty");
	return 0;
}

/* Unknown keys are errors: a typo ("max_cpu") would otherwise drop a limit without a word. */
static int check_keys(json_t *o, const struct jpath *jp, const char *const known[], char **err)
{
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		size_t i = 0;
		while (known[i] && strcmp(known[i], key) != 0)
			i++;
		if (known[i])
			continue;
		size_t len = 0;
		for (i = 0; known[i]; i++)
			len += strlen(known[i]) + 2;
		char *list = xmalloc(len + 1), *q = list;
		for (i = 0; known[i]; i++)
			q += sprintf(q, "%s%s", i ? ", " : "", known[i]);
		bool plain = *key != '\0';
		for (const char *k = key; *k; k++)
			plain &= char_is_alnum((unsigned char)*k) || strchr("._-", *k) != NULL;
		char *shown = plain ? xstrdup(key) : quote(key);
		policy_fail(err, jp, shown, "unknown key; expected one of %s", list);
		free(shown);
		free(list);
		return -1;
	}
	return 0;
}

/* Each string of an array through check (which fails with *err); the copies go to *out. */
typedef int (*item_check)(const char *s, const struct jpath *jp, char **err);

/* empty_hint: NULL when an empty list is fine, else why it is not and what to write instead. */
static int get_str_array(json_t *o, const char *key, struct jpath *jp, const char *empty_hint,
                         item_check check, char ***out, size_t *n, char **err)
{
	json_t *arr, *item;
	size_t i;
	if (get(o, key, jp, false, W_ARRAY, &arr, err))
		return -1;
	if (!arr)
		return 0;
	if (empty_hint && json_array_size(arr) == 0)
		return policy_fail(err, jp, key, "must not be an empty list; %s", empty_hint);
	size_t mark = jp_push(jp, key);
	*out = xcalloc(json_array_size(arr), sizeof **out);
	json_array_foreach(arr, i, item) {
		size_t m = jp_index(jp, i);
		if (!json_is_string(item))
			return policy_fail(err, jp, NULL, "must be a string, not %s",
			                   type_text(item));
		if (check(json_string_value(item), jp, err))
			return -1;
		(*out)[(*n)++] = xstrdup(json_string_value(item));
		jp_pop(jp, m);
	}
	jp_pop(jp, mark);
	return 0;
}

static int check_constraint(const char *s, const struct jpath *jp, char **err)
{
	if (valid_constraint(s))
		return 0;
	return policy_fail_value(err, jp, NULL, s,
	                         "is not a placement constraint (e.g. node.labels.glovebox.class==gpu)");
}

static int check_group(const char *s, const struct jpath *jp, char **err)
{
	return valid_group(s) ? 0 : policy_fail_value(err, jp, NULL, s, "is not a Unix group name");
}

static int check_registry(const char *s, const struct jpath *jp, char **err)
{
	return valid_registry(s) ? 0 : policy_fail_value(err, jp, NULL, s, "is not a host[:port]");
}

/* ---- paths ---- */

enum path_kind { PATH_PLAIN, PATH_USER_TEMPLATE };

/* A clean copy of an absolute host or container path: "//" and "/./" collapsed, no trailing
 * "/", so "/data/x/" and "/data/x" compare equal. Refuses what could escape or break a bind:
 * "..", ':' and ',' (docker's --mount and -v syntax), controls, and braces except "{user}" in
 * a template. */
static int clean_path(const char *s, const char *key, const struct jpath *jp, enum path_kind kind,
                      char **out, char **err)
{
	if (s[0] != '/')
		return policy_fail(err, jp, key, "must be an absolute path");
	if (has_ctl(s))
		return policy_fail(err, jp, key, "must not contain control characters");
	if (strpbrk(s, ":,"))
		return policy_fail(err, jp, key, "must not contain ':' or ',' (they would break mount syntax)");
	for (const char *b = strpbrk(s, "{}"); b; b = strpbrk(b + 1, "{}")) {
		if (kind == PATH_PLAIN)
			return policy_fail(err, jp, key, "must not contain '{' or '}' ({user} is only replaced in results.source)");
		if (*b == '}' || strncmp(b, "{user}", 6) != 0)
			return policy_fail(err, jp, key, "must not contain '{' or '}' other than in {user}");
		b += 5;
	}
	char *c = xmalloc(strlen(s) + 2), *q = c;
	for (const char *p = s; *p;) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			free(c);
			return policy_fail(err, jp, key, "must not contain \"..\" components");
		}
		if (len && !(len == 1 && p[0] == '.')) {
			*q++ = '/';
			memcpy(q, p, len);
			q += len;
		}
		p += len;
	}
	if (q == c)
		*q++ = '/';
	*q = '\0';
	*out = c;
	return 0;
}

/* Whether path is dir or inside it. */
static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Mount points a job needs for itself. */
static int check_target(const char *t, const char *key, const struct jpath *jp, char **err)
{
	static const char *const kernel[] = {"/proc", "/sys", "/dev"};
	if (strcmp(t, "/") == 0)
		return policy_fail(err, jp, key, "must not be \"/\"");
	if (path_under(t, "/tmp"))
		return policy_fail(err, jp, key, "must not be /tmp or inside it (each job gets its own scratch space there)");
	for (size_t i = 0; i < sizeof kernel / sizeof kernel[0]; i++)
		if (path_under(t, kernel[i]))
			return policy_fail(err, jp, key, "must not be %s or inside it (the kernel's own file system)", kernel[i]);
	return 0;
}

/* ---- the sections ---- */

static const char *const top_keys[] = {
	"classes", "datasets", "results", "terms", "registries", "max_lifetime", "admin_group",
	"researcher_logs", "log_rotation", "ulimits", "encrypted_network", "metrics", NULL,
};
static const char *const metrics_keys[] = {"prometheus", "ca_file", "credentials_file", "rate_window", NULL};
static const char *const class_keys[] = {
	"description", "constraints", "cpus", "max_cpus", "memory", "max_memory", "gpus", NULL,
};
static const char *const dataset_keys[] = {"description", "source", "target", "groups", NULL};
static const char *const results_keys[] = {"source", "target", NULL};
static const char *const terms_keys[] = {"file", "version", NULL};
static const char *const log_keys[] = {"max_size", "max_files", NULL};
static const char *const ulimits_keys[] = {"nofile", "nproc", NULL};
static const char *const ulimit_keys[] = {"soft", "hard", NULL};

static int get_cpus(json_t *o, const char *key, const struct jpath *jp, bool required,
                    double *out, char **err)
{
	json_t *v;
	if (get(o, key, jp, required, W_NUMBER, &v, err))
		return -1;
	if (!v)
		return 0;
	double d = json_number_value(v);
	if (!(d >= MIN_CPUS))
		return policy_fail(err, jp, key, "must be at least %g", MIN_CPUS);
	if (d > MAX_CPUS)
		return policy_fail(err, jp, key, "must be at most %g", MAX_CPUS);
	*out = d;
	return 0;
}

static int get_memory(json_t *o, const char *key, const struct jpath *jp, bool required,
                      int64_t *out, char **err)
{
	const char *s;
	char *why = NULL, min[32], got[32];
	if (get_str(o, key, jp, required, &s, err))
		return -1;
	if (!s)
		return 0;
	if (parse_size(s, out, &why) != 0) {
		policy_fail(err, jp, key, "%s", why);
		free(why);
		return -1;
	}
	if (*out < MIN_MEMORY) {
		format_size(min, sizeof min, MIN_MEMORY);
		format_size(got, sizeof got, *out);
		return policy_fail(err, jp, key, "must be at least %s (the engine's minimum), not %s", min, got);
	}
	return 0;
}

static int parse_class(json_t *o, const char *name, struct jpath *jp, struct policy_class *c,
                       char **err)
{
	const char *desc;
	json_t *gpus;
	char a[32], b[32];

	c->name = xstrdup(name);
	if (!json_is_object(o))
		return policy_fail(err, jp, NULL, "must be an object, not %s", type_text(o));
	if (check_keys(o, jp, class_keys, err) ||
	    get_str(o, "description", jp, false, &desc, err) ||
	    get_str_array(o, "constraints", jp, NULL, check_constraint, &c->constraints,
	                  &c->n_constraints, err) ||
	    get_cpus(o, "cpus", jp, true, &c->cpus, err))
		return -1;
	c->description = xstrdup(desc ? desc : "");
	c->max_cpus = c->cpus;
	if (get_cpus(o, "max_cpus", jp, false, &c->max_cpus, err))
		return -1;
	if (c->max_cpus < c->cpus)
		return policy_fail(err, jp, "max_cpus", "must be at least cpus (%g)", c->cpus);
	if (get_memory(o, "memory", jp, true, &c->memory, err))
		return -1;
	c->max_memory = c->memory;
	if (get_memory(o, "max_memory", jp, false, &c->max_memory, err))
		return -1;
	if (c->max_memory < c->memory) {
		format_size(a, sizeof a, c->memory);
		format_size(b, sizeof b, c->max_memory);
		return policy_fail(err, jp, "max_memory", "must be at least memory (%s), not %s",
		                   a, b);
	}
	if (get(o, "gpus", jp, false, W_INTEGER, &gpus, err))
		return -1;
	if (gpus) {
		json_int_t g = json_integer_value(gpus);
		if (g < 0)
			return policy_fail(err, jp, "gpus", "must not be negative");
		if (g > MAX_GPUS)
			return policy_fail(err, jp, "gpus", "must be at most %d", MAX_GPUS);
		c->gpus = (unsigned)g;
	}
	return 0;
}

static int parse_classes(json_t *root, struct jpath *jp, struct policy *p, char **err)
{
	json_t *o, *v;
	const char *name;
	if (get(root, "classes", jp, true, W_OBJECT, &o, err))
		return -1;
	if (json_object_size(o) == 0)
		return policy_fail(err, jp, "classes", "must define at least one class");
	size_t mark = jp_push(jp, "classes");
	p->classes = xcalloc(json_object_size(o), sizeof *p->classes);
	/* jansson keeps an object's keys in the file's order (since 2.8; JSON_PRESERVE_ORDER only
	 * matters when encoding, and is a no-op now). */
	json_object_foreach(o, name, v) {
		if (!valid_name(name))
			return policy_fail_value(err, jp, NULL, name, "is not a valid class name (1 to 64 of a-z, 0-9, '.', '_', '-', "
			                         "starting with a letter or digit)");
		/* Counted before it is filled, so policy_clear frees a half-read class too. */
		struct policy_class *c = &p->classes[p->n_classes++];
		size_t m = jp_push(jp, name);
		if (parse_class(v, name, jp, c, err))
			return -1;
		jp_pop(jp, m);
	}
	jp_pop(jp, mark);
	return 0;
}

static int parse_dataset(json_t *o, const char *name, struct jpath *jp, struct policy_dataset *d,
                         char **err)
{
	const char *desc, *src, *dst;

	d->name = xstrdup(name);
	if (!json_is_object(o))
		return policy_fail(err, jp, NULL, "must be an object, not %s", type_text(o));
	if (check_keys(o, jp, dataset_keys, err) ||
	    get_str(o, "description", jp, false, &desc, err) ||
	    get_str(o, "source", jp, true, &src, err) ||
	    clean_path(src, "source", jp, PATH_PLAIN, &d->source, err) ||
	    get_str(o, "target", jp, true, &dst, err) ||
	    clean_path(dst, "target", jp, PATH_PLAIN, &d->target, err))
		return -1;
	d->description = xstrdup(desc ? desc : "");
	if (strcmp(d->source, "/") == 0)
		return policy_fail(err, jp, "source", "must not be \"/\"");
	if (check_target(d->target, "target", jp, err))
		return -1;
	/* An empty list would read as "nobody" but mean "everyone": make the admin say which. */
	return get_str_array(o, "groups", jp, "leave the key out to let everyone use the dataset",
	                     check_group, &d->groups, &d->n_groups, err);
}

static int parse_datasets(json_t *root, struct jpath *jp, struct policy *p, char **err)
{
	json_t *o, *v;
	const char *name;
	if (get(root, "datasets", jp, false, W_OBJECT, &o, err))
		return -1;
	if (!o)
		return 0;
	size_t mark = jp_push(jp, "datasets");
	p->datasets = xcalloc(json_object_size(o), sizeof *p->datasets);
	json_object_foreach(o, name, v) {
		if (!valid_name(name))
			return policy_fail_value(err, jp, NULL, name, "is not a valid dataset name (1 to 64 of a-z, 0-9, '.', '_', '-', "
			                         "starting with a letter or digit)");
		struct policy_dataset *d = &p->datasets[p->n_datasets++];
		size_t m = jp_push(jp, name);
		if (parse_dataset(v, name, jp, d, err))
			return -1;
		/* Two binds on one mount point, or one inside another, hide data or leave a
		 * mount point behind in someone's directory. */
		for (size_t i = 0; i + 1 < p->n_datasets; i++) {
			const struct policy_dataset *e = &p->datasets[i];
			if (strcmp(d->target, e->target) == 0)
				return policy_fail(err, jp, "target", "\"%s\" is already the target of datasets.%s",
				                   d->target, e->name);
			if (path_under(d->target, e->target) || path_under(e->target, d->target))
				return policy_fail(err, jp, "target", "\"%s\" overlaps datasets.%s.target (\"%s\"); "
				                   "mount points must not be inside one another", d->target, e->name, e->target);
		}
		jp_pop(jp, m);
	}
	jp_pop(jp, mark);
	return 0;
}

static int parse_results(json_t *root, struct jpath *jp, struct policy *p, char **err)
{
	json_t *o;
	const char *src, *dst;
	if (get(root, "results", jp, true, W_OBJECT, &o, err))
		return -1;
	size_t mark = jp_push(jp, "results");
	if (check_keys(o, jp, results_keys, err) ||
	    get_str(o, "source", jp, true, &src, err) ||
	    clean_path(src, "source", jp, PATH_USER_TEMPLATE, &p->results_source, err) ||
	    get_str(o, "target", jp, true, &dst, err) ||
	    clean_path(dst, "target", jp, PATH_PLAIN, &p->results_target, err) ||
	    check_target(p->results_target, "target", jp, err))
		return -1;
	/* The one writable bind: never the host's root. */
	if (strcmp(p->results_source, "/") == 0)
		return policy_fail(err, jp, "source", "must not be \"/\"");
	jp_pop(jp, mark);

	for (size_t i = 0; i < p->n_datasets; i++) {
		const struct policy_dataset *d = &p->datasets[i];
		mark = jp_push(jp, "datasets");
		jp_push(jp, d->name);
		if (strcmp(d->target, p->results_target) == 0)
			return policy_fail(err, jp, "target", "\"%s\" is the results target",
			                   d->target);
		if (path_under(d->target, p->results_target) || path_under(p->results_target, d->target))
			return policy_fail(err, jp, "target", "\"%s\" overlaps the results target (\"%s\"); "
			                   "mount points must not be inside one another", d->target, p->results_target);
		jp_pop(jp, mark);
	}
	return 0;
}

static int parse_terms(json_t *root, struct jpath *jp, const char *base_dir, struct policy *p,
                       char **err)
{
	json_t *o;
	const char *file, *version;
	if (get(root, "terms", jp, true, W_OBJECT, &o, err))
		return -1;
	size_t mark = jp_push(jp, "terms");
	if (check_keys(o, jp, terms_keys, err) ||
	    get_text(o, "file", jp, true, &file, err) ||
	    get_text(o, "version", jp, true, &version, err))
		return -1;
	if (has_ctl(version))
		return policy_fail(err, jp, "version",
		                   "must be one line without control characters");
	if (has_ctl(file))
		return policy_fail(err, jp, "file", "must not contain control characters");
	if (file[0] == '/' || !base_dir || !*base_dir)
		p->terms_file = xstrdup(file);
	else
		p->terms_file = xasprintf("%s%s%s", base_dir,
		                          base_dir[strlen(base_dir) - 1] == '/' ? "" : "/", file);
	p->terms_version = xstrdup(version);
	jp_pop(jp, mark);
	return 0;
}

static int parse_rest(json_t *root, struct jpath *jp, struct policy *p, char **err)
{
	const char *s;
	char *why = NULL;

	/* As with groups: [] would read as "no registry" but mean "any registry". */
	if (get_str_array(root, "registries", jp, "leave the key out to allow any registry",
	                  check_registry, &p->registries, &p->n_registries, err))
		return -1;
	for (size_t i = 0; i < p->n_registries; i++) {
		char *r = registry_normal(p->registries[i]);
		free(p->registries[i]);
		p->registries[i] = r;
	}

	if (get_str(root, "max_lifetime", jp, true, &s, err))
		return -1;
	if (parse_duration(s, &p->max_lifetime, &why) != 0) {
		policy_fail(err, jp, "max_lifetime", "%s", why);
		free(why);
		return -1;
	}
	if (p->max_lifetime <= 0)
		return policy_fail(err, jp, "max_lifetime", "must be more than 0");
	if (p->max_lifetime > MAX_LIFETIME)
		return policy_fail(err, jp, "max_lifetime", "must be at most 365d");

	if (get_text(root, "admin_group", jp, true, &s, err))
		return -1;
	if (!valid_group(s))
		return policy_fail_value(err, jp, "admin_group", s, "is not a Unix group name");
	p->admin_group = xstrdup(s);

	if (get_str(root, "researcher_logs", jp, false, &s, err))
		return -1;
	if (!s || strcmp(s, "full") == 0)
		p->researcher_logs = LOGS_FULL;
	else if (strcmp(s, "tail") == 0)
		p->researcher_logs = LOGS_TAIL;
	else if (strcmp(s, "none") == 0)
		p->researcher_logs = LOGS_NONE;
	else
		return policy_fail_value(err, jp, "researcher_logs", s,
		                         "is not one of full, tail, none");
	return 0;
}

/* A whole number in [min, max] into *out, left alone when the key is absent. */
static int get_count(json_t *o, const char *key, const struct jpath *jp, bool required,
                     int64_t min, int64_t max, int64_t *out, char **err)
{
	json_t *v;
	if (get(o, key, jp, required, W_INTEGER, &v, err))
		return -1;
	if (!v)
		return 0;
	json_int_t n = json_integer_value(v);
	if (n < min)
		return policy_fail(err, jp, key, "must be at least %" PRId64, min);
	if (n > max)
		return policy_fail(err, jp, key, "must be at most %" PRId64, max);
	*out = n;
	return 0;
}

static int parse_log_rotation(json_t *root, struct jpath *jp, struct policy *p, char **err)
{
	json_t *o;
	const char *s;
	char *why = NULL, min[32], got[32];
	int64_t files = POLICY_LOG_MAX_FILES;
	p->log_max_size = POLICY_LOG_MAX_SIZE;
	p->log_max_files = POLICY_LOG_MAX_FILES;
	if (get(root, "log_rotation", jp, false, W_OBJECT, &o, err))
		return -1;
	if (!o)
		return 0;
	size_t mark = jp_push(jp, "log_rotation");
	if (check_keys(o, jp, log_keys, err) || get_str(o, "max_size", jp, false, &s, err))
		return -1;
	if (s && parse_size(s, &p->log_max_size, &why) != 0) {
		policy_fail(err, jp, "max_size", "%s", why);
		free(why);
		return -1;
	}
	if (p->log_max_size < MIN_LOG_SIZE) {
		format_size(min, sizeof min, MIN_LOG_SIZE);
		format_size(got, sizeof got, p->log_max_size);
		return policy_fail(err, jp, "max_size", "must be at least %s, not %s", min, got);
	}
	if (get_count(o, "max_files", jp, false, 1, MAX_LOG_FILES, &files, err))
		return -1;
	p->log_max_files = (unsigned)files;
	jp_pop(jp, mark);
	return 0;
}

/* ulimits.<key>: {"soft": N, "hard": M}; hard defaults to soft, as max_cpus to cpus. */
static int parse_ulimit(json_t *o, const char *key, struct jpath *jp, int64_t min, int64_t max,
                        struct policy_ulimit *u, char **err)
{
	json_t *l;
	if (get(o, key, jp, false, W_OBJECT, &l, err))
		return -1;
	if (!l)
		return 0;
	size_t mark = jp_push(jp, key);
	if (check_keys(l, jp, ulimit_keys, err) ||
	    get_count(l, "soft", jp, true, min, max, &u->soft, err))
		return -1;
	u->hard = u->soft;
	if (get_count(l, "hard", jp, false, min, max, &u->hard, err))
		return -1;
	if (u->hard < u->soft)
		return policy_fail(err, jp, "hard", "must be at least soft (%" PRId64 ")", u->soft);
	jp_pop(jp, mark);
	return 0;
}

static int parse_hardening(json_t *root, struct jpath *jp, struct policy *p, char **err)
{
	json_t *o, *enc;
	if (parse_log_rotation(root, jp, p, err))
		return -1;
	p->nofile = (struct policy_ulimit){POLICY_NOFILE_SOFT, POLICY_NOFILE_HARD};
	p->nproc = (struct policy_ulimit){POLICY_NPROC_SOFT, POLICY_NPROC_HARD};
	if (get(root, "ulimits", jp, false, W_OBJECT, &o, err))
		return -1;
	if (o) {
		size_t mark = jp_push(jp, "ulimits");
		if (check_keys(o, jp, ulimits_keys, err) ||
		    parse_ulimit(o, "nofile", jp, MIN_NOFILE, MAX_NOFILE, &p->nofile, err) ||
		    parse_ulimit(o, "nproc", jp, MIN_NPROC, MAX_NPROC, &p->nproc, err))
			return -1;
		jp_pop(jp, mark);
	}
	if (get(root, "encrypted_network", jp, false, W_BOOLEAN, &enc, err))
		return -1;
	p->encrypted_network = json_is_true(enc);
	return 0;
}

/* metrics: where usage across the cluster comes from (docs/metrics.md). */
static int parse_metrics(json_t *root, struct jpath *jp, struct policy *p, char **err)
{
	json_t *o;
	const char *url, *ca, *cred, *win;
	char *why = NULL;
	if (get(root, "metrics", jp, false, W_OBJECT, &o, err))
		return -1;
	if (!o)
		return 0;
	size_t mark = jp_push(jp, "metrics");
	if (check_keys(o, jp, metrics_keys, err) || get_text(o, "prometheus", jp, true, &url, err) ||
	    get_text(o, "ca_file", jp, false, &ca, err) ||
	    get_text(o, "credentials_file", jp, false, &cred, err) ||
	    get_text(o, "rate_window", jp, false, &win, err))
		return -1;
	if (weburl_check(url, "prometheus", &p->metrics.prometheus, &why) != 0) {
		policy_fail(err, jp, "prometheus", "%s", strchr(why, ' ') + 1);
		free(why);
		return -1;
	}
	if (ca && clean_path(ca, "ca_file", jp, PATH_PLAIN, &p->metrics.ca_file, err))
		return -1;
	if (cred && clean_path(cred, "credentials_file", jp, PATH_PLAIN, &p->metrics.credentials_file, err))
		return -1;
	if (win) {
		if (parse_duration(win, &p->metrics.rate_window, &why) != 0) {
			policy_fail(err, jp, "rate_window", "%s", why);
			free(why);
			return -1;
		}
		if (p->metrics.rate_window < 4 || p->metrics.rate_window > 3600)
			return policy_fail(err, jp, "rate_window", "must be from 4s to 1h (at least four scrape intervals)");
	}
	jp_pop(jp, mark);
	return 0;
}

int policy_parse(const char *json, size_t len, const char *base_dir, struct policy *out, char **err)
{
	json_error_t je;
	struct jpath jp = {.n = 0};
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (err)
		*err = NULL;
	/* Duplicate keys are refused: with two "gpu" classes jansson would keep the last silently. */
	json_t *root = json_loadb(json ? json : "", json ? len : 0, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		/* After a member jansson says "'}' expected" though ',' was just as valid, and a
		 * missing comma is the usual mistake; and it names its own flag for "\u0000". */
		const char *text = je.text, *pre = "";
		if (strncmp(text, "'}' expected", 12) == 0 || strncmp(text, "']' expected", 12) == 0)
			pre = "',' or ";
		else if (strstr(text, "JSON_ALLOW_NUL"))
			text = "\\u0000 is not allowed in strings";
		char *shown = escape_ctl(text);
		if (err && je.line > 0)
			*err = xasprintf("line %d, column %d: %s%s", je.line, je.column, pre, shown);
		else if (err)
			*err = xasprintf("not JSON: %s%s", pre, shown);
		free(shown);
		return -1;
	}
	if (!json_is_object(root)) {
		policy_fail(err, NULL, NULL, "the policy must be a JSON object, not %s",
		            type_text(root));
		goto out;
	}
	if (check_keys(root, &jp, top_keys, err) ||
	    parse_classes(root, &jp, out, err) ||
	    parse_datasets(root, &jp, out, err) ||
	    parse_results(root, &jp, out, err) ||
	    parse_terms(root, &jp, base_dir, out, err) ||
	    parse_rest(root, &jp, out, err) ||
	    parse_hardening(root, &jp, out, err) ||
	    parse_metrics(root, &jp, out, err))
		goto out;
	rc = 0;
out:
	json_decref(root);
	if (rc)
		policy_clear(out);
	return rc;
}

/* Offset of the first byte that is not part of valid UTF-8 (overlong forms, surrogates and
 * code points above U+10FFFF included), or n. */
static size_t utf8_invalid_at(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i], cp, min;
		size_t len;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, min = 0x80;
		else if ((c & 0xf0) == 0xe0)
			len = 3, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, min = 0x10000;
		else
			return i;
		if (n - i < len)
			return i;
		cp = c & (0x7fu >> len);
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += len;
	}
	return n;
}

static unsigned line_of(const char *s, size_t off)
{
	unsigned line = 1;
	for (size_t i = 0; i < off; i++)
		line += s[i] == '\n';
	return line;
}

int policy_terms_check(const char *text, size_t len, const char *name, char **err)
{
	size_t bad;
	const char *nul = memchr(text, '\0', len);
	if (nul)
		return policy_fail(err, NULL, NULL, "%s contains a NUL byte (line %u); is it a text file?", name,
		                   line_of(text, (size_t)(nul - text)));
	if ((bad = utf8_invalid_at((const unsigned char *)text, len)) != len)
		return policy_fail(err, NULL, NULL, "%s is not valid UTF-8 (line %u); save it as UTF-8", name,
		                   line_of(text, bad));
	if (policy_blank(text))
		return policy_fail(err, NULL, NULL, "%s is empty", name);
	return 0;
}

/* ---- use ---- */

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void policy_clear(struct policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_classes; i++) {
		struct policy_class *c = &p->classes[i];
		free(c->name);
		free(c->description);
		free_strv(c->constraints, c->n_constraints);
	}
	free(p->classes);
	for (size_t i = 0; i < p->n_datasets; i++) {
		struct policy_dataset *d = &p->datasets[i];
		free(d->name);
		free(d->description);
		free(d->source);
		free(d->target);
		free_strv(d->groups, d->n_groups);
	}
	free(p->datasets);
	free(p->origin);
	free(p->distrust);
	free(p->source);
	free(p->results_source);
	free(p->results_target);
	free(p->terms_file);
	free(p->metrics.prometheus);
	free(p->metrics.ca_file);
	free(p->metrics.credentials_file);
	free(p->terms_version);
	free(p->terms_text);
	free_strv(p->registries, p->n_registries);
	free(p->admin_group);
	memset(p, 0, sizeof *p);
}

const struct policy_class *policy_class_find(const struct policy *p, const char *name)
{
	for (size_t i = 0; p && name && i < p->n_classes; i++)
		if (strcmp(p->classes[i].name, name) == 0)
			return &p->classes[i];
	return NULL;
}

const struct policy_dataset *policy_dataset_find(const struct policy *p, const char *name)
{
	for (size_t i = 0; p && name && i < p->n_datasets; i++)
		if (strcmp(p->datasets[i].name, name) == 0)
			return &p->datasets[i];
	return NULL;
}

bool policy_dataset_allowed(const struct policy_dataset *d, const char *const *groups, size_t n)
{
	if (!d)
		return false;
	if (d->n_groups == 0)
		return true;
	for (size_t i = 0; groups && i < n; i++)
		for (size_t j = 0; groups[i] && j < d->n_groups; j++)
			if (strcmp(groups[i], d->groups[j]) == 0)
				return true;
	return false;
}

bool policy_registry_allowed(const struct policy *p, const char *registry)
{
	if (p->n_registries == 0)
		return true;
	if (!registry)
		return false;
	/* Whole host[:port] only: "127.0.0.1:5000" must not admit "127.0.0.1:50000". */
	const char *r = strcasecmp(registry, "index.docker.io") == 0 ? "docker.io" : registry;
	for (size_t i = 0; i < p->n_registries; i++)
		if (strcasecmp(p->registries[i], r) == 0)
			return true;
	return false;
}

char *policy_results_source(const struct policy *p, const char *user)
{
	static const char tag[] = "{user}";
	const char *t = p->results_source ? p->results_source : "";
	const char *u = user ? user : "";
	size_t n = 0, ulen = strlen(u);
	for (const char *s = strstr(t, tag); s; s = strstr(s + 1, tag))
		n++;
	char *out = xmalloc(strlen(t) + n * ulen + 1), *q = out;
	for (const char *s; (s = strstr(t, tag)); t = s + sizeof tag - 1) {
		memcpy(q, t, (size_t)(s - t));
		q += s - t;
		memcpy(q, u, ulen);
		q += ulen;
	}
	strcpy(q, t);
	return out;
}
