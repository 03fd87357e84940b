/* Container cgroups on v1, v2 and the hybrid layout (see cgroup.h).
 *
 * A container cgroup is a list of directories `<hierarchy>/gocker-<id>`, one
 * per hierarchy it lives in, each tagged with the controllers it serves. They
 * sit at the top of each hierarchy, with no shared `gocker/` parent: a parent
 * would be two more cgroups to create and remove per hierarchy and container
 * (the last container must remove it: nothing of gocker's stays behind), and
 * a race between one container's rmdir of it and another's mkdir inside. Every
 * resource has one writer that picks its files by the hierarchy's version, so
 * v1 and v2 share the code paths (create, add_pid, destroy). */
#include "runtime/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "runtime/devcgroup.h"

enum cg_mode { CG_V1, CG_V2, CG_HYBRID };

#define CG_PREFIX "gocker-" /* a container's cgroup: CG_PREFIX "<id>" */

/* Controllers a container cgroup is placed in, as bits. */
enum {
	CTL_MEMORY = 1 << 0,
	CTL_CPU = 1 << 1,
	CTL_CPUACCT = 1 << 2,
	CTL_PIDS = 1 << 3,
	CTL_DEVICES = 1 << 4,
};

static const struct {
	const char *name;
	unsigned bit;
} v1_controllers[] = {
    {"memory", CTL_MEMORY}, {"cpu", CTL_CPU},	      {"cpuacct", CTL_CPUACCT},
    {"pids", CTL_PIDS},	    {"devices", CTL_DEVICES},
};
#define N_V1 (sizeof(v1_controllers) / sizeof(v1_controllers[0]))

/* One directory of the container cgroup in one hierarchy. */
struct cg_dir {
	char *hier;    /* the hierarchy's mount (real path on v1) */
	char *path;    /* <hierarchy>/gocker-<id> */
	unsigned ctls; /* controllers served by this directory (CTL_*) */
	bool v2;       /* a cgroup2 hierarchy */
	bool created;  /* made by this rt_cgroup_create (removed on failure) */
};

struct rt_cgroup {
	enum cg_mode mode;
	char *fs_root; /* where the hierarchies are mounted */
	char *rel;     /* "gocker-<id>" */
	struct cg_dir dirs[N_V1 + 1];
	size_t n;
};

/* ---- small file helpers: errors always name the file ---- */

static int cg_write(const char *dir, const char *file, const char *value, struct gk_err *err)
{
	_cleanup_free_ char *path = gk_strdup_printf("%s/%s", dir, file);
	/* No O_CREAT: a control file that is missing is an error, as on cgroupfs. */
	_cleanup_close_ int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return gk_err_set(err, errno, "cgroup: open %s", path);
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	if (n < 0)
		return gk_err_set(err, errno, "cgroup: write \"%s\" to %s", value, path);
	if ((size_t)n != len)
		return gk_err_set(err, EIO, "cgroup: short write of \"%s\" to %s", value, path);
	return 0;
}

static int cg_write_i64(const char *dir, const char *file, int64_t v, struct gk_err *err)
{
	char buf[32];
	if (v < 0)
		snprintf(buf, sizeof(buf), "max");
	else
		snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cg_write(dir, file, buf, err);
}

static int cg_read(const char *dir, const char *file, char **out, struct gk_err *err)
{
	_cleanup_free_ char *path = gk_strdup_printf("%s/%s", dir, file);
	if (gk_read_file(path, 1 << 20, out, NULL, err) < 0)
		return gk_err_wrap(err, "cgroup");
	return 0;
}

static bool file_exists(const char *dir, const char *file)
{
	_cleanup_free_ char *path = gk_strdup_printf("%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Value of "key N" in a flat-keyed file (memory.events, memory.oom_control,
 * cpu.stat). Returns 1 when found, 0 when not. */
static int keyed_value(const char *text, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);
	for (const char *line = text; line && *line;) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			*out = strtoull(line + klen + 1, NULL, 10);
			return 1;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 0;
}

/* ---- layout detection ---- */

