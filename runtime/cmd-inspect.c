/* gocker inspect: containers as Docker's inspect JSON; a name that is no
 * container is looked up as an image (gocker image inspect). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/cmd.h"
#include "common/json.h"
#include "common/log.h"
#include "net/container.h"
#include "runtime/commands.h"
#include "runtime/ctrstate.h"

static json_object *copy(json_object *o)
{
	json_object *out = NULL;
	if (o)
		json_object_deep_copy(o, &out, NULL);
	return out;
}

static json_object *container_json(const char *id, struct gk_err *err)
{
	_cleanup_json_ json_object *cfg = NULL;
	struct rt_ctr_state st;
	if (rt_ctr_config_read(id, &cfg, err) < 0 || rt_ctr_state_read(id, &st, err) < 0)
		return NULL;
	rt_ctr_state_refresh(&st);
	json_object *o = json_object_new_object();
	static const char *const top[] = {"Id", "Created", "Path", "Args"};
	for (size_t i = 0; i < 4; i++)
		json_object_object_add(o, top[i], copy(json_object_object_get(cfg, top[i])));
	int running = !strcmp(st.status, "running");
	json_object *s = json_object_new_object();
	json_object_object_add(s, "Status", json_object_new_string(st.status));
	json_object_object_add(s, "Running", json_object_new_boolean(running));
	json_object_object_add(s, "Paused", json_object_new_boolean(0));
	json_object_object_add(s, "Restarting", json_object_new_boolean(0));
	json_object_object_add(s, "OOMKilled", json_object_new_boolean(st.oom_killed));
	json_object_object_add(s, "Dead", json_object_new_boolean(0));
	json_object_object_add(s, "Pid", json_object_new_int(running ? st.pid : 0));
	json_object_object_add(s, "ExitCode", json_object_new_int(st.exit_code));
	json_object_object_add(s, "Error", json_object_new_string(st.error));
	json_object_object_add(
	    s, "StartedAt",
	    json_object_new_string(st.started_at[0] ? st.started_at : "0001-01-01T00:00:00Z"));
	json_object_object_add(
	    s, "FinishedAt",
	    json_object_new_string(st.finished_at[0] ? st.finished_at : "0001-01-01T00:00:00Z"));
	json_object_object_add(o, "State", s);
	json_object_object_add(o, "Image", copy(json_object_object_get(cfg, "Image")));
	json_object_object_add(o, "Name", copy(json_object_object_get(cfg, "Name")));
	json_object_object_add(o, "RestartCount", json_object_new_int(0));
	json_object_object_add(o, "Driver", json_object_new_string("overlay"));
	json_object_object_add(o, "HostConfig", copy(json_object_object_get(cfg, "HostConfig")));
	json_object_object_add(o, "Mounts", copy(json_object_object_get(cfg, "Mounts")));
	json_object_object_add(o, "Config", copy(json_object_object_get(cfg, "Config")));
	const char *mode = gk_json_str(gk_json_obj(cfg, "HostConfig"), "NetworkMode");
	json_object_object_add(o, "NetworkSettings", net_container_settings_json(id, mode));
	return o;
}

/* One NAME|ID, as Docker's inspect looks it up: a container first, then an
 * image. Only "not found" moves on to the next kind; any other error (an
 * ambiguous id prefix) is the answer. Prints why and returns NULL on failure. */
static json_object *inspect_one(const char *q, const char *type)
{
	struct gk_err err = {0};
	char id[65];
	if (!type || !strcmp(type, "container")) {
		json_object *o = NULL;
		if (rt_ctr_resolve(q, id, &err) == 0 && (o = container_json(id, &err)))
			return o;
		if (err.errnum != ENOENT) {
			fprintf(stderr, "Error response from daemon: %s\n", err.msg);
			return NULL;
		}
		if (type) {
			fprintf(stderr, "Error: No such container: %s\n", q);
			return NULL;
		}
	}
	json_object *o = rt_image_inspect_json(q, &err);
	if (o)
		return o;
	if (err.errnum == ENOENT)
		fprintf(stderr, "Error: No such %s: %s\n", type ? "image" : "object", q);
	else
		fprintf(stderr, "Error response from daemon: %s\n", err.msg);
	return NULL;
}

static int inspect_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
					     {"type", required_argument, NULL, 'T'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *format = NULL, *type = NULL;
	int done = 0, c;
	while ((c = gk_cmd_getopt(self, argc, argv, "f:h", opts, &done)) != -1) {
		if (done)
			return c;
		if (c == 'f')
			format = optarg;
		else if (c == 'T')
			type = optarg;
		else
			return GK_EXIT_FAILURE;
	}
	if (type && strcmp(type, "container") && strcmp(type, "image"))
		return gk_cmd_usage_error(self, "\"%s\" is not a valid value for --type", type);
	if (optind >= argc)
		return gk_cmd_usage_error(self, "requires at least 1 argument");
	/* Each argument is looked up on its own: containers and images mix. */
	_cleanup_json_ json_object *arr = json_object_new_array();
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		json_object *o = inspect_one(argv[i], type);
		if (o)
			json_object_array_add(arr, o);
		else
			rc = 1;
	}
	struct gk_err err = {0};
	if (gk_json_print_inspect(stdout, arr, format, &err) < 0) {
		gk_print_err(&err);
		return 1;
	}
	return rc;
}

const struct gk_cmd gk_cmd_inspect = {
    .name = "inspect",
    .usage = "[OPTIONS] NAME|ID [NAME|ID...]",
    .summary = "Return low-level information on containers or images",
    .help = "  -f, --format TEMPLATE   {{.State.Status}}, {{json .Config}} ...\n"
	    "      --type TYPE         container or image\n",
    .exec = inspect_exec,
};
