/* Layer unpacking. Two libarchive readers are chained: the outer one only
 * decompresses (gzip, zstd or nothing; never an external program) and its
 * output is hashed as it streams into the inner tar reader, so the diff_id
 * is the sha256 of exactly the uncompressed tar. Every filesystem call is
 * relative to a directory fd reached by opening one component at a time with
 * O_NOFOLLOW, so a symlink in the archive can never redirect a write, and
 * "..", absolute names and hard links leaving the tree are refused. */
#include "layer.h"

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "common/units.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define DEFAULT_MAX_SIZE    (16ULL << 30)
#define DEFAULT_MAX_ENTRIES 1000000ULL
#define DEFAULT_MAX_DEPTH   512
#define PATH_MAX_LEN	    4096
#define WHITEOUT	    ".wh."
#define OPAQUE		    ".wh..wh..opq"
#define DIR_FLAGS	    (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

int rt_layer_limits_default(struct rt_layer_limits *lim, struct gk_err *err)
{
	lim->max_size = DEFAULT_MAX_SIZE;
	lim->max_entries = DEFAULT_MAX_ENTRIES;
	lim->max_depth = DEFAULT_MAX_DEPTH;
	const char *env = getenv("GOCKER_MAX_LAYER_SIZE");
	if (env && *env) {
		int64_t v;
		if (gk_parse_bytes(env, &v, err) < 0)
			return gk_err_wrap(err, "GOCKER_MAX_LAYER_SIZE");
		lim->max_size = (uint64_t)v;
	}
	return 0;
}

/* ---- the decompressing, hashing stream ---- */

/* A decompression bomb shows itself by its ratio long before any size cap:
 * past BOMB_MIN uncompressed bytes, more than BOMB_RATIO bytes out per byte
 * in is refused (real layers compress a few times, not hundreds). */
#define BOMB_MIN   (1ULL << 30)
#define BOMB_RATIO 200

struct stream {
	struct archive *raw;
	struct gk_sha256 hash;
	uint64_t total, max;
	int too_big;
};

/* Compressed bytes consumed so far (the raw file under the filters). */
static uint64_t compressed_bytes(struct stream *s)
{
	la_int64_t n = archive_filter_bytes(s->raw, -1);
	return n > 0 ? (uint64_t)n : 0;
}

static la_ssize_t stream_read(struct archive *a, void *data, const void **buf)
{
	struct stream *s = data;
	const void *b;
	size_t size;
	la_int64_t off;
	int r = archive_read_data_block(s->raw, &b, &size, &off);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK) {
		archive_set_error(a, EIO, "decompress: %s", archive_error_string(s->raw));
		return -1;
	}
	s->total += size;
	if (s->total > s->max)
		s->too_big = 1;
	else if (s->total > BOMB_MIN && s->total / BOMB_RATIO > compressed_bytes(s))
		s->too_big = 2;
	if (s->too_big) {
		archive_set_error(a, EFBIG, "uncompressed size over the limit");
		return -1;
	}
	gk_sha256_update(&s->hash, b, size);
	*buf = b;
	return (la_ssize_t)size;
}

/* Names the compression of a blob gocker refuses, from its magic bytes. */
static const char *refused_compression(const char *blob_path)
{
	unsigned char m[6] = {0};
	int fd = open(blob_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, m, sizeof(m));
	close(fd);
	if (n < 4)
		return NULL;
	if (n >= 6 && memcmp(m,
			     "\xfd"
			     "7zXZ\0",
			     6) == 0)
		return "xz";
	if (memcmp(m, "BZh", 3) == 0 && m[3] >= '1' && m[3] <= '9')
		return "bzip2";
	if (memcmp(m, "\x04\x22\x4d\x18", 4) == 0)
		return "lz4";
	if (n >= 5 && memcmp(m, "LZIP", 4) == 0 && m[4] == 1)
		return "lzip";
	if (m[0] == 0x1f && m[1] == 0x9d)
		return "compress";
	return NULL;
}

