/* A container's network, end to end: the calls the command files make.
 *
 * net_container_setup() reserves the published ports, takes an address,
 * makes sure the bridge and its NAT rules exist, plugs the veth into the
 * container's netns, adds the DNAT rules and writes hosts / resolv.conf /
 * hostname. Before it creates anything it records what it is about to create
 * in $GOCKER_RUN/net/containers/<id>.json, so net_container_teardown() frees
 * everything even after a kill -9 at any point. */
#ifndef NET_CONTAINER_H
#define NET_CONTAINER_H

#include <json-c/json.h>
#include <sys/types.h>

#include "common/err.h"
#include "net/network.h"
#include "net/ports.h"

struct net_container_req {
	const char *id;		       /* full container id (hex) */
	const char *name;	       /* container name, may be NULL */
	const char *hostname;	       /* may be NULL: the first 12 of the id */
	pid_t pid;		       /* a process in the container's netns, or 0 ... */
	int netns_fd;		       /* ... the netns itself (used when pid == 0) */
	const char *network;	       /* "bridge" (default) or a named network */
	const struct net_ports *ports; /* may be NULL */
	const char *files_dir;	       /* hosts rewritten there with the address (NULL: none) */
};

struct net_container_info {
	struct net_network net;
	char ip[NET_IP_STRLEN];
	char mac[18];
	char veth[16];
	struct net_ports ports;
};

void net_container_info_free(struct net_container_info *info);

/* Before the container exists: the network is known, its subnet does not
 * overlap a host route (when its bridge is still to be made) and every fixed
 * host port is free now. Reserves nothing; net_container_setup() decides. */
int net_container_precheck(const char *network, const struct net_ports *ports, struct gk_err *err);

int net_container_setup(const struct net_container_req *req, struct net_container_info *info,
			struct gk_err *err);

/* Free everything the container held: DNAT rules, veth, address, ports;
 * and the bridge with its NAT rules when it was a project network's last
 * container. Nothing to free is not an error. */
int net_container_teardown(const char *id, struct gk_err *err);

/* Every process of the container is gone, so its netns dies and the kernel
 * removes the veth pair with it, off our critical path: deleting it here
 * would cost an RCU barrier (~15 ms) per container. */
#define NET_TEARDOWN_NETNS_GONE 1
int net_container_teardown_flags(const char *id, int flags, struct gk_err *err);

/* The container's record ($GOCKER_RUN/net/containers/<id>.json). */
char *net_container_record_path(const char *id, struct gk_err *err);
int net_container_record_write(const char *id, const struct net_container_info *info,
			       struct gk_err *err);

/* 1 and the info when the container has a network record, 0 when not. */
int net_container_load(const char *id, struct net_container_info *info, struct gk_err *err);

/* Docker's inspect NetworkSettings for the container (empty fields when it
 * has no network record): IPAddress, IPPrefixLen, Gateway, MacAddress,
 * Ports {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]}, Networks
 * (without a record: an entry without addresses for `network_mode`, its
 * HostConfig.NetworkMode, such as "none" or "host", as Docker lists it). */
json_object *net_container_settings_json(const char *id, const char *network_mode);

/* "0.0.0.0:8080->80/tcp, ..." for `gocker ps` ("" when none). */
char *net_container_ports_string(const char *id);

/* Every container id with a network record (NULL-terminated; caller frees). */
int net_container_ids(char ***out, struct gk_err *err);

/* Write only the hosts / resolv.conf / hostname files (for --network none/host). */
int net_container_files(const char *files_dir, const char *ip, const char *hostname,
			const char *name, struct gk_err *err);

/* `gocker network prune`: tear down the network of every recorded container
 * that `alive` says is gone, drop stale addresses, port reservations and DNAT
 * rules, then remove the bridges (and their NAT rules) no container uses.
 * Prints nothing; fills `removed` with the names of removed networks. */
int net_prune(int (*alive)(const char *container_id, void *data), void *data, char ***removed,
	      struct gk_err *err);

#endif
