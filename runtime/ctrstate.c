#include "runtime/ctrstate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/lock.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/units.h"
#include "runtime/container.h"

char *rt_ctr_dir(const char *id)
{
	return gk_strdup_printf("%s/containers/%s", gk_root_dir(), id);
}

char *rt_ctr_run_dir(const char *id)
{
	return gk_strdup_printf("%s/containers/%s", gk_run_dir(), id);
}

char *rt_ctr_log_path(const char *id)
{
	return gk_strdup_printf("%s/containers/%s/%s-json.log", gk_root_dir(), id, id);
}

static void names_index_build(void);

int rt_ctr_lock(struct gk_err *err)
{
	_cleanup_free_ char *dir = gk_strdup_printf("%s/containers", gk_root_dir());
	if (gk_mkdir_p(dir, 0700, err) < 0)
		return -1;
	_cleanup_free_ char *path = gk_strdup_printf("%s/.lock", dir);
	int fd = gk_lock(path, GK_LOCK_EXCLUSIVE, err);
	if (fd >= 0)
		names_index_build();
	return fd;
}

int rt_ctr_state_read(const char *id, struct rt_ctr_state *st, struct gk_err *err)
{
	memset(st, 0, sizeof(*st));
	_cleanup_free_ char *path =
	    gk_strdup_printf("%s/containers/%s/state.json", gk_run_dir(), id);
	_cleanup_json_ json_object *o = NULL;
	if (!gk_path_exists(path)) {
		/* No runtime state (e.g. after a reboot): it is not running. */
		snprintf(st->status, sizeof(st->status), "exited");
		st->exit_code = 255;
		return 0;
	}
	if (gk_json_read_file(path, 1 << 20, &o, err) < 0)
		return -1;
	const char *s;
	snprintf(st->status, sizeof(st->status), "%s", (s = gk_json_str(o, "Status")) ? s : "");
	st->pid = (pid_t)gk_json_int(o, "Pid", 0);
	st->start_time = (unsigned long long)gk_json_int(o, "PidStartTime", 0);
	st->monitor_pid = (pid_t)gk_json_int(o, "MonitorPid", 0);
	st->monitor_start = (unsigned long long)gk_json_int(o, "MonitorStartTime", 0);
	st->exit_code = (int)gk_json_int(o, "ExitCode", 0);
	st->oom_killed = gk_json_bool(o, "OOMKilled", 0);
	snprintf(st->started_at, sizeof(st->started_at), "%s",
		 (s = gk_json_str(o, "StartedAt")) ? s : "");
	snprintf(st->finished_at, sizeof(st->finished_at), "%s",
		 (s = gk_json_str(o, "FinishedAt")) ? s : "");
	snprintf(st->error, sizeof(st->error), "%s", (s = gk_json_str(o, "Error")) ? s : "");
	snprintf(st->cgroup_path, sizeof(st->cgroup_path), "%s",
		 (s = gk_json_str(o, "CgroupPath")) ? s : "");
	return 0;
}

/* A new file holding `o` (open flags: O_TRUNC to replace, O_EXCL to create);
 * removed again when the write fails. */
static int write_json_file(const char *path, int flags, json_object *o, struct gk_err *err)
{
	size_t len;
	const char *s = json_object_to_json_string_length(
	    o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0600);
	if (fd < 0)
		return gk_err_set(err, errno, "create %s", path);
	ssize_t w = write(fd, s, len);
	close(fd);
	if (w != (ssize_t)len) {
		unlink(path);
		return gk_err_set(err, errno ? errno : EIO, "write %s", path);
	}
	return 0;
}

/* Runtime state lives in $GOCKER_RUN (a tmpfs, gone at reboot): atomic by
 * rename, but not worth an fsync. */
static int write_volatile(const char *path, json_object *o, struct gk_err *err)
{
	_cleanup_free_ char *tmp = gk_strdup_printf("%s.tmp-%d", path, (int)getpid());
	if (write_json_file(tmp, O_TRUNC, o, err) < 0)
		return -1;
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return gk_err_set(err, errno, "rename %s", path);
	}
	return 0;
}