static int detect_mode(const char *fs_root, enum cg_mode *mode, struct gk_err *err)
{
	if (file_exists(fs_root, "cgroup.controllers")) {
		*mode = CG_V2;
		return 0;
	}
	for (size_t i = 0; i < N_V1; i++) {
		_cleanup_free_ char *d = gk_strdup_printf("%s/%s", fs_root, v1_controllers[i].name);
		if (is_dir(d) && file_exists(d, "cgroup.procs")) {
			_cleanup_free_ char *u = gk_strdup_printf("%s/unified", fs_root);
			*mode = file_exists(u, "cgroup.controllers") ? CG_HYBRID : CG_V1;
			return 0;
		}
	}
	return gk_err_set(err, ENOENT,
			  "cgroup: no cgroup hierarchy at %s (neither %s/cgroup.controllers nor "
			  "v1 controller directories)",
			  fs_root, fs_root);
}

static struct cg_dir *add_dir(struct rt_cgroup *cg, const char *hier, unsigned ctls, bool v2)
{
	struct cg_dir *d = &cg->dirs[cg->n++];
	d->hier = gk_strdup(hier);
	d->path = gk_strdup_printf("%s/%s", hier, cg->rel);
	d->ctls = ctls;
	d->v2 = v2;
	return d;
}

/* The hierarchy a v1 controller lives in: its directory under fs_root, or
 * the sibling its symlink names ("cpu" -> "cpu,cpuacct" when co-mounted).
 * NULL when the controller is not mounted. One readlink instead of a
 * realpath: this runs at every create, finish and remove. */
static char *hierarchy_dir(const char *fs_root, const char *controller)
{
	_cleanup_free_ char *path = gk_strdup_printf("%s/%s", fs_root, controller);
	char target[NAME_MAX + 1];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return errno == EINVAL ? gk_steal_ptr(path) : NULL; /* EINVAL: no symlink */
	target[n] = '\0';
	if (!strchr(target, '/'))
		return gk_strdup_printf("%s/%s", fs_root, target);
	char *real = realpath(path, NULL); /* anywhere else */
	if (real && !is_dir(real)) {
		free(real);
		return NULL;
	}
	return real;
}

/* Fill cg->dirs for the layout. v1 controllers co-mounted in one hierarchy
 * ("cpu,cpuacct" with cpu and cpuacct as symlinks to it) share one directory. */
static struct cg_dir *dir_for(struct rt_cgroup *cg, unsigned ctl)
{
	for (size_t i = 0; i < cg->n; i++)
		if (cg->dirs[i].ctls & ctl)
			return &cg->dirs[i];
	return NULL;
}

static int cg_layout(const char *fs_root, const char *id, struct rt_cgroup **out,
		     struct gk_err *err)
{
	enum cg_mode mode = CG_V1;
	if (detect_mode(fs_root, &mode, err) < 0)
		return -1;
	struct rt_cgroup *cg = gk_malloc0(sizeof(*cg));
	cg->mode = mode;
	cg->fs_root = gk_strdup(fs_root);
	cg->rel = gk_strdup_printf(CG_PREFIX "%s", id);
	if (mode == CG_V2) {
		add_dir(cg, fs_root, CTL_MEMORY | CTL_CPU | CTL_CPUACCT | CTL_PIDS | CTL_DEVICES,
			true);
		*out = cg;
		return 0;
	}
	for (size_t i = 0; i < N_V1; i++) {
		_cleanup_free_ char *real = hierarchy_dir(fs_root, v1_controllers[i].name);
		if (!real)
			continue;
		struct cg_dir *shared = NULL;
		for (size_t k = 0; k < cg->n && !shared; k++)
			if (strcmp(cg->dirs[k].hier, real) == 0)
				shared = &cg->dirs[k];
		if (shared)
			shared->ctls |= v1_controllers[i].bit;
		else
			add_dir(cg, real, v1_controllers[i].bit, false);
	}
	if (mode == CG_HYBRID) {
		/* without a v1 devices controller, cgroup2 restricts the devices */
		_cleanup_free_ char *u = gk_strdup_printf("%s/unified", fs_root);
		add_dir(cg, u, dir_for(cg, CTL_DEVICES) ? 0 : CTL_DEVICES, true);
	}
	*out = cg;
	return 0;
}

size_t rt_cgroup_count(const struct rt_cgroup *cg)
{
	return cg->n;
}

