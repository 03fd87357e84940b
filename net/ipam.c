#include "net/ipam.h"

#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/lock.h"
#include "net/state.h"

#define IPAM_FILE "ipam.json"

/* The object for `key` in `parent`, created when missing. */
static json_object *child_obj(json_object *parent, const char *key)
{
	json_object *o = gk_json_obj(parent, key);
	if (!o) {
		o = json_object_new_object();
		json_object_object_add(parent, key, o);
	}
	return o;
}

/* Lock ipam.json and read it; the caller closes *lock and puts *root. */
static int ipam_load(int *lock, json_object **root, struct gk_err *err)
{
	*lock = net_state_lock("ipam", err);
	if (*lock < 0)
		return -1;
	return net_state_read(IPAM_FILE, root, err);
}

static int ip_taken(json_object *allocs, uint32_t ip)
{
	json_object_object_foreach(allocs, cid, v)
	{
		(void)cid;
		uint32_t a;
		struct gk_err e;
		if (net_ip_parse(json_object_get_string(v), &a, &e) == 0 && a == ip)
			return 1;
	}
	return 0;
}

/* The next free host address after `last`, wrapping once round the subnet. */
static int pick_free(const struct net_cidr *c, json_object *allocs, uint32_t last, uint32_t *out)
{
	uint32_t first = net_cidr_network(c) + 1, end = net_cidr_broadcast(c); /* [first, end) */
	uint32_t gw = net_cidr_gateway(c);
	if (c->prefix > 30)
		return -1;
	uint64_t span = (uint64_t)end - first;
	uint32_t start = (last >= first && last < end) ? last + 1 : first;
	for (uint64_t i = 0; i < span; i++) {
		uint32_t ip = first + (uint32_t)(((uint64_t)start - first + i) % span);
		if (ip != gw && !ip_taken(allocs, ip)) {
			*out = ip;
			return 0;
		}
	}
	return -1;
}

int net_ipam_allocate(const char *network, const char *subnet, const char *container_id,
		      char ip[NET_IP_STRLEN], struct gk_err *err)
{
	return net_ipam_allocate_ex(network, subnet, container_id, ip, NULL, err);
}

int net_ipam_allocate_ex(const char *network, const char *subnet, const char *container_id,
			 char ip[NET_IP_STRLEN], int *others, struct gk_err *err)
{
	struct net_cidr c;
	if (net_cidr_parse(subnet, &c, err) < 0)
		return -1;
	_cleanup_close_ int lock = -1;
	_cleanup_json_ json_object *root = NULL;
	if (ipam_load(&lock, &root, err) < 0)
		return -1;
	json_object *net = child_obj(child_obj(root, "networks"), network);
	char cidr[NET_CIDR_STRLEN];
	net_cidr_format(&c, cidr);
	const char *old_subnet = gk_json_str(net, "subnet");
	json_object *allocs = child_obj(net, "allocations");
	if (old_subnet && strcmp(old_subnet, cidr) != 0) {
		if (json_object_object_length(allocs) > 0)
			return gk_err_set(err, 0,
					  "network %s: subnet changed from %s to %s while "
					  "containers hold addresses",
					  network, old_subnet, cidr);
		json_object_object_del(net, "last");
	}
	json_object_object_add(net, "subnet", json_object_new_string(cidr));

	if (others)
		*others = json_object_object_length(allocs) -
			  (json_object_object_get_ex(allocs, container_id, NULL) ? 1 : 0);
	const char *have = gk_json_str(allocs, container_id);
	uint32_t held;
	if (have && net_ip_parse(have, &held, err) == 0 && net_cidr_contains(&c, held)) {
		snprintf(ip, NET_IP_STRLEN, "%s", have);
		return 0;
	}
	uint32_t last = 0, pick;
	struct gk_err ignore;
	if (gk_json_str(net, "last"))
		net_ip_parse(gk_json_str(net, "last"), &last, &ignore);
	if (pick_free(&c, allocs, last, &pick) < 0)
		return gk_err_set(err, 0, "no free address in %s", cidr);
	net_ip_format(pick, ip);
	json_object_object_add(allocs, container_id, json_object_new_string(ip));
	json_object_object_add(net, "last", json_object_new_string(ip));
	return net_state_write(IPAM_FILE, root, err);
}

int net_ipam_release(const char *network, const char *container_id, struct gk_err *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_json_ json_object *root = NULL;
	if (ipam_load(&lock, &root, err) < 0)
		return -1;
	json_object *nets = gk_json_obj(root, "networks");
	int changed = 0;
	if (nets) {
		json_object_object_foreach(nets, name, net)
		{
			if (network && strcmp(name, network) != 0)
				continue;
			json_object *allocs = gk_json_obj(net, "allocations");
			if (allocs && json_object_object_get_ex(allocs, container_id, NULL)) {
				json_object_object_del(allocs, container_id);
				changed = 1;
			}
		}
	}
	return changed ? net_state_write(IPAM_FILE, root, err) : 0;
}

int net_ipam_lookup(const char *network, const char *container_id, char ip[NET_IP_STRLEN],
		    struct gk_err *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_json_ json_object *root = NULL;
	if (ipam_load(&lock, &root, err) < 0)
		return -1;
	json_object *net = gk_json_obj(gk_json_obj(root, "networks"), network);
	const char *have = gk_json_str(gk_json_obj(net, "allocations"), container_id);
	if (!have)
		return 0;
	snprintf(ip, NET_IP_STRLEN, "%s", have);
	return 1;
}

int net_ipam_prune(int (*alive)(const char *container_id, void *data), void *data,
		   struct gk_err *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_json_ json_object *root = NULL;
	if (ipam_load(&lock, &root, err) < 0)
		return -1;
	json_object *nets = gk_json_obj(root, "networks");
	int dropped = 0;
	if (nets) {
		json_object_object_foreach(nets, name, net)
		{
			(void)name;
			json_object *allocs = gk_json_obj(net, "allocations");
			if (!allocs)
				continue;
			_cleanup_strv_ char **dead = NULL;
			json_object_object_foreach(allocs, cid, v)
			{
				(void)v;
				if (!alive(cid, data))
					gk_strv_push(&dead, cid);
			}
			for (size_t i = 0; dead && dead[i]; i++, dropped++)
				json_object_object_del(allocs, dead[i]);
		}
	}
	if (dropped && net_state_write(IPAM_FILE, root, err) < 0)
		return -1;
	return dropped;
}

int net_ipam_holders(const char *network, const char *except_id, struct gk_err *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_json_ json_object *root = NULL;
	if (ipam_load(&lock, &root, err) < 0)
		return -1;
	json_object *net = gk_json_obj(gk_json_obj(root, "networks"), network);
	json_object *allocs = gk_json_obj(net, "allocations");
	if (!allocs)
		return 0;
	int n = json_object_object_length(allocs);
	if (except_id && json_object_object_get_ex(allocs, except_id, NULL))
		n--;
	return n;
}

int net_ipam_forget_network(const char *network, struct gk_err *err)
{
	_cleanup_close_ int lock = -1;
	_cleanup_json_ json_object *root = NULL;
	if (ipam_load(&lock, &root, err) < 0)
		return -1;
	json_object *nets = gk_json_obj(root, "networks");
	if (!nets || !json_object_object_get_ex(nets, network, NULL))
		return 0;
	json_object_object_del(nets, network);
	return net_state_write(IPAM_FILE, root, err);
}
