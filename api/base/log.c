#include "api/base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/base/timefmt.h"
#include "api/base/xalloc.h"

#define LOG_MAX_SIZE (4L << 20)

static struct {
	pthread_mutex_t mu;
	bool ready, failed;
	int fd;
	enum log_level level;
	char *path;
} lg = {.mu = PTHREAD_MUTEX_INITIALIZER, .fd = -1};

char *state_path(const char *name)
{
	const char *state = getenv("XDG_STATE_HOME");
	if (state && *state == '/')
		return xasprintf("%s/glovebox/%s", state, name);
	const char *home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	return home ? xasprintf("%s/.local/state/glovebox/%s", home, name) : NULL;
}

char *log_default_path(void)
{
	return state_path("log");
}

int state_make_parents(const char *path)
{
	char *p = xstrdup(path);
	int r = 0;
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			r = -1;
			break;
		}
		*s = '/';
	}
	free(p);
	return r;
}

static void open_locked(void)
{
	if (lg.fd >= 0)
		close(lg.fd);
	lg.fd = -1;
	if (!lg.path)
		return;
	state_make_parents(lg.path);
	struct stat st;
	if (stat(lg.path, &st) == 0 && st.st_size > LOG_MAX_SIZE) {
		char *old = xasprintf("%s.1", lg.path);
		rename(lg.path, old);
		free(old);
	}
	lg.fd = open(lg.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	lg.failed = lg.fd < 0;
}

static void init_locked(void)
{
	if (lg.ready)
		return;
	lg.ready = true;
	const char *dbg = getenv("GLOVEBOX_DEBUG");
	lg.level = dbg && *dbg && strcmp(dbg, "0") != 0 ? LOG_DEBUG : LOG_INFO;
	lg.path = log_default_path();
	lg.fd = -1;
}

void log_open_at(const char *path, enum log_level level)
{
	pthread_mutex_lock(&lg.mu);
	lg.ready = true;
	if (lg.fd >= 0)
		close(lg.fd);
	lg.fd = -1;
	free(lg.path);
	lg.path = xstrdup(path);
	lg.level = level;
	lg.failed = false;
	pthread_mutex_unlock(&lg.mu);
}

bool log_enabled(enum log_level level)
{
	pthread_mutex_lock(&lg.mu);
	init_locked();
	bool on = lg.path && !lg.failed && level <= lg.level;
	pthread_mutex_unlock(&lg.mu);
	return on;
}

/* Whether the header name ends right before line[i] (a ':'), case-insensitively. */
static bool header_before(const char *line, size_t i, const char *name)
{
	size_t n = strlen(name);
	/* A suffix is enough ("Proxy-Authorization"): redacting too much is harmless. */
	return i >= n && strncasecmp(line + i - n, name, n) == 0;
}

/* At line[i] == '"': a JSON member name among the secret ones followed by ':' and a string?
 * Returns the index of the value's opening quote, or 0. */
static size_t json_secret_member(const char *line, size_t i)
{
	static const char *const names[] = {"password", "identitytoken", "registrytoken", "auth",
	                                     "secret"};
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		size_t n = strlen(names[k]);
		if (strncasecmp(line + i + 1, names[k], n) != 0 || line[i + 1 + n] != '"')
			continue;
		size_t j = i + n + 2;
		while (line[j] == ' ' || line[j] == '\t')
			j++;
		if (line[j] != ':')
			continue;
		j++;
		while (line[j] == ' ' || line[j] == '\t')
			j++;
		if (line[j] == '"')
			return j;
	}
	return 0;
}

char *log_redact(const char *line)
{
	static const char *const headers[] = {"authorization", "x-registry-auth", "cookie"};
	static const char red[] = "<redacted>";
	struct xbuf o = {0};
	size_t i = 0, from = 0;
	xbuf_add(&o, "", 0);
	while (line[i]) {
		if (line[i] == ':') {
			bool hit = false;
			for (size_t k = 0; k < sizeof headers / sizeof headers[0] && !hit; k++)
				hit = header_before(line, i, headers[k]);
			if (hit) {
				xbuf_add(&o, line + from, i + 1 - from);
				xbuf_add(&o, " ", 1);
				xbuf_add(&o, red, sizeof red - 1);
				/* The value runs to the end of the line. */
				i += strcspn(line + i, "\n");
				from = i;
				continue;
			}
		} else if (line[i] == '"') {
			size_t q = json_secret_member(line, i);
			if (q) {
				xbuf_add(&o, line + from, q + 1 - from);
				xbuf_add(&o, red, sizeof red - 1);
				size_t j = q + 1;
				while (line[j] && line[j] != '"')
					j += line[j] == '\\' && line[j + 1] ? 2 : 1;
				i = from = j;   /* the closing quote, or the end */
				if (line[i])
					i++;
				continue;
			}
		}
		i++;
	}
	xbuf_add(&o, line + from, i - from);
	return xbuf_take(&o);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "info", "debug"};
	if (!log_enabled(level))
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	/* One entry, one line: controls from engine text must not forge entries. */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	char *clean = log_redact(msg);
	free(msg);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char stamp[TIME_ISO8601_NS_SIZE];
	time_iso8601_ns((int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec, 3, stamp);
	char *entry = xasprintf("%s %ld %s %s\n", stamp, (long)getpid(), names[level], clean);
	free(clean);
	pthread_mutex_lock(&lg.mu);
	if (lg.fd < 0)
		open_locked();
	if (lg.fd >= 0) {
		ssize_t w = write(lg.fd, entry, strlen(entry));
		(void)w;
	}
	pthread_mutex_unlock(&lg.mu);
	free(entry);
}
