/* gocker-compose version */
#include "supervisor/commands.h"

#include <stdio.h>

static int version_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int done = 0, c;
	while ((c = gk_cmd_getopt(self, argc, argv, "+h", opts, &done)) != -1) {
		if (done)
			return c;
	}
	if (optind < argc)
		return gk_cmd_usage_error(self, "accepts no arguments");
	printf("gocker-compose version %s\n", GK_VERSION);
	return 0;
}

const struct gk_cmd gk_cmd_version = {
    .name = "version",
    .usage = "",
    .summary = "Show the gocker-compose version",
    .help = "",
    .exec = version_exec,
};
