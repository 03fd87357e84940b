/* The content-addressed image store: blobs, unpacked layers, images.json.
 * See store.h for the layout. Changes take the exclusive flock on
 * store.lock (re-entrant within one rt_store handle); readers rely on every
 * file being replaced atomically. */
#include "store.h"
#include "layer.h"

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/lock.h"
#include "common/log.h"
#include "common/paths.h"
#include "common/units.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define INDEX_MAX (64u << 20)
#define DOC_MAX	  (4u << 20)

struct rt_store {
	char *root;
	int lock_fd;
	int lock_depth;
};

static void store_freep(struct rt_store **s)
{
	rt_store_close(*s);
}
#define _cleanup_store_ __attribute__((cleanup(store_freep)))

/* Temp dirs of loads and pulls that were killed: nothing runs for a day.
 * Judged by the change time, which nobody can set back: the mtime of a
 * layer being extracted is the tar's "./" time (often 1970), and this runs
 * without the store lock while that layer waits for it to be committed. */
static void remove_stale_tmp(const char *root)
{
	_cleanup_free_ char *dir = gk_strdup_printf("%s/tmp", root);
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return;
	time_t now = time(NULL);
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    now - st.st_ctime < 24 * 3600)
			continue;
		_cleanup_free_ char *p = gk_strdup_printf("%s/%s", dir, de->d_name);
		struct gk_err ignored;
		if (gk_remove_tree(p, &ignored) < 0)
			gk_debug("stale %s: %s", p, ignored.msg);
	}
}

int rt_store_open(const char *root, struct rt_store **out, struct gk_err *err)
{
	if (!root)
		root = gk_root_dir();
	_cleanup_store_ struct rt_store *s = gk_malloc0(sizeof(*s));
	s->root = gk_strdup(root);
	s->lock_fd = -1;
	const char *subdirs[] = {"", "/blobs", "/blobs/sha256", "/layers", "/tmp"};
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		_cleanup_free_ char *d = gk_strdup_printf("%s%s", root, subdirs[i]);
		if (gk_mkdir_p(d, 0700, err) < 0)
			return gk_err_wrap(err, "open image store %s", root);
		/* Never let unprivileged users reach setuid files in image trees
		 * (a chmod of a right mode would still dirty the inode). */
		struct stat st;
		if (stat(d, &st) < 0 || ((st.st_mode & 07777) != 0700 && chmod(d, 0700) < 0))
			return gk_err_set(err, errno, "chmod %s", d);
	}
	remove_stale_tmp(root);
	*out = gk_steal_ptr(s);
	return 0;
}

void rt_store_close(struct rt_store *store)
{
	if (!store)
		return;
	if (store->lock_fd >= 0)
		gk_unlock(store->lock_fd);
	free(store->root);
	free(store);
}

const char *rt_store_root(const struct rt_store *store)
{
	return store->root;
}

int rt_store_lock(struct rt_store *store, struct gk_err *err)
{
	if (store->lock_depth > 0) {
		store->lock_depth++;
		return 0;
	}
	_cleanup_free_ char *path = gk_strdup_printf("%s/store.lock", store->root);
	int fd = gk_lock(path, GK_LOCK_EXCLUSIVE, err);
	if (fd < 0)
		return -1;
	store->lock_fd = fd;
	store->lock_depth = 1;
	return 0;
}

void rt_store_unlock(struct rt_store *store)
{
	if (store->lock_depth <= 0)
		return;
	if (--store->lock_depth == 0) {
		gk_unlock(store->lock_fd);
		store->lock_fd = -1;
	}
}

/* ---- blobs ---- */

char *rt_store_blob_path(const struct rt_store *store, const char *digest)
{
	if (!gk_digest_valid(digest))
		return NULL;
	return gk_strdup_printf("%s/blobs/sha256/%s", store->root, digest + 7);
}

int rt_store_has_blob(const struct rt_store *store, const char *digest)
{
	_cleanup_free_ char *p = rt_store_blob_path(store, digest);
	return p && gk_path_exists(p);
}

char *rt_store_tmpdir(struct rt_store *store, struct gk_err *err)
{
	char *t = gk_strdup_printf("%s/tmp/XXXXXX", store->root);
	if (!mkdtemp(t)) {
		gk_err_set(err, errno, "create temp dir in %s/tmp", store->root);
		free(t);
		return NULL;
	}
	return t;
}

