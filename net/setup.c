/* The part of a container's networking that touches links and nftables
 * (libnl, libnftables): built into gocker-net.so (see netmod.h), called
 * through the net_container_*() and net_prune() entry points. */
#include "net/netmod.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/lock.h"
#include "net/hosts.h"
#include "net/ipam.h"
#include "net/link.h"
#include "net/nat.h"
#include "net/state.h"

/* Are there other containers on this bridge? A run holds its address
 * (IPAM) before it writes its record, so both are asked: a teardown in
 * between must not take the bridge from under it. */
static int bridge_in_use(const char *bridge, const char *except_id)
{
	struct gk_err ignore;
	if (net_ipam_holders(bridge, except_id, &ignore) != 0)
		return 1;
	_cleanup_strv_ char **ids = NULL;
	if (net_container_ids(&ids, &ignore) < 0)
		return 1;
	for (char **id = ids; *id; id++) {
		if (except_id && strcmp(*id, except_id) == 0)
			continue;
		struct net_container_info other;
		if (net_container_load(*id, &other, &ignore) == 1) {
			int same = strcmp(other.net.bridge, bridge) == 0;
			net_container_info_free(&other);
			if (same)
				return 1;
		}
	}
	return 0;
}

/* What gocker changed on each bridge ($GOCKER_RUN/net/bridges.json, under
 * the links lock): {"gocker0": {"created": true}, "br0": {"subnet":
 * "10.9.0.1/24", "address": true, "route_localnet": true}}. Only that is
 * undone: a link gocker did not create (the host's bridge named in the
 * config, a dummy, another program's) is never deleted. */
#define BRIDGES_FILE "bridges.json"

static int bridge_changes_record(const char *bridge, const char *subnet,
				 const struct net_bridge_changes *did, struct gk_err *err)
{
	if (!did->created && !did->addr_added && !did->localnet_set)
		return 0;
	_cleanup_json_ json_object *root = NULL;
	if (net_state_read(BRIDGES_FILE, &root, err) < 0)
		return -1;
	json_object *rec = gk_json_obj(root, bridge);
	if (!rec) {
		rec = json_object_new_object();
		json_object_object_add(root, bridge, rec);
	}
	json_object_object_add(rec, "subnet", json_object_new_string(subnet));
	/* or-ed in: a later call finds the link made, not "not created" */
	const struct {
		const char *key;
		int set;
	} flags[] = {{"created", did->created},
		     {"address", did->addr_added},
		     {"route_localnet", did->localnet_set}};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (flags[i].set)
			json_object_object_add(rec, flags[i].key, json_object_new_boolean(1));
	return net_state_write(BRIDGES_FILE, root, err);
}

/* Whether gocker changed `bridge` at all (it has something to undo). */
static int bridge_owned(const char *bridge, struct gk_err *err)
{
	_cleanup_json_ json_object *root = NULL;
	if (net_state_read(BRIDGES_FILE, &root, err) < 0)
		return -1;
	return gk_json_obj(root, bridge) != NULL;
}

/* Undo what gocker did to `bridge`: delete it when gocker created it, else
 * take back only the address and route_localnet it set. Under the links lock. */
static int bridge_release(const char *bridge, struct gk_err *err)
{
	_cleanup_json_ json_object *root = NULL;
	if (net_state_read(BRIDGES_FILE, &root, err) < 0)
		return -1;
	json_object *rec = gk_json_obj(root, bridge);
	if (!rec)
		return 0;
	const char *subnet = gk_json_str(rec, "subnet");
	int rc;
	if (gk_json_bool(rec, "created", 0))
		rc = net_bridge_remove(bridge, err);
	else
		rc = net_bridge_unconfigure(bridge, subnet ? subnet : "0.0.0.0/0",
					    gk_json_bool(rec, "address", 0),
					    gk_json_bool(rec, "route_localnet", 0), err);
	if (rc < 0)
		return -1;
	json_object_object_del(root, bridge);
	return net_state_write(BRIDGES_FILE, root, err);
}

static int remove_network_links(const struct net_network *net, struct gk_err *err)
{
	if (net_nat_network_remove(net->bridge, err) < 0 || bridge_release(net->bridge, err) < 0)
		return -1;
	return net_ipam_forget_network(net->bridge, err);
}

int net_mod_precheck(const char *network, const struct net_ports *ports, struct gk_err *err)
{
	struct net_network net;
	if (net_network_lookup(network ? network : NET_DEFAULT_NAME, &net, err) < 0)
		return -1;
	int exists = net_link_exists(net.bridge, err);
	if (exists < 0)
		return -1;
	if (!exists && net_subnet_check_free(net.subnet, net.bridge, err) < 0)
		return -1;
	return ports ? net_ports_check(ports, err) : 0;
}

