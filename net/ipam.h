/* IP address management: which container holds which address on which network.
 *
 * State: $GOCKER_RUN/net/ipam.json, changed only under $GOCKER_RUN/net/ipam.lock:
 *   {"networks": {"bridge": {"subnet": "172.29.0.0/16", "last": "172.29.0.4",
 *                            "allocations": {"<container id>": "172.29.0.4"}}}}
 * Addresses are handed out in order after the last one given (so a freed
 * address is not reused at once, as Docker does); the network, gateway and
 * broadcast addresses never are. */
#ifndef NET_IPAM_H
#define NET_IPAM_H

#include "common/err.h"
#include "net/cidr.h"

/* The address of `container_id` on `network` (the same one again when it
 * already holds one), allocating a free one in `subnet` otherwise.
 * Exhaustion: "no free address in 198.18.0.0/29". */
int net_ipam_allocate(const char *network, const char *subnet, const char *container_id,
		      char ip[NET_IP_STRLEN], struct gk_err *err);

/* The same; *others: how many other containers hold an address there. */
int net_ipam_allocate_ex(const char *network, const char *subnet, const char *container_id,
			 char ip[NET_IP_STRLEN], int *others, struct gk_err *err);

/* Free the container's address on `network` (NULL: on every network).
 * Freeing what is not allocated is not an error. */
int net_ipam_release(const char *network, const char *container_id, struct gk_err *err);

/* 1 and the address when the container holds one on `network`, 0 when not. */
int net_ipam_lookup(const char *network, const char *container_id, char ip[NET_IP_STRLEN],
		    struct gk_err *err);

/* Drop every allocation whose container `alive` says is gone; returns how
 * many were dropped, or -1. Networks left without allocations stay. */
int net_ipam_prune(int (*alive)(const char *container_id, void *data), void *data,
		   struct gk_err *err);

/* How many containers other than `except_id` (may be NULL) hold an address
 * on `network`, or -1. */
int net_ipam_holders(const char *network, const char *except_id, struct gk_err *err);

/* Forget a whole network (it was removed). */
int net_ipam_forget_network(const char *network, struct gk_err *err);

#endif
