#include "api/core/jobspec.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/chars.h"
#include "api/base/str.h"
#include "api/base/timefmt.h"
#include "api/base/xalloc.h"
#include "api/core/fit.h"
#include "api/engine/model.h"

#define NAME_MAX_LEN 48
#define SUFFIX_LEN 9                         /* "-" and 8 hex digits */
#define NANO 1000000000LL
#define MIN_NANOCPUS 1000000LL               /* 0.001 CPU, swarmkit's smallest non-zero value */
/* Not swarmkit's 4 MiB: dockerd refuses a container limit under 6 MiB, so a smaller one would
 * pass /services/create's checks and fail only where every task starts. */
#define MIN_MEMORY POLICY_MIN_MEMORY
#define MAX_ARGS 256
#define MAX_ARG_LEN 4096
#define MAX_PURPOSE 500
#define PIDS_LIMIT 512
#define TMP_SIZE (256LL << 20)
#define TMP_MODE 01777
#define RESTART_ATTEMPTS 5
#define RESTART_DELAY_NS (10 * NANO)

const char *job_field_name(enum job_field f)
{
	static const char *const names[JF_COUNT] = {
		[JF_IMAGE] = "image", [JF_CLASS] = "class", [JF_DATASETS] = "datasets",
		[JF_CPUS] = "cpus", [JF_MEMORY] = "memory", [JF_LIFETIME] = "lifetime",
		[JF_NAME] = "name", [JF_COMMAND] = "command", [JF_PURPOSE] = "purpose",
	};
	return (unsigned)f < JF_COUNT ? names[f] : "unknown";
}

/* An empty form field means the same as an absent one: use the default. */
static bool given(const char *s)
{
	return s && *s;
}

/* Strict UTF-8 (no overlong forms, surrogates or code points past U+10FFFF), as jansson
 * demands. Returns the number of code points, or -1. */
static long utf8_length(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long n = 0;
	while (*p) {
		unsigned c = *p, len, cp;
		if (c < 0x80) {
			p++;
			n++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return -1;
		}
		for (unsigned i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return -1;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return -1;
		p += len;
		n++;
	}
	return n;
}

/* The C1 controls U+0080..U+009F are encoded as C2 80..C2 9F. */
static bool has_controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7F || (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F))
			return true;
	return false;
}

/* "a, b, c" from n strings taken by get(i). New string. */
static char *join(size_t n, const char *(*get)(const void *, size_t), const void *ctx,
                  const char *sep)
{
	size_t len = 1, seplen = strlen(sep);
	for (size_t i = 0; i < n; i++)
		len += strlen(get(ctx, i)) + seplen;
	char *out = xmalloc(len), *o = out;
	*o = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			o = stpcpy(o, sep);
		o = stpcpy(o, get(ctx, i));
	}
	return out;
}

static const char *class_name_at(const void *ctx, size_t i)
{
	return ((const struct policy *)ctx)->classes[i].name;
}

static const char *dataset_name_at(const void *ctx, size_t i)
{
	return ((const struct policy *)ctx)->datasets[i].name;
}

static const char *string_at(const void *ctx, size_t i)
{
	return ((const char *const *)ctx)[i];
}

/* Appends "; msg" to a field's message so one field can report several problems. Takes msg. */
static void field_add(struct job_errors *e, enum job_field f, char *msg)
{
	if (!e->msg[f]) {
		e->msg[f] = msg;
		return;
	}
	char *both = xasprintf("%s; %s", e->msg[f], msg);
	free(e->msg[f]);
	free(msg);
	e->msg[f] = both;
}

/* Without strtod: the console runs under setlocale(LC_ALL, ""), where the decimal point may
 * be ','. Docker's --cpus likewise refuses more than 9 decimal places. */
int parse_cpus(const char *s, int64_t *nanos, char **err)
{
	int64_t whole = 0, frac = 0;
	int int_digits = 0, frac_digits = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++, int_digits++) {
		if (whole > 1000000)
			goto bad_size;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, frac_digits++) {
			if (frac_digits == 9) {
				*err = xasprintf("\"%s\" is too precise: at most 9 decimal places", s);
				return -1;
			}
			frac = frac * 10 + (*p - '0');
		}
	}
	if (*p || int_digits + frac_digits == 0) {
		*err = xasprintf("\"%s\" is not a number of CPUs (write e.g. 2 or 0.5)", s);
		return -1;
	}
	for (int i = frac_digits; i < 9; i++)
		frac *= 10;
	*nanos = whole * NANO + frac;
	return 0;
