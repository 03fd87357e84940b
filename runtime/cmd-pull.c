/* gocker pull [-q] [--platform os/arch[/variant]] IMAGE
 *
 * Prints what Docker prints: on a terminal, one line per layer redrawn in
 * place ("a3ed95caeb02: Downloading  12.3MB/31.4MB"); otherwise one line per
 * event ("Pulling fs layer", "Download complete", "Pull complete"); then the
 * digest, the status and the full reference. -q prints only the reference. */
#include "common/cmd.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/units.h"
#include "runtime/commands.h"
#include "runtime/pullview.h"
#include "runtime/registry.h"
#include "runtime/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "busybox" and "127.0.0.1:5000/busybox" name no tag; "busybox:1" does. */
static int names_tag_or_digest(const char *s)
{
	if (strchr(s, '@'))
		return 1;
	const char *slash = strrchr(s, '/');
	return strchr(slash ? slash : s, ':') != NULL;
}

static int pull_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"quiet", no_argument, NULL, 'q'},
	    {"platform", required_argument, NULL, 'P'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct rt_pull_opts po = {0};
	int quiet = 0;
	int done = 0, c;
	while ((c = gk_cmd_getopt(self, argc, argv, "+qh", opts, &done)) != -1) {
		if (done)
			return c;
		switch (c) {
		case 'q':
			quiet = 1;
			break;
		case 'P':
			po.platform = optarg;
			break;
		default:
			return c;
		}
	}
	if (optind + 1 != argc)
		return gk_cmd_usage_error(self, "requires exactly 1 argument");
	const char *image = argv[optind];
	struct rt_pull_view *view = quiet ? NULL : rt_pull_view_new(stdout, isatty(STDOUT_FILENO));
	po.progress = view ? rt_pull_view_event : NULL;
	po.progress_ctx = view;

	struct gk_err err;
	struct rt_store *store = NULL;
	if (rt_store_open(NULL, &store, &err) < 0) {
		gk_print_err(&err);
		rt_pull_view_free(view);
		return GK_EXIT_FAILURE;
	}
	if (!quiet && !names_tag_or_digest(image)) {
		printf("Using default tag: latest\n");
		fflush(stdout);
	}
	struct rt_pull_result res;
	int rc = rt_pull(store, image, &po, &res, &err);
	rt_store_close(store);
	rt_pull_view_free(view);
	if (rc < 0) {
		gk_print_err(&err);
		return GK_EXIT_FAILURE;
	}
	if (!quiet) {
		printf("Digest: %s\n", res.digest);
		printf("Status: %s for %s\n",
		       res.up_to_date ? "Image is up to date" : "Downloaded newer image",
		       res.familiar);
	}
	printf("%s\n", res.reference);
	rt_pull_result_free(&res);
	return 0;
}

const struct gk_cmd gk_cmd_pull = {
    .name = "pull",
    .usage = "[OPTIONS] NAME[:TAG|@DIGEST]",
    .summary = "Download an image from a registry",
    .help = "      --platform string   Set platform if server is multi-platform capable\n"
	    "                          (os/arch[/variant])\n"
	    "  -q, --quiet             Suppress verbose output\n",
    .exec = pull_exec,
};
