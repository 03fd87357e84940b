#include "net/cidr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int net_ip_parse(const char *s, uint32_t *out, struct gk_err *err)
{
	struct in_addr a;
	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return gk_err_set(err, 0, "invalid IPv4 address: %s", s ? s : "(null)");
	*out = ntohl(a.s_addr);
	return 0;
}

void net_ip_format(uint32_t ip, char out[NET_IP_STRLEN])
{
	struct in_addr a = {.s_addr = htonl(ip)};
	inet_ntop(AF_INET, &a, out, NET_IP_STRLEN);
}

int net_cidr_parse(const char *s, struct net_cidr *out, struct gk_err *err)
{
	char buf[64];
	if (!s || strlen(s) >= sizeof(buf))
		return gk_err_set(err, 0, "invalid subnet: %s", s ? s : "(null)");
	strcpy(buf, s);
	char *slash = strchr(buf, '/');
	if (!slash)
		return gk_err_set(err, 0, "invalid subnet %s: no /prefix", s);
	*slash = '\0';
	char *end;
	errno = 0;
	long p = strtol(slash + 1, &end, 10);
	if (slash[1] == '\0' || *end || errno || p < 0 || p > 32)
		return gk_err_set(err, 0, "invalid subnet %s: bad prefix length", s);
	if (net_ip_parse(buf, &out->addr, err) < 0)
		return gk_err_wrap(err, "invalid subnet %s", s);
	out->prefix = (int)p;
	return 0;
}

uint32_t net_cidr_mask(int prefix)
{
	return prefix <= 0 ? 0 : (uint32_t)(0xffffffffu << (32 - prefix));
}

uint32_t net_cidr_network(const struct net_cidr *c)
{
	return c->addr & net_cidr_mask(c->prefix);
}

uint32_t net_cidr_broadcast(const struct net_cidr *c)
{
	return net_cidr_network(c) | ~net_cidr_mask(c->prefix);
}

uint32_t net_cidr_gateway(const struct net_cidr *c)
{
	uint32_t net = net_cidr_network(c);
	if (c->addr != net && c->addr != net_cidr_broadcast(c))
		return c->addr;
	return net + 1;
}

int net_cidr_contains(const struct net_cidr *c, uint32_t ip)
{
	return (ip & net_cidr_mask(c->prefix)) == net_cidr_network(c);
}

int net_cidr_overlaps(const struct net_cidr *a, const struct net_cidr *b)
{
	int p = a->prefix < b->prefix ? a->prefix : b->prefix;
	uint32_t m = net_cidr_mask(p);
	return (a->addr & m) == (b->addr & m);
}

void net_cidr_format(const struct net_cidr *c, char out[NET_CIDR_STRLEN])
{
	char ip[NET_IP_STRLEN];
	net_ip_format(net_cidr_network(c), ip);
	snprintf(out, NET_CIDR_STRLEN, "%s/%d", ip, c->prefix);
}
