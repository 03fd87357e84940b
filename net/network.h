/* Networks: the default bridge network and named ones (compose projects).
 *
 * The default network is called "bridge" (as in Docker): device gocker0,
 * 172.29.0.0/16, gateway .1, as the original Gocker. /etc/gocker/config.json
 * (or $GOCKER_CONFIG) may set {"bridge": "gocker0", "bip": "172.29.0.1/16"};
 * GOCKER_BRIDGE and GOCKER_SUBNET override both. Named networks are recorded
 * in $GOCKER_RUN/net/networks.json. */
#ifndef NET_NETWORK_H
#define NET_NETWORK_H

#include "common/err.h"
#include "net/cidr.h"

#define NET_DEFAULT_NAME   "bridge"
#define NET_DEFAULT_BRIDGE "gocker0"
#define NET_DEFAULT_SUBNET "172.29.0.0/16"

struct net_network {
	char name[128];
	char bridge[16];
	char subnet[NET_CIDR_STRLEN]; /* network address / prefix */
	char gateway[NET_IP_STRLEN];
	int prefix;
	int project; /* created for a compose project: goes with its last container */
};

/* "GATEWAY/PREFIX" (Docker's "bip" form, e.g. "10.9.0.254/24"): what the
 * bridge and IPAM are given so that both use the network's gateway, which
 * need not be the subnet's first address. */
void net_network_bip(const struct net_network *n, char out[NET_CIDR_STRLEN]);

/* The default network from config file and environment. */
int net_network_default(struct net_network *out, struct gk_err *err);

/* "bridge" or a recorded network; error "network NAME not found". */
int net_network_lookup(const char *name, struct net_network *out, struct gk_err *err);

/* Record a named network (bridge device name at most 15 chars). Existing with
 * the same bridge and subnet is fine. Links are made on first attach. */
int net_network_create(const char *name, const char *bridge, const char *subnet, int project,
		       struct gk_err *err);

/* Forget the record (not the links). */
int net_network_forget(const char *name, struct gk_err *err);

/* The default network first, then the recorded ones. Caller frees *out. */
int net_network_list(struct net_network **out, size_t *n, struct gk_err *err);

/* The network's id: sha256 of its name and bridge, as 64 hex. Computed only
 * where shown (network ls, inspect): hashing loads libcrypto, which the path
 * that attaches a container does not need otherwise. */
void net_network_id(const struct net_network *n, char out[65]);
/* The id of any network by name, the built-in host and none included ("" for
 * an unknown name). */
void net_network_id_by_name(const char *name, char out[65]);

#endif
