/* Loading gocker-image.so, and the public entry points that call into it. */
#include "runtime/imagemod.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fs.h"
#include "runtime/load.h"

/* dlopen() counts references and returns the loaded module again on later
 * calls, so nothing is cached here: the runtime keeps no global state. */
static void *open_module(struct gk_err *err)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return gk_err_set(err, errno, "readlink /proc/self/exe"), NULL;
	exe[n] = '\0';
	const char *dir = dirname(exe);
	const char *candidates[] = {"", "/../lib/gocker"};
	char tried[2][PATH_MAX];
	for (size_t i = 0; i < 2; i++) {
		snprintf(tried[i], sizeof(tried[i]), "%s%s/%s", dir, candidates[i],
			 RT_IMAGE_MODULE_FILE);
		if (access(tried[i], F_OK) < 0)
			continue;
		void *h = dlopen(tried[i], RTLD_NOW | RTLD_LOCAL);
		if (!h)
			return gk_err_set(err, 0, "cannot load %s: %s", tried[i], dlerror()), NULL;
		return h;
	}
	return gk_err_set(err, ENOENT, "image module %s not found (looked for %s and %s)",
			  RT_IMAGE_MODULE_FILE, tried[0], tried[1]),
	       NULL;
}

const struct rt_image_module *rt_image_module_get(struct gk_err *err)
{
	void *h = open_module(err);
	if (!h)
		return NULL;
	const struct rt_image_module *m = dlsym(h, RT_IMAGE_MODULE_SYMBOL);
	if (!m)
		return gk_err_set(err, 0, "%s has no %s", RT_IMAGE_MODULE_FILE,
				  RT_IMAGE_MODULE_SYMBOL),
		       NULL;
	if (m->abi != RT_IMAGE_MODULE_ABI)
		return gk_err_set(err, 0, "%s is from another gocker build (ABI %d, want %d)",
				  RT_IMAGE_MODULE_FILE, m->abi, RT_IMAGE_MODULE_ABI),
		       NULL;
	return m;
}

int rt_pull(struct rt_store *store, const char *ref, const struct rt_pull_opts *opts,
	    struct rt_pull_result *out, struct gk_err *err)
{
	memset(out, 0, sizeof(*out));
	const struct rt_image_module *m = rt_image_module_get(err);
	return m ? m->pull(store, ref, opts, out, err) : -1;
}

int rt_load_archive(struct rt_store *store, int fd, const char *what, char ***lines,
		    struct gk_err *err)
{
	const struct rt_image_module *m = rt_image_module_get(err);
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
