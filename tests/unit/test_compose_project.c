/* Project rules: merge of several files, names, profiles, validation across
 * services, the dependency graph, and the config document's round trip. */
#include "compose_test.h"

#include "common/json.h"

static struct sv_project *load2(const char *a, const char *b)
{
	const char *docs[] = {a, b};
	struct sv_project *p = NULL;
	struct gk_err err = {0};
	if (load_files(docs, 2, NULL, &p, &err) < 0)
		fail_msg("load: %s", err.msg);
	return p;
}

static void test_merge(void **state)
{
	(void)state;
	struct sv_project *p =
	    load2("services:\n"
		  "  web:\n"
		  "    image: busybox\n"
		  "    command: [httpd, -f]\n"
		  "    entrypoint: [/bin/sh]\n"
		  "    environment: {A: '1', B: '2'}\n"
		  "    labels: [x=1]\n"
		  "    ports: [\"8080:80\", \"9000:9000\"]\n"
		  "    volumes: [\"./a:/a\", \"/b:/b\"]\n"
		  "    healthcheck:\n      test: [CMD, a]\n      interval: 10s\n"
		  "    cap_add: [NET_ADMIN]\n"
		  "    depends_on: [db]\n"
		  "    restart: always\n"
		  "  db:\n    image: busybox\n",
		  "services:\n"
		  "  web:\n"
		  "    image: busybox:1.36\n"
		  "    command: [sleep, '1']\n"
		  "    environment: [B=20, C=3]\n"
		  "    labels: {y: '2'}\n"
		  "    ports: [\"8080:80\", \"9090:90\"]\n"
		  "    volumes: [\"/c:/a:ro\"]\n"
		  "    healthcheck:\n      test: [CMD, b]\n      retries: 9\n"
		  "    cap_add: [NET_ADMIN, SYS_TIME]\n"
		  "    depends_on:\n      db:\n        condition: service_healthy\n"
		  "  db:\n    healthcheck:\n      test: [CMD, x]\n"
		  "  new:\n    image: other\n");
	const struct sv_service *s = svc(p, "web");
	assert_string_equal(s->image, "busybox:1.36");
	assert_string_equal(s->command[0], "sleep"); /* replaced, not appended */
	assert_null(s->command[2]);
	assert_string_equal(s->entrypoint[0], "/bin/sh"); /* kept */
	assert_string_equal(env_of(s, "A"), "1");
	assert_string_equal(env_of(s, "B"), "20");
	assert_string_equal(env_of(s, "C"), "3");
	assert_int_equal(s->n_labels, 2);
	assert_int_equal(s->n_ports, 3); /* merged, the duplicate once */
	assert_int_equal(s->n_volumes, 2);
	assert_string_equal(s->volumes[0].source, "/c"); /* same target: replaced */
	assert_true(s->volumes[0].read_only);
	assert_string_equal(s->healthcheck.test[1], "b");
	assert_int_equal(s->healthcheck.interval, 10000000000LL);
	assert_int_equal(s->healthcheck.retries, 9);
	assert_string_equal(s->cap_add[1], "SYS_TIME");
	assert_null(s->cap_add[2]);
	assert_int_equal(s->depends_on[0].condition, SV_COND_HEALTHY);
	assert_int_equal(s->restart, SV_RESTART_ALWAYS);
	assert_true(svc(p, "db")->healthcheck.present);
	assert_string_equal(svc(p, "new")->image, "other");
	sv_project_free(p);
}

static void test_merge_errors_name_file(void **state)
{
	(void)state;
	const char *docs[] = {"services:\n  web:\n    image: x\n",
			      "services:\n  web:\n    ports: [\"x\"]\n"};
	struct sv_project *p = NULL;
	struct gk_err err = {0};
	assert_int_equal(load_files(docs, 2, NULL, &p, &err), -1);
	assert_string_equal(err.msg,
			    "override.yml:3:13: services.web.ports[0]: invalid port \"x\": "
			    "invalid container port \"x\"");
}

