#include "net/nat.h"

#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/lock.h"

#define NFT_LOCK "/run/lock/gocker-nft.lock"
#define NET_TAG	 "gocker net "
#define CTR_TAG	 "gocker ctr "

static void nft_ctx_freep(struct nft_ctx **c)
{
	if (*c)
		nft_ctx_free(*c);
}
#define _cleanup_nft_ __attribute__((cleanup(nft_ctx_freep)))

static int nft_lock(struct gk_err *err)
{
	if (gk_mkdir_p("/run/lock", 0755, err) < 0)
		return -1;
	return gk_lock(NFT_LOCK, GK_LOCK_EXCLUSIVE, err);
}

static struct nft_ctx *nft_open(int json)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!ctx)
		return NULL;
	nft_ctx_buffer_output(ctx);
	nft_ctx_buffer_error(ctx);
	if (json)
		nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE);
	return ctx;
}

/* Run an nft script in one transaction. */
static int nft_run(const char *script, struct gk_err *err)
{
	_cleanup_nft_ struct nft_ctx *ctx = nft_open(0);
	if (!ctx)
		return gk_err_set(err, ENOMEM, "nftables context");
	if (nft_run_cmd_from_buffer(ctx, script) != 0) {
		const char *msg = nft_ctx_get_error_buffer(ctx);
		size_t l = msg ? strlen(msg) : 0;
		while (l && msg[l - 1] == '\n')
			l--;
		return gk_err_set(err, 0, "nftables: %.*s", (int)l, msg ? msg : "failed");
	}
	return 0;
}

/* The rules of table ip gocker as JSON objects ({"rule": {...}}), or an
 * empty array when the table does not exist. */
static int nft_rules(json_object **rules, int *chains, struct gk_err *err)
{
	*rules = json_object_new_array();
	*chains = 0;
	_cleanup_nft_ struct nft_ctx *ctx = nft_open(1);
	if (!ctx)
		return gk_err_set(err, ENOMEM, "nftables context");
	if (nft_run_cmd_from_buffer(ctx, "list table ip gocker") != 0)
		return 0; /* no table */
	const char *out = nft_ctx_get_output_buffer(ctx);
	_cleanup_json_ json_object *doc = NULL;
	if (gk_json_parse(out, strlen(out), "nft list table ip gocker", &doc, err) < 0)
		return -1;
	json_object *items = gk_json_array(doc, "nftables");
	size_t n = items ? json_object_array_length(items) : 0;
	for (size_t i = 0; i < n; i++) {
		json_object *it = json_object_array_get_idx(items, i);
		json_object *rule = gk_json_obj(it, "rule");
		if (rule)
			json_object_array_add(*rules, json_object_get(rule));
		else if (gk_json_obj(it, "chain"))
			(*chains)++;
	}
	return 0;
}

/* Does the comment name this owner: equal to `tag`, or `tag` followed by a
 * space and more ("gocker ctr ID BRIDGE" for the tag "gocker ctr ID")? */
static int tag_matches(const char *comment, const char *tag)
{
	size_t l = strlen(tag);
	return comment && strncmp(comment, tag, l) == 0 &&
	       (comment[l] == '\0' || comment[l] == ' ');
}

/* Append "delete rule" commands for every rule `tag` owns; returns how many. */
static int delete_tagged(json_object *rules, const char *tag, char **script)
{
	int count = 0;
	for (size_t i = 0; i < json_object_array_length(rules); i++) {
		json_object *r = json_object_array_get_idx(rules, i);
		const char *c = gk_json_str(r, "comment");
		if (!tag_matches(c, tag))
			continue;
		char *next = gk_strdup_printf("%sdelete rule ip gocker %s handle %lld\n", *script,
					      gk_json_str(r, "chain"),
					      (long long)gk_json_int(r, "handle", 0));
		free(*script);
		*script = next;
		count++;
	}
	return count;
}

static const char CHAINS[] =
    "add table ip gocker\n"
    "add chain ip gocker prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
    "add chain ip gocker output { type nat hook output priority -100; policy accept; }\n"
    "add chain ip gocker postrouting { type nat hook postrouting priority srcnat; policy accept; "
    "}\n"
    "add chain ip gocker forward { type filter hook forward priority filter - 1; policy accept; "
    "}\n";

/* Delete the rules tagged `tag` and, when nothing of anyone is left, the table. */
static int remove_tagged(const char *tag, struct gk_err *err)
{
	_cleanup_close_ int lock = nft_lock(err);
	if (lock < 0)
		return -1;
	_cleanup_json_ json_object *rules = NULL;
	int chains;
	if (nft_rules(&rules, &chains, err) < 0)
		return -1;
	_cleanup_free_ char *script = gk_strdup("");
	int n = delete_tagged(rules, tag, &script);
	if ((size_t)n == json_object_array_length(rules) && chains > 0) {
		free(script);
		script = gk_strdup("delete table ip gocker\n");
	} else if (n == 0) {
		return 0;
	}
	return nft_run(script, err);
}

static int has_tag(json_object *rules, const char *tag)
{
	for (size_t i = 0; i < json_object_array_length(rules); i++) {
		const char *c = gk_json_str(json_object_array_get_idx(rules, i), "comment");
		if (c && strcmp(c, tag) == 0)
			return 1;
	}
	return 0;
}

static int enable_forwarding(struct gk_err *err)
{
	const char *path = "/proc/sys/net/ipv4/ip_forward";
	_cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC);
	char c = 0;
	if (fd < 0 || pread(fd, &c, 1, 0) < 0)
		return gk_err_set(err, errno, "read %s", path);
	if (c == '1')
		return 0;
	if (pwrite(fd, "1", 1, 0) < 0)
		return gk_err_set(err, errno, "enable IPv4 forwarding: write %s", path);
	return 0;
}

