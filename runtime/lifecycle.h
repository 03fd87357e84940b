/* Container lifecycle operations shared by the commands (and the
 * supervisor): record an exit, stop, kill, remove. All work from the state on
 * disk, so they also work when the container's monitor is gone. */
#ifndef RT_LIFECYCLE_H
#define RT_LIFECYCLE_H

#include <sys/types.h>

#include "common/err.h"

#define RT_CGROUP_ROOT "/sys/fs/cgroup"

/* Mark the container exited with `code` (and OOMKilled) in state.json. */
int rt_ctr_record_exit(const char *id, int code, int oom_killed, struct gk_err *err);
struct rt_cgroup;
/* What follows a container's end, for whoever was its parent (foreground
 * `run`, the -d monitor through `gocker __monitor-finish`): when `started`,
 * the OOM check (an OOM kill makes code 0 read 137); the cgroup's removal
 * (cg NULL: opened by id; kills anything left in it); then, when `record`,
 * the exit recorded in state.json (or the state put back to "created" when
 * it never started). Without `record` (--rm) nothing is written: the caller
 * removes the container next, with RT_REMOVE_CGROUP_GONE. */
void rt_ctr_finish(const char *id, struct rt_cgroup *cg, int code, int started, int record);
/* Wait up to timeout_ms for the process to be gone; 1 when gone. */
int rt_pid_wait_gone(pid_t pid, unsigned long long start_time, int timeout_ms);
/* Send `sig` to the container's first process; error when not running. */
int rt_ctr_kill(const char *id, int sig, struct gk_err *err);
/* Stop signal, up to timeout_s seconds of grace, then SIGKILL; waits until
 * the exit is recorded. A stopped container is not an error. */
int rt_ctr_stop(const char *id, int sig, int timeout_s, struct gk_err *err);
/* Remove the container: refuses a running one, or one a run is still
 * creating ("created" with a live monitor: the launcher), unless
 * RT_REMOVE_FORCE (then kills it and that launcher), then its cgroup (unless
 * RT_REMOVE_CGROUP_GONE: rt_ctr_finish removed it), its directories and its
 * runtime state, once no process the state names is left. */
enum { RT_REMOVE_FORCE = 1, RT_REMOVE_CGROUP_GONE = 2 };
int rt_ctr_remove(const char *id, int flags, struct gk_err *err);
/* Parse "TERM", "SIGTERM", "15". Returns the number or -1. */
int rt_signal_parse(const char *s);

#endif
