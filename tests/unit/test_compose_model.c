/* Every service key in its short and long forms, and each error message. */
#include "compose_test.h"

#define SVC(body) "services:\n  web:\n    image: busybox\n" body

static void test_ports(void **state)
{
	(void)state;
	struct sv_project *p = load_ok(SVC("    ports:\n"
					   "      - \"3000\"\n"
					   "      - \"3000-3002\"\n"
					   "      - \"8000:8000\"\n"
					   "      - \"9090-9091:8080-8081\"\n"
					   "      - \"127.0.0.1:8001:8001\"\n"
					   "      - \"6060:6060/udp\"\n"
					   "      - 4000\n"
					   "      - \"127.0.0.1::5000\"\n"
					   "      - \"[::1]:7000:7000\"\n"
					   "      - \"7100-7110:7100\"\n"
					   "      - target: 80\n"
					   "        published: 8080\n"
					   "        host_ip: 0.0.0.0\n"
					   "        protocol: udp\n"
					   "        mode: host\n"));
	const struct sv_service *s = svc(p, "web");
	assert_int_equal(s->n_ports, 14);
	struct {
		unsigned target;
		const char *pub, *ip, *proto;
	} want[] = {
	    {3000, "", "", "tcp"},	    {3000, "", "", "tcp"},
	    {3001, "", "", "tcp"},	    {3002, "", "", "tcp"},
	    {8000, "8000", "", "tcp"},	    {8080, "9090", "", "tcp"},
	    {8081, "9091", "", "tcp"},	    {8001, "8001", "127.0.0.1", "tcp"},
	    {6060, "6060", "", "udp"},	    {4000, "", "", "tcp"},
	    {5000, "", "127.0.0.1", "tcp"}, {7000, "7000", "::1", "tcp"},
	    {7100, "7100-7110", "", "tcp"}, {80, "8080", "0.0.0.0", "udp"},
	};
	for (size_t i = 0; i < 14; i++) {
		assert_int_equal(s->ports[i].target, want[i].target);
		assert_string_equal(s->ports[i].published, want[i].pub);
		assert_string_equal(s->ports[i].host_ip, want[i].ip);
		assert_string_equal(s->ports[i].protocol, want[i].proto);
	}
	assert_string_equal(s->ports[13].mode, "host");
	assert_int_equal(s->ports[0].loc.line, 5);
	sv_project_free(p);
}

static void test_port_errors(void **state)
{
	(void)state;
	load_err(SVC("    ports:\n      - \"80:abc\"\n"),
		 "stack.yml:5:9: services.web.ports[0]: invalid port \"80:abc\": invalid container "
		 "port \"abc\"");
	load_err(SVC("    ports:\n      - \"x:80\"\n"), "invalid published port \"x\"");
	load_err(SVC("    ports:\n      - \"70000\"\n"), "invalid container port \"70000\"");
	load_err(SVC("    ports:\n      - \"0\"\n"), "invalid container port \"0\"");
	load_err(SVC("    ports:\n      - \"80/sctp\"\n"), "unsupported protocol \"sctp\"");
	load_err(SVC("    ports:\n      - \"1.2.3:80:80\"\n"), "invalid host IP \"1.2.3\"");
	load_err(SVC("    ports:\n      - \"8000-8002:80-81\"\n"), "ranges differ in length");
	load_err(SVC("    ports:\n      - \"90-80\"\n"), "invalid container port \"90-80\"");
	load_err(SVC("    ports:\n      - \"\"\n"), "invalid port \"\"");
	load_err(SVC("    ports:\n      - published: 80\n"),
		 "services.web.ports[0]: target is required");
	load_err(SVC("    ports:\n      - target: 80\n        protocol: icmp\n"),
		 "services.web.ports[0].protocol: unsupported protocol \"icmp\"");
	load_err(
	    SVC("    ports:\n      - target: 80\n        bogus: 1\n"),
	    "stack.yml:6:9: services.web.ports[0]: additional property \"bogus\" is not allowed");
	load_err(SVC("    ports: \"80\"\n"), "services.web.ports: must be a list");
}

