/* The device rules of a container: Docker's default allowlist, written as
 * v1 devices.allow lines or compiled into the cgroup2 equivalent, an eBPF
 * program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the container's
 * cgroup2 directory (cgroup2 has no devices controller). */
#ifndef RT_DEVCGROUP_H
#define RT_DEVCGROUP_H

#include <stddef.h>

#include "common/err.h"

struct rt_dev_rule {
	char type;	    /* 'c' or 'b' */
	int major, minor;   /* -1: any */
	const char *access; /* any of "rwm" */
};

/* Docker's defaults: mknod of any device; read, write and mknod of null,
 * zero, full, random, urandom, tty, console, ptmx and the pts devices. */
extern const struct rt_dev_rule rt_dev_default_rules[];
extern const size_t rt_dev_default_count;

/* "c 1:3 rwm", "b *:* m": the v1 devices.allow line of a rule (free it). */
char *rt_dev_rule_v1(const struct rt_dev_rule *r);

/* Allow only `rules` to the processes of the cgroup2 directory `dir`: load a
 * device program made of them and attach it (BPF_F_ALLOW_MULTI, so that
 * programs on parent cgroups still apply too). The attachment lives as long
 * as the cgroup. */
int rt_dev_attach_program(const char *dir, const struct rt_dev_rule *rules, size_t n,
			  struct gk_err *err);

#endif
