/* gocker tag SOURCE TARGET: another name for an image in the store. */
#include "common/cmd.h"
#include "common/log.h"
#include "runtime/commands.h"
#include "runtime/reference.h"
#include "runtime/store.h"

#include <errno.h>
#include <stdio.h>

static int tag_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int done = 0, c;
	while ((c = gk_cmd_getopt(self, argc, argv, "h", opts, &done)) != -1) {
		if (done)
			return c;
	}
	if (argc - optind != 2)
		return gk_cmd_usage_error(self, "requires exactly 2 arguments");
	struct gk_err err;
	struct rt_ref target;
	if (rt_ref_parse(argv[optind + 1], &target, &err) < 0) {
		gk_print_err(&err);
		return GK_EXIT_FAILURE;
	}
	if (target.digest) {
		rt_ref_free(&target);
		fprintf(stderr, "gocker: refusing to create a tag with a digest reference\n");
		return GK_EXIT_FAILURE;
	}
	struct rt_store *store = NULL;
	struct rt_image img = {0};
	int rc = 0;
	if (rt_store_open(NULL, &store, &err) < 0 ||
	    rt_image_resolve(store, argv[optind], &img, &err) < 0 ||
	    rt_store_tag(store, &target, img.manifest_digest, &err) < 0) {
		gk_print_err(&err);
		rc = err.errnum == ENOENT ? 1 : GK_EXIT_FAILURE;
	}
	rt_image_free(&img);
	rt_ref_free(&target);
	rt_store_close(store);
	return rc;
}

const struct gk_cmd gk_cmd_tag = {
    .name = "tag",
    .usage = "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
    .summary = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
    .help = "",
    .exec = tag_exec,
};

const struct gk_cmd gk_cmd_image_tag = {
    .name = "image tag",
    .usage = "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
    .summary = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
    .help = "",
    .exec = tag_exec,
};
