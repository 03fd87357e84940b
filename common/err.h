/* gk_err: errno plus a message that names what failed and on what.
 *
 * Fallible functions return -1 and fill a struct gk_err; callers add context
 * with gk_err_wrap() as the error rises, so the final message reads like a
 * path through the code: "load busybox.tar: layer 3: unpack: open x: ...". */
#ifndef GK_ERR_H
#define GK_ERR_H

#include <stddef.h>

#define GK_ERR_MSG_MAX 2048

struct gk_err {
	int errnum;		  /* errno of the root cause, 0 if none */
	char msg[GK_ERR_MSG_MAX]; /* human message, no trailing newline */
};

/* Set the message; when errnum != 0, ": strerror(errnum)" is appended.
 * Always returns -1 so callers can `return gk_err_set(...)`. */
int gk_err_set(struct gk_err *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the existing message with context ("ctx: old message"). Returns -1. */
int gk_err_wrap(struct gk_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reset to "no error". */
void gk_err_clear(struct gk_err *err);

#endif
