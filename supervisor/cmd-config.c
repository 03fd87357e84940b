/* gocker-compose config: the resolved project (interpolated, merged,
 * defaults filled in, long syntax, sorted keys), as YAML or JSON. */
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "supervisor/commands.h"

#include <stdio.h>
#include <string.h>

static int write_output(const char *path, const char *text)
{
	struct gk_err err;
	if (!path) {
		fputs(text, stdout);
		return fflush(stdout) == 0 ? 0 : GK_EXIT_FAILURE;
	}
	if (gk_write_file_atomic(path, text, strlen(text), 0644, &err) < 0) {
		gk_print_err(&err);
		return GK_EXIT_FAILURE;
	}
	return 0;
}

static int list_names(const struct sv_project *p, int volumes, const char *out)
{
	size_t len = 0;
	_cleanup_free_ char *text = gk_strdup("");
	size_t n = volumes ? p->n_volumes : p->n_services;
	for (size_t i = 0; i < n; i++) {
		const char *name = volumes ? p->volumes[i].key : p->services[i].name;
		char *t = gk_strdup_printf("%s%s\n", text, name);
		free(text);
		text = t;
		len += strlen(name) + 1;
	}
	(void)len;
	return write_output(out, text);
}

static int config_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'F'},	{"quiet", no_argument, NULL, 'q'},
	    {"services", no_argument, NULL, 'S'},	{"volumes", no_argument, NULL, 'V'},
	    {"no-interpolate", no_argument, NULL, 'N'}, {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},		{NULL, 0, NULL, 0},
	};
	const char *format = "yaml", *out = NULL;
	int quiet = 0, services = 0, volumes = 0, no_interp = 0, done = 0, c;
	while ((c = gk_cmd_getopt(self, argc, argv, "+qo:h", opts, &done)) != -1) {
		if (done)
			return c;
		switch (c) {
		case 'F':
			format = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'S':
			services = 1;
			break;
		case 'V':
			volumes = 1;
			break;
		case 'N':
			no_interp = 1;
			break;
		case 'o':
			out = optarg;
			break;
		}
	}
	if (optind < argc)
		return gk_cmd_usage_error(self, "accepts no arguments");
	if (strcmp(format, "yaml") && strcmp(format, "json"))
		return gk_cmd_usage_error(self, "unsupported format \"%s\" (yaml or json)", format);
	struct sv_project *p = NULL;
	if (sv_cli_load(&p, no_interp) < 0)
		return GK_EXIT_FAILURE;
	int rc = 0;
	if (quiet) {
		rc = 0;
	} else if (services || volumes) {
		rc = list_names(p, volumes && !services, out);
	} else {
		_cleanup_json_ json_object *doc = sv_project_to_json(p);
		_cleanup_free_ char *text = NULL;
		struct gk_err err;
		if (!strcmp(format, "json")) {
			text = sv_json_to_text(doc);
		} else if (sv_json_to_yaml(doc, &text, &err) < 0) {
			gk_print_err(&err);
			sv_project_free(p);
			return GK_EXIT_FAILURE;
		}
		rc = write_output(out, text);
	}
	sv_project_free(p);
	return rc;
}

const struct gk_cmd gk_cmd_config = {
    .name = "config",
    .usage = "[OPTIONS]",
    .summary = "Parse, resolve and print the compose file in canonical form",
    .help = "      --format FORMAT     yaml (default) or json\n"
	    "  -q, --quiet             only validate; the exit status tells\n"
	    "      --services          print the service names, one per line\n"
	    "      --volumes           print the volume names, one per line\n"
	    "      --no-interpolate    do not interpolate variables\n"
	    "  -o, --output FILE       write to FILE instead of stdout\n",
    .exec = config_exec,
};
