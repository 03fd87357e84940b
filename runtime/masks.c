/* Docker's masked and read-only paths, applied inside the container's mount
 * namespace after pivot_root. */
#include "runtime/security.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "runtime/rootfs.h"

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
	if (rt_bind("/dev/null", AT_FDCWD, path, 0, err) < 0)
		return gk_err_wrap(err, "mask %s", path);
	return 0;
}

static int readonly_path(const char *path, struct gk_err *err)
{
	if (rt_bind(path, AT_FDCWD, path, MOUNT_ATTR_RDONLY, err) == 0 || err->errnum == ENOENT)
		return 0; /* a path this kernel lacks */
	return gk_err_wrap(err, "read-only %s", path);
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