bad_size:
	*err = xasprintf("\"%s\" is far more CPUs than any node has", s);
	return -1;
}

/* 2 -> "2 CPUs", 1 -> "1 CPU", 0.5 -> "0.5 CPU"; locale-independent like parse_cpus. */
static void format_cpus(char *buf, size_t sz, int64_t nanos)
{
	int64_t whole = nanos / NANO, frac = nanos % NANO;
	int digits = 9;
	while (frac && frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	if (frac)
		snprintf(buf, sz, "%lld.%0*lld CPU%s", (long long)whole, digits, (long long)frac,
		         whole >= 1 ? "s" : "");
	else
		snprintf(buf, sz, "%lld CPU%s", (long long)whole, whole == 1 ? "" : "s");
}

static void check_image(const struct policy *p, const struct job_request *r,
                        struct job_plan *plan, struct job_errors *e)
{
	char *err = NULL;
	if (!given(r->image)) {
		e->msg[JF_IMAGE] = xstrdup("an image is required (e.g. registry:5000/lab/analysis:1.0)");
		return;
	}
	if (imageref_parse(r->image, &plan->image, &err) != 0) {
		e->msg[JF_IMAGE] = err;
		return;
	}
	if (!policy_registry_allowed(p, plan->image.registry)) {
		char *allowed = join(p->n_registries, string_at, p->registries, ", ");
		e->msg[JF_IMAGE] = xasprintf("image \"%s\" is not from an allowed registry (allowed: %s)",
		                             r->image, allowed);
		free(allowed);
	}
}

/* With no class asked for, the one named "default", else the policy's first. */
static void check_class(const struct policy *p, const struct job_request *r,
                        struct job_plan *plan, struct job_errors *e)
{
	if (given(r->class_name))
		plan->cls = policy_class_find(p, r->class_name);
	else if (!(plan->cls = policy_class_find(p, "default")) && p->n_classes)
		plan->cls = &p->classes[0];
	if (plan->cls)
		return;
	if (!p->n_classes) {
		e->msg[JF_CLASS] = xstrdup("the policy defines no classes; ask an admin");
		return;
	}
	char *names = join(p->n_classes, class_name_at, p, ", ");
	e->msg[JF_CLASS] = xasprintf("unknown class \"%s\" (classes: %s)", r->class_name, names);
	free(names);
}

static void check_datasets(const struct policy *p, const struct job_request *r,
                           const struct identity *id, struct job_plan *plan, struct job_errors *e)
{
	bool *wanted = xcalloc(p->n_datasets, sizeof *wanted);
	if (r->n_datasets && !r->datasets) {
		e->msg[JF_DATASETS] = xstrdup("the dataset list is missing");
		goto out;
	}
	for (size_t i = 0; i < r->n_datasets; i++) {
		const char *name = r->datasets[i];
		if (!given(name)) {
			field_add(e, JF_DATASETS, xstrdup("empty dataset name"));
			continue;
		}
		const struct policy_dataset *d = policy_dataset_find(p, name);
		if (!d) {
			char *names = join(p->n_datasets, dataset_name_at, p, ", ");
			field_add(e, JF_DATASETS, p->n_datasets
			          ? xasprintf("unknown dataset \"%s\" (datasets: %s)", name, names)
			          : xasprintf("unknown dataset \"%s\" (the policy defines none)", name));
			free(names);
			continue;
		}
		size_t k = (size_t)(d - p->datasets);
		if (wanted[k]) {
			field_add(e, JF_DATASETS, xasprintf("dataset \"%s\" is listed twice", name));
			continue;
		}
		wanted[k] = true;
		if (!policy_dataset_allowed(d, id->groups, id->n_groups)) {
			char *groups = join(d->n_groups, string_at, d->groups, " or ");
			field_add(e, JF_DATASETS,
			          xasprintf("dataset \"%s\" is for members of %s", name, groups));
			free(groups);
		}
	}
	if (e->msg[JF_DATASETS])
		goto out;
	plan->datasets = xcalloc(r->n_datasets, sizeof *plan->datasets);
	for (size_t k = 0; k < p->n_datasets; k++)
		if (wanted[k])
			plan->datasets[plan->n_datasets++] = xstrdup(p->datasets[k].name);
out:
	free(wanted);
}

static void check_cpus(const struct job_request *r, struct job_plan *plan, struct job_errors *e)
{
	const struct policy_class *c = plan->cls;
	char *err = NULL, a[48], b[48];
	int64_t nanos;
	if (!given(r->cpus)) {
		plan->cpus = c ? c->cpus : 0;
		return;
	}
	if (parse_cpus(r->cpus, &nanos, &err) != 0) {
		e->msg[JF_CPUS] = err;
		return;
	}
	if (nanos < MIN_NANOCPUS) {
		format_cpus(a, sizeof a, MIN_NANOCPUS);
		e->msg[JF_CPUS] = xasprintf("at least %s", a);
		return;
	}
	if (c && nanos > llround(c->max_cpus * 1e9)) {
		format_cpus(b, sizeof b, llround(c->max_cpus * 1e9));
		e->msg[JF_CPUS] = xasprintf("at most %s in class %s", b, c->name);
		return;
	}
	plan->cpus = (double)nanos / 1e9;
}

static void check_memory(const struct job_request *r, struct job_plan *plan,
                         struct job_errors *e)
{
	const struct policy_class *c = plan->cls;
	char *err = NULL, buf[48];
	int64_t bytes;
	if (!given(r->memory)) {
		plan->memory = c ? c->memory : 0;
		return;
	}
	if (parse_size(r->memory, &bytes, &err) != 0) {
		e->msg[JF_MEMORY] = err;
		return;
	}
	if (bytes < MIN_MEMORY) {
		format_size(buf, sizeof buf, MIN_MEMORY);
		e->msg[JF_MEMORY] = xasprintf("at least %s", buf);
		return;
	}
	if (c && bytes > c->max_memory) {
		format_size(buf, sizeof buf, c->max_memory);
		e->msg[JF_MEMORY] = xasprintf("at most %s in class %s", buf, c->name);
		return;
	}
	plan->memory = bytes;
}

static void check_lifetime(const struct policy *p, const struct job_request *r,
                           struct job_plan *plan, struct job_errors *e)
{
	char *err = NULL, buf[64];
	int64_t secs;
	if (!given(r->lifetime)) {
		plan->lifetime = p->max_lifetime;
		return;
	}
	if (parse_duration(r->lifetime, &secs, &err) != 0) {
		e->msg[JF_LIFETIME] = err;
		return;
	}
	if (secs <= 0) {
		e->msg[JF_LIFETIME] = xstrdup("must be longer than zero");
		return;
	}
	if (secs > p->max_lifetime) {
		format_duration(buf, sizeof buf, p->max_lifetime);
		e->msg[JF_LIFETIME] = xasprintf("at most %s (the policy's maximum)", buf);
		return;
	}
	plan->lifetime = secs;
}

static bool name_char(char c)
{
	return char_is_lower_alnum(c) || c == '-';
}

/* [a-z0-9][a-z0-9-]{0,47}, and not ending in '-': swarmkit wants a service name to be a DNS
 * label (controlapi validateAnnotations) and would refuse "job-" only at create time. */
static bool name_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > NAME_MAX_LEN || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char(s[i]))
			return false;
	return true;
}