static int hash_file(const char *path, char hex[GK_SHA256_HEX_LEN + 1], struct gk_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return gk_err_set(err, errno, "open %s", path);
	struct gk_sha256 h;
	gk_sha256_init(&h);
	static __thread char buf[1 << 16];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			gk_sha256_free(&h);
			return gk_err_set(err, errno, "read %s", path);
		}
		if (n == 0)
			break;
		gk_sha256_update(&h, buf, (size_t)n);
	}
	gk_sha256_final_hex(&h, hex);
	return 0;
}

int rt_store_put_blob_hashed(struct rt_store *store, const char *tmp_path, const char *digest,
			     struct gk_err *err)
{
	if (gk_digest_check(digest, "blob", err) < 0) {
		unlink(tmp_path);
		return -1;
	}
	_cleanup_free_ char *dst = rt_store_blob_path(store, digest);
	_cleanup_store_unlock_ struct rt_store *locked = NULL;
	if (rt_store_lock(store, err) < 0)
		return -1;
	locked = store;
	if (gk_path_exists(dst)) {
		unlink(tmp_path); /* content-addressed: the same bytes are already there */
		return 0;
	}
	if (chmod(tmp_path, 0600) < 0 || rename(tmp_path, dst) < 0) {
		int saved = errno;
		unlink(tmp_path);
		return gk_err_set(err, saved, "store blob %s", digest);
	}
	_cleanup_free_ char *dir = gk_strdup_printf("%s/blobs/sha256", store->root);
	return gk_fsync_dir(dir, err);
}

int rt_store_put_blob_file(struct rt_store *store, const char *tmp_path, const char *digest,
			   struct gk_err *err)
{
	if (gk_digest_check(digest, "blob", err) < 0) {
		unlink(tmp_path);
		return -1;
	}
	char hex[GK_SHA256_HEX_LEN + 1];
	if (hash_file(tmp_path, hex, err) < 0) {
		unlink(tmp_path);
		return -1;
	}
	if (strcmp(hex, digest + 7) != 0) {
		unlink(tmp_path);
		return gk_err_set(err, 0, "blob %s: content has digest sha256:%s", digest, hex);
	}
	{
		_cleanup_close_ int fd = open(tmp_path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			fsync(fd);
	}
	return rt_store_put_blob_hashed(store, tmp_path, digest, err);
}

int rt_store_put_blob_bytes(struct rt_store *store, const void *data, size_t len,
			    const char *digest, struct gk_err *err)
{
	if (gk_digest_check(digest, "blob", err) < 0)
		return -1;
	char hex[GK_SHA256_HEX_LEN + 1];
	gk_sha256_hex(data, len, hex);
	if (strcmp(hex, digest + 7) != 0)
		return gk_err_set(err, 0, "blob %s: content has digest sha256:%s", digest, hex);
	if (rt_store_has_blob(store, digest))
		return 0;
	_cleanup_free_ char *tmp = gk_strdup_printf("%s/tmp/blob-XXXXXX", store->root);
	_cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return gk_err_set(err, errno, "create temp file in %s/tmp", store->root);
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			unlink(tmp);
			return gk_err_set(err, saved, "write %s", tmp);
		}
		p += n;
		left -= (size_t)n;
	}
	if (fsync(fd) < 0) {
		int saved = errno;
		unlink(tmp);
		return gk_err_set(err, saved, "fsync %s", tmp);
	}
	return rt_store_put_blob_hashed(store, tmp, digest, err);
}

static int read_blob_json(const struct rt_store *store, const char *digest, const char *what,
			  json_object **out, struct gk_err *err)
{
	_cleanup_free_ char *p = rt_store_blob_path(store, digest);
	if (!p)
		return gk_err_set(err, 0, "%s: invalid digest \"%s\"", what, digest);
	if (gk_json_read_file(p, DOC_MAX, out, err) < 0)
		return gk_err_wrap(err, "%s %s", what, digest);
	return 0;
}

/* ---- layers ---- */

char *rt_store_layer_dir(const struct rt_store *store, const char *chain_id)
{
	if (!gk_digest_valid(chain_id))
		return NULL;
	return gk_strdup_printf("%s/layers/%s", store->root, chain_id + 7);
}

char *rt_layer_chain_id(const char *parent_chain_id, const char *diff_id)
{
	if (!parent_chain_id)
		return gk_strdup(diff_id);
	_cleanup_free_ char *s = gk_strdup_printf("%s %s", parent_chain_id, diff_id);
	char hex[GK_SHA256_HEX_LEN + 1];
	gk_sha256_hex(s, strlen(s), hex);
	return gk_strdup_printf("sha256:%s", hex);
}