int net_nat_network_add(const char *bridge, const char *subnet, struct gk_err *err)
{
	if (enable_forwarding(err) < 0)
		return -1;
	_cleanup_free_ char *tag = gk_strdup_printf(NET_TAG "%s", bridge);
	_cleanup_close_ int lock = nft_lock(err);
	if (lock < 0)
		return -1;
	_cleanup_json_ json_object *rules = NULL;
	int chains;
	if (nft_rules(&rules, &chains, err) < 0)
		return -1;
	if (has_tag(rules, tag))
		return 0;
	/* The clamp comes first, before a masquerade ends the chain: a client on
	 * the host itself (127.0.0.1 or a host address) sends a SYN whose MSS
	 * comes from lo's 64 KiB MTU, since its socket was routed to lo before
	 * the DNAT. Told an MSS of 65483 the container's TCP sizes its send
	 * buffer for segments it can never send through a 1500-byte bridge; the
	 * route's MSS makes it behave as for a direct connection. The nat chain
	 * sees only a connection's first packet, so this costs one rule per
	 * new connection and nothing per packet; the kernel only ever lowers
	 * an MSS this way. */
	_cleanup_free_ char *script = gk_strdup_printf(
	    "%s"
	    "add rule ip gocker postrouting oifname \"%s\" ct status dnat tcp flags syn / syn,rst "
	    "tcp option maxseg size set rt mtu comment \"%s\"\n"
	    "add rule ip gocker postrouting ip saddr %s ip daddr != %s masquerade comment \"%s\"\n"
	    "add rule ip gocker postrouting oifname \"%s\" ip saddr %s ct status dnat masquerade "
	    "comment \"%s\"\n"
	    "add rule ip gocker postrouting oifname \"%s\" ip saddr 127.0.0.0/8 masquerade "
	    "comment \"%s\"\n"
	    "add rule ip gocker forward iifname \"%s\" accept comment \"%s\"\n"
	    "add rule ip gocker forward oifname \"%s\" ct state established,related accept "
	    "comment \"%s\"\n"
	    "add rule ip gocker forward oifname \"%s\" ct status dnat accept comment \"%s\"\n",
	    CHAINS, bridge, tag, subnet, subnet, tag, bridge, subnet, tag, bridge, tag, bridge, tag,
	    bridge, tag, bridge, tag);
	if (nft_run(script, err) < 0)
		return gk_err_wrap(err, "NAT rules for %s (%s)", bridge, subnet);
	return 0;
}

int net_nat_network_remove(const char *bridge, struct gk_err *err)
{
	_cleanup_free_ char *tag = gk_strdup_printf(NET_TAG "%s", bridge);
	return remove_tagged(tag, err);
}

int net_nat_ports_add(const char *container_id, const char *bridge, const char *ip,
		      const struct net_ports *ports, struct gk_err *err)
{
	if (ports->n == 0)
		return 0;
	_cleanup_free_ char *tag = gk_strdup_printf(CTR_TAG "%s %s", container_id, bridge);
	_cleanup_free_ char *script = gk_strdup(CHAINS);
	for (size_t i = 0; i < ports->n; i++) {
		const struct net_port *p = &ports->v[i];
		_cleanup_free_ char *daddr =
		    *p->host_ip ? gk_strdup_printf("ip daddr %s ", p->host_ip) : gk_strdup("");
		for (int c = 0; c < 2; c++) {
			char *next = gk_strdup_printf(
			    "%sadd rule ip gocker %s fib daddr type local %s%s dport %d "
			    "dnat to %s:%d comment \"%s\"\n",
			    script, c ? "output" : "prerouting", daddr, p->proto, p->host_port, ip,
			    p->container_port, tag);
			free(script);
			script = next;
		}
	}
	_cleanup_close_ int lock = nft_lock(err);
	if (lock < 0)
		return -1;
	if (nft_run(script, err) < 0)
		return gk_err_wrap(err, "publish ports of %.12s", container_id);
	return 0;
}

int net_nat_ports_remove(const char *container_id, struct gk_err *err)
{
	_cleanup_free_ char *tag = gk_strdup_printf(CTR_TAG "%s", container_id);
	return remove_tagged(tag, err);
}

int net_nat_owners(char ***containers, char ***bridges, struct gk_err *err)
{
	*containers = gk_malloc0(sizeof(char *));
	*bridges = gk_malloc0(sizeof(char *));
	_cleanup_close_ int lock = nft_lock(err);
	if (lock < 0)
		return -1;
	_cleanup_json_ json_object *rules = NULL;
	int chains;
	if (nft_rules(&rules, &chains, err) < 0)
		return -1;
	for (size_t i = 0; i < json_object_array_length(rules); i++) {
		const char *c = gk_json_str(json_object_array_get_idx(rules, i), "comment");
		if (!c)
			continue;
		/* "gocker ctr ID BRIDGE" -> "ID BRIDGE"; "gocker net BRIDGE" -> "BRIDGE" */
		char ***into = strncmp(c, CTR_TAG, strlen(CTR_TAG)) == 0   ? containers
			       : strncmp(c, NET_TAG, strlen(NET_TAG)) == 0 ? bridges
									   : NULL;
		if (!into)
			continue;
		const char *name = c + strlen(CTR_TAG);
		int seen = 0;
		for (char **s = *into; *s; s++)
			seen |= strcmp(*s, name) == 0;
		if (!seen)
			gk_strv_push(into, name);
	}
	return 0;
}
