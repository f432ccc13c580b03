#include "api/engine/jsonout.h"

#include <glib.h>
#include <stdlib.h>

#include "api/base/sanitize.h"
#include "api/base/timefmt.h"
#include "api/base/xalloc.h"

json_t *jsonout_text(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	char *fixed = sanitize_utf8(s);
	j = json_string(fixed);
	free(fixed);
	return j ? j : json_null();
}

json_t *jsonout_time(int64_t ns)
{
	char buf[TIME_ISO8601_SIZE];
	if (ns <= 0 || time_iso8601(ns / 1000000000, buf) != 0)
		return json_null();
	return json_string(buf);
}

char *jsonout_query(json_t *filters)
{
	char *text = filters ? json_dumps(filters, JSON_COMPACT) : NULL;
	json_decref(filters);
	char *esc = g_uri_escape_string(text ? text : "{}", NULL, FALSE);
	char *out = xstrdup(esc);
	g_free(esc);
	free(text);
	return out;
}
