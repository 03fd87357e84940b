#include "runtime/monitor.h"

#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/units.h"
#include "runtime/container.h"

#define LINE_MAX_BYTES 16384 /* Docker splits longer lines into 16K entries */

/* In monitor.c rather than container.c so that the static gocker-monitor
 * links only this file (and common/err.c, common/units.c, json-c). */
int rt_wait_status_code(int code, int status)
{
	if (code == CLD_EXITED)
		return status;
	return 128 + status;
}

struct stream {
	int fd;
	const char *name;
	char buf[LINE_MAX_BYTES];
	size_t len;
};

int rt_log_write_line(int log_fd, const char *stream, const char *data, size_t len)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char ts[64];
	gk_format_time(&now, ts, sizeof(ts));
	json_object *o = json_object_new_object();
	json_object_object_add(o, "log", json_object_new_string_len(data, (int)len));
	json_object_object_add(o, "stream", json_object_new_string(stream));
	json_object_object_add(o, "time", json_object_new_string(ts));
	size_t n;
	const char *s = json_object_to_json_string_length(
	    o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	int rc = 0;
	if (write(log_fd, s, n) != (ssize_t)n || write(log_fd, "\n", 1) != 1)
		rc = -1;
	json_object_put(o);
	return rc;
}

static void flush_lines(struct stream *s, int log_fd, int all)
{
	size_t start = 0;
	for (size_t i = 0; i < s->len; i++) {
		if (s->buf[i] == '\n') {
			rt_log_write_line(log_fd, s->name, s->buf + start, i + 1 - start);
			start = i + 1;
		}
	}
	if ((all || (start == 0 && s->len == sizeof(s->buf))) && start < s->len) {
		rt_log_write_line(log_fd, s->name, s->buf + start, s->len - start);
		start = s->len;
	}
	memmove(s->buf, s->buf + start, s->len - start);
	s->len -= start;
}

static void read_stream(struct stream *s, int log_fd)
{
	ssize_t n = read(s->fd, s->buf + s->len, sizeof(s->buf) - s->len);
	if (n > 0) {
		s->len += (size_t)n;
		flush_lines(s, log_fd, 0);
		return;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	flush_lines(s, log_fd, 1);
	close(s->fd);
	s->fd = -1;
}

int rt_monitor_logs(int out_fd, int err_fd, int pidfd, pid_t pid, int log_fd, struct gk_err *err)
{
	struct stream streams[2];
	streams[0] = (struct stream){.fd = out_fd, .name = "stdout"};
	streams[1] = (struct stream){.fd = err_fd, .name = "stderr"};
	int exited = 0, code = 0;
	while (!exited || streams[0].fd >= 0 || streams[1].fd >= 0) {
		struct pollfd p[3] = {
		    {.fd = streams[0].fd, .events = POLLIN},
		    {.fd = streams[1].fd, .events = POLLIN},
		    {.fd = exited ? -1 : pidfd, .events = POLLIN},
		};
		int r = poll(p, 3, exited ? 2000 : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return gk_err_set(err, errno, "poll");
		if (r == 0)
			break; /* exited, and nothing more came for a while */
		for (int i = 0; i < 2; i++)
			if (p[i].fd >= 0 && p[i].revents)
				read_stream(&streams[i], log_fd);
		if (!exited && p[2].revents) {
			siginfo_t si;
			memset(&si, 0, sizeof(si));
			if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG) == 0 &&
			    si.si_pid == pid) {
				exited = 1;
				code = rt_wait_status_code(si.si_code, si.si_status);
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (streams[i].fd >= 0) {
			flush_lines(&streams[i], log_fd, 1);
			close(streams[i].fd);
		}
	return code;
}
