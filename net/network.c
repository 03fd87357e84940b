#include "net/network.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/fs.h"
#include "common/json.h"
#include "net/state.h"

#define NETWORKS_FILE "networks.json"

static int fill(struct net_network *n, const char *name, const char *bridge, const char *subnet,
		int project, struct gk_err *err)
{
	struct net_cidr c;
	if (net_cidr_parse(subnet, &c, err) < 0)
		return gk_err_wrap(err, "network %s", name);
	if (strlen(bridge) == 0 || strlen(bridge) > 15)
		return gk_err_set(err, 0, "network %s: invalid bridge name \"%s\" (1 to 15 chars)",
				  name, bridge);
	if (c.prefix > 30)
		return gk_err_set(err, 0, "network %s: subnet %s is too small", name, subnet);
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->bridge, sizeof(n->bridge), "%s", bridge);
	net_cidr_format(&c, n->subnet);
	net_ip_format(net_cidr_gateway(&c), n->gateway);
	n->prefix = c.prefix;
	n->project = project;
	return 0;
}

void net_network_bip(const struct net_network *n, char out[NET_CIDR_STRLEN])
{
	snprintf(out, NET_CIDR_STRLEN, "%s/%d", n->gateway, n->prefix);
}

void net_network_id(const struct net_network *n, char out[65])
{
	_cleanup_free_ char *seed = gk_strdup_printf("%s\n%s", n->name, n->bridge);
	gk_sha256_hex(seed, strlen(seed), out);
}

void net_network_id_by_name(const char *name, char out[65])
{
	struct net_network n;
	struct gk_err err;
	out[0] = '\0';
	if (!strcmp(name, "host") || !strcmp(name, "none"))
		gk_sha256_hex(name, strlen(name), out);
	else if (net_network_lookup(name, &n, &err) == 0)
		net_network_id(&n, out);
}

int net_network_default(struct net_network *out, struct gk_err *err)
{
	const char *cfg_path = getenv("GOCKER_CONFIG");
	if (!cfg_path || !*cfg_path)
		cfg_path = "/etc/gocker/config.json";
	_cleanup_json_ json_object *cfg = NULL;
	if (access(cfg_path, F_OK) == 0 && gk_json_read_file(cfg_path, 1 << 20, &cfg, err) < 0)
		return gk_err_wrap(err, "read gocker config");
	const char *bridge = getenv("GOCKER_BRIDGE");
	const char *subnet = getenv("GOCKER_SUBNET");
	if (!bridge || !*bridge)
		bridge = cfg ? gk_json_str(cfg, "bridge") : NULL;
	if (!subnet || !*subnet)
		subnet = cfg ? gk_json_str(cfg, "bip") : NULL;
	return fill(out, NET_DEFAULT_NAME, bridge ? bridge : NET_DEFAULT_BRIDGE,
		    subnet ? subnet : NET_DEFAULT_SUBNET, 0, err);
}

static int from_record(const char *name, json_object *rec, struct net_network *out,
		       struct gk_err *err)
{
	const char *bridge = gk_json_str(rec, "bridge"), *subnet = gk_json_str(rec, "subnet");
	if (!bridge || !subnet)
		return gk_err_set(err, 0, "network %s: broken record", name);
	return fill(out, name, bridge, subnet, gk_json_bool(rec, "project", 0), err);
}

int net_network_lookup(const char *name, struct net_network *out, struct gk_err *err)
{
	if (strcmp(name, NET_DEFAULT_NAME) == 0)
		return net_network_default(out, err);
	_cleanup_close_ int lock = net_state_lock("networks", err);
	if (lock < 0)
		return -1;
	_cleanup_json_ json_object *root = NULL;
	if (net_state_read(NETWORKS_FILE, &root, err) < 0)
		return -1;
	json_object *rec = gk_json_obj(root, name);
	if (!rec)
		return gk_err_set(err, 0, "network %s not found", name);
	return from_record(name, rec, out, err);
}

int net_network_create(const char *name, const char *bridge, const char *subnet, int project,
		       struct gk_err *err)
{
	struct net_network n;
	if (strcmp(name, NET_DEFAULT_NAME) == 0 || strcmp(name, "host") == 0 ||
	    strcmp(name, "none") == 0)
		return gk_err_set(err, 0, "network name %s is reserved", name);
	if (fill(&n, name, bridge, subnet, project, err) < 0)
		return -1;
	_cleanup_close_ int lock = net_state_lock("networks", err);
	if (lock < 0)
		return -1;
	_cleanup_json_ json_object *root = NULL;
	if (net_state_read(NETWORKS_FILE, &root, err) < 0)
		return -1;
	json_object *old = gk_json_obj(root, name);
	if (old) {
		const char *b = gk_json_str(old, "bridge"), *s = gk_json_str(old, "subnet");
		if (b && s && strcmp(b, n.bridge) == 0 && strcmp(s, n.subnet) == 0)
			return 0;
		return gk_err_set(err, EEXIST, "network %s exists with bridge %s subnet %s", name,
				  b ? b : "?", s ? s : "?");
	}
	json_object *rec = json_object_new_object();
	json_object_object_add(rec, "bridge", json_object_new_string(n.bridge));
	json_object_object_add(rec, "subnet", json_object_new_string(n.subnet));
	json_object_object_add(rec, "project", json_object_new_boolean(project));
	json_object_object_add(root, name, rec);
	return net_state_write(NETWORKS_FILE, root, err);
}

int net_network_forget(const char *name, struct gk_err *err)
{
	_cleanup_close_ int lock = net_state_lock("networks", err);
	if (lock < 0)
		return -1;
	_cleanup_json_ json_object *root = NULL;
	if (net_state_read(NETWORKS_FILE, &root, err) < 0)
		return -1;
	if (!json_object_object_get_ex(root, name, NULL))
		return 0;
	json_object_object_del(root, name);
	return net_state_write(NETWORKS_FILE, root, err);
}

int net_network_list(struct net_network **out, size_t *n, struct gk_err *err)
{
	*out = NULL;
	*n = 0;
	_cleanup_json_ json_object *root = NULL;
	{
		_cleanup_close_ int lock = net_state_lock("networks", err);
		if (lock < 0 || net_state_read(NETWORKS_FILE, &root, err) < 0)
			return -1;
	}
	size_t cap = 1 + (size_t)json_object_object_length(root);
	struct net_network *v = gk_malloc0(cap * sizeof(*v));
	if (net_network_default(&v[0], err) < 0) {
		free(v);
		return -1;
	}
	size_t used = 1;
	json_object_object_foreach(root, name, rec)
	{
		struct gk_err ignore;
		if (from_record(name, rec, &v[used], &ignore) == 0)
			used++;
	}
	*out = v;
	*n = used;
	return 0;
}