static int64_t layer_size(const struct rt_store *store, const char *chain_id)
{
	_cleanup_free_ char *p = gk_strdup_printf("%s/layers/%s.json", store->root, chain_id + 7);
	_cleanup_json_ json_object *meta = NULL;
	struct gk_err ignored;
	if (gk_json_read_file(p, DOC_MAX, &meta, &ignored) < 0)
		return 0;
	return gk_json_int(meta, "size", 0);
}

/* ---- images.json ---- */

static char *index_path(const struct rt_store *store)
{
	return gk_strdup_printf("%s/images.json", store->root);
}

static int index_read(const struct rt_store *store, json_object **out, struct gk_err *err)
{
	_cleanup_free_ char *p = index_path(store);
	json_object *idx = NULL;
	if (!gk_path_exists(p)) {
		idx = json_object_new_object();
	} else if (gk_json_read_file(p, INDEX_MAX, &idx, err) < 0) {
		return -1;
	}
	if (!json_object_is_type(idx, json_type_object)) {
		json_object_put(idx);
		return gk_err_set(err, 0, "%s: not a JSON object", p);
	}
	if (!gk_json_obj(idx, "tags"))
		json_object_object_add(idx, "tags", json_object_new_object());
	if (!gk_json_obj(idx, "images"))
		json_object_object_add(idx, "images", json_object_new_object());
	*out = idx;
	return 0;
}

static int index_write(const struct rt_store *store, json_object *idx, struct gk_err *err)
{
	_cleanup_free_ char *p = index_path(store);
	return gk_json_write_file_atomic(p, idx, 1, 0600, err);
}

static int strv_json_contains(json_object *arr, const char *s)
{
	size_t n = arr ? json_object_array_length(arr) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *v = json_object_get_string(json_object_array_get_idx(arr, i));
		if (v && strcmp(v, s) == 0)
			return 1;
	}
	return 0;
}

static json_object *ensure_array(json_object *obj, const char *key)
{
	json_object *a = gk_json_array(obj, key);
	if (!a) {
		a = json_object_new_array();
		json_object_object_add(obj, key, a);
	}
	return a;
}

static void array_add_unique(json_object *arr, const char *s)
{
	if (!strv_json_contains(arr, s))
		json_object_array_add(arr, json_object_new_string(s));
}

static void array_remove(json_object *arr, const char *s)
{
	for (size_t i = json_object_array_length(arr); i-- > 0;) {
		const char *v = json_object_get_string(json_object_array_get_idx(arr, i));
		if (v && strcmp(v, s) == 0)
			json_object_array_del_idx(arr, i, 1);
	}
}

/* The image id whose record lists `manifest`, or NULL. */
static const char *image_of_manifest(json_object *idx, const char *manifest)
{
	json_object_object_foreach(gk_json_obj(idx, "images"), id, rec)
	{
		if (strv_json_contains(gk_json_array(rec, "manifests"), manifest))
			return id;
	}
	return NULL;
}

/* The index's own copy of the string `manifest` (stays valid with idx). */
static const char *manifest_in_index(json_object *idx, const char *manifest)
{
	json_object_object_foreach(gk_json_obj(idx, "images"), id, rec)
	{
		(void)id;
		json_object *ms = gk_json_array(rec, "manifests");
		for (size_t i = 0; ms && i < json_object_array_length(ms); i++) {
			const char *m = json_object_get_string(json_object_array_get_idx(ms, i));
			if (m && strcmp(m, manifest) == 0)
				return m;
		}
	}
	return NULL;
}

static void now_rfc3339(char *buf, size_t len)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	gk_format_time(&ts, buf, len);
}

/* Builds the record of the image that `manifest_digest` describes and checks
 * that everything it needs is in the store. */