static void test_volumes(void **state)
{
	(void)state;
	struct sv_project *p = load_ok(SVC("    volumes:\n"
					   "      - ./www:/www:ro\n"
					   "      - /etc/hosts:/h:rw\n"
					   "      - ~/x:/x\n"
					   "      - data:/data\n"
					   "      - /anon\n"
					   "      - ../up:/up:ro,z\n"
					   "      - type: bind\n"
					   "        source: ./b\n"
					   "        target: /b\n"
					   "        read_only: true\n"
					   "        bind:\n"
					   "          create_host_path: true\n"
					   "      - type: volume\n"
					   "        source: data\n"
					   "        target: /d2\n"
					   "      - type: tmpfs\n"
					   "        target: /t\n"
					   "        tmpfs:\n"
					   "          size: 64m\n"
					   "volumes:\n  data:\n"));
	const struct sv_service *s = svc(p, "web");
	assert_int_equal(s->n_volumes, 9);
	char *wwww = gk_strdup_printf("%s/www", p->workdir);
	assert_int_equal(s->volumes[0].type, SV_MOUNT_BIND);
	assert_string_equal(s->volumes[0].source, wwww);
	assert_true(s->volumes[0].read_only);
	assert_true(s->volumes[0].create_host_path);
	free(wwww);
	assert_string_equal(s->volumes[1].source, "/etc/hosts");
	assert_false(s->volumes[1].read_only);
	assert_string_equal(s->volumes[2].source, "/home/test/x");
	assert_int_equal(s->volumes[3].type, SV_MOUNT_VOLUME);
	assert_string_equal(s->volumes[3].source, "data");
	assert_int_equal(s->volumes[4].type, SV_MOUNT_VOLUME);
	assert_string_equal(s->volumes[4].source, "");
	assert_true(s->volumes[5].read_only);
	/* "../up" is cleaned: the parent of the project directory, then up */
	char *parent = gk_strdup(p->workdir);
	*strrchr(parent, '/') = '\0';
	char *want_up = gk_strdup_printf("%s/up", parent);
	assert_string_equal(s->volumes[5].source, want_up);
	free(parent);
	free(want_up);
	assert_true(s->volumes[6].read_only);
	assert_true(s->volumes[6].create_host_path);
	assert_int_equal(s->volumes[8].type, SV_MOUNT_TMPFS);
	assert_int_equal(s->volumes[8].tmpfs_size, 64 << 20);
	sv_project_free(p);
}

static void test_volume_errors(void **state)
{
	(void)state;
	load_err(SVC("    volumes:\n      - data:/data\n"),
		 "stack.yml:5:9: services.web.volumes[0]: undefined volume \"data\"");
	load_err(SVC("    volumes:\n      - ./x:relative\n"),
		 "target \"relative\" must be an absolute path");
	load_err(SVC("    volumes:\n      - ./x:/x:bogus\n"), "unknown mode \"bogus\"");
	load_err(SVC("    volumes:\n      - a:b:c:d\n"), "expected SOURCE:TARGET[:MODE]");
	load_err(SVC("    volumes:\n      - type: nfs\n        target: /x\n"),
		 "unsupported volume type \"nfs\"");
	load_err(SVC("    volumes:\n      - type: bind\n        target: /x\n"),
		 "a bind mount needs a source");
	load_err(SVC("    volumes:\n      - source: x\n        target: /x\n"), "type is required");
	load_err(SVC("    volumes:\n      - /a\n      - ./b:/a\n"),
		 "duplicate mount target \"/a\"");
}

