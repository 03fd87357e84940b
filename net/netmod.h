/* Links (libnl) and nftables rules (libnftables) are built into a module,
 * gocker-net.so, loaded on first use (common/module.h): a container on
 * --network none or host, ps, stop and rm of such containers never map the
 * eight shared libraries those two bring. net_container_precheck(),
 * net_container_setup(), net_container_teardown*() and net_prune()
 * (container.h) load it and call through this table. */
#ifndef NET_NETMOD_H
#define NET_NETMOD_H

#include "common/err.h"
#include "net/container.h"

#define NET_MODULE_FILE	  "gocker-net.so"
#define NET_MODULE_SYMBOL "net_module"
/* Bumped whenever the table or the types it passes change. */
#define NET_MODULE_ABI 1

struct net_module {
	int abi;
	int (*precheck)(const char *network, const struct net_ports *ports, struct gk_err *err);
	int (*setup)(const struct net_container_req *req, struct net_container_info *info,
		     struct gk_err *err);
	int (*teardown)(const char *id, int flags, struct gk_err *err);
	int (*prune)(int (*alive)(const char *container_id, void *data), void *data,
		     char ***removed, struct gk_err *err);
};

/* The module's implementations (net/setup.c). */
int net_mod_precheck(const char *network, const struct net_ports *ports, struct gk_err *err);
int net_mod_setup(const struct net_container_req *req, struct net_container_info *info,
		  struct gk_err *err);
int net_mod_teardown(const char *id, int flags, struct gk_err *err);
int net_mod_prune(int (*alive)(const char *container_id, void *data), void *data, char ***removed,
		  struct gk_err *err);

#endif