static int describe_manifest(struct rt_store *store, const char *manifest_digest,
			     json_object **rec_out, char **id_out, struct gk_err *err)
{
	_cleanup_json_ json_object *manifest = NULL, *config = NULL;
	if (read_blob_json(store, manifest_digest, "manifest", &manifest, err) < 0)
		return -1;
	if (gk_json_array(manifest, "manifests"))
		return gk_err_set(err, 0, "manifest %s is an index, not an image manifest",
				  manifest_digest);
	json_object *cdesc = gk_json_obj(manifest, "config");
	const char *config_digest = gk_json_str(cdesc, "digest");
	if (gk_digest_check(config_digest, "manifest config digest", err) < 0)
		return gk_err_wrap(err, "manifest %s", manifest_digest);
	if (read_blob_json(store, config_digest, "image config", &config, err) < 0)
		return -1;
	json_object *layers = gk_json_array(manifest, "layers");
	json_object *diff_ids = gk_json_array(gk_json_obj(config, "rootfs"), "diff_ids");
	size_t nl = layers ? json_object_array_length(layers) : 0;
	size_t nd = diff_ids ? json_object_array_length(diff_ids) : 0;
	if (nl != nd)
		return gk_err_set(err, 0,
				  "manifest %s has %zu layers but its config %s has %zu diff_ids",
				  manifest_digest, nl, config_digest, nd);

	_cleanup_json_ json_object *rec = json_object_new_object();
	json_object *manifests = json_object_new_array();
	json_object_array_add(manifests, json_object_new_string(manifest_digest));
	json_object_object_add(rec, "manifests", manifests);
	json_object_object_add(rec, "repo_digests", json_object_new_array());
	json_object *chain_arr = json_object_new_array();
	json_object_object_add(rec, "layers", chain_arr);
	json_object *blobs = json_object_new_array();
	json_object_object_add(rec, "blobs", blobs);
	array_add_unique(blobs, manifest_digest);
	array_add_unique(blobs, config_digest);

	_cleanup_free_ char *chain = NULL;
	int64_t size = 0;
	for (size_t i = 0; i < nd; i++) {
		const char *diff_id =
		    json_object_get_string(json_object_array_get_idx(diff_ids, i));
		if (gk_digest_check(diff_id, "config diff_id", err) < 0)
			return gk_err_wrap(err, "image config %s", config_digest);
		char *next = rt_layer_chain_id(chain, diff_id);
		free(chain);
		chain = next;
		_cleanup_free_ char *dir = rt_store_layer_dir(store, chain);
		if (!gk_path_exists(dir))
			return gk_err_set(err, ENOENT,
					  "image %s: layer %s (diff_id %s) is not unpacked",
					  config_digest, chain, diff_id);
		json_object_array_add(chain_arr, json_object_new_string(chain));
		size += layer_size(store, chain);
		const char *blob = gk_json_str(json_object_array_get_idx(layers, i), "digest");
		if (gk_digest_valid(blob) && rt_store_has_blob(store, blob))
			array_add_unique(blobs, blob);
	}
	json_object_object_add(rec, "size", json_object_new_int64(size));
	const char *created = gk_json_str(config, "created");
	if (created)
		json_object_object_add(rec, "created", json_object_new_string(created));
	*id_out = gk_strdup(config_digest);
	*rec_out = gk_steal_ptr(rec);
	return 0;
}

int rt_store_tag(struct rt_store *store, const struct rt_ref *ref, const char *manifest_digest,
		 struct gk_err *err)
{
	return rt_store_tag_replacing(store, ref, manifest_digest, NULL, err);
}

int rt_store_tag_replacing(struct rt_store *store, const struct rt_ref *ref,
			   const char *manifest_digest, char **replaced_id, struct gk_err *err)
{
	if (replaced_id)
		*replaced_id = NULL;
	if (gk_digest_check(manifest_digest, "manifest digest", err) < 0)
		return -1;
	_cleanup_store_unlock_ struct rt_store *locked = NULL;
	if (rt_store_lock(store, err) < 0)
		return -1;
	locked = store;
	_cleanup_json_ json_object *rec = NULL;
	_cleanup_free_ char *id = NULL;
	if (describe_manifest(store, manifest_digest, &rec, &id, err) < 0)
		return -1;
	_cleanup_json_ json_object *idx = NULL;
	if (index_read(store, &idx, err) < 0)
		return -1;
	json_object *images = gk_json_obj(idx, "images");
	json_object *old = gk_json_obj(images, id);
	if (old) {
		/* Same image by another manifest (e.g. loaded from both formats). */
		json_object *m = ensure_array(old, "manifests");
		array_remove(m, manifest_digest);
		json_object_array_add(m, json_object_new_string(manifest_digest));
		json_object *ob = ensure_array(old, "blobs");
		json_object *nb = gk_json_array(rec, "blobs");
		for (size_t i = 0; i < json_object_array_length(nb); i++)
			array_add_unique(ob,
					 json_object_get_string(json_object_array_get_idx(nb, i)));
		ensure_array(old, "repo_digests");
	} else {
		old = json_object_get(rec);
		json_object_object_add(images, id, old);
	}
	char now[64];
	now_rfc3339(now, sizeof(now));
	if (ref && ref->tag) {
		_cleanup_free_ char *repo = rt_ref_repository(ref);
		_cleanup_free_ char *key = gk_strdup_printf("%s:%s", repo, ref->tag);
		const char *prev = gk_json_str(gk_json_obj(idx, "tags"), key);
		const char *prev_id = prev ? image_of_manifest(idx, prev) : NULL;
		if (replaced_id && prev_id && strcmp(prev_id, id) != 0)
			*replaced_id = gk_strdup(prev_id);
		json_object_object_add(gk_json_obj(idx, "tags"), key,
				       json_object_new_string(manifest_digest));
		json_object_object_add(old, "last_tag_time", json_object_new_string(now));
	} else if (!gk_json_str(old, "last_tag_time")) {
		json_object_object_add(old, "last_tag_time", json_object_new_string(now));
	}
	if (ref && ref->digest) {
		_cleanup_free_ char *repo = rt_ref_repository(ref);
		_cleanup_free_ char *rd = gk_strdup_printf("%s@%s", repo, ref->digest);
		array_add_unique(ensure_array(old, "repo_digests"), rd);
	}
	return index_write(store, idx, err);
}

