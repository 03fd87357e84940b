#include "net/container.h"

#include <dirent.h>
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
#include "net/state.h"

void net_container_info_free(struct net_container_info *info)
{
	net_ports_free(&info->ports);
}

char *net_container_record_path(const char *id, struct gk_err *err)
{
	_cleanup_free_ char *dir = net_state_path("containers", err);
	if (!dir || gk_mkdir_p(dir, 0700, err) < 0)
		return NULL;
	return gk_strdup_printf("%s/%s.json", dir, id);
}

int net_container_record_write(const char *id, const struct net_container_info *info,
			       struct gk_err *err)
{
	_cleanup_free_ char *path = net_container_record_path(id, err);
	if (!path)
		return -1;
	_cleanup_json_ json_object *o = json_object_new_object();
	json_object_object_add(o, "Network", json_object_new_string(info->net.name));
	json_object_object_add(o, "Bridge", json_object_new_string(info->net.bridge));
	json_object_object_add(o, "Subnet", json_object_new_string(info->net.subnet));
	json_object_object_add(o, "Gateway", json_object_new_string(info->net.gateway));
	json_object_object_add(o, "Project", json_object_new_boolean(info->net.project));
	json_object_object_add(o, "Veth", json_object_new_string(info->veth));
	json_object_object_add(o, "IPAddress", json_object_new_string(info->ip));
	json_object_object_add(o, "MacAddress", json_object_new_string(info->mac));
	return net_state_write_path(path, o, err);
}

int net_container_load(const char *id, struct net_container_info *info, struct gk_err *err)
{
	memset(info, 0, sizeof(*info));
	_cleanup_free_ char *path = net_container_record_path(id, err);
	if (!path)
		return -1;
	if (access(path, F_OK) < 0)
		return 0;
	_cleanup_json_ json_object *o = NULL;
	if (gk_json_read_file(path, 1 << 20, &o, err) < 0)
		return -1;
	const char *name = gk_json_str(o, "Network"), *bridge = gk_json_str(o, "Bridge");
	const char *subnet = gk_json_str(o, "Subnet");
	struct net_cidr c;
	if (!name || !bridge || !subnet || net_cidr_parse(subnet, &c, err) < 0)
		return gk_err_set(err, 0, "%s: broken network record", path);
	snprintf(info->net.name, sizeof(info->net.name), "%s", name);
	snprintf(info->net.bridge, sizeof(info->net.bridge), "%s", bridge);
	snprintf(info->net.subnet, sizeof(info->net.subnet), "%s", subnet);
	/* the gateway need not be the subnet's first address ("bip") */
	const char *gw = gk_json_str(o, "Gateway");
	uint32_t gwip;
	if (gw && net_ip_parse(gw, &gwip, err) == 0 && net_cidr_contains(&c, gwip))
		snprintf(info->net.gateway, sizeof(info->net.gateway), "%s", gw);
	else
		net_ip_format(net_cidr_gateway(&c), info->net.gateway);
	info->net.prefix = c.prefix;
	info->net.project = gk_json_bool(o, "Project", 0);
	const char *s;
	if ((s = gk_json_str(o, "Veth")))
		snprintf(info->veth, sizeof(info->veth), "%s", s);
	if ((s = gk_json_str(o, "IPAddress")))
		snprintf(info->ip, sizeof(info->ip), "%s", s);
	if ((s = gk_json_str(o, "MacAddress")))
		snprintf(info->mac, sizeof(info->mac), "%s", s);
	if (net_ports_load(id, &info->ports, err) < 0)
		return -1;
	return 1;
}

int net_container_ids(char ***out, struct gk_err *err)
{
	*out = gk_malloc0(sizeof(char *));
	_cleanup_free_ char *dir = net_state_path("containers", err);
	if (!dir)
		return -1;
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : gk_err_set(err, errno, "open %s", dir);
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0) {
			_cleanup_free_ char *id = strndup(e->d_name, l - 5);
			gk_strv_push(out, id);
		}
	}
	return 0;
}

