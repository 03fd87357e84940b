/* Published ports: Docker's -p syntax, host port reservation, and the list
 * kept per container for ps / port / inspect.
 *
 * State: $GOCKER_RUN/net/ports.json under ports.lock:
 *   {"<container id>": [{"HostIp": "0.0.0.0", "HostPort": 8080,
 *                        "ContainerPort": 80, "Proto": "tcp"}, ...]} */
#ifndef NET_PORTS_H
#define NET_PORTS_H

#include <stddef.h>

#include "common/err.h"
#include "net/cidr.h"

struct net_port {
	char host_ip[NET_IP_STRLEN]; /* "" = every address (0.0.0.0) */
	int host_port;		     /* 0: pick a free one; -N: pick one in [N, host_port_end] */
	int host_port_end;
	int container_port;
	char proto[4]; /* "tcp" or "udp" */
};

struct net_ports {
	struct net_port *v;
	size_t n;
};

void net_ports_free(struct net_ports *p);
static inline void net_ports_freep(struct net_ports *p)
{
	net_ports_free(p);
}
#define _cleanup_ports_ __attribute__((cleanup(net_ports_freep)))

/* Parse one -p spec and append its mappings (one per container port):
 * "80", "8080:80", "127.0.0.1:8080:80", "127.0.0.1::80", "8000-8001:80-81",
 * "8000-8010:80", "80-81", each with an optional "/tcp" or "/udp". Errors are
 * Docker's ("invalid containerPort: x", "invalid hostPort: x", "invalid proto: x",
 * "invalid IP address: x", "no port specified: x<empty>", "invalid ranges
 * specified for container and host Ports: a and b"). */
int net_port_parse(const char *spec, struct net_ports *out, struct gk_err *err);

/* The image's exposed ports ("80/tcp") as random-host-port mappings (--publish-all). */
int net_port_parse_exposed(const char *exposed, struct net_ports *out, struct gk_err *err);

/* Choose host ports and reserve them for the container: conflicts with other
 * gocker containers' reservations and with sockets already bound on the host
 * fail with "Bind for 0.0.0.0:8080 failed: port is already allocated".
 * Fills in host_port of every entry. Nothing is reserved on failure. */
int net_ports_reserve(const char *container_id, struct net_ports *ports, struct gk_err *err);

/* The same checks as net_ports_reserve() for the fixed host ports, without
 * reserving anything (a clear error before a container is created). */
int net_ports_check(const struct net_ports *ports, struct gk_err *err);

/* Forget the container's reservations. */
int net_ports_release(const char *container_id, struct gk_err *err);

/* The container's reserved ports (empty when none). */
int net_ports_load(const char *container_id, struct net_ports *out, struct gk_err *err);

/* Every container id holding reservations (NULL-terminated, caller frees). */
int net_ports_owners(char ***out, struct gk_err *err);

/* "0.0.0.0:8080->80/tcp, 0.0.0.0:5353->53/udp" as `docker ps` prints it. */
char *net_ports_format(const struct net_ports *p);

#endif