/* ---- resolving ---- */

static int is_hex_prefix(const char *s, size_t min)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n >= min && n <= GK_SHA256_HEX_LEN;
}

/* Finds the image id by id or unique id prefix; 0 found, 1 not found, -1 ambiguous. */
static int find_by_id_prefix(json_object *idx, const char *hex, const char **id_out,
			     struct gk_err *err, const char *what)
{
	const char *found = NULL;
	size_t n = strlen(hex);
	json_object_object_foreach(gk_json_obj(idx, "images"), id, rec)
	{
		(void)rec;
		if (strncmp(id + 7, hex, n) != 0)
			continue;
		if (found)
			return gk_err_set(err, 0,
					  "%s: ambiguous image id prefix: more than one image "
					  "matches",
					  what);
		found = id;
	}
	*id_out = found;
	return found ? 0 : 1;
}

/* Image id and manifest for `s` (name, id or prefix); name_out gets the
 * familiar name when resolved by name. */
static int resolve_in_index(json_object *idx, const char *s, const char **id_out,
			    const char **manifest_out, char **name_out, struct gk_err *err)
{
	*name_out = NULL;
	*manifest_out = NULL;
	const char *hex = NULL;
	if (strncmp(s, "sha256:", 7) == 0) {
		hex = s + 7;
		if (!is_hex_prefix(hex, 1))
			return gk_err_set(err, 0, "invalid image id \"%s\"", s);
	}
	struct rt_ref ref;
	struct gk_err ref_err;
	int parsed = !hex && rt_ref_parse(s, &ref, &ref_err) == 0;
	if (parsed) {
		_cleanup_free_ char *repo = rt_ref_repository(&ref);
		const char *manifest = NULL;
		if (ref.tag) {
			_cleanup_free_ char *key = gk_strdup_printf("%s:%s", repo, ref.tag);
			manifest = gk_json_str(gk_json_obj(idx, "tags"), key);
			if (manifest && ref.digest && strcmp(manifest, ref.digest) != 0)
				manifest = NULL;
		} else if (ref.digest) {
			manifest = manifest_in_index(idx, ref.digest);
		}
		if (manifest) {
			const char *id = image_of_manifest(idx, manifest);
			if (id) {
				*id_out = id;
				*manifest_out = manifest;
				*name_out = rt_ref_familiar(&ref);
				rt_ref_free(&ref);
				return 0;
			}
		}
		rt_ref_free(&ref);
		/* A name that is also a hex string may be an id prefix (Docker does the same). */
		if (is_hex_prefix(s, 4))
			hex = s;
	}
	if (!parsed && !hex && is_hex_prefix(s, 4))
		hex = s;
	if (hex) {
		int rc = find_by_id_prefix(idx, hex, id_out, err, s);
		if (rc <= 0)
			return rc;
	}
	if (!parsed && !hex) {
		*err = ref_err;
		return -1;
	}
	gk_err_set(err, 0, "No such image: %s", s);
	err->errnum = ENOENT;
	return -1;
}

