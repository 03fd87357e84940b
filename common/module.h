/* Optional parts of gocker built as shared modules (gocker-image.so,
 * gocker-net.so) and loaded on first use, so that a process links only the
 * shared libraries it needs: each one costs every process its loading and
 * relocation, and most commands need neither libcurl nor libnftables.
 *
 * A module exports one table, a struct whose first member is `int abi`.
 * Modules are found beside the running executable, or in ../lib/gocker/ from
 * it (the installed layout). */
#ifndef GK_MODULE_H
#define GK_MODULE_H

#include "common/err.h"

/* The table `symbol` of module `file` ("gocker-net.so"), loading the module
 * if needed; NULL with err set when the module is missing or its table's abi
 * is not `abi` (a module from another build). dlopen() counts references, so
 * nothing is cached here. */
const void *gk_module_table(const char *file, const char *symbol, int abi, struct gk_err *err);

#endif
