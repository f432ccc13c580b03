#include "api/base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/base/xalloc.h"

int err_set(char **err, const char *fmt, ...)
{
	if (!err || *err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		xalloc_die();
	va_end(ap);
	*err = msg;
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
