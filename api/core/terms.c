#include <glib.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/chars.h"
#include "api/base/err.h"
#include "api/base/str.h"
#include "api/base/timefmt.h"
#include "api/base/xalloc.h"
#include "api/core/terms.h"

/* Swarm limits on configs (docker/swarmkit api/validation). */
#define CONFIG_NAME_MAX   64
#define CONFIG_DATA_LIMIT 1024000

/* "YYYY-MM-DDTHH:MM:SSZ" covers 1970 to 9999. */

/* The LCS table holds one uint16_t per cell; these bound it at 8 MB and the line arrays at
 * 5,000 entries, well above any terms a person is expected to read. */
#define DIFF_MAX_LINES 5000
#define DIFF_MAX_CELLS 4000000
#define DIFF_TOO_LARGE "the terms were rewritten entirely\n"

char *sha256_hex(const char *data, size_t len)
{
	GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
	if (!ck)
		abort();   /* only for an unknown checksum type */
	/* GChecksum takes a gssize: feed very large buffers in pieces. */
	const guchar *p = (const guchar *)data;
	while (len > 0) {
		size_t n = len > (size_t)G_MAXSSIZE ? (size_t)G_MAXSSIZE : len;
		g_checksum_update(ck, p, (gssize)n);
		p += n;
		len -= n;
	}
	char *hex = xstrdup(g_checksum_get_string(ck));
	g_checksum_free(ck);
	return hex;
}

/* ---- the record ---- */

/* What makes a record one, beyond the JSON types: both directions apply it, so glovebox never
 * stores a record it would refuse to read back. */
static int consent_validate(const struct consent *c, char **err)
{
	if (!*c->user)
		return err_set(err, "consent record: user is empty");
	if (!str_is_sha256_hex(c->terms_sha256))
		return err_set(err, "consent record: terms_sha256 must be 64 lowercase hex digits");
	char *sha = sha256_hex(c->terms_text, strlen(c->terms_text));
	bool same = strcmp(sha, c->terms_sha256) == 0;
	free(sha);
	if (!same)
		return err_set(err, "consent record: terms_sha256 is not the SHA-256 of terms_text");
	if (str_blank(c->purpose))
		return err_set(err, "consent record: purpose is empty");
	if (strpbrk(c->purpose, "\r\n"))
		return err_set(err, "consent record: purpose must be one line");
	if (c->time < 0 || c->time > TIME_ISO8601_MAX)
		return err_set(err, "consent record: time %" PRId64 " is outside 1970-9999", c->time);
	return 0;
}

/* json_string() is NULL for NULL or invalid UTF-8; json_object_set_new() then fails and the
 * caller sees it. */
static bool terms_put(json_t *o, const char *key, json_t *v)
{
	return json_object_set_new(o, key, v) == 0;
}

char *consent_to_json(const struct consent *c)
{
	if (!c->user || !c->terms_version || !c->terms_sha256 || !c->terms_text || !c->class_name
	    || !c->purpose || !c->host || !c->glovebox_version || (c->n_datasets && !c->datasets))
		return NULL;
	if (consent_validate(c, NULL) != 0)
		return NULL;

	char *out = NULL;
	char when[TIME_ISO8601_SIZE];
	time_iso8601(c->time, when);
	json_t *o = json_object();
	json_t *ds = json_array();
	bool ok = o && ds;
	for (size_t i = 0; ok && i < c->n_datasets; i++)
		ok = c->datasets[i] && json_array_append_new(ds, json_string(c->datasets[i])) == 0;
	ok = ok && terms_put(o, "user", json_string(c->user))
	     && terms_put(o, "terms_version", json_string(c->terms_version))
	     && terms_put(o, "terms_sha256", json_string(c->terms_sha256))
	     && terms_put(o, "terms_text", json_string(c->terms_text))
	     && terms_put(o, "datasets", json_incref(ds))
	     && terms_put(o, "class", json_string(c->class_name))
	     && terms_put(o, "purpose", json_string(c->purpose))
	     && terms_put(o, "time", json_string(when))
	     && terms_put(o, "host", json_string(c->host))
	     && terms_put(o, "glovebox_version", json_string(c->glovebox_version));
	if (ok)
		out = json_dumps(o, JSON_INDENT(2));
	json_decref(ds);
	json_decref(o);
	/* A record the swarm cannot store is no record. */
	if (out && strlen(out) >= CONFIG_DATA_LIMIT) {
		free(out);
		out = NULL;
	}
	return out;
}

