/* net/ (the network module's code, net_mod_*, linked in directly) against real links, as root:
 * containers stood in for by `unshare -n` processes. Private $GOCKER_RUN, its own bridge gkn<pid>
 * and subnet 198.18.210.0/24; checks that nothing is left behind. Traffic only to 127.0.0.1 and to
 * the namespaces it made. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/err.h"
#include "common/fs.h"
#include "common/lock.h"
#include "net/container.h"
#include "net/ipam.h"
#include "net/link.h"
#include "net/nat.h"
#include "net/netmod.h"

static char tmpdir[] = "/tmp/gk-test-netns-XXXXXX";
static char bridge[16];

static pid_t netns_proc(void)
{
	pid_t p = fork();
	if (p == 0) {
		execlp("unshare", "unshare", "-n", "sleep", "60", (char *)NULL);
		_exit(127);
	}
	usleep(100000); /* unshare has run by then */
	return p;
}

static void reap(pid_t p)
{
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = NULL;
	if (vasprintf(&cmd, fmt, ap) < 0)
		abort();
	va_end(ap);
	int rc = system(cmd);
	free(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 255;
}

static int setup(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	/* Other checkouts may run this test at the same time: the subnets are
	 * fixed, so take turns. */
	struct gk_err lerr;
	mkdir("/run/lock", 0755);
	if (gk_lock("/run/lock/gocker-test-net-198.18.210.lock", GK_LOCK_EXCLUSIVE, &lerr) < 0)
		return -1;
	if (!mkdtemp(tmpdir))
		return -1;
	setenv("GOCKER_RUN", tmpdir, 1);
	snprintf(bridge, sizeof(bridge), "gkn%d", getpid() % 100000);
	setenv("GOCKER_BRIDGE", bridge, 1);
	setenv("GOCKER_SUBNET", "198.18.210.0/24", 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	struct gk_err err;
	if (geteuid() != 0)
		return 0;
	net_bridge_remove(bridge, &err);
	return gk_remove_tree(tmpdir, &err);
}

static int never_alive(const char *id, void *data)
{
	(void)id;
	(void)data;
	return 0;
}

static void setup_ok(const char *id, pid_t pid, const char *ports, struct net_container_info *info)
{
	struct gk_err err;
	struct net_ports p = {0};
	if (ports && net_port_parse(ports, &p, &err) < 0)
		fail_msg("%s", err.msg);
	struct net_container_req req = {.id = id, .pid = pid, .ports = &p, .name = "web"};
	if (net_mod_setup(&req, info, &err) < 0)
		fail_msg("setup %s: %s", id, err.msg);
	net_ports_free(&p);
}

static void test_two_containers_and_published_port(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct gk_err err;
	pid_t a = netns_proc(), b = netns_proc();
	struct net_container_info ia, ib;
	setup_ok("aaaaaaaa11112222", a, "127.0.0.1::8080", &ia);
	setup_ok("bbbbbbbb11112222", b, NULL, &ib);
	assert_string_equal(ia.ip, "198.18.210.2");
	assert_string_equal(ib.ip, "198.18.210.3");
	assert_string_equal(ia.mac, "02:42:c6:12:d2:02");
	assert_string_equal(ia.veth, "vethaaaaaaaa");
	assert_int_equal(sh("nsenter -t %d -n ip -br addr show eth0 | grep -q 198.18.210.2/24", a),
			 0);
	assert_int_equal(sh("nsenter -t %d -n ip link show eth0 | grep -q 02:42:c6:12:d2:02", a),
			 0);
	assert_int_equal(sh("nsenter -t %d -n ip route | grep -q 'default via 198.18.210.1'", a),
			 0);
	assert_int_equal(sh("nsenter -t %d -n ping -c1 -W2 %s >/dev/null", b, ia.ip), 0);
	/* a server in a's netns, reached through the published port on 127.0.0.1 */
	assert_int_equal(
	    sh("mkdir -p %s/www && echo hello-from-a > %s/www/index.html", tmpdir, tmpdir), 0);
	/* in the foreground, so it is this test's child and goes with it */
	char nspid[16], www[64];
	snprintf(nspid, sizeof(nspid), "%d", a);
	snprintf(www, sizeof(www), "%s/www", tmpdir);
	pid_t httpd = fork();
	if (httpd == 0) {
		execlp("nsenter", "nsenter", "-t", nspid, "-n", "busybox", "httpd", "-f", "-p",
		       "8080", "-h", www, (char *)NULL);
		_exit(127);
	}
	usleep(200000);
	assert_int_equal(ia.ports.n, 1);
	assert_true(ia.ports.v[0].host_port > 0);
	assert_int_equal(
	    sh("timeout 10 busybox wget -q -O - http://127.0.0.1:%d/ | grep -q hello-from-a",
	       ia.ports.v[0].host_port),
	    0);
	/* b reaches a directly and through the host's published port (hairpin) */
	assert_int_equal(
	    sh("nsenter -t %d -n timeout 10 busybox wget -q -O - http://%s:8080/ | grep -q hello",
	       b, ia.ip),
	    0);
	assert_int_equal(sh("nft list table ip gocker | grep -q 'gocker ctr aaaaaaaa11112222'"), 0);
	assert_int_equal(sh("ip link show vethaaaaaaaa | grep -q 'master %s'", bridge), 0);

	reap(httpd);
	net_container_info_free(&ia);
	net_container_info_free(&ib);
	assert_int_equal(net_mod_teardown("aaaaaaaa11112222", 0, &err), 0);
	assert_int_equal(net_mod_teardown("aaaaaaaa11112222", 0, &err), 0); /* twice: fine */
	assert_int_not_equal(sh("ip link show vethaaaaaaaa 2>/dev/null"), 0);
	assert_int_not_equal(sh("nft list table ip gocker 2>/dev/null | grep -q 'ctr aaaaaaaa'"),
			     0);
	reap(a);
	/* b's process dies without a teardown (kill -9 of everything): prune frees it */
	reap(b);
	char **removed = NULL;
	assert_int_equal(net_mod_prune(never_alive, NULL, &removed, &err), 0);
	assert_string_equal(removed[0], "bridge");
	gk_strv_free(removed);
	assert_int_equal(net_link_exists(bridge, &err), 0);
	assert_int_not_equal(sh("ip link show vethbbbbbbbb 2>/dev/null"), 0);
	assert_int_not_equal(sh("nft list table ip gocker 2>/dev/null | grep -q '%s'", bridge), 0);
}

static void test_exhaustion_leaves_nothing(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct gk_err err;
	setenv("GOCKER_SUBNET", "198.18.211.0/29", 1);
	pid_t p[6];
	char id[6][32];
	for (int i = 0; i < 6; i++) {
		p[i] = netns_proc();
		snprintf(id[i], sizeof(id[i]), "%08dffff", i);
	}
	for (int i = 0; i < 5; i++) {
		struct net_container_info info;
		setup_ok(id[i], p[i], NULL, &info);
		net_container_info_free(&info);
	}
	struct net_container_info info;
	struct net_container_req req = {.id = id[5], .pid = p[5]};
	assert_int_equal(net_mod_setup(&req, &info, &err), -1);
	assert_string_equal(err.msg, "no free address in 198.18.211.0/29");
	assert_int_not_equal(sh("ip link show veth00000005 2>/dev/null"), 0);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(net_mod_teardown(id[i], 0, &err), 0);
		reap(p[i]);
	}
	char **removed = NULL;
	assert_int_equal(net_mod_prune(never_alive, NULL, &removed, &err), 0);
	gk_strv_free(removed);
	assert_int_equal(net_link_exists(bridge, &err), 0);
	setenv("GOCKER_SUBNET", "198.18.210.0/24", 1);
}

/* A stand-in container `id` with a port published on 127.0.0.1. */
static pid_t published_container(const char *id)
{
	pid_t p = netns_proc();
	struct net_container_info info;
	setup_ok(id, p, "127.0.0.1::80", &info);
	net_container_info_free(&info);
	return p;
}

/* DNAT rules of the container whose id starts with `id8` are in the table. */
static int has_dnat(const char *id8)
{
	return sh("nft list table ip gocker 2>/dev/null | grep -q 'ctr %s'", id8) == 0;
}

static void prune_all(void)
{
	struct gk_err err;
	char **removed = NULL;
	assert_int_equal(net_mod_prune(never_alive, NULL, &removed, &err), 0);
	gk_strv_free(removed);
}

static void test_netns_gone_leaves_the_pair_to_the_kernel(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct gk_err err;
	pid_t p = published_container("cccccccc33334444");
	reap(p); /* the netns dies with its last process */
	assert_int_equal(net_mod_teardown("cccccccc33334444", NET_TEARDOWN_NETNS_GONE, &err), 0);
	int gone = 0;
	for (int i = 0; i < 100 && !gone; i++, usleep(20000))
		gone = net_link_exists("vethcccccccc", &err) == 0;
	assert_true(gone);
	assert_false(has_dnat("cccccccc"));
	prune_all();
}

/* CAP_NET_ADMIN in or out of the effective set (it stays permitted). */
static void net_admin(cap_flag_value_t on)
{
	cap_t caps = cap_get_proc();
	cap_value_t v = CAP_NET_ADMIN;
	assert_non_null(caps);
	assert_int_equal(cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, on), 0);
	assert_int_equal(cap_set_proc(caps), 0);
	cap_free(caps);
}

