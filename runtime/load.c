/* Loading image archives. The outer tar is read once, as a stream: each
 * regular member is copied to a flat temp file in the store's tmp/ while it
 * is hashed. Then the archive's own index (manifest.json for docker save,
 * index.json for OCI) is read, every member it names is checked (a plain
 * relative name, a regular file, the digest it claims), layers are unpacked
 * and verified against the config's diff_ids, blobs move into the store, and
 * only then is the image recorded in images.json. A failure removes the
 * layers this load created and leaves the store as it was. */
#include "load.h"

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "runtime/layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DOC_MAX	    (4u << 20)
#define MAX_MEMBERS 100000

#define MT_OCI_MANIFEST	   "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX	   "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG	   "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST	   "application/vnd.docker.distribution.manifest.list.v2+json"

struct member {
	char *name;
	char *tmp;    /* flat temp file, NULL for links and once moved to blobs/ */
	char *digest; /* "sha256:<hex>" of the content */
	int64_t size;
	int is_link; /* symlink or hard link member: never used */
};

struct loader {
	struct rt_store *store;
	const char *what;
	char *tmpdir;
	struct member *m;
	size_t n, cap;
	char **new_layers; /* chain ids this load created, removed on failure */
	char ***lines;
	struct gk_err *err;
};

/* "./a//b" -> "a/b"; NULL for names that are absolute or contain "..". */
static char *clean_name(const char *name)
{
	if (!name || name[0] == '/')
		return NULL;
	_cleanup_free_ char *copy = gk_strdup(name);
	char *out = gk_malloc0(strlen(name) + 1);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			free(out);
			return NULL;
		}
		if (*out)
			strcat(out, "/");
		strcat(out, c);
	}
	return out;
}

static struct member *add_member(struct loader *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->m = realloc(l->m, l->cap * sizeof(*l->m));
		if (!l->m)
			abort();
	}
	struct member *m = &l->m[l->n++];
	memset(m, 0, sizeof(*m));
	return m;
}

static int copy_member(struct loader *l, struct archive *a, struct member *m)
{
	m->tmp = gk_strdup_printf("%s/m%zu", l->tmpdir, l->n);
	_cleanup_close_ int fd =
	    open(m->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return gk_err_set(l->err, errno, "%s: create %s", l->what, m->tmp);
	struct gk_sha256 h;
	gk_sha256_init(&h);
	const void *buf;
	size_t size;
	la_int64_t off;
	for (;;) {
		int r = archive_read_data_block(a, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			gk_sha256_free(&h);
			return gk_err_set(l->err, 0, "%s: read member %s: %s", l->what, m->name,
					  archive_error_string(a));
		}
		if (off != m->size) {
			gk_sha256_free(&h);
			return gk_err_set(l->err, 0, "%s: member %s is sparse", l->what, m->name);
		}
		gk_sha256_update(&h, buf, size);
		const char *p = buf;
		while (size > 0) {
			ssize_t n = write(fd, p, size);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				gk_sha256_free(&h);
				return gk_err_set(l->err, errno, "%s: write %s", l->what, m->tmp);
			}
			p += n;
			size -= (size_t)n;
			m->size += n;
		}
	}
	/* It may become a blob under its digest name: never a torn one. */
	if (fdatasync(fd) < 0) {
		gk_sha256_free(&h);
		return gk_err_set(l->err, errno, "%s: sync %s", l->what, m->tmp);
	}
	char hex[GK_SHA256_HEX_LEN + 1];
	gk_sha256_final_hex(&h, hex);
	m->digest = gk_strdup_printf("sha256:%s", hex);
	return 0;
}

