/* Users and groups of a container, read from its own /etc/passwd and
 * /etc/group as files (never NSS: the host's resolver must not see an
 * image's files, and the image's must not be the host's). */
#ifndef RT_USER_H
#define RT_USER_H

#include <stddef.h>
#include <sys/types.h>

#include "common/err.h"

#define RT_MAX_GROUPS 64

struct rt_user {
	uid_t uid;
	gid_t gid;
	gid_t groups[RT_MAX_GROUPS]; /* supplementary groups, including gid */
	size_t n_groups;
	char home[256]; /* "/" when unknown */
};

/* Resolve Docker's --user forms: "", "name", "uid", "name:group", "uid:gid",
 * "name:gid"... against `root`/etc/passwd and `root`/etc/group. Numeric ids
 * need no files; ids above 2147483647 are refused. */
int rt_user_resolve(const char *root, const char *spec, struct rt_user *out, struct gk_err *err);

#endif
