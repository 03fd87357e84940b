/* gocker ps: list containers with Docker's columns and status strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/cmd.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/units.h"
#include "net/container.h"
#include "runtime/commands.h"
#include "runtime/ctrstate.h"

static int64_t seconds_since(const char *rfc3339)
{
	struct timespec t, now;
	if (!rfc3339 || !*rfc3339 || gk_parse_time(rfc3339, &t) < 0)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec - t.tv_sec;
}

/* "Up 5 minutes", "Exited (0) 2 minutes ago", "Created" */
static void status_string(const struct rt_ctr_state *st, char *buf, size_t len)
{
	char d[64];
	if (!strcmp(st->status, "running")) {
		gk_human_duration(seconds_since(st->started_at), d, sizeof(d));
		snprintf(buf, len, "Up %s", d);
	} else if (!strcmp(st->status, "exited")) {
		gk_human_duration(seconds_since(st->finished_at), d, sizeof(d));
		snprintf(buf, len, "Exited (%d) %s ago", st->exit_code, d);
	} else {
		snprintf(buf, len, "Created");
	}
}

/* "\"sh -c 'sleep 1'\"", truncated to 20 characters as Docker does. */
static char *command_string(json_object *cfg, int trunc)
{
	const char *path = gk_json_str(cfg, "Path");
	_cleanup_strv_ char **args = gk_json_strv(gk_json_array(cfg, "Args"));
	char *s = gk_strdup(path ? path : "");
	for (size_t i = 0; args[i]; i++) {
		char *n = gk_strdup_printf("%s %s", s, args[i]);
		free(s);
		s = n;
	}
	if (trunc && strlen(s) > 20) {
		/* 19 bytes and an ellipsis */
		char *n = gk_strdup_printf("%.19s…", s);
		free(s);
		s = n;
	}
	char *q = gk_strdup_printf("\"%s\"", s);
	free(s);
	return q;
}

struct row {
	char *cols[7];
};

