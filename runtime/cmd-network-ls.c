/* gocker network ls: the default bridge network, host, none and the named
 * networks (compose projects), as `docker network ls` prints them. */
#include "common/cleanup.h"
#include "common/cmd.h"
#include "common/digest.h"
#include "common/log.h"
#include "net/network.h"
#include "runtime/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_row(const char *id, const char *name, const char *driver, int quiet)
{
	if (quiet)
		printf("%.12s\n", id);
	else
		printf("%-14.12s %-20s %-9s %s\n", id, name, driver, "local");
}

static int network_ls_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {{"quiet", no_argument, NULL, 'q'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int done = 0, c, quiet = 0;
	while ((c = gk_cmd_getopt(self, argc, argv, "+qh", opts, &done)) != -1) {
		if (done)
			return c;
		if (c == 'q')
			quiet = 1;
	}
	if (optind < argc)
		return gk_cmd_usage_error(self, "accepts no arguments");
	struct gk_err err;
	struct net_network *nets = NULL;
	size_t n = 0;
	if (net_network_list(&nets, &n, &err) < 0) {
		gk_print_err(&err);
		return GK_EXIT_FAILURE;
	}
	if (!quiet)
		printf("%-14s %-20s %-9s %s\n", "NETWORK ID", "NAME", "DRIVER", "SCOPE");
	char id[GK_SHA256_HEX_LEN + 1];
	net_network_id(&nets[0], id);
	print_row(id, nets[0].name, "bridge", quiet);
	const char *builtin[] = {"host", "none"};
	for (int i = 0; i < 2; i++) {
		net_network_id_by_name(builtin[i], id);
		print_row(id, builtin[i], builtin[i][0] == 'h' ? "host" : "null", quiet);
	}
	for (size_t i = 1; i < n; i++) {
		net_network_id(&nets[i], id);
		print_row(id, nets[i].name, "bridge", quiet);
	}
	free(nets);
	return 0;
}

const struct gk_cmd gk_cmd_network_ls = {
    .name = "network ls",
    .usage = "[OPTIONS]",
    .summary = "List networks",
    .help = "  -q, --quiet   only display network IDs\n",
    .exec = network_ls_exec,
};
