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
#include "runtime/registry.h"
#include "runtime/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pull_view {
	int tty;
	int quiet;
	char **ids;   /* one line per layer, in order of appearance */
	char **texts; /* its current status */
	size_t n;
};

static size_t view_line(struct pull_view *v, const char *id)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->ids[i], id) == 0)
			return i;
	v->ids = realloc(v->ids, (v->n + 1) * sizeof(char *));
	v->texts = realloc(v->texts, (v->n + 1) * sizeof(char *));
	if (!v->ids || !v->texts)
		abort();
	v->ids[v->n] = gk_strdup(id);
	v->texts[v->n] = NULL;
	return v->n++;
}

static void view_free(struct pull_view *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->ids[i]);
		free(v->texts[i]);
	}
	free(v->ids);
	free(v->texts);
}

/* Put `text` on line `i`: a new line at the bottom, or redrawn in place
 * (cursor up, clear, print, cursor back down) as Docker's jsonmessage does. */
static void view_set(struct pull_view *v, size_t i, const char *text, int is_new)
{
	free(v->texts[i]);
	v->texts[i] = gk_strdup(text);
	if (!v->tty || is_new) {
		printf("%s: %s\n", v->ids[i], text);
	} else {
		size_t up = v->n - i;
		printf("\033[%zuA\r\033[2K%s: %s\n", up, v->ids[i], text);
		if (up > 1)
			printf("\033[%zuB", up - 1);
	}
	fflush(stdout);
}

static void on_event(void *ctx, const struct rt_pull_event *ev)
{
	struct pull_view *v = ctx;
	if (v->quiet)
		return;
	if (ev->kind == RT_PULL_START) {
		printf("%s\n", ev->msg);
		fflush(stdout);
		return;
	}
	if (!ev->id)
		return;
	const char *text = NULL;
	char buf[128];
	switch (ev->kind) {
	case RT_PULL_LAYER_WAIT:
		text = "Pulling fs layer";
		break;
	case RT_PULL_LAYER_EXISTS:
		text = "Already exists";
		break;
	case RT_PULL_LAYER_PROGRESS: {
		if (!v->tty)
			return;
		char cur[32], tot[32];
		gk_human_size((double)ev->current, 3, cur, sizeof(cur));
		gk_human_size((double)ev->total, 3, tot, sizeof(tot));
		snprintf(buf, sizeof(buf), "Downloading  %s/%s", cur, tot);
		text = buf;
		break;
	}
	case RT_PULL_LAYER_RETRY:
		snprintf(buf, sizeof(buf), "Retrying: %.100s", ev->msg ? ev->msg : "");
		text = buf;
		break;
	case RT_PULL_LAYER_VERIFY:
		text = "Verifying Checksum";
		break;
	case RT_PULL_LAYER_DOWNLOADED:
		text = "Download complete";
		break;
	case RT_PULL_LAYER_EXTRACT:
		if (!v->tty)
			return;
		text = "Extracting";
		break;
	case RT_PULL_LAYER_DONE:
		text = "Pull complete";
		break;
	default:
		return;
	}
	size_t before = v->n;
	size_t i = view_line(v, ev->id);
	view_set(v, i, text, i == before);
}

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
	struct pull_view view = {0};
	int done = 0, c;
	while ((c = gk_cmd_getopt(self, argc, argv, "+qh", opts, &done)) != -1) {
		if (done)
			return c;
		switch (c) {
		case 'q':
			view.quiet = 1;
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
	view.tty = isatty(STDOUT_FILENO);
	po.progress = on_event;
	po.progress_ctx = &view;

	struct gk_err err;
	struct rt_store *store = NULL;
	if (rt_store_open(NULL, &store, &err) < 0) {
		gk_print_err(&err);
		return GK_EXIT_FAILURE;
	}
	if (!view.quiet && !names_tag_or_digest(image)) {
		printf("Using default tag: latest\n");
		fflush(stdout);
	}
	struct rt_pull_result res;
	int rc = rt_pull(store, image, &po, &res, &err);
	rt_store_close(store);
	view_free(&view);
	if (rc < 0) {
		gk_print_err(&err);
		return GK_EXIT_FAILURE;
	}
	if (!view.quiet) {
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
