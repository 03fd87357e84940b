/* gocker-compose: main parses the global options and dispatches to the
 * command table; each command is a supervisor/cmd-*.c file. */
#include "common/cmd.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/commands.h"

/* One line per command; keep in the order `gocker-compose --help` lists them. */
static const struct gk_cmd *const commands[] = {
    &gk_cmd_config,
    &gk_cmd_version,
};

struct sv_load_opts sv_cli_opts;
static char **cli_files, **cli_env_files, **cli_profiles;

int sv_cli_load(struct sv_project **out, int no_interpolate)
{
	struct gk_err err;
	sv_cli_opts.no_interpolate = no_interpolate;
	if (sv_project_load(&sv_cli_opts, out, &err) < 0) {
		gk_print_err(&err);
		return -1;
	}
	for (char **w = (*out)->warnings; w && *w; w++)
		gk_warn("%s", *w);
	return 0;
}

static void print_help(void)
{
	printf("Usage: gocker-compose [OPTIONS] COMMAND\n\n"
	       "Define and run multi-container applications with gocker.\n\n"
	       "Options:\n"
	       "  -f, --file FILE                compose file (repeatable; default compose.yaml,\n"
	       "                                 compose.yml, docker-compose.yaml,\n"
	       "                                 docker-compose.yml; - for stdin)\n"
	       "  -p, --project-name NAME        project name\n"
	       "      --project-directory DIR    project directory (default: the first file's)\n"
	       "      --env-file FILE            variables for interpolation (default: "
	       "PROJECT_DIR/.env)\n"
	       "      --profile NAME             enable a profile (repeatable)\n"
	       "  -v, --version                  print the version and exit\n"
	       "  -h, --help                     print this help\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("  %-15s %s\n", commands[i]->name, commands[i]->summary);
	printf("\nRun 'gocker-compose COMMAND --help' for more information on a command.\n");
}

int main(int argc, char **argv)
{
	gk_set_progname("gocker-compose");
	static const struct option opts[] = {
	    {"file", required_argument, NULL, 'f'},
	    {"project-name", required_argument, NULL, 'p'},
	    {"project-directory", required_argument, NULL, 'D'},
	    {"env-file", required_argument, NULL, 'E'},
	    {"profile", required_argument, NULL, 'P'},
	    {"version", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:f:p:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			gk_strv_push(&cli_files, optarg);
			break;
		case 'p':
			sv_cli_opts.project_name = optarg;
			break;
		case 'D':
			sv_cli_opts.project_dir = optarg;
			break;
		case 'E':
			gk_strv_push(&cli_env_files, optarg);
			break;
		case 'P':
			gk_strv_push(&cli_profiles, optarg);
			break;
		case 'v':
			printf("gocker-compose version %s\n", GK_VERSION);
			return 0;
		case 'h':
			print_help();
			return 0;
		default:
			return gk_cmd_program_opt_error("gocker-compose", c, argv);
		}
	}
	sv_cli_opts.files = cli_files;
	sv_cli_opts.env_files = cli_env_files;
	sv_cli_opts.profiles = cli_profiles;
	if (optind >= argc) {
		print_help();
		return 0;
	}
	int first = optind;
	int rc = gk_cmd_dispatch("gocker-compose", commands, sizeof(commands) / sizeof(commands[0]),
				 argc - first, argv + first);
	gk_strv_free(cli_files);
	gk_strv_free(cli_env_files);
	gk_strv_free(cli_profiles);
	return rc;
}