/* "<user>-<image basename>-<hex8>": lowercased, anything else becomes '-', and the stem is
 * cut so the random suffix always survives. */
static char *derive_name(const char *user, const struct imageref *img, uint32_t rnd)
{
	const char *base = "job";
	if (img->path) {
		const char *slash = strrchr(img->path, '/');
		base = slash ? slash + 1 : img->path;
	}
	char *stem = xasprintf("%s-%s", user ? user : "", base);
	for (char *c = stem; *c; c++) {
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
		else if (!name_char(*c))
			*c = '-';
	}
	size_t start = 0, end = strlen(stem);
	while (stem[start] == '-')
		start++;
	if (end - start > NAME_MAX_LEN - SUFFIX_LEN)
		end = start + NAME_MAX_LEN - SUFFIX_LEN;
	while (end > start && stem[end - 1] == '-')
		end--;
	char *name = end > start
	             ? xasprintf("%.*s-%08" PRIx32, (int)(end - start), stem + start, rnd)
	             : xasprintf("job-%08" PRIx32, rnd);
	free(stem);
	return name;
}

static void check_name(const struct job_request *r, const struct identity *id, uint32_t rnd,
                       struct job_plan *plan, struct job_errors *e)
{
	if (!given(r->name)) {
		plan->name = derive_name(id->user, &plan->image, rnd);
		plan->name_derived = true;
		return;
	}
	if (!name_valid(r->name)) {
		e->msg[JF_NAME] = xasprintf("\"%s\" is not a valid name: 1 to 48 lowercase letters, "
		                            "digits and '-', starting and ending with a letter or digit",
		                            r->name);
		return;
	}
	plan->name = xstrdup(r->name);
}

