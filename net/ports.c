#include "net/ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "net/state.h"

#define PORTS_FILE "ports.json"

void net_ports_free(struct net_ports *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static void ports_push(struct net_ports *p, const struct net_port *e)
{
	struct net_port *v = realloc(p->v, (p->n + 1) * sizeof(*v));
	if (!v)
		abort();
	p->v = v;
	p->v[p->n++] = *e;
}

/* Go's strconv.ParseUint(s, 10, 16). */
static int parse_u16(const char *s, int *out)
{
	if (!*s)
		return -1;
	long v = 0;
	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		v = v * 10 + (*c - '0');
		if (v > 65535)
			return -1;
	}
	*out = (int)v;
	return 0;
}

/* go-connections' ParsePortRange: "80" or "80-81". */
static int parse_range(const char *s, int *start, int *end)
{
	char buf[64];
	if (!*s || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	char *dash = strchr(buf, '-');
	if (!dash)
		return parse_u16(buf, start) == 0 ? (*end = *start, 0) : -1;
	*dash = '\0';
	if (parse_u16(buf, start) < 0 || parse_u16(dash + 1, end) < 0 || *end < *start)
		return -1;
	return 0;
}

int net_port_parse(const char *spec, struct net_ports *out, struct gk_err *err)
{
	char buf[256];
	if (strlen(spec) >= sizeof(buf))
		return gk_err_set(err, 0, "invalid port specification: too long");
	strcpy(buf, spec);

	/* splitParts: [ip:]host:container, the ip may itself hold colons. */
	char *ip = "", *host = "", *cport = buf;
	char *last = strrchr(buf, ':');
	if (last) {
		*last = '\0';
		cport = last + 1;
		char *prev = strrchr(buf, ':');
		if (prev) {
			*prev = '\0';
			ip = buf;
			host = prev + 1;
		} else {
			host = buf;
		}
	}
	/* SplitProtoPort. */
	const char *proto = "tcp";
	char *slash = strchr(cport, '/');
	if (slash) {
		*slash = '\0';
		if (slash[1])
			proto = slash + 1;
	}
	if (*cport == '\0')
		return gk_err_set(err, 0, "no port specified: %s<empty>", spec);

	if (ip[0] == '[') { /* [::1] */
		size_t l = strlen(ip);
		if (l < 2 || ip[l - 1] != ']')
			return gk_err_set(err, 0, "invalid IP address: %s", ip);
		ip[l - 1] = '\0';
		ip++;
	}
	struct in6_addr a6;
	struct in_addr a4;
	if (*ip && inet_pton(AF_INET, ip, &a4) != 1) {
		if (inet_pton(AF_INET6, ip, &a6) == 1)
			return gk_err_set(err, 0, "invalid IP address %s: IPv6 is not supported",
					  ip);
		return gk_err_set(err, 0, "invalid IP address: %s", ip);
	}
	int cstart, cend, hstart = 0, hend = 0;
	if (parse_range(cport, &cstart, &cend) < 0 || cstart == 0)
		return gk_err_set(err, 0, "invalid containerPort: %s", cport);
	if (*host && parse_range(host, &hstart, &hend) < 0)
		return gk_err_set(err, 0, "invalid hostPort: %s", host);
	if (*host && cend - cstart != hend - hstart && cend != cstart)
		return gk_err_set(
		    err, 0, "invalid ranges specified for container and host Ports: %s and %s",
		    cport, host);
	if (strcasecmp(proto, "tcp") != 0 && strcasecmp(proto, "udp") != 0)
		return gk_err_set(err, 0, "invalid proto: %s", proto);

	for (int p = cstart; p <= cend; p++) {
		struct net_port e = {0};
		snprintf(e.host_ip, sizeof(e.host_ip), "%s", strcmp(ip, "0.0.0.0") ? ip : "");
		snprintf(e.proto, sizeof(e.proto), "%s", strcasecmp(proto, "udp") ? "tcp" : "udp");
		e.container_port = p;
		if (*host && cend == cstart && hend != hstart) {
			/* one container port, a host range: pick in [hstart, hend] */
			e.host_port = -hstart;
			e.host_port_end = hend;
		} else if (*host) {
			e.host_port = hstart + (p - cstart);
		}
		ports_push(out, &e);
	}
	return 0;
}

int net_port_parse_exposed(const char *exposed, struct net_ports *out, struct gk_err *err)
{
	char buf[64];
	if (strchr(exposed, ':') || strlen(exposed) >= sizeof(buf))
		return gk_err_set(err, 0, "invalid exposed port: %s", exposed);
	snprintf(buf, sizeof(buf), "%s", exposed);
	return net_port_parse(buf, out, err);
}

/* Can a socket of this protocol bind host_ip:port right now? */
static int host_port_free(const char *host_ip, int port, const char *proto, int *picked)
{
	int udp = strcmp(proto, "udp") == 0;
	_cleanup_close_ int fd =
	    socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	if (!udp) /* a TIME_WAIT leftover is not a holder; a listener still is */
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	if (*host_ip)
		inet_pton(AF_INET, host_ip, &sa.sin_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	if (!udp && listen(fd, 1) < 0) /* a TCP port bound by a non-listener is free too */
		return -1;
	socklen_t len = sizeof(sa);
	if (picked && getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		*picked = ntohs(sa.sin_port);
	return 0;
}

static int ip_overlap(const char *a, const char *b)
{
	return !*a || !*b || strcmp(a, "0.0.0.0") == 0 || strcmp(b, "0.0.0.0") == 0 ||
	       strcmp(a, b) == 0;
}

/* Is host_ip:port/proto held by a gocker reservation (state) or by `mine` so far? */
static int reserved(json_object *state, const struct net_ports *mine, size_t upto,
		    const char *host_ip, int port, const char *proto)
{
	json_object_object_foreach(state, cid, arr)
	{
		(void)cid;
		size_t n =
		    json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
		for (size_t i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(arr, i);
			const char *ip = gk_json_str(e, "HostIp");
			const char *pr = gk_json_str(e, "Proto");
			if (gk_json_int(e, "HostPort", -1) == port && pr &&
			    strcmp(pr, proto) == 0 && ip_overlap(ip ? ip : "", host_ip))
				return 1;
		}
	}
	for (size_t i = 0; i < upto; i++) {
		const struct net_port *p = &mine->v[i];
		if (p->host_port == port && strcmp(p->proto, proto) == 0 &&
		    ip_overlap(p->host_ip, host_ip))
			return 1;
	}
	return 0;
}

static int conflict(const struct net_port *p, int port, struct gk_err *err)
{
	return gk_err_set(err, 0, "Bind for %s:%d failed: port is already allocated",
			  *p->host_ip ? p->host_ip : "0.0.0.0", port);
}

static int choose_port(json_object *state, struct net_ports *ports, size_t i, struct gk_err *err)
{
	struct net_port *p = &ports->v[i];
	if (p->host_port > 0) {
		if (reserved(state, ports, i, p->host_ip, p->host_port, p->proto) ||
		    host_port_free(p->host_ip, p->host_port, p->proto, NULL) < 0)
			return conflict(p, p->host_port, err);
		return 0;
	}
	if (p->host_port < 0) { /* a host range to pick from */
		int start = -p->host_port;
		for (int port = start; port <= p->host_port_end; port++) {
			if (!reserved(state, ports, i, p->host_ip, port, p->proto) &&
			    host_port_free(p->host_ip, port, p->proto, NULL) == 0) {
				p->host_port = port;
				p->host_port_end = 0;
				return 0;
			}
		}
		return gk_err_set(err, 0, "Bind for %s:%d-%d failed: port is already allocated",
				  *p->host_ip ? p->host_ip : "0.0.0.0", start, p->host_port_end);
	}
	for (int tries = 0; tries < 64; tries++) { /* the kernel picks, we skip our own */
		int port = 0;
		if (host_port_free(p->host_ip, 0, p->proto, &port) < 0)
			return gk_err_set(err, errno, "find a free host port for %d/%s",
					  p->container_port, p->proto);
		if (!reserved(state, ports, i, p->host_ip, port, p->proto)) {
			p->host_port = port;
			return 0;
		}
	}
	return gk_err_set(err, 0, "no free host port for %d/%s", p->container_port, p->proto);
}

static json_object *ports_to_json(const struct net_ports *p)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < p->n; i++) {
		json_object *e = json_object_new_object();
		json_object_object_add(
		    e, "HostIp",
		    json_object_new_string(*p->v[i].host_ip ? p->v[i].host_ip : "0.0.0.0"));
		json_object_object_add(e, "HostPort", json_object_new_int(p->v[i].host_port));
		json_object_object_add(e, "ContainerPort",
				       json_object_new_int(p->v[i].container_port));
		json_object_object_add(e, "Proto", json_object_new_string(p->v[i].proto));
		json_object_array_add(arr, e);
	}
	return arr;
}

int net_ports_reserve(const char *container_id, struct net_ports *ports, struct gk_err *err)
{
	_cleanup_close_ int lock = net_state_lock("ports", err);
	if (lock < 0)
		return -1;
	_cleanup_json_ json_object *state = NULL;
	if (net_state_read(PORTS_FILE, &state, err) < 0)
		return -1;
	int had = json_object_object_get_ex(state, container_id, NULL);
	json_object_object_del(state, container_id); /* a restart re-reserves */
	for (size_t i = 0; i < ports->n; i++)
		if (choose_port(state, ports, i, err) < 0)
			return -1;
	if (ports->n == 0)
		return had ? net_state_write(PORTS_FILE, state, err) : 0;
	json_object_object_add(state, container_id, ports_to_json(ports));
	return net_state_write(PORTS_FILE, state, err);
}

int net_ports_check(const struct net_ports *ports, struct gk_err *err)
{
	_cleanup_json_ json_object *state = NULL;
	{
		_cleanup_close_ int lock = net_state_lock("ports", err);
		if (lock < 0 || net_state_read(PORTS_FILE, &state, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < ports->n; i++) {
		const struct net_port *p = &ports->v[i];
		if (p->host_port > 0 &&
		    (reserved(state, ports, i, p->host_ip, p->host_port, p->proto) ||
		     host_port_free(p->host_ip, p->host_port, p->proto, NULL) < 0))
			return conflict(p, p->host_port, err);
	}
	return 0;
}

int net_ports_release(const char *container_id, struct gk_err *err)
{
	_cleanup_close_ int lock = net_state_lock("ports", err);
	if (lock < 0)
		return -1;
	_cleanup_json_ json_object *state = NULL;
	if (net_state_read(PORTS_FILE, &state, err) < 0)
		return -1;
	if (!json_object_object_get_ex(state, container_id, NULL))
		return 0;
	json_object_object_del(state, container_id);
	return net_state_write(PORTS_FILE, state, err);
}

int net_ports_load(const char *container_id, struct net_ports *out, struct gk_err *err)
{
	_cleanup_close_ int lock = net_state_lock("ports", err);
	if (lock < 0)
		return -1;
	_cleanup_json_ json_object *state = NULL;
	if (net_state_read(PORTS_FILE, &state, err) < 0)
		return -1;
	json_object *arr = gk_json_array(state, container_id);
	size_t n = arr ? json_object_array_length(arr) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		struct net_port p = {0};
		const char *ip = gk_json_str(e, "HostIp"), *pr = gk_json_str(e, "Proto");
		snprintf(p.host_ip, sizeof(p.host_ip), "%s", ip && strcmp(ip, "0.0.0.0") ? ip : "");
		snprintf(p.proto, sizeof(p.proto), "%s",
			 pr && strcmp(pr, "udp") == 0 ? "udp" : "tcp");
		p.host_port = (int)gk_json_int(e, "HostPort", 0);
		p.container_port = (int)gk_json_int(e, "ContainerPort", 0);
		ports_push(out, &p);
	}
	return 0;
}

int net_ports_owners(char ***out, struct gk_err *err)
{
	_cleanup_close_ int lock = net_state_lock("ports", err);
	if (lock < 0)
		return -1;
	_cleanup_json_ json_object *state = NULL;
	if (net_state_read(PORTS_FILE, &state, err) < 0)
		return -1;
	*out = NULL;
	json_object_object_foreach(state, cid, v)
	{
		(void)v;
		gk_strv_push(out, cid);
	}
	if (!*out)
		*out = gk_malloc0(sizeof(char *));
	return 0;
}

char *net_ports_format(const struct net_ports *p)
{
	char *s = gk_strdup("");
	for (size_t i = 0; i < p->n; i++) {
		char *next =
		    gk_strdup_printf("%s%s%s:%d->%d/%s", s, i ? ", " : "",
				     *p->v[i].host_ip ? p->v[i].host_ip : "0.0.0.0",
				     p->v[i].host_port, p->v[i].container_port, p->v[i].proto);
		free(s);
		s = next;
	}
	return s;
}