int rt_image_resolve(struct rt_store *store, const char *name_or_id, struct rt_image *out,
		     struct gk_err *err)
{
	memset(out, 0, sizeof(*out));
	_cleanup_json_ json_object *idx = NULL;
	if (index_read(store, &idx, err) < 0)
		return -1;
	const char *id = NULL, *manifest = NULL;
	_cleanup_free_ char *name = NULL;
	if (resolve_in_index(idx, name_or_id, &id, &manifest, &name, err) < 0)
		return -1;
	json_object *rec = gk_json_obj(gk_json_obj(idx, "images"), id);
	json_object *ms = gk_json_array(rec, "manifests");
	if (!manifest && ms && json_object_array_length(ms) > 0)
		manifest = json_object_get_string(
		    json_object_array_get_idx(ms, json_object_array_length(ms) - 1));
	json_object *config = NULL;
	if (read_blob_json(store, id, "image config", &config, err) < 0)
		return -1;
	json_object *layers = gk_json_array(rec, "layers");
	size_t n = layers ? json_object_array_length(layers) : 0;
	out->layer_dirs = gk_malloc0((n + 1) * sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		const char *chain = json_object_get_string(json_object_array_get_idx(layers, i));
		out->layer_dirs[i] = rt_store_layer_dir(store, chain);
		if (!out->layer_dirs[i] || !gk_path_exists(out->layer_dirs[i])) {
			json_object_put(config);
			rt_image_free(out);
			return gk_err_set(err, ENOENT, "image %s: layer %s is missing", id,
					  chain ? chain : "?");
		}
	}
	out->n_layers = n;
	out->id = gk_strdup(id);
	out->manifest_digest = gk_strdup(manifest);
	out->name = gk_steal_ptr(name);
	out->config = config;
	out->size = gk_json_int(rec, "size", 0);
	return 0;
}

void rt_image_free(struct rt_image *img)
{
	if (!img)
		return;
	free(img->id);
	free(img->manifest_digest);
	free(img->name);
	if (img->config)
		json_object_put(img->config);
	gk_strv_free(img->layer_dirs);
	memset(img, 0, sizeof(*img));
}

/* ---- listing ---- */

static char *familiar_of(const char *full)
{
	struct rt_ref ref;
	struct gk_err ignored;
	if (rt_ref_parse(full, &ref, &ignored) < 0)
		return gk_strdup(full);
	char *s = rt_ref_familiar(&ref);
	rt_ref_free(&ref);
	return s;
}

/* Familiar tags pointing at any manifest of image `id`. */
static char **tags_of(json_object *idx, const char *id)
{
	char **v = gk_malloc0(sizeof(char *));
	json_object *ms = gk_json_array(gk_json_obj(gk_json_obj(idx, "images"), id), "manifests");
	json_object_object_foreach(gk_json_obj(idx, "tags"), key, val)
	{
		if (strv_json_contains(ms, json_object_get_string(val))) {
			_cleanup_free_ char *f = familiar_of(key);
			gk_strv_push(&v, f);
		}
	}
	return v;
}

int rt_store_list_images(struct rt_store *store, struct rt_image_summary **out, size_t *n,
			 struct gk_err *err)
{
	_cleanup_json_ json_object *idx = NULL;
	if (index_read(store, &idx, err) < 0)
		return -1;
	json_object *images = gk_json_obj(idx, "images");
	size_t count = (size_t)json_object_object_length(images), i = 0;
	struct rt_image_summary *v = gk_malloc0((count + 1) * sizeof(*v));
	json_object_object_foreach(images, id, rec)
	{
		struct rt_image_summary *s = &v[i++];
		s->id = gk_strdup(id);
		json_object *ms = gk_json_array(rec, "manifests");
		size_t nm = ms ? json_object_array_length(ms) : 0;
		s->manifest_digest =
		    nm ? gk_strdup(json_object_get_string(json_object_array_get_idx(ms, nm - 1)))
		       : NULL;
		s->repo_tags = tags_of(idx, id);
		s->repo_digests = gk_malloc0(sizeof(char *));
		json_object *rds = gk_json_array(rec, "repo_digests");
		for (size_t j = 0; rds && j < json_object_array_length(rds); j++) {
			_cleanup_free_ char *f =
			    familiar_of(json_object_get_string(json_object_array_get_idx(rds, j)));
			gk_strv_push(&s->repo_digests, f);
		}
		s->created = gk_strdup(gk_json_str(rec, "created"));
		s->last_tag_time = gk_strdup(gk_json_str(rec, "last_tag_time"));
		s->size = gk_json_int(rec, "size", 0);
	}
	*out = v;
	*n = count;
	return 0;
}

