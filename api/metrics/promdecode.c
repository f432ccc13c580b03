#include "api/metrics/promdecode.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/base/chars.h"
#include "api/base/sanitize.h"
#include "api/base/xalloc.h"

/* Prometheus's own messages can quote the query back; enough to act on, never a page. */
#define SHOWN_MAX 300

/* Text from the reply, fit for a message: controls replaced, at most SHOWN_MAX bytes. */
static char *shown(const char *s)
{
	const char *t = s ? s : "";
	char *cut = xstrndup(t, strnlen(t, SHOWN_MAX));   /* xstrndup copies n bytes */
	char *out = sanitize_str(cut, 0);
	free(cut);
	return out;
}

/* "text/html; charset=utf-8" -> "text/html", sanitised; "no Content-Type" when absent. */
static char *media_type(const char *content_type)
{
	if (!content_type || !*content_type)
		return xstrdup("no Content-Type");
	size_t n = strcspn(content_type, "; \t");
	char *t = xstrndup(content_type, n > 80 ? 80 : n);
	char *out = sanitize_str(t, SAN_ASCII);
	free(t);
	return out;
}

static int not_prometheus(long status, const char *content_type, char **err)
{
	char *mt = media_type(content_type);
	if (status == 401 || status == 403)
		*err = xasprintf("the credentials were refused (HTTP %ld, %s): check the metrics "
		                 "credentials file (docs/metrics.md)", status, mt);
	else
		*err = xasprintf("the reply does not look like a Prometheus API (got %s, HTTP %ld): "
		                 "the URL must be Prometheus's base URL, e.g. http://HOST:9090, "
		                 "without /api/v1 or /graph", mt, status);
	free(mt);
	return -1;
}

static int bad(char **err, const char *what)
{
	*err = xasprintf("Prometheus sent a result glovebox cannot read: %s", what);
	return -1;
}

/* "1.5", "NaN", "+Inf", "-Inf": Prometheus sends sample values as strings. */
static bool parse_value(const json_t *v, double *out)
{
	const char *s = json_string_value(v);
	if (!s || !*s)
		return false;
	if (strcmp(s, "NaN") == 0) {
		*out = NAN;
		return true;
	}
	if (strcmp(s, "+Inf") == 0 || strcmp(s, "-Inf") == 0) {
		*out = s[0] == '-' ? -INFINITY : INFINITY;
		return true;
	}
	char *end;
	*out = strtod(s, &end);
	return *end == '\0';
}

/* [t, "v"] */
static bool parse_point(const json_t *a, struct prom_point *p)
{
	if (!json_is_array(a) || json_array_size(a) != 2 || !json_is_number(json_array_get(a, 0)))
		return false;
	p->t = json_number_value(json_array_get(a, 0));
	return parse_value(json_array_get(a, 1), &p->v);
}

static void series_clear(struct prom_series *s)
{
	for (size_t i = 0; i < s->n_labels; i++) {
		free(s->labels[i].name);
		free(s->labels[i].value);
	}
	free(s->labels);
	free(s->points);
}

static int parse_series(const json_t *o, bool matrix, struct prom_series *s, char **err)
{
	const json_t *metric = json_object_get(o, "metric");
	if (!json_is_object(o) || !json_is_object(metric))
		return bad(err, "a series without its metric");
	const char *k;
	json_t *v;
	s->labels = xcalloc(json_object_size(metric) + 1, sizeof *s->labels);
	json_object_foreach((json_t *)metric, k, v) {
		if (!json_is_string(v))
			return bad(err, "a label whose value is not a string");
		s->labels[s->n_labels].name = xstrdup(k);
		s->labels[s->n_labels++].value = xstrdup(json_string_value(v));
	}
	if (!matrix) {
		s->points = xcalloc(1, sizeof *s->points);
		if (!parse_point(json_object_get(o, "value"), &s->points[0]))
			return bad(err, "a sample that is not [time, \"value\"]");
		s->n_points = 1;
		return 0;
	}
	const json_t *vals = json_object_get(o, "values");
	if (!json_is_array(vals))
		return bad(err, "a range series without values");
	s->points = xcalloc(json_array_size(vals) + 1, sizeof *s->points);
	for (size_t i = 0; i < json_array_size(vals); i++)
		if (!parse_point(json_array_get(vals, i), &s->points[s->n_points++]))
			return bad(err, "a sample that is not [time, \"value\"]");
	return 0;
}

