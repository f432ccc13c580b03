/* A researcher's request checked against the policy field by field (jobspec.h): image, class,
 * datasets, CPUs, memory, lifetime, name, command and purpose, into a job_plan. What the plan
 * becomes (the ServiceSpec, the network, the posture) is in jobspec_spec.c. */
#include "api/core/jobspec.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/chars.h"
#include "api/base/str.h"
#include "api/base/xalloc.h"

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

static const char *class_name_at(const void *ctx, size_t i)
{
	return ((const struct policy *)ctx)->classes[i].name;
}

static const char *dataset_name_at(const void *ctx, size_t i)
{
	return ((const struct policy *)ctx)->datasets[i].name;
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

void format_cpus(char *buf, size_t sz, int64_t nanos)
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
		char *allowed = str_join(p->n_registries, str_at, p->registries, ", ");
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
	char *names = str_join(p->n_classes, class_name_at, p, ", ");
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
			char *names = str_join(p->n_datasets, dataset_name_at, p, ", ");
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
			char *groups = str_join(d->n_groups, str_at, d->groups, " or ");
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