static int read_members(struct loader *l, int fd)
{
	struct archive *a = archive_read_new();
	if (!a)
		abort();
	int rc = -1;
	if (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
	    archive_read_support_filter_none(a) != ARCHIVE_OK ||
	    archive_read_support_format_tar(a) != ARCHIVE_OK) {
		gk_err_set(l->err, 0, "libarchive lacks built-in gzip/zstd support");
		goto out;
	}
	if (archive_read_open_fd(a, fd, 1 << 17) != ARCHIVE_OK) {
		gk_err_set(l->err, 0, "%s: not a tar archive (plain, gzip or zstd): %s", l->what,
			   archive_error_string(a));
		goto out;
	}
	struct archive_entry *e;
	for (;;) {
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			gk_err_set(l->err, 0, "%s: %s: %s", l->what,
				   l->n ? "read archive" : "not a tar archive",
				   archive_error_string(a));
			goto out;
		}
		if (l->n >= MAX_MEMBERS) {
			gk_err_set(l->err, 0, "%s: more than %d members", l->what, MAX_MEMBERS);
			goto out;
		}
		_cleanup_free_ char *name = clean_name(archive_entry_pathname(e));
		mode_t type = archive_entry_filetype(e);
		if (!name || !*name || type == AE_IFDIR)
			continue; /* unusable names can never be referenced: see find() */
		int is_link = archive_entry_hardlink(e) || type == AE_IFLNK;
		if (!is_link && type != AE_IFREG)
			continue;
		struct member *m = add_member(l);
		m->name = gk_steal_ptr(name);
		m->is_link = is_link;
		if (!is_link && copy_member(l, a, m) < 0)
			goto out;
	}
	rc = 0;
out:
	archive_read_free(a);
	return rc;
}

/* The member an index names; refuses unsafe names and links. */
static struct member *find(struct loader *l, const char *name, const char *why)
{
	_cleanup_free_ char *clean = clean_name(name);
	if (!name || !clean || !*clean) {
		gk_err_set(l->err, 0, "%s: %s names \"%s\": not a relative path inside the archive",
			   l->what, why, name ? name : "");
		return NULL;
	}
	struct member *found = NULL;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->m[i].name, clean) == 0)
			found = &l->m[i]; /* the last one wins, as when extracting */
	if (!found) {
		gk_err_set(l->err, 0, "%s: %s names \"%s\", which is not in the archive", l->what,
			   why, name);
		return NULL;
	}
	if (found->is_link) {
		gk_err_set(l->err, 0, "%s: %s names \"%s\", which is a link: refused", l->what, why,
			   name);
		return NULL;
	}
	return found;
}

/* The blob member for an OCI descriptor: digest and size must match. */
static struct member *find_blob(struct loader *l, json_object *desc, const char *why)
{
	const char *digest = gk_json_str(desc, "digest");
	if (gk_digest_check(digest, why, l->err) < 0) {
		gk_err_wrap(l->err, "%s", l->what);
		return NULL;
	}
	_cleanup_free_ char *name = gk_strdup_printf("blobs/sha256/%s", digest + 7);
	struct member *m = find(l, name, why);
	if (!m)
		return NULL;
	if (strcmp(m->digest, digest) != 0) {
		gk_err_set(l->err, 0, "%s: %s %s: content has digest %s", l->what, why, digest,
			   m->digest);
		return NULL;
	}
	int64_t size = gk_json_int(desc, "size", -1);
	if (size >= 0 && size != m->size) {
		gk_err_set(l->err, 0, "%s: %s %s: %lld bytes, descriptor says %lld", l->what, why,
			   digest, (long long)m->size, (long long)size);
		return NULL;
	}
	return m;
}

static int member_json(struct loader *l, struct member *m, json_object **out)
{
	if (m->size > DOC_MAX)
		return gk_err_set(l->err, 0, "%s: %s is larger than %u bytes", l->what, m->name,
				  DOC_MAX);
	if (!m->tmp) {
		_cleanup_free_ char *p = rt_store_blob_path(l->store, m->digest);
		if (gk_json_read_file(p, DOC_MAX, out, l->err) < 0)
			return gk_err_wrap(l->err, "%s: %s", l->what, m->name);
		return 0;
	}
	if (gk_json_read_file(m->tmp, DOC_MAX, out, l->err) < 0)
		return gk_err_wrap(l->err, "%s: %s", l->what, m->name);
	return 0;
}