static void check_command(const struct job_request *r, struct job_plan *plan,
                          struct job_errors *e)
{
	if (r->n_command > MAX_ARGS) {
		e->msg[JF_COMMAND] = xasprintf("at most %d arguments (this has %zu)", MAX_ARGS,
		                               r->n_command);
		return;
	}
	for (size_t i = 0; i < r->n_command; i++) {
		const char *a = r->command ? r->command[i] : NULL;
		if (!a)
			e->msg[JF_COMMAND] = xasprintf("argument %zu is missing", i + 1);
		else if (strlen(a) > MAX_ARG_LEN)
			e->msg[JF_COMMAND] = xasprintf("argument %zu is longer than %d bytes", i + 1,
			                               MAX_ARG_LEN);
		else if (utf8_length(a) < 0)
			e->msg[JF_COMMAND] = xasprintf("argument %zu is not valid UTF-8", i + 1);
		if (e->msg[JF_COMMAND])
			return;
	}
	plan->command = xcalloc(r->n_command, sizeof *plan->command);
	for (size_t i = 0; i < r->n_command; i++)
		plan->command[i] = xstrdup(r->command[i]);
	plan->n_command = r->n_command;
}

static void check_purpose(const struct job_request *r, struct job_errors *e)
{
	if (!given(r->purpose))
		return;
	long n = utf8_length(r->purpose);
	if (n < 0)
		e->msg[JF_PURPOSE] = xstrdup("not valid UTF-8");
	else if (has_controls(r->purpose))
		e->msg[JF_PURPOSE] = xstrdup("one line of text, without tabs or control characters");
	else if (n > MAX_PURPOSE)
		e->msg[JF_PURPOSE] = xasprintf("at most %d characters (this has %ld)", MAX_PURPOSE, n);
}

int job_plan_make(const struct policy *p, const struct job_request *r, const struct identity *id,
                  uint32_t rnd, struct job_plan *plan, struct job_errors *errs)
{
	/* Both are outputs: whatever they held is overwritten, not freed. */
	memset(plan, 0, sizeof *plan);
	memset(errs, 0, sizeof *errs);
	plan->policy = p;

	check_image(p, r, plan, errs);
	check_class(p, r, plan, errs);
	check_datasets(p, r, id, plan, errs);
	check_cpus(r, plan, errs);
	check_memory(r, plan, errs);
	check_lifetime(p, r, plan, errs);
	check_name(r, id, rnd, plan, errs);
	check_command(r, plan, errs);
	check_purpose(r, errs);

	for (int f = 0; f < JF_COUNT; f++) {
		if (errs->msg[f]) {
			job_plan_clear(plan);
			return -1;
		}
	}
	plan->network = xasprintf("%s-net", plan->name);
	plan->owner = xstrdup(id->user);
	/* uid 0 inside a container is root on the node's files: a root submitter runs as nobody. */
	plan->user_spec = id->uid == 0 ? xstrdup("65534:65534") : xasprintf("%u:%u", id->uid, id->gid);
	plan->results_source = policy_results_source(p, id->user);
	return 0;
}

int job_plan_rename(struct job_plan *plan, uint32_t rnd)
{
	if (!plan->name_derived)
		return -1;
	free(plan->name);
	free(plan->network);
	plan->name = derive_name(plan->owner, &plan->image, rnd);
	plan->network = xasprintf("%s-net", plan->name);
	return 0;
}

void job_plan_clear(struct job_plan *plan)
{
	free(plan->name);
	free(plan->network);
	imageref_clear(&plan->image);
	strv_free(plan->datasets, plan->n_datasets);
	strv_free(plan->command, plan->n_command);
	free(plan->owner);
	free(plan->user_spec);
	free(plan->results_source);
	memset(plan, 0, sizeof *plan);
}

void job_errors_clear(struct job_errors *e)
{
	for (int f = 0; f < JF_COUNT; f++) {
		free(e->msg[f]);
		e->msg[f] = NULL;
	}
}

/* Building JSON: jansson returns NULL for a string that is not UTF-8, and json_object_set_new
 * then quietly sets nothing. Every value goes through put/add so one such string fails the
 * whole document instead of leaving out, say, a read-only flag. */
struct builder { bool failed; };

