/* Web URLs glovebox reads figures from (Prometheus): checked before anything connects.
 * Pure, so the policy (api/core/policy.c) and the metrics settings (api/metrics) agree. */
#ifndef GB_API_CORE_WEBURL_H
#define GB_API_CORE_WEBURL_H

/* Accepts http://HOST[:PORT][/PATH] and https://..., HOST a name, an IPv4 address or an IPv6
 * literal in brackets, PORT 1-65535. Refuses other schemes, user:password@ (credentials never
 * go in a URL, which shows in ps, logs and the public policy), a query or fragment (glovebox
 * adds its own), spaces and control characters. On success *norm (owned) is the URL without a
 * trailing '/'; returns 0, or -1 with *err (owned) saying what is wrong. what names the
 * setting in the message ("--metrics"). */
int weburl_check(const char *url, const char *what, char **norm, char **err);

#endif
