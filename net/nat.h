/* Outbound NAT and published ports in gocker's own nftables table,
 * `table ip gocker`. Nothing else in the ruleset is ever touched.
 *
 *   chain prerouting  (nat, dstnat)   DNAT of published ports, from other hosts
 *                                     and from containers (hairpin)
 *   chain output      (nat, -100)     DNAT of published ports for the host itself
 *                                     (127.0.0.1 and its own addresses)
 *   chain postrouting (nat, srcnat)   MSS of DNATed SYNs entering the bridge
 *                                     clamped to its route; masquerade SUBNET ->
 *                                     outside; hairpin (SUBNET -> SUBNET when
 *                                     DNATed); 127.0.0.0/8 sources leaving
 *                                     through the bridge
 *   chain forward     (filter, filter - 1)  accept from the bridge, and to it
 *                                     when established or DNATed
 *
 * Rules carry a comment naming their owner ("gocker net BRIDGE",
 * "gocker ctr ID BRIDGE") so they are found and deleted by handle. The table goes
 * when its last rule does. All changes are serialised by a host-wide lock
 * (/run/lock/gocker-nft.lock), since the table is shared by every gocker
 * whatever its $GOCKER_RUN. */
#ifndef NET_NAT_H
#define NET_NAT_H

#include "common/err.h"
#include "net/ports.h"

/* Masquerade and forward rules for one bridge network; turns on
 * /proc/sys/net/ipv4/ip_forward. Idempotent. */
int net_nat_network_add(const char *bridge, const char *subnet, struct gk_err *err);
int net_nat_network_remove(const char *bridge, struct gk_err *err);

/* DNAT rules for the container's published ports (host ports chosen),
 * tagged "gocker ctr ID BRIDGE" so a prune only judges the rules of networks
 * it knows (other gocker roots may share the table). */
int net_nat_ports_add(const char *container_id, const char *bridge, const char *ip,
		      const struct net_ports *ports, struct gk_err *err);
int net_nat_ports_remove(const char *container_id, struct gk_err *err);

/* Owners found in the table: "ID BRIDGE" of containers with DNAT rules,
 * bridges with network rules (NULL-terminated vectors; caller frees). */
int net_nat_owners(char ***containers, char ***bridges, struct gk_err *err);

#endif
