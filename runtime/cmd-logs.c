/* gocker logs: print a detached container's json-file log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/cmd.h"
#include "common/fs.h"
#include "common/json.h"
#include "runtime/commands.h"
#include "runtime/container.h"
#include "runtime/ctrstate.h"

static void print_entry(const char *line, int timestamps)
{
	json_object *o = json_tokener_parse(line);
	if (!o)
		return;
	const char *log = gk_json_str(o, "log");
	const char *stream = gk_json_str(o, "stream");
	FILE *out = stream && !strcmp(stream, "stderr") ? stderr : stdout;
	if (timestamps)
		fprintf(out, "%s ", gk_json_str(o, "time") ?: "");
	if (log)
		fputs(log, out);
	fflush(out);
	json_object_put(o);
}

static int logs_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"follow", no_argument, NULL, 'f'},
	    {"tail", required_argument, NULL, 'n'},
	    {"timestamps", no_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int done = 0, c, follow = 0, ts = 0;
	long tail = -1;
	while ((c = gk_cmd_getopt(self, argc, argv, "+fn:th", opts, &done)) != -1) {
		if (done)
			return c;
		switch (c) {
		case 'f':
			follow = 1;
			break;
		case 't':
			ts = 1;
			break;
		case 'n':
			if (!strcmp(optarg, "all")) {
				tail = -1;
			} else {
				char *end;
				tail = strtol(optarg, &end, 10);
				if (*end || end == optarg)
					return gk_cmd_usage_error(self, "invalid --tail: %s",
								  optarg);
			}
			break;
		default:
			return GK_EXIT_FAILURE;
		}
	}
	if (optind + 1 != argc)
		return gk_cmd_usage_error(self, "requires exactly 1 argument");
	struct gk_err err = {0};
	char id[65];
	if (rt_ctr_resolve(argv[optind], id, &err) < 0) {
		fprintf(stderr, "Error response from daemon: %s\n", err.msg);
		return 1;
	}
	_cleanup_free_ char *path = rt_ctr_log_path(id);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f) {
		if (!follow)
			return 0;
	}
	/* --tail: count lines first, then skip all but the last N. */
	long skip = 0;
	if (f && tail >= 0) {
		long lines = 0;
		int ch;
		while ((ch = getc(f)) != EOF)
			if (ch == '\n')
				lines++;
		skip = lines > tail ? lines - tail : 0;
		rewind(f);
	}
	char *line = NULL;
	size_t cap = 0;
	for (;;) {
		ssize_t n = f ? getline(&line, &cap, f) : -1;
		if (n > 0 && line[n - 1] == '\n') {
			if (skip > 0)
				skip--;
			else
				print_entry(line, ts);
			continue;
		}
		if (n > 0) /* a partial line: the monitor is writing it */
			fseek(f, -n, SEEK_CUR);
		if (!follow)
			break;
		struct rt_ctr_state st;
		if (rt_ctr_state_read(id, &st, &err) < 0)
			break;
		/* A live monitor is draining the pipes, or a launcher is still
		 * starting the container; a Created container with neither
		 * (its start failed) has nothing more to say, as in Docker. */
		int running = rt_ctr_running(&st);
		if (!running && st.monitor_pid > 0 &&
		    rt_proc_alive(st.monitor_pid, st.monitor_start))
			running = 1;
		if (!running) {
			/* one last read for what came in the meantime */
			while (f && (n = getline(&line, &cap, f)) > 0)
				print_entry(line, ts);
			break;
		}
		if (!f)
			f = fopen(path, "re");
		if (f)
			clearerr(f);
		usleep(100000);
	}
	free(line);
	return 0;
}

const struct gk_cmd gk_cmd_logs = {
    .name = "logs",
    .usage = "[OPTIONS] CONTAINER",
    .summary = "Fetch the logs of a container",
    .help = "  -f, --follow        follow log output until the container stops\n"
	    "  -n, --tail N        number of lines to show from the end (default all)\n"
	    "  -t, --timestamps    show timestamps\n",
    .exec = logs_exec,
};