static void test_failed_teardown_is_retried_with_its_dnat_rules(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct gk_err err;
	pid_t p = published_container("ffffffff55556666");
	/* without CAP_NET_ADMIN the veth cannot be deleted: the teardown fails */
	net_admin(CAP_CLEAR);
	int rc = net_mod_teardown("ffffffff55556666", 0, &err);
	net_admin(CAP_SET);
	assert_int_equal(rc, -1);
	/* the retry still knows the container published ports */
	assert_int_equal(net_mod_teardown("ffffffff55556666", 0, &err), 0);
	assert_false(has_dnat("ffffffff"));
	assert_int_not_equal(sh("ip link show vethffffffff 2>/dev/null"), 0);
	reap(p);
	prune_all();
}

static void test_a_veth_name_taken_by_another_link_is_left_alone(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct gk_err err;
	/* this test's link holds the name gocker would give 12341234aaaa's veth */
	assert_int_equal(sh("ip link add veth12341234 type veth peer name gkv%d", getpid()), 0);
	pid_t p = netns_proc();
	struct net_container_info info;
	struct net_container_req req = {.id = "12341234aaaa0000", .pid = p};
	int rc = net_mod_setup(&req, &info, &err);
	int survived = net_link_exists("veth12341234", &err);
	sh("ip link del veth12341234");
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err.msg, "a link veth12341234 exists that is not this container's"));
	assert_int_equal(survived, 1);
	/* its own previous pair, though, is replaced */
	pid_t q = netns_proc();
	setup_ok("12341234bbbb0000", p, NULL, &info);
	net_container_info_free(&info);
	struct net_container_req again = {.id = "12341234bbbb0000", .pid = q};
	assert_int_equal(net_mod_setup(&again, &info, &err), 0);
	net_container_info_free(&info);
	assert_int_equal(sh("nsenter -t %d -n ip link show eth0 >/dev/null 2>&1", q), 0);
	assert_int_equal(net_mod_teardown("12341234bbbb0000", 0, &err), 0);
	assert_int_equal(net_link_exists("veth12341234", &err), 0);
	reap(p);
	reap(q);
	prune_all();
}

