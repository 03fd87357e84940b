/* Unit tests for runtime/devcgroup.c: the v1 lines, and the cgroup2 device
 * program against the real kernel. A child joins a cgroup2 directory made
 * for the test and tries devices before and after the program is attached:
 * first everything opens (so the test can fail), then only Docker's list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/err.h"
#include "common/fs.h"
#include "runtime/cgroup.h"
#include "runtime/devcgroup.h"

static void test_v1_lines(void **state)
{
	(void)state;
	const struct rt_dev_rule any_char = {'c', -1, -1, "m"}, pts = {'c', 136, -1, "rwm"},
				 null = {'c', 1, 3, "rwm"}, any_block = {'b', -1, -1, "m"};
	const struct {
		const struct rt_dev_rule *rule;
		const char *line;
	} cases[] = {{&any_char, "c *:* m"},
		     {&pts, "c 136:* rwm"},
		     {&null, "c 1:3 rwm"},
		     {&any_block, "b *:* m"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *line = rt_dev_rule_v1(cases[i].rule);
		assert_string_equal(line, cases[i].line);
	}
	assert_int_equal(rt_dev_default_count, 11);
}

static bool is_cgroup2(const char *path)
{
	struct statfs fs;
	return statfs(path, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

/* What a process of the cgroup may do: one outcome per probe, 0 when it
 * worked, else the errno. */
enum { P_NULL, P_ZERO, P_KMSG, P_MKNOD_BLOCK, P_OPEN_BLOCK, P_MKNOD_NULL, P_OPEN_NULL, N_PROBES };

static int try_open(const char *path, int flags)
{
	int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int try_mknod(const char *path, mode_t type, unsigned major, unsigned minor)
{
	unlink(path);
	return mknod(path, type | 0600, makedev(major, minor)) < 0 ? errno : 0;
}

static void run_probes(const char *tmp, int *out)
{
	_cleanup_free_ char *block = gk_strdup_printf("%s/block", tmp);
	_cleanup_free_ char *null = gk_strdup_printf("%s/null", tmp);
	out[P_NULL] = try_open("/dev/null", O_RDWR);
	out[P_ZERO] = try_open("/dev/zero", O_RDONLY);
	out[P_KMSG] = try_open("/dev/kmsg", O_RDONLY); /* c 1:11, not in the list */
	out[P_MKNOD_BLOCK] = try_mknod(block, S_IFBLK, 7, 0);
	out[P_OPEN_BLOCK] = out[P_MKNOD_BLOCK] ? -1 : try_open(block, O_RDONLY);
	out[P_MKNOD_NULL] = try_mknod(null, S_IFCHR, 1, 3);
	out[P_OPEN_NULL] = out[P_MKNOD_NULL] ? -1 : try_open(null, O_RDWR);
	unlink(block);
	unlink(null);
}

/* Run the probes in a child that joins `cgroup`; the outcomes come back
 * through a pipe. */
static void probe_in(const char *cgroup, const char *tmp, int *out)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(p[0]);
		_cleanup_free_ char *procs = gk_strdup_printf("%s/cgroup.procs", cgroup);
		int fd = open(procs, O_WRONLY);
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(1);
		int res[N_PROBES];
		run_probes(tmp, res);
		_exit(write(p[1], res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(p[1]);
	assert_int_equal(read(p[0], out, sizeof(int) * N_PROBES),
			 (ssize_t)(sizeof(int) * N_PROBES));
	close(p[0]);
	int status = 0;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static const char *cgroup2_mount(void)
{
	if (geteuid() != 0 || access("/dev/loop0", F_OK) < 0)
		return NULL;
	if (is_cgroup2("/sys/fs/cgroup"))
		return "/sys/fs/cgroup";
	return is_cgroup2("/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified" : NULL;
}

/* With the program: the list, and mknod of anything, but no other device. */
static void assert_only_the_list(const int *after)
{
	assert_int_equal(after[P_NULL], 0);
	assert_int_equal(after[P_ZERO], 0);
	assert_int_equal(after[P_KMSG], EPERM);
	assert_int_equal(after[P_MKNOD_BLOCK], 0);
	assert_int_equal(after[P_OPEN_BLOCK], EPERM);
	assert_int_equal(after[P_MKNOD_NULL], 0);
	assert_int_equal(after[P_OPEN_NULL], 0);
}

static void test_program_allows_only_the_list(void **state)
{
	(void)state;
	const char *cg2 = cgroup2_mount();
	if (!cg2)
		skip();
	_cleanup_free_ char *cgroup =
	    gk_strdup_printf("%s/gocker-unit-devcg-%d", cg2, (int)getpid());
	assert_int_equal(mkdir(cgroup, 0755), 0);
	char tmp[] = "/tmp/gk-devcg-XXXXXX";
	assert_non_null(mkdtemp(tmp));

	int before[N_PROBES], after[N_PROBES];
	probe_in(cgroup, tmp, before);
	struct gk_err err;
	int rc = rt_dev_attach_program(cgroup, rt_dev_default_rules, rt_dev_default_count, &err);
	if (rc < 0)
		print_error("%s\n", err.msg);
	probe_in(cgroup, tmp, after);
	rmdir(tmp);
	assert_int_equal(rmdir(cgroup), 0);
	assert_int_equal(rc, 0);

	/* without the program, root opens anything */
	for (int i = 0; i < N_PROBES; i++)
		assert_int_equal(before[i], 0);
	assert_only_the_list(after);
}

/* The cgroup code on a pure-v2 tree: this test's own mount of cgroup2 (in a
 * mount namespace of its own) seen as the whole cgroup root. */
static void test_v2_container_cgroup_gets_the_program(void **state)
{
	(void)state;
	if (!cgroup2_mount())
		skip();
	assert_int_equal(unshare(CLONE_NEWNS), 0);
	assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	char mnt[] = "/tmp/gk-devcg-v2-XXXXXX", tmp[] = "/tmp/gk-devcg-XXXXXX";
	assert_non_null(mkdtemp(mnt));
	assert_non_null(mkdtemp(tmp));
	assert_int_equal(mount("none", mnt, "cgroup2", 0, NULL), 0);

	char id[40];
	snprintf(id, sizeof(id), "unit-devcg-%d", (int)getpid());
	struct gk_err err;
	struct rt_cgroup *cg = NULL;
	int rc = rt_cgroup_create(mnt, id, NULL, &cg, &err);
	if (rc < 0)
		print_error("%s\n", err.msg);
	int after[N_PROBES] = {0};
	if (rc == 0) {
		assert_string_equal(rt_cgroup_mode(cg), "v2");
		probe_in(rt_cgroup_dir(cg, 0, NULL), tmp, after);
		assert_int_equal(rt_cgroup_destroy(cg, &err), 0);
		rt_cgroup_free(cg);
	}
	umount(mnt);
	rmdir(mnt);
	rmdir(tmp);
	assert_int_equal(rc, 0);
	assert_only_the_list(after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_v1_lines),
	    cmocka_unit_test(test_program_allows_only_the_list),
	    cmocka_unit_test(test_v2_container_cgroup_gets_the_program),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
