#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int gk_err_set(struct gk_err *err, int errnum, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (errnum && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
	err->errnum = errnum;
	return -1;
}

int gk_err_wrap(struct gk_err *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	char prefix[GK_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	/* Shift the old message right, then put "prefix: " in front (truncating). */
	size_t plen = strlen(prefix) + 2;
	if (plen >= sizeof(err->msg))
		plen = sizeof(err->msg) - 1;
	size_t olen = strnlen(err->msg, sizeof(err->msg) - 1);
	if (plen + olen >= sizeof(err->msg))
		olen = sizeof(err->msg) - 1 - plen;
	memmove(err->msg + plen, err->msg, olen);
	err->msg[plen + olen] = '\0';
	memcpy(err->msg, prefix, plen - 2);
	err->msg[plen - 2] = ':';
	err->msg[plen - 1] = ' ';
	return -1;
}

void gk_err_clear(struct gk_err *err)
{
	if (err) {
		err->errnum = 0;
		err->msg[0] = '\0';
	}
}
