#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const char *progname = "gocker";

void gk_set_progname(const char *name)
{
	progname = name;
}

const char *gk_progname(void)
{
	return progname;
}

void gk_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: warning: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void gk_print_err(const struct gk_err *err)
{
	fprintf(stderr, "%s: %s\n", progname, err->msg[0] ? err->msg : "unknown error");
}

void gk_debug(const char *fmt, ...)
{
	if (!getenv("GOCKER_DEBUG"))
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: debug: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