static const char *get_string(json_t *o, const char *key, char **err)
{
	json_t *v = json_object_get(o, key);
	if (!v) {
		err_set(err, "consent record: \"%s\" is missing", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		err_set(err, "consent record: \"%s\" must be a string", key);
		return NULL;
	}
	return json_string_value(v);
}

json_t *record_json_load(const char *json, size_t len, const char *what, char **err)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		err_set(err, "%s: not valid JSON (line %d: %s)", what, jerr.line, jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		err_set(err, "%s: not a JSON object", what);
		json_decref(root);
		return NULL;
	}
	return root;
}

int consent_from_json(const char *json, size_t len, struct consent *out, char **err)
{
	struct consent c = {0};
	int rc = -1;
	json_t *root = record_json_load(json, len, "consent record", err);
	if (!root)
		return -1;

	const struct { const char *key; char **to; } fields[] = {
		{ "user", &c.user },
		{ "terms_version", &c.terms_version },
		{ "terms_sha256", &c.terms_sha256 },
		{ "terms_text", &c.terms_text },
		{ "class", &c.class_name },
		{ "purpose", &c.purpose },
		{ "host", &c.host },
		{ "glovebox_version", &c.glovebox_version },
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *s = get_string(root, fields[i].key, err);
		if (!s)
			goto out;
		*fields[i].to = xstrdup(s);
	}

	const char *when = get_string(root, "time", err);
	if (!when)
		goto out;
	if (time_iso8601_parse(when, &c.time) != 0) {
		err_set(err, "consent record: time \"%.40s\" is not UTC ISO 8601 (2026-11-22T08:11:44Z)", when);
		goto out;
	}

	json_t *ds = json_object_get(root, "datasets");
	if (!ds) {
		err_set(err, "consent record: \"datasets\" is missing");
		goto out;
	}
	if (!json_is_array(ds)) {
		err_set(err, "consent record: \"datasets\" must be an array of strings");
		goto out;
	}
	c.datasets = xcalloc(json_array_size(ds) + 1, sizeof *c.datasets);
	for (size_t i = 0; i < json_array_size(ds); i++) {
		json_t *v = json_array_get(ds, i);
		if (!json_is_string(v)) {
			err_set(err, "consent record: datasets[%zu] must be a string", i);
			goto out;
		}
		c.datasets[c.n_datasets++] = xstrdup(json_string_value(v));
	}

	if (consent_validate(&c, err) != 0)
		goto out;
	*out = c;
	memset(&c, 0, sizeof c);
	rc = 0;
out:
	consent_clear(&c);
	json_decref(root);
	return rc;
}

void consent_clear(struct consent *c)
{
	free(c->user);
	free(c->terms_version);
	free(c->terms_sha256);
	free(c->terms_text);
	for (size_t i = 0; i < c->n_datasets; i++)
		free(c->datasets[i]);
	free(c->datasets);
	free(c->class_name);
	free(c->purpose);
	free(c->host);
	free(c->glovebox_version);
	memset(c, 0, sizeof *c);
}

/* ---- the swarm config ---- */

