#include "api/metrics/prom.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/chars.h"
#include "api/base/secmem.h"
#include "api/base/xalloc.h"

struct prom_req {
	struct prom *p;
	struct engine_req *er;
	prom_done_fn done;
	void *ud;
	struct prom_req *next;
};

struct prom {
	struct engine *e;
	struct engine_remote rm;
	char *name, *url, *ca;
	char *userpwd;           /* secmem */
	struct prom_req *reqs;
};

struct prom *prom_new(struct engine *e, const struct engine_remote *rm)
{
	struct prom *p = xcalloc(1, sizeof *p);
	p->e = e;
	p->rm = *rm;
	p->userpwd = secmem_strdup(rm->userpwd);
	p->rm.userpwd = p->userpwd;
	p->name = xstrdup(rm->name ? rm->name : "Prometheus");
	p->url = xstrdup(rm->base_url);
	p->ca = xstrdup(rm->ca_file);
	p->rm.name = p->name;
	p->rm.base_url = p->url;
	p->rm.ca_file = p->ca;
	if (!p->rm.connect_timeout_ms)
		p->rm.connect_timeout_ms = PROM_CONNECT_TIMEOUT_MS;
	if (!p->rm.timeout_ms)
		p->rm.timeout_ms = PROM_TIMEOUT_MS;
	if (!p->rm.max_body)
		p->rm.max_body = PROM_MAX_BODY;
	return p;
}

static void unlink_req(struct prom *p, struct prom_req *r)
{
	for (struct prom_req **q = &p->reqs; *q; q = &(*q)->next)
		if (*q == r) {
			*q = r->next;
			return;
		}
}

void prom_free(struct prom **pp)
{
	struct prom *p = *pp;
	if (!p)
		return;
	while (p->reqs)
		prom_cancel(p, p->reqs);
	free(p->name);
	free(p->url);
	free(p->ca);
	secmem_free(&p->userpwd);
	free(p);
	*pp = NULL;
}

const char *prom_url(const struct prom *p) { return p->url; }

static void on_reply(void *ud, const struct engine_reply *reply)
{
	struct prom_req *r = ud;
	struct prom *p = r->p;
	unlink_req(p, r);
	if (reply->error) {
		r->done(r->ud, NULL, reply->error, reply->unreachable);
		free(r);
		return;
	}
	struct prom_result res;
	char *err = NULL;
	if (prom_decode(reply->status, reply->content_type, reply->body, reply->len, &res, &err) != 0) {
		char *msg = xasprintf("%s at %s: %s", p->name, p->url, err);
		r->done(r->ud, NULL, msg, false);
		free(msg);
		free(err);
	} else {
		r->done(r->ud, &res, NULL, false);
		prom_result_clear(&res);
	}
	free(r);
}

static struct prom_req *start(struct prom *p, char *path, const char *what, prom_done_fn done,
                              void *ud)
{
	struct prom_req *r = xcalloc(1, sizeof *r);
	r->p = p;
	r->done = done;
	r->ud = ud;
	r->next = p->reqs;
	p->reqs = r;
	r->er = engine_remote_get(p->e, &p->rm, path, what ? what : "asking Prometheus", on_reply, r);
	free(path);
	return r;
}

struct prom_req *prom_query(struct prom *p, const char *promql, const char *what,
                            prom_done_fn done, void *ud)
{
	char *q = prom_urlencode(promql);
	char *path = xasprintf("/api/v1/query?query=%s", q);
	free(q);
	return start(p, path, what, done, ud);
}

struct prom_req *prom_query_range(struct prom *p, const char *promql, int64_t start_s,
                                  int64_t end_s, int64_t step, const char *what,
                                  prom_done_fn done, void *ud)
{
	char *q = prom_urlencode(promql);
	char *path = xasprintf("/api/v1/query_range?query=%s&start=%" PRId64 "&end=%" PRId64
	                       "&step=%" PRId64, q, start_s, end_s, step > 0 ? step : 1);
	free(q);
	return start(p, path, what, done, ud);
}

void prom_cancel(struct prom *p, struct prom_req *r)
{
	unlink_req(p, r);
	engine_cancel(p->e, r->er);
	free(r);
}

char *prom_urlencode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(strlen(s) * 3 + 1), *q = out;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (char_is_alnum(*c) || strchr("-._~", *c)) {
			*q++ = (char)*c;
		} else {
			*q++ = '%';
			*q++ = hex[*c >> 4];
			*q++ = hex[*c & 15];
		}
	}
	*q = '\0';
	return out;
}
