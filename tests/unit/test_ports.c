/* Unit tests for net/ports.c: Docker's -p forms and error messages, host
 * port reservation and conflicts, the `docker ps` format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/err.h"
#include "common/fs.h"
#include "net/ports.h"

static char tmpdir[] = "/tmp/gk-test-ports-XXXXXX";

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

/* Parse and render every mapping as "ip|host|end|cport|proto;". */
static char *parse(const char *spec)
{
	struct net_ports p = {0};
	struct gk_err err;
	if (net_port_parse(spec, &p, &err) < 0)
		fail_msg("parse %s: %s", spec, err.msg);
	char *s = gk_strdup("");
	for (size_t i = 0; i < p.n; i++) {
		char *n =
		    gk_strdup_printf("%s%s|%d|%d|%d|%s;", s, p.v[i].host_ip, p.v[i].host_port,
				     p.v[i].host_port_end, p.v[i].container_port, p.v[i].proto);
		free(s);
		s = n;
	}
	net_ports_free(&p);
	return s;
}

static void parse_is(const char *spec, const char *want)
{
	char *got = parse(spec);
	assert_string_equal(got, want);
	free(got);
}

static void parse_fails(const char *spec, const char *msg)
{
	struct net_ports p = {0};
	struct gk_err err;
	assert_int_equal(net_port_parse(spec, &p, &err), -1);
	assert_string_equal(err.msg, msg);
	assert_int_equal(p.n, 0);
}

static void test_short_forms(void **state)
{
	(void)state;
	parse_is("80", "|0|0|80|tcp;");
	parse_is("80/udp", "|0|0|80|udp;");
	parse_is("80/", "|0|0|80|tcp;");
	parse_is("8080:80", "|8080|0|80|tcp;");
	parse_is("8080:80/tcp", "|8080|0|80|tcp;");
	parse_is("5353:53/UDP", "|5353|0|53|udp;");
	parse_is("127.0.0.1:8080:80", "127.0.0.1|8080|0|80|tcp;");
	parse_is("127.0.0.1::80", "127.0.0.1|0|0|80|tcp;");
	parse_is("0.0.0.0:8080:80", "|8080|0|80|tcp;");
	parse_is(":8080:80", "|8080|0|80|tcp;");
	parse_is("8000-8001:80-81", "|8000|0|80|tcp;|8001|0|81|tcp;");
	parse_is("127.0.0.1:8000-8001:80-81/udp",
		 "127.0.0.1|8000|0|80|udp;127.0.0.1|8001|0|81|udp;");
	parse_is("80-82", "|0|0|80|tcp;|0|0|81|tcp;|0|0|82|tcp;");
	parse_is("8000-8010:80", "|-8000|8010|80|tcp;");
	parse_is("65535:1", "|65535|0|1|tcp;");
}

static void test_errors(void **state)
{
	(void)state;
	parse_fails("", "no port specified: <empty>");
	parse_fails("8080:", "no port specified: 8080:<empty>");
	parse_fails("8080:/tcp", "no port specified: 8080:/tcp<empty>");
	parse_fails("abc", "invalid containerPort: abc");
	parse_fails("8080:abc", "invalid containerPort: abc");
	parse_fails("65536", "invalid containerPort: 65536");
	parse_fails("0", "invalid containerPort: 0");
	parse_fails("81-80", "invalid containerPort: 81-80");
	parse_fails("-1", "invalid containerPort: -1");
	parse_fails("x:80", "invalid hostPort: x");
	parse_fails("99999:80", "invalid hostPort: 99999");
	parse_fails("8001-8000:80", "invalid hostPort: 8001-8000");
	parse_fails("80/sctpx", "invalid proto: sctpx");
	parse_fails("8080:80/icmp", "invalid proto: icmp");
	parse_fails("localhost:8080:80", "invalid IP address: localhost");
	parse_fails("1.2.3:8080:80", "invalid IP address: 1.2.3");
	parse_fails("[::1]:8080:80", "invalid IP address ::1: IPv6 is not supported");
	parse_fails("8000-8002:80-81",
		    "invalid ranges specified for container and host Ports: 80-81 and 8000-8002");
	parse_fails("8000:80-81",
		    "invalid ranges specified for container and host Ports: 80-81 and 8000");
}

static void test_exposed(void **state)
{
	(void)state;
	struct net_ports p = {0};
	struct gk_err err;
	assert_int_equal(net_port_parse_exposed("80/tcp", &p, &err), 0);
	assert_int_equal(net_port_parse_exposed("53/udp", &p, &err), 0);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.v[1].container_port, 53);
	assert_string_equal(p.v[1].proto, "udp");
	assert_int_equal(net_port_parse_exposed("1:80/tcp", &p, &err), -1);
	net_ports_free(&p);
}