void rt_image_summaries_free(struct rt_image_summary *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].id);
		free(v[i].manifest_digest);
		gk_strv_free(v[i].repo_tags);
		gk_strv_free(v[i].repo_digests);
		free(v[i].created);
		free(v[i].last_tag_time);
	}
	free(v);
}

/* ---- removal ---- */

char **rt_store_image_users(struct rt_store *store, const char *id)
{
	char **users = gk_malloc0(sizeof(char *));
	_cleanup_free_ char *dir = gk_strdup_printf("%s/containers", store->root);
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return users;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *cfg = gk_strdup_printf("%s/%s/config.json", dir, de->d_name);
		_cleanup_json_ json_object *c = NULL;
		struct gk_err ignored;
		if (gk_json_read_file(cfg, DOC_MAX, &c, &ignored) < 0)
			continue;
		const char *image = gk_json_str(c, "Image");
		if (image && strcmp(image, id) == 0)
			gk_strv_push(&users, de->d_name);
	}
	return users;
}

static int referenced_elsewhere(json_object *idx, const char *skip_id, const char *key,
				const char *value)
{
	json_object_object_foreach(gk_json_obj(idx, "images"), id, rec)
	{
		if (strcmp(id, skip_id) != 0 && strv_json_contains(gk_json_array(rec, key), value))
			return 1;
	}
	return 0;
}

static void push_line(char ***lines, const char *fmt, const char *arg)
{
	_cleanup_free_ char *s = gk_strdup_printf(fmt, arg);
	gk_strv_push(lines, s);
}

/* A layer leaves layers/ in one rename, into a temp dir, before its files
 * are deleted: a removal cut short (killed, or a file that cannot go) then
 * leaves a partial tree in tmp/ for the stale sweep, never a layer that a
 * later pull or load would take for complete. */
static int remove_layer(struct rt_store *store, const char *chain, struct gk_err *err)
{
	_cleanup_free_ char *dir = rt_store_layer_dir(store, chain);
	if (!dir)
		return 0;
	_cleanup_free_ char *meta = gk_strdup_printf("%s.json", dir);
	_cleanup_free_ char *doomed = rt_store_tmpdir(store, err);
	if (!doomed)
		return -1;
	/* onto the new, empty temp dir: rename(2) replaces it */
	if (rename(dir, doomed) < 0) {
		int saved = errno;
		rmdir(doomed);
		if (saved != ENOENT)
			return gk_err_set(err, saved, "move %s to %s", dir, doomed);
	}
	unlink(meta);
	return gk_remove_tree(doomed, err);
}

/* Deletes image `id` and whatever blobs and layers only it used. */
static int delete_image(struct rt_store *store, json_object *idx, const char *id, char ***lines,
			struct gk_err *err)
{
	json_object *images = gk_json_obj(idx, "images");
	_cleanup_json_ json_object *rec = json_object_get(gk_json_obj(images, id));
	json_object *rds = gk_json_array(rec, "repo_digests");
	for (size_t j = 0; rds && j < json_object_array_length(rds); j++) {
		_cleanup_free_ char *f =
		    familiar_of(json_object_get_string(json_object_array_get_idx(rds, j)));
		push_line(lines, "Untagged: %s", f);
	}
	json_object_object_del(images, id);
	/* The index goes first: a crash afterwards leaves only unreferenced files. */
	if (index_write(store, idx, err) < 0)
		return -1;
	push_line(lines, "Deleted: %s", id);
	json_object *layers = gk_json_array(rec, "layers");
	for (size_t i = json_object_array_length(layers); i-- > 0;) {
		const char *chain = json_object_get_string(json_object_array_get_idx(layers, i));
		if (referenced_elsewhere(idx, id, "layers", chain))
			continue;
		if (remove_layer(store, chain, err) < 0)
			return gk_err_wrap(err, "remove layer %s", chain);
		push_line(lines, "Deleted: %s", chain);
	}
	json_object *blobs = gk_json_array(rec, "blobs");
	for (size_t i = 0; blobs && i < json_object_array_length(blobs); i++) {
		const char *b = json_object_get_string(json_object_array_get_idx(blobs, i));
		if (referenced_elsewhere(idx, id, "blobs", b))
			continue;
		_cleanup_free_ char *p = rt_store_blob_path(store, b);
		if (p && unlink(p) < 0 && errno != ENOENT)
			return gk_err_set(err, errno, "remove blob %s", p);
	}
	return 0;
}

