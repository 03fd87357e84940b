#include "runtime/user.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/fs.h"

#define RT_ID_MAX 2147483647UL

/* 1 and *out when s is a decimal id in range, 0 when it is not numeric,
 * -1 when numeric but out of range. */
static int parse_id(const char *s, unsigned long *out)
{
	if (!*s || strspn(s, "0123456789") != strlen(s))
		return 0;
	if (strlen(s) > 10)
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, NULL, 10);
	if (errno || v > RT_ID_MAX)
		return -1;
	*out = v;
	return 1;
}

/* Split a colon-separated line into at most n fields (in place). */
static size_t split_fields(char *line, char **f, size_t n)
{
	size_t i = 0;
	f[i++] = line;
	for (char *p = line; *p && i < n; p++) {
		if (*p == ':') {
			*p = '\0';
			f[i++] = p + 1;
		}
	}
	return i;
}

static FILE *open_in_root(const char *root, const char *rel)
{
	_cleanup_free_ char *path = gk_strdup_printf("%s/%s", strcmp(root, "/") ? root : "", rel);
	return fopen(path, "re");
}

/* Find a passwd entry by name (name != NULL) or by uid. */
static int find_passwd(const char *root, const char *name, unsigned long uid, struct rt_user *u,
		       char *uname, size_t uname_len)
{
	_cleanup_fclose_ FILE *f = open_in_root(root, "etc/passwd");
	if (!f)
		return 0;
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *fl[7];
		if (split_fields(line, fl, 7) < 7)
			continue;
		unsigned long id, gid;
		if (parse_id(fl[2], &id) != 1 || parse_id(fl[3], &gid) != 1)
			continue;
		if (name ? strcmp(fl[0], name) != 0 : id != uid)
			continue;
		u->uid = id;
		u->gid = gid;
		snprintf(u->home, sizeof(u->home), "%s", fl[5][0] ? fl[5] : "/");
		snprintf(uname, uname_len, "%s", fl[0]);
		return 1;
	}
	return 0;
}

static int find_group(const char *root, const char *name, gid_t *gid)
{
	_cleanup_fclose_ FILE *f = open_in_root(root, "etc/group");
	if (!f)
		return 0;
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *fl[4];
		unsigned long id;
		if (split_fields(line, fl, 4) < 3 || parse_id(fl[2], &id) != 1)
			continue;
		if (strcmp(fl[0], name) == 0) {
			*gid = id;
			return 1;
		}
	}
	return 0;
}

static void add_group(struct rt_user *u, gid_t g)
{
	for (size_t i = 0; i < u->n_groups; i++)
		if (u->groups[i] == g)
			return;
	if (u->n_groups < RT_MAX_GROUPS)
		u->groups[u->n_groups++] = g;
}

/* Supplementary groups listing `uname` as a member. */
static void member_groups(const char *root, const char *uname, struct rt_user *u)
{
	_cleanup_fclose_ FILE *f = open_in_root(root, "etc/group");
	if (!f || !uname[0])
		return;
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *fl[4];
		unsigned long id;
		if (split_fields(line, fl, 4) < 4 || parse_id(fl[2], &id) != 1)
			continue;
		for (char *m = strtok(fl[3], ","); m; m = strtok(NULL, ","))
			if (strcmp(m, uname) == 0)
				add_group(u, id);
	}
}

int rt_user_resolve(const char *root, const char *spec, struct rt_user *out, struct gk_err *err)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->home, sizeof(out->home), "/");
	if (!spec || !*spec)
		spec = "0";
	_cleanup_free_ char *copy = gk_strdup(spec);
	char *group = strchr(copy, ':');
	if (group)
		*group++ = '\0';
	const char *user = copy[0] ? copy : "0";
	char uname[256] = "";
	unsigned long id;
	int num = parse_id(user, &id);
	if (num < 0)
		return gk_err_set(err, 0, "user %s: uid out of range (0-%lu)", user, RT_ID_MAX);
	if (num == 1) {
		out->uid = id;
		out->gid = 0;
		if (!find_passwd(root, NULL, id, out, uname, sizeof(uname)))
			out->gid = 0;
	} else if (!find_passwd(root, user, 0, out, uname, sizeof(uname))) {
		return gk_err_set(
		    err, 0, "unable to find user %s: no matching entries in passwd file", user);
	}
	if (group && *group) {
		int gnum = parse_id(group, &id);
		if (gnum < 0)
			return gk_err_set(err, 0, "group %s: gid out of range (0-%lu)", group,
					  RT_ID_MAX);
		gid_t g = id;
		if (gnum == 0 && !find_group(root, group, &g))
			return gk_err_set(
			    err, 0, "unable to find group %s: no matching entries in group file",
			    group);
		out->gid = g;
		add_group(out, g);
	} else {
		add_group(out, out->gid);
		member_groups(root, uname, out);
	}
	return 0;
}