static int load_named(const char *yaml, const char *file, const char *flag, char *const *env,
		      struct sv_project **p, struct gk_err *err)
{
	char *files[] = {(char *)file, NULL};
	const char *bufs[] = {yaml};
	size_t lens[] = {strlen(yaml)};
	struct sv_load_opts o = {.files = files,
				 .buffers = bufs,
				 .buffer_lens = lens,
				 .environ = env,
				 .project_name = flag};
	return sv_project_load(&o, p, err);
}

static void name_is(const char *yaml, const char *file, const char *flag, char *const *env,
		    const char *want)
{
	struct sv_project *p = NULL;
	struct gk_err err = {0};
	if (load_named(yaml, file, flag, env, &p, &err) < 0)
		fail_msg("load: %s", err.msg);
	assert_string_equal(p->name, want);
	sv_project_free(p);
}

static void test_project_name(void **state)
{
	(void)state;
	const char *y = "services:\n  a:\n    image: x\n";
	const char *yn = "name: fromfile\nservices:\n  a:\n    image: x\n";
	char *const no_env[] = {NULL};
	char *const env[] = {"COMPOSE_PROJECT_NAME=fromenv", NULL};
	name_is(yn, "/srv/My_App.Dir/compose.yml", "flag", env, "flag");
	name_is(yn, "/srv/My_App.Dir/compose.yml", NULL, env, "fromenv");
	name_is(yn, "/srv/My_App.Dir/compose.yml", NULL, no_env, "fromfile");
	name_is(y, "/srv/My_App.Dir/compose.yml", NULL, no_env, "my_appdir");
	name_is(y, "/srv/--Web-1/compose.yml", NULL, no_env, "web-1");
	struct sv_project *p = NULL;
	struct gk_err err = {0};
	assert_int_equal(load_named(y, "/x/compose.yml", "Bad Name", no_env, &p, &err), -1);
	assert_non_null(strstr(err.msg, "-p: invalid project name \"Bad Name\""));
	assert_int_equal(
	    load_named("name: _x\nservices: {}\n", "/x/compose.yml", NULL, no_env, &p, &err), -1);
	assert_non_null(strstr(err.msg, "compose.yml:1:7: name: invalid project name \"_x\""));
	assert_int_equal(load_named(y, "/___/compose.yml", NULL, no_env, &p, &err), -1);
	assert_non_null(strstr(err.msg, "is empty after normalisation"));
	char *n = sv_normalize_project_name("-_My.Proj_1-");
	assert_string_equal(n, "myproj_1-");
	free(n);
	assert_true(sv_valid_project_name("a-b_c1"));
	assert_false(sv_valid_project_name("-a"));
	assert_false(sv_valid_project_name("A"));
	assert_false(sv_valid_project_name(""));
}

static void test_cycles(void **state)
{
	(void)state;
	load_err("services:\n"
		 "  web:\n    image: x\n    depends_on: [api]\n"
		 "  api:\n    image: x\n    depends_on: [web]\n",
		 "cycle found: api -> web -> api");
	load_err("services:\n  a:\n    image: x\n    depends_on: [a]\n", "cycle found: a -> a");
	load_err("services:\n"
		 "  a:\n    image: x\n    depends_on: [b]\n"
		 "  b:\n    image: x\n    depends_on: [c]\n"
		 "  c:\n    image: x\n    depends_on: [a]\n",
		 "cycle found: a -> b -> c -> a");
}