static void builder_put(struct builder *b, json_t *obj, const char *key, json_t *v)
{
	if (!v || json_object_set_new(obj, key, v) != 0)
		b->failed = true;
}

static void builder_add(struct builder *b, json_t *arr, json_t *v)
{
	if (!v || json_array_append_new(arr, v) != 0)
		b->failed = true;
}

static json_t *str(const char *s)
{
	return s ? json_string(s) : NULL;
}

static char *dump(json_t *doc, const struct builder *b)
{
	char *out = b->failed ? NULL : json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	return out;
}

static json_t *bind_mount(struct builder *b, const char *source, const char *target, bool ro)
{
	json_t *m = json_object();
	builder_put(b, m, "Type", json_string("bind"));
	builder_put(b, m, "Source", str(source));
	builder_put(b, m, "Target", str(target));
	builder_put(b, m, "ReadOnly", json_boolean(ro));
	return m;
}

static json_t *labels(struct builder *b, const struct job_plan *plan, const struct job_meta *meta)
{
	json_t *l = json_object();
	char expires[TIME_ISO8601_SIZE];
	if (time_iso8601(meta->now + plan->lifetime, expires) != 0)
		b->failed = true;
	char *ds = join(plan->n_datasets, string_at, plan->datasets, ",");

	builder_put(b, l, "glovebox.owner", str(plan->owner));
	builder_put(b, l, "glovebox.class", str(plan->cls ? plan->cls->name : NULL));
	builder_put(b, l, "glovebox.datasets", str(ds));
	builder_put(b, l, "glovebox.expires-at", b->failed ? NULL : json_string(expires));
	/* Without terms to accept there is no digest and no consent record to point at. */
	if (meta->terms_sha256)
		builder_put(b, l, "glovebox.terms-sha256", str(meta->terms_sha256));
	if (meta->consent)
		builder_put(b, l, "glovebox.consent", str(meta->consent));
	builder_put(b, l, "glovebox.network", str(plan->network));
	free(ds);
	return l;
}

/* The policy's values were checked when it was read; a policy made some other way (by hand,
 * in tests) must not become a limit of 0. */
static json_t *ulimit(struct builder *b, const char *name, const struct policy_ulimit *u)
{
	if (!u || u->soft <= 0 || u->hard < u->soft) {
		b->failed = true;
		return NULL;
	}
	json_t *l = json_object();
	builder_put(b, l, "Name", json_string(name));
	builder_put(b, l, "Soft", json_integer(u->soft));
	builder_put(b, l, "Hard", json_integer(u->hard));
	return l;
}

/* json-file's max-size as docker writes it ("10m"), exact: k, m and g are binary there. */
static void log_size(char *buf, size_t sz, int64_t bytes)
{
	static const struct { char unit; int shift; } u[] = { {'g', 30}, {'m', 20}, {'k', 10} };
	for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
		if (bytes % ((int64_t)1 << u[i].shift) == 0) {
			snprintf(buf, sz, "%lld%c", (long long)(bytes >> u[i].shift), u[i].unit);
			return;
		}
	}
	snprintf(buf, sz, "%lld", (long long)bytes);
}

/* json-file whatever the daemon's default: a job's logs take bounded disk on its node, and
 * service logs (glovebox's log views) only work with json-file, local or journald. */
static json_t *log_driver(struct builder *b, const struct policy *p)
{
	char size[32], files[16];
	if (!p || p->log_max_size <= 0 || p->log_max_files == 0) {
		b->failed = true;
		return NULL;
	}
	log_size(size, sizeof size, p->log_max_size);
	snprintf(files, sizeof files, "%u", p->log_max_files);
	json_t *d = json_object(), *opts = json_object();
	builder_put(b, d, "Name", json_string("json-file"));
	builder_put(b, opts, "max-size", json_string(size));
	builder_put(b, opts, "max-file", json_string(files));
	builder_put(b, d, "Options", opts);
	return d;
}

/* Args, not Command: Command would replace the image's ENTRYPOINT, and images often wrap the
 * real program in one (conda activation, tini, a launcher script). Args replaces only CMD,
 * which is what "run this" means to the docker CLI as well (docker run IMAGE ARGS...). */
