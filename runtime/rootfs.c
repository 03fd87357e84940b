#include "runtime/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"

static int openat2_in_root(int rootfd, const char *rel, int flags)
{
	struct open_how how = {
	    .flags = (uint64_t)flags | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	return (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
}

int rt_open_in_root(int rootfd, const char *rel, int create, int dir, struct gk_err *err)
{
	while (*rel == '/')
		rel++;
	if (!*rel)
		return openat2_in_root(rootfd, ".", O_PATH | O_DIRECTORY);
	int fd = openat2_in_root(rootfd, rel, O_PATH);
	if (fd >= 0 || !create || errno != ENOENT) {
		if (fd < 0)
			return gk_err_set(err, errno, "open /%s in the container root", rel);
		return fd;
	}
	/* Walk the components, creating what is missing; each step is resolved
	 * inside the root, so an image symlink can never lead out of it. */
	_cleanup_free_ char *path = gk_strdup(rel);
	_cleanup_close_ int cur = openat2_in_root(rootfd, ".", O_PATH | O_DIRECTORY);
	char *save = NULL;
	char *comp = strtok_r(path, "/", &save);
	while (comp) {
		char *next = strtok_r(NULL, "/", &save);
		int last = next == NULL;
		/* The prefix so far, resolved from the root each time. */
		size_t end = (size_t)(comp - path) + strlen(comp);
		_cleanup_free_ char *prefix = gk_strdup(rel);
		prefix[end] = '\0';
		int nfd = openat2_in_root(rootfd, prefix, O_PATH);
		if (nfd < 0 && errno == ENOENT) {
			if (!last || dir) {
				if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST)
					return gk_err_set(err, errno, "mkdir /%s in the container",
							  prefix);
			} else {
				int f = openat(cur, comp,
					       O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
				if (f < 0 && errno != EEXIST)
					return gk_err_set(err, errno, "create /%s in the container",
							  prefix);
				if (f >= 0)
					close(f);
			}
			nfd = openat2_in_root(rootfd, prefix, O_PATH);
		}
		if (nfd < 0)
			return gk_err_set(err, errno, "open /%s in the container", prefix);
		close(cur);
		cur = nfd;
		comp = next;
	}
	return gk_steal_fd(cur);
}

static int mount_at(int rootfd, const char *target, int dir, const char *src, const char *fstype,
		    unsigned long flags, const char *data, struct gk_err *err)
{
	_cleanup_close_ int fd = rt_open_in_root(rootfd, target, 1, dir, err);
	if (fd < 0)
		return -1;
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (mount(src, proc, fstype, flags, data) < 0)
		return gk_err_set(err, errno, "mount %s on %s", fstype ? fstype : src, target);
	return 0;
}

static const char *const bound_etc_files[] = {"hosts", "resolv.conf", "hostname"};

static int binds_file_onto(const struct rt_spec *spec, const char *target)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct rt_mount *m = &spec->mounts[i];
		struct stat st;
		if (!m->tmpfs && !m->volume && m->source && !strcmp(m->target, target) &&
		    stat(m->source, &st) == 0 && S_ISREG(st.st_mode))
			return 1;
	}
	return 0;
}

/* The topmost layer that has /etc decides what the container sees there. */
static int image_etc_is_dir(const struct rt_spec *spec)
{
	size_t n = 0;
	while (spec->layer_dirs && spec->layer_dirs[n])
		n++;
	for (size_t i = n; i-- > 0;) {
		_cleanup_free_ char *etc = gk_strdup_printf("%s/etc", spec->layer_dirs[i]);
		struct stat st;
		if (lstat(etc, &st) < 0)
			continue;
		return S_ISDIR(st.st_mode) || S_ISCHR(st.st_mode); /* a whiteout: no /etc */
	}
	return 1;
}

