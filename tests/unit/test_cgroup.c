/* Unit tests for runtime/cgroup.c against fake v2, v1 and hybrid trees made of
 * plain files: detection, exactly which file gets which value, OOM and CPU
 * usage parsing, cleanup after a failed create, errors naming the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/err.h"
#include "common/fs.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"

#define ID  "0123456789ab"
#define MiB (1024LL * 1024)

static char *root;

static int setup(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/gk-cgtest-XXXXXX";
	if (!mkdtemp(tmpl))
		return -1;
	root = gk_strdup(tmpl);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	struct gk_err err;
	gk_remove_tree(root, &err);
	free(root);
	return 0;
}

/* Create root/<rel> with `content`, making the parent directories. */
static void put(const char *rel, const char *content)
{
	struct gk_err err;
	_cleanup_free_ char *path = gk_strdup_printf("%s/%s", root, rel);
	_cleanup_free_ char *dir = gk_strdup(path);
	*strrchr(dir, '/') = '\0';
	if (gk_mkdir_p(dir, 0755, &err) < 0)
		fail_msg("%s", err.msg);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

/* Content of root/<rel>, "<missing>" when it does not exist. */
static char *get(const char *rel)
{
	static char buf[4096];
	_cleanup_free_ char *path = gk_strdup_printf("%s/%s", root, rel);
	FILE *f = fopen(path, "r");
	if (!f)
		return strcpy(buf, "<missing>");
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int exists(const char *rel)
{
	_cleanup_free_ char *path = gk_strdup_printf("%s/%s", root, rel);
	return access(path, F_OK) == 0;
}

/* The files the kernel would show in a fresh v1 container cgroup. */
static void fake_v1_controller(const char *ctl, int with_container)
{
	_cleanup_free_ char *top = gk_strdup_printf("%s/cgroup.procs", ctl);
	put(top, "");
	if (!with_container)
		return;
	static const char *const files[][6] = {
	    {"memory", "memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.oom_control",
	     NULL},
	    {"cpu", "cpu.cfs_period_us", "cpu.cfs_quota_us", NULL},
	    {"cpuacct", "cpuacct.usage", NULL},
	    {"pids", "pids.max", NULL},
	    {"devices", "devices.allow", "devices.deny", NULL},
	    {"cpu,cpuacct", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpuacct.usage", NULL},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (strcmp(files[i][0], ctl) != 0)
			continue;
		_cleanup_free_ char *procs = gk_strdup_printf("%s/gocker-" ID "/cgroup.procs", ctl);
		put(procs, "");
		for (size_t j = 1; files[i][j]; j++) {
			_cleanup_free_ char *f =
			    gk_strdup_printf("%s/gocker-" ID "/%s", ctl, files[i][j]);
			put(f, "");
		}
	}
}

static void fake_v1(void)
{
	const char *ctls[] = {"memory", "cpu", "cpuacct", "pids", "devices"};
	for (size_t i = 0; i < 5; i++)
		fake_v1_controller(ctls[i], 1);
	put("freezer/cgroup.procs", ""); /* present but never joined */
}

static void fake_v2(void)
{
	put("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
	put("cgroup.subtree_control", "");
	const char *files[] = {"cgroup.procs", "memory.max",	"memory.swap.max", "cpu.max",
			       "pids.max",     "memory.events", "cpu.stat"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		_cleanup_free_ char *f = gk_strdup_printf("gocker-" ID "/%s", files[i]);
		put(f, "");
	}
}

static struct rt_cgroup *create_ok(const struct rt_limits *l)
{
	struct gk_err err;
	struct rt_cgroup *cg = NULL;
	if (rt_cgroup_create(root, ID, l, &cg, &err) < 0)
		fail_msg("rt_cgroup_create: %s", err.msg);
	return cg;
}

static void test_v2_limits(void **state)
{
	(void)state;
	fake_v2();
	struct rt_limits l = {
	    .memory = 32 * MiB, .memory_swap = 48 * MiB, .nano_cpus = 500000000, .pids = 20};
	struct rt_cgroup *cg = create_ok(&l);
	assert_string_equal(rt_cgroup_mode(cg), "v2");
	assert_string_equal(rt_cgroup_path(cg), "gocker-" ID);
	assert_string_equal(get("cgroup.subtree_control"), "+memory +cpu +pids");
	assert_false(exists("gocker")); /* no shared parent */
	assert_string_equal(get("gocker-" ID "/memory.max"), "33554432");
	assert_string_equal(get("gocker-" ID "/memory.swap.max"), "16777216");
	assert_string_equal(get("gocker-" ID "/cpu.max"), "50000 100000");
	assert_string_equal(get("gocker-" ID "/pids.max"), "20");
	struct gk_err err;
	assert_int_equal(rt_cgroup_add_pid(cg, 4242, &err), 0);
	assert_string_equal(get("gocker-" ID "/cgroup.procs"), "4242");
	rt_cgroup_free(cg);
}

/* Controllers already enabled (kernel lists them without '+'): no rewrite. */
static void test_v2_controllers_already_enabled(void **state)
{
	(void)state;
	fake_v2();
	put("cgroup.subtree_control", "cpu memory pids io\n");
	struct rt_cgroup *cg = create_ok(NULL);
	assert_string_equal(get("cgroup.subtree_control"), "cpu memory pids io\n");
	rt_cgroup_free(cg);
}

static void test_v2_unlimited_and_defaults(void **state)
{
	(void)state;
	fake_v2();
	struct rt_limits l = {.memory = 64 * MiB, .memory_swap = -1, .pids = -1};
	struct rt_cgroup *cg = create_ok(&l);
	assert_string_equal(get("gocker-" ID "/memory.swap.max"), "max");
	assert_string_equal(get("gocker-" ID "/pids.max"), "max");
	assert_string_equal(get("gocker-" ID "/cpu.max"), ""); /* untouched */
	rt_cgroup_free(cg);
	/* Docker's default: memory+swap unset = twice the memory. */
	struct rt_limits d = {.memory = 64 * MiB};
	cg = create_ok(&d);
	assert_string_equal(get("gocker-" ID "/memory.swap.max"), "67108864");
	rt_cgroup_free(cg);
}

static void test_v1_limits(void **state)
{
	(void)state;
	fake_v1();
	struct rt_limits l = {
	    .memory = 32 * MiB, .memory_swap = 48 * MiB, .nano_cpus = 1500000000, .pids = 20};
	struct rt_cgroup *cg = create_ok(&l);
	assert_string_equal(rt_cgroup_mode(cg), "v1");
	assert_string_equal(get("memory/gocker-" ID "/memory.limit_in_bytes"), "33554432");
	assert_string_equal(get("memory/gocker-" ID "/memory.memsw.limit_in_bytes"), "50331648");
	assert_string_equal(get("cpu/gocker-" ID "/cpu.cfs_period_us"), "100000");
	assert_string_equal(get("cpu/gocker-" ID "/cpu.cfs_quota_us"), "150000");
	assert_string_equal(get("pids/gocker-" ID "/pids.max"), "20");
	assert_string_equal(get("devices/gocker-" ID "/devices.deny"), "a");
	assert_string_equal(get("devices/gocker-" ID "/devices.allow"),
			    "c *:* m\nb *:* m\nc 1:3 rwm\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\n"
			    "c 1:9 rwm\nc 5:0 rwm\nc 5:1 rwm\nc 5:2 rwm\nc 136:* rwm\n");
	assert_false(exists("freezer/gocker-" ID));
	assert_false(exists("memory/gocker")); /* no shared parent */
	struct gk_err err;
	assert_int_equal(rt_cgroup_add_pid(cg, 77, &err), 0);
	const char *ctls[] = {"memory", "cpu", "cpuacct", "pids", "devices"};
	for (size_t i = 0; i < 5; i++) {
		_cleanup_free_ char *p = gk_strdup_printf("%s/gocker-" ID "/cgroup.procs", ctls[i]);
		assert_string_equal(get(p), "77");
	}
	rt_cgroup_free(cg);
}

static void test_v1_swap_variants(void **state)
{
	(void)state;
	fake_v1();
	struct rt_limits l = {.memory = 32 * MiB, .memory_swap = -1, .pids = -1};
	struct rt_cgroup *cg = create_ok(&l);
	assert_string_equal(get("memory/gocker-" ID "/memory.memsw.limit_in_bytes"), "-1");
	assert_string_equal(get("pids/gocker-" ID "/pids.max"), "max");
	assert_string_equal(get("cpu/gocker-" ID "/cpu.cfs_quota_us"), "");
	rt_cgroup_free(cg);

	/* No swap accounting: memory still limited, memsw skipped (a warning). */
	_cleanup_free_ char *memsw =
	    gk_strdup_printf("%s/memory/gocker-" ID "/memory.memsw.limit_in_bytes", root);
	unlink(memsw);
	struct rt_limits s = {.memory = 32 * MiB, .memory_swap = 48 * MiB};
	cg = create_ok(&s);
	assert_string_equal(get("memory/gocker-" ID "/memory.limit_in_bytes"), "33554432");
	assert_false(exists("memory/gocker-" ID "/memory.memsw.limit_in_bytes"));
	rt_cgroup_free(cg);
}

static void test_hybrid(void **state)
{
	(void)state;
	fake_v1();
	put("unified/cgroup.controllers", "hugetlb\n");
	put("unified/cgroup.procs", "");
	put("unified/gocker-" ID "/cgroup.procs", "");
	struct rt_limits l = {.memory = 32 * MiB, .pids = 20};
	struct rt_cgroup *cg = create_ok(&l);
	assert_string_equal(rt_cgroup_mode(cg), "hybrid");
	/* limits on the v1 side, nothing enabled in the unified hierarchy */
	assert_string_equal(get("memory/gocker-" ID "/memory.limit_in_bytes"), "33554432");
	assert_false(exists("unified/cgroup.subtree_control"));
	struct gk_err err;
	assert_int_equal(rt_cgroup_add_pid(cg, 99, &err), 0);
	assert_string_equal(get("unified/gocker-" ID "/cgroup.procs"), "99");
	assert_string_equal(get("memory/gocker-" ID "/cgroup.procs"), "99");
	rt_cgroup_free(cg);
}

static void test_v1_comounted_cpu_cpuacct(void **state)
{
	(void)state;
	const char *ctls[] = {"memory", "pids", "devices", "cpu,cpuacct"};
	for (size_t i = 0; i < 4; i++)
		fake_v1_controller(ctls[i], 1);
	_cleanup_free_ char *cpu = gk_strdup_printf("%s/cpu", root);
	_cleanup_free_ char *cpuacct = gk_strdup_printf("%s/cpuacct", root);
	assert_int_equal(symlink("cpu,cpuacct", cpu), 0);
	assert_int_equal(symlink("cpu,cpuacct", cpuacct), 0);
	struct rt_limits l = {.nano_cpus = 250000000};
	struct rt_cgroup *cg = create_ok(&l);
	assert_string_equal(get("cpu,cpuacct/gocker-" ID "/cpu.cfs_quota_us"), "25000");
	put("cpu,cpuacct/gocker-" ID "/cpuacct.usage", "123456789\n");
	uint64_t ns = 0;
	struct gk_err err;
	assert_int_equal(rt_cgroup_cpu_usage(cg, &ns, &err), 0);
	assert_int_equal(ns, 123456789);
	assert_int_equal(rt_cgroup_add_pid(cg, 5, &err), 0);
	assert_string_equal(get("cpu,cpuacct/gocker-" ID "/cgroup.procs"), "5");
	rt_cgroup_free(cg);
}

static void test_detect_none(void **state)
{
	(void)state;
	struct gk_err err;
	struct rt_cgroup *cg = NULL;
	assert_int_equal(rt_cgroup_create(root, ID, NULL, &cg, &err), -1);
	assert_non_null(strstr(err.msg, root));
	assert_null(cg);
}

/* A controller file missing halfway: the error names it, and every directory
 * the failed create made is gone again. */
static void test_v1_failure_cleans_up(void **state)
{
	(void)state;
	const char *full[] = {"memory", "cpu", "cpuacct", "devices"};
	for (size_t i = 0; i < 4; i++)
		fake_v1_controller(full[i], 1);
	fake_v1_controller("pids", 0); /* gocker-<id> will be made empty: no pids.max */
	struct rt_limits l = {.memory = 32 * MiB, .pids = 20};
	struct gk_err err;
	struct rt_cgroup *cg = NULL;
	assert_int_equal(rt_cgroup_create(root, ID, &l, &cg, &err), -1);
	assert_non_null(strstr(err.msg, "pids/gocker-" ID "/pids.max"));
	assert_non_null(strstr(err.msg, ID));
	assert_int_equal(err.errnum, ENOENT);
	assert_false(exists("pids/gocker-" ID));
	assert_true(exists("memory/gocker-" ID)); /* existed before: not ours to remove */
}

static void test_bad_limits(void **state)
{
	(void)state;
	fake_v1();
	struct gk_err err;
	struct rt_cgroup *cg = NULL;
	struct rt_limits l = {.memory = 64 * MiB, .memory_swap = 32 * MiB};
	assert_int_equal(rt_cgroup_create(root, ID, &l, &cg, &err), -1);
	assert_non_null(strstr(err.msg, "at least the memory limit"));
	struct rt_limits s = {.memory_swap = 32 * MiB};
	assert_int_equal(rt_cgroup_create(root, ID, &s, &cg, &err), -1);
	assert_string_equal(get("memory/gocker-" ID "/memory.memsw.limit_in_bytes"), "");
}

static void test_oom_parse(void **state)
{
	(void)state;
	assert_int_equal(rt_cgroup_parse_oom("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n", 1), 1);
	assert_int_equal(rt_cgroup_parse_oom("low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n", 1), 0);
	assert_int_equal(rt_cgroup_parse_oom("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n", 0),
			 1);
	assert_int_equal(rt_cgroup_parse_oom("oom_kill_disable 1\nunder_oom 0\noom_kill 0\n", 0),
			 0);
	assert_int_equal(rt_cgroup_parse_oom("oom_kill_disable 0\nunder_oom 1\n", 0), 1);
	assert_int_equal(rt_cgroup_parse_oom("", 0), 0);
}

static void test_oom_and_usage_files(void **state)
{
	(void)state;
	fake_v2();
	struct rt_cgroup *cg = create_ok(NULL);
	struct gk_err err;
	put("gocker-" ID "/memory.events", "low 0\nhigh 0\nmax 9\noom 2\noom_kill 1\n");
	assert_int_equal(rt_cgroup_oom_killed(cg, &err), 1);
	put("gocker-" ID "/memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
	assert_int_equal(rt_cgroup_oom_killed(cg, &err), 0);
	put("gocker-" ID "/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n");
	uint64_t ns = 0;
	assert_int_equal(rt_cgroup_cpu_usage(cg, &ns, &err), 0);
	assert_int_equal(ns, 1500000);
	put("gocker-" ID "/cpu.stat", "user_usec 1000\n");
	assert_int_equal(rt_cgroup_cpu_usage(cg, &ns, &err), -1);
	assert_non_null(strstr(err.msg, "cpu.stat"));
	_cleanup_free_ char *events = gk_strdup_printf("%s/gocker-" ID "/memory.events", root);
	unlink(events);
	assert_int_equal(rt_cgroup_oom_killed(cg, &err), -1);
	assert_non_null(strstr(err.msg, "memory.events"));
	rt_cgroup_free(cg);
}

static void test_destroy_already_gone(void **state)
{
	(void)state;
	put("memory/cgroup.procs", "");
	put("pids/cgroup.procs", "");
	struct gk_err err;
	struct rt_cgroup *cg = NULL;
	assert_int_equal(rt_cgroup_open(root, ID, &cg, &err), 0);
	assert_int_equal(rt_cgroup_destroy(cg, &err), 0);
	rt_cgroup_free(cg);
}

/* On the host's real hierarchies (as root): a process still in the cgroup
 * makes rmdir fail with EBUSY; destroy kills it and removes every directory. */
static void test_destroy_kills_what_is_left(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct gk_err err;
	struct rt_cgroup *cg = NULL;
	char id[32];
	snprintf(id, sizeof(id), "unit-test-%d", (int)getpid());
	assert_int_equal(rt_cgroup_create(NULL, id, NULL, &cg, &err), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	assert_int_equal(rt_cgroup_add_pid(cg, child, &err), 0);
	assert_int_equal(rt_cgroup_destroy(cg, &err), 0);
	int status = 0;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	for (size_t i = 0; i < rt_cgroup_count(cg); i++)
		assert_int_equal(access(rt_cgroup_dir(cg, i, NULL), F_OK), -1);
	rt_cgroup_free(cg);
}

/* v1 only: no cgroup2 directory, no fd and no error. */
static void test_v2_fd_none_on_v1(void **state)
{
	(void)state;
	fake_v1();
	struct rt_cgroup *cg = create_ok(NULL);
	struct gk_err err = {0};
	int fd = 42;
	assert_int_equal(rt_cgroup_v2_fd(cg, &fd, &err), 0);
	assert_int_equal(fd, -1);
	rt_cgroup_free(cg);
}

/* A cgroup2 directory that cannot be opened (here: a file where it should
 * be) is an error of its own, not "no cgroup2": the container process would
 * run outside its cgroup. rt_create fails before cloning anything and
 * removes only what it made (the caller's state_dir and run_dir stay). */
static void test_v2_dir_unopenable_fails_create(void **state)
{
	(void)state;
	fake_v2();
	struct gk_err err = {0};
	_cleanup_free_ char *dir = gk_strdup_printf("%s/gocker-" ID, root);
	assert_int_equal(gk_remove_tree(dir, &err), 0);
	put("gocker-" ID, "not a directory");
	struct rt_cgroup *cg = NULL;
	assert_int_equal(rt_cgroup_begin(root, ID, NULL, &cg, &err), 0);
	int fd = 42;
	assert_int_equal(rt_cgroup_v2_fd(cg, &fd, &err), -1);
	assert_int_equal(fd, -1);
	assert_int_equal(err.errnum, ENOTDIR);
	rt_cgroup_free(cg);

	_cleanup_free_ char *state_dir = gk_strdup_printf("%s/state", root);
	_cleanup_free_ char *run_dir = gk_strdup_printf("%s/run", root);
	char *argv[] = {"true", NULL};
	struct rt_spec spec = {.id = ID,
			       .state_dir = state_dir,
			       .run_dir = run_dir,
			       .cgroup_root = root,
			       .argv = argv,
			       .stdio_fds = {-1, 1, 2}};
	struct rt_container ctr;
	memset(&err, 0, sizeof(err));
	assert_int_equal(rt_create(&spec, &ctr, &err), -1);
	assert_non_null(strstr(err.msg, "cgroup: open"));
	assert_non_null(strstr(err.msg, "gocker-" ID));
	assert_int_equal(ctr.pid, -1);
	assert_null(ctr.cgroup);
	assert_true(exists("state"));
	assert_false(exists("state/upper"));
	assert_false(exists("state/work"));
	assert_true(exists("run"));
	assert_false(exists("run/merged"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_v2_limits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_controllers_already_enabled, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_unlimited_and_defaults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v1_limits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v1_swap_variants, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hybrid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v1_comounted_cpu_cpuacct, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_detect_none, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v1_failure_cleans_up, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_limits, setup, teardown),
	    cmocka_unit_test(test_oom_parse),
	    cmocka_unit_test_setup_teardown(test_oom_and_usage_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_destroy_already_gone, setup, teardown),
	    cmocka_unit_test(test_destroy_kills_what_is_left),
	    cmocka_unit_test_setup_teardown(test_v2_fd_none_on_v1, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_v2_dir_unopenable_fails_create, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
