#include "api/metrics/collect.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/base/chars.h"
#include "api/base/err.h"
#include "api/base/str.h"
#include "api/base/xalloc.h"

#define V1_UNLIMITED (UINT64_C(1) << 62)
#define FILE_MAX 65536

void (*collect_between_hook)(const char *cgroup_dir);

bool collect_is_container(const char *name)
{
	size_t len = strlen(name);
	const char *hex = name;
	if (len == 64 + 13 && strncmp(name, "docker-", 7) == 0 && strcmp(name + 71, ".scope") == 0)
		hex = name + 7;
	else if (len != 64)
		return false;
	for (size_t i = 0; i < 64; i++)
		if (!char_is_lower_hex((unsigned char)hex[i]))
			return false;
	return true;
}

/* The contents of dir/rel/file, NUL-terminated, or NULL (errno set) when it cannot be read. */
static char *read_small(const char *dir, const char *rel, const char *file)
{
	char *path = xasprintf("%s%s/%s", dir, rel, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return NULL;
	char *buf = xmalloc(FILE_MAX + 1);
	size_t len = 0;
	ssize_t n;
	while (len < FILE_MAX && (n = read(fd, buf + len, FILE_MAX - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			free(buf);
			errno = e;
			return NULL;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* A file holding one unsigned number (or "max": *unlimited). */
static bool read_u64(const char *dir, const char *rel, const char *file, uint64_t *out,
                     bool *unlimited, bool *gone)
{
	char *s = read_small(dir, rel, file), *end;
	if (!s) {
		*gone |= errno == ENOENT || errno == ENODEV;
		return false;
	}
	bool ok = false;
	if (unlimited && strncmp(s, "max", 3) == 0 && (s[3] == '\n' || s[3] == '\0')) {
		*unlimited = true;
		*out = 0;
		ok = true;
	} else if (char_is_digit((unsigned char)s[0])) {
		errno = 0;
		unsigned long long v = strtoull(s, &end, 10);
		ok = errno == 0 && (*end == '\n' || *end == '\0');
		*out = v;
	}
	free(s);
	return ok;
}

/* The value of "key N" lines (memory.stat, cpu.stat, memory.events, memory.oom_control). */
static bool read_keyed(const char *dir, const char *rel, const char *file, const char *key,
                       uint64_t *out, bool *gone)
{
	char *s = read_small(dir, rel, file);
	if (!s) {
		*gone |= errno == ENOENT || errno == ENODEV;
		return false;
	}
	bool ok = false;
	size_t klen = strlen(key);
	for (char *line = s; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ' && char_is_digit((unsigned char)line[klen + 1])) {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(line + klen + 1, &end, 10);
			ok = errno == 0 && (*end == '\n' || *end == '\0');
			*out = v;
			break;
		}
	}
	free(s);
	return ok;
}

struct walk {
	char **paths;           /* relative cgroup paths of containers */
	size_t n, cap, dirs;
};

static void walk(struct walk *w, const char *base, const char *rel, int depth)
{
	if (depth > COLLECT_MAX_DEPTH || w->dirs >= COLLECT_MAX_DIRS)
		return;
	char *path = xasprintf("%s%s", base, rel);
	DIR *d = opendir(path);
	free(path);
	if (!d)
		return;
	w->dirs++;
	struct dirent *e;
	while ((e = readdir(d)) && w->dirs < COLLECT_MAX_DIRS) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		char *sub = xasprintf("%s/%s", rel, e->d_name);
		if (collect_is_container(e->d_name)) {
			if (w->n == w->cap) {
				w->cap = w->cap ? 2 * w->cap : 16;
				w->paths = xreallocarray(w->paths, w->cap, sizeof *w->paths);
			}
			w->paths[w->n++] = sub;   /* a container's own sub-cgroups are not containers */
		} else {
			walk(w, base, sub, depth + 1);
			free(sub);
		}
	}
	closedir(d);
}

static int cmp_sample(const void *a, const void *b)
{
	return strcmp(((const struct collect_sample *)a)->id, ((const struct collect_sample *)b)->id);
}

static bool exists(const char *a, const char *b)
{
	char *p = xasprintf("%s%s", a, b);
	struct stat st;
	bool ok = stat(p, &st) == 0;
	free(p);
	return ok;
}

int collect_scan(const struct collect_opts *o, struct collect_result *out, char **err)
{
	const char *root = o && o->cgroup_root ? o->cgroup_root : "/sys/fs/cgroup";
	memset(out, 0, sizeof *out);
	out->v2 = exists(root, "/cgroup.controllers");
	char *mem = out->v2 ? xstrdup(root) : xasprintf("%s/memory", root);
	char *cpu = out->v2 ? xstrdup(root)
	          : exists(root, "/cpuacct/cpuacct.usage") ? xasprintf("%s/cpuacct", root)
	                                                   : xasprintf("%s/cpu,cpuacct", root);
	struct stat st;
	if (stat(mem, &st) != 0 || !S_ISDIR(st.st_mode)) {
		err_set(err, "%s: neither a cgroup v2 tree (cgroup.controllers) nor a v1 memory hierarchy",
		        root);
		free(mem);
		free(cpu);
		return -1;
	}
	/* The parent as a cgroup path: "/docker", "" for all. */
	char *parent = NULL;
	if (o && o->parent && *o->parent) {
		const char *p = o->parent;
		while (*p == '/')
			p++;
		parent = xasprintf("/%s", p);
		size_t l = strlen(parent);
		while (l > 1 && parent[l - 1] == '/')
			parent[--l] = '\0';
	}
	struct walk w = {0};
	walk(&w, mem, parent ? parent : "", 0);
	out->v = xcalloc(w.n + 1, sizeof *out->v);
	for (size_t i = 0; i < w.n; i++) {
		const char *rel = w.paths[i];
		if (collect_between_hook) {
			char *dir = xasprintf("%s%s", mem, rel);
			collect_between_hook(dir);
			free(dir);
		}
		struct collect_sample s = {0};
		bool gone = false, unlimited = false;
		uint64_t usage = 0, inactive = 0, v = 0;
		if (out->v2) {
			s.has_cpu = read_keyed(cpu, rel, "cpu.stat", "usage_usec", &v, &gone);
			s.cpu_seconds = (double)v / 1e6;
			s.has_mem = read_u64(mem, rel, "memory.current", &usage, NULL, &gone) &&
			            read_keyed(mem, rel, "memory.stat", "inactive_file", &inactive, &gone);
			s.has_limit = read_u64(mem, rel, "memory.max", &s.limit, &unlimited, &gone);
			s.has_ooms = read_keyed(mem, rel, "memory.events", "oom_kill", &s.ooms, &gone);
		} else {
			s.has_cpu = read_u64(cpu, rel, "cpuacct.usage", &v, NULL, &gone);
			s.cpu_seconds = (double)v / 1e9;
			s.has_mem = read_u64(mem, rel, "memory.usage_in_bytes", &usage, NULL, &gone) &&
			            read_keyed(mem, rel, "memory.stat", "total_inactive_file", &inactive, &gone);
			s.has_limit = read_u64(mem, rel, "memory.limit_in_bytes", &s.limit, NULL, &gone);
			if (s.has_limit && s.limit >= V1_UNLIMITED)
				s.limit = 0;
			bool oc = read_keyed(mem, rel, "memory.oom_control", "oom_kill", &s.ooms, &gone);
			/* Kernels before 4.13 do not count: 0, as docker says then. */
			s.has_ooms = oc || exists(mem, rel);
		}
		if (gone || !exists(mem, rel))
			continue;   /* it went while being read: nothing of it, rather than half */
		s.working_set = usage > inactive ? usage - inactive : 0;
		s.id = xstrdup(rel);
		out->v[out->n++] = s;
	}
	for (size_t i = 0; i < w.n; i++)
		free(w.paths[i]);
	free(w.paths);
	free(parent);
	free(mem);
	free(cpu);
	qsort(out->v, out->n, sizeof *out->v, cmp_sample);
	return 0;
}

void collect_result_clear(struct collect_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].id);
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* The id label's value as the exposition format escapes it: backslash, quote, newline. */
static void put_id(FILE *f, const char *id)
{
	for (const char *c = id; *c; c++) {
		if (*c == '\\' || *c == '"')
			fputc('\\', f);
		if (*c == '\n')
			fputs("\\n", f);
		else
			fputc(*c, f);
	}
}

static const struct {
	const char *name, *type, *help;
} metrics[] = {
	{"container_cpu_usage_seconds_total", "counter", "Cumulative cpu time consumed in seconds."},
	{"container_memory_working_set_bytes", "gauge", "Current working set in bytes."},
	{"container_spec_memory_limit_bytes", "gauge", "Memory limit for the container."},
	{"container_oom_events_total", "counter", "Count of out of memory events observed for the container"},
};

char *collect_format(const struct collect_result *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		xalloc_die();
	for (size_t m = 0; m < sizeof metrics / sizeof metrics[0]; m++) {
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", metrics[m].name, metrics[m].help,
		        metrics[m].name, metrics[m].type);
		for (size_t i = 0; i < r->n; i++) {
			const struct collect_sample *s = &r->v[i];
			bool has = m == 0 ? s->has_cpu : m == 1 ? s->has_mem : m == 2 ? s->has_limit : s->has_ooms;
			if (!has)
				continue;
			fprintf(f, "%s{id=\"", metrics[m].name);
			put_id(f, s->id);
			if (m == 0)
				fprintf(f, "\"} %.9f\n", s->cpu_seconds);
			else
				fprintf(f, "\"} %" PRIu64 "\n", m == 1 ? s->working_set : m == 2 ? s->limit : s->ooms);
		}
	}
	if (fclose(f) != 0)
		xalloc_die();
	return text;
}

int collect_write(const char *dir, const char *text, char **err)
{
	char *tmp = xasprintf("%s/.%s.XXXXXX", dir, COLLECT_FILE);
	char *dst = xasprintf("%s/%s", dir, COLLECT_FILE);
	int rc = -1;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err_set(err, "%s: cannot write there: %s", dir, strerror(errno));
		goto out;
	}
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	/* node-exporter reads the file as whoever it runs as: readable by all, as its docs say. */
	if (off < len || fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		err_set(err, "%s: %s", tmp, strerror(errno ? errno : EIO));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) != 0 || rename(tmp, dst) != 0) {
		err_set(err, "%s: %s", dst, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	free(dst);
	return rc;
}
