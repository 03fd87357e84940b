/* Links, addresses and routes over libnl-route-3: the bridge and the veth
 * pairs that plug containers into it. */
#ifndef NET_LINK_H
#define NET_LINK_H

#include <sys/types.h>

#include "common/err.h"
#include "net/cidr.h"

/* What net_bridge_ensure() changed on the host, so that only that is undone
 * later: a bridge that already existed (the host's own, named in the config)
 * is never deleted. Filled as it goes, also when it fails. */
struct net_bridge_changes {
	int created;	  /* rtnl_link_add made the link */
	int addr_added;	  /* the gateway address was not there */
	int localnet_set; /* route_localnet was 0 */
};

/* Create bridge `name` with the gateway address of `subnet` (e.g.
 * "172.29.0.0/16" -> 172.29.0.1/16, "10.9.0.254/24" -> 10.9.0.254/24) and
 * bring it up. Idempotent and safe for concurrent callers: EEXIST from the
 * kernel counts as success (and not as created). Refuses a subnet that
 * overlaps a route the host already has (except the bridge's own), and a
 * `name` that exists but is not a bridge. Also sets route_localnet=1 on it so
 * published ports answer on 127.0.0.1. */
int net_bridge_ensure(const char *name, const char *subnet, struct net_bridge_changes *did,
		      struct gk_err *err);

/* Delete the bridge (missing is fine). */
int net_bridge_remove(const char *name, struct gk_err *err);

/* Undo what net_bridge_ensure() did to a bridge it did not create: remove
 * the gateway address of `subnet` when `addr`, set route_localnet back to 0
 * when `localnet`. A missing bridge or address is fine. */
int net_bridge_unconfigure(const char *name, const char *subnet, int addr, int localnet,
			   struct gk_err *err);

/* 1 when a link of that name exists, 0 when not, -1 on error. */
int net_link_exists(const char *name, struct gk_err *err);

/* A bridge `bridge` for `subnet` may be made: no route of the host's main
 * table (other than via `bridge` itself) overlaps it. Else -1 and an error
 * naming the route. */
int net_subnet_check_free(const char *subnet, const char *bridge, struct gk_err *err);

struct net_attach_req {
	pid_t pid;    /* a process in the container's netns, or 0 ... */
	int netns_fd; /* ... an open netns fd (used when pid == 0) */
	const char *bridge;
	const char *host_veth; /* "veth1a2b3c4d" */
	const char *owner;     /* the container id, set as the host veth's ifalias */
	const char *ip;	       /* container address */
	const char *gateway;
	int prefix;
	char mac[18]; /* out: 02:42:a:b:c:d */
};

/* net_veth_name: "veth" + the first 8 hex of the container id. Two ids may
 * share those, so the veth's ifalias names its container (`owner`): gocker
 * deletes a veth only when it is the one it made for that container. */
void net_veth_name(const char *container_id, char out[16]);
/* 02:42 followed by the IPv4 address bytes, as Docker does. */
void net_mac_from_ip(uint32_t ip, char out[18]);

/* One netlink request creates the pair with its peer already named eth0 and
 * in the container's netns (up, MAC set), host side enslaved to the bridge and
 * up; then, from inside the netns: eth0's address, lo up, default route. */
int net_attach(struct net_attach_req *req, struct gk_err *err);

/* Delete the host side (the peer goes with it) when its ifalias is `owner`.
 * Missing is fine; a link of that name that is not owner's is left alone. */
int net_detach(const char *host_veth, const char *owner, struct gk_err *err);

#endif
