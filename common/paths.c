#include "paths.h"

#include <stdlib.h>

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return (v && *v) ? v : dflt;
}

const char *gk_root_dir(void)
{
	return env_or("GOCKER_ROOT", GK_DEFAULT_ROOT);
}

const char *gk_run_dir(void)
{
	return env_or("GOCKER_RUN", GK_DEFAULT_RUN);
}
