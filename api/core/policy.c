/* The policy file's sections (classes, datasets, results, terms, the rest, hardening) and
 * policy_parse, the terms check, policy_clear and the queries on a parsed policy (policy.h).
 * Reading one value is in policy_read.c (policy_int.h). */
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
#include "api/core/policy_int.h"
#include "api/core/weburl.h"

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
