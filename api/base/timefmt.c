#include "api/base/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/base/chars.h"

/* "YYYY-MM-DDTHH:MM:SS" then suffix into buf (sz bytes); 0, or -1 with buf "" when that does
 * not fit or the year does not have four digits. */
static int timefmt_put(int64_t t, const char *suffix, char *buf, size_t sz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	size_t n = strlen(suffix);
	if (19 + n >= sz || !gmtime_r(&tt, &tm) ||
	    strftime(buf, sz - n, "%Y-%m-%dT%H:%M:%S", &tm) != 19) {
		buf[0] = '\0';
		return -1;
	}
	memcpy(buf + 19, suffix, n + 1);
	return 0;
}

int time_iso8601(int64_t t, char buf[static TIME_ISO8601_SIZE])
{
	return timefmt_put(t, "Z", buf, TIME_ISO8601_SIZE);
}

int time_iso8601_parse(const char *s, int64_t *out)
{
	static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";
	if (strlen(s) != sizeof pattern - 1)
		return -1;
	for (size_t i = 0; pattern[i]; i++) {
		if (pattern[i] == 'd' ? !char_is_digit(s[i]) : s[i] != pattern[i])
			return -1;
	}
	struct tm tm = { 0 };
	tm.tm_year = atoi(s) - 1900;
	tm.tm_mon = atoi(s + 5) - 1;
	tm.tm_mday = atoi(s + 8);
	tm.tm_hour = atoi(s + 11);
	tm.tm_min = atoi(s + 14);
	tm.tm_sec = atoi(s + 17);
	if (tm.tm_year < 70)
		return -1;
	int64_t t = (int64_t)timegm(&tm);
	if (t < 0 || t > TIME_ISO8601_MAX)
		return -1;
	char again[TIME_ISO8601_SIZE];
	time_iso8601(t, again);
	if (strcmp(again, s) != 0)
		return -1;
	*out = t;
	return 0;
}

void time_iso8601_ns(int64_t ns, int digits, char buf[static TIME_ISO8601_NS_SIZE])
{
	long frac = (long)(ns % 1000000000);
	for (int i = digits; i < 9; i++)
		frac /= 10;
	char suffix[12];
	snprintf(suffix, sizeof suffix, ".%0*ldZ", digits, frac);
	timefmt_put(ns / 1000000000, suffix, buf, TIME_ISO8601_NS_SIZE);
}
