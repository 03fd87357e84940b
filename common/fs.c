#include "fs.h"
#include "cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

char *gk_strdup_printf(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	return s;
}

char *gk_strdup(const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

void *gk_malloc0(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (!p)
		abort();
	return p;
}

void gk_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

size_t gk_strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

void gk_strv_push(char ***v, const char *s)
{
	size_t n = gk_strv_len(*v);
	char **nv = realloc(*v, (n + 2) * sizeof(char *));
	if (!nv)
		abort();
	nv[n] = gk_strdup(s);
	nv[n + 1] = NULL;
	*v = nv;
}

char **gk_strv_dup(char *const *v)
{
	char **out = gk_malloc0(sizeof(char *));
	for (size_t i = 0; v && v[i]; i++)
		gk_strv_push(&out, v[i]);
	return out;
}

/* mkdir, an existing directory being fine. */
static int mkdir_one(const char *path, mode_t mode, struct gk_err *err)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return gk_err_set(err, errno, "mkdir %s", path);
	return 0;
}

int gk_mkdir_p(const char *path, mode_t mode, struct gk_err *err)
{
	_cleanup_free_ char *copy = gk_strdup(path);
	size_t len = strlen(copy);
	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	/* Mostly the parents exist: one mkdir, not one per component. */
	if (mkdir(copy, mode) < 0 && errno != EEXIST) {
		if (errno != ENOENT)
			return gk_err_set(err, errno, "mkdir %s", copy);
		for (char *p = copy + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			int rc = mkdir_one(copy, mode, err);
			*p = '/';
			if (rc < 0)
				return -1;
		}
		if (mkdir_one(copy, mode, err) < 0)
			return -1;
	}
	struct stat st;
	if (stat(copy, &st) < 0)
		return gk_err_set(err, errno, "stat %s", copy);
	if (!S_ISDIR(st.st_mode))
		return gk_err_set(err, ENOTDIR, "mkdir %s", copy);
	return 0;
}

int gk_fsync_dir(const char *dir, struct gk_err *err)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return gk_err_set(err, errno, "open %s", dir);
	if (fsync(fd) < 0)
		return gk_err_set(err, errno, "fsync %s", dir);
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int gk_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			 struct gk_err *err)
{
	_cleanup_free_ char *tmp = gk_strdup_printf("%s.tmp-XXXXXX", path);
	_cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return gk_err_set(err, errno, "create temp file for %s", path);
	if (fchmod(fd, mode) < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		int saved = errno;
		unlink(tmp);
		return gk_err_set(err, saved, "write %s", tmp);
	}
	if (rename(tmp, path) < 0) {
		int saved = errno;
		unlink(tmp);
		return gk_err_set(err, saved, "rename %s to %s", tmp, path);
	}
	_cleanup_free_ char *dircopy = gk_strdup(path);
	return gk_fsync_dir(dirname(dircopy), err);
}

int gk_read_file(const char *path, size_t max, char **out, size_t *out_len, struct gk_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gk_err_set(err, errno, "open %s", path);
	size_t cap = 4096, len = 0;
	_cleanup_free_ char *buf = malloc(cap + 1);
	if (!buf)
		abort();
	for (;;) {
		if (len == cap) {
			if (cap > max)
				return gk_err_set(err, EFBIG, "read %s: larger than %zu bytes",
						  path, max);
			cap *= 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb)
				abort();
			buf = nb;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return gk_err_set(err, errno, "read %s", path);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max)
		return gk_err_set(err, EFBIG, "read %s: larger than %zu bytes", path, max);
	buf[len] = '\0';
	if (out_len)
		*out_len = len;
	*out = gk_steal_ptr(buf);
	return 0;
}

int gk_path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* gk_remove_tree works relative to directory fds, so no path it hands the
 * kernel is longer than one name: a layer may hold paths close to PATH_MAX
 * below the store's own prefix, which a full-path walk (nftw) cannot unlink.
 *
 * One directory is open at a time. Going down, the parent is closed and only
 * its identity (dev, ino) and name are kept; coming back up, ".." is opened
 * and must be that same directory, and its listing starts over (what was
 * removed is gone, so it only sees what is left). Depth then costs a little
 * memory, never file descriptors, so no fd limit caps it; keeping a bounded
 * number of fds open would save those re-reads but needs the same ".." code
 * for the deep case anyway. The first error stops the walk. */

#define RM_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* A directory on the way down from the top of the walk. */
struct rm_dir {
	dev_t dev;
	ino_t ino;
	char *name; /* in its parent; NULL for the top */
};

struct rm_walk {
	struct gk_err *err;
	const char *top;   /* the name the caller gave, for messages */
	DIR *d;		   /* the directory being emptied, up[depth] */
	struct rm_dir *up; /* up[0] is the top */
	size_t depth, cap;
};

/* The message names the entry that failed. Its path is built only here and
 * may be long: head and tail are kept so the message still fits gk_err with
 * its strerror. */
static int rm_fail(struct rm_walk *w, int errnum, const char *name, const char *what,
		   const char *why)
{
	_cleanup_free_ char *p = gk_strdup(w->top);
	for (size_t i = 1; i <= w->depth + (name != NULL); i++) {
		char *q = gk_strdup_printf("%s/%s", p, i <= w->depth ? w->up[i].name : name);
		free(p);
		p = q;
	}
	size_t n = strlen(p);
	if (n > 1024)
		return gk_err_set(w->err, errnum, "%s %.300s...%s%s", what, p, p + n - 700, why);
	return gk_err_set(w->err, errnum, "%s %s%s", what, p, why);
}

/* Unlinks everything in the current directory that is not a directory;
 * stops at the first subdirectory (1, its name in *sub) or at the end (0). */