int net_mod_setup(const struct net_container_req *req, struct net_container_info *info,
		  struct gk_err *err)
{
	memset(info, 0, sizeof(*info));
	const char *netname = req->network ? req->network : NET_DEFAULT_NAME;
	if (net_network_lookup(netname, &info->net, err) < 0)
		return -1;
	net_veth_name(req->id, info->veth);
	if (req->ports) {
		for (size_t i = 0; i < req->ports->n; i++) {
			struct net_port p = req->ports->v[i];
			struct net_ports *dst = &info->ports;
			struct net_port *v = realloc(dst->v, (dst->n + 1) * sizeof(*v));
			if (!v)
				abort();
			dst->v = v;
			dst->v[dst->n++] = p;
		}
	}
	/* Claims first (they fail cleanly, nothing made yet), then the record,
	 * then the links and rules. */
	if (net_ports_reserve(req->id, &info->ports, err) < 0)
		return -1;
	int others = 0, changed_bridge = 0;
	/* the gateway as configured ("bip"), not the subnet's first address */
	char bip[NET_CIDR_STRLEN];
	net_network_bip(&info->net, bip);
	if (net_ipam_allocate_ex(info->net.bridge, bip, req->id, info->ip, &others, err) < 0)
		goto undo;
	uint32_t ip;
	net_ip_parse(info->ip, &ip, err);
	net_mac_from_ip(ip, info->mac);
	if (net_container_record_write(req->id, info, err) < 0)
		goto undo;
	/* Bridge made and veth plugged under the links lock, so a concurrent
	 * teardown of the bridge's last container cannot delete it in between. */
	int links_lock = net_state_lock("links", err);
	if (links_lock < 0)
		goto undo;
	/* The NAT rules are checked (and made) by the first container on the
	 * bridge, and by whoever (re)creates the bridge under this lock (the
	 * first may have failed, or a teardown removed both); later ones trust
	 * them, as Docker programs its rules once per network: the check costs
	 * ~2 ms of libnftables per run. */
	struct net_bridge_changes did = {0};
	int ensured = net_bridge_ensure(info->net.bridge, bip, &did, err);
	/* recorded even when it failed half way, so the undo takes it back */
	struct gk_err rec_err;
	if (bridge_changes_record(info->net.bridge, bip, &did, &rec_err) < 0 && ensured == 0) {
		*err = rec_err;
		ensured = -1;
	}
	changed_bridge = did.created || did.addr_added || did.localnet_set;
	if (ensured < 0 || ((others == 0 || did.created) &&
			    net_nat_network_add(info->net.bridge, info->net.subnet, err) < 0)) {
		gk_unlock(links_lock);
		goto undo;
	}
	struct net_attach_req a = {
	    .pid = req->pid,
	    .netns_fd = req->netns_fd,
	    .bridge = info->net.bridge,
	    .host_veth = info->veth,
	    .owner = req->id,
	    .ip = info->ip,
	    .gateway = info->net.gateway,
	    .prefix = info->net.prefix,
	};
	int attached = net_attach(&a, err);
	gk_unlock(links_lock);
	if (attached < 0 ||
	    net_nat_ports_add(req->id, info->net.bridge, info->ip, &info->ports, err) < 0)
		goto undo;
	if (req->files_dir) {
		char shortid[13];
		snprintf(shortid, sizeof(shortid), "%.12s", req->id);
		/* resolv.conf and hostname were written before the container
		 * was created (net_container_files); only hosts learns the address */
		_cleanup_free_ char *hosts = gk_strdup_printf("%s/hosts", req->files_dir);
		if (net_hosts_write(hosts, info->ip, req->hostname ? req->hostname : shortid,
				    req->name, err) < 0)
			goto undo;
	}
	return 0;
undo:;
	struct gk_err ignore;
	net_mod_teardown(req->id, 0, &ignore);
	/* What this call did to a bridge nobody else uses is undone too, so a
	 * failed run leaves the host as it was; never a link it did not make. */
	int lock = net_state_lock("links", &ignore);
	if (!bridge_in_use(info->net.bridge, req->id)) {
		net_nat_network_remove(info->net.bridge, &ignore);
		if (changed_bridge)
			bridge_release(info->net.bridge, &ignore);
	}
	gk_unlock(lock);
	return -1;
}

