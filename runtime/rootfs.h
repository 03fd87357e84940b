/* The container's root filesystem, built by its first process inside its own
 * mount namespace (so every mount dies with the namespace): overlayfs over the
 * image layers, /proc, a minimal /dev, /sys read-only, the cgroup tree
 * read-only, the user's bind and tmpfs mounts, then pivot_root. */
#ifndef RT_ROOTFS_H
#define RT_ROOTFS_H

#include "common/err.h"
#include "runtime/container.h"

/* Docker's /etc/hosts, /etc/resolv.conf and /etc/hostname are bind mounts,
 * and a bind needs its target to exist. Creating a missing one in the
 * container's root copies /etc up into upper/, on the store's disk, for
 * every container. When the spec binds files onto all three and the image's
 * /etc is a directory (a symlinked /etc would be hidden), the parent makes
 * spec->mountpoints_dir hold the three empty files and returns it in
 * *top_lower: it becomes the top lower layer. Whatever it shadows is covered
 * by the binds. Otherwise *top_lower is NULL. */
int rt_rootfs_mountpoints(const struct rt_spec *spec, const char **top_lower, struct gk_err *err);

/* The part that needs neither the cgroup nor the network: make / private,
 * the overlay (top_lower, if set, above the image layers), /proc, /dev.
 * Runs while the parent sets up the cgroup and the network namespace. */
int rt_rootfs_prepare(const struct rt_spec *spec, const char *top_lower, struct gk_err *err);
/* The rest, once the process sits in its cgroup `cg` and its network
 * namespace: /sys, /sys/fs/cgroup (its directories), the user's mounts,
 * pivot_root, read-only root. Afterwards
 * "/" is the container's root and the host's tree is detached. */
int rt_rootfs_finish(const struct rt_spec *spec, const struct rt_cgroup *cg, struct gk_err *err);

/* Bind `source` and the mounts below it onto `path` relative to `dirfd`
 * ("" for the O_PATH fd itself), with the MOUNT_ATTR_* flags `attrs` added
 * on every mount of the copy (the source's own flags stay): one clone, one
 * flag change, one move (the mount API of Linux 5.12). Only inside the
 * container's mount namespace, which rt_rootfs_prepare() made private
 * throughout: the copy is private too. */
int rt_bind(const char *source, int dirfd, const char *path, uint64_t attrs, struct gk_err *err);

/* Open (creating the missing directories, or the final file when !dir) the
 * path `rel` below the directory fd `rootfd`, resolving every symlink inside
 * that root. Returns an O_PATH fd. */
int rt_open_in_root(int rootfd, const char *rel, int create, int dir, struct gk_err *err);

#endif