/* Where the member's bytes are now (temp file, or the blob once stored). */
static char *member_path(struct loader *l, struct member *m)
{
	return m->tmp ? gk_strdup(m->tmp) : rt_store_blob_path(l->store, m->digest);
}

static int store_member(struct loader *l, struct member *m)
{
	if (!m->tmp)
		return 0;
	if (rt_store_put_blob_hashed(l->store, m->tmp, m->digest, l->err) < 0)
		return gk_err_wrap(l->err, "%s: %s", l->what, m->name);
	free(m->tmp);
	m->tmp = NULL;
	return 0;
}

/* Unpack every layer (bottom first), verifying each against its diff_id. */
static int unpack_layers(struct loader *l, struct member **layers, size_t n, json_object *config,
			 const char *config_name)
{
	json_object *diff_ids = gk_json_array(gk_json_obj(config, "rootfs"), "diff_ids");
	size_t nd = diff_ids ? json_object_array_length(diff_ids) : 0;
	if (nd != n)
		return gk_err_set(l->err, 0, "%s: %s lists %zu diff_ids for %zu layers", l->what,
				  config_name, nd, n);
	_cleanup_free_ char *parent = NULL;
	for (size_t i = 0; i < n; i++) {
		const char *diff_id =
		    json_object_get_string(json_object_array_get_idx(diff_ids, i));
		if (gk_digest_check(diff_id, "diff_id", l->err) < 0)
			return gk_err_wrap(l->err, "%s: %s", l->what, config_name);
		_cleanup_free_ char *chain = rt_layer_chain_id(parent, diff_id);
		_cleanup_free_ char *dir = rt_store_layer_dir(l->store, chain);
		int existed = gk_path_exists(dir);
		_cleanup_free_ char *path = member_path(l, layers[i]);
		char *got = NULL;
		if (rt_layer_unpack(l->store, path, parent, diff_id, &got, l->err) < 0)
			return gk_err_wrap(l->err, "%s: layer %zu (%s)", l->what, i + 1,
					   layers[i]->name);
		if (!existed)
			gk_strv_push(&l->new_layers, got);
		free(parent);
		parent = got;
	}
	return 0;
}

static int store_members(struct loader *l, struct member **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (store_member(l, v[i]) < 0)
			return -1;
	return 0;
}

static void loaded_line(struct loader *l, const char *fmt, const char *arg)
{
	_cleanup_free_ char *s = gk_strdup_printf(fmt, arg);
	gk_strv_push(l->lines, s);
}

/* Point every name at the manifest (or record it untagged). */
static int record_image(struct loader *l, char **names, const char *manifest_digest,
			const char *config_digest)
{
	if (!names || !names[0]) {
		if (rt_store_tag(l->store, NULL, manifest_digest, l->err) < 0)
			return gk_err_wrap(l->err, "%s", l->what);
		loaded_line(l, "Loaded image ID: %s", config_digest);
		return 0;
	}
	for (char **n = names; *n; n++) {
		struct rt_ref ref;
		if (rt_ref_parse(*n, &ref, l->err) < 0)
			return gk_err_wrap(l->err, "%s: image name", l->what);
		_cleanup_free_ char *replaced = NULL;
		int rc = rt_store_tag_replacing(l->store, &ref, manifest_digest, &replaced, l->err);
		_cleanup_free_ char *fam = rt_ref_familiar(&ref);
		rt_ref_free(&ref);
		if (rc < 0)
			return gk_err_wrap(l->err, "%s", l->what);
		if (replaced) { /* Docker's words */
			_cleanup_free_ char *msg = gk_strdup_printf(
			    "The image %s already exists, renaming the old one with ID %s to "
			    "empty string",
			    fam, replaced);
			gk_strv_push(l->lines, msg);
		}
		loaded_line(l, "Loaded image: %s", fam);
	}
	return 0;
}

static const char *layer_media_type(struct loader *l, struct member *m)
{
	unsigned char magic[4] = {0};
	_cleanup_free_ char *p = member_path(l, m);
	_cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && read(fd, magic, sizeof(magic)) < 0)
		magic[0] = 0;
	if (magic[0] == 0x1f && magic[1] == 0x8b)
		return "application/vnd.oci.image.layer.v1.tar+gzip";
	if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
		return "application/vnd.oci.image.layer.v1.tar+zstd";
	return "application/vnd.oci.image.layer.v1.tar";
}

