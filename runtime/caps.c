/* Capabilities (libcap): Docker's default set, --cap-add/--cap-drop, apply. */
#include "runtime/security.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "common/cleanup.h"
#include "common/fs.h"

#define BIT(c) (1ULL << (c))

uint64_t rt_caps_default(void)
{
	return BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FSETID) | BIT(CAP_FOWNER) |
	       BIT(CAP_MKNOD) | BIT(CAP_NET_RAW) | BIT(CAP_SETGID) | BIT(CAP_SETUID) |
	       BIT(CAP_SETFCAP) | BIT(CAP_SETPCAP) | BIT(CAP_NET_BIND_SERVICE) |
	       BIT(CAP_SYS_CHROOT) | BIT(CAP_KILL) | BIT(CAP_AUDIT_WRITE);
}

/* The highest capability the running kernel knows. */
int rt_caps_last(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = -1;
	if (f) {
		if (fscanf(f, "%d", &last) != 1)
			last = -1;
		fclose(f);
	}
	if (last < 0)
		last = (int)cap_max_bits() - 1;
	if (last > 63)
		last = 63;
	return last;
}

static uint64_t all_caps(void)
{
	int last = rt_caps_last();
	return last >= 63 ? ~0ULL : BIT(last + 1) - 1;
}

/* "NET_ADMIN", "cap_net_admin", "CAP_NET_ADMIN" -> its number; "ALL" -> -2. */
static int cap_by_name(const char *name, struct gk_err *err)
{
	if (strcasecmp(name, "ALL") == 0)
		return -2;
	const char *bare = strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;
	_cleanup_free_ char *lower = gk_strdup_printf("cap_%s", bare);
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	cap_value_t v;
	if (!*bare ||
	    strspn(bare, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_") != strlen(bare) ||
	    cap_from_name(lower, &v) < 0 || v < 0 || v > rt_caps_last())
		return gk_err_set(err, EINVAL, "unknown capability: \"%s\"", name);
	return v;
}

static int has_all(char **names, struct gk_err *err, uint64_t *mask)
{
	int all = 0;
	*mask = 0;
	for (size_t i = 0; names && names[i]; i++) {
		int c = cap_by_name(names[i], err);
		if (c == -1)
			return -1;
		if (c == -2)
			all = 1;
		else
			*mask |= BIT(c);
	}
	return all;
}

/* Docker's TweakCapabilities: privileged is everything; "ALL" in cap_add is
 * everything but the drops; "ALL" in cap_drop is only the adds; otherwise the
 * defaults minus the drops plus the adds (an add wins over a drop). */
int rt_caps_compute(const struct rt_security *sec, uint64_t *mask, struct gk_err *err)
{
	if (sec && sec->privileged) {
		*mask = all_caps();
		return 0;
	}
	uint64_t add = 0, drop = 0;
	int add_all = has_all(sec ? sec->cap_add : NULL, err, &add);
	if (add_all < 0)
		return gk_err_wrap(err, "--cap-add");
	int drop_all = has_all(sec ? sec->cap_drop : NULL, err, &drop);
	if (drop_all < 0)
		return gk_err_wrap(err, "--cap-drop");
	if (add_all)
		*mask = all_caps() & ~drop;
	else if (drop_all)
		*mask = add;
	else
		*mask = (rt_caps_default() & ~drop) | add;
	return 0;
}

/* `mask` without what our own bounding set lacks. */
static uint64_t within_bounding(uint64_t mask, int last)
{
	for (int c = 0; c <= last; c++)
		if ((mask & BIT(c)) && prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 0)
			mask &= ~BIT(c);
	return mask;
}

int rt_caps_bound(uint64_t mask, struct gk_err *err)
{
	int last = rt_caps_last();
	/* A capability outside our own bounding set cannot be had (gocker itself
	 * may run without some, e.g. CAP_SYS_RESOURCE): --privileged gets all
	 * the others. Dropping needs CAP_SETPCAP, still effective here. */
	mask = within_bounding(mask, last);
	for (int c = 0; c <= last; c++)
		if (!(mask & BIT(c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return gk_err_set(err, errno, "drop capability %d from the bounding set",
					  c);
	return 0;
}

int rt_caps_set(uint64_t mask, struct gk_err *err)
{
	int last = rt_caps_last();
	mask = within_bounding(mask, last);
	cap_t caps = cap_init();
	if (!caps)
		return gk_err_set(err, errno, "cap_init");
	for (int c = 0; c <= last; c++) {
		if (!(mask & BIT(c)))
			continue;
		cap_value_t v = c;
		cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
		cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
	}
	/* Inheritable stays empty, as Docker since CVE-2022-24769. */
	int rc = cap_set_proc(caps);
	int saved = errno;
	cap_free(caps);
	if (rc < 0)
		return gk_err_set(err, saved, "set capabilities %016llx", (unsigned long long)mask);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return gk_err_set(err, errno, "clear ambient capabilities");
	return 0;
}

int rt_caps_apply(uint64_t mask, struct gk_err *err)
{
	if (rt_caps_bound(mask, err) < 0)
		return -1;
	return rt_caps_set(mask, err);
}