static void test_command_entrypoint(void **state)
{
	(void)state;
	struct sv_project *p =
	    load_ok("services:\n"
		    "  a:\n    image: x\n    command: sh -c 'echo \"hi there\"'\n"
		    "  b:\n    image: x\n    command: [\"echo\", \"a b\"]\n"
		    "  c:\n    image: x\n    command: []\n    entrypoint: \"\"\n"
		    "  d:\n    image: x\n    command: null\n"
		    "  e:\n    image: x\n    entrypoint: /bin/sh -c\n");
	const struct sv_service *a = svc(p, "a"), *b = svc(p, "b"), *c = svc(p, "c"),
				*d = svc(p, "d"), *e = svc(p, "e");
	assert_string_equal(a->command[2], "echo \"hi there\"");
	assert_null(a->command[3]);
	assert_string_equal(b->command[1], "a b");
	assert_non_null(c->command); /* explicitly empty: overrides the image */
	assert_null(c->command[0]);
	assert_non_null(c->entrypoint);
	assert_null(c->entrypoint[0]);
	assert_null(d->command); /* null: the image's own */
	assert_null(d->entrypoint);
	assert_string_equal(e->entrypoint[1], "-c");
	sv_project_free(p);
	load_err(SVC("    command: echo 'oops\n"),
		 "stack.yml:4:14: services.web.command: invalid command line string: unterminated "
		 "single quote");
	load_err(SVC("    command: [echo, [x]]\n"),
		 "services.web.command[1]: must be a string, not a sequence");
	load_err(SVC("    command: {a: b}\n"), "services.web.command: must be a list of strings");
}

static void test_environment(void **state)
{
	(void)state;
	struct sv_project *p =
	    load_ok("services:\n"
		    "  a:\n    image: x\n    environment:\n"
		    "      A: 1\n      B: true\n      HOME:\n      NOPE:\n      C: \"\"\n"
		    "  b:\n    image: x\n    environment:\n"
		    "      - A=1\n      - B=x=y\n      - HOME\n      - NOPE\n      - C=\n");
	for (int i = 0; i < 2; i++) {
		const struct sv_service *s = svc(p, i ? "b" : "a");
		assert_string_equal(env_of(s, "A"), "1");
		assert_string_equal(env_of(s, "HOME"), "/home/test");
		assert_null(env_of(s, "NOPE")); /* declared, unset on the host */
		assert_string_equal(env_of(s, "C"), "");
	}
	assert_string_equal(env_of(svc(p, "a"), "B"), "true");
	assert_string_equal(env_of(svc(p, "b"), "B"), "x=y");
	sv_project_free(p);
	load_err(SVC("    environment:\n      - =x\n"),
		 "services.web.environment[0]: invalid entry \"=x\": empty key");
	load_err(SVC("    environment:\n      A: [1]\n"),
		 "services.web.environment.A: must be a string, number, boolean or null");
	load_err(SVC("    environment: x\n"), "must be a mapping or a list");
}

static void test_depends_on(void **state)
{
	(void)state;
	struct sv_project *p =
	    load_ok("services:\n"
		    "  web:\n    image: x\n    depends_on: [db, cache]\n"
		    "  api:\n    image: x\n    depends_on:\n"
		    "      db:\n        condition: service_healthy\n        restart: true\n"
		    "      cache:\n        condition: service_completed_successfully\n"
		    "        required: false\n"
		    "  db:\n    image: x\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n"
		    "  cache:\n    image: x\n");
	const struct sv_service *w = svc(p, "web"), *a = svc(p, "api");
	assert_int_equal(w->n_depends_on, 2);
	assert_string_equal(w->depends_on[0].service, "db");
	assert_int_equal(w->depends_on[0].condition, SV_COND_STARTED);
	assert_true(w->depends_on[0].required);
	assert_false(w->depends_on[0].restart);
	assert_int_equal(a->depends_on[0].condition, SV_COND_HEALTHY);
	assert_true(a->depends_on[0].restart);
	assert_int_equal(a->depends_on[1].condition, SV_COND_COMPLETED);
	assert_false(a->depends_on[1].required);
	sv_project_free(p);
	load_err(SVC("    depends_on: [db]\n"),
		 "stack.yml:4:18: services.web.depends_on: depends on undefined service \"db\"");
	load_err(SVC("    depends_on:\n      db:\n        condition: service_ready\n"),
		 "services.web.depends_on.db.condition: invalid condition \"service_ready\"");
	load_err(SVC("    depends_on:\n      db:\n        wait: true\n"),
		 "services.web.depends_on.db: additional property \"wait\" is not allowed");
}

