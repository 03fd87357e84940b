/* gocker image inspect: images as Docker's JSON, or through a small
 * subset of Go templates ({{.Field.Sub}}, {{json .Field}}). */
#include "common/cleanup.h"
#include "common/cmd.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "runtime/commands.h"
#include "runtime/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_object *str_or_empty(json_object *cfg, const char *key)
{
	const char *s = gk_json_str(cfg, key);
	return json_object_new_string(s ? s : "");
}

static json_object *copy_or(json_object *v, json_object *dflt)
{
	if (!v)
		return dflt;
	json_object_put(dflt);
	json_object *c = NULL;
	json_object_deep_copy(v, &c, NULL);
	return c;
}

static json_object *inspect_image(const struct rt_image *img, const struct rt_image_summary *s)
{
	json_object *cfg = img->config;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "Id", json_object_new_string(img->id));
	json_object_object_add(o, "RepoTags", gk_json_from_strv(s ? s->repo_tags : NULL));
	json_object_object_add(o, "RepoDigests", gk_json_from_strv(s ? s->repo_digests : NULL));
	json_object_object_add(o, "Parent", json_object_new_string(""));
	json_object_object_add(o, "Comment", str_or_empty(cfg, "comment"));
	json_object_object_add(o, "Created", str_or_empty(cfg, "created"));
	json_object_object_add(o, "DockerVersion", str_or_empty(cfg, "docker_version"));
	json_object_object_add(o, "Author", str_or_empty(cfg, "author"));
	json_object_object_add(o, "Config",
			       copy_or(gk_json_obj(cfg, "config"), json_object_new_object()));
	json_object_object_add(o, "Architecture", str_or_empty(cfg, "architecture"));
	if (gk_json_str(cfg, "variant"))
		json_object_object_add(o, "Variant", str_or_empty(cfg, "variant"));
	json_object_object_add(o, "Os", str_or_empty(cfg, "os"));
	json_object_object_add(o, "Size", json_object_new_int64(img->size));
	json_object *gd = json_object_new_object();
	json_object *data = json_object_new_object();
	_cleanup_free_ char *lower = gk_strdup("");
	for (size_t i = img->n_layers; i-- > 0;) { /* overlayfs order: top first */
		char *n = gk_strdup_printf("%s%s%s", lower, *lower ? ":" : "", img->layer_dirs[i]);
		free(lower);
		lower = n;
	}
	json_object_object_add(data, "LowerDir", json_object_new_string(lower));
	json_object_object_add(gd, "Data", data);
	json_object_object_add(gd, "Name", json_object_new_string("overlay"));
	json_object_object_add(o, "GraphDriver", gd);
	json_object *rootfs = json_object_new_object();
	json_object_object_add(rootfs, "Type", json_object_new_string("layers"));
	json_object_object_add(rootfs, "Layers",
			       copy_or(gk_json_array(gk_json_obj(cfg, "rootfs"), "diff_ids"),
				       json_object_new_array()));
	json_object_object_add(o, "RootFS", rootfs);
	json_object *meta = json_object_new_object();
	json_object_object_add(meta, "LastTagTime",
			       json_object_new_string(s && s->last_tag_time
							  ? s->last_tag_time
							  : "0001-01-01T00:00:00Z"));
	json_object_object_add(o, "Metadata", meta);
	return o;
}

json_object *rt_image_inspect_json(const char *name, struct gk_err *err)
{
	struct rt_store *store = NULL;
	struct rt_image_summary *v = NULL;
	size_t n = 0;
	struct rt_image img;
	json_object *o = NULL;
	if (rt_store_open(NULL, &store, err) == 0 &&
	    rt_store_list_images(store, &v, &n, err) == 0 &&
	    rt_image_resolve(store, name, &img, err) == 0) {
		const struct rt_image_summary *s = NULL;
		for (size_t j = 0; j < n; j++)
			if (strcmp(v[j].id, img.id) == 0)
				s = &v[j];
		o = inspect_image(&img, s);
		rt_image_free(&img);
	}
	rt_image_summaries_free(v, n);
	rt_store_close(store);
	return o;
}

static int inspect_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *format = NULL;
	int done = 0, c;
	while ((c = gk_cmd_getopt(self, argc, argv, "f:h", opts, &done)) != -1) {
		if (done)
			return c;
		if (c == 'f')
			format = optarg;
	}
	if (optind >= argc)
		return gk_cmd_usage_error(self, "requires at least 1 argument");
	struct gk_err err;
	struct rt_store *store = NULL;
	struct rt_image_summary *v = NULL;
	size_t n = 0;
	if (rt_store_open(NULL, &store, &err) < 0 ||
	    rt_store_list_images(store, &v, &n, &err) < 0) {
		rt_store_close(store);
		gk_print_err(&err);
		return GK_EXIT_FAILURE;
	}
	_cleanup_json_ json_object *arr = json_object_new_array();
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		struct rt_image img;
		if (rt_image_resolve(store, argv[i], &img, &err) < 0) {
			if (err.errnum == ENOENT)
				fprintf(stderr, "Error: No such image: %s\n", argv[i]);
			else
				gk_print_err(&err);
			rc = 1;
			continue;
		}
		const struct rt_image_summary *s = NULL;
		for (size_t j = 0; j < n; j++)
			if (strcmp(v[j].id, img.id) == 0)
				s = &v[j];
		json_object_array_add(arr, inspect_image(&img, s));
		rt_image_free(&img);
	}
	rt_image_summaries_free(v, n);
	rt_store_close(store);
	if (gk_json_print_inspect(stdout, arr, format, &err) < 0) {
		gk_print_err(&err);
		return GK_EXIT_FAILURE;
	}
	return rc;
}

const struct gk_cmd gk_cmd_image_inspect = {
    .name = "image inspect",
    .usage = "[OPTIONS] IMAGE [IMAGE...]",
    .summary = "Display detailed information on one or more images",
    .help = "  -f, --format TMPL   print each image through a template: {{.Id}},\n"
	    "                      {{.Config.Cmd}}, {{json .RootFS}} (a subset of Go's)\n",
    .exec = inspect_exec,
};