static json_object *descriptor(const char *media_type, struct member *m)
{
	json_object *d = json_object_new_object();
	json_object_object_add(d, "mediaType", json_object_new_string(media_type));
	json_object_object_add(d, "digest", json_object_new_string(m->digest));
	json_object_object_add(d, "size", json_object_new_int64(m->size));
	return d;
}

/* docker save has no manifest blob: build an OCI one, deterministically, so
 * loading the same archive twice gives the same manifest digest. */
static int synthesize_manifest(struct loader *l, struct member *config, struct member **layers,
			       size_t n, char **digest_out)
{
	_cleanup_json_ json_object *m = json_object_new_object();
	json_object_object_add(m, "schemaVersion", json_object_new_int(2));
	json_object_object_add(m, "mediaType", json_object_new_string(MT_OCI_MANIFEST));
	json_object_object_add(m, "config", descriptor(MT_OCI_CONFIG, config));
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, descriptor(layer_media_type(l, layers[i]), layers[i]));
	json_object_object_add(m, "layers", arr);
	size_t len = 0;
	const char *text = json_object_to_json_string_length(
	    m, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	char hex[GK_SHA256_HEX_LEN + 1];
	gk_sha256_hex(text, len, hex);
	_cleanup_free_ char *digest = gk_strdup_printf("sha256:%s", hex);
	if (rt_store_put_blob_bytes(l->store, text, len, digest, l->err) < 0)
		return gk_err_wrap(l->err, "%s: store manifest", l->what);
	*digest_out = gk_steal_ptr(digest);
	return 0;
}

static int load_docker_entry(struct loader *l, json_object *entry, size_t idx)
{
	char why[64];
	snprintf(why, sizeof(why), "manifest.json entry %zu", idx + 1);
	if (!json_object_is_type(entry, json_type_object))
		return gk_err_set(l->err, 0, "%s: %s is not an object", l->what, why);
	struct member *config = find(l, gk_json_str(entry, "Config"), why);
	if (!config)
		return -1;
	_cleanup_json_ json_object *cfg = NULL;
	if (member_json(l, config, &cfg) < 0)
		return -1;
	json_object *names = gk_json_array(entry, "Layers");
	size_t n = names ? json_object_array_length(names) : 0;
	_cleanup_free_ struct member **layers = gk_malloc0((n + 1) * sizeof(*layers));
	for (size_t i = 0; i < n; i++) {
		layers[i] =
		    find(l, json_object_get_string(json_object_array_get_idx(names, i)), why);
		if (!layers[i])
			return -1;
	}
	_cleanup_strv_ char **tags = gk_json_strv(gk_json_array(entry, "RepoTags"));
	for (char **t = tags; *t; t++) { /* names are checked before anything is stored */
		struct rt_ref ref;
		if (rt_ref_parse(*t, &ref, l->err) < 0)
			return gk_err_wrap(l->err, "%s: %s: RepoTags", l->what, why);
		rt_ref_free(&ref);
	}
	if (unpack_layers(l, layers, n, cfg, config->name) < 0)
		return -1;
	_cleanup_free_ char *manifest = NULL;
	if (synthesize_manifest(l, config, layers, n, &manifest) < 0)
		return -1;
	if (store_members(l, layers, n) < 0 || store_member(l, config) < 0)
		return -1;
	return record_image(l, tags, manifest, config->digest);
}

static int load_docker(struct loader *l, struct member *mj)
{
	_cleanup_json_ json_object *arr = NULL;
	if (member_json(l, mj, &arr) < 0)
		return -1;
	if (!json_object_is_type(arr, json_type_array) || json_object_array_length(arr) == 0)
		return gk_err_set(l->err, 0, "%s: manifest.json is not a non-empty array", l->what);
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		if (load_docker_entry(l, json_object_array_get_idx(arr, i), i) < 0)
			return -1;
	return 0;
}