int rt_ctr_state_write(const char *id, const struct rt_ctr_state *st, struct gk_err *err)
{
	_cleanup_free_ char *dir = rt_ctr_run_dir(id);
	if (gk_mkdir_p(dir, 0700, err) < 0)
		return -1;
	_cleanup_json_ json_object *o = json_object_new_object();
	json_object_object_add(o, "Status", json_object_new_string(st->status));
	json_object_object_add(o, "Pid", json_object_new_int64(st->pid));
	json_object_object_add(o, "PidStartTime", json_object_new_int64((int64_t)st->start_time));
	json_object_object_add(o, "MonitorPid", json_object_new_int64(st->monitor_pid));
	json_object_object_add(o, "MonitorStartTime",
			       json_object_new_int64((int64_t)st->monitor_start));
	json_object_object_add(o, "ExitCode", json_object_new_int(st->exit_code));
	json_object_object_add(o, "OOMKilled", json_object_new_boolean(st->oom_killed));
	json_object_object_add(o, "StartedAt", json_object_new_string(st->started_at));
	json_object_object_add(o, "FinishedAt", json_object_new_string(st->finished_at));
	json_object_object_add(o, "Error", json_object_new_string(st->error));
	json_object_object_add(o, "CgroupPath", json_object_new_string(st->cgroup_path));
	_cleanup_free_ char *path = gk_strdup_printf("%s/state.json", dir);
	return write_volatile(path, o, err);
}

int rt_ctr_state_replace(const char *id, const struct rt_ctr_state *st, struct gk_err *err)
{
	int lock = rt_ctr_lock(err);
	if (lock < 0)
		return -1;
	_cleanup_free_ char *dir = rt_ctr_run_dir(id);
	int rc = 0; /* removed meanwhile (rm -f): write nothing, make no directory */
	if (gk_path_exists(dir))
		rc = rt_ctr_state_write(id, st, err) < 0 ? -1 : 1;
	gk_unlock(lock);
	return rc;
}

int rt_ctr_running(const struct rt_ctr_state *st)
{
	return !strcmp(st->status, "running") && rt_proc_alive(st->pid, st->start_time) &&
	       rt_proc_alive(st->monitor_pid, st->monitor_start);
}

void rt_ctr_state_refresh(struct rt_ctr_state *st)
{
	/* A live monitor whose container is gone is recording its end right
	 * now: the exit code comes from that record, not from here. */
	if (strcmp(st->status, "running") != 0 || rt_proc_alive(st->monitor_pid, st->monitor_start))
		return;
	/* The monitor vanished without recording the end: the container died
	 * with it (it is killed when its parent dies). */
	snprintf(st->status, sizeof(st->status), "exited");
	st->exit_code = 137;
	if (!st->finished_at[0]) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		gk_format_time(&now, st->finished_at, sizeof(st->finished_at));
	}
}

int rt_ctr_config_read(const char *id, json_object **out, struct gk_err *err)
{
	_cleanup_free_ char *path =
	    gk_strdup_printf("%s/containers/%s/config.json", gk_root_dir(), id);
	return gk_json_read_file(path, 4 << 20, out, err);
}

int rt_ctr_config_private_network(json_object *cfg)
{
	const char *net = gk_json_str(gk_json_obj(cfg, "HostConfig"), "NetworkMode");
	return net && strcmp(net, "none") != 0 && strcmp(net, "host") != 0;
}

int rt_ctr_config_write(const char *id, json_object *cfg, struct gk_err *err)
{
	_cleanup_free_ char *dir = rt_ctr_dir(id);
	if (gk_mkdir_p(dir, 0710, err) < 0)
		return -1;
	_cleanup_free_ char *path = gk_strdup_printf("%s/config.json", dir);
	return write_json_file(path, O_EXCL, cfg, err);
}

int rt_ctr_config_sync(const char *id, struct gk_err *err)
{
	_cleanup_free_ char *dir = rt_ctr_dir(id);
	_cleanup_free_ char *path = gk_strdup_printf("%s/config.json", dir);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return gk_err_set(err, errno, "fsync %s", path);
	return gk_fsync_dir(dir, err);
}

static int is_id(const char *s)
{
	return strlen(s) == RT_ID_LEN && strspn(s, "0123456789abcdef") == RT_ID_LEN;
}

struct entry {
	char *id;
	char created[64];
};