static int too_big_error(const struct stream *s, const char *what, struct gk_err *err)
{
	if (s->too_big == 2)
		return gk_err_set(err, 0,
				  "%s: uncompressed size over the limit: more than %d bytes per "
				  "compressed byte past %llu bytes (a decompression bomb)",
				  what, BOMB_RATIO, (unsigned long long)BOMB_MIN);
	return gk_err_set(err, 0,
			  "%s: uncompressed size over the limit of %llu bytes "
			  "(GOCKER_MAX_LAYER_SIZE)",
			  what, (unsigned long long)s->max);
}

static int open_decompressor(const char *blob_path, const char *what, struct archive **out,
			     struct gk_err *err)
{
	const char *bad = refused_compression(blob_path);
	if (bad)
		return gk_err_set(
		    err, 0,
		    "%s: not a tar archive: unsupported compression (%s): layers must "
		    "be plain tar, gzip or zstd",
		    what, bad);
	struct archive *raw = archive_read_new();
	if (!raw)
		abort();
	/* ARCHIVE_WARN would mean libarchive falls back to an external program. */
	if (archive_read_support_filter_gzip(raw) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(raw) != ARCHIVE_OK ||
	    archive_read_support_filter_none(raw) != ARCHIVE_OK ||
	    archive_read_support_format_raw(raw) != ARCHIVE_OK) {
		archive_read_free(raw);
		return gk_err_set(err, 0, "%s: libarchive lacks built-in gzip/zstd support", what);
	}
	struct archive_entry *e;
	if (archive_read_open_filename(raw, blob_path, 1 << 17) != ARCHIVE_OK ||
	    archive_read_next_header(raw, &e) != ARCHIVE_OK) {
		gk_err_set(err, archive_errno(raw) > 0 ? archive_errno(raw) : 0, "%s: open %s: %s",
			   what, blob_path,
			   archive_error_string(raw) ? archive_error_string(raw) : "empty");
		archive_read_free(raw);
		return -1;
	}
	*out = raw;
	return 0;
}

/* ---- extraction state ---- */

struct dir_time {
	char *path;
	struct timespec ts[2];
};

struct extract {
	const char *what;
	const struct rt_layer_limits *lim;
	int rootfd;
	char *cache_path; /* parent dir of the previous entry, and its fd */
	int cache_fd;
	struct dir_time *dirs;
	size_t ndirs, capdirs;
	int64_t size;
	uint64_t entries;
	const char *entry;
	struct gk_err *err;
};

static int fail(struct extract *x, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct extract *x, int errnum, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return gk_err_set(x->err, errnum, "%s: entry \"%.512s\": %s", x->what,
			  x->entry ? x->entry : "", msg);
}

static void cache_drop(struct extract *x)
{
	if (x->cache_fd >= 0)
		close(x->cache_fd);
	x->cache_fd = -1;
	free(x->cache_path);
	x->cache_path = NULL;
}

/* Split an archive path into components, refusing anything that could leave
 * the tree. "." and empty components are dropped. */
static int split_path(struct extract *x, const char *path, char ***out, size_t *n)
{
	if (strlen(path) > PATH_MAX_LEN)
		return fail(x, 0, "path longer than %d bytes", PATH_MAX_LEN);
	if (path[0] == '/')
		return fail(x, 0, "absolute path refused");
	_cleanup_free_ char *copy = gk_strdup(path);
	char **v = gk_malloc0(sizeof(char *));
	size_t count = 0;
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			gk_strv_free(v);
			return fail(x, 0, "path with \"..\" refused");
		}
		if (++count > x->lim->max_depth) {
			gk_strv_free(v);
			return fail(x, 0, "path deeper than %u components", x->lim->max_depth);
		}
		gk_strv_push(&v, c);
	}
	*out = v;
	*n = count;
	return 0;
}

static char *join(char **comps, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(comps[i]) + 1;
	char *s = gk_malloc0(len);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(s, "/");
		strcat(s, comps[i]);
	}
	return s;
}

/* Open the directory comps[0..n) below the root, one component at a time,
 * never following a symlink; with `create`, missing directories are made
 * (0755, root-owned, as Docker does). Returns an fd the caller owns. */
