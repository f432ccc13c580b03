#include "api/core/fit.h"

#include <stdlib.h>
#include <string.h>

#include "api/base/str.h"
#include "api/base/xalloc.h"
#include "api/core/jobs.h"

static const char *node_attr(const struct node *n, const char *key, bool *known)
{
	*known = true;
	if (strncmp(key, "node.labels.", 12) == 0)
		return labels_get(&n->labels, key + 12);
	if (strcmp(key, "node.role") == 0)
		return n->role;
	if (strcmp(key, "node.hostname") == 0)
		return n->hostname;
	if (strcmp(key, "node.id") == 0)
		return n->id;
	*known = false;
	return NULL;
}

bool node_satisfies(const struct node *n, const char *constraint)
{
	const char *op = strstr(constraint, "==");
	bool eq = true;
	if (!op) {
		op = strstr(constraint, "!=");
		eq = false;
	}
	if (!op)
		return true;
	char *key = xstrndup(constraint, (size_t)(op - constraint));
	/* Swarm trims blanks around both sides. */
	char *end = key + strlen(key);
	while (end > key && end[-1] == ' ')
		*--end = '\0';
	const char *k = key;
	while (*k == ' ')
		k++;
	const char *want = op + 2;
	while (*want == ' ')
		want++;
	size_t wlen = strlen(want);
	while (wlen && want[wlen - 1] == ' ')
		wlen--;
	bool known;
	const char *have = node_attr(n, k, &known);
	bool match = have && strlen(have) == wlen && strncmp(have, want, wlen) == 0;
	free(key);
	if (!known)
		return true;
	return eq ? match : !match;
}

/* The service of task t when t should run on node n, else NULL. */
static const struct service *reserving(const struct task *t, const struct node *n,
                                       const struct service_list *services)
{
	if (!n->id || !str_eq(t->node_id, n->id) || !str_eq(t->desired_state, "running"))
		return NULL;
	for (size_t k = 0; k < services->n; k++)
		if (str_eq(services->v[k].id, t->service_id))
			return &services->v[k];
	return NULL;
}

void node_free(const struct node *n, const struct service_list *services,
               const struct task_list *tasks, double *free_cpus, int64_t *free_mem)
{
	int64_t cpu = n->nano_cpus, mem = n->memory_bytes;
	for (size_t i = 0; i < tasks->n; i++) {
		const struct service *s = reserving(&tasks->v[i], n, services);
		if (s) {
			cpu -= s->reserve_nano_cpus;
			mem -= s->reserve_memory;
		}
	}
	*free_cpus = (double)cpu / 1e9;
	*free_mem = mem;
}

int64_t node_free_generic(const struct node *n, const struct service_list *services,
                          const struct task_list *tasks, const char *kind)
{
	int64_t have = gres_get(&n->generic, kind);
	for (size_t i = 0; i < tasks->n; i++) {
		const struct service *s = reserving(&tasks->v[i], n, services);
		if (s)
			have -= gres_get(&s->reserve_generic, kind);
	}
	return have;
}

void fit_check(const struct node_list *nodes, const struct service_list *services,
               const struct task_list *tasks, const char *const *constraints, size_t n_constraints,
               double cpus, int64_t memory, unsigned gpus, struct fit *out)
{
	memset(out, 0, sizeof *out);
	out->best_free_mem = -1;
	out->best_free_cpus = -1;
	out->best_free_gpus = -1;
	for (size_t i = 0; i < nodes->n; i++) {
		const struct node *n = &nodes->v[i];
		bool ok = str_eq(n->state, "ready") && str_eq(n->availability, "active");
		for (size_t c = 0; ok && c < n_constraints; c++)
			ok = node_satisfies(n, constraints[c]);
		if (!ok)
			continue;
		double fc;
		int64_t fm;
		node_free(n, services, tasks, &fc, &fm);
		out->nodes++;
		/* Compare in nano-CPUs as the scheduler does, so 1.0 of 1.0 free fits. */
		bool cpu_ok = (int64_t)(fc * 1e9 + 0.5) >= (int64_t)(cpus * 1e9 + 0.5);
		bool mem_ok = fm >= memory;
		int64_t fg = gpus ? node_free_generic(n, services, tasks, GRES_GPU) : 0;
		bool gpu_ok = fg >= (int64_t)gpus;
		out->fits += cpu_ok && mem_ok && gpu_ok;
		out->short_cpu += !cpu_ok;
		out->short_mem += !mem_ok;
		out->short_gpu += !gpu_ok;
		if (fg > out->best_free_gpus)
			out->best_free_gpus = fg;
		if (fc > out->best_free_cpus)
			out->best_free_cpus = fc;
		if (fm > out->best_free_mem)
			out->best_free_mem = fm;
	}
}

char *fit_describe(const struct fit *f, const char *class_name, double cpus, int64_t memory)
{
	const char *plural = f->nodes == 1 ? "" : "s";
	if (f->nodes == 0)
		return xasprintf("will queue: no ready node of class %s", class_name);
	if (f->fits)
		return xasprintf("fits now on %u of %u %s node%s", f->fits, f->nodes, class_name, plural);
	char mem[32], want[32];
	format_bytes(mem, sizeof mem, f->best_free_mem > 0 ? (uint64_t)f->best_free_mem : 0);
	format_bytes(want, sizeof want, (uint64_t)memory);
	const char *all = f->nodes == 1 ? "the" : "all";
	if (f->short_gpu == f->nodes)
		return xasprintf("will queue: no free GPU on %s %u %s node%s (largest free: %lld)", all,
		                 f->nodes, class_name, plural,
		                 (long long)(f->best_free_gpus > 0 ? f->best_free_gpus : 0));
	if (f->short_mem == f->nodes && f->short_cpu == f->nodes)
		return xasprintf("will queue: insufficient CPU and memory on %s %u %s node%s (largest free: %.2g CPUs, %s; needs %.4g CPUs, %s)",
		                 all, f->nodes, class_name, plural, f->best_free_cpus > 0 ? f->best_free_cpus : 0,
		                 mem, cpus, want);
	if (f->short_mem == f->nodes)
		return xasprintf("will queue: insufficient memory on %s %u %s node%s (largest free: %s; needs %s)",
		                 all, f->nodes, class_name, plural, mem, want);
	if (f->short_cpu == f->nodes)
		return xasprintf("will queue: insufficient CPU on %s %u %s node%s (largest free: %.2g CPUs; needs %.4g)",
		                 all, f->nodes, class_name, plural, f->best_free_cpus > 0 ? f->best_free_cpus : 0, cpus);
	return xasprintf("will queue: no %s node has both the CPU and the memory free (%u short of CPU, %u of memory)",
	                 class_name, f->short_cpu, f->short_mem);
}
