#include "net/link.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"

static void nl_sock_freep(struct nl_sock **s)
{
	if (*s)
		nl_socket_free(*s);
}
static void link_putp(struct rtnl_link **l)
{
	if (*l)
		rtnl_link_put(*l);
}
static void addr_putp(struct rtnl_addr **a)
{
	if (*a)
		rtnl_addr_put(*a);
}
static void nladdr_putp(struct nl_addr **a)
{
	if (*a)
		nl_addr_put(*a);
}
static void cache_freep(struct nl_cache **c)
{
	if (*c)
		nl_cache_free(*c);
}
static void route_putp(struct rtnl_route **r)
{
	if (*r)
		rtnl_route_put(*r);
}
#define _cleanup_sock_	 __attribute__((cleanup(nl_sock_freep)))
#define _cleanup_link_	 __attribute__((cleanup(link_putp)))
#define _cleanup_addr_	 __attribute__((cleanup(addr_putp)))
#define _cleanup_nladdr_ __attribute__((cleanup(nladdr_putp)))
#define _cleanup_cache_	 __attribute__((cleanup(cache_freep)))
#define _cleanup_route_	 __attribute__((cleanup(route_putp)))

/* libnl returns -NLE_* codes; map the common ones back to errno. */
static int nl_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_EXIST:
		return EEXIST;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return ENODEV;
	case NLE_PERM:
		return EPERM;
	case NLE_BUSY:
		return EBUSY;
	case NLE_INVAL:
		return EINVAL;
	case NLE_NOADDR:
		return EADDRNOTAVAIL;
	default:
		return EIO;
	}
}

static int nl_fail(struct gk_err *err, int nlerr, const char *what, const char *name)
{
	return gk_err_set(err, 0, "%s %s: %s", what, name, nl_geterror(nlerr));
}

static struct nl_sock *nl_open(struct gk_err *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	if (!sk) {
		gk_err_set(err, ENOMEM, "netlink socket");
		return NULL;
	}
	int rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc < 0) {
		nl_socket_free(sk);
		gk_err_set(err, 0, "netlink connect: %s", nl_geterror(rc));
		return NULL;
	}
	return sk;
}

static int link_get(struct nl_sock *sk, const char *name, struct rtnl_link **out)
{
	return rtnl_link_get_kernel(sk, 0, name, out);
}

int net_link_exists(const char *name, struct gk_err *err)
{
	_cleanup_sock_ struct nl_sock *sk = nl_open(err);
	if (!sk)
		return -1;
	_cleanup_link_ struct rtnl_link *l = NULL;
	int rc = link_get(sk, name, &l);
	if (rc == 0)
		return 1;
	if (nl_errno(rc) == ENODEV)
		return 0;
	return nl_fail(err, rc, "look up link", name);
}

static void route_dst_string(struct rtnl_route *r, struct nl_cache *links, char *buf, size_t len)
{
	char dst[64] = "?", dev[IFNAMSIZ] = "?";
	nl_addr2str(rtnl_route_get_dst(r), dst, sizeof(dst));
	if (rtnl_route_get_nnexthops(r) > 0) {
		int idx = rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(r, 0));
		rtnl_link_i2name(links, idx, dev, sizeof(dev));
	}
	snprintf(buf, len, "%s dev %s", dst, dev);
}

/* The routes of the main table that overlap `subnet`, ignoring those via
 * `except_dev`: fills `route` (e.g. "10.0.0.0/8 dev eth0") and returns 1, or
 * returns 0 when none. */
static int route_overlap(const char *subnet, const char *except_dev, char *route, size_t len,
			 struct gk_err *err)
{
	struct net_cidr want;
	if (net_cidr_parse(subnet, &want, err) < 0)
		return -1;
	_cleanup_sock_ struct nl_sock *sk = nl_open(err);
	if (!sk)
		return -1;
	_cleanup_cache_ struct nl_cache *routes = NULL, *links = NULL;
	int rc = rtnl_route_alloc_cache(sk, AF_INET, 0, &routes);
	if (rc < 0)
		return gk_err_set(err, 0, "read routing table: %s", nl_geterror(rc));
	rc = rtnl_link_alloc_cache(sk, AF_UNSPEC, &links);
	if (rc < 0)
		return gk_err_set(err, 0, "read links: %s", nl_geterror(rc));
	int except = except_dev ? rtnl_link_name2i(links, except_dev) : 0;
	for (struct nl_object *o = nl_cache_get_first(routes); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *r = (struct rtnl_route *)o;
		if (rtnl_route_get_table(r) != RT_TABLE_MAIN)
			continue;
		struct nl_addr *dst = rtnl_route_get_dst(r);
		if (!dst || nl_addr_get_prefixlen(dst) == 0) /* the default route */
			continue;
		if (except && rtnl_route_get_nnexthops(r) > 0 &&
		    rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(r, 0)) == except)
			continue;
		uint32_t a;
		memcpy(&a, nl_addr_get_binary_addr(dst), 4);
		struct net_cidr have = {.addr = ntohl(a),
					.prefix = (int)nl_addr_get_prefixlen(dst)};
		if (net_cidr_overlaps(&want, &have)) {
			route_dst_string(r, links, route, len);
			return 1;
		}
	}
	return 0;
}

