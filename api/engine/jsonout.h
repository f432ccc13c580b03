/* JSON that glovebox writes. Values for its documents (ls --json, ps, nodes, reap --json):
 * text that came from the engine or a user, and times; jansson refuses strings that are not
 * UTF-8, so such a value is kept with U+FFFD in place of its ill-formed bytes rather than
 * dropped. Each returns a new reference (json_object_set_new() steals it), never NULL.
 * And the engine's list filters, which go into a URL. */
#ifndef GB_API_ENGINE_JSONOUT_H
#define GB_API_ENGINE_JSONOUT_H

#include <jansson.h>
#include <stdint.h>

/* s as a JSON string, repaired by sanitize_utf8() when it is not UTF-8; null for NULL. */
json_t *jsonout_text(const char *s);

/* ns (unix nanoseconds) as "YYYY-MM-DDTHH:MM:SSZ"; null when ns <= 0 (unknown). */
json_t *jsonout_time(int64_t ns);

/* filters (stolen; NULL counts as {}) as compact JSON, URL-encoded for the engine's
 * "filters=" query parameter: {"label":{"a=b":true}} gives %7B%22label%22%3A... New string. */
char *jsonout_query(json_t *filters);

#endif
