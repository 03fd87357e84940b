/* What a container's monitor does while the container runs: copy its
 * stdout/stderr into Docker's json-file log, line by line, until it exits. */
#ifndef RT_MONITOR_H
#define RT_MONITOR_H

#include <sys/types.h>

#include "common/err.h"

/* Relay out_fd and err_fd into log_fd as {"log","stream","time"} lines until
 * both reach EOF and the process `pid` (pidfd) has exited; reaps it and
 * returns Docker's exit code (128+N for a signal). Closes out_fd/err_fd. */
int rt_monitor_logs(int out_fd, int err_fd, int pidfd, pid_t pid, int log_fd, struct gk_err *err);

/* One json-file line for `len` bytes of `stream` ("stdout"/"stderr"). */
int rt_log_write_line(int log_fd, const char *stream, const char *data, size_t len);

#endif