const char *rt_cgroup_dir(const struct rt_cgroup *cg, size_t i, const char **hierarchy)
{
	if (hierarchy)
		*hierarchy = cg->dirs[i].hier;
	return cg->dirs[i].path;
}

const char *rt_cgroup_path(const struct rt_cgroup *cg)
{
	return cg->rel;
}

void rt_cgroup_free(struct rt_cgroup *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->n; i++) {
		free(cg->dirs[i].hier);
		free(cg->dirs[i].path);
	}
	free(cg->fs_root);
	free(cg->rel);
	free(cg);
}

int rt_cgroup_open(const char *fs_root, const char *id, struct rt_cgroup **out, struct gk_err *err)
{
	if (!fs_root)
		fs_root = "/sys/fs/cgroup";
	if (cg_layout(fs_root, id, out, err) < 0)
		return gk_err_wrap(err, "cgroup of %s", id);
	return 0;
}

/* ---- one writer per resource ---- */

int64_t rt_limits_memsw(const struct rt_limits *l)
{
	if (l->memory_swap == 0 && l->memory > 0)
		return 2 * l->memory;
	return l->memory_swap;
}

static int write_memory(struct rt_cgroup *cg, const struct rt_limits *l, struct gk_err *err)
{
	if (l->memory <= 0)
		return 0;
	struct cg_dir *d = dir_for(cg, CTL_MEMORY);
	if (!d)
		return gk_err_set(err, ENOENT, "cgroup: no memory controller for a memory limit");
	int64_t memsw = rt_limits_memsw(l);
	if (d->v2) {
		if (cg_write_i64(d->path, "memory.max", l->memory, err) < 0)
			return -1;
		if (!file_exists(d->path, "memory.swap.max")) {
			gk_warn(
			    "your kernel does not support swap limit capabilities or the cgroup is "
			    "not mounted: memory limited without swap");
			return 0;
		}
		return cg_write_i64(d->path, "memory.swap.max", memsw < 0 ? -1 : memsw - l->memory,
				    err);
	}
	if (cg_write_i64(d->path, "memory.limit_in_bytes", l->memory, err) < 0)
		return -1;
	if (!file_exists(d->path, "memory.memsw.limit_in_bytes")) {
		gk_warn("your kernel does not support swap limit capabilities or the cgroup is not "
			"mounted: memory limited without swap");
		return 0;
	}
	if (memsw < 0)
		return cg_write(d->path, "memory.memsw.limit_in_bytes", "-1", err);
	return cg_write_i64(d->path, "memory.memsw.limit_in_bytes", memsw, err);
}

#define CFS_PERIOD_US 100000

static int write_cpu(struct rt_cgroup *cg, const struct rt_limits *l, struct gk_err *err)
{
	if (l->nano_cpus <= 0)
		return 0;
	struct cg_dir *d = dir_for(cg, CTL_CPU);
	if (!d)
		return gk_err_set(err, ENOENT, "cgroup: no cpu controller for a cpu limit");
	int64_t quota = l->nano_cpus * CFS_PERIOD_US / 1000000000LL;
	if (quota < 1000) /* the kernel's minimum quota is 1ms */
		quota = 1000;
	if (d->v2) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%" PRId64 " %d", quota, CFS_PERIOD_US);
		return cg_write(d->path, "cpu.max", buf, err);
	}
	if (cg_write_i64(d->path, "cpu.cfs_period_us", CFS_PERIOD_US, err) < 0)
		return -1;
	return cg_write_i64(d->path, "cpu.cfs_quota_us", quota, err);
}

static int write_pids(struct rt_cgroup *cg, const struct rt_limits *l, struct gk_err *err)
{
	if (l->pids == 0)
		return 0;
	struct cg_dir *d = dir_for(cg, CTL_PIDS);
	if (!d)
		return gk_err_set(err, ENOENT, "cgroup: no pids controller for a pids limit");
	return cg_write_i64(d->path, "pids.max", l->pids, err);
}

/* Docker's default device rules: devices.deny and devices.allow on v1, a
 * device program on cgroup2. */
