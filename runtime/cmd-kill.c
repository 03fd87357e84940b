/* gocker kill: send a signal (default SIGKILL) to running containers. */
#include <signal.h>
#include <stdio.h>

#include "common/cmd.h"
#include "runtime/commands.h"
#include "runtime/ctrstate.h"
#include "runtime/lifecycle.h"

static int kill_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"signal", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int done = 0, c, sig = SIGKILL;
	const char *sig_arg = NULL;
	while ((c = gk_cmd_getopt(self, argc, argv, "+s:h", opts, &done)) != -1) {
		if (done)
			return c;
		if (c != 's')
			return GK_EXIT_FAILURE;
		sig_arg = optarg;
		sig = rt_signal_parse(optarg);
	}
	if (optind >= argc)
		return gk_cmd_usage_error(self, "requires at least 1 argument");
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		struct gk_err err = {0};
		char id[65];
		/* Docker's daemon refuses the signal for each container: exit 1 */
		if (sig < 0)
			gk_err_set(&err, 0, "Invalid signal: %s", sig_arg);
		if (sig < 0 || rt_ctr_resolve(argv[i], id, &err) < 0 ||
		    rt_ctr_kill(id, sig, &err) < 0) {
			fprintf(stderr, "Error response from daemon: %s\n", err.msg);
			rc = 1;
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return rc;
}

const struct gk_cmd gk_cmd_kill = {
    .name = "kill",
    .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
    .summary = "Kill one or more running containers",
    .help = "  -s, --signal SIG   signal to send (name or number, default KILL)\n",
    .exec = kill_exec,
};