int net_container_files(const char *files_dir, const char *ip, const char *hostname,
			const char *name, struct gk_err *err)
{
	_cleanup_free_ char *hosts = gk_strdup_printf("%s/hosts", files_dir);
	_cleanup_free_ char *resolv = gk_strdup_printf("%s/resolv.conf", files_dir);
	_cleanup_free_ char *hn = gk_strdup_printf("%s/hostname", files_dir);
	if (gk_mkdir_p(files_dir, 0700, err) < 0 ||
	    net_hosts_write(hosts, ip, hostname, name, err) < 0 ||
	    net_resolv_write(resolv, "/etc/resolv.conf", err) < 0 ||
	    net_hostname_write(hn, hostname, err) < 0)
		return -1;
	return 0;
}

/* One entry of NetworkSettings.Networks, keyed by the network's name. */
static json_object *network_entry(const char *network, const char *gateway, const char *ip,
				  int prefix, const char *mac)
{
	char nid[65];
	net_network_id_by_name(network, nid);
	json_object *n = json_object_new_object();
	json_object_object_add(n, "NetworkID", json_object_new_string(nid));
	json_object_object_add(n, "Gateway", json_object_new_string(gateway));
	json_object_object_add(n, "IPAddress", json_object_new_string(ip));
	json_object_object_add(n, "IPPrefixLen", json_object_new_int(prefix));
	json_object_object_add(n, "MacAddress", json_object_new_string(mac));
	return n;
}

json_object *net_container_settings_json(const char *id, const char *network_mode)
{
	struct gk_err err;
	struct net_container_info info;
	int have = net_container_load(id, &info, &err);
	if (have < 0)
		have = 0;
	json_object *ns = json_object_new_object();
	json_object_object_add(ns, "Bridge", json_object_new_string(have ? info.net.bridge : ""));
	json_object *ports = json_object_new_object();
	for (size_t i = 0; have && i < info.ports.n; i++) {
		const struct net_port *p = &info.ports.v[i];
		char key[32], hp[8];
		snprintf(key, sizeof(key), "%d/%s", p->container_port, p->proto);
		snprintf(hp, sizeof(hp), "%d", p->host_port);
		json_object *arr = gk_json_array(ports, key);
		if (!arr) {
			arr = json_object_new_array();
			json_object_object_add(ports, key, arr);
		}
		json_object *b = json_object_new_object();
		json_object_object_add(
		    b, "HostIp", json_object_new_string(*p->host_ip ? p->host_ip : "0.0.0.0"));
		json_object_object_add(b, "HostPort", json_object_new_string(hp));
		json_object_array_add(arr, b);
	}
	json_object_object_add(ns, "Ports", ports);
	json_object_object_add(ns, "Gateway", json_object_new_string(have ? info.net.gateway : ""));
	json_object_object_add(ns, "IPAddress", json_object_new_string(have ? info.ip : ""));
	json_object_object_add(ns, "IPPrefixLen", json_object_new_int(have ? info.net.prefix : 0));
	json_object_object_add(ns, "MacAddress", json_object_new_string(have ? info.mac : ""));
	json_object *nets = json_object_new_object();
	if (have) {
		json_object_object_add(nets, info.net.name,
				       network_entry(info.net.name, info.net.gateway, info.ip,
						     info.net.prefix, info.mac));
		net_container_info_free(&info);
	} else if (network_mode && *network_mode) {
		/* none and host (or a bridge network not attached yet): no
		 * address, but Docker lists the network all the same */
		json_object_object_add(nets, network_mode,
				       network_entry(network_mode, "", "", 0, ""));
	}
	json_object_object_add(ns, "Networks", nets);
	return ns;
}

char *net_container_ports_string(const char *id)
{
	struct gk_err err;
	_cleanup_ports_ struct net_ports ports = {0};
	if (net_ports_load(id, &ports, &err) < 0)
		return gk_strdup("");
	return net_ports_format(&ports);
}