static void test_project_network_goes_with_its_last_container(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct gk_err err;
	char pbr[16];
	snprintf(pbr, sizeof(pbr), "gkp%d", getpid() % 100000);
	assert_int_equal(net_network_create("proj_default", pbr, "198.18.214.0/24", 1, &err), 0);
	pid_t a = netns_proc(), b = netns_proc();
	struct net_container_info info;
	struct net_container_req ra = {
	    .id = "dddddddd11110000", .pid = a, .network = "proj_default"};
	struct net_container_req rb = {
	    .id = "eeeeeeee11110000", .pid = b, .network = "proj_default"};
	if (net_mod_setup(&ra, &info, &err) < 0)
		fail_msg("%s", err.msg);
	net_container_info_free(&info);
	if (net_mod_setup(&rb, &info, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(info.ip, "198.18.214.3");
	net_container_info_free(&info);
	assert_int_equal(net_mod_teardown("dddddddd11110000", 0, &err), 0);
	assert_int_equal(net_link_exists(pbr, &err), 1); /* b still on it */
	assert_int_equal(net_mod_teardown("eeeeeeee11110000", 0, &err), 0);
	assert_int_equal(net_link_exists(pbr, &err), 0); /* the last one took it */
	assert_int_not_equal(
	    sh("nft list table ip gocker 2>/dev/null | grep -q 'gocker net %s\"'", pbr), 0);
	struct net_network n;
	assert_int_equal(net_network_lookup("proj_default", &n, &err), -1);
	reap(a);
	reap(b);
}

static void test_a_run_between_address_and_record_keeps_the_bridge(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct gk_err err;
	char rbr[16], ip[NET_IP_STRLEN];
	snprintf(rbr, sizeof(rbr), "gkr%d", getpid() % 100000);
	assert_int_equal(net_network_create("race_default", rbr, "198.18.214.0/24", 1, &err), 0);
	pid_t a = netns_proc();
	struct net_container_info info;
	struct net_container_req ra = {
	    .id = "abababab11110000", .pid = a, .network = "race_default"};
	if (net_mod_setup(&ra, &info, &err) < 0)
		fail_msg("%s", err.msg);
	net_container_info_free(&info);
	/* another run holds its address but has no record yet: the last
	 * recorded container's teardown leaves the bridge and its rules */
	assert_int_equal(net_ipam_allocate(rbr, "198.18.214.0/24", "cdcdcdcd11110000", ip, &err),
			 0);
	assert_int_equal(net_mod_teardown("abababab11110000", 0, &err), 0);
	assert_int_equal(net_link_exists(rbr, &err), 1);
	assert_int_equal(sh("nft list table ip gocker | grep -q 'gocker net %s\"'", rbr), 0);
	/* a bridge gone while others hold addresses: who makes it again makes
	 * its NAT rules too */
	struct gk_err ignore;
	net_nat_network_remove(rbr, &ignore);
	net_bridge_remove(rbr, &ignore);
	pid_t b = netns_proc();
	struct net_container_req rb = {
	    .id = "efefefef11110000", .pid = b, .network = "race_default"};
	if (net_mod_setup(&rb, &info, &err) < 0)
		fail_msg("%s", err.msg);
	net_container_info_free(&info);
	assert_int_equal(sh("nft list table ip gocker | grep -q 'gocker net %s\"'", rbr), 0);
	assert_int_equal(net_ipam_release(rbr, "cdcdcdcd11110000", &err), 0);
	assert_int_equal(net_mod_teardown("efefefef11110000", 0, &err), 0);
	assert_int_equal(net_link_exists(rbr, &err), 0);
	reap(a);
	reap(b);
}

static void test_overlapping_subnet_refused(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct gk_err err;
	/* a test-owned veth with a route, then a bridge wanting the same range */
	char dummy[16];
	snprintf(dummy, sizeof(dummy), "gkd%d", getpid() % 100000);
	assert_int_equal(sh("ip link add %s type veth peer name %sp && "
			    "ip addr add 198.18.212.1/24 dev %s && ip link set %s up",
			    dummy, dummy, dummy, dummy),
			 0);
	struct net_bridge_changes did = {0};
	int rc = net_bridge_ensure(bridge, "198.18.212.128/25", &did, &err);
	sh("ip link del %s", dummy);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err.msg, "overlaps the host's route 198.18.212.0/24"));
	assert_int_equal(net_link_exists(bridge, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_containers_and_published_port),
	    cmocka_unit_test(test_exhaustion_leaves_nothing),
	    cmocka_unit_test(test_netns_gone_leaves_the_pair_to_the_kernel),
	    cmocka_unit_test(test_failed_teardown_is_retried_with_its_dnat_rules),
	    cmocka_unit_test(test_a_veth_name_taken_by_another_link_is_left_alone),
	    cmocka_unit_test(test_project_network_goes_with_its_last_container),
	    cmocka_unit_test(test_a_run_between_address_and_record_keeps_the_bridge),
	    cmocka_unit_test(test_overlapping_subnet_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
