#include "api/core/jobtext.h"

#include <stdio.h>
#include <string.h>

void job_expiry_cell(char *buf, size_t sz, const struct job *j, int64_t now)
{
	int64_t at;
	char text[64];
	if (!job_expires_at(j, &at)) {
		snprintf(buf, sz, "-");
		return;
	}
	format_expiry(text, sizeof text, at, now);
	/* "expires in 3h" reads "in 3h" under EXPIRES. */
	snprintf(buf, sz, "%s", strncmp(text, "expires ", 8) == 0 ? text + 8 : text);
}

void job_history_line(char *buf, size_t sz, const struct restart_history *h,
                      const char *service_id, int64_t now_ns)
{
	unsigned ooms = 0;
	unsigned failures = restart_history_failures(h, service_id, &ooms);
	const struct seen_failure *v = NULL;
	size_t n = restart_history_list(h, service_id, &v);
	if (sz == 0)
		return;
	if (!failures) {
		snprintf(buf, sz, "seen this session: no failures");
		return;
	}
	int len = snprintf(buf, sz, "seen this session: %u failure%s, %u OOM killed", failures,
	                   failures == 1 ? "" : "s", ooms);
	for (size_t i = n; i-- > 0 && len >= 0 && (size_t)len < sz;) {
		char item[64], age[16], code[16] = "?";
		if (v[i].has_exit_code)
			snprintf(code, sizeof code, "%d", v[i].exit_code);
		format_age(age, sizeof age, v[i].time_ns > 0 && now_ns > v[i].time_ns
		                            ? (now_ns - v[i].time_ns) / 1000000000LL : 0);
		int k = snprintf(item, sizeof item, "%sexit %s%s %s ago", i + 1 == n ? "; last: " : ", ", code,
		                 v[i].oom ? " (OOM)" : "", age);
		if (k < 0 || (size_t)len + (size_t)k >= sz)
			break;   /* whole items only */
		memcpy(buf + len, item, (size_t)k + 1);
		len += k;
	}
}