int net_subnet_check_free(const char *subnet, const char *bridge, struct gk_err *err)
{
	char route[128];
	int ov = route_overlap(subnet, bridge, route, sizeof(route), err);
	if (ov <= 0)
		return ov;
	return gk_err_set(err, 0,
			  "subnet %s for bridge %s overlaps the host's route %s: choose another "
			  "subnet (GOCKER_SUBNET or \"bip\" in config.json)",
			  subnet, bridge, route);
}

static int nl_addr_from_ip(uint32_t ip, int prefix, struct nl_addr **out)
{
	uint32_t be = htonl(ip);
	*out = nl_addr_build(AF_INET, &be, 4);
	if (!*out)
		return -NLE_NOMEM;
	nl_addr_set_prefixlen(*out, prefix);
	return 0;
}

static int addr_build(uint32_t ip, int prefix, int ifindex, struct rtnl_addr **out)
{
	_cleanup_nladdr_ struct nl_addr *local = NULL;
	if (nl_addr_from_ip(ip, prefix, &local) < 0 || !(*out = rtnl_addr_alloc()))
		return -NLE_NOMEM;
	rtnl_addr_set_ifindex(*out, ifindex);
	rtnl_addr_set_local(*out, local);
	return 0;
}

/* Add ip/prefix to the link: 0 when added, 1 when it was already there. */
static int addr_add(struct nl_sock *sk, int ifindex, uint32_t ip, int prefix, uint32_t bcast)
{
	_cleanup_addr_ struct rtnl_addr *a = rtnl_addr_alloc();
	_cleanup_nladdr_ struct nl_addr *local = NULL, *brd = NULL;
	if (!a || nl_addr_from_ip(ip, prefix, &local) < 0 || nl_addr_from_ip(bcast, 32, &brd) < 0)
		return -NLE_NOMEM;
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_local(a, local);
	rtnl_addr_set_broadcast(a, brd);
	int rc = rtnl_addr_add(sk, a, NLM_F_CREATE | NLM_F_EXCL);
	return rc == -NLE_EXIST ? 1 : rc;
}

static int link_set_up(struct nl_sock *sk, struct rtnl_link *old)
{
	if (rtnl_link_get_flags(old) & IFF_UP)
		return 0;
	_cleanup_link_ struct rtnl_link *change = rtnl_link_alloc();
	if (!change)
		return -NLE_NOMEM;
	rtnl_link_set_flags(change, IFF_UP);
	return rtnl_link_change(sk, old, change, 0);
}

static int write_sysctl(const char *path, const char *value, struct gk_err *err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, value, strlen(value)) < 0)
		return gk_err_set(err, errno, "write %s", path);
	return 0;
}

/* route_localnet=1 on the bridge; *set when it was not on already. */
static int bridge_localnet_on(const char *name, int *set, struct gk_err *err)
{
	_cleanup_free_ char *path =
	    gk_strdup_printf("/proc/sys/net/ipv4/conf/%s/route_localnet", name);
	_cleanup_free_ char *now = NULL;
	size_t len;
	if (gk_read_file(path, 16, &now, &len, err) < 0)
		return -1;
	if (len > 0 && now[0] == '1')
		return 0;
	if (write_sysctl(path, "1", err) < 0)
		return -1;
	*set = 1;
	return 0;
}