static int walk_dir(struct extract *x, char **comps, size_t n, int create)
{
	int cur = dup(x->rootfd);
	if (cur < 0)
		return fail(x, errno, "dup");
	for (size_t i = 0; i < n; i++) {
		int fd = openat(cur, comps[i], DIR_FLAGS);
		if (fd < 0 && errno == ENOENT && create) {
			if (mkdirat(cur, comps[i], 0755) < 0 && errno != EEXIST) {
				int saved = errno;
				close(cur);
				return fail(x, saved, "mkdir %s", comps[i]);
			}
			fd = openat(cur, comps[i], DIR_FLAGS);
		}
		if (fd < 0) {
			int saved = errno;
			struct stat st;
			int is_link = fstatat(cur, comps[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				      S_ISLNK(st.st_mode);
			close(cur);
			if (is_link || saved == ELOOP)
				return fail(x, 0,
					    "path component \"%s\" is a symlink: refusing to "
					    "write through it",
					    comps[i]);
			if (saved == ENOTDIR)
				return fail(x, 0, "path component \"%s\" is not a directory",
					    comps[i]);
			return fail(x, saved, "open %s", comps[i]);
		}
		close(cur);
		cur = fd;
	}
	return cur;
}

/* The parent directory of the current entry, from a one-entry cache (tar
 * entries come grouped by directory). Borrowed: do not close. */
static int parent_fd(struct extract *x, char **comps, size_t n)
{
	if (n == 0)
		return x->rootfd;
	_cleanup_free_ char *p = join(comps, n);
	if (x->cache_path && strcmp(x->cache_path, p) == 0)
		return x->cache_fd;
	cache_drop(x);
	int fd = walk_dir(x, comps, n, 1);
	if (fd < 0)
		return -1;
	x->cache_fd = fd;
	x->cache_path = gk_steal_ptr(p);
	return fd;
}

/* An entry replaces whatever this layer already had at its name, except
 * that a directory stays a directory (its metadata is updated). */
static int clear_target(struct extract *x, int pfd, const char *leaf, int keep_dir, int *is_dir)
{
	struct stat st;
	*is_dir = 0;
	if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return fail(x, errno, "stat");
	}
	if (keep_dir && S_ISDIR(st.st_mode)) {
		*is_dir = 1;
		return 0;
	}
	/* A cached directory below what goes now would outlive it (an entry
	 * "a" after "a/b/f"). When pfd is the cached parent itself, it stays
	 * valid: it is in use right here, and removing a child cannot touch it. */
	if (pfd != x->cache_fd)
		cache_drop(x);
	struct gk_err rm;
	if (gk_remove_tree_at(pfd, leaf, &rm) < 0)
		return fail(x, 0, "remove the previous entry of that name: %s", rm.msg);
	return 0;
}

static int check_ids(struct extract *x, struct archive_entry *e, uid_t *uid, gid_t *gid)
{
	la_int64_t u = archive_entry_uid(e), g = archive_entry_gid(e);
	if (u < 0 || u >= (la_int64_t)UINT32_MAX || g < 0 || g >= (la_int64_t)UINT32_MAX)
		return fail(x, 0, "owner %lld:%lld out of range", (long long)u, (long long)g);
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	if (archive_entry_atime_is_set(e)) {
		ts[0].tv_sec = archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
	} else {
		ts[0] = ts[1];
	}
}

/* Only user.* and security.capability survive; trusted.* (overlayfs's own
 * namespace), security.selinux and the rest are dropped. */
static int xattr_allowed(const char *name)
{
	return strncmp(name, "user.", 5) == 0 || strcmp(name, "security.capability") == 0;
}

/* Ownership, then mode (chown clears setuid bits), then xattrs (chown clears
 * security.capability), on an fd of the new object. */
static int apply_meta_fd(struct extract *x, int fd, struct archive_entry *e)
{
	uid_t uid;
	gid_t gid;
	if (check_ids(x, e, &uid, &gid) < 0)
		return -1;
	if (fchown(fd, uid, gid) < 0)
		return fail(x, errno, "chown %u:%u", uid, gid);
	if (fchmod(fd, archive_entry_perm(e) & 07777) < 0)
		return fail(x, errno, "chmod");
	const char *name;
	const void *value;
	size_t size;
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		if (!xattr_allowed(name)) {
			gk_debug("%s: %s: dropping xattr %s", x->what, x->entry, name);
			continue;
		}
		if (fsetxattr(fd, name, value, size, 0) < 0) {
			if (errno == ENOTSUP || errno == EPERM) {
				gk_warn("%s: %s: xattr %s not kept: %s", x->what, x->entry, name,
					strerror(errno));
				continue;
			}
			return fail(x, errno, "set xattr %s", name);
		}
	}
	return 0;
}

