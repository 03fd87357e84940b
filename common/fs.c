#include "fs.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* nftw callback state cannot be passed in; the walk is single-threaded per
 * call and the error is reported through this thread-local. */
static __thread struct gk_err *remove_err;

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	int rc = (type == FTW_DP) ? rmdir(path) : unlink(path);
	if (rc < 0 && errno != ENOENT) {
		gk_err_set(remove_err, errno, "remove %s", path);
		return 1;
	}
	return 0;
}

int gk_remove_tree(const char *path, struct gk_err *err)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : gk_err_set(err, errno, "stat %s", path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlink(path) < 0 && errno != ENOENT)
			return gk_err_set(err, errno, "remove %s", path);
		return 0;
	}
	remove_err = err;
	/* FTW_MOUNT: never descend into another filesystem; its mount point
	 * then fails rmdir with EBUSY, which is reported, not forced. */
	int rc = nftw(path, remove_entry, 64, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	remove_err = NULL;
	if (rc < 0)
		return gk_err_set(err, errno, "walk %s", path);
	return rc == 0 ? 0 : -1;
}
