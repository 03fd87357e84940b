/* gocker rmi (image rm): untag, then delete what no other image uses. */
#include "common/cleanup.h"
#include "common/cmd.h"
#include "common/fs.h"
#include "common/log.h"
#include "runtime/commands.h"
#include "runtime/store.h"

#include <errno.h>
#include <stdio.h>

static int rmi_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {{"force", no_argument, NULL, 'f'},
					     {"no-prune", no_argument, NULL, 'P'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int flags = 0, done = 0, c;
	while ((c = gk_cmd_getopt(self, argc, argv, "fh", opts, &done)) != -1) {
		if (done)
			return c;
		if (c == 'f')
			flags |= RT_RMI_FORCE;
	}
	if (optind >= argc)
		return gk_cmd_usage_error(self, "requires at least 1 argument");
	struct gk_err err;
	struct rt_store *store = NULL;
	if (rt_store_open(NULL, &store, &err) < 0) {
		gk_print_err(&err);
		return GK_EXIT_FAILURE;
	}
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		_cleanup_strv_ char **lines = gk_malloc0(sizeof(char *));
		int r = rt_store_remove(store, argv[i], flags, &lines, &err);
		for (char **l = lines; *l; l++)
			printf("%s\n", *l);
		if (r < 0) {
			gk_print_err(&err);
			/* as Docker: the daemon refused, not a usage error; with -f
			 * an image that is not there is only reported */
			if (!((flags & RT_RMI_FORCE) && err.errnum == ENOENT))
				rc = 1;
		}
	}
	rt_store_close(store);
	return rc;
}

#define RMI_HELP                                                                                   \
	"  -f, --force      remove the names even when a container uses the image\n"               \
	"      --no-prune   accepted for Docker compatibility\n"

const struct gk_cmd gk_cmd_rmi = {
    .name = "rmi",
    .usage = "[OPTIONS] IMAGE [IMAGE...]",
    .summary = "Remove one or more images",
    .help = RMI_HELP,
    .exec = rmi_exec,
};

const struct gk_cmd gk_cmd_image_rm = {
    .name = "image rm",
    .usage = "[OPTIONS] IMAGE [IMAGE...]",
    .summary = "Remove one or more images",
    .help = RMI_HELP,
    .exec = rmi_exec,
};
