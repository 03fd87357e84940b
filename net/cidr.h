/* IPv4 subnets as host-order integers: parse, format, overlap, gateway. */
#ifndef NET_CIDR_H
#define NET_CIDR_H

#include <netinet/in.h>
#include <stdint.h>

#include "common/err.h"

#define NET_IP_STRLEN	INET_ADDRSTRLEN
#define NET_CIDR_STRLEN (INET_ADDRSTRLEN + 4)

struct net_cidr {
	uint32_t addr; /* as written (host order); net_cidr_parse keeps host bits */
	int prefix;    /* 0..32 */
};

/* "172.29.0.0/16" or "172.29.0.1/16" (Docker's "bip" form). */
int net_cidr_parse(const char *s, struct net_cidr *out, struct gk_err *err);
/* "1.2.3.4" into host order. */
int net_ip_parse(const char *s, uint32_t *out, struct gk_err *err);
void net_ip_format(uint32_t ip, char out[NET_IP_STRLEN]);

uint32_t net_cidr_mask(int prefix);
uint32_t net_cidr_network(const struct net_cidr *c);
uint32_t net_cidr_broadcast(const struct net_cidr *c);
/* The gateway: the address written when it is a host address ("bip"), else network + 1. */
uint32_t net_cidr_gateway(const struct net_cidr *c);
int net_cidr_contains(const struct net_cidr *c, uint32_t ip);
int net_cidr_overlaps(const struct net_cidr *a, const struct net_cidr *b);
/* "172.29.0.0/16" (network address). */
void net_cidr_format(const struct net_cidr *c, char out[NET_CIDR_STRLEN]);

#endif