static int ps_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"all", no_argument, NULL, 'a'},	      {"quiet", no_argument, NULL, 'q'},
	    {"format", required_argument, NULL, 'F'}, {"no-trunc", no_argument, NULL, 'N'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
	};
	int done = 0, c, all = 0, quiet = 0, json = 0, notrunc = 0;
	while ((c = gk_cmd_getopt(self, argc, argv, "+aqh", opts, &done)) != -1) {
		if (done)
			return c;
		switch (c) {
		case 'a':
			all = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'N':
			notrunc = 1;
			break;
		case 'F':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "{{json .}}") != 0)
				return gk_cmd_usage_error(self, "unsupported format %s (json only)",
							  optarg);
			json = 1;
			break;
		default:
			return GK_EXIT_FAILURE;
		}
	}
	if (optind < argc)
		return gk_cmd_usage_error(self, "accepts no arguments");
	_cleanup_strv_ char **ids = rt_ctr_list();
	size_t n = gk_strv_len(ids);
	struct row *rows = gk_malloc0((n + 1) * sizeof(*rows));
	size_t nr = 0;
	static const char *const head[] = {"CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
					   "STATUS",	   "PORTS", "NAMES"};
	/* newest first, as Docker lists */
	for (size_t k = n; k-- > 0;) {
		struct gk_err err;
		_cleanup_json_ json_object *cfg = NULL;
		struct rt_ctr_state st;
		if (rt_ctr_config_read(ids[k], &cfg, &err) < 0 ||
		    rt_ctr_state_read(ids[k], &st, &err) < 0)
			continue;
		rt_ctr_state_refresh(&st);
		int running = !strcmp(st.status, "running");
		if (!all && !running)
			continue;
		if (quiet) {
			printf("%.*s\n", notrunc ? 64 : 12, ids[k]);
			continue;
		}
		char status[128], created[96], d[64];
		status_string(&st, status, sizeof(status));
		gk_human_duration(seconds_since(gk_json_str(cfg, "Created")), d, sizeof(d));
		snprintf(created, sizeof(created), "%s ago", d);
		const char *name = gk_json_str(cfg, "Name");
		const char *image = gk_json_str(gk_json_obj(cfg, "Config"), "Image");
		if (json) {
			_cleanup_free_ char *cmd = command_string(cfg, !notrunc);
			json_object *o = json_object_new_object();
			json_object_object_add(o, "Command", json_object_new_string(cmd));
			struct timespec ts = {0};
			char at[64] = "";
			const char *created_rfc = gk_json_str(cfg, "Created");
			if (created_rfc && gk_parse_time(created_rfc, &ts) == 0)
				gk_format_time_cli(ts.tv_sec, at, sizeof(at));
			json_object_object_add(o, "CreatedAt", json_object_new_string(at));
			_cleanup_free_ char *sid =
			    gk_strdup_printf("%.*s", notrunc ? 64 : 12, ids[k]);
			json_object_object_add(o, "ID", json_object_new_string(sid));
			json_object_object_add(o, "Image",
					       json_object_new_string(image ? image : ""));
			json_object_object_add(o, "Labels", json_object_new_string(""));
			json_object_object_add(o, "Mounts", json_object_new_string(""));
			json_object_object_add(o, "Names",
					       json_object_new_string(name ? name + 1 : ""));
			json_object_object_add(
			    o, "Networks",
			    json_object_new_string(
				gk_json_str(gk_json_obj(cfg, "HostConfig"), "NetworkMode") ?: ""));
			_cleanup_free_ char *ports =
			    running ? net_container_ports_string(ids[k]) : gk_strdup("");
			json_object_object_add(o, "Ports", json_object_new_string(ports));
			json_object_object_add(o, "RunningFor", json_object_new_string(created));
			json_object_object_add(o, "State", json_object_new_string(st.status));
			json_object_object_add(o, "Status", json_object_new_string(status));
			printf("%s\n",
			       json_object_to_json_string_ext(
				   o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
			continue;
		}
		struct row *r = &rows[nr++];
		r->cols[0] = gk_strdup_printf("%.*s", notrunc ? 64 : 12, ids[k]);
		r->cols[1] = gk_strdup(image ? image : "");
		r->cols[2] = command_string(cfg, !notrunc);
		r->cols[3] = gk_strdup(created);
		r->cols[4] = gk_strdup(status);
		r->cols[5] = running ? net_container_ports_string(ids[k]) : gk_strdup("");
		r->cols[6] = gk_strdup(name ? name + 1 : "");
	}
	if (!quiet && !json) {
		/* Docker's tabwriter: columns padded to the widest cell plus 3. */
		size_t w[7];
		for (int i = 0; i < 7; i++) {
			w[i] = strlen(head[i]);
			for (size_t k = 0; k < nr; k++) {
				size_t l = strlen(rows[k].cols[i]);
				/* "…" is one column but three bytes */
				if (strstr(rows[k].cols[i], "…"))
					l -= 2;
				if (l > w[i])
					w[i] = l;
			}
		}
		for (int i = 0; i < 7; i++)
			printf("%-*s", i == 6 ? 0 : (int)w[i] + 3, head[i]);
		printf("\n");
		for (size_t k = 0; k < nr; k++) {
			for (int i = 0; i < 7; i++) {
				const char *s = rows[k].cols[i];
				int pad = i == 6 ? 0 : (int)w[i] + 3 + (strstr(s, "…") ? 2 : 0);
				printf("%-*s", pad, s);
			}
			printf("\n");
		}
	}
	for (size_t k = 0; k < nr; k++)
		for (int i = 0; i < 7; i++)
			free(rows[k].cols[i]);
	free(rows);
	return 0;
}

const struct gk_cmd gk_cmd_ps = {
    .name = "ps",
    .usage = "[OPTIONS]",
    .summary = "List containers",
    .help = "  -a, --all          show all containers (default shows just running)\n"
	    "  -q, --quiet        only display container ids\n"
	    "      --format json  one JSON object per line\n"
	    "      --no-trunc     do not truncate output\n",
    .exec = ps_exec,
};
