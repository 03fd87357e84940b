/* Loading gocker-image.so, and the public entry points that call into it. */
#include "runtime/imagemod.h"

#include <stdlib.h>
#include <string.h>

#include "common/module.h"
#include "runtime/load.h"

static const struct rt_image_module *module(struct gk_err *err)
{
	return gk_module_table(RT_IMAGE_MODULE_FILE, RT_IMAGE_MODULE_SYMBOL, RT_IMAGE_MODULE_ABI,
			       err);
}

int rt_pull(struct rt_store *store, const char *ref, const struct rt_pull_opts *opts,
	    struct rt_pull_result *out, struct gk_err *err)
{
	memset(out, 0, sizeof(*out));
	const struct rt_image_module *m = module(err);
	return m ? m->pull(store, ref, opts, out, err) : -1;
}

int rt_load_archive(struct rt_store *store, int fd, const char *what, char ***lines,
		    struct gk_err *err)
{
	const struct rt_image_module *m = module(err);
	return m ? m->load_archive(store, fd, what, lines, err) : -1;
}

void rt_pull_result_free(struct rt_pull_result *r)
{
	if (!r)
		return;
	free(r->digest);
	free(r->image_id);
	free(r->reference);
	free(r->familiar);
	memset(r, 0, sizeof(*r));
}