static int by_created(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->created, y->created);
	return c ? c : strcmp(x->id, y->id);
}

char **rt_ctr_list(void)
{
	_cleanup_free_ char *dir = gk_strdup_printf("%s/containers", gk_root_dir());
	char **out = gk_malloc0(sizeof(char *));
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return out;
	struct entry *v = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!is_id(de->d_name))
			continue;
		struct gk_err ignored;
		_cleanup_json_ json_object *cfg = NULL;
		if (rt_ctr_config_read(de->d_name, &cfg, &ignored) < 0)
			continue;
		struct entry *nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv)
			abort(); /* as gk_malloc0 does: no sane recovery */
		v = nv;
		v[n].id = gk_strdup(de->d_name);
		const char *c = gk_json_str(cfg, "Created");
		snprintf(v[n].created, sizeof(v[n].created), "%s", c ? c : "");
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), by_created);
	for (size_t i = 0; i < n; i++) {
		gk_strv_push(&out, v[i].id);
		free(v[i].id);
	}
	free(v);
	return out;
}

/* Names are claimed in $GOCKER_ROOT/names/<name>, a symlink to the
 * container's id: one readlink says who has a name and symlink(2) claims one
 * atomically, where reading every container's config.json cost 45 us per
 * container and command (3 ms with 60 containers). A link whose container is
 * gone (a crash between the two steps of a removal) names no one. */
static char *name_link(const char *name)
{
	return gk_strdup_printf("%s/names/%s", gk_root_dir(), name);
}

/* Stores made before the index get it from their configs, the first time
 * the containers lock is taken (under it): built aside, then renamed in. */
static void names_index_build(void)
{
	_cleanup_free_ char *dir = gk_strdup_printf("%s/names", gk_root_dir());
	if (gk_path_exists(dir))
		return;
	_cleanup_free_ char *tmp = gk_strdup_printf("%s.tmp-%d", dir, (int)getpid());
	struct gk_err ignored;
	gk_remove_tree(tmp, &ignored);
	if (mkdir(tmp, 0700) < 0)
		return;
	_cleanup_free_ char *cdir = gk_strdup_printf("%s/containers", gk_root_dir());
	_cleanup_closedir_ DIR *d = opendir(cdir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		_cleanup_json_ json_object *cfg = NULL;
		if (!is_id(de->d_name) || rt_ctr_config_read(de->d_name, &cfg, &ignored) < 0)
			continue;
		const char *n = gk_json_str(cfg, "Name");
		if (!n || n[0] != '/' || !rt_ctr_name_valid(n))
			continue;
		_cleanup_free_ char *link = gk_strdup_printf("%s/%s", tmp, n + 1);
		if (symlink(de->d_name, link) < 0 && errno != EEXIST)
			gk_debug("name index: %s: %s", link, strerror(errno));
	}
	if (rename(tmp, dir) < 0)
		gk_remove_tree(tmp, &ignored);
}

/* The id a name link holds: 1, or 0 when it holds none. */
static int name_link_target(const char *link, char target[RT_ID_LEN + 1])
{
	char buf[RT_ID_LEN + 2];
	ssize_t n = readlink(link, buf, sizeof(buf) - 1);
	if (n != RT_ID_LEN)
		return 0;
	buf[n] = '\0';
	memcpy(target, buf, RT_ID_LEN + 1);
	return 1;
}

int rt_ctr_name_owner(const char *name, char id[65])
{
	if (name[0] == '/')
		name++;
	if (!rt_ctr_name_valid(name))
		return 0;
	_cleanup_free_ char *link = name_link(name);
	char target[RT_ID_LEN + 1];
	if (!name_link_target(link, target) || !is_id(target))
		return 0;
	_cleanup_free_ char *dir = rt_ctr_dir(target);
	if (!gk_path_exists(dir))
		return 0;
	memcpy(id, target, RT_ID_LEN + 1);
	return 1;
}

int rt_ctr_name_claim(const char *name, const char *id, struct gk_err *err)
{
	if (name[0] == '/')
		name++;
	/* names/ exists: rt_ctr_lock(), which the caller holds, made it */
	_cleanup_free_ char *link = name_link(name);
	char owner[RT_ID_LEN + 1];
	if (symlink(id, link) == 0)
		return 0;
	/* taken by a container that is gone: free again */
	if (errno == EEXIST && !rt_ctr_name_owner(name, owner) && unlink(link) == 0 &&
	    symlink(id, link) == 0)
		return 0;
	return gk_err_set(err, errno, "claim the name %s: %s", name, link);
}

