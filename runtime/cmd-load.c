/* gocker load: an image archive (docker save or OCI layout) into the store. */
#include "common/cleanup.h"
#include "common/cmd.h"
#include "common/fs.h"
#include "common/log.h"
#include "runtime/commands.h"
#include "runtime/load.h"
#include "runtime/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int load_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {{"input", required_argument, NULL, 'i'},
					     {"quiet", no_argument, NULL, 'q'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *input = NULL;
	int done = 0, c;
	while ((c = gk_cmd_getopt(self, argc, argv, "+i:qh", opts, &done)) != -1) {
		if (done)
			return c;
		if (c == 'i')
			input = optarg;
		/* -q: there is no progress output to suppress */
	}
	if (optind < argc)
		return gk_cmd_usage_error(self, "accepts no arguments");
	struct gk_err err;
	_cleanup_close_ int fd = -1;
	if (input && strcmp(input, "-") != 0) {
		fd = open(input, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			gk_err_set(&err, errno, "open %s", input);
			gk_print_err(&err);
			return GK_EXIT_FAILURE;
		}
	} else {
		if (isatty(STDIN_FILENO)) {
			fprintf(stderr, "gocker: requested load from stdin, but stdin is a "
					"terminal: use -i FILE or a pipe\n");
			return GK_EXIT_FAILURE;
		}
		fd = dup(STDIN_FILENO);
		input = "stdin";
	}
	struct rt_store *store = NULL;
	if (rt_store_open(NULL, &store, &err) < 0) {
		gk_print_err(&err);
		return GK_EXIT_FAILURE;
	}
	_cleanup_strv_ char **lines = gk_malloc0(sizeof(char *));
	int rc = rt_load_archive(store, fd, input, &lines, &err);
	rt_store_close(store);
	for (char **l = lines; *l; l++)
		printf("%s\n", *l);
	if (rc < 0) {
		gk_print_err(&err);
		return GK_EXIT_FAILURE;
	}
	return 0;
}

const struct gk_cmd gk_cmd_load = {
    .name = "load",
    .usage = "[OPTIONS]",
    .summary = "Load an image from a tar archive (docker save or OCI layout) or STDIN",
    .help = "  -i, --input FILE   read from FILE instead of STDIN\n"
	    "  -q, --quiet        suppress the load output (accepted; there is none)\n",
    .exec = load_exec,
};

const struct gk_cmd gk_cmd_image_load = {
    .name = "image load",
    .usage = "[OPTIONS]",
    .summary = "Load an image from a tar archive (docker save or OCI layout) or STDIN",
    .help = "  -i, --input FILE   read from FILE instead of STDIN\n"
	    "  -q, --quiet        suppress the load output (accepted; there is none)\n",
    .exec = load_exec,
};
