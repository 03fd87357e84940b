/* gocker: the single-container command line. main only parses the global
 * options and dispatches to the command table; each command is a cmd-*.c file. */
#include "common/cmd.h"
#include "common/log.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/commands.h"

/* One line per command; keep in the order `gocker --help` lists them. */
/* clang-format off */
static const struct gk_cmd *const commands[] = {
	&gk_cmd_run,
	&gk_cmd_ps,
	&gk_cmd_exec,
	&gk_cmd_logs,
	&gk_cmd_stop,
	&gk_cmd_kill,
	&gk_cmd_rm,
	&gk_cmd_inspect,
	&gk_cmd_images,
	&gk_cmd_load,
	&gk_cmd_pull,
	&gk_cmd_rmi,
	&gk_cmd_tag,
	&gk_cmd_image_inspect,
	&gk_cmd_image_load,
	&gk_cmd_image_ls,
	&gk_cmd_image_rm,
	&gk_cmd_image_tag,
	&gk_cmd_version,
	&gk_cmd_port, &gk_cmd_network_ls,
	&gk_cmd_network_prune,
};
/* clang-format on */

/* Internal commands: run by gocker itself, never listed in the help. */
static const struct gk_cmd *const internal_commands[] = {
    &gk_cmd_monitor_finish, /* gocker-monitor, after a detached container's end */
};

static void print_help(void)
{
	printf("Usage: gocker [OPTIONS] COMMAND\n\n"
	       "Docker's core, from scratch: images, containers, namespaces, cgroups.\n\n"
	       "Options:\n"
	       "      --root DIR   state directory (default $GOCKER_ROOT or /var/lib/gocker)\n"
	       "      --run DIR    runtime directory (default $GOCKER_RUN or /run/gocker)\n"
	       "  -v, --version    print the version and exit\n"
	       "  -h, --help       print this help\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-15s %s\n", commands[i]->name, commands[i]->summary);
	printf("\nRun 'gocker COMMAND --help' for more information on a command.\n");
}

int main(int argc, char **argv)
{
	gk_set_progname("gocker");
	static const struct option opts[] = {
	    {"root", required_argument, NULL, 'R'},
	    {"run", required_argument, NULL, 'U'},
	    {"version", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'R':
			setenv("GOCKER_ROOT", optarg, 1);
			break;
		case 'U':
			setenv("GOCKER_RUN", optarg, 1);
			break;
		case 'v':
			printf("gocker version %s\n", GK_VERSION);
			return 0;
		case 'h':
			print_help();
			return 0;
		default:
			return gk_cmd_program_opt_error("gocker", c, argv);
		}
	}
	if (optind >= argc) {
		print_help();
		return 0;
	}
	int first = optind;
	for (size_t i = 0; i < sizeof(internal_commands) / sizeof(internal_commands[0]); i++)
		if (!strcmp(argv[first], internal_commands[i]->name))
			return internal_commands[i]->exec(internal_commands[i], argc - first,
							  argv + first);
	return gk_cmd_dispatch("gocker", commands, sizeof(commands) / sizeof(commands[0]),
			       argc - first, argv + first);
}
