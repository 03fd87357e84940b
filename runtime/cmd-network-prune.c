/* gocker network prune: tear down what no container uses any more — the
 * network of containers that are gone (veth, address, published ports, DNAT
 * rules), then the bridges with no container and their NAT rules. After a
 * kill -9 of every gocker process, `rm -f` plus this leave the host as it was. */
#include "common/cleanup.h"
#include "common/cmd.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/paths.h"
#include "net/container.h"
#include "runtime/commands.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A container exists while its directory under $GOCKER_ROOT/containers does. */
static int container_exists(const char *id, void *data)
{
	(void)data;
	_cleanup_free_ char *dir = gk_strdup_printf("%s/containers/%s", gk_root_dir(), id);
	return gk_path_exists(dir);
}

static int confirm(void)
{
	fprintf(stderr, "WARNING! This will remove all custom networks not used by at least one "
			"container.\nAre you sure you want to continue? [y/N] ");
	char line[16];
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

static int network_prune_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {{"force", no_argument, NULL, 'f'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int done = 0, c, force = 0;
	while ((c = gk_cmd_getopt(self, argc, argv, "+fh", opts, &done)) != -1) {
		if (done)
			return c;
		if (c == 'f')
			force = 1;
	}
	if (optind < argc)
		return gk_cmd_usage_error(self, "accepts no arguments");
	if (!force && !confirm())
		return 0;
	struct gk_err err;
	_cleanup_strv_ char **removed = NULL;
	if (net_prune(container_exists, NULL, &removed, &err) < 0) {
		gk_print_err(&err);
		return GK_EXIT_FAILURE;
	}
	if (removed && removed[0]) {
		printf("Deleted Networks:\n");
		for (char **r = removed; *r; r++)
			printf("%s\n", *r);
	}
	return 0;
}

const struct gk_cmd gk_cmd_network_prune = {
    .name = "network prune",
    .usage = "[OPTIONS]",
    .summary = "Remove unused networks and stale network state",
    .help = "  -f, --force   do not prompt for confirmation\n",
    .exec = network_prune_exec,
};