static void untag_all(json_object *idx, const char *id, char ***lines)
{
	json_object *ms = gk_json_array(gk_json_obj(gk_json_obj(idx, "images"), id), "manifests");
	json_object *tags = gk_json_obj(idx, "tags");
	char **keys = gk_malloc0(sizeof(char *));
	json_object_object_foreach(tags, key, val)
	{
		if (strv_json_contains(ms, json_object_get_string(val)))
			gk_strv_push(&keys, key);
	}
	for (char **k = keys; *k; k++) {
		_cleanup_free_ char *f = familiar_of(*k);
		push_line(lines, "Untagged: %s", f);
		json_object_object_del(tags, *k);
	}
	gk_strv_free(keys);
}

static char *short_id(const char *id)
{
	return strndup(id + 7, 12);
}

int rt_store_remove(struct rt_store *store, const char *name_or_id, int flags, char ***lines,
		    struct gk_err *err)
{
	_cleanup_store_unlock_ struct rt_store *locked = NULL;
	if (rt_store_lock(store, err) < 0)
		return -1;
	locked = store;
	_cleanup_json_ json_object *idx = NULL;
	if (index_read(store, &idx, err) < 0)
		return -1;
	const char *idp = NULL, *manifest = NULL;
	_cleanup_free_ char *name = NULL;
	if (resolve_in_index(idx, name_or_id, &idp, &manifest, &name, err) < 0)
		return -1;
	_cleanup_free_ char *id = gk_strdup(idp);
	_cleanup_free_ char *sid = short_id(id);
	_cleanup_strv_ char **users = rt_store_image_users(store, id);
	_cleanup_strv_ char **tags = tags_of(idx, id);
	int force = flags & RT_RMI_FORCE;

	if (name) {
		/* By name: untag; the image goes when its last name does. */
		if (users[0] && !force && !tags[1]) {
			_cleanup_free_ char *cid = strndup(users[0], 12);
			return gk_err_set(err, 0,
					  "conflict: unable to remove repository reference \"%s\" "
					  "(must force) - container %s is using its referenced "
					  "image %s",
					  name_or_id, cid, sid);
		}
		struct rt_ref ref;
		if (rt_ref_parse(name_or_id, &ref, err) < 0)
			return -1;
		_cleanup_free_ char *repo = rt_ref_repository(&ref);
		if (ref.tag) {
			_cleanup_free_ char *key = gk_strdup_printf("%s:%s", repo, ref.tag);
			json_object_object_del(gk_json_obj(idx, "tags"), key);
			push_line(lines, "Untagged: %s", name);
		} else {
			json_object *rds = gk_json_array(
			    gk_json_obj(gk_json_obj(idx, "images"), id), "repo_digests");
			_cleanup_free_ char *rd = gk_strdup_printf("%s@%s", repo, ref.digest);
			if (rds && strv_json_contains(rds, rd)) {
				array_remove(rds, rd);
				push_line(lines, "Untagged: %s", name);
			}
		}
		rt_ref_free(&ref);
		_cleanup_strv_ char **left = tags_of(idx, id);
		if (left[0] || users[0])
			return index_write(store, idx, err);
		return delete_image(store, idx, id, lines, err);
	}

	/* By id. */
	if (!force && tags[0] && tags[1]) {
		/* Docker refuses only when the names span several repositories. */
		_cleanup_free_ char *first = gk_strdup(tags[0]);
		char *c = strrchr(first, ':');
		if (c && !strchr(c, '/'))
			*c = '\0';
		for (char **t = tags + 1; *t; t++) {
			if (strncmp(*t, first, strlen(first)) != 0 || (*t)[strlen(first)] != ':')
				return gk_err_set(
				    err, 0,
				    "conflict: unable to delete %s (must be forced) - "
				    "image is referenced in multiple repositories",
				    sid);
		}
	}
	if (users[0]) {
		_cleanup_free_ char *cid = strndup(users[0], 12);
		if (!force)
			return gk_err_set(err, 0,
					  "conflict: unable to delete %s (must be forced) - image "
					  "is being used by container %s",
					  sid, cid);
		/* Forced: the names go, the image stays for the container. */
		untag_all(idx, id, lines);
		return index_write(store, idx, err);
	}
	untag_all(idx, id, lines);
	return delete_image(store, idx, id, lines, err);
}