static void test_graph(void **state)
{
	(void)state;
	struct sv_project *p = load_ok("services:\n"
				       "  web:\n    image: x\n    depends_on: [api, cache]\n"
				       "  api:\n    image: x\n    depends_on: [db]\n"
				       "  db:\n    image: x\n"
				       "  cache:\n    image: x\n"
				       "  worker:\n    image: x\n    depends_on: [db]\n");
	struct sv_graph g;
	struct gk_err err = {0};
	assert_int_equal(sv_graph_build(p, &g, &err), 0);
	const char *order[] = {"cache", "db", "api", "worker", "web"};
	int levels[] = {0, 0, 1, 1, 2};
	assert_int_equal(g.n, 5);
	for (size_t i = 0; i < 5; i++) {
		assert_string_equal(g.order[i], order[i]);
		assert_int_equal(g.level[i], levels[i]);
	}
	assert_int_equal(g.n_levels, 3);
	size_t first, n = sv_graph_level(&g, 1, &first);
	assert_int_equal(first, 2);
	assert_int_equal(n, 2);
	n = sv_graph_level(&g, 2, &first);
	assert_int_equal(first, 4);
	assert_int_equal(n, 1);
	assert_int_equal(sv_graph_level(&g, 3, &first), 0);
	char **deps = sv_graph_dependents(p, "db");
	assert_string_equal(deps[0], "api");
	assert_string_equal(deps[1], "worker");
	assert_null(deps[2]);
	gk_strv_free(deps);
	sv_graph_free(&g);
	sv_project_free(p);
}

static void test_port_conflicts(void **state)
{
	(void)state;
	load_err("services:\n"
		 "  a:\n    image: x\n    ports: [\"8080:80\"]\n"
		 "  b:\n    image: x\n    ports: [\"8080:8080\"]\n",
		 "stack.yml:7:13: services.b.ports: host port 8080/tcp is already published by "
		 "service \"a\" (stack.yml:4:13)");
	load_err("services:\n"
		 "  a:\n    image: x\n    ports: [\"127.0.0.1:8080:80\"]\n"
		 "  b:\n    image: x\n    ports: [\"8080:80\"]\n",
		 "host port 8080/tcp is already published");
	load_err("services:\n  a:\n    image: x\n    ports: [\"80:80\", \"80:81\"]\n",
		 "already published by service \"a\"");
	load_err("services:\n  a:\n    image: x\n    scale: 2\n    ports: [\"80:80\"]\n",
		 "host port 80/tcp cannot be published by 2 replicas");
	/* different protocol or different addresses: fine */
	struct sv_project *p =
	    load_ok("services:\n"
		    "  a:\n    image: x\n    ports: [\"53:53/udp\", \"127.0.0.1:80:80\"]\n"
		    "  b:\n    image: x\n    ports: [\"53:53\", \"127.0.0.2:80:80\", \"90\"]\n"
		    "  c:\n    image: x\n    ports: [\"90\"]\n    scale: 2\n");
	sv_project_free(p);
	load_err("services:\n"
		 "  a:\n    image: x\n    container_name: same\n"
		 "  b:\n    image: x\n    container_name: same\n",
		 "container_name \"same\" is already used by service \"a\"");
}

static void test_profiles(void **state)
{
	(void)state;
	const char *y = "services:\n"
			"  web:\n    image: x\n"
			"  debug:\n    image: x\n    profiles: [debug]\n"
			"  tools:\n    image: x\n    profiles: [tools, debug]\n";
	char *files[] = {"stack.yml", NULL};
	const char *bufs[] = {y};
	size_t lens[] = {strlen(y)};
	struct {
		char *const *profiles;
		char *const *env;
		size_t n;
	} cases[] = {
	    {NULL, test_environ, 1},
	    {(char *[]){"debug", NULL}, test_environ, 3},
	    {(char *[]){"tools", NULL}, test_environ, 2},
	    {(char *[]){"*", NULL}, test_environ, 3},
	    {NULL, (char *[]){"COMPOSE_PROFILES=tools,other", NULL}, 2},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sv_load_opts o = {.files = files,
					 .buffers = bufs,
					 .buffer_lens = lens,
					 .environ = cases[i].env,
					 .profiles = cases[i].profiles,
					 .project_name = "p"};
		struct sv_project *p = NULL;
		struct gk_err err = {0};
		assert_int_equal(sv_project_load(&o, &p, &err), 0);
		assert_int_equal(p->n_services, cases[i].n);
		sv_project_free(p);
	}
	/* an active service depending on a disabled one */
	load_err("services:\n  web:\n    image: x\n    depends_on: [dbg]\n"
		 "  dbg:\n    image: x\n    profiles: [debug]\n",
		 "depends on undefined service \"dbg\"");
}

