/* Docker's pull progress display (see pullview.h). */
#include "runtime/pullview.h"

#include <stdlib.h>
#include <string.h>

#include "common/fs.h"
#include "common/units.h"

struct rt_pull_view {
	FILE *out;
	int tty;
	char **ids;   /* one line per layer, in order of appearance */
	char **texts; /* its current status */
	size_t n;
};

static size_t view_line(struct rt_pull_view *v, const char *id)
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

void rt_pull_view_free(struct rt_pull_view *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		free(v->ids[i]);
		free(v->texts[i]);
	}
	free(v->ids);
	free(v->texts);
	free(v);
}

struct rt_pull_view *rt_pull_view_new(FILE *out, int tty)
{
	struct rt_pull_view *v = gk_malloc0(sizeof(*v));
	v->out = out;
	v->tty = tty;
	return v;
}

/* Put `text` on line `i`: a new line at the bottom, or redrawn in place
 * (cursor up, clear, print, cursor back down) as Docker's jsonmessage does. */
static void view_set(struct rt_pull_view *v, size_t i, const char *text, int is_new)
{
	free(v->texts[i]);
	v->texts[i] = gk_strdup(text);
	if (!v->tty || is_new) {
		fprintf(v->out, "%s: %s\n", v->ids[i], text);
	} else {
		size_t up = v->n - i;
		fprintf(v->out, "\033[%zuA\r\033[2K%s: %s\n", up, v->ids[i], text);
		if (up > 1)
			fprintf(v->out, "\033[%zuB", up - 1);
	}
	fflush(v->out);
}

void rt_pull_view_event(void *ctx, const struct rt_pull_event *ev)
{
	struct rt_pull_view *v = ctx;
	if (ev->kind == RT_PULL_START) {
		fprintf(v->out, "%s\n", ev->msg);
		fflush(v->out);
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