static int write_devices_v1(const struct cg_dir *d, struct gk_err *err)
{
	if (cg_write(d->path, "devices.deny", "a", err) < 0)
		return -1;
	/* The kernel takes one rule per write(): keep one fd, one write each. */
	_cleanup_free_ char *path = gk_strdup_printf("%s/devices.allow", d->path);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return gk_err_set(err, errno, "cgroup: open %s", path);
	for (size_t i = 0; i < rt_dev_default_count; i++) {
		_cleanup_free_ char *rule = rt_dev_rule_v1(&rt_dev_default_rules[i]);
		_cleanup_free_ char *line = gk_strdup_printf("%s\n", rule);
		if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
			return gk_err_set(err, errno, "cgroup: write \"%s\" to %s", rule, path);
	}
	return 0;
}

static bool on_cgroup2(const char *path)
{
	struct statfs fs;
	return statfs(path, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

static int write_devices(struct rt_cgroup *cg, struct gk_err *err)
{
	struct cg_dir *d = dir_for(cg, CTL_DEVICES);
	if (!d)
		return 0;
	if (!d->v2)
		return write_devices_v1(d, err);
	/* The unit tests' fake trees are plain directories: nothing to attach to. */
	if (!on_cgroup2(d->path))
		return 0;
	if (rt_dev_attach_program(d->path, rt_dev_default_rules, rt_dev_default_count, err) < 0)
		return gk_err_wrap(err, "cgroup: restrict devices");
	return 0;
}

static int validate_limits(const struct rt_limits *l, struct gk_err *err)
{
	if (l->memory < 0 || l->nano_cpus < 0 || l->pids < -1 || l->memory_swap < -1)
		return gk_err_set(err, EINVAL, "cgroup: negative limit");
	if (l->memory_swap > 0 && l->memory == 0)
		return gk_err_set(err, EINVAL,
				  "cgroup: a memory+swap limit needs a memory limit too");
	if (l->memory_swap > 0 && l->memory_swap < l->memory)
		return gk_err_set(err, EINVAL,
				  "cgroup: memory+swap limit (%" PRId64
				  ") must be at least the memory limit (%" PRId64 ")",
				  l->memory_swap, l->memory);
	return 0;
}

/* ---- create ---- */

/* Does the space-separated list `list` hold `word`? */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return true;
	return false;
}

/* Enable `ctls` ("+memory +cpu +pids") in dir/cgroup.subtree_control. When
 * the kernel refuses one (the cpu controller while real-time tasks sit in
 * other cgroups), the others are still enabled one by one; a limit that then
 * needs a missing controller fails naming its file. */
static int enable_in(const char *dir, const char *ctls, struct gk_err *err)
{
	_cleanup_free_ char *cur = NULL;
	struct gk_err ignored;
	if (cg_read(dir, "cgroup.subtree_control", &cur, err) < 0)
		return -1;
	bool missing = false;
	_cleanup_free_ char *copy = gk_strdup(ctls);
	char *save = NULL;
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		missing |= !has_word(cur, w + 1);
	if (!missing || cg_write(dir, "cgroup.subtree_control", ctls, err) == 0)
		return 0;
	free(copy);
	copy = gk_strdup(ctls);
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (!has_word(cur, w + 1) &&
		    cg_write(dir, "cgroup.subtree_control", w, &ignored) < 0)
			gk_warn("%s", ignored.msg);
	return 0;
}

/* On pure v2, the container cgroup is a child of the root: enable the
 * controllers it needs in the root's cgroup.subtree_control (systemd hosts
 * have them enabled already; then nothing is written). */
static int enable_v2_controllers(const char *fs_root, struct gk_err *err)
{
	_cleanup_free_ char *avail = NULL;
	if (cg_read(fs_root, "cgroup.controllers", &avail, err) < 0)
		return -1;
	static const char *const want[] = {"memory", "cpu", "pids"};
	char buf[64] = "";
	for (size_t i = 0; i < 3; i++)
		if (has_word(avail, want[i])) {
			strcat(buf, buf[0] ? " +" : "+");
			strcat(buf, want[i]);
		}
	if (!buf[0])
		return 0;
	return enable_in(fs_root, buf, err);
}

static void undo_created(struct rt_cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++)
		if (cg->dirs[i].created && rmdir(cg->dirs[i].path) < 0 && errno != ENOENT)
			gk_warn("cgroup: remove %s: %s", cg->dirs[i].path, strerror(errno));
}

