/* Reading one value of the policy file (policy_int.h): the path of the value for messages, the
 * errors, checks on names, sizes and durations (policy.h), typed values, host and container
 * paths. The sections themselves are read in policy.c. */
#include "api/core/policy_int.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/base/chars.h"
#include "api/base/err.h"
#include "api/base/xalloc.h"
#include "api/core/policy.h"

#define NAME_MAX_LEN      64
#define GROUP_MAX_LEN     256

/* ---- errors ---- */

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

size_t jp_push(struct jpath *p, const char *key)
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

void jp_pop(struct jpath *p, size_t n)
{
	p->n = n;
	p->s[n] = '\0';
}

int policy_fail(char **err, const struct jpath *jp, const char *key, const char *fmt, ...)
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

int policy_fail_value(char **err, const struct jpath *jp, const char *key, const char *value,
                      const char *msg)
{
	char *q = quote(value);
	policy_fail(err, jp, key, "%s %s", q, msg);
	free(q);
	return -1;
}

char *escape_ctl(const char *s)
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

bool has_ctl(const char *s)
{
	for (; *s; s++)
		if (char_is_ctl((unsigned char)*s))
			return true;
	return false;
}

bool policy_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

bool valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > NAME_MAX_LEN || !char_is_lower_alnum((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!char_is_lower_alnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

bool valid_group(const char *s)
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

char *registry_normal(const char *s)
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

static const char *want_text(enum want w)
{
	static const char *const t[] = {"an object", "an array", "a string", "a number", "a whole number",
	                                "true or false"};
	return t[w];
}

const char *type_text(const json_t *v)
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

int get(json_t *o, const char *key, const struct jpath *jp, bool required, enum want w,
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

int get_str(json_t *o, const char *key, const struct jpath *jp, bool required,
            const char **s, char **err)
{
	json_t *v;
	if (get(o, key, jp, required, W_STRING, &v, err))
		return -1;
	*s = v ? json_string_value(v) : NULL;
	return 0;
}

int get_text(json_t *o, const char *key, const struct jpath *jp, bool required,
             const char **s, char **err)
{
	if (get_str(o, key, jp, required, s, err))
		return -1;
	if (*s && policy_blank(*s))
		return policy_fail(err, jp, key, "must not be empty");
	return 0;
}

int check_keys(json_t *o, const struct jpath *jp, const char *const known[], char **err)
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

int get_str_array(json_t *o, const char *key, struct jpath *jp, const char *empty_hint,
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

int check_constraint(const char *s, const struct jpath *jp, char **err)
{
	if (valid_constraint(s))
		return 0;
	return policy_fail_value(err, jp, NULL, s,
	                         "is not a placement constraint (e.g. node.labels.glovebox.class==gpu)");
}

int check_group(const char *s, const struct jpath *jp, char **err)
{
	return valid_group(s) ? 0 : policy_fail_value(err, jp, NULL, s, "is not a Unix group name");
}

int check_registry(const char *s, const struct jpath *jp, char **err)
{
	return valid_registry(s) ? 0 : policy_fail_value(err, jp, NULL, s, "is not a host[:port]");
}

/* ---- paths ---- */

int clean_path(const char *s, const char *key, const struct jpath *jp, enum path_kind kind,
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

bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int check_target(const char *t, const char *key, const struct jpath *jp, char **err)
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