static void test_restart(void **state)
{
	(void)state;
	const char *forms[][3] = {
	    {"no", "0", "0"},
	    {"\"no\"", "0", "0"},
	    {"false", "0", "0"},
	    {"always", "1", "0"},
	    {"on-failure", "2", "0"},
	    {"on-failure:5", "2", "5"},
	    {"unless-stopped", "3", "0"},
	};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char *y = gk_strdup_printf(SVC("    restart: %s\n"), forms[i][0]);
		struct sv_project *p = load_ok(y);
		assert_int_equal(svc(p, "web")->restart, atoi(forms[i][1]));
		assert_int_equal(svc(p, "web")->restart_max, atoi(forms[i][2]));
		sv_project_free(p);
		free(y);
	}
	load_err(SVC("    restart: sometimes\n"),
		 "stack.yml:4:14: services.web.restart: invalid restart policy \"sometimes\"");
	load_err(SVC("    restart: on-failure:x\n"),
		 "the retry count must be a non-negative integer");
	load_err(SVC("    restart: on-failure:-1\n"),
		 "the retry count must be a non-negative integer");
	load_err(SVC("    restart: yes\n"), "invalid restart policy \"yes\"");
}

static void test_healthcheck(void **state)
{
	(void)state;
	struct sv_project *p = load_ok(
	    "services:\n"
	    "  a:\n    image: x\n    healthcheck:\n      test: curl -f http://x/\n"
	    "  b:\n    image: x\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n"
	    "      interval: 1m30s\n      timeout: 250ms\n      retries: 5\n"
	    "      start_period: 10s\n      start_interval: 1s\n"
	    "  c:\n    image: x\n    healthcheck:\n      test: [\"NONE\"]\n"
	    "  d:\n    image: x\n    healthcheck:\n      disable: true\n"
	    "  e:\n    image: x\n    healthcheck:\n      test: [\"CMD-SHELL\", \"exit 0\"]\n"
	    "  f:\n    image: x\n");
	const struct sv_healthcheck *a = &svc(p, "a")->healthcheck, *b = &svc(p, "b")->healthcheck;
	assert_true(a->present);
	assert_string_equal(a->test[0], "CMD-SHELL");
	assert_string_equal(a->test[1], "curl -f http://x/");
	assert_int_equal(a->interval, 30000000000LL);
	assert_int_equal(a->timeout, 30000000000LL);
	assert_int_equal(a->retries, 3);
	assert_int_equal(a->start_period, 0);
	assert_int_equal(a->start_interval, 5000000000LL);
	assert_int_equal(b->interval, 90000000000LL);
	assert_int_equal(b->timeout, 250000000LL);
	assert_int_equal(b->retries, 5);
	assert_int_equal(b->start_period, 10000000000LL);
	assert_int_equal(b->start_interval, 1000000000LL);
	assert_true(svc(p, "c")->healthcheck.disable);
	assert_true(svc(p, "d")->healthcheck.disable);
	assert_false(svc(p, "e")->healthcheck.disable);
	assert_false(svc(p, "f")->healthcheck.present);
	sv_project_free(p);
	load_err(SVC("    healthcheck:\n      test: [\"RUN\", \"x\"]\n"),
		 "must start with \"CMD\", \"CMD-SHELL\" or \"NONE\"");
	load_err(SVC("    healthcheck:\n      test: [\"CMD\"]\n"), "CMD needs a command");
	load_err(SVC("    healthcheck:\n      interval: 5 s\n"),
		 "stack.yml:5:17: services.web.healthcheck.interval: invalid duration \"5 s\"");
	load_err(SVC("    healthcheck:\n      interval: 0s\n"), "must be greater than 0");
	load_err(SVC("    healthcheck:\n      retries: -1\n"),
		 "services.web.healthcheck.retries: must be an integer");
	load_err(SVC("    healthcheck:\n      tset: x\n"),
		 "services.web.healthcheck: additional property \"tset\" is not allowed");
}

