/* Container cgroups: v1, v2 and the hybrid layout, detected at run time.
 * gocker only ever touches cgroups it made: `gocker-<container id>` at the top
 * of each controller's hierarchy (v1) or of the unified hierarchy (v2). v1 and v2 differ in one
 * writer per resource, chosen by a flag, not in two code paths. */
#ifndef RT_CGROUP_H
#define RT_CGROUP_H

#include <stdint.h>
#include <sys/types.h>

#include "common/err.h"

struct rt_limits {
	int64_t memory;	     /* bytes; 0 = no limit */
	int64_t memory_swap; /* memory + swap in bytes (Docker's --memory-swap); -1 = unlimited
			      * swap; 0 = unset, which with a memory limit means Docker's default
			      * memory + swap = 2 x memory. Needs `memory` when > 0. */
	int64_t nano_cpus;   /* 1e9 = one CPU; 0 = no limit */
	int64_t pids;	     /* max processes; 0 = no limit, -1 = unlimited */
};

/* The memory+swap limit the cgroup gets, Docker's: memory_swap unset with a
 * memory limit means swap as large as the memory (2 x memory); -1 unlimited. */
int64_t rt_limits_memsw(const struct rt_limits *l);
/* Files written (v1 | v2):
 *   memory      memory.limit_in_bytes | memory.max
 *   memory_swap memory.memsw.limit_in_bytes = memory_swap | memory.swap.max = memory_swap - memory
 *               (skipped with a warning when the kernel has no swap accounting)
 *   nano_cpus   cpu.cfs_period_us = 100000, cpu.cfs_quota_us | cpu.max "QUOTA 100000"
 *   pids        pids.max
 *   (always)    v1: devices.deny a + Docker's devices.allow list | a device program
 *               (runtime/devcgroup.h) attached to the cgroup2 directory
 * v1 controllers joined: memory, cpu, cpuacct, pids, devices. On the hybrid
 * layout gocker-<id> is also made in the unified hierarchy (no controllers;
 * it carries the device program when v1 has no devices controller). */

struct rt_cgroup;

/* Create gocker-<id> and write the limits. `fs_root` is the cgroup mount root
 * ("/sys/fs/cgroup"; unit tests pass a fake tree). Detects v1 / v2 / hybrid
 * from what is mounted there. Nothing is left behind on failure. */
int rt_cgroup_create(const char *fs_root, const char *id, const struct rt_limits *limits,
		     struct rt_cgroup **out, struct gk_err *err);
/* rt_cgroup_create() in two steps, so that a new container process can set
 * up its root while the v1 directories are made: rt_cgroup_begin() makes only
 * the cgroup2 directory (which clone3(CLONE_INTO_CGROUP) needs to exist),
 * after checking `limits` so that a bad one makes nothing;
 * rt_cgroup_complete() the v1 directories and writes every limit. After a failed
 * rt_cgroup_complete(), rt_cgroup_destroy() removes what was made. */
int rt_cgroup_begin(const char *fs_root, const char *id, const struct rt_limits *limits,
		    struct rt_cgroup **out, struct gk_err *err);
int rt_cgroup_complete(struct rt_cgroup *cg, const struct rt_limits *limits, struct gk_err *err);
/* The container cgroup's directories, one per hierarchy: the i-th (i <
 * rt_cgroup_count()) and the mount point of its hierarchy (with
 * "/sys/fs/cgroup" as root: "/sys/fs/cgroup/memory", "/sys/fs/cgroup" on v2). */
size_t rt_cgroup_count(const struct rt_cgroup *cg);
const char *rt_cgroup_dir(const struct rt_cgroup *cg, size_t i, const char **hierarchy);
/* Open the cgroup of an existing container (exec, stop, rm). */
int rt_cgroup_open(const char *fs_root, const char *id, struct rt_cgroup **out, struct gk_err *err);
/* Move `pid` into the cgroup (every controller on v1). */
int rt_cgroup_add_pid(struct rt_cgroup *cg, pid_t pid, struct gk_err *err);
/* The fast way in for a new container process, without cgroup.procs (whose
 * writes wait for an RCU grace period, ~10 ms): the parent clones it straight
 * into the cgroup2 directory with clone3(CLONE_INTO_CGROUP) using
 * the fd of rt_cgroup_v2_fd(), and the single-threaded child moves itself
 * into every v1 hierarchy with rt_cgroup_join_self_v1() (writes "0" to each
 * "tasks" file, which takes no global lock). rt_cgroup_v2_fd() sets *fd to
 * -1 and returns 0 when there is no cgroup2 directory (pure v1); -1 when
 * there is one but it cannot be opened. */
int rt_cgroup_v2_fd(struct rt_cgroup *cg, int *fd, struct gk_err *err);
int rt_cgroup_join_self_v1(struct rt_cgroup *cg, struct gk_err *err);
/* 1 when the kernel OOM-killed a process in it, 0 when not, -1 on error. */
int rt_cgroup_oom_killed(struct rt_cgroup *cg, struct gk_err *err);
/* CPU time used, in nanoseconds. */
int rt_cgroup_cpu_usage(struct rt_cgroup *cg, uint64_t *ns, struct gk_err *err);
/* SIGKILL whatever is still in it, then remove it (every controller).
 * Directories already gone are fine. */
int rt_cgroup_destroy(struct rt_cgroup *cg, struct gk_err *err);
/* "v1", "v2" or "hybrid". */
const char *rt_cgroup_mode(const struct rt_cgroup *cg);
/* 1 when memory.events (v2) or memory.oom_control (v1) text reports an OOM
 * kill (`oom_kill N` > 0; `under_oom 1` on v1 kernels before 4.13). */
int rt_cgroup_parse_oom(const char *text, int v2);
/* The path a process inside sees as its cgroup, for /proc/PID/cgroup checks. */
const char *rt_cgroup_path(const struct rt_cgroup *cg); /* "gocker-<id>" */
void rt_cgroup_free(struct rt_cgroup *cg);

#endif
