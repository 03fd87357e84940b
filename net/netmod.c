/* The entry points into gocker-net.so (see netmod.h). */
#include "net/netmod.h"

#include <stdlib.h>
#include <string.h>

#include "common/module.h"

static const struct net_module *module(struct gk_err *err)
{
	return gk_module_table(NET_MODULE_FILE, NET_MODULE_SYMBOL, NET_MODULE_ABI, err);
}

int net_container_precheck(const char *network, const struct net_ports *ports, struct gk_err *err)
{
	const struct net_module *m = module(err);
	return m ? m->precheck(network, ports, err) : -1;
}

int net_container_setup(const struct net_container_req *req, struct net_container_info *info,
			struct gk_err *err)
{
	memset(info, 0, sizeof(*info));
	const struct net_module *m = module(err);
	return m ? m->setup(req, info, err) : -1;
}

int net_container_teardown(const char *id, struct gk_err *err)
{
	return net_container_teardown_flags(id, 0, err);
}

int net_container_teardown_flags(const char *id, int flags, struct gk_err *err)
{
	const struct net_module *m = module(err);
	return m ? m->teardown(id, flags, err) : -1;
}

int net_prune(int (*alive)(const char *container_id, void *data), void *data, char ***removed,
	      struct gk_err *err)
{
	*removed = NULL;
	const struct net_module *m = module(err);
	if (!m)
		return -1;
	return m->prune(alive, data, removed, err);
}
