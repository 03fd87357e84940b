/* The one symbol gocker-net.so exports (see netmod.h). */
#include "net/netmod.h"

const struct net_module net_module = {
    .abi = NET_MODULE_ABI,
    .precheck = net_mod_precheck,
    .setup = net_mod_setup,
    .teardown = net_mod_teardown,
    .prune = net_mod_prune,
};