int rt_rootfs_mountpoints(const struct rt_spec *spec, const char **top_lower, struct gk_err *err)
{
	*top_lower = NULL;
	if (!spec->mountpoints_dir || !image_etc_is_dir(spec))
		return 0;
	for (size_t i = 0; i < 3; i++) {
		char target[64];
		snprintf(target, sizeof(target), "/etc/%s", bound_etc_files[i]);
		if (!binds_file_onto(spec, target))
			return 0;
	}
	_cleanup_free_ char *etc = gk_strdup_printf("%s/etc", spec->mountpoints_dir);
	if (gk_mkdir_p(etc, 0755, err) < 0)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		_cleanup_free_ char *f = gk_strdup_printf("%s/%s", etc, bound_etc_files[i]);
		int fd = open(f, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0)
			return gk_err_set(err, errno, "create %s", f);
		close(fd);
	}
	*top_lower = spec->mountpoints_dir;
	return 0;
}

static int mount_overlay(const struct rt_spec *spec, const char *top_lower, const char *merged,
			 struct gk_err *err)
{
	size_t n = 0;
	while (spec->layer_dirs && spec->layer_dirs[n])
		n++;
	if (n == 0)
		return gk_err_set(err, EINVAL, "image has no layers");
	/* lowerdir lists the top layer first. */
	size_t len = 64 + 2 * strlen(spec->state_dir) + (top_lower ? strlen(top_lower) + 1 : 0);
	for (size_t i = 0; i < n; i++)
		len += strlen(spec->layer_dirs[i]) + 1;
	_cleanup_free_ char *opts = gk_malloc0(len + 64);
	strcpy(opts, "lowerdir=");
	if (top_lower) {
		strcat(opts, top_lower);
		strcat(opts, ":");
	}
	for (size_t i = n; i-- > 0;) {
		strcat(opts, spec->layer_dirs[i]);
		if (i)
			strcat(opts, ":");
	}
	sprintf(opts + strlen(opts), ",upperdir=%s/upper,workdir=%s/work", spec->state_dir,
		spec->state_dir);
	if (spec->ephemeral) {
		size_t base = strlen(opts);
		strcat(opts, ",volatile");
		if (mount("overlay", merged, "overlay", 0, opts) == 0)
			return 0;
		if (errno != EINVAL)
			return gk_err_set(err, errno, "mount overlay on %s", merged);
		opts[base] = '\0'; /* a kernel before 5.10: no volatile */
	}
	if (mount("overlay", merged, "overlay", 0, opts) < 0)
		return gk_err_set(err, errno, "mount overlay on %s", merged);
	return 0;
}