static int listen_on(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(sa);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		fail_msg("listen");
	return fd;
}

static void test_reserve_conflicts(void **state)
{
	(void)state;
	struct gk_err err;
	/* a port held by a host socket */
	int fd = listen_on(0);
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	int busy = ntohs(sa.sin_port);
	char spec[64];
	snprintf(spec, sizeof(spec), "127.0.0.1:%d:80", busy);
	struct net_ports p = {0};
	assert_int_equal(net_port_parse(spec, &p, &err), 0);
	assert_int_equal(net_ports_reserve("ctr1", &p, &err), -1);
	char want[128];
	snprintf(want, sizeof(want), "Bind for 127.0.0.1:%d failed: port is already allocated",
		 busy);
	assert_string_equal(err.msg, want);
	net_ports_free(&p);
	/* the same port on 0.0.0.0 conflicts with the listener on 127.0.0.1 */
	snprintf(spec, sizeof(spec), "%d:80", busy);
	assert_int_equal(net_port_parse(spec, &p, &err), 0);
	assert_int_equal(net_ports_reserve("ctr1", &p, &err), -1);
	net_ports_free(&p);
	close(fd); /* now free: reserve it, and a second container conflicts */
	assert_int_equal(net_port_parse(spec, &p, &err), 0);
	assert_int_equal(net_port_parse("53/udp", &p, &err), 0);
	assert_int_equal(net_ports_reserve("ctr1", &p, &err), 0);
	assert_true(p.v[1].host_port > 0); /* a random one was picked */
	struct net_ports q = {0};
	assert_int_equal(net_port_parse(spec, &q, &err), 0);
	assert_int_equal(net_ports_reserve("ctr2", &q, &err), -1);
	snprintf(want, sizeof(want), "Bind for 0.0.0.0:%d failed: port is already allocated", busy);
	assert_string_equal(err.msg, want);
	net_ports_free(&q);
	/* the same port as udp is another port */
	snprintf(spec, sizeof(spec), "%d:80/udp", busy);
	assert_int_equal(net_port_parse(spec, &q, &err), 0);
	assert_int_equal(net_ports_reserve("ctr2", &q, &err), 0);
	net_ports_free(&q);
	/* two mappings of one spec on the same host port conflict with each other */
	snprintf(spec, sizeof(spec), "%d:81", busy + 1);
	assert_int_equal(net_port_parse(spec, &q, &err), 0);
	assert_int_equal(net_port_parse(spec, &q, &err), 0);
	assert_int_equal(net_ports_reserve("ctr3", &q, &err), -1);
	net_ports_free(&q);
	/* load, format, release */
	struct net_ports l = {0};
	assert_int_equal(net_ports_load("ctr1", &l, &err), 0);
	assert_int_equal(l.n, 2);
	char *s = net_ports_format(&l);
	snprintf(want, sizeof(want), "0.0.0.0:%d->80/tcp, 0.0.0.0:%d->53/udp", busy,
		 p.v[1].host_port);
	assert_string_equal(s, want);
	free(s);
	net_ports_free(&l);
	assert_int_equal(net_ports_release("ctr1", &err), 0);
	assert_int_equal(net_ports_load("ctr1", &l, &err), 0);
	assert_int_equal(l.n, 0);
	snprintf(spec, sizeof(spec), "%d:80", busy);
	assert_int_equal(net_port_parse(spec, &q, &err), 0);
	assert_int_equal(net_ports_reserve("ctr4", &q, &err), 0);
	net_ports_free(&q);
	net_ports_free(&p);
	char **owners = NULL;
	assert_int_equal(net_ports_owners(&owners, &err), 0);
	assert_int_equal(gk_strv_len(owners), 2); /* ctr2 and ctr4 */
	for (char **o = owners; *o; o++)
		net_ports_release(*o, &err);
	gk_strv_free(owners);
}

static void test_host_range_pick(void **state)
{
	(void)state;
	struct gk_err err;
	int fd = listen_on(0);
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	int busy = ntohs(sa.sin_port);
	char spec[64];
	snprintf(spec, sizeof(spec), "%d-%d:80", busy, busy + 5);
	struct net_ports p = {0};
	assert_int_equal(net_port_parse(spec, &p, &err), 0);
	assert_int_equal(net_ports_reserve("range", &p, &err), 0);
	assert_true(p.v[0].host_port > busy && p.v[0].host_port <= busy + 5);
	net_ports_free(&p);
	close(fd);
	net_ports_release("range", &err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_short_forms),	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_exposed),	    cmocka_unit_test(test_reserve_conflicts),
	    cmocka_unit_test(test_host_range_pick),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