static int make_dir(struct rt_cgroup *cg, struct cg_dir *d, struct gk_err *err)
{
	if (d->v2 && cg->mode == CG_V2 && enable_v2_controllers(cg->fs_root, err) < 0)
		return -1;
	if (mkdir(d->path, 0755) == 0) {
		d->created = true;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	return gk_err_set(err, errno, "cgroup: mkdir %s", d->path);
}

/* The directories of one version: cgroup2 ones (v2) or v1 ones. */
static int make_dirs(struct rt_cgroup *cg, bool v2, struct gk_err *err)
{
	for (size_t i = 0; i < cg->n; i++) {
		if (cg->dirs[i].v2 == v2 && make_dir(cg, &cg->dirs[i], err) < 0)
			return -1;
	}
	return 0;
}

static const struct rt_limits no_limits;

int rt_cgroup_begin(const char *fs_root, const char *id, const struct rt_limits *limits,
		    struct rt_cgroup **out, struct gk_err *err)
{
	if (!fs_root)
		fs_root = "/sys/fs/cgroup";
	if (validate_limits(limits ? limits : &no_limits, err) < 0)
		return -1;
	struct rt_cgroup *cg;
	if (cg_layout(fs_root, id, &cg, err) < 0)
		return gk_err_wrap(err, "create cgroup for %s", id);
	if (make_dirs(cg, true, err) < 0) {
		undo_created(cg);
		rt_cgroup_free(cg);
		return gk_err_wrap(err, "create cgroup for %s", id);
	}
	*out = cg;
	return 0;
}

int rt_cgroup_complete(struct rt_cgroup *cg, const struct rt_limits *limits, struct gk_err *err)
{
	if (!limits)
		limits = &no_limits;
	if (make_dirs(cg, false, err) < 0 || write_memory(cg, limits, err) < 0 ||
	    write_cpu(cg, limits, err) < 0 || write_pids(cg, limits, err) < 0 ||
	    write_devices(cg, err) < 0)
		return gk_err_wrap(err, "create cgroup for %s", cg->rel + strlen(CG_PREFIX));
	return 0;
}

int rt_cgroup_create(const char *fs_root, const char *id, const struct rt_limits *limits,
		     struct rt_cgroup **out, struct gk_err *err)
{
	struct rt_cgroup *cg;
	if (rt_cgroup_begin(fs_root, id, limits, &cg, err) < 0)
		return -1;
	if (rt_cgroup_complete(cg, limits, err) < 0) {
		undo_created(cg);
		rt_cgroup_free(cg);
		return -1;
	}
	*out = cg;
	return 0;
}

int rt_cgroup_add_pid(struct rt_cgroup *cg, pid_t pid, struct gk_err *err)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < cg->n; i++)
		if (cg_write(cg->dirs[i].path, "cgroup.procs", buf, err) < 0)
			return gk_err_wrap(err, "add pid %d to %s", (int)pid, cg->rel);
	return 0;
}