static const struct {
	const char *name;
	unsigned maj, min;
} devices[] = {
    {"null", 1, 3},   {"zero", 1, 5},	 {"full", 1, 7},
    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static int populate_dev(int devfd, struct gk_err *err)
{
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		if (mknodat(devfd, devices[i].name, S_IFCHR | 0666,
			    makedev(devices[i].maj, devices[i].min)) < 0)
			return gk_err_set(err, errno, "mknod /dev/%s", devices[i].name);
	}
	static const char *const links[][2] = {
	    {"pts/ptmx", "ptmx"},	   {"/proc/self/fd", "fd"},
	    {"/proc/self/fd/0", "stdin"},  {"/proc/self/fd/1", "stdout"},
	    {"/proc/self/fd/2", "stderr"}, {"/proc/kcore", "core"},
	};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlinkat(links[i][0], devfd, links[i][1]) < 0)
			return gk_err_set(err, errno, "symlink /dev/%s", links[i][1]);
	static const char *const dirs[] = {"pts", "shm", "mqueue"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (mkdirat(devfd, dirs[i], 0755) < 0)
			return gk_err_set(err, errno, "mkdir /dev/%s", dirs[i]);
	/* /dev/console: a regular file a tty can be bound onto. */
	int fd = openat(devfd, "console", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	return 0;
}

static int mount_dev(int rootfd, struct gk_err *err)
{
	if (mount_at(rootfd, "/dev", 1, "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
		     "mode=755,size=65536k", err) < 0)
		return -1;
	_cleanup_close_ int devfd = openat2_in_root(rootfd, "dev", O_DIRECTORY);
	if (devfd < 0)
		return gk_err_set(err, errno, "open /dev");
	if (populate_dev(devfd, err) < 0)
		return -1;
	if (mount_at(rootfd, "/dev/pts", 1, "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620,gid=5", err) < 0)
		return -1;
	if (mount_at(rootfd, "/dev/shm", 1, "shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV,
		     "mode=1777,size=65536k", err) < 0)
		return -1;
	return mount_at(rootfd, "/dev/mqueue", 1, "mqueue", "mqueue",
			MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL, err);
}

/* /sys/fs/cgroup read-only, showing the container's own cgroup: on a v2 host
 * a bind of its directory; on v1 and hybrid hosts a tmpfs holding a bind of
 * its directory in each hierarchy (/sys/fs/cgroup/memory, ...). Binds cost
 * far less than new cgroup superblocks, and need no cgroup namespace yet. */
static int mount_cgroups(int rootfd, const struct rt_cgroup *cg, struct gk_err *err)
{
	const uint64_t ro =
	    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	const char *hier;
	const char *dir = rt_cgroup_dir(cg, 0, &hier);
	if (!strcmp(rt_cgroup_mode(cg), "v2")) {
		_cleanup_close_ int fd = rt_open_in_root(rootfd, "/sys/fs/cgroup", 1, 1, err);
		return fd < 0 ? -1 : rt_bind(dir, fd, "", ro, err);
	}
	if (mount_at(rootfd, "/sys/fs/cgroup", 1, "tmpfs", "tmpfs",
		     MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=755", err) < 0)
		return -1;
	/* Our own new tmpfs: nothing in it can be a symlink. */
	_cleanup_close_ int cgfd = openat2_in_root(rootfd, "sys/fs/cgroup", O_PATH | O_DIRECTORY);
	if (cgfd < 0)
		return gk_err_set(err, errno, "open /sys/fs/cgroup");
	for (size_t i = 0; i < rt_cgroup_count(cg); i++) {
		dir = rt_cgroup_dir(cg, i, &hier);
		const char *name = strrchr(hier, '/') + 1;
		char target[PATH_MAX];
		snprintf(target, sizeof(target), "/proc/self/fd/%d/%s", cgfd, name);
		if (mkdirat(cgfd, name, 0755) < 0 || mount(dir, target, NULL, MS_BIND, NULL) < 0)
			return gk_err_set(err, errno, "bind %s on /sys/fs/cgroup/%s", dir, name);
	}
	/* The tmpfs and every bind on it read-only in one call. */
	struct mount_attr attr = {.attr_set = ro};
	if (mount_setattr(cgfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return gk_err_set(err, errno, "make /sys/fs/cgroup read-only");
	return 0;
}

static int mount_user(int rootfd, const struct rt_mount *m, struct gk_err *err)
{
	if (m->tmpfs) {
		/* Docker's tmpfs defaults (noexec,nosuid,nodev) with the user's
		 * flags applied; the rest (size=, mode=) goes to tmpfs. */
		unsigned long fl = MS_NOSUID | MS_NODEV | MS_NOEXEC | (m->readonly ? MS_RDONLY : 0);
		char data[1024] = "";
		_cleanup_free_ char *opts = gk_strdup(m->options ? m->options : "");
		char *save = NULL;
		for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
			if (!strcmp(o, "ro"))
				fl |= MS_RDONLY;
			else if (!strcmp(o, "rw"))
				fl &= ~(unsigned long)MS_RDONLY;
			else if (!strcmp(o, "exec"))
				fl &= ~(unsigned long)MS_NOEXEC;
			else if (!strcmp(o, "noexec"))
				fl |= MS_NOEXEC;
			else if (!strcmp(o, "suid"))
				fl &= ~(unsigned long)MS_NOSUID;
			else if (!strcmp(o, "nosuid"))
				fl |= MS_NOSUID;
			else if (!strcmp(o, "dev"))
				fl &= ~(unsigned long)MS_NODEV;
			else if (!strcmp(o, "nodev"))
				fl |= MS_NODEV;
			else
				snprintf(data + strlen(data), sizeof(data) - strlen(data), "%s%s",
					 data[0] ? "," : "", o);
		}
		return mount_at(rootfd, m->target, 1, "tmpfs", "tmpfs", fl, data, err);
	}
	struct stat st;
	if (stat(m->source, &st) < 0)
		return gk_err_set(err, errno, "bind source %s", m->source);
	_cleanup_close_ int fd = rt_open_in_root(rootfd, m->target, 1, S_ISDIR(st.st_mode), err);
	if (fd < 0)
		return -1;
	/* :ro covers the mounts below the source too (Docker's recursive
	 * read-only). */
	uint64_t attrs = MOUNT_ATTR_NOSUID | (m->readonly ? MOUNT_ATTR_RDONLY : 0);
	if (rt_bind(m->source, fd, "", attrs, err) < 0)
		return gk_err_wrap(err, "%s", m->target);
	return 0;
}

int rt_bind(const char *source, int dirfd, const char *path, uint64_t attrs, struct gk_err *err)
{
	_cleanup_close_ int tree =
	    open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		return gk_err_set(err, errno, "bind %s", source);
	struct mount_attr attr = {.attr_set = attrs};
	if (attrs && mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return gk_err_set(err, errno, "bind %s: set its flags", source);
	unsigned flags = MOVE_MOUNT_F_EMPTY_PATH | (*path ? 0 : MOVE_MOUNT_T_EMPTY_PATH);
	if (move_mount(tree, "", dirfd, path, flags) < 0)
		return gk_err_set(err, errno, "bind %s", source);
	return 0;
}

static int pivot(const char *merged, struct gk_err *err)
{
	if (chdir(merged) < 0)
		return gk_err_set(err, errno, "chdir %s", merged);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return gk_err_set(err, errno, "pivot_root %s", merged);
	if (umount2(".", MNT_DETACH) < 0)
		return gk_err_set(err, errno, "detach the old root");
	if (chdir("/") < 0)
		return gk_err_set(err, errno, "chdir /");
	return 0;
}

int rt_rootfs_prepare(const struct rt_spec *spec, const char *top_lower, struct gk_err *err)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return gk_err_set(err, errno, "make / private");
	_cleanup_free_ char *merged = gk_strdup_printf("%s/merged", spec->run_dir);
	if (mount_overlay(spec, top_lower, merged, err) < 0)
		return -1;
	_cleanup_close_ int rootfd = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return gk_err_set(err, errno, "open %s", merged);
	if (mount_at(rootfd, "/proc", 1, "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL,
		     err) < 0)
		return -1;
	return mount_dev(rootfd, err);
}

int rt_rootfs_finish(const struct rt_spec *spec, const struct rt_cgroup *cg, struct gk_err *err)
{
	_cleanup_free_ char *merged = gk_strdup_printf("%s/merged", spec->run_dir);
	_cleanup_close_ int rootfd = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return gk_err_set(err, errno, "open %s", merged);
	/* sysfs shows the network namespace of whoever mounts it: ours now */
	if (mount_at(rootfd, "/sys", 1, "sysfs", "sysfs",
		     MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL, err) < 0 ||
	    mount_cgroups(rootfd, cg, err) < 0)
		return -1;
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (mount_user(rootfd, &spec->mounts[i], err) < 0)
			return -1;
	if (pivot(merged, err) < 0)
		return -1;
	if (spec->readonly_root &&
	    mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		return gk_err_set(err, errno, "remount / read-only");
	return 0;
}
