/* gocker port CONTAINER [PRIVATE_PORT[/PROTO]]: the container's published
 * ports, as `docker port` prints them. */
#include "common/cleanup.h"
#include "common/cmd.h"
#include "common/log.h"
#include "net/ports.h"
#include "runtime/commands.h"
#include "runtime/ctrstate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int port_exec(const struct gk_cmd *self, int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int done = 0, c;
	while ((c = gk_cmd_getopt(self, argc, argv, "+h", opts, &done)) != -1) {
		if (done)
			return c;
	}
	if (optind >= argc || argc - optind > 2)
		return gk_cmd_usage_error(self, "requires 1 or 2 arguments");
	struct gk_err err = {0};
	char id[65];
	if (rt_ctr_resolve(argv[optind], id, &err) < 0) {
		/* as every other command naming a container, and Docker */
		fprintf(stderr, "Error response from daemon: %s\n", err.msg);
		return 1;
	}
	int want_port = 0;
	char want_proto[8] = "tcp";
	if (optind + 1 < argc) {
		const char *spec = argv[optind + 1];
		char *end;
		long p = strtol(spec, &end, 10);
		if (end == spec || p <= 0 || p > 65535 ||
		    (*end && (*end != '/' || (strcmp(end + 1, "tcp") && strcmp(end + 1, "udp"))))) {
			fprintf(stderr, "gocker: Error: invalid port %s\n", spec);
			return GK_EXIT_FAILURE;
		}
		want_port = (int)p;
		if (*end)
			snprintf(want_proto, sizeof(want_proto), "%s", end + 1);
	}
	_cleanup_ports_ struct net_ports ports = {0};
	if (net_ports_load(id, &ports, &err) < 0) {
		gk_print_err(&err);
		return GK_EXIT_FAILURE;
	}
	int found = 0;
	for (size_t i = 0; i < ports.n; i++) {
		const struct net_port *p = &ports.v[i];
		const char *hip = *p->host_ip ? p->host_ip : "0.0.0.0";
		if (!want_port) {
			printf("%d/%s -> %s:%d\n", p->container_port, p->proto, hip, p->host_port);
			found = 1;
		} else if (p->container_port == want_port && !strcmp(p->proto, want_proto)) {
			printf("%s:%d\n", hip, p->host_port);
			found = 1;
		}
	}
	if (want_port && !found) {
		fprintf(stderr, "gocker: Error: No public port '%d/%s' published for %s\n",
			want_port, want_proto, argv[optind]);
		return 1;
	}
	return 0;
}

const struct gk_cmd gk_cmd_port = {
    .name = "port",
    .usage = "CONTAINER [PRIVATE_PORT[/PROTO]]",
    .summary = "List port mappings of a container",
    .help = "",
    .exec = port_exec,
};