static void test_limits(void **state)
{
	(void)state;
	struct sv_project *p =
	    load_ok("services:\n"
		    "  a:\n    image: x\n    mem_limit: 512m\n    cpus: 1.5\n    pids_limit: 100\n"
		    "  b:\n    image: x\n    deploy:\n      resources:\n        limits:\n"
		    "          memory: 1gb\n          cpus: '0.5'\n          pids: 10\n"
		    "  c:\n    image: x\n    mem_limit: 1g\n    deploy:\n      resources:\n"
		    "        limits:\n          memory: 1024m\n"
		    "  d:\n    image: x\n    mem_limit: 1048576\n");
	assert_int_equal(svc(p, "a")->mem_limit, 512LL << 20);
	assert_true(svc(p, "a")->cpus == 1.5);
	assert_int_equal(svc(p, "a")->pids_limit, 100);
	assert_int_equal(svc(p, "b")->mem_limit, 1LL << 30);
	assert_true(svc(p, "b")->cpus == 0.5);
	assert_int_equal(svc(p, "b")->pids_limit, 10);
	assert_int_equal(svc(p, "c")->mem_limit, 1LL << 30);
	assert_int_equal(svc(p, "d")->mem_limit, 1048576);
	sv_project_free(p);
	load_err(SVC("    mem_limit: 1g\n    deploy:\n      resources:\n        limits:\n          "
		     "memory: 2g\n"),
		 "services.web: mem_limit (1073741824) and deploy.resources.limits.memory "
		 "(2147483648) must agree");
	load_err(
	    SVC("    cpus: 1\n    deploy:\n      resources:\n        limits:\n          cpus: 2\n"),
	    "cpus (1) and deploy.resources.limits.cpus (2) must agree");
	load_err(SVC("    pids_limit: 1\n    deploy:\n      resources:\n        limits:\n          "
		     "pids: 2\n"),
		 "pids_limit (1) and deploy.resources.limits.pids (2) must agree");
	load_err(SVC("    mem_limit: lots\n"),
		 "stack.yml:4:16: services.web.mem_limit: invalid size \"lots\"");
	load_err(SVC("    cpus: many\n"), "services.web.cpus: invalid number of CPUs \"many\"");
}

static void test_scale(void **state)
{
	(void)state;
	struct sv_project *p =
	    load_ok("services:\n"
		    "  a:\n    image: x\n    scale: 3\n"
		    "  b:\n    image: x\n    deploy:\n      replicas: 2\n"
		    "  c:\n    image: x\n    scale: 2\n    deploy:\n      replicas: 2\n"
		    "  d:\n    image: x\n");
	assert_int_equal(svc(p, "a")->scale, 3);
	assert_int_equal(svc(p, "b")->scale, 2);
	assert_int_equal(svc(p, "c")->scale, 2);
	assert_int_equal(svc(p, "d")->scale, 1);
	char *n = sv_container_name(p, svc(p, "a"), 2);
	assert_string_equal(n, "proj-a-2");
	free(n);
	sv_project_free(p);
	load_err(SVC("    scale: 2\n    deploy:\n      replicas: 3\n"),
		 "can't set distinct values on 'scale' (2) and 'deploy.replicas' (3)");
	load_err(
	    SVC("    container_name: one\n    scale: 2\n"),
	    "stack.yml:4:21: services.web: container_name \"one\" cannot be used with scale 2");
}

