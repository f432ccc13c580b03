#include "api/base/err.h"

#include <stdio.h>

#include "api/base/xalloc.h"

int err_set(char **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(err, fmt, ap);
	va_end(ap);
	return -1;
}

int err_vset(char **err, const char *fmt, va_list ap)
{
	if (err && !*err)
		*err = xvasprintf(fmt, ap);
	return -1;
}

void err_print(const char *fmt, ...)
{
	va_list ap;
	fputs("glovebox: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