static int rm_scan(struct rm_walk *w, char **sub)
{
	int fd = dirfd(w->d);
	struct dirent *de;
	for (errno = 0; (de = readdir(w->d)); errno = 0) {
		const char *n = de->d_name;
		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;
		/* The entry's type from the listing saves a stat per file (a layer
		 * holds thousands); only a filesystem that does not fill it in
		 * (DT_UNKNOWN) needs the stat. */
		unsigned char type = de->d_type;
		if (type == DT_UNKNOWN) {
			struct stat st;
			if (fstatat(fd, n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
				if (errno == ENOENT)
					continue;
				return rm_fail(w, errno, n, "stat", "");
			}
			type = S_ISDIR(st.st_mode) ? DT_DIR : DT_REG;
		}
		/* a symlink goes itself, never what it points to; an entry that
		 * became a directory since the listing fails with EISDIR */
		if (type != DT_DIR && unlinkat(fd, n, 0) == 0)
			continue;
		if (type == DT_DIR || errno == EISDIR) {
			*sub = gk_strdup(n);
			return 1;
		}
		if (errno != ENOENT)
			return rm_fail(w, errno, n, "remove", "");
	}
	if (errno)
		return rm_fail(w, errno, NULL, "read", "");
	return 0;
}

static void rm_replace_dir(struct rm_walk *w, DIR *d)
{
	closedir(w->d);
	w->d = d;
}

/* Opens the subdirectory `name` unless something is mounted on it:
 * RESOLVE_NO_XDEV refuses any mount point, a bind mount of the same
 * filesystem too (comparing st_dev would walk into that one and empty it). */
static int rm_open_subdir(int parent, const char *name)
{
	struct open_how how = {
	    .flags = RM_DIR_FLAGS,
	    .resolve = RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS,
	};
	return (int)syscall(SYS_openat2, parent, name, &how, sizeof(how));
}

static int rm_down(struct rm_walk *w, const char *name)
{
	_cleanup_close_ int fd = rm_open_subdir(dirfd(w->d), name);
	if (fd < 0) {
		/* A mount point is not ours to empty, and an error, not
		 * something to force. */
		if (errno == EXDEV)
			return rm_fail(w, EBUSY, name, "remove", ": a mount point");
		if (errno != ENOENT)
			return rm_fail(w, errno, name, "open", "");
		rewinddir(w->d); /* gone meanwhile: look again */
		return 0;
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return rm_fail(w, errno, name, "stat", "");
	DIR *d = fdopendir(fd);
	if (!d)
		return rm_fail(w, errno, name, "open", "");
	fd = -1; /* d owns it */
	if (w->depth + 1 == w->cap) {
		struct rm_dir *up = realloc(w->up, 2 * w->cap * sizeof(*up));
		if (!up)
			abort();
		w->up = up;
		w->cap *= 2;
	}
	w->up[++w->depth] = (struct rm_dir){st.st_dev, st.st_ino, gk_strdup(name)};
	rm_replace_dir(w, d);
	return 0;
}

/* The current directory is empty: back to its parent, and remove it there. */
static int rm_up(struct rm_walk *w)
{
	const struct rm_dir *parent = &w->up[w->depth - 1];
	_cleanup_close_ int fd = openat(dirfd(w->d), "..", RM_DIR_FLAGS);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return rm_fail(w, errno, NULL, "open the parent of", "");
	if (st.st_dev != parent->dev || st.st_ino != parent->ino)
		return rm_fail(w, ESTALE, NULL, "remove", ": moved while being removed");
	DIR *d = fdopendir(fd);
	if (!d)
		return rm_fail(w, errno, NULL, "open the parent of", "");
	fd = -1; /* d owns it */
	rm_replace_dir(w, d);
	if (unlinkat(dirfd(d), w->up[w->depth].name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return rm_fail(w, errno, NULL, "remove", "");
	free(w->up[w->depth--].name);
	return 0;
}

static int rm_empty(struct rm_walk *w)
{
	for (;;) {
		_cleanup_free_ char *sub = NULL;
		int r = rm_scan(w, &sub);
		if (r < 0)
			return -1;
		if (r > 0)
			r = rm_down(w, sub);
		else if (w->depth == 0)
			return 0;
		else
			r = rm_up(w);
		if (r < 0)
			return -1;
	}
}

int gk_remove_tree_at(int dirfd, const char *name, struct gk_err *err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : gk_err_set(err, errno, "stat %s", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return gk_err_set(err, errno, "remove %s", name);
		return 0;
	}
	int fd = openat(dirfd, name, RM_DIR_FLAGS);
	if (fd < 0)
		return errno == ENOENT ? 0 : gk_err_set(err, errno, "open %s", name);
	struct rm_walk w = {.err = err, .top = name, .cap = 16};
	w.d = fdopendir(fd);
	if (!w.d || fstat(fd, &st) < 0) {
		int saved = errno;
		if (w.d)
			closedir(w.d);
		else
			close(fd);
		return gk_err_set(err, saved, "open %s", name);
	}
	w.up = gk_malloc0(w.cap * sizeof(*w.up));
	w.up[0] = (struct rm_dir){st.st_dev, st.st_ino, NULL};
	int rc = rm_empty(&w);
	closedir(w.d);
	for (size_t i = 1; i <= w.depth; i++)
		free(w.up[i].name);
	free(w.up);
	if (rc < 0)
		return -1;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return gk_err_set(err, errno, "remove %s", name);
	return 0;
}

int gk_remove_tree(const char *path, struct gk_err *err)
{
	return gk_remove_tree_at(AT_FDCWD, path, err);
}
