/* Unit tests for the container runtime's pure parts: users and groups from
 * an image's own files, signal names, container names, exit codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fs.h"
#include "runtime/container.h"
#include "runtime/ctrstate.h"
#include "runtime/lifecycle.h"
#include "runtime/security.h"
#include "runtime/user.h"

static char root[64];

static int make_root(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/gocker-user-XXXXXX");
	assert_non_null(mkdtemp(root));
	char p[128];
	snprintf(p, sizeof(p), "%s/etc", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/passwd", root);
	FILE *f = fopen(p, "w");
	fputs("root:x:0:0:root:/root:/bin/sh\n"
	      "broken line\n"
	      "app:x:1000:1001:App:/home/app:/bin/sh\n"
	      "big:x:99999:99999::/:/bin/sh\n",
	      f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/etc/group", root);
	f = fopen(p, "w");
	fputs("root:x:0:\nstaff:x:50:app,other\napp:x:1001:\nwheel:x:10:root\n", f);
	fclose(f);
	return 0;
}

static int drop_root(void **state)
{
	(void)state;
	struct gk_err err;
	gk_remove_tree(root, &err);
	return 0;
}

static void test_user_forms(void **state)
{
	(void)state;
	struct rt_user u;
	struct gk_err err;
	assert_int_equal(rt_user_resolve(root, NULL, &u, &err), 0);
	assert_int_equal(u.uid, 0);
	assert_string_equal(u.home, "/root");
	assert_int_equal(rt_user_resolve(root, "app", &u, &err), 0);
	assert_int_equal(u.uid, 1000);
	assert_int_equal(u.gid, 1001);
	assert_string_equal(u.home, "/home/app");
	/* primary group and the groups listing "app" */
	assert_int_equal(u.n_groups, 2);
	assert_int_equal(rt_user_resolve(root, "app:wheel", &u, &err), 0);
	assert_int_equal(u.gid, 10);
	assert_int_equal(rt_user_resolve(root, "1000:7", &u, &err), 0);
	assert_int_equal(u.uid, 1000);
	assert_int_equal(u.gid, 7);
	/* numeric ids need no entry */
	assert_int_equal(rt_user_resolve(root, "4242", &u, &err), 0);
	assert_int_equal(u.uid, 4242);
	assert_int_equal(u.gid, 0);
	assert_int_equal(rt_user_resolve("/nonexistent-root", "5:6", &u, &err), 0);
	assert_int_equal(u.gid, 6);
}

static void test_user_refused(void **state)
{
	(void)state;
	struct rt_user u;
	struct gk_err err;
	assert_int_equal(rt_user_resolve(root, "4294967296", &u, &err), -1);
	assert_non_null(strstr(err.msg, "out of range"));
	assert_int_equal(rt_user_resolve(root, "2147483648", &u, &err), -1);
	assert_int_equal(rt_user_resolve(root, "nobody", &u, &err), -1);
	assert_non_null(strstr(err.msg, "unable to find user nobody"));
	assert_int_equal(rt_user_resolve(root, "app:nogroup", &u, &err), -1);
	assert_non_null(strstr(err.msg, "unable to find group nogroup"));
	assert_int_equal(rt_user_resolve(root, "0:4294967296", &u, &err), -1);
}

static void test_signals(void **state)
{
	(void)state;
	assert_int_equal(rt_signal_parse("TERM"), SIGTERM);
	assert_int_equal(rt_signal_parse("sigkill"), SIGKILL);
	assert_int_equal(rt_signal_parse("SIGUSR1"), SIGUSR1);
	assert_int_equal(rt_signal_parse("9"), 9);
	assert_int_equal(rt_signal_parse("0"), -1);
	assert_int_equal(rt_signal_parse("NOPE"), -1);
	assert_int_equal(rt_signal_parse(""), -1);
	/* Docker's real-time names (systemd's StopSignal is SIGRTMIN+3) */
	assert_int_equal(rt_signal_parse("SIGRTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(rt_signal_parse("rtmin"), SIGRTMIN);
	assert_int_equal(rt_signal_parse("RTMAX-1"), SIGRTMAX - 1);
	assert_int_equal(rt_signal_parse("SIGRTMAX"), SIGRTMAX);
	assert_int_equal(rt_signal_parse("RTMIN-1"), -1);
	assert_int_equal(rt_signal_parse("RTMAX+1"), -1);
	assert_int_equal(rt_signal_parse("RTMIN+99"), -1);
	assert_int_equal(rt_signal_parse("RTMIN+"), -1);
}

static void test_names(void **state)
{
	(void)state;
	assert_true(rt_ctr_name_valid("web"));
	assert_true(rt_ctr_name_valid("/web-1.a_b"));
	assert_false(rt_ctr_name_valid("w"));
	assert_false(rt_ctr_name_valid("-web"));
	assert_false(rt_ctr_name_valid("a/b"));
	assert_false(rt_ctr_name_valid("a b"));
}

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(rt_wait_status_code(CLD_EXITED, 3), 3);
	assert_int_equal(rt_wait_status_code(CLD_KILLED, SIGKILL), 137);
	assert_int_equal(rt_wait_status_code(CLD_DUMPED, SIGSEGV), 139);
	assert_int_equal(rt_proc_alive(getpid(), rt_proc_start_time(getpid())), 1);
	assert_int_equal(rt_proc_alive(getpid(), 1), 0);
}

/* The precompiled default filter, loaded in a child, refuses unshare. */
static void test_seccomp_precompiled(void **state)
{
	(void)state;
	void *bpf = NULL;
	size_t len = 0;
	struct gk_err err;
	assert_int_equal(rt_seccomp_compile_default(rt_caps_default(), &bpf, &len, &err), 0);
	assert_non_null(bpf);
	assert_true(len > 0 && len % 8 == 0);
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (rt_seccomp_load_bpf(bpf, len, &err) < 0)
			_exit(2);
		if (unshare(CLONE_NEWNS) == 0 || errno != EPERM)
			_exit(3);
		_exit(getpid() > 0 ? 0 : 4);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	free(bpf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_user_forms, make_root, drop_root),
	    cmocka_unit_test_setup_teardown(test_user_refused, make_root, drop_root),
	    cmocka_unit_test(test_signals),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_exit_codes),
	    cmocka_unit_test(test_seccomp_precompiled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
