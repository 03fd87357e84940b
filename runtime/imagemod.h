/* The image transfer code (registries over libcurl, archives and layers over
 * libarchive) is built as a module, gocker-image.so, that the runtime loads
 * on first use. A process that only runs, lists or stops containers then never
 * maps libcurl's and libarchive's ~45 shared libraries, whose loading and
 * relocation cost every `gocker` process about 8 ms.
 *
 * rt_pull() and rt_load_archive() (declared in registry.h and load.h) load it
 * (common/module.h) and call through this table. */
#ifndef RT_IMAGEMOD_H
#define RT_IMAGEMOD_H

#include "common/err.h"
#include "runtime/registry.h"

#define RT_IMAGE_MODULE_FILE   "gocker-image.so"
#define RT_IMAGE_MODULE_SYMBOL "rt_image_module"
/* Bumped whenever the table or the types it passes change. */
#define RT_IMAGE_MODULE_ABI 1

struct rt_image_module {
	int abi;
	int (*pull)(struct rt_store *store, const char *ref, const struct rt_pull_opts *opts,
		    struct rt_pull_result *out, struct gk_err *err);
	int (*load_archive)(struct rt_store *store, int fd, const char *what, char ***lines,
			    struct gk_err *err);
};

#endif
