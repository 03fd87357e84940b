/* Container state on disk (see DESIGN.md):
 *   $GOCKER_ROOT/containers/<id>/config.json   what was asked (Docker's
 *       inspect shape: Id, Name, Created, Path, Args, Image, Config, HostConfig)
 *   $GOCKER_ROOT/containers/<id>/<id>-json.log  json-file log of detached runs
 *   $GOCKER_RUN/containers/<id>/state.json      what is happening: pids and
 *       their /proc start times, status, exit code, OOMKilled, times
 *   $GOCKER_ROOT/names/<name> -> <id>            who has each name
 * state.json writes are atomic (config.json is written once, at creation);
 * creation, naming and removal happen under
 * $GOCKER_ROOT/containers/.lock. */
#ifndef RT_CTRSTATE_H
#define RT_CTRSTATE_H

#include <json-c/json.h>
#include <sys/types.h>

#include "common/err.h"

struct rt_ctr_state {
	char status[16]; /* "created", "running", "exited" */
	pid_t pid;
	unsigned long long start_time;
	pid_t monitor_pid;
	unsigned long long monitor_start;
	int exit_code;
	int oom_killed;
	char started_at[64];  /* RFC 3339, "" when never */
	char finished_at[64]; /* RFC 3339, "" when not yet */
	char error[512];
	char cgroup_path[160]; /* "gocker-<id>" at the top of each hierarchy */
};

char *rt_ctr_dir(const char *id);     /* $GOCKER_ROOT/containers/<id> */
char *rt_ctr_run_dir(const char *id); /* $GOCKER_RUN/containers/<id> */
char *rt_ctr_log_path(const char *id);

/* The containers lock (exclusive); returns the fd for gk_unlock. */
int rt_ctr_lock(struct gk_err *err);

int rt_ctr_state_read(const char *id, struct rt_ctr_state *st, struct gk_err *err);
int rt_ctr_state_write(const char *id, const struct rt_ctr_state *st, struct gk_err *err);
/* rt_ctr_state_write() under the containers lock, only when the container
 * still exists: 1 written, 0 removed meanwhile (nothing written), -1 error.
 * For whoever launches or monitors it, which must never bring back a
 * container that rm removed. */
int rt_ctr_state_replace(const char *id, const struct rt_ctr_state *st, struct gk_err *err);
/* Refresh what the processes say: a "running" container whose process or
 * monitor is gone is reported as exited. */
void rt_ctr_state_refresh(struct rt_ctr_state *st);
int rt_ctr_running(const struct rt_ctr_state *st);

int rt_ctr_config_read(const char *id, json_object **out, struct gk_err *err);
/* Is cfg's HostConfig.NetworkMode a network of gocker's own (not none or
 * host)? Only those containers have addresses, veths and rules to free. */
int rt_ctr_config_private_network(json_object *cfg);
/* Creates config.json of a new container, in place rather than renamed
 * into place (a rename is one more directory update on the store's disk):
 * the name check reads configs under the lock the creator holds, and the
 * other readers skip a config that does not parse yet. Not yet durable:
 * rt_ctr_config_sync() makes it so, which `run` does while the container
 * runs rather than before it starts. */
int rt_ctr_config_write(const char *id, json_object *cfg, struct gk_err *err);
int rt_ctr_config_sync(const char *id, struct gk_err *err);

/* Every container id, oldest first (by Created). */
char **rt_ctr_list(void);

/* A full id, a name (with or without the leading '/'), or a unique id prefix.
 * Errors read "No such container: x" (errnum ENOENT) or "multiple IDs found
 * with provided prefix: x" (errnum 0). */
int rt_ctr_resolve(const char *name_or_id, char id[65], struct gk_err *err);
/* The id using `name` ("/name" stored), or 0: $GOCKER_ROOT/names/<name>, a
 * symlink to the id (a link to a container that is gone names no one). */
int rt_ctr_name_owner(const char *name, char id[65]);
/* Under the containers lock: take `name` (free, as rt_ctr_name_owner says)
 * for `id`; let it go when the container is removed. */
int rt_ctr_name_claim(const char *name, const char *id, struct gk_err *err);
void rt_ctr_name_release(const char *name, const char *id);
/* Docker's name rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
int rt_ctr_name_valid(const char *name);
/* adjective_surname, as Docker; free (rt_ctr_name_owner) when returned. */
char *rt_ctr_name_generate(void);

#endif
