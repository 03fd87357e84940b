/* libFuzzer target: the compose parser, interpolation, validation and the
 * `config` output, plus the .env parser and the shell-like splitter.
 * Whatever loads must print, and what it prints must load again to the same
 * document (round trip). Build and run with `make fuzz`. */
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "supervisor/compose.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *const fuzz_environ[] = {"FOO=bar", "EMPTY=", "PORT=8080",
				     "COMPOSE_PROJECT_NAME=", NULL};

/* The input is one compose file, or two (base and override) split at a
 * line "#-": the second goes through Compose's merge rules. */
static int load(const char *buf, size_t len, int no_interpolate, struct sv_project **p,
		struct gk_err *err)
{
	char *const one[] = {"fuzz.yml", NULL}, *const two[] = {"fuzz.yml", "override.yml", NULL};
	const char *bufs[2] = {buf, NULL};
	size_t lens[2] = {len, 0};
	const char *sep = memmem(buf, len, "\n#-\n", 4);
	if (sep) {
		lens[0] = (size_t)(sep - buf) + 1;
		bufs[1] = sep + 4;
		lens[1] = len - lens[0] - 3;
	}
	struct sv_load_opts o = {.files = sep ? two : one,
				 .buffers = bufs,
				 .buffer_lens = lens,
				 .environ = fuzz_environ,
				 .project_name = "fuzz",
				 .no_interpolate = no_interpolate};
	return sv_project_load(&o, p, err);
}

/* Print, load what was printed, print again: the two must be the same. */
static void round_trip(struct sv_project *p)
{
	_cleanup_json_ json_object *doc = sv_project_to_json(p);
	_cleanup_free_ char *yaml = NULL, *json = sv_json_to_text(doc);
	struct gk_err err;
	if (sv_json_to_yaml(doc, &yaml, &err) < 0)
		abort(); /* the emitter refused our own document */
	struct sv_project *q = NULL;
	if (load(yaml, strlen(yaml), p->no_interpolate, &q, &err) < 0) {
		fprintf(stderr, "round trip: %s\n---\n%s", err.msg, yaml);
		abort();
	}
	_cleanup_json_ json_object *doc2 = sv_project_to_json(q);
	_cleanup_free_ char *json2 = sv_json_to_text(doc2);
	sv_project_free(q);
	if (strcmp(json, json2) != 0) {
		fprintf(stderr, "round trip differs:\n%s\n---\n%s", json, json2);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gk_err err;
	struct sv_project *p = NULL;
	for (int raw = 0; raw < 2; raw++) {
		if (load((const char *)data, size, raw, &p, &err) < 0)
			continue;
		round_trip(p);
		struct sv_graph g;
		if (sv_graph_build(p, &g, &err) == 0)
			sv_graph_free(&g);
		sv_project_free(p);
	}
	_cleanup_free_ char *s = strndup((const char *)data, size);
	if (!s)
		return 0;
	struct sv_env env = {0}, out = {0};
	sv_env_set(&env, "FOO", "bar");
	sv_dotenv_parse("fuzz.env", (const char *)data, size, &env, &out, &err);
	sv_env_free(&out);
	sv_env_free(&env);
	char **argv = NULL;
	if (sv_shell_split(s, &argv, &err) == 0)
		gk_strv_free(argv);
	struct sv_port *ports = NULL;
	size_t n = 0;
	struct sv_loc loc = {"fuzz", 1, 1};
	if (size < 64 && sv_parse_port(s, &loc, &ports, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++)
			sv_port_clear(&ports[i]);
	}
	free(ports);
	return 0;
}
