/* gocker rm: remove containers (and with -f, running ones). */
#include <errno.h>
#include <stdio.h>

#include "common/cmd.h"
#include "common/json.h"
#include "common/log.h"
#include "net/container.h"
#include "runtime/commands.h"
#include "runtime/ctrstate.h"
#include "runtime/lifecycle.h"

static int remove_one(const char *id, int force, struct gk_err *err)
{
	/* An unreadable config: free whatever network state there may be. */
	int private_network = 1;
	_cleanup_json_ json_object *cfg = NULL;
	struct gk_err ignored;
	if (rt_ctr_config_read(id, &cfg, &ignored) == 0)
		private_network = rt_ctr_config_private_network(cfg);
	if (rt_ctr_remove(id, force ? RT_REMOVE_FORCE : 0, err) < 0)
		return -1;
	/* Its processes are gone: the veth is deleted here rather than left
	 * to the kernel, so rm returns with it gone. */
	return private_network ? net_container_teardown(id, err) : 0;
}

static int rm_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"volumes", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int done = 0, c, force = 0;
	while ((c = gk_cmd_getopt(self, argc, argv, "+fvh", opts, &done)) != -1) {
		if (done)
			return c;
		if (c == 'f')
			force = 1;
		else if (c != 'v')
			return GK_EXIT_FAILURE;
	}
	if (optind >= argc)
		return gk_cmd_usage_error(self, "requires at least 1 argument");
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		struct gk_err err = {0};
		char id[65];
		if (rt_ctr_resolve(argv[i], id, &err) < 0) {
			fprintf(stderr, "Error response from daemon: %s\n", err.msg);
			/* -f of a container that is not there succeeds, as rm -f of
			 * a missing file (Docker since 20.10) */
			if (!(force && err.errnum == ENOENT))
				rc = 1;
			continue;
		}
		if (remove_one(id, force, &err) < 0) {
			fprintf(stderr, "Error response from daemon: %s\n", err.msg);
			rc = 1;
			continue;
		}
		printf("%s\n", argv[i]);
	}
	return rc;
}

const struct gk_cmd gk_cmd_rm = {
    .name = "rm",
    .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
    .summary = "Remove one or more containers",
    .help = "  -f, --force     kill and remove a running container\n"
	    "  -v, --volumes   accepted for Docker compatibility (named volumes are kept)\n",
    .exec = rm_exec,
};