static json_t *container_spec(struct builder *b, const struct job_plan *plan,
                              const struct job_meta *meta)
{
	const struct policy *p = plan->policy;
	json_t *cs = json_object();
	char *image = meta->image_pinned ? NULL : imageref_name_tag(&plan->image);

	builder_put(b, cs, "Image", str(meta->image_pinned ? meta->image_pinned : image));
	free(image);
	if (plan->n_command) {
		json_t *args = json_array();
		for (size_t i = 0; i < plan->n_command; i++)
			builder_add(b, args, str(plan->command[i]));
		builder_put(b, cs, "Args", args);
	}
	builder_put(b, cs, "User", str(plan->user_spec));
	builder_put(b, cs, "ReadOnly", json_true());
	builder_put(b, cs, "Init", json_true());

	json_t *mounts = json_array();
	for (size_t i = 0; i < plan->n_datasets; i++) {
		const struct policy_dataset *d = p ? policy_dataset_find(p, plan->datasets[i]) : NULL;
		if (!d) {
			b->failed = true;
			continue;
		}
		builder_add(b, mounts, bind_mount(b, d->source, d->target, true));
	}
	builder_add(b, mounts,
	            bind_mount(b, plan->results_source, p ? p->results_target : NULL, false));
	json_t *tmp = json_object(), *tmpfs = json_object();
	builder_put(b, tmp, "Type", json_string("tmpfs"));
	builder_put(b, tmp, "Target", json_string("/tmp"));
	builder_put(b, tmpfs, "SizeBytes", json_integer(TMP_SIZE));
	/* The API takes the mode in decimal. */
	builder_put(b, tmpfs, "Mode", json_integer(TMP_MODE));
	if (meta->api_minor >= 46) {
		/* Options arrived in 1.46; dockerd's own default for a tmpfs is the same three, but
		 * only a request the API knows can be relied on. */
		json_t *opts = json_array();
		static const char *const flags[] = { "noexec", "nosuid", "nodev" };
		for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
			json_t *flag = json_array();
			builder_add(b, flag, json_string(flags[i]));
			builder_add(b, opts, flag);
		}
		builder_put(b, tmpfs, "Options", opts);
	}
	builder_put(b, tmp, "TmpfsOptions", tmpfs);
	builder_add(b, mounts, tmp);
	builder_put(b, cs, "Mounts", mounts);

	/* Older engines drop these fields silently (ENGINE-API-NOTES.md 3.1), so send only what
	 * the negotiated version keeps and never let the caller believe in a dropped one. */
	if (meta->api_minor >= 41) {
		json_t *drop = json_array();
		builder_add(b, drop, json_string("ALL"));
		builder_put(b, cs, "CapabilityDrop", drop);
		json_t *ul = json_array();
		builder_add(b, ul, ulimit(b, "nofile", p ? &p->nofile : NULL));
		builder_add(b, ul, ulimit(b, "nproc", p ? &p->nproc : NULL));
		builder_put(b, cs, "Ulimits", ul);
	}
	if (meta->api_minor >= 44) {
		json_t *priv = json_object();
		builder_put(b, priv, "NoNewPrivileges", json_true());
		builder_put(b, cs, "Privileges", priv);
	}
	return cs;
}

static bool nnp_enforced(int api_minor, const struct engine_info *info)
{
	return api_minor >= 44 || (info && info->no_new_privileges);
}

static char *nnp_unconfirmed(int api_minor)
{
	return xasprintf("API 1.%d cannot set it per job (1.44 can), and the engine does not report "
	                 "the daemon-wide setting as on; ask an admin to run dockerd with "
	                 "--no-new-privileges", api_minor);
}

char *job_hardening_warning(int api_minor, const struct engine_info *info)
{
	if (nnp_enforced(api_minor, info))
		return NULL;
	char *why = nnp_unconfirmed(api_minor);
	char *w = xasprintf("no-new-privileges is not made sure: %s", why);
	free(why);
	return w;
}

const char *job_posture_state_name(enum posture_state st)
{
	switch (st) {
	case POSTURE_ENFORCED: return "enforced";
	case POSTURE_UNCONFIRMED: return "unconfirmed";
	case POSTURE_OFF: return "off";
	}
	return "unknown";
}

/* Takes detail. */
static void posture_add(struct job_posture *ps, const char *name, enum posture_state st,
                        char *detail)
{
	if (ps->n == POSTURE_MAX) {
		free(detail);
		return;
	}
	ps->item[ps->n++] = (struct posture_item){ name, st, detail };
}

/* A property the API sets only from some version on: enforced there, off before (the engine
 * drops the field without a word, so it is not even unconfirmed). */