int rt_cgroup_v2_fd(struct rt_cgroup *cg, int *fd, struct gk_err *err)
{
	*fd = -1;
	for (size_t i = 0; i < cg->n; i++) {
		if (!cg->dirs[i].v2)
			continue;
		*fd = open(cg->dirs[i].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (*fd < 0)
			return gk_err_set(err, errno, "cgroup: open %s", cg->dirs[i].path);
		return 0;
	}
	return 0;
}

int rt_cgroup_join_self_v1(struct rt_cgroup *cg, struct gk_err *err)
{
	for (size_t i = 0; i < cg->n; i++)
		if (!cg->dirs[i].v2 && cg_write(cg->dirs[i].path, "tasks", "0", err) < 0)
			return gk_err_wrap(err, "join %s", cg->rel);
	return 0;
}

/* ---- reading ---- */

int rt_cgroup_parse_oom(const char *text, int v2)
{
	uint64_t v = 0;
	if (keyed_value(text, "oom_kill", &v))
		return v > 0;
	if (!v2 && keyed_value(text, "under_oom", &v)) /* v1 before Linux 4.13 */
		return v > 0;
	return 0;
}

int rt_cgroup_oom_killed(struct rt_cgroup *cg, struct gk_err *err)
{
	struct cg_dir *d = dir_for(cg, CTL_MEMORY);
	if (!d)
		return 0;
	_cleanup_free_ char *text = NULL;
	if (cg_read(d->path, d->v2 ? "memory.events" : "memory.oom_control", &text, err) < 0)
		return -1;
	return rt_cgroup_parse_oom(text, d->v2);
}

int rt_cgroup_cpu_usage(struct rt_cgroup *cg, uint64_t *ns, struct gk_err *err)
{
	struct cg_dir *d = dir_for(cg, CTL_CPUACCT);
	if (!d)
		return gk_err_set(err, ENOENT, "cgroup: no cpuacct controller for %s", cg->rel);
	_cleanup_free_ char *text = NULL;
	if (d->v2) {
		uint64_t usec;
		if (cg_read(d->path, "cpu.stat", &text, err) < 0)
			return -1;
		if (!keyed_value(text, "usage_usec", &usec))
			return gk_err_set(err, EINVAL, "cgroup: no usage_usec in %s/cpu.stat",
					  d->path);
		*ns = usec * 1000;
		return 0;
	}
	if (cg_read(d->path, "cpuacct.usage", &text, err) < 0)
		return -1;
	char *end;
	errno = 0;
	*ns = strtoull(text, &end, 10);
	if (errno || end == text)
		return gk_err_set(err, EINVAL, "cgroup: bad number in %s/cpuacct.usage", d->path);
	return 0;
}

/* ---- destroy ---- */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* SIGKILL everything in the directory until cgroup.procs reads empty. */
static int kill_all(struct cg_dir *d, struct gk_err *err)
{
	if (d->v2 && file_exists(d->path, "cgroup.kill")) {
		struct gk_err ignored;
		cg_write(d->path, "cgroup.kill", "1", &ignored);
	}
	for (int round = 0; round < 1000; round++) { /* about 10 s */
		_cleanup_free_ char *procs = NULL;
		_cleanup_free_ char *path = gk_strdup_printf("%s/cgroup.procs", d->path);
		if (gk_read_file(path, 1 << 22, &procs, NULL, err) < 0) {
			if (err->errnum == ENOENT)
				return 0;
			return gk_err_wrap(err, "cgroup");
		}
		bool any = false;
		for (char *p = procs; *p;) {
			char *end;
			long pid = strtol(p, &end, 10);
			if (end == p)
				break;
			if (pid > 0) {
				kill((pid_t)pid, SIGKILL);
				any = true;
			}
			p = end;
			while (*p == '\n')
				p++;
		}
		if (!any)
			return 0;
		sleep_ms(10);
	}
	return gk_err_set(err, EBUSY, "cgroup: processes in %s survive SIGKILL", d->path);
}

static int remove_dir(const char *path, struct gk_err *err)
{
	for (int round = 0; round < 200; round++) { /* EBUSY while the last exit settles */
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			break;
		sleep_ms(10);
	}
	return gk_err_set(err, errno, "cgroup: rmdir %s", path);
}

/* Remove one directory. It is mostly empty by now (a container's processes
 * die with its pid namespace): only a busy one takes the kill-and-wait way.
 * 1: removed, 0: it was gone, -1: error. */
static int destroy_dir(struct cg_dir *d, struct gk_err *err)
{
	if (rmdir(d->path) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	if (errno != EBUSY)
		return gk_err_set(err, errno, "cgroup: rmdir %s", d->path);
	if (kill_all(d, err) < 0 || remove_dir(d->path, err) < 0)
		return -1;
	return 1;
}

int rt_cgroup_destroy(struct rt_cgroup *cg, struct gk_err *err)
{
	int rc = 0;
	struct gk_err first = {0};
	for (size_t i = 0; i < cg->n; i++) {
		if (destroy_dir(&cg->dirs[i], err) < 0 && rc == 0) {
			first = *err;
			rc = -1;
		}
	}
	if (rc < 0)
		*err = first;
	return rc;
}

const char *rt_cgroup_mode(const struct rt_cgroup *cg)
{
	return cg->mode == CG_V2 ? "v2" : cg->mode == CG_HYBRID ? "hybrid" : "v1";
}