int net_mod_teardown(const char *id, int flags, struct gk_err *err)
{
	struct net_container_info info;
	int have = net_container_load(id, &info, err);
	if (have < 0)
		return -1;
	int rc = 0;
	struct gk_err e;
	char veth[16];
	net_veth_name(id, veth);
	/* with a record, DNAT rules exist only when it published ports */
	if ((!have || info.ports.n > 0) && net_nat_ports_remove(id, &e) < 0)
		rc = gk_err_set(err, 0, "%s", e.msg);
	if (!(flags & NET_TEARDOWN_NETNS_GONE) && net_detach(have ? info.veth : veth, id, &e) < 0)
		rc = gk_err_set(err, 0, "%s", e.msg);
	if (net_ipam_release(have ? info.net.bridge : NULL, id, &e) < 0)
		rc = gk_err_set(err, 0, "%s", e.msg);
	/* The ports go with the record, only when all above worked: the record
	 * reads its ports from ports.json, so a retry after a failure (the DNAT
	 * rules not removed) still knows there are rules to remove. */
	if (rc == 0 && net_ports_release(id, &e) < 0)
		rc = gk_err_set(err, 0, "%s", e.msg);
	if (have && info.net.project) {
		_cleanup_close_ int lock = net_state_lock("links", &e);
		if (!bridge_in_use(info.net.bridge, id) &&
		    (remove_network_links(&info.net, &e) < 0 ||
		     net_network_forget(info.net.name, &e) < 0))
			rc = gk_err_set(err, 0, "%s", e.msg);
	}
	if (have) {
		net_container_info_free(&info);
		_cleanup_free_ char *path = net_container_record_path(id, &e);
		if (rc == 0 && path && unlink(path) < 0 && errno != ENOENT)
			rc = gk_err_set(err, errno, "remove %s", path);
	}
	return rc;
}

static int contains(char **v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return 1;
	return 0;
}

int net_mod_prune(int (*alive)(const char *container_id, void *data), void *data, char ***removed,
		  struct gk_err *err)
{
	*removed = gk_malloc0(sizeof(char *));
	_cleanup_strv_ char **ids = NULL, **port_owners = NULL, **nat_ctrs = NULL,
			    **nat_bridges = NULL;
	if (net_container_ids(&ids, err) < 0)
		return -1;
	for (char **id = ids; *id; id++)
		if (!alive(*id, data) && net_mod_teardown(*id, 0, err) < 0)
			return -1;
	if (net_ipam_prune(alive, data, err) < 0)
		return -1;
	if (net_ports_owners(&port_owners, err) < 0)
		return -1;
	for (char **id = port_owners; *id; id++)
		if (!alive(*id, data) && net_ports_release(*id, err) < 0)
			return -1;
	if (net_nat_owners(&nat_ctrs, &nat_bridges, err) < 0)
		return -1;
	_cleanup_strv_ char **live = NULL;
	if (net_container_ids(&live, err) < 0)
		return -1;
	struct net_network *known = NULL;
	size_t nknown = 0;
	if (net_network_list(&known, &nknown, err) < 0)
		return -1;
	int rc = 0;
	for (char **owner = nat_ctrs; *owner && rc == 0; owner++) {
		char *sp = strchr(*owner, ' ');
		if (!sp)
			continue; /* an old-style tag: not ours to judge */
		*sp = '\0';
		int ours = 0;
		for (size_t i = 0; i < nknown; i++)
			ours |= strcmp(known[i].bridge, sp + 1) == 0;
		if (ours && !contains(live, *owner) && !alive(*owner, data))
			rc = net_nat_ports_remove(*owner, err);
	}
	free(known);
	if (rc < 0)
		return -1;

	_cleanup_close_ int links_lock = net_state_lock("links", err);
	if (links_lock < 0)
		return -1;
	struct net_network *nets = NULL;
	size_t n = 0;
	if (net_network_list(&nets, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (bridge_in_use(nets[i].bridge, NULL))
			continue;
		/* gocker's changes to the bridge, not the link's existence: a
		 * link it did not make is not its to remove */
		int owned = bridge_owned(nets[i].bridge, err);
		int ruled = contains(nat_bridges, nets[i].bridge);
		if (owned < 0) {
			rc = -1;
			break;
		}
		if (!owned && !ruled && !nets[i].project && i == 0)
			continue; /* the default network, never made: nothing to say */
		if (owned || ruled)
			rc = remove_network_links(&nets[i], err);
		if (rc == 0 && i > 0)
			rc = net_network_forget(nets[i].name, err);
		if (rc == 0 && (owned || ruled || i > 0))
			gk_strv_push(removed, nets[i].name);
	}
	free(nets);
	return rc;
}