static void posture_from(struct job_posture *ps, const char *name, int api_minor, int since,
                         char *detail)
{
	if (api_minor >= since) {
		posture_add(ps, name, POSTURE_ENFORCED, detail);
		return;
	}
	free(detail);
	posture_add(ps, name, POSTURE_OFF,
	            xasprintf("API 1.%d cannot set it (1.%d can)", api_minor, since));
}

void job_posture_make(const struct policy *p, const struct job_plan *plan, int api_minor,
                      const struct engine_info *info, struct job_posture *ps)
{
	char a[48], b[48];
	memset(ps, 0, sizeof *ps);

	posture_add(ps, "read-only root filesystem", POSTURE_ENFORCED,
	            xstrdup("only /results and /tmp are writable"));
	posture_add(ps, "read-only datasets", POSTURE_ENFORCED,
	            xstrdup("every dataset is a read-only bind"));
	posture_add(ps, "non-root user", POSTURE_ENFORCED, plan
	            ? xasprintf("runs as %s", plan->user_spec)
	            : xstrdup("runs as the submitter's uid:gid, root's jobs as nobody's"));
	if (plan) {
		format_size(a, sizeof a, plan->memory);
		format_cpus(b, sizeof b, llround(plan->cpus * 1e9));
	}
	posture_add(ps, "memory and CPU limits", POSTURE_ENFORCED, plan
	            ? xasprintf("%s and %s, reserved and a hard limit", a, b)
	            : xstrdup("the class's or the request's, reserved and a hard limit"));
	posture_from(ps, "dropped capabilities", api_minor, 41, xstrdup("all (CapabilityDrop ALL)"));
	if (api_minor >= 44)
		posture_add(ps, "no-new-privileges", POSTURE_ENFORCED, xstrdup("set per job"));
	else if (nnp_enforced(api_minor, info))
		posture_add(ps, "no-new-privileges", POSTURE_ENFORCED,
		            xstrdup("dockerd's daemon-wide setting, as the engine reports it"));
	else
		posture_add(ps, "no-new-privileges", POSTURE_UNCONFIRMED, nnp_unconfirmed(api_minor));
	posture_from(ps, "process limit", api_minor, 41, xasprintf("at most %d processes", PIDS_LIMIT));
	posture_from(ps, "ulimits", api_minor, 41, p
	             ? xasprintf("nofile %lld/%lld, nproc %lld/%lld (soft/hard)",
	                         (long long)p->nofile.soft, (long long)p->nofile.hard,
	                         (long long)p->nproc.soft, (long long)p->nproc.hard)
	             : xstrdup("the policy's"));
	if (api_minor >= 46)
		posture_add(ps, "tmpfs /tmp noexec,nosuid,nodev", POSTURE_ENFORCED,
		            xstrdup("set as the mount's options"));
	else
		posture_add(ps, "tmpfs /tmp noexec,nosuid,nodev", POSTURE_UNCONFIRMED,
		            xasprintf("API 1.%d cannot pass a tmpfs its options (1.46 can); dockerd "
		                      "mounts one noexec,nosuid,nodev by default, which glovebox cannot "
		                      "confirm", api_minor));
	posture_add(ps, "internal network", POSTURE_ENFORCED,
	            xstrdup("the job's network has no route out"));
	if (p && p->encrypted_network)
		posture_add(ps, "network encryption", POSTURE_ENFORCED,
		            xstrdup("IPsec between nodes (the overlay's encrypted option)"));
	else
		posture_add(ps, "network encryption", POSTURE_OFF,
		            xstrdup("the policy does not ask for it (encrypted_network)"));
	if (p) {
		format_size(a, sizeof a, p->log_max_size);
		posture_add(ps, "log rotation", POSTURE_ENFORCED,
		            xasprintf("json-file, rotated at %s, %u files kept", a, p->log_max_files));
	}
}

void job_posture_clear(struct job_posture *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->item[i].detail);
	memset(ps, 0, sizeof *ps);
}

char *job_posture_line(const struct posture_item *it)
{
	/* "ulimits are", "log rotation is": of the names above, those ending in 's' are plurals,
	 * but for no-new-privileges, the name of one setting */
	size_t n = strlen(it->name);
	const char *verb = n && it->name[n - 1] == 's' && strcmp(it->name, "no-new-privileges") != 0
	                   ? "are" : "is";
	switch (it->state) {
	case POSTURE_ENFORCED:
		return xasprintf("%s %s enforced: %s", it->name, verb, it->detail);
	case POSTURE_UNCONFIRMED:
		return xasprintf("%s %s not made sure: %s", it->name, verb, it->detail);
	case POSTURE_OFF:
		break;
	}
	return xasprintf("%s %s off: %s", it->name, verb, it->detail);
}

