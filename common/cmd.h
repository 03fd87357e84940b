/* Command tables, as tmux does: each command is one file that defines one
 * entry; a program's main only dispatches. */
#ifndef GK_CMD_H
#define GK_CMD_H

#include <getopt.h>
#include <stddef.h>

struct gk_cmd {
	const char *name;    /* "run", or two words: "image inspect" */
	const char *usage;   /* "[OPTIONS] IMAGE [COMMAND] [ARG...]" */
	const char *summary; /* one line for the program's help */
	const char *help;    /* option list printed by `CMD --help` */
	/* argv[0] is the command name; returns the process exit status. */
	int (*exec)(const struct gk_cmd *self, int argc, char **argv);
};

/* `PROG version`: prints "PROG version X.Y.Z"; shared by both programs. */
extern const struct gk_cmd gk_cmd_version;

/* Exit status for the tool's own failures, as Docker uses it. */
#define GK_EXIT_FAILURE 125

/* Find the command named by argv[0] (or argv[0] argv[1] for two-word names)
 * and run it. Prints the program help for no command, a clear error and 125
 * for an unknown one. */
int gk_cmd_dispatch(const char *prog, const struct gk_cmd *const *table, size_t n, int argc,
		    char **argv);

/* Print "Usage: PROG NAME USAGE\n\nSUMMARY\n\nHELP" to stdout. Returns 0. */
int gk_cmd_print_help(const struct gk_cmd *cmd);

/* For getopt errors and bad arguments: "PROG NAME: MESSAGE" plus a hint to
 * run --help, on stderr. Returns GK_EXIT_FAILURE. */
int gk_cmd_usage_error(const struct gk_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* For a program's own options (before the command), parsed by getopt_long
 * with an optstring starting "+:": prints "PROG: flag needs an argument: X"
 * when c is ':', else Docker's unknown-flag message, and the --help hint.
 * Returns GK_EXIT_FAILURE. */
int gk_cmd_program_opt_error(const char *prog, int c, char **argv);

/* Run getopt_long for a command: handles -h/--help (prints help, *done=1,
 * returns 0) and unknown flags (prints the error, returns 125). Returns the
 * option character otherwise, -1 at the end of options. Option strings should
 * start with '+' so parsing stops at the first operand (the image, for run). */
int gk_cmd_getopt(const struct gk_cmd *cmd, int argc, char **argv, const char *shortopts,
		  const struct option *longopts, int *done);

#endif