static int write_data(struct extract *x, struct archive *a, int fd, struct archive_entry *e)
{
	const void *buf;
	size_t size;
	la_int64_t off, end = 0;
	for (;;) {
		int r = archive_read_data_block(a, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK)
			return fail(x, 0, "read: %s", archive_error_string(a));
		const char *p = buf;
		if (off + (la_int64_t)size > end)
			end = off + (la_int64_t)size;
		/* All-zero blocks become holes: same content, no disk (and a
		 * zero-filled bomb costs nothing before the caps stop it). */
		if (size > 0 && p[0] == 0 && memcmp(p, p + 1, size - 1) == 0)
			continue;
		while (size > 0) {
			ssize_t n = pwrite(fd, p, size, off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return fail(x, errno, "write");
			p += n;
			off += n;
			size -= (size_t)n;
		}
	}
	la_int64_t want = archive_entry_size(e);
	if (archive_entry_size_is_set(e) && want > end)
		end = want;
	if (ftruncate(fd, end) < 0) /* trailing holes */
		return fail(x, errno, "truncate");
	x->size += end;
	return 0;
}

static void defer_dir_times(struct extract *x, char **comps, size_t n, struct archive_entry *e)
{
	if (x->ndirs == x->capdirs) {
		x->capdirs = x->capdirs ? 2 * x->capdirs : 64;
		x->dirs = realloc(x->dirs, x->capdirs * sizeof(*x->dirs));
		if (!x->dirs)
			abort();
	}
	struct dir_time *d = &x->dirs[x->ndirs++];
	d->path = join(comps, n);
	entry_times(e, d->ts);
}

/* Directory times go last, deepest first: creating children changes them. */
static void apply_dir_times(struct extract *x)
{
	for (size_t i = x->ndirs; i-- > 0;) {
		struct dir_time *d = &x->dirs[i];
		_cleanup_strv_ char **comps = NULL;
		size_t n = 0;
		struct gk_err ignored;
		struct gk_err *saved = x->err;
		x->err = &ignored;
		if (split_path(x, d->path, &comps, &n) == 0) {
			int fd = walk_dir(x, comps, n, 0);
			if (fd >= 0) {
				futimens(fd, d->ts);
				close(fd);
			}
		}
		x->err = saved;
	}
}

static int make_whiteout(struct extract *x, int pfd, const char *leaf, struct archive_entry *e)
{
	if (strcmp(leaf, OPAQUE) == 0) {
		if (fsetxattr(pfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
			return fail(x, errno, "set trusted.overlay.opaque");
		return 0;
	}
	if (strncmp(leaf, WHITEOUT WHITEOUT, 8) == 0) {
		gk_debug("%s: skipping aufs metadata %s", x->what, x->entry);
		return 0;
	}
	const char *target = leaf + strlen(WHITEOUT);
	if (!*target || strcmp(target, ".") == 0 || strcmp(target, "..") == 0)
		return fail(x, 0, "invalid whiteout name");
	int is_dir;
	if (clear_target(x, pfd, target, 0, &is_dir) < 0)
		return -1;
	if (mknodat(pfd, target, S_IFCHR | 0, makedev(0, 0)) < 0)
		return fail(x, errno, "mknod whiteout");
	uid_t uid;
	gid_t gid;
	if (check_ids(x, e, &uid, &gid) < 0)
		return -1;
	if (fchownat(pfd, target, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(x, errno, "chown whiteout");
	return 0;
}

static int make_hardlink(struct extract *x, int pfd, const char *leaf, const char *target)
{
	_cleanup_strv_ char **tcomps = NULL;
	size_t tn = 0;
	if (split_path(x, target, &tcomps, &tn) < 0)
		return gk_err_wrap(x->err, "hard link target");
	if (tn == 0)
		return fail(x, 0, "hard link to the layer root");
	_cleanup_close_ int tfd = walk_dir(x, tcomps, tn - 1, 0);
	if (tfd < 0)
		return gk_err_wrap(x->err, "hard link target \"%.512s\"", target);
	struct stat st;
	if (fstatat(tfd, tcomps[tn - 1], &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(x, errno, "hard link target \"%.512s\"", target);
	if (S_ISDIR(st.st_mode))
		return fail(x, 0, "hard link to a directory");
	struct stat self;
	if (fstatat(pfd, leaf, &self, AT_SYMLINK_NOFOLLOW) == 0 && self.st_ino == st.st_ino &&
	    self.st_dev == st.st_dev)
		return 0;
	int is_dir;
	if (clear_target(x, pfd, leaf, 0, &is_dir) < 0)
		return -1;
	/* flags 0: a symlink target is linked itself, never followed */
	if (linkat(tfd, tcomps[tn - 1], pfd, leaf, 0) < 0)
		return fail(x, errno, "link to \"%.512s\"", target);
	return 0;
}

static int make_special(struct extract *x, int pfd, const char *leaf, struct archive_entry *e,
			mode_t type)
{
	dev_t dev = 0;
	if (type == S_IFCHR || type == S_IFBLK) {
		unsigned long ma = (unsigned long)archive_entry_rdevmajor(e);
		unsigned long mi = (unsigned long)archive_entry_rdevminor(e);
		/* Linux's dev_t: 12-bit major, 20-bit minor. */
		if (ma > 0xfff || mi > 0xfffff)
			return fail(x, 0, "device number %lu:%lu out of range", ma, mi);
		dev = makedev(ma, mi);
	}
	if (mknodat(pfd, leaf, type | 0600, dev) < 0)
		return fail(x, errno, "mknod");
	uid_t uid;
	gid_t gid;
	if (check_ids(x, e, &uid, &gid) < 0)
		return -1;
	if (fchownat(pfd, leaf, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(x, errno, "chown");
	/* Just created as a node, not a symlink: following is harmless. */
	if (fchmodat(pfd, leaf, archive_entry_perm(e) & 07777, 0) < 0)
		return fail(x, errno, "chmod");
	struct timespec ts[2];
	entry_times(e, ts);
	if (utimensat(pfd, leaf, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(x, errno, "set times");
	return 0;
}

static int make_symlink(struct extract *x, int pfd, const char *leaf, struct archive_entry *e)
{
	const char *target = archive_entry_symlink(e);
	if (!target)
		return fail(x, 0, "symlink without a target");
	if (strlen(target) > PATH_MAX_LEN)
		return fail(x, 0, "symlink target longer than %d bytes", PATH_MAX_LEN);
	if (symlinkat(target, pfd, leaf) < 0)
		return fail(x, errno, "symlink");
	uid_t uid;
	gid_t gid;
	if (check_ids(x, e, &uid, &gid) < 0)
		return -1;
	if (fchownat(pfd, leaf, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(x, errno, "chown");
	struct timespec ts[2];
	entry_times(e, ts);
	if (utimensat(pfd, leaf, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(x, errno, "set times");
	return 0;
}

static int make_file(struct extract *x, struct archive *a, int pfd, const char *leaf,
		     struct archive_entry *e)
{
	_cleanup_close_ int fd =
	    openat(pfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(x, errno, "create");
	if (write_data(x, a, fd, e) < 0 || apply_meta_fd(x, fd, e) < 0)
		return -1;
	struct timespec ts[2];
	entry_times(e, ts);
	if (futimens(fd, ts) < 0)
		return fail(x, errno, "set times");
	return 0;
}

static int make_dir(struct extract *x, int pfd, const char *leaf, char **comps, size_t n,
		    struct archive_entry *e)
{
	int is_dir;
	if (clear_target(x, pfd, leaf, 1, &is_dir) < 0)
		return -1;
	if (!is_dir && mkdirat(pfd, leaf, 0700) < 0)
		return fail(x, errno, "mkdir");
	_cleanup_close_ int fd = openat(pfd, leaf, DIR_FLAGS);
	if (fd < 0)
		return fail(x, errno, "open");
	if (apply_meta_fd(x, fd, e) < 0)
		return -1;
	defer_dir_times(x, comps, n, e);
	return 0;
}

static int extract_entry(struct extract *x, struct archive *a, struct archive_entry *e)
{
	const char *path = archive_entry_pathname(e);
	if (!path)
		path = archive_entry_pathname_utf8(e);
	x->entry = path;
	if (!path)
		return fail(x, 0, "entry without a usable name");
	if (++x->entries > x->lim->max_entries)
		return fail(x, 0, "more than %llu entries in one layer",
			    (unsigned long long)x->lim->max_entries);
	_cleanup_strv_ char **comps = NULL;
	size_t n = 0;
	if (split_path(x, path, &comps, &n) < 0)
		return -1;
	const char *hardlink = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	if (n == 0) { /* "./": the layer root itself */
		if (hardlink || type != AE_IFDIR)
			return fail(x, 0, "the layer root must be a directory");
		if (apply_meta_fd(x, x->rootfd, e) < 0)
			return -1;
		defer_dir_times(x, comps, 0, e);
		return 0;
	}
	const char *leaf = comps[n - 1];
	int pfd = parent_fd(x, comps, n - 1);
	if (pfd < 0)
		return -1;
	if (strncmp(leaf, WHITEOUT, strlen(WHITEOUT)) == 0)
		return make_whiteout(x, pfd, leaf, e);
	if (hardlink)
		return make_hardlink(x, pfd, leaf, hardlink);
	if (type == AE_IFDIR)
		return make_dir(x, pfd, leaf, comps, n, e);
	if (type == AE_IFSOCK) {
		gk_debug("%s: skipping socket %s", x->what, path);
		return 0;
	}
	int is_dir;
	if (clear_target(x, pfd, leaf, 0, &is_dir) < 0)
		return -1;
	switch (type) {
	case AE_IFREG:
		return make_file(x, a, pfd, leaf, e);
	case AE_IFLNK:
		return make_symlink(x, pfd, leaf, e);
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO:
		return make_special(x, pfd, leaf, e, type);
	default:
		return fail(x, 0, "unsupported entry type 0%o", (unsigned)type);
	}
}

static int extract_all(struct extract *x, struct archive *tar, struct stream *s)
{
	struct archive_entry *e;
	int headers = 0;
	for (;;) {
		int r = archive_read_next_header(tar, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			if (s->too_big)
				return too_big_error(s, x->what, x->err);
			return gk_err_set(x->err, 0, "%s: %s: %s", x->what,
					  headers ? "read tar entry" : "not a tar archive",
					  archive_error_string(tar));
		}
		headers++;
		if (extract_entry(x, tar, e) < 0) {
			if (s->too_big)
				return too_big_error(s, x->what, x->err);
			return -1;
		}
	}
	/* Whatever follows the end-of-archive blocks is part of the diff_id too. */
	const void *buf;
	la_ssize_t n;
	while ((n = stream_read(tar, s, &buf)) > 0)
		;
	if (n < 0) {
		if (s->too_big)
			return too_big_error(s, x->what, x->err);
		return gk_err_set(x->err, 0, "%s: %s", x->what, archive_error_string(tar));
	}
	return 0;
}

int rt_layer_extract(const char *blob_path, const char *what, const char *dir,
		     const struct rt_layer_limits *lim, char diff_id_out[72], int64_t *size_out,
		     struct gk_err *err)
{
	struct stream s = {.max = lim->max_size};
	if (open_decompressor(blob_path, what, &s.raw, err) < 0)
		return -1;
	gk_sha256_init(&s.hash);
	struct extract x = {.what = what, .lim = lim, .cache_fd = -1, .err = err};
	int rc = -1;
	struct archive *tar = archive_read_new();
	if (!tar)
		abort();
	x.rootfd = open(dir, DIR_FLAGS);
	if (x.rootfd < 0) {
		gk_err_set(err, errno, "%s: open %s", what, dir);
		goto out;
	}
	fchmod(x.rootfd, 0755);
	archive_read_support_format_tar(tar);
	archive_read_support_filter_none(tar);
	if (archive_read_open(tar, &s, NULL, stream_read, NULL) != ARCHIVE_OK) {
		if (s.too_big)
			too_big_error(&s, what, err);
		else
			gk_err_set(err, 0, "%s: not a tar archive: %s", what,
				   archive_error_string(tar));
		goto out;
	}
	if (extract_all(&x, tar, &s) < 0)
		goto out;
	x.entry = NULL;
	apply_dir_times(&x);
	char hex[GK_SHA256_HEX_LEN + 1];
	gk_sha256_final_hex(&s.hash, hex);
	snprintf(diff_id_out, 72, "sha256:%s", hex);
	*size_out = x.size;
	rc = 0;
out:
	gk_sha256_free(&s.hash);
	cache_drop(&x);
	for (size_t i = 0; i < x.ndirs; i++)
		free(x.dirs[i].path);
	free(x.dirs);
	if (x.rootfd >= 0)
		close(x.rootfd);
	archive_read_free(tar);
	archive_read_free(s.raw);
	return rc;
}

int rt_layer_unpack(struct rt_store *store, const char *blob_path, const char *parent_chain_id,
		    const char *diff_id, char **chain_id, struct gk_err *err)
{
	if (gk_digest_check(diff_id, "layer diff_id", err) < 0)
		return -1;
	if (parent_chain_id && gk_digest_check(parent_chain_id, "parent chain id", err) < 0)
		return -1;
	_cleanup_store_unlock_ struct rt_store *locked = NULL;
	_cleanup_free_ char *chain = rt_layer_chain_id(parent_chain_id, diff_id);
	_cleanup_free_ char *dst = rt_store_layer_dir(store, chain);
	if (gk_path_exists(dst)) {
		*chain_id = gk_steal_ptr(chain);
		return 0;
	}
	struct rt_layer_limits lim;
	if (rt_layer_limits_default(&lim, err) < 0)
		return -1;
	_cleanup_free_ char *tmp = rt_store_tmpdir(store, err);
	if (!tmp)
		return -1;
	char got[72];
	int64_t size = 0;
	_cleanup_free_ char *what = gk_strdup_printf("layer %s", diff_id);
	if (rt_layer_extract(blob_path, what, tmp, &lim, got, &size, err) < 0)
		goto fail;
	if (strcmp(got, diff_id) != 0) {
		gk_err_set(err, 0,
			   "layer %s: uncompressed content has digest %s, not the diff_id the "
			   "image config names",
			   diff_id, got);
		goto fail;
	}

	if (rt_store_lock(store, err) < 0)
		goto fail;
	locked = store;
	if (!gk_path_exists(dst)) {
		_cleanup_json_ json_object *meta = json_object_new_object();
		json_object_object_add(meta, "chain_id", json_object_new_string(chain));
		json_object_object_add(meta, "diff_id", json_object_new_string(diff_id));
		json_object_object_add(meta, "parent",
				       parent_chain_id ? json_object_new_string(parent_chain_id)
						       : NULL);
		json_object_object_add(meta, "size", json_object_new_int64(size));
		_cleanup_free_ char *meta_path = gk_strdup_printf("%s.json", dst);
		if (gk_json_write_file_atomic(meta_path, meta, 0, 0600, err) < 0)
			goto fail;
		if (rename(tmp, dst) < 0) {
			gk_err_set(err, errno, "rename %s to %s", tmp, dst);
			goto fail;
		}
		_cleanup_free_ char *layers = gk_strdup_printf("%s/layers", rt_store_root(store));
		if (gk_fsync_dir(layers, err) < 0)
			goto fail;
	} else {
		struct gk_err ignored;
		gk_remove_tree(tmp, &ignored);
	}
	*chain_id = gk_steal_ptr(chain);
	return 0;
fail:;
	struct gk_err ignored;
	if (gk_remove_tree(tmp, &ignored) < 0)
		gk_warn("could not remove %s: %s", tmp, ignored.msg);
	return -1;
}
