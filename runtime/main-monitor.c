/* gocker-monitor: the process that stays with a detached container.
 *
 * `gocker run -d` forks a monitor that creates and starts the container
 * (so the container is its child) and then execve()s this small, statically
 * linked program in the same process: the container stays its child, the
 * pid and /proc start time recorded as MonitorPid stay valid, and what stays
 * resident while the container runs is under 1 MB (about 80 KB of it
 * private; the rest is this binary's text, shared by all monitors) instead of
 * the 4 MB of gocker and its shared libraries. Static glibc alone maps about
 * 700 KB at startup: the floor without another libc.
 *
 *   gocker-monitor ID PID PIDFD OUT_FD ERR_FD LOG_FD GOCKER [IN_FD]
 *
 * PIDFD, OUT_FD, ERR_FD (-1 for a tty, whose master is OUT_FD), LOG_FD and
 * IN_FD (-1 or absent: none) are inherited. IN_FD, the write end of the
 * container's stdin under `run -di`, is only held open, so that the
 * container's stdin stays open as Docker's does. It writes the container's
 * output into its json-file log (runtime/monitor.c, the same code the full
 * gocker uses) until the container has exited and is reaped, then execve()s
 *
 *   GOCKER __monitor-finish ID CODE
 *
 * which does what follows an exit (OOM check, cgroup, exit status in
 * state.json, --rm), still as the same process. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "runtime/monitor.h"

static int parse_fd(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < -1 || v > 1 << 20)
		return -1;
	*out = (int)v;
	return 0;
}

static int valid_id(const char *id)
{
	return strlen(id) == 64 && strspn(id, "0123456789abcdef") == 64;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Nothing but the fds we were given stays open (0-2 are /dev/null). */
static void close_others(int *keep, size_t n)
{
	qsort(keep, n, sizeof(*keep), cmp_int);
	unsigned lo = 3;
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < (int)lo)
			continue;
		if ((unsigned)keep[i] > lo)
			close_range(lo, (unsigned)keep[i] - 1, 0);
		lo = (unsigned)keep[i] + 1;
	}
	close_range(lo, ~0U, 0);
}

int main(int argc, char **argv)
{
	int pid, pidfd, out_fd, err_fd, log_fd, in_fd = -1;
	if ((argc != 8 && argc != 9) || !valid_id(argv[1]) || parse_fd(argv[2], &pid) < 0 ||
	    pid <= 0 || parse_fd(argv[3], &pidfd) < 0 || parse_fd(argv[4], &out_fd) < 0 ||
	    parse_fd(argv[5], &err_fd) < 0 || parse_fd(argv[6], &log_fd) < 0 || log_fd < 0 ||
	    argv[7][0] != '/' || (argc == 9 && parse_fd(argv[8], &in_fd) < 0)) {
		fprintf(stderr, "gocker-monitor: internal program of gocker run -d, not for "
				"direct use\n");
		return 125;
	}
	int keep[] = {pidfd, out_fd, err_fd, log_fd, in_fd};
	close_others(keep, sizeof(keep) / sizeof(keep[0]));

	struct gk_err err = {0};
	int code = rt_monitor_logs(out_fd, err_fd, pidfd, (pid_t)pid, log_fd, &err);
	if (code < 0)
		code = 125; /* the cgroup's removal in __monitor-finish ends the container */
	close(log_fd);
	close(pidfd);
	if (in_fd >= 0)
		close(in_fd);

	char code_s[16];
	snprintf(code_s, sizeof(code_s), "%d", code);
	char *const fin[] = {argv[7], "__monitor-finish", argv[1], code_s, NULL};
	execv(argv[7], fin);
	/* No gocker to finish with: `ps` shows the container exited once this
	 * process is gone, and `gocker rm` removes its cgroup. */
	return 125;
}