static void test_simple_keys(void **state)
{
	(void)state;
	struct sv_project *p =
	    load_ok(SVC("    working_dir: /srv\n    user: 1000:1000\n"
			"    hostname: h\n    container_name: c1\n    stop_signal: SIGINT\n"
			"    stop_grace_period: 1m30s\n    init: true\n    read_only: yes\n"
			"    tmpfs: /tmp\n    cap_add: [NET_ADMIN]\n    cap_drop: [ALL]\n"
			"    labels:\n      - a=b\n      - c\n"
			"    extra_hosts:\n      - \"h1:10.0.0.1\"\n"
			"      - \"h2=10.0.0.2\"\n    expose: [\"80\", 81, \"90-91/udp\"]\n"));
	const struct sv_service *s = svc(p, "web");
	assert_string_equal(s->working_dir, "/srv");
	assert_string_equal(s->user, "1000:1000");
	assert_string_equal(s->hostname, "h");
	assert_string_equal(s->container_name, "c1");
	assert_string_equal(s->stop_signal, "SIGINT");
	assert_int_equal(s->stop_grace_period, 90000000000LL);
	assert_int_equal(s->init, 1);
	assert_int_equal(s->read_only, 1);
	assert_string_equal(s->tmpfs[0], "/tmp");
	assert_string_equal(s->cap_add[0], "NET_ADMIN");
	assert_string_equal(s->cap_drop[0], "ALL");
	assert_string_equal(s->labels[0].value, "b");
	assert_string_equal(s->labels[1].value, "");
	assert_string_equal(s->extra_hosts[0], "h1:10.0.0.1");
	assert_string_equal(s->extra_hosts[1], "h2:10.0.0.2");
	assert_string_equal(s->expose[1], "81");
	char *n = sv_container_name(p, s, 1);
	assert_string_equal(n, "c1");
	free(n);
	sv_project_free(p);
	p = load_ok("services:\n  a:\n    image: x\n");
	assert_int_equal(svc(p, "a")->stop_grace_period, 10000000000LL);
	assert_int_equal(svc(p, "a")->init, -1);
	sv_project_free(p);
	load_err(SVC("    working_dir: srv\n"),
		 "services.web.working_dir: must be an absolute path");
	load_err(SVC("    init: maybe\n"), "stack.yml:4:11: services.web.init: must be a boolean");
	load_err(SVC("    stop_grace_period: soon\n"), "invalid duration \"soon\"");
	load_err(SVC("    expose: [\"http\"]\n"), "services.web.expose[0]: invalid port \"http\"");
	load_err(SVC("    extra_hosts: [\"nohost\"]\n"), "invalid extra host \"nohost\"");
	load_err("services:\n  web:\n    image: [x]\n",
		 "services.web.image: must be a string, not a sequence");
}

static void test_networks(void **state)
{
	(void)state;
	struct sv_project *p = load_ok(
	    "services:\n"
	    "  a:\n    image: x\n    networks: [front, back]\n"
	    "  b:\n    image: x\n    networks:\n      back:\n        aliases: [db, database]\n"
	    "  c:\n    image: x\n    network_mode: none\n"
	    "  d:\n    image: x\n"
	    "networks:\n  front:\n  back:\n    name: custom\n  ext:\n    external: true\n");
	assert_int_equal(svc(p, "a")->n_networks, 2);
	assert_string_equal(svc(p, "b")->networks[0].aliases[1], "database");
	assert_int_equal(svc(p, "c")->n_networks, 0);
	assert_string_equal(svc(p, "d")->networks[0].name, "default");
	assert_int_equal(p->n_networks, 4);
	assert_string_equal(p->networks[0].key, "back");
	assert_string_equal(p->networks[0].name, "custom");
	assert_string_equal(p->networks[1].name, "proj_default");
	assert_string_equal(p->networks[2].name, "ext");
	assert_string_equal(p->networks[3].name, "proj_front");
	sv_project_free(p);
	load_err(SVC("    networks: [nope]\n"),
		 "stack.yml:4:16: services.web.networks: undefined network \"nope\"");
	load_err(SVC("    network_mode: bridge\n"), "network_mode \"bridge\" is not supported");
	load_err(SVC("    network_mode: host\n    networks: [default]\n"),
		 "network_mode and networks cannot be combined");
}