static char *config_text(struct sv_project *p, int yaml)
{
	_cleanup_json_ json_object *doc = sv_project_to_json(p);
	if (!yaml)
		return sv_json_to_text(doc);
	char *out = NULL;
	struct gk_err err = {0};
	assert_int_equal(sv_json_to_yaml(doc, &out, &err), 0);
	return out;
}

static void test_round_trip(void **state)
{
	(void)state;
	const char *y =
	    "services:\n"
	    "  web:\n"
	    "    image: busybox\n"
	    "    command: sh -c 'echo $$HOME; echo \"${FOO}\"'\n"
	    "    ports: [\"127.0.0.1:8080:80\", \"9000-9001:9000-9001/udp\", 3000]\n"
	    "    volumes: [\"./www:/www:ro\", \"data:/data\", \"/anon\"]\n"
	    "    environment: {A: \"yes\", B: \"0123\", C: null, D: \"\", E: \"x: y\"}\n"
	    "    depends_on:\n      db: {condition: service_healthy, restart: true}\n"
	    "    healthcheck: {test: echo ok, interval: 1m30s}\n"
	    "    mem_limit: 512m\n    cpus: 0.5\n    restart: on-failure:3\n"
	    "    labels: {\"com.x\": \"true\"}\n"
	    "    networks: {front: {aliases: [w]}}\n"
	    "    tmpfs: [/run]\n    init: false\n    read_only: true\n"
	    "    stop_grace_period: 2s\n    extra_hosts: {h: 10.0.0.1}\n"
	    "  db:\n    image: busybox\n    healthcheck: {disable: true}\n"
	    "    deploy: {replicas: 2, resources: {limits: {memory: 1g, pids: 5}}}\n"
	    "    network_mode: none\n"
	    "networks:\n  front:\n"
	    "volumes:\n  data:\n    name: shared\n";
	struct sv_project *p = load_ok(y);
	char *yaml = config_text(p, 1), *json = config_text(p, 0);
	struct sv_project *q = load_ok(yaml);
	char *json2 = config_text(q, 0);
	if (strcmp(json, json2))
		fail_msg("round trip differs:\n%s\n---\n%s\n---\n%s", yaml, json, json2);
	assert_string_equal(env_of(svc(q, "web"), "B"), "0123");
	assert_string_equal(env_of(svc(q, "web"), "A"), "yes");
	assert_null(env_of(svc(q, "web"), "C"));
	assert_string_equal(svc(q, "web")->command[2], "echo $HOME; echo \"foo\"");
	assert_non_null(strstr(yaml, "echo $$HOME")); /* a literal $ is written $$ */
	assert_non_null(strstr(json, "\"published\": \"8080\""));
	assert_null(strstr(json, "proj_default")); /* nobody is on the default network */
	assert_non_null(strstr(json, "\"name\": \"proj_front\""));
	const char *head = "{\n  \"name\": \"proj\",\n  \"services\"";
	if (strncmp(json, head, strlen(head)) != 0)
		fail_msg("name and services first:\n%.80s", json);
	sv_project_free(q);
	free(yaml);
	free(json);
	free(json2);
	sv_project_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_merge),	 cmocka_unit_test(test_merge_errors_name_file),
	    cmocka_unit_test(test_project_name), cmocka_unit_test(test_cycles),
	    cmocka_unit_test(test_graph),	 cmocka_unit_test(test_port_conflicts),
	    cmocka_unit_test(test_profiles),	 cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