static json_t *resources(struct builder *b, const struct job_plan *plan, int api_minor)
{
	json_int_t nanos = (json_int_t)llround(plan->cpus * 1e9);
	json_t *res = json_object(), *lim = json_object(), *resv = json_object();

	builder_put(b, lim, "NanoCPUs", json_integer(nanos));
	builder_put(b, lim, "MemoryBytes", json_integer(plan->memory));
	if (api_minor >= 41)
		builder_put(b, lim, "Pids", json_integer(PIDS_LIMIT));
	/* The scheduler only looks at reservations; equal to the limits, a job gets what it may use. */
	builder_put(b, resv, "NanoCPUs", json_integer(nanos));
	builder_put(b, resv, "MemoryBytes", json_integer(plan->memory));
	if (plan->cls && plan->cls->gpus > 0) {
		json_t *gr = json_array(), *spec = json_object(), *discrete = json_object();
		builder_put(b, discrete, "Kind", json_string(GRES_GPU));
		builder_put(b, discrete, "Value", json_integer(plan->cls->gpus));
		builder_put(b, spec, "DiscreteResourceSpec", discrete);
		builder_add(b, gr, spec);
		builder_put(b, resv, "GenericResources", gr);
	}
	builder_put(b, res, "Limits", lim);
	builder_put(b, res, "Reservations", resv);
	return res;
}

char *job_service_spec(const struct job_plan *plan, const struct job_meta *meta)
{
	struct builder b = { false };
	json_t *spec = json_object();

	builder_put(&b, spec, "Name", str(plan->name));
	builder_put(&b, spec, "Labels", labels(&b, plan, meta));
	json_t *mode = json_object(), *repl = json_object();
	builder_put(&b, repl, "Replicas", json_integer(1));
	builder_put(&b, mode, "Replicated", repl);
	builder_put(&b, spec, "Mode", mode);

	json_t *task = json_object();
	builder_put(&b, task, "ContainerSpec", container_spec(&b, plan, meta));
	builder_put(&b, task, "Resources", resources(&b, plan, meta->api_minor));

	json_t *placement = json_object(), *cons = json_array();
	for (size_t i = 0; plan->cls && i < plan->cls->n_constraints; i++)
		builder_add(&b, cons, str(plan->cls->constraints[i]));
	builder_put(&b, placement, "Constraints", cons);
	builder_put(&b, task, "Placement", placement);

	json_t *restart = json_object();
	builder_put(&b, restart, "Condition", json_string("on-failure"));
	builder_put(&b, restart, "MaxAttempts", json_integer(RESTART_ATTEMPTS));
	builder_put(&b, restart, "Delay", json_integer(RESTART_DELAY_NS));
	builder_put(&b, task, "RestartPolicy", restart);
	builder_put(&b, task, "LogDriver", log_driver(&b, plan->policy));

	/* TaskTemplate.Networks: ServiceSpec.Networks is ignored from API 1.44 on. */
	json_t *nets = json_array(), *net = json_object();
	builder_put(&b, net, "Target", str(meta->network_id));
	builder_add(&b, nets, net);
	builder_put(&b, task, "Networks", nets);
	builder_put(&b, spec, "TaskTemplate", task);
	return dump(spec, &b);
}

char *job_network_spec(const struct job_plan *plan)
{
	struct builder b = { false };
	json_t *net = json_object(), *l = json_object();

	builder_put(&b, net, "Name", str(plan->network));
	builder_put(&b, net, "Driver", json_string("overlay"));
	builder_put(&b, net, "Internal", json_true());   /* no route out: the point of glovebox */
	builder_put(&b, net, "Attachable", json_false());
	/* Deprecated and ignored from 1.44, where a duplicate name always fails; before that it
	 * keeps two jobs from sharing a network by name. */
	builder_put(&b, net, "CheckDuplicate", json_true());
	builder_put(&b, l, "glovebox.job", str(plan->name));
	builder_put(&b, l, "glovebox.owner", str(plan->owner));
	builder_put(&b, net, "Labels", l);
	if (plan->policy && plan->policy->encrypted_network) {
		/* IPsec between nodes (the cost is in docs/policy.md); the key is the whole option. */
		json_t *opts = json_object();
		builder_put(&b, opts, "encrypted", json_string(""));
		builder_put(&b, net, "Options", opts);
	}
	return dump(net, &b);
}
