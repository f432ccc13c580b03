/* Times as glovebox writes them: UTC, ISO 8601 (RFC 3339) with a "Z". Seconds for records,
 * documents and labels ("2026-11-22T08:11:44Z"); a fraction for the log file and job logs
 * ("2026-11-22T08:11:44.123Z"). */
#ifndef GB_API_BASE_TIMEFMT_H
#define GB_API_BASE_TIMEFMT_H

#include <stdint.h>

#define TIME_ISO8601_SIZE 21                   /* "YYYY-MM-DDTHH:MM:SSZ" and the NUL */
#define TIME_ISO8601_NS_SIZE 31                /* with ".nnnnnnnnn" */
#define TIME_ISO8601_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

/* t, in seconds since the epoch, as "YYYY-MM-DDTHH:MM:SSZ". Returns 0, or -1 with buf ""
 * when the year would not have four digits. */
int time_iso8601(int64_t t, char buf[static TIME_ISO8601_SIZE]);

/* Exactly "YYYY-MM-DDTHH:MM:SSZ", from 1970 to TIME_ISO8601_MAX, back to seconds. Formatting
 * the result again must give the same text, which rejects dates such as February 30 and leap
 * seconds that timegm() would quietly normalise. Returns 0, or -1 leaving *out alone. */
int time_iso8601_parse(const char *s, int64_t *out);

/* ns, in nanoseconds since the epoch (not negative), with digits (1 to 9) of the fraction:
 * "YYYY-MM-DDTHH:MM:SS.mmmZ" for 3. */
void time_iso8601_ns(int64_t ns, int digits, char buf[static TIME_ISO8601_NS_SIZE]);

#endif