int net_bridge_ensure(const char *name, const char *subnet, struct net_bridge_changes *did,
		      struct gk_err *err)
{
	struct net_cidr c;
	if (net_cidr_parse(subnet, &c, err) < 0)
		return -1;
	if (strlen(name) >= IFNAMSIZ || !*name || strchr(name, '/'))
		return gk_err_set(err, 0, "invalid bridge name %s", name);
	_cleanup_sock_ struct nl_sock *sk = nl_open(err);
	if (!sk)
		return -1;
	_cleanup_link_ struct rtnl_link *have = NULL;
	int rc = link_get(sk, name, &have);
	if (rc < 0) { /* to be made: its subnet must be free on the host */
		if (net_subnet_check_free(subnet, name, err) < 0)
			return -1;
		_cleanup_link_ struct rtnl_link *br = rtnl_link_bridge_alloc();
		if (!br)
			return gk_err_set(err, ENOMEM, "bridge %s", name);
		rtnl_link_set_name(br, name);
		rc = rtnl_link_add(sk, br, NLM_F_CREATE | NLM_F_EXCL);
		if (rc == 0)
			did->created = 1;
		else if (rc != -NLE_EXIST) /* EEXIST: a concurrent caller made it */
			return nl_fail(err, rc, "create bridge", name);
		rc = link_get(sk, name, &have);
		if (rc < 0)
			return nl_fail(err, rc, "look up bridge", name);
	}
	const char *type = rtnl_link_get_type(have);
	if (!type || strcmp(type, "bridge") != 0)
		return gk_err_set(err, 0, "link %s exists and is not a bridge", name);
	rc = addr_add(sk, rtnl_link_get_ifindex(have), net_cidr_gateway(&c), c.prefix,
		      net_cidr_broadcast(&c));
	if (rc < 0)
		return nl_fail(err, rc, "add gateway address to bridge", name);
	if (rc == 0)
		did->addr_added = 1;
	rc = link_set_up(sk, have);
	if (rc < 0)
		return nl_fail(err, rc, "bring up bridge", name);
	/* 127.0.0.1:PORT DNATed to a container leaves through the bridge with a
	 * loopback source; the kernel drops that unless route_localnet is on. */
	return bridge_localnet_on(name, &did->localnet_set, err);
}

static int link_delete(const char *name, const char *what, struct gk_err *err)
{
	_cleanup_sock_ struct nl_sock *sk = nl_open(err);
	if (!sk)
		return -1;
	_cleanup_link_ struct rtnl_link *l = rtnl_link_alloc();
	if (!l)
		return gk_err_set(err, ENOMEM, "%s %s", what, name);
	rtnl_link_set_name(l, name);
	int rc = rtnl_link_delete(sk, l);
	if (rc < 0 && nl_errno(rc) != ENODEV)
		return nl_fail(err, rc, what, name);
	return 0;
}

int net_bridge_remove(const char *name, struct gk_err *err)
{
	return link_delete(name, "delete bridge", err);
}

int net_bridge_unconfigure(const char *name, const char *subnet, int addr, int localnet,
			   struct gk_err *err)
{
	struct net_cidr c;
	if (net_cidr_parse(subnet, &c, err) < 0)
		return -1;
	_cleanup_sock_ struct nl_sock *sk = nl_open(err);
	if (!sk)
		return -1;
	_cleanup_link_ struct rtnl_link *have = NULL;
	int rc = link_get(sk, name, &have);
	if (rc < 0)
		return nl_errno(rc) == ENODEV ? 0 : nl_fail(err, rc, "look up bridge", name);
	if (addr) {
		_cleanup_addr_ struct rtnl_addr *a = NULL;
		rc = addr_build(net_cidr_gateway(&c), c.prefix, rtnl_link_get_ifindex(have), &a);
		if (rc == 0)
			rc = rtnl_addr_delete(sk, a, 0);
		if (rc < 0 && nl_errno(rc) != EADDRNOTAVAIL && nl_errno(rc) != ENODEV)
			return nl_fail(err, rc, "remove gateway address from bridge", name);
	}
	if (localnet) {
		_cleanup_free_ char *path =
		    gk_strdup_printf("/proc/sys/net/ipv4/conf/%s/route_localnet", name);
		if (write_sysctl(path, "0", err) < 0)
			return -1;
	}
	return 0;
}

/* 1 when link `name` exists and its ifalias is `owner`, 0 when not (missing
 * or someone else's), a -NLE_* code on error. */
static int link_owned(struct nl_sock *sk, const char *name, const char *owner)
{
	_cleanup_link_ struct rtnl_link *l = NULL;
	int rc = link_get(sk, name, &l);
	if (rc < 0)
		return nl_errno(rc) == ENODEV ? 0 : rc;
	const char *alias = rtnl_link_get_ifalias(l);
	return alias && strcmp(alias, owner) == 0;
}