static int is_index_type(const char *mt)
{
	return mt && (strcmp(mt, MT_OCI_INDEX) == 0 || strcmp(mt, MT_DOCKER_LIST) == 0);
}

/* Names from an index.json descriptor: io.containerd.image.name, or a
 * ref.name that is a whole reference (a bare tag names no repository). */
static char **oci_names(json_object *desc)
{
	char **v = gk_malloc0(sizeof(char *));
	json_object *ann = gk_json_obj(desc, "annotations");
	const char *name = gk_json_str(ann, "io.containerd.image.name");
	const char *ref = gk_json_str(ann, "org.opencontainers.image.ref.name");
	if (name)
		gk_strv_push(&v, name);
	else if (ref && strpbrk(ref, ":/@"))
		gk_strv_push(&v, ref);
	return v;
}

/* For a nested index, the linux manifest for this machine (or the first). */
static int pick_platform(struct loader *l, json_object *desc, json_object **index_out,
			 json_object **desc_out)
{
	struct member *im = find_blob(l, desc, "image index");
	if (!im)
		return -1;
	if (member_json(l, im, index_out) < 0)
		return -1;
	json_object *ms = gk_json_array(*index_out, "manifests");
	size_t n = ms ? json_object_array_length(ms) : 0;
	if (n == 0)
		return gk_err_set(l->err, 0, "%s: image index %s lists no manifests", l->what,
				  im->digest);
	*desc_out = json_object_array_get_idx(ms, 0);
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(ms, i);
		json_object *p = gk_json_obj(d, "platform");
		const char *os = gk_json_str(p, "os"), *arch = gk_json_str(p, "architecture");
		if (os && arch && strcmp(os, "linux") == 0 && strcmp(arch, "amd64") == 0) {
			*desc_out = d;
			break;
		}
	}
	return 0;
}

static int load_oci_manifest(struct loader *l, json_object *desc, char **names)
{
	_cleanup_json_ json_object *nested = NULL;
	if (is_index_type(gk_json_str(desc, "mediaType")) &&
	    pick_platform(l, desc, &nested, &desc) < 0)
		return -1;
	struct member *mm = find_blob(l, desc, "manifest");
	if (!mm)
		return -1;
	_cleanup_json_ json_object *manifest = NULL;
	if (member_json(l, mm, &manifest) < 0)
		return -1;
	if (gk_json_array(manifest, "manifests"))
		return gk_err_set(l->err, 0, "%s: manifest %s is an index, not an image manifest",
				  l->what, mm->digest);
	const char *mt = gk_json_str(manifest, "mediaType");
	if (mt && strcmp(mt, MT_OCI_MANIFEST) != 0 && strcmp(mt, MT_DOCKER_MANIFEST) != 0)
		return gk_err_set(l->err, 0, "%s: manifest %s has unsupported media type %s",
				  l->what, mm->digest, mt);
	struct member *config = find_blob(l, gk_json_obj(manifest, "config"), "config");
	if (!config)
		return -1;
	_cleanup_json_ json_object *cfg = NULL;
	if (member_json(l, config, &cfg) < 0)
		return -1;
	json_object *descs = gk_json_array(manifest, "layers");
	size_t n = descs ? json_object_array_length(descs) : 0;
	_cleanup_free_ struct member **layers = gk_malloc0((n + 1) * sizeof(*layers));
	for (size_t i = 0; i < n; i++) {
		layers[i] = find_blob(l, json_object_array_get_idx(descs, i), "layer");
		if (!layers[i])
			return -1;
	}
	for (char **t = names; *t; t++) {
		struct rt_ref ref;
		if (rt_ref_parse(*t, &ref, l->err) < 0)
			return gk_err_wrap(l->err, "%s: image name", l->what);
		rt_ref_free(&ref);
	}
	if (unpack_layers(l, layers, n, cfg, config->digest) < 0)
		return -1;
	if (store_members(l, layers, n) < 0 || store_member(l, config) < 0 ||
	    store_member(l, mm) < 0)
		return -1;
	return record_image(l, names, mm->digest, config->digest);
}