static void test_env_file(void **state)
{
	(void)state;
	struct sv_project *p = load_ok(SVC("    env_file:\n      - a.env\n"
					   "      - path: ./b.env\n        required: false\n"));
	const struct sv_service *s = svc(p, "web");
	assert_int_equal(s->n_env_files, 2);
	char *want = gk_strdup_printf("%s/b.env", p->workdir);
	assert_string_equal(s->env_files[1].key, want);
	assert_string_equal(s->env_files[1].value, "false");
	free(want);
	sv_project_free(p);
	p = load_ok(SVC("    env_file: one.env\n"));
	assert_int_equal(svc(p, "web")->n_env_files, 1);
	sv_project_free(p);
	load_err(SVC("    env_file:\n      - required: true\n"),
		 "services.web.env_file[0]: path is required");
}

static void test_unknown_and_unsupported(void **state)
{
	(void)state;
	load_err("services:\n  web:\n    image: x\n    imagee: y\n",
		 "stack.yml:4:5: services.web: additional property \"imagee\" is not allowed");
	load_err("services:\n  web:\n    image: x\nservice: {}\n",
		 "stack.yml:4:1: (root): additional property \"service\" is not allowed");
	load_err("services:\n  web:\n    image: x\n    deploy:\n      replica: 2\n",
		 "services.web.deploy: additional property \"replica\" is not allowed");
	load_err("services:\n  -web:\n    image: x\n", "invalid service name \"-web\"");
	load_err("services:\n  web:\n", "services.web: no image specified");
	load_err("services: [web]\n", "stack.yml:1:11: services: must be a mapping");
	struct sv_project *p =
	    load_ok("version: \"3.8\"\n"
		    "x-base: &b {image: x}\n"
		    "services:\n  web:\n    <<: *b\n    build: .\n    secrets: [s]\n"
		    "    x-custom: 1\n    privileged: true\n"
		    "    deploy:\n      restart_policy:\n        condition: any\n"
		    "secrets:\n  s:\n    file: ./s\n");
	assert_true(has_warning(p, "stack.yml:1:1: version: the attribute `version` is obsolete"));
	assert_true(has_warning(
	    p, "stack.yml:6:5: services.web.build: not supported by gocker-compose, ignored"));
	assert_true(has_warning(p, "stack.yml:7:5: services.web.secrets: not supported"));
	assert_true(has_warning(p, "services.web.privileged: not supported"));
	assert_true(has_warning(p, "services.web.deploy.restart_policy: not supported"));
	assert_true(has_warning(p, "stack.yml:13:1: secrets: not supported"));
	assert_false(has_warning(p, "x-custom"));
	sv_project_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ports),
	    cmocka_unit_test(test_port_errors),
	    cmocka_unit_test(test_volumes),
	    cmocka_unit_test(test_volume_errors),
	    cmocka_unit_test(test_command_entrypoint),
	    cmocka_unit_test(test_environment),
	    cmocka_unit_test(test_depends_on),
	    cmocka_unit_test(test_restart),
	    cmocka_unit_test(test_healthcheck),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_scale),
	    cmocka_unit_test(test_simple_keys),
	    cmocka_unit_test(test_networks),
	    cmocka_unit_test(test_env_file),
	    cmocka_unit_test(test_unknown_and_unsupported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
