#include "api/engine/jsonout.h"

#include <stdlib.h>

#include "api/base/sanitize.h"
#include "api/base/timefmt.h"

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
