/* Diagnostics on stderr. Library code never prints to stdout. */
#ifndef GK_LOG_H
#define GK_LOG_H

#include "err.h"

void gk_set_progname(const char *name);
const char *gk_progname(void);

/* "<prog>: warning: ..." */
void gk_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "<prog>: ..." for a final error */
void gk_print_err(const struct gk_err *err);
/* Printed only when GOCKER_DEBUG is set. */
void gk_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