void rt_ctr_name_release(const char *name, const char *id)
{
	if (name[0] == '/')
		name++;
	_cleanup_free_ char *link = name_link(name);
	char target[RT_ID_LEN + 1];
	if (name_link_target(link, target) && !strcmp(target, id))
		unlink(link);
}

int rt_ctr_resolve(const char *q, char id[65], struct gk_err *err)
{
	if (!q || !*q) {
		gk_err_set(err, 0, "No such container: %s", q ? q : "");
		err->errnum = ENOENT;
		return -1;
	}
	_cleanup_free_ char *qdir = rt_ctr_dir(q);
	if (is_id(q) && gk_path_exists(qdir)) {
		snprintf(id, 65, "%s", q);
		return 0;
	}
	if (rt_ctr_name_owner(q, id))
		return 0;
	/* A prefix: the directory's names are enough (no config to read). */
	size_t ql = strlen(q), matches = 0;
	_cleanup_free_ char *dir = gk_strdup_printf("%s/containers", gk_root_dir());
	_cleanup_closedir_ DIR *d = strspn(q, "0123456789abcdef") == ql ? opendir(dir) : NULL;
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (is_id(de->d_name) && !strncmp(de->d_name, q, ql)) {
			snprintf(id, 65, "%s", de->d_name);
			matches++;
		}
	if (matches == 1)
		return 0;
	if (matches > 1)
		return gk_err_set(err, 0, "multiple IDs found with provided prefix: %s", q);
	gk_err_set(err, 0, "No such container: %s", q);
	err->errnum = ENOENT; /* "not found", unlike an ambiguous prefix */
	return -1;
}

int rt_ctr_name_valid(const char *name)
{
	if (name[0] == '/')
		name++;
	size_t n = strlen(name);
	if (n < 2 || n > 255)
		return 0;
	static const char alnum[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	if (!strchr(alnum, name[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!strchr(alnum, name[i]) && !strchr("_.-", name[i]))
			return 0;
	return 1;
}

static const char *const adjectives[] = {
    "admiring", "affectionate", "amazing",   "angry",	 "awesome",   "bold",	    "brave",
    "busy",	"charming",	"clever",    "cool",	 "dazzling",  "determined", "eager",
    "ecstatic", "elegant",	"epic",	     "focused",	 "friendly",  "gallant",    "gifted",
    "happy",	"hopeful",	"jolly",     "keen",	 "kind",      "laughing",   "loving",
    "modest",	"nifty",	"nostalgic", "peaceful", "practical", "quirky",	    "relaxed",
    "serene",	"sharp",	"silly",     "stoic",	 "sweet",     "tender",	    "trusting",
    "upbeat",	"vibrant",	"wizardly",  "youthful", "zealous",   "zen",
};
static const char *const surnames[] = {
    "albattani", "babbage",  "bell",	"bohr",	   "curie",   "darwin",	  "dijkstra",
    "einstein",	 "euler",    "fermi",	"feynman", "galileo", "gauss",	  "hopper",
    "hypatia",	 "kepler",   "knuth",	"lamarr",  "leakey",  "lovelace", "mccarthy",
    "meitner",	 "newton",   "noether", "pasteur", "pike",    "ritchie",  "shannon",
    "thompson",	 "torvalds", "turing",	"wozniak", "yalow",   "hamilton", "goldberg",
};

char *rt_ctr_name_generate(void)
{
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	for (int attempt = 0;; attempt++) {
		unsigned r = rand_r(&seed);
		const char *a = adjectives[r % (sizeof(adjectives) / sizeof(adjectives[0]))];
		const char *s = surnames[(r / 64) % (sizeof(surnames) / sizeof(surnames[0]))];
		char *name = attempt < 10 ? gk_strdup_printf("%s_%s", a, s)
					  : gk_strdup_printf("%s_%s%d", a, s, attempt);
		char owner[RT_ID_LEN + 1];
		if (!rt_ctr_name_owner(name, owner))
			return name;
		free(name);
	}
}
