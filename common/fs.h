/* Filesystem helpers: paths, mkdir -p, atomic writes, bounded reads, safe removal. */
#ifndef GK_FS_H
#define GK_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* asprintf that aborts on out-of-memory (there is no sane recovery there). */
char *gk_strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *gk_strdup(const char *s);
void *gk_malloc0(size_t n);

/* NULL-terminated string vectors. */
size_t gk_strv_len(char *const *v);
void gk_strv_push(char ***v, const char *s); /* appends a copy */
char **gk_strv_dup(char *const *v);

/* mkdir -p with `mode` for every directory it creates. */
int gk_mkdir_p(const char *path, mode_t mode, struct gk_err *err);

/* Write `len` bytes to `path` atomically: temp file in the same directory,
 * fsync, rename, fsync the directory. */
int gk_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 struct gk_err *err);

/* Read a whole file into a NUL-terminated buffer; refuses files over `max` bytes. */
int gk_read_file(const char *path, size_t max, char **out, size_t *out_len, struct gk_err *err);

/* Remove `path` and everything below it. Never crosses into another mount
 * (a mount point below is an error, not a descent) and never follows symlinks.
 * A missing path is not an error. Works relative to directory fds: no depth
 * or path length below `path` is too much for it. */
int gk_remove_tree(const char *path, struct gk_err *err);

/* The same for `name` in the directory `dirfd` (or AT_FDCWD). */
int gk_remove_tree_at(int dirfd, const char *name, struct gk_err *err);

/* fsync a directory so a rename in it is durable. */
int gk_fsync_dir(const char *dir, struct gk_err *err);

/* 1 when path exists (lstat), 0 when not. */
int gk_path_exists(const char *path);

#endif