char *consent_config_name(const struct consent *c)
{
	static const char prefix[] = "glovebox-consent-";
	char sha8[9] = "";
	const char *sha = c->terms_sha256 ? c->terms_sha256 : "";
	size_t k;
	for (k = 0; k < 8 && sha[k]; k++)
		sha8[k] = char_is_name(sha[k]) ? sha[k] : '-';
	sha8[k] = '\0';

	/* The time and the hash tell one user's acceptances apart; only the user part gives way. */
	char suffix[48];
	int n = snprintf(suffix, sizeof suffix, "-%" PRId64 "-%s", c->time, sha8);
	size_t room = CONFIG_NAME_MAX - (sizeof prefix - 1) - (size_t)n;
	const char *user = c->user ? c->user : "";
	size_t ulen = strlen(user);
	if (ulen > room)
		ulen = room;

	char *name = xmalloc(sizeof prefix + ulen + (size_t)n);
	char *p = stpcpy(name, prefix);
	for (size_t i = 0; i < ulen; i++)
		*p++ = char_is_name(user[i]) ? user[i] : '-';
	strcpy(p, suffix);
	return name;
}

char *consent_config_labels(const struct consent *c)
{
	json_t *o = json_object();
	char *out = NULL;
	if (o && terms_put(o, "glovebox.consent", json_string("1"))
	    && terms_put(o, "glovebox.user", json_string(c->user))
	    && terms_put(o, "glovebox.terms-sha256", json_string(c->terms_sha256))
	    && terms_put(o, "glovebox.terms-version", json_string(c->terms_version)))
		out = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return out;
}

/* ---- the diff ---- */

struct line {
	const char *s;
	size_t len;
	uint32_t hash;
};

struct lines {
	struct line *v;
	size_t n;
};

/* Lines end at "\n" or "\r\n"; a last line without either still counts, so a missing final
 * newline or a change of line endings alone is no difference. Stops after max + 1 lines. */
static void split_lines(const char *text, size_t max, struct lines *out)
{
	size_t cap = 16;
	out->v = xreallocarray(NULL, cap, sizeof *out->v);
	out->n = 0;
	const char *p = text;
	while (*p && out->n <= max) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *next = nl ? nl + 1 : p + len;
		if (nl && len > 0 && p[len - 1] == '\r')
			len--;
		uint32_t h = 2166136261u;   /* FNV-1a: cheap inequality test before memcmp */
		for (size_t i = 0; i < len; i++)
			h = (h ^ (unsigned char)p[i]) * 16777619u;
		if (out->n == cap) {
			cap *= 2;
			out->v = xreallocarray(out->v, cap, sizeof *out->v);
		}
		out->v[out->n++] = (struct line){ p, len, h };
		p = next;
	}
}

static bool line_eq(const struct line *a, const struct line *b)
{
	return a->hash == b->hash && a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

enum op_kind { OP_SAME, OP_DEL, OP_ADD };

struct op {
	enum op_kind kind;
	const struct line *line;
};

/* The edit script: common prefix and suffix first, then an LCS over what lies between. lcs[i][j]
 * is the LCS length of a[i..] and b[j..], so a walk from the start can prefer deletions before
 * additions within a change. Returns the number of ops, or 0 with *too_large when the middle
 * is beyond the table's budget. */
static size_t edit_script(const struct lines *a, const struct lines *b, struct op *ops,
			  bool *too_large)
{
	size_t pre = 0, suf = 0, k = 0;
	while (pre < a->n && pre < b->n && line_eq(&a->v[pre], &b->v[pre]))
		pre++;
	while (suf < a->n - pre && suf < b->n - pre
	       && line_eq(&a->v[a->n - 1 - suf], &b->v[b->n - 1 - suf]))
		suf++;
	size_t n = a->n - pre - suf, m = b->n - pre - suf;
	if (n > 0 && m > 0 && (n + 1) * (m + 1) > DIFF_MAX_CELLS) {
		*too_large = true;
		return 0;
	}

	for (size_t i = 0; i < pre; i++)
		ops[k++] = (struct op){ OP_SAME, &a->v[i] };
	const struct line *x = a->v + pre, *y = b->v + pre;
	uint16_t *lcs = NULL;
	if (n > 0 && m > 0) {
		size_t w = m + 1;
		lcs = xcalloc((n + 1) * w, sizeof *lcs);
		for (size_t i = n; i-- > 0;)
			for (size_t j = m; j-- > 0;) {
				uint16_t down = lcs[(i + 1) * w + j], right = lcs[i * w + j + 1];
				lcs[i * w + j] = line_eq(&x[i], &y[j]) ? (uint16_t)(lcs[(i + 1) * w + j + 1] + 1)
								       : (down >= right ? down : right);
			}
	}
	size_t i = 0, j = 0;
	while (i < n || j < m) {
		if (i < n && j < m && line_eq(&x[i], &y[j])) {
			ops[k++] = (struct op){ OP_SAME, &x[i] };
			i++;
			j++;
		} else if (j == m || (i < n && lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1])) {
			ops[k++] = (struct op){ OP_DEL, &x[i++] };
		} else {
			ops[k++] = (struct op){ OP_ADD, &y[j++] };
		}
	}
	free(lcs);
	for (size_t s = 0; s < suf; s++)
		ops[k++] = (struct op){ OP_SAME, &a->v[a->n - suf + s] };
	return k;
}

