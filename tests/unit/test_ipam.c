/* Unit tests for net/ipam.c and net/cidr.c: allocation, stability, release,
 * reserved addresses, exhaustion, prune. Runs in a private $GOCKER_RUN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "common/fs.h"
#include "net/cidr.h"
#include "net/ipam.h"

static char tmpdir[] = "/tmp/gk-test-ipam-XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	setenv("GOCKER_RUN", tmpdir, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	struct gk_err err;
	return gk_remove_tree(tmpdir, &err);
}

static void alloc_ok(const char *net, const char *subnet, const char *id, const char *want)
{
	struct gk_err err;
	char ip[NET_IP_STRLEN];
	if (net_ipam_allocate(net, subnet, id, ip, &err) < 0)
		fail_msg("allocate %s %s: %s", net, id, err.msg);
	assert_string_equal(ip, want);
}

static void test_cidr(void **state)
{
	(void)state;
	struct gk_err err;
	struct net_cidr c, d;
	char buf[NET_CIDR_STRLEN], ip[NET_IP_STRLEN];
	assert_int_equal(net_cidr_parse("172.29.0.0/16", &c, &err), 0);
	net_cidr_format(&c, buf);
	assert_string_equal(buf, "172.29.0.0/16");
	net_ip_format(net_cidr_gateway(&c), ip);
	assert_string_equal(ip, "172.29.0.1");
	net_ip_format(net_cidr_broadcast(&c), ip);
	assert_string_equal(ip, "172.29.255.255");
	assert_int_equal(net_cidr_parse("10.1.2.254/24", &c, &err), 0); /* bip form */
	net_ip_format(net_cidr_gateway(&c), ip);
	assert_string_equal(ip, "10.1.2.254");
	net_cidr_format(&c, buf);
	assert_string_equal(buf, "10.1.2.0/24");
	assert_int_equal(net_cidr_parse("10.0.0.0/8", &d, &err), 0);
	assert_true(net_cidr_overlaps(&c, &d));
	assert_int_equal(net_cidr_parse("11.0.0.0/8", &d, &err), 0);
	assert_false(net_cidr_overlaps(&c, &d));
	assert_int_equal(net_cidr_parse("10.0.0.0", &c, &err), -1);
	assert_int_equal(net_cidr_parse("10.0.0.0/33", &c, &err), -1);
	assert_int_equal(net_cidr_parse("10.0.0/8", &c, &err), -1);
	assert_int_equal(net_cidr_parse("10.0.0.0/", &c, &err), -1);
}

static void test_allocate_sequential_and_stable(void **state)
{
	(void)state;
	alloc_ok("n1", "198.18.0.0/24", "aaaa", "198.18.0.2");
	alloc_ok("n1", "198.18.0.0/24", "bbbb", "198.18.0.3");
	alloc_ok("n1", "198.18.0.0/24", "aaaa", "198.18.0.2"); /* same container: same address */
	alloc_ok("n2", "198.18.1.0/24", "aaaa", "198.18.1.2"); /* per network */
	char ip[NET_IP_STRLEN];
	struct gk_err err;
	assert_int_equal(net_ipam_lookup("n1", "bbbb", ip, &err), 1);
	assert_string_equal(ip, "198.18.0.3");
	assert_int_equal(net_ipam_lookup("n1", "cccc", ip, &err), 0);
}

static void test_release_and_no_immediate_reuse(void **state)
{
	(void)state;
	struct gk_err err;
	alloc_ok("r", "198.18.2.0/24", "a", "198.18.2.2");
	alloc_ok("r", "198.18.2.0/24", "b", "198.18.2.3");
	assert_int_equal(net_ipam_release("r", "a", &err), 0);
	assert_int_equal(net_ipam_release("r", "a", &err), 0); /* twice is fine */
	alloc_ok("r", "198.18.2.0/24", "c", "198.18.2.4");     /* moves on */
	char ip[NET_IP_STRLEN];
	assert_int_equal(net_ipam_lookup("r", "a", ip, &err), 0);
}