/* The kernel takes no ifalias in the request that creates a link: set after. */
static int link_set_alias(struct nl_sock *sk, const char *name, const char *alias)
{
	_cleanup_link_ struct rtnl_link *have = NULL;
	_cleanup_link_ struct rtnl_link *change = rtnl_link_alloc();
	if (!change)
		return -NLE_NOMEM;
	int rc = link_get(sk, name, &have);
	if (rc < 0)
		return rc;
	rtnl_link_set_ifalias(change, alias);
	return rtnl_link_change(sk, have, change, 0);
}

int net_detach(const char *host_veth, const char *owner, struct gk_err *err)
{
	_cleanup_sock_ struct nl_sock *sk = nl_open(err);
	if (!sk)
		return -1;
	int owned = link_owned(sk, host_veth, owner);
	if (owned < 0)
		return nl_fail(err, owned, "look up veth", host_veth);
	return owned ? link_delete(host_veth, "delete veth", err) : 0;
}

void net_veth_name(const char *container_id, char out[16])
{
	snprintf(out, 16, "veth%.8s", container_id);
}

void net_mac_from_ip(uint32_t ip, char out[18])
{
	snprintf(out, 18, "02:42:%02x:%02x:%02x:%02x", (ip >> 24) & 0xff, (ip >> 16) & 0xff,
		 (ip >> 8) & 0xff, ip & 0xff);
}

/* A netlink socket that lives in another netns: join it, open the socket,
 * come back. A socket stays bound to the netns it was created in. setns on a
 * netns only affects the calling thread, and coming back straight away
 * avoids a helper thread (a scheduling wait on a busy machine). */
static struct nl_sock *nl_open_in_netns(int netns_fd, struct gk_err *err)
{
	_cleanup_close_ int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0) {
		gk_err_set(err, errno, "open /proc/thread-self/ns/net");
		return NULL;
	}
	if (setns(netns_fd, CLONE_NEWNET) < 0) {
		gk_err_set(err, errno, "join container netns");
		return NULL;
	}
	struct nl_sock *sk = nl_socket_alloc();
	int rc = sk ? nl_connect(sk, NETLINK_ROUTE) : -NLE_NOMEM;
	if (setns(home, CLONE_NEWNET) < 0)
		abort(); /* never carry on in the container's netns */
	if (rc < 0) {
		if (sk)
			nl_socket_free(sk);
		gk_err_set(err, 0, "netlink in container netns: %s", nl_geterror(rc));
		return NULL;
	}
	return sk;
}

/* eth0's address, lo up, default route: from a socket inside the netns. */
static int configure_inside(struct nl_sock *sk, const struct net_attach_req *req, uint32_t ip,
			    uint32_t gw, struct gk_err *err)
{
	_cleanup_link_ struct rtnl_link *eth0 = NULL, *lo = NULL;
	int rc = link_get(sk, "eth0", &eth0);
	if (rc < 0)
		return nl_fail(err, rc, "find in container netns", "eth0");
	struct net_cidr c = {.addr = ip, .prefix = req->prefix};
	rc = addr_add(sk, rtnl_link_get_ifindex(eth0), ip, req->prefix, net_cidr_broadcast(&c));
	if (rc < 0)
		return gk_err_set(err, 0, "add %s/%d to eth0: %s", req->ip, req->prefix,
				  nl_geterror(rc));
	rc = link_get(sk, "lo", &lo);
	if (rc == 0)
		rc = link_set_up(sk, lo);
	if (rc < 0)
		return nl_fail(err, rc, "bring up", "lo");
	rc = link_set_up(sk, eth0);
	if (rc < 0)
		return nl_fail(err, rc, "bring up", "eth0");

	_cleanup_route_ struct rtnl_route *r = rtnl_route_alloc();
	_cleanup_nladdr_ struct nl_addr *dst = NULL, *via = NULL;
	if (!r || nl_addr_from_ip(0, 0, &dst) < 0 || nl_addr_from_ip(gw, 32, &via) < 0)
		return gk_err_set(err, ENOMEM, "default route");
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	if (!nh)
		return gk_err_set(err, ENOMEM, "default route");
	rtnl_route_nh_set_gateway(nh, via);
	rtnl_route_nh_set_ifindex(nh, rtnl_link_get_ifindex(eth0));
	rtnl_route_add_nexthop(r, nh);
	rtnl_route_set_family(r, AF_INET);
	rtnl_route_set_dst(r, dst);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_protocol(r, RTPROT_BOOT);
	rtnl_route_set_scope(r, RT_SCOPE_UNIVERSE);
	rc = rtnl_route_add(sk, r, NLM_F_CREATE | NLM_F_REPLACE);
	if (rc < 0)
		return gk_err_set(err, 0, "default route via %s: %s", req->gateway,
				  nl_geterror(rc));
	return 0;
}

