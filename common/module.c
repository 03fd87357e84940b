#include "common/module.h"

#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

static void *open_module(const char *file, struct gk_err *err)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return gk_err_set(err, errno, "readlink /proc/self/exe"), NULL;
	exe[n] = '\0';
	const char *dir = dirname(exe);
	const char *const subdirs[] = {"", "/../lib/gocker"};
	char tried[2][PATH_MAX];
	for (size_t i = 0; i < 2; i++) {
		snprintf(tried[i], sizeof(tried[i]), "%s%s/%s", dir, subdirs[i], file);
		if (access(tried[i], F_OK) < 0)
			continue;
		void *h = dlopen(tried[i], RTLD_NOW | RTLD_LOCAL);
		if (!h)
			return gk_err_set(err, 0, "cannot load %s: %s", tried[i], dlerror()), NULL;
		return h;
	}
	return gk_err_set(err, ENOENT, "module %s not found (looked for %s and %s)", file, tried[0],
			  tried[1]),
	       NULL;
}

const void *gk_module_table(const char *file, const char *symbol, int abi, struct gk_err *err)
{
	void *h = open_module(file, err);
	if (!h)
		return NULL;
	const int *table = dlsym(h, symbol);
	if (!table)
		return gk_err_set(err, 0, "%s has no %s", file, symbol), NULL;
	if (*table != abi)
		return gk_err_set(err, 0, "%s is from another gocker build (ABI %d, want %d)", file,
				  *table, abi),
		       NULL;
	return table;
}