static void test_exhaustion_and_reserved(void **state)
{
	(void)state;
	struct gk_err err;
	char ip[NET_IP_STRLEN];
	/* /29: .0 network, .1 gateway, .7 broadcast: .2 to .6 are five addresses */
	const char *want[] = {"198.18.3.2", "198.18.3.3", "198.18.3.4", "198.18.3.5", "198.18.3.6"};
	for (int i = 0; i < 5; i++) {
		char id[8];
		snprintf(id, sizeof(id), "c%d", i);
		alloc_ok("x", "198.18.3.0/29", id, want[i]);
	}
	assert_int_equal(net_ipam_allocate("x", "198.18.3.0/29", "c9", ip, &err), -1);
	assert_string_equal(err.msg, "no free address in 198.18.3.0/29");
	/* freeing one makes exactly that one available again (wrap round) */
	assert_int_equal(net_ipam_release("x", "c2", &err), 0);
	alloc_ok("x", "198.18.3.0/29", "c9", "198.18.3.4");
	/* a gateway given as bip in the middle is skipped */
	alloc_ok("y", "198.18.4.2/30", "a", "198.18.4.1");
	assert_int_equal(net_ipam_allocate("y", "198.18.4.2/30", "b", ip, &err), -1);
	assert_int_equal(net_ipam_allocate("z", "198.18.4.0/31", "b", ip, &err), -1);
}

static int alive_only_keep(const char *id, void *data)
{
	(void)data;
	return strncmp(id, "keep", 4) == 0;
}

static void test_prune_and_forget(void **state)
{
	(void)state;
	struct gk_err err;
	char ip[NET_IP_STRLEN];
	char *sub = gk_strdup_printf("%s/prune", tmpdir);
	setenv("GOCKER_RUN", sub, 1); /* a state of its own: prune counts everything */
	alloc_ok("p", "198.18.5.0/24", "keep1", "198.18.5.2");
	alloc_ok("p", "198.18.5.0/24", "gone1", "198.18.5.3");
	alloc_ok("q", "198.18.6.0/24", "gone2", "198.18.6.2");
	assert_int_equal(net_ipam_prune(alive_only_keep, NULL, &err), 2);
	assert_int_equal(net_ipam_lookup("p", "keep1", ip, &err), 1);
	assert_int_equal(net_ipam_lookup("p", "gone1", ip, &err), 0);
	assert_int_equal(net_ipam_forget_network("p", &err), 0);
	assert_int_equal(net_ipam_lookup("p", "keep1", ip, &err), 0);
	/* the file is valid JSON in the private run dir */
	char *path = gk_strdup_printf("%s/net/ipam.json", sub);
	assert_int_equal(access(path, F_OK), 0);
	free(path);
	free(sub);
	setenv("GOCKER_RUN", tmpdir, 1);
}

static void test_concurrent_allocations_distinct(void **state)
{
	(void)state;
	/* four processes allocate 20 each: 80 distinct addresses */
	for (int p = 0; p < 4; p++) {
		if (fork() == 0) {
			for (int i = 0; i < 20; i++) {
				char id[16], ip[NET_IP_STRLEN];
				struct gk_err err;
				snprintf(id, sizeof(id), "p%di%d", p, i);
				if (net_ipam_allocate("conc", "198.18.7.0/24", id, ip, &err) < 0)
					_exit(1);
			}
			_exit(0);
		}
	}
	int status, ok = 1;
	while (wait(&status) > 0)
		ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
	assert_true(ok);
	char seen[256] = {0};
	for (int p = 0; p < 4; p++)
		for (int i = 0; i < 20; i++) {
			char id[16], ip[NET_IP_STRLEN];
			struct gk_err err;
			snprintf(id, sizeof(id), "p%di%d", p, i);
			assert_int_equal(net_ipam_lookup("conc", id, ip, &err), 1);
			int last = atoi(strrchr(ip, '.') + 1);
			assert_false(seen[last]);
			seen[last] = 1;
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cidr),
	    cmocka_unit_test(test_allocate_sequential_and_stable),
	    cmocka_unit_test(test_release_and_no_immediate_reuse),
	    cmocka_unit_test(test_exhaustion_and_reserved),
	    cmocka_unit_test(test_prune_and_forget),
	    cmocka_unit_test(test_concurrent_allocations_distinct),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
