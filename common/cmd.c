#include "cmd.h"
#include "log.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct gk_cmd *find_cmd(const struct gk_cmd *const *table, size_t n, int argc,
				     char **argv, int *words)
{
	for (size_t i = 0; i < n && argc >= 2; i++) {
		const char *name = table[i]->name;
		const char *space = strchr(name, ' ');
		if (space && strncmp(name, argv[0], (size_t)(space - name)) == 0 &&
		    argv[0][space - name] == '\0' && strcmp(space + 1, argv[1]) == 0) {
			*words = 2;
			return table[i];
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(table[i]->name, argv[0]) == 0) {
			*words = 1;
			return table[i];
		}
	}
	return NULL;
}

static void print_program_help(const char *prog, const struct gk_cmd *const *table, size_t n)
{
	printf("Usage: %s [OPTIONS] COMMAND\n\nCommands:\n", prog);
	for (size_t i = 0; i < n; i++)
		printf("  %-16s %s\n", table[i]->name, table[i]->summary);
	printf("\nRun '%s COMMAND --help' for more information on a command.\n", prog);
}

int gk_cmd_dispatch(const char *prog, const struct gk_cmd *const *table, size_t n, int argc,
		    char **argv)
{
	if (argc < 1) {
		print_program_help(prog, table, n);
		return 0;
	}
	int words = 1;
	const struct gk_cmd *cmd = find_cmd(table, n, argc, argv, &words);
	if (!cmd) {
		fprintf(stderr, "%s: '%s' is not a %s command.\nSee '%s --help'.\n", prog, argv[0],
			prog, prog);
		return GK_EXIT_FAILURE;
	}
	/* For a two-word command, argv[0] becomes the second word. optind = 0
	 * makes glibc's getopt start afresh for the command's own options. */
	optind = 0;
	return cmd->exec(cmd, argc - (words - 1), argv + (words - 1));
}

int gk_cmd_print_help(const struct gk_cmd *cmd)
{
	printf("Usage: %s %s%s%s\n\n%s\n", gk_progname(), cmd->name, *cmd->usage ? " " : "",
	       cmd->usage, cmd->summary);
	if (cmd->help && *cmd->help)
		printf("\nOptions:\n%s", cmd->help);
	return 0;
}

int gk_cmd_usage_error(const struct gk_cmd *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s %s: ", gk_progname(), cmd->name);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nSee '%s %s --help'.\n", gk_progname(), cmd->name);
	va_end(ap);
	return GK_EXIT_FAILURE;
}

int gk_cmd_program_opt_error(const char *prog, int c, char **argv)
{
	if (c == ':')
		fprintf(stderr, "%s: flag needs an argument: %s\n", prog, argv[optind - 1]);
	else if (optopt)
		fprintf(stderr, "%s: unknown shorthand flag: '%c' in -%c\n", prog, optopt, optopt);
	else
		fprintf(stderr, "%s: unknown flag: %s\n", prog, argv[optind - 1]);
	fprintf(stderr, "See '%s --help'.\n", prog);
	return GK_EXIT_FAILURE;
}

int gk_cmd_getopt(const struct gk_cmd *cmd, int argc, char **argv, const char *shortopts,
		  const struct option *longopts, int *done)
{
	opterr = 0;
	int c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == 'h') {
		gk_cmd_print_help(cmd);
		*done = 1;
		return 0;
	}
	if (c == '?') {
		*done = 1;
		int known = optopt && strchr(shortopts, optopt);
		for (const struct option *o = longopts; o && o->name && !known; o++)
			known = optopt && !o->flag && o->val == optopt;
		if (known)
			return gk_cmd_usage_error(cmd, "flag needs an argument: %s",
						  argv[optind - 1]);
		if (optopt)
			return gk_cmd_usage_error(cmd, "unknown shorthand flag: '%c' in -%c",
						  optopt, optopt);
		return gk_cmd_usage_error(cmd, "unknown flag: %s", argv[optind - 1]);
	}
	return c;
}

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
	printf("%s version %s\n", gk_progname(), GK_VERSION);
	return 0;
}

const struct gk_cmd gk_cmd_version = {
    .name = "version",
    .usage = "",
    .summary = "Show the version",
    .help = "",
    .exec = version_exec,
};