char *terms_diff(const char *old_text, const char *new_text, int context)
{
	struct lines a, b;
	struct xbuf out = {0};
	split_lines(old_text ? old_text : "", DIFF_MAX_LINES, &a);
	split_lines(new_text ? new_text : "", DIFF_MAX_LINES, &b);
	size_t ctx = context > 0 ? (size_t)context : 0;
	bool too_large = a.n > DIFF_MAX_LINES || b.n > DIFF_MAX_LINES;
	struct op *ops = xreallocarray(NULL, a.n + b.n + 1, sizeof *ops);
	size_t n_ops = too_large ? 0 : edit_script(&a, &b, ops, &too_large);

	if (too_large) {
		xbuf_add(&out, DIFF_TOO_LARGE, strlen(DIFF_TOO_LARGE));
		goto out;
	}

	/* show[k]: the op is a change or lies within ctx lines of one. */
	bool *show = xcalloc(n_ops + 1, sizeof *show);
	size_t since = SIZE_MAX;
	for (size_t k = 0; k < n_ops; k++) {
		since = ops[k].kind != OP_SAME ? 0 : (since == SIZE_MAX ? SIZE_MAX : since + 1);
		show[k] = since <= ctx;
	}
	since = SIZE_MAX;
	for (size_t k = n_ops; k-- > 0;) {
		since = ops[k].kind != OP_SAME ? 0 : (since == SIZE_MAX ? SIZE_MAX : since + 1);
		show[k] = show[k] || since <= ctx;
	}

	bool shown_any = false, skipped = false;
	for (size_t k = 0; k < n_ops; k++) {
		if (!show[k]) {
			skipped = true;
			continue;
		}
		if (skipped && shown_any)
			xbuf_add(&out, "...\n", 4);
		skipped = false;
		shown_any = true;
		xbuf_add(&out, ops[k].kind == OP_DEL ? "- " : ops[k].kind == OP_ADD ? "+ " : "  ", 2);
		xbuf_add(&out, ops[k].line->s, ops[k].line->len);
		xbuf_add(&out, "\n", 1);
	}
	free(show);
out:
	free(ops);
	free(a.v);
	free(b.v);
	return xbuf_take(&out);
}

void consent_find(const struct config_list *l, const char *user, const char *sha,
                  char **accepted, struct consent *last, bool *has_last)
{
	const struct swarm_config *newest = NULL;
	*accepted = NULL;
	*has_last = false;
	for (size_t i = 0; l && i < l->n; i++) {
		const struct swarm_config *cf = &l->v[i];
		struct consent rec = {0};
		if (consent_from_json(cf->data, cf->data_len, &rec, NULL) != 0)
			continue;
		bool mine = strcmp(rec.user, user) == 0;
		if (mine && !*accepted && strcmp(rec.terms_sha256, sha) == 0)
			*accepted = xstrdup(cf->name);
		if (mine && (!newest || cf->created_ns > newest->created_ns))
			newest = cf;
		consent_clear(&rec);
	}
	*has_last = newest && consent_from_json(newest->data, newest->data_len, last, NULL) == 0;
}