static int parse_data(const json_t *data, struct prom_result *out, char **err)
{
	const char *type = json_string_value(json_object_get(data, "resultType"));
	const json_t *res = json_object_get(data, "result");
	if (!json_is_object(data) || !type || !res)
		return bad(err, "no resultType or result");
	if (strcmp(type, "scalar") == 0 || strcmp(type, "string") == 0) {
		out->type = type[1] == 'c' ? PROM_SCALAR : PROM_STRING;
		out->v = xcalloc(1, sizeof *out->v);
		out->v[0].points = xcalloc(1, sizeof *out->v[0].points);
		out->n = 1;
		if (out->type == PROM_STRING)
			return 0;   /* nothing glovebox reads is a string */
		if (!parse_point(res, &out->v[0].points[0]))
			return bad(err, "a scalar that is not [time, \"value\"]");
		out->v[0].n_points = 1;
		return 0;
	}
	bool matrix = strcmp(type, "matrix") == 0;
	if (!matrix && strcmp(type, "vector") != 0)
		return bad(err, "an unknown resultType");
	if (!json_is_array(res))
		return bad(err, "a result that is not a list");
	out->type = matrix ? PROM_MATRIX : PROM_VECTOR;
	out->v = xcalloc(json_array_size(res) + 1, sizeof *out->v);
	for (size_t i = 0; i < json_array_size(res); i++)
		if (parse_series(json_array_get(res, i), matrix, &out->v[out->n++], err) != 0)
			return -1;
	return 0;
}

int prom_decode(long status, const char *content_type, const char *body, size_t len,
                struct prom_result *out, char **err)
{
	memset(out, 0, sizeof *out);
	*err = NULL;
	json_t *root = body && len ? json_loadb(body, len, 0, NULL) : NULL;
	const char *st = json_string_value(json_object_get(root, "status"));
	int rc = -1;
	if (!json_is_object(root) || !st) {
		rc = not_prometheus(status, content_type, err);
	} else if (strcmp(st, "error") == 0) {
		char *type = shown(json_string_value(json_object_get(root, "errorType")));
		char *msg = shown(json_string_value(json_object_get(root, "error")));
		*err = xasprintf("Prometheus refused the query (%s): %s", *type ? type : "error",
		                 *msg ? msg : "no reason given");
		free(type);
		free(msg);
	} else if (strcmp(st, "success") != 0 || status < 200 || status >= 300) {
		rc = not_prometheus(status, content_type, err);
	} else {
		rc = parse_data(json_object_get(root, "data"), out, err);
	}
	json_decref(root);
	if (rc != 0)
		prom_result_clear(out);
	return rc;
}

void prom_result_clear(struct prom_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		series_clear(&r->v[i]);
	free(r->v);
	memset(r, 0, sizeof *r);
}

const char *prom_series_label(const struct prom_series *s, const char *name)
{
	for (size_t i = 0; i < s->n_labels; i++)
		if (strcmp(s->labels[i].name, name) == 0)
			return s->labels[i].value;
	return NULL;
}

static bool hex64(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!char_is_lower_hex((unsigned char)s[i]))
			return false;
	return true;
}

bool prom_container_id(const char *cgroup_path, char out[65])
{
	out[0] = '\0';
	if (!cgroup_path || cgroup_path[0] != '/')
		return false;
	const char *last = strrchr(cgroup_path, '/') + 1;
	size_t n = strlen(last);
	const char *id = last;
	if (n == 64 + 13 && strncmp(last, "docker-", 7) == 0 && strcmp(last + n - 6, ".scope") == 0) {
		id = last + 7;
		n = 64;
	}
	if (!hex64(id, n))
		return false;
	memcpy(out, id, 64);
	out[64] = '\0';
	return true;
}
