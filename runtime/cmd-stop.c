/* gocker stop: the stop signal, a grace period, then SIGKILL. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/cleanup.h"
#include "common/cmd.h"
#include "common/json.h"
#include "runtime/commands.h"
#include "runtime/ctrstate.h"
#include "runtime/lifecycle.h"

static int stop_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"time", required_argument, NULL, 't'},
	    {"timeout", required_argument, NULL, 't'},
	    {"signal", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int done = 0, c, timeout = 10, forced_sig = -1;
	const char *sig_arg = NULL;
	while ((c = gk_cmd_getopt(self, argc, argv, "+t:s:h", opts, &done)) != -1) {
		if (done)
			return c;
		if (c == 't') {
			char *end;
			long t = strtol(optarg, &end, 10);
			if (*end || end == optarg || t < -1)
				return gk_cmd_usage_error(self, "invalid time: %s", optarg);
			timeout = t < 0 ? 1 << 20 : (int)t;
		} else if (c == 's') {
			sig_arg = optarg;
			forced_sig = rt_signal_parse(optarg);
		} else {
			return GK_EXIT_FAILURE;
		}
	}
	if (optind >= argc)
		return gk_cmd_usage_error(self, "requires at least 1 argument");
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		struct gk_err err = {0};
		char id[65];
		_cleanup_json_ json_object *cfg = NULL;
		/* Docker's daemon refuses the signal for each container: exit 1 */
		if (sig_arg && forced_sig < 0)
			gk_err_set(&err, 0, "Invalid signal: %s", sig_arg);
		if ((sig_arg && forced_sig < 0) || rt_ctr_resolve(argv[i], id, &err) < 0 ||
		    rt_ctr_config_read(id, &cfg, &err) < 0) {
			fprintf(stderr, "Error response from daemon: %s\n", err.msg);
			rc = 1;
			continue;
		}
		int sig = forced_sig;
		if (sig < 0)
			sig =
			    rt_signal_parse(gk_json_str(gk_json_obj(cfg, "Config"), "StopSignal"));
		if (sig < 0)
			sig = SIGTERM;
		if (rt_ctr_stop(id, sig, timeout, &err) < 0) {
			fprintf(stderr, "Error response from daemon: %s\n", err.msg);
			rc = 1;
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return rc;
}

const struct gk_cmd gk_cmd_stop = {
    .name = "stop",
    .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
    .summary = "Stop one or more running containers",
    .help = "  -t, --timeout SECONDS   seconds to wait before killing (default 10; -1: no\n"
	    "                          limit); --time is the older spelling\n"
	    "  -s, --signal SIG        signal to send first (default: the image's StopSignal\n"
	    "                          or TERM)\n",
    .exec = stop_exec,
};
