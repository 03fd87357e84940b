/* Docker's masked and read-only paths, applied inside the container's mount
 * namespace after pivot_root. */
#include "runtime/security.h"

#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

static const char *const masked_paths[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/sys/devices/virtual/powercap",
    "/sys/firmware",
};

static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

/* Directories get an empty read-only tmpfs, anything else /dev/null. */
static int mask_path(const char *path, struct gk_err *err)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return gk_err_set(err, errno, "mask %s", path);
	}
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  NULL) < 0)
			return gk_err_set(err, errno, "mask %s: mount an empty tmpfs", path);
		return 0;
	}
	if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0)
		return gk_err_set(err, errno, "mask %s: bind /dev/null", path);
	return 0;
}

/* The flags a read-only remount must keep: a bind remount replaces them all. */
static unsigned long kept_flags(const char *path)
{
	struct statvfs sv;
	unsigned long fl = 0;
	if (statvfs(path, &sv) < 0)
		return MS_NOSUID | MS_NODEV | MS_NOEXEC; /* /proc's own flags */
	if (sv.f_flag & ST_NOSUID)
		fl |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		fl |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		fl |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		fl |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		fl |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		fl |= MS_RELATIME;
	return fl;
}

static int readonly_path(const char *path, struct gk_err *err)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
		if (errno == ENOENT)
			return 0;
		return gk_err_set(err, errno, "read-only %s: bind", path);
	}
	unsigned long fl = kept_flags(path);
	if (mount(path, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | fl, NULL) < 0)
		return gk_err_set(err, errno, "read-only %s: remount", path);
	return 0;
}

int rt_mask_paths(struct gk_err *err)
{
	for (size_t i = 0; i < sizeof(masked_paths) / sizeof(masked_paths[0]); i++)
		if (mask_path(masked_paths[i], err) < 0)
			return -1;
	for (size_t i = 0; i < sizeof(readonly_paths) / sizeof(readonly_paths[0]); i++)
		if (readonly_path(readonly_paths[i], err) < 0)
			return -1;
	return 0;
}