int net_attach(struct net_attach_req *req, struct gk_err *err)
{
	uint32_t ip, gw;
	if (net_ip_parse(req->ip, &ip, err) < 0 || net_ip_parse(req->gateway, &gw, err) < 0)
		return -1;
	net_mac_from_ip(ip, req->mac);
	_cleanup_close_ int nsfd = -1;
	if (req->pid > 0) {
		_cleanup_free_ char *p = gk_strdup_printf("/proc/%d/ns/net", req->pid);
		nsfd = open(p, O_RDONLY | O_CLOEXEC);
		if (nsfd < 0)
			return gk_err_set(err, errno, "open %s", p);
	}
	int ns = req->pid > 0 ? nsfd : req->netns_fd;

	_cleanup_sock_ struct nl_sock *sk = nl_open(err);
	if (!sk)
		return -1;
	_cleanup_link_ struct rtnl_link *bridge = NULL;
	int rc = link_get(sk, req->bridge, &bridge);
	if (rc < 0)
		return nl_fail(err, rc, "find bridge", req->bridge);

	_cleanup_link_ struct rtnl_link *veth = rtnl_link_veth_alloc();
	if (!veth)
		return gk_err_set(err, ENOMEM, "veth %s", req->host_veth);
	struct rtnl_link *peer = rtnl_link_veth_get_peer(veth);
	rtnl_link_set_name(veth, req->host_veth);
	rtnl_link_set_master(veth, rtnl_link_get_ifindex(bridge));
	rtnl_link_set_flags(veth, IFF_UP);
	rtnl_link_set_name(peer, "eth0");
	rtnl_link_set_ns_fd(peer, ns);
	/* Not IFF_UP on the peer here: the kernel opens it before the pair is
	 * linked and veth_open() answers ENOTCONN. It goes up from inside. */
	_cleanup_nladdr_ struct nl_addr *mac = NULL;
	if (nl_addr_parse(req->mac, AF_LLC, &mac) == 0)
		rtnl_link_set_addr(peer, mac);
	rc = rtnl_link_add(sk, veth, NLM_F_CREATE | NLM_F_EXCL);
	if (rc == -NLE_EXIST) {
		/* the same container's previous pair, still going with its old
		 * netns: delete it now and try again; anyone else's stays */
		int owned = link_owned(sk, req->host_veth, req->owner);
		if (owned == 0) {
			rtnl_link_put(peer);
			return gk_err_set(err, 0,
					  "create veth pair %s/eth0 on %s: a link %s exists that "
					  "is not this container's",
					  req->host_veth, req->bridge, req->host_veth);
		}
		struct gk_err ignore;
		if (owned > 0)
			link_delete(req->host_veth, "delete veth", &ignore);
		rc = owned < 0 ? owned : rtnl_link_add(sk, veth, NLM_F_CREATE | NLM_F_EXCL);
	}
	rtnl_link_put(peer);
	if (rc < 0)
		return gk_err_set(err, 0, "create veth pair %s/eth0 on %s: %s", req->host_veth,
				  req->bridge, nl_geterror(rc));
	rc = link_set_alias(sk, req->host_veth, req->owner);
	if (rc < 0) {
		struct gk_err ignore;
		link_delete(req->host_veth, "delete veth", &ignore);
		return gk_err_set(err, 0, "set the alias of veth %s: %s", req->host_veth,
				  nl_geterror(rc));
	}

	/* Hairpin on the bridge port: with br_netfilter a container's packet to
	 * its own published port is DNATed and bridged back out the port it
	 * came in on, which the bridge refuses unless hairpin is on (Docker
	 * does the same without its userland proxy). */
	_cleanup_free_ char *hairpin =
	    gk_strdup_printf("/sys/class/net/%s/brport/hairpin_mode", req->host_veth);
	if (write_sysctl(hairpin, "1", err) < 0) {
		struct gk_err ignore;
		link_delete(req->host_veth, "delete veth", &ignore);
		return gk_err_wrap(err, "hairpin mode on %s", req->host_veth);
	}

	_cleanup_sock_ struct nl_sock *inside = nl_open_in_netns(ns, err);
	if (!inside || configure_inside(inside, req, ip, gw, err) < 0) {
		struct gk_err ignore;
		link_delete(req->host_veth, "delete veth", &ignore);
		return gk_err_wrap(err, "configure container network");
	}
	return 0;
}