static int load_oci(struct loader *l, struct member *layout, struct member *index)
{
	_cleanup_json_ json_object *lj = NULL, *ij = NULL;
	if (member_json(l, layout, &lj) < 0 || member_json(l, index, &ij) < 0)
		return -1;
	const char *version = gk_json_str(lj, "imageLayoutVersion");
	if (!version || strncmp(version, "1.", 2) != 0)
		return gk_err_set(l->err, 0, "%s: oci-layout: unsupported imageLayoutVersion %s",
				  l->what, version ? version : "(none)");
	json_object *ms = gk_json_array(ij, "manifests");
	size_t n = ms ? json_object_array_length(ms) : 0;
	if (n == 0)
		return gk_err_set(l->err, 0, "%s: index.json lists no manifests", l->what);
	for (size_t i = 0; i < n; i++) {
		json_object *desc = json_object_array_get_idx(ms, i);
		_cleanup_strv_ char **names = oci_names(desc);
		if (load_oci_manifest(l, desc, names) < 0)
			return -1;
	}
	return 0;
}

static struct member *lookup(struct loader *l, const char *name)
{
	struct member *found = NULL;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->m[i].name, name) == 0)
			found = &l->m[i];
	return found;
}

/* Undo: the layers this load unpacked, unless an image uses them by now. */
static void drop_new_layers(struct loader *l)
{
	struct gk_err ignored;
	if (!l->new_layers || rt_store_lock(l->store, &ignored) < 0)
		return;
	struct rt_image_summary *v = NULL;
	size_t n = 0;
	if (rt_store_list_images(l->store, &v, &n, &ignored) == 0) {
		for (char **c = l->new_layers; *c; c++) {
			int used = 0;
			for (size_t i = 0; i < n && !used; i++) {
				struct rt_image img;
				if (rt_image_resolve(l->store, v[i].id, &img, &ignored) < 0)
					continue;
				_cleanup_free_ char *dir = rt_store_layer_dir(l->store, *c);
				for (size_t j = 0; j < img.n_layers; j++)
					used |= strcmp(img.layer_dirs[j], dir) == 0;
				rt_image_free(&img);
			}
			if (used)
				continue;
			_cleanup_free_ char *dir = rt_store_layer_dir(l->store, *c);
			_cleanup_free_ char *meta = gk_strdup_printf("%s.json", dir);
			gk_remove_tree(dir, &ignored);
			unlink(meta);
		}
		rt_image_summaries_free(v, n);
	}
	rt_store_unlock(l->store);
}

int rt_archive_load(struct rt_store *store, int fd, const char *what, char ***lines,
		    struct gk_err *err)
{
	struct loader l = {.store = store, .what = what, .lines = lines, .err = err};
	l.tmpdir = rt_store_tmpdir(store, err);
	if (!l.tmpdir)
		return -1;
	int rc = read_members(&l, fd);
	if (rc == 0) {
		struct member *mj = lookup(&l, "manifest.json");
		struct member *layout = lookup(&l, "oci-layout");
		struct member *index = lookup(&l, "index.json");
		if (mj && !mj->is_link)
			rc = load_docker(&l, mj);
		else if (layout && index && !layout->is_link && !index->is_link)
			rc = load_oci(&l, layout, index);
		else
			rc = gk_err_set(err, 0,
					"%s: neither a docker save archive (manifest.json) nor an "
					"OCI image layout (oci-layout, index.json)",
					what);
	}
	if (rc < 0)
		drop_new_layers(&l);
	struct gk_err ignored;
	if (gk_remove_tree(l.tmpdir, &ignored) < 0)
		gk_warn("could not remove %s: %s", l.tmpdir, ignored.msg);
	for (size_t i = 0; i < l.n; i++) {
		free(l.m[i].name);
		free(l.m[i].tmp);
		free(l.m[i].digest);
	}
	free(l.m);
	free(l.tmpdir);
	gk_strv_free(l.new_layers);
	return rc;
}
