/* Unit tests for runtime/reference.c (Docker's accepted and rejected names,
 * from distribution/reference's own tests), digest validation, and the image
 * store: id-prefix resolution, tagging, safe layer unpacking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/fs.h"
#include "common/json.h"
#include "runtime/layer.h"
#include "runtime/reference.h"
#include "runtime/store.h"

static void expect_ref(const char *in, const char *domain, const char *path, const char *tag,
		       const char *digest)
{
	struct rt_ref r;
	struct gk_err err;
	if (rt_ref_parse(in, &r, &err) < 0)
		fail_msg("rt_ref_parse(%s): %s", in, err.msg);
	assert_string_equal(r.domain, domain);
	assert_string_equal(r.path, path);
	if (tag)
		assert_string_equal(r.tag, tag);
	else
		assert_null(r.tag);
	if (digest)
		assert_string_equal(r.digest, digest);
	else
		assert_null(r.digest);
	rt_ref_free(&r);
}

static void expect_bad(const char *in, const char *msg_part)
{
	struct rt_ref r;
	struct gk_err err = {0};
	if (rt_ref_parse(in, &r, &err) == 0) {
		rt_ref_free(&r);
		fail_msg("rt_ref_parse(%s) accepted an invalid reference", in);
	}
	if (msg_part && !strstr(err.msg, msg_part))
		fail_msg("rt_ref_parse(%s): message \"%s\" lacks \"%s\"", in, err.msg, msg_part);
}

#define HEX64 "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static void test_normalise(void **state)
{
	(void)state;
	expect_ref("busybox", "docker.io", "library/busybox", "latest", NULL);
	expect_ref("busybox:1.36", "docker.io", "library/busybox", "1.36", NULL);
	expect_ref("docker.io/busybox", "docker.io", "library/busybox", "latest", NULL);
	expect_ref("index.docker.io/library/debian", "docker.io", "library/debian", "latest", NULL);
	expect_ref("index.docker.io/debian", "docker.io", "library/debian", "latest", NULL);
	expect_ref("docker/docker", "docker.io", "docker/docker", "latest", NULL);
	expect_ref("library/foo/bar", "docker.io", "library/foo/bar", "latest", NULL);
	expect_ref("127.0.0.1:5000/a/b:tag", "127.0.0.1:5000", "a/b", "tag", NULL);
	expect_ref("localhost/foo", "localhost", "foo", "latest", NULL);
	expect_ref("localhost:5000/foo", "localhost:5000", "foo", "latest", NULL);
	expect_ref("localhost", "docker.io", "library/localhost", "latest", NULL);
	expect_ref("test.com:5000", "docker.io", "library/test.com", "5000", NULL);
	expect_ref("test_com/foo", "docker.io", "test_com/foo", "latest", NULL);
	expect_ref("test-com:8080/foo", "test-com:8080", "foo", "latest", NULL);
	expect_ref("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo", "latest", NULL);
	expect_ref("b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io",
		   "test.example.com/my-app", "test.example.com", NULL);
	expect_ref("192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050", NULL);
	expect_ref("[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000", "repo", "tag", NULL);
	expect_ref("[::1]:5000/repo", "[::1]:5000", "repo", "latest", NULL);
	expect_ref("lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase", NULL);
	expect_ref("Docker/docker", "Docker", "docker", "latest", NULL);
	expect_ref("busybox@sha256:" HEX64, "docker.io", "library/busybox", NULL, "sha256:" HEX64);
	expect_ref("busybox:latest@sha256:" HEX64, "docker.io", "library/busybox", "latest",
		   "sha256:" HEX64);
	expect_ref("docker---rules/docker", "docker.io", "docker---rules/docker", "latest", NULL);
	expect_ref("dock__er/docker", "docker.io", "dock__er/docker", "latest", NULL);
	expect_ref("d/docker", "docker.io", "d/docker", "latest", NULL);
	expect_ref("docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
		   "docker.io",
		   "library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
		   "latest", NULL);
	/* "docker.io/" + 122 "a/" + "a" is 255 characters: the longest name */
	char longname[512] = "";
	for (int i = 0; i < 122; i++)
		strcat(longname, "a/");
	strcat(longname, "a:tag-puts-this-over-max");
	struct rt_ref r;
	struct gk_err err;
	assert_int_equal(rt_ref_parse(longname, &r, &err), 0);
	rt_ref_free(&r);
	memmove(longname + 2, longname, strlen(longname) + 1);
	memcpy(longname, "a/", 2);
	assert_int_equal(rt_ref_parse(longname, &r, &err), -1);
}

static void test_rejected(void **state)
{
	(void)state;
	const char *bad[] = {
	    "",
	    ":justtag",
	    "@sha256:" HEX64,
	    "https://github.com/docker/docker",
	    "-docker",
	    "-docker/docker",
	    "-docker.io/docker/docker",
	    "docker///docker",
	    "docker.io/docker///docker",
	    "[fc00::1]",
	    "[fc00::1]:5000",
	    "fc00::1:5000/debian",
	    "[fe80::1%eth0]:5000/debian",
	    "[2001:db8:3:4::192.0.2.33]:5000/debian",
	    "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
	    "docker-/docker",
	    "-docker-/docker",
	    "____/____",
	    "_docker/_docker",
	    "dock..er/docker",
	    "dock_.er/docker",
	    "dock-.er/docker",
	    "docker/",
	    "aa/asdf$$^/aa",
	    "repo@sha256:ffffffffffffffffffffffffffffffffff",
	    "validname@invaliddigest:" HEX64,
	    "busybox@sha256:"
	    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF",
	    "busybox:-tag",
	    "busybox:"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "test image:1",
	    "private.registry:port/namespace/test:1",
	    "private.registry:5000/namespace/test:image:1",
	    "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_"
	    "valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_"
	    "because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_"
	    "is_greater_than_255/docker",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_bad(bad[i], NULL);
	expect_bad("Busybox", "invalid reference format: repository name must be lowercase");
	expect_bad("docker/Docker", "repository name must be lowercase");
	expect_bad("Uppercase:tag", "repository name must be lowercase");
	expect_bad("test:5000/Uppercase/lowercase:tag", "repository name must be lowercase");
	expect_bad("", "at least one component");
	char toolong[512] = "";
	for (int i = 0; i < 128; i++)
		strcat(toolong, "a/");
	strcat(toolong, "a:tag");
	expect_bad(toolong, "must not be more than 255 characters");
}

static void test_strings(void **state)
{
	(void)state;
	struct {
		const char *in, *full, *familiar, *repo, *frepo;
	} cases[] = {
	    {"busybox", "docker.io/library/busybox:latest", "busybox:latest",
	     "docker.io/library/busybox", "busybox"},
	    {"fooo/bar", "docker.io/fooo/bar:latest", "fooo/bar:latest", "docker.io/fooo/bar",
	     "fooo/bar"},
	    {"127.0.0.1:8000/private/moonbase:v1", "127.0.0.1:8000/private/moonbase:v1",
	     "127.0.0.1:8000/private/moonbase:v1", "127.0.0.1:8000/private/moonbase",
	     "127.0.0.1:8000/private/moonbase"},
	    {"library/foo/bar", "docker.io/library/foo/bar:latest", "library/foo/bar:latest",
	     "docker.io/library/foo/bar", "library/foo/bar"},
	    {"busybox:latest@sha256:" HEX64, "docker.io/library/busybox:latest@sha256:" HEX64,
	     "busybox:latest@sha256:" HEX64, "docker.io/library/busybox", "busybox"},
	    {"busybox@sha256:" HEX64, "docker.io/library/busybox@sha256:" HEX64,
	     "busybox@sha256:" HEX64, "docker.io/library/busybox", "busybox"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rt_ref r;
		struct gk_err err;
		assert_int_equal(rt_ref_parse(cases[i].in, &r, &err), 0);
		_cleanup_free_ char *full = rt_ref_string(&r);
		_cleanup_free_ char *fam = rt_ref_familiar(&r);
		_cleanup_free_ char *repo = rt_ref_repository(&r);
		_cleanup_free_ char *frepo = rt_ref_familiar_repository(&r);
		assert_string_equal(full, cases[i].full);
		assert_string_equal(fam, cases[i].familiar);
		assert_string_equal(repo, cases[i].repo);
		assert_string_equal(frepo, cases[i].frepo);
		rt_ref_free(&r);
	}
}

static void test_digest_valid(void **state)
{
	(void)state;
	assert_true(gk_digest_valid("sha256:" HEX64));
	assert_false(gk_digest_valid("sha256:" HEX64 "f"));
	assert_false(gk_digest_valid("sha256:fff"));
	assert_false(gk_digest_valid("sha512:" HEX64));
	assert_false(gk_digest_valid("sha256:../../etc/passwd"));
	assert_false(gk_digest_valid(
	    "sha256:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"));
	assert_false(gk_digest_valid(HEX64));
	assert_false(gk_digest_valid(NULL));
}

/* ---- store ---- */

struct tar_entry {
	const char *path;
	mode_t type;	  /* AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR; 0 = hard link */
	const char *data; /* content, or link target */
	unsigned major;
};

/* An uncompressed tar in memory; returns its length. */
static size_t make_tar(const struct tar_entry *ents, size_t n, char *buf, size_t cap)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_set_bytes_in_last_block(a, 1);
	size_t used = 0;
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, ents[i].path);
		archive_entry_set_mtime(e, 1000000000, 0);
		if (ents[i].type == 0) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, ents[i].data);
			archive_entry_set_size(e, 0);
		} else {
			archive_entry_set_filetype(e, ents[i].type);
			archive_entry_set_perm(e, ents[i].type == AE_IFDIR ? 0755 : 0644);
			if (ents[i].type == AE_IFLNK)
				archive_entry_set_symlink(e, ents[i].data);
			if (ents[i].type == AE_IFCHR)
				archive_entry_set_rdev(e, makedev(ents[i].major, 1));
			if (ents[i].type == AE_IFREG)
				archive_entry_set_size(e, (la_int64_t)strlen(ents[i].data));
		}
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (ents[i].type == AE_IFREG)
			archive_write_data(a, ents[i].data, strlen(ents[i].data));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return used;
}

struct fixture {
	char root[64];
	struct rt_store *store;
};

static int setup_store(void **state)
{
	struct fixture *f = gk_malloc0(sizeof(*f));
	strcpy(f->root, "/tmp/gocker-test-store-XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	struct gk_err err;
	if (rt_store_open(f->root, &f->store, &err) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown_store(void **state)
{
	struct fixture *f = *state;
	rt_store_close(f->store);
	struct gk_err err;
	gk_remove_tree(f->root, &err);
	free(f);
	return 0;
}

static char *digest_of(const void *data, size_t len)
{
	char hex[65];
	gk_sha256_hex(data, len, hex);
	return gk_strdup_printf("sha256:%s", hex);
}

/* Stores a layer blob, unpacks it; returns 0 or -1 with err filled. */
static int put_layer(struct rt_store *s, const struct tar_entry *ents, size_t n, char **diff_id,
		     char **chain, struct gk_err *err)
{
	static char buf[1 << 20];
	size_t len = make_tar(ents, n, buf, sizeof(buf));
	*diff_id = digest_of(buf, len);
	if (rt_store_put_blob_bytes(s, buf, len, *diff_id, err) < 0)
		return -1;
	_cleanup_free_ char *path = rt_store_blob_path(s, *diff_id);
	return rt_layer_unpack(s, path, NULL, *diff_id, chain, err);
}

/* Records an image with one layer and the given `created`; returns its id. */
static char *put_image(struct rt_store *s, const char *name, const char *created, const char *file)
{
	struct gk_err err;
	struct tar_entry ents[] = {{"etc", AE_IFDIR, NULL, 0}, {file, AE_IFREG, created, 0}};
	_cleanup_free_ char *diff_id = NULL, *chain = NULL;
	if (put_layer(s, ents, 2, &diff_id, &chain, &err) < 0)
		fail_msg("put_layer: %s", err.msg);
	_cleanup_free_ char *config = gk_strdup_printf(
	    "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"%s\",\"rootfs\":"
	    "{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
	    created, diff_id);
	_cleanup_free_ char *cd = digest_of(config, strlen(config));
	assert_int_equal(rt_store_put_blob_bytes(s, config, strlen(config), cd, &err), 0);
	_cleanup_free_ char *manifest = gk_strdup_printf(
	    "{\"schemaVersion\":2,\"config\":{\"digest\":\"%s\"},\"layers\":[{\"digest\":\"%s\"}]}",
	    cd, diff_id);
	_cleanup_free_ char *md = digest_of(manifest, strlen(manifest));
	assert_int_equal(rt_store_put_blob_bytes(s, manifest, strlen(manifest), md, &err), 0);
	struct rt_ref ref;
	if (name)
		assert_int_equal(rt_ref_parse(name, &ref, &err), 0);
	if (rt_store_tag(s, name ? &ref : NULL, md, &err) < 0)
		fail_msg("rt_store_tag: %s", err.msg);
	if (name)
		rt_ref_free(&ref);
	return gk_steal_ptr(cd);
}

static void test_resolve(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *a = put_image(f->store, "busybox", "2024-01-01T00:00:00Z", "etc/a");
	_cleanup_free_ char *b =
	    put_image(f->store, "127.0.0.1:5000/x/y:v1", "2024-01-02T00:00:00Z", "etc/b");
	struct rt_image img;
	struct gk_err err;
	const char *forms[] = {"busybox", "busybox:latest", "docker.io/library/busybox:latest",
			       "library/busybox"};
	for (size_t i = 0; i < 4; i++) {
		if (rt_image_resolve(f->store, forms[i], &img, &err) < 0)
			fail_msg("resolve %s: %s", forms[i], err.msg);
		assert_string_equal(img.id, a);
		assert_string_equal(img.name, "busybox:latest");
		assert_int_equal(img.n_layers, 1);
		assert_true(gk_path_exists(img.layer_dirs[0]));
		assert_non_null(img.config);
		rt_image_free(&img);
	}
	/* full id, with and without sha256:, and prefixes */
	char prefix[16];
	snprintf(prefix, sizeof(prefix), "%.12s", b + 7);
	const char *ids[] = {b, b + 7, prefix};
	for (size_t i = 0; i < 3; i++) {
		if (rt_image_resolve(f->store, ids[i], &img, &err) < 0)
			fail_msg("resolve %s: %s", ids[i], err.msg);
		assert_string_equal(img.id, b);
		assert_null(img.name);
		rt_image_free(&img);
	}
	assert_int_equal(rt_image_resolve(f->store, "127.0.0.1:5000/x/y:v1", &img, &err), 0);
	assert_string_equal(img.name, "127.0.0.1:5000/x/y:v1");
	rt_image_free(&img);
	/* by manifest digest */
	assert_int_equal(rt_image_resolve(f->store, "busybox", &img, &err), 0);
	_cleanup_free_ char *by_digest = gk_strdup_printf("busybox@%s", img.manifest_digest);
	rt_image_free(&img);
	assert_int_equal(rt_image_resolve(f->store, by_digest, &img, &err), 0);
	assert_string_equal(img.id, a);
	rt_image_free(&img);

	assert_int_equal(rt_image_resolve(f->store, "nosuch", &img, &err), -1);
	assert_non_null(strstr(err.msg, "No such image: nosuch"));
	assert_int_equal(err.errnum, ENOENT);
	assert_int_equal(rt_image_resolve(f->store, "busybox:other", &img, &err), -1);
	assert_int_equal(rt_image_resolve(f->store, "Busybox", &img, &err), -1);
	assert_non_null(strstr(err.msg, "must be lowercase"));
}

static void test_ambiguous_prefix(void **state)
{
	struct fixture *f = *state;
	/* Enough images that two share a first hex digit. */
	char *ids[20];
	for (int i = 0; i < 20; i++) {
		char created[64], file[32];
		snprintf(created, sizeof(created), "2024-01-%02dT00:00:00Z", i + 1);
		snprintf(file, sizeof(file), "etc/f%d", i);
		ids[i] = put_image(f->store, NULL, created, file);
	}
	int found = 0;
	for (int i = 0; i < 20 && !found; i++)
		for (int j = i + 1; j < 20 && !found; j++)
			if (ids[i][7] == ids[j][7]) {
				char p[2] = {ids[i][7], 0};
				_cleanup_free_ char *full = gk_strdup_printf("sha256:%s", p);
				struct rt_image img;
				struct gk_err err;
				assert_int_equal(rt_image_resolve(f->store, full, &img, &err), -1);
				assert_non_null(strstr(err.msg, "ambiguous"));
				found = 1;
			}
	assert_true(found);
	for (int i = 0; i < 20; i++)
		free(ids[i]);
}

static void test_remove_shared(void **state)
{
	struct fixture *f = *state;
	_cleanup_free_ char *a = put_image(f->store, "a:1", "2024-01-01T00:00:00Z", "etc/same");
	_cleanup_free_ char *b = put_image(f->store, "b:1", "2024-01-01T00:00:00Z", "etc/same");
	assert_string_equal(a, b); /* same config: one image, two names */
	struct gk_err err;
	_cleanup_strv_ char **lines = gk_malloc0(sizeof(char *));
	assert_int_equal(rt_store_remove(f->store, "a:1", 0, &lines, &err), 0);
	assert_string_equal(lines[0], "Untagged: a:1");
	assert_null(lines[1]);
	struct rt_image img;
	assert_int_equal(rt_image_resolve(f->store, "b:1", &img, &err), 0);
	_cleanup_free_ char *layer = gk_strdup(img.layer_dirs[0]);
	rt_image_free(&img);
	assert_int_equal(rt_store_remove(f->store, "b:1", 0, &lines, &err), 0);
	assert_false(gk_path_exists(layer));
	size_t n = 0;
	struct rt_image_summary *v = NULL;
	assert_int_equal(rt_store_list_images(f->store, &v, &n, &err), 0);
	assert_int_equal(n, 0);
	rt_image_summaries_free(v, n);
}

static void test_unpack_rejects(void **state)
{
	struct fixture *f = *state;
	struct {
		struct tar_entry ents[3];
		size_t n;
		const char *msg;
	} cases[] = {
	    {{{"../../tmp/pwn", AE_IFREG, "x", 0}}, 1, "\"..\""},
	    {{{"/etc/pwn", AE_IFREG, "x", 0}}, 1, "absolute"},
	    {{{"l", AE_IFLNK, "/etc", 0}, {"l/passwd", AE_IFREG, "x", 0}}, 2, "symlink"},
	    {{{"a", AE_IFLNK, "../../..", 0}, {"a/x", AE_IFREG, "x", 0}}, 2, "symlink"},
	    {{{"h", 0, "../../etc/shadow", 0}}, 1, "\"..\""},
	    {{{"h", 0, "/etc/shadow", 0}}, 1, "absolute"},
	    {{{"l", AE_IFLNK, "/etc", 0}, {"h", 0, "l/shadow", 0}}, 2, "symlink"},
	    {{{".wh.", AE_IFREG, "", 0}}, 1, "invalid whiteout"},
	    {{{".wh..", AE_IFREG, "", 0}}, 1, "invalid whiteout"},
	    {{{"x", AE_IFDIR, NULL, 0}, {"x/.wh...", AE_IFREG, "", 0}}, 2, "invalid whiteout"},
	    {{{"dev", AE_IFCHR, NULL, 5000}}, 1, "out of range"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gk_err err = {0};
		_cleanup_free_ char *diff_id = NULL, *chain = NULL;
		if (put_layer(f->store, cases[i].ents, cases[i].n, &diff_id, &chain, &err) == 0)
			fail_msg("case %zu was accepted", i);
		if (!strstr(err.msg, cases[i].msg) || !strstr(err.msg, "entry"))
			fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.msg, cases[i].msg);
		_cleanup_free_ char *layers = gk_strdup_printf("%s/layers", f->root);
		_cleanup_free_ char *tmp = gk_strdup_printf("%s/tmp", f->root);
		assert_int_equal(rmdir(tmp), 0); /* empty: the temp tree is gone */
		assert_int_equal(mkdir(tmp, 0700), 0);
		assert_int_equal(rmdir(layers), 0);
		assert_int_equal(mkdir(layers, 0700), 0);
	}
	assert_false(gk_path_exists("/tmp/pwn"));
}

static void test_unpack_diff_id_mismatch(void **state)
{
	struct fixture *f = *state;
	static char buf[1 << 16];
	struct tar_entry ents[] = {{"a", AE_IFREG, "hello", 0}};
	size_t len = make_tar(ents, 1, buf, sizeof(buf));
	_cleanup_free_ char *d = digest_of(buf, len);
	struct gk_err err;
	assert_int_equal(rt_store_put_blob_bytes(f->store, buf, len, d, &err), 0);
	_cleanup_free_ char *path = rt_store_blob_path(f->store, d);
	char *chain = NULL;
	assert_int_equal(rt_layer_unpack(f->store, path, NULL, "sha256:" HEX64, &chain, &err), -1);
	assert_non_null(strstr(err.msg, "diff_id"));
	_cleanup_free_ char *layer = gk_strdup_printf("%s/layers/" HEX64, f->root);
	assert_false(gk_path_exists(layer));
}

static void test_unpack_replace_dir_by_symlink(void **state)
{
	struct fixture *f = *state;
	/* A directory, then a symlink of that name, then the directory again:
	 * the host directory the symlink names must keep its mode. */
	char host[] = "/tmp/gocker-test-host-XXXXXX";
	assert_non_null(mkdtemp(host));
	assert_int_equal(chmod(host, 0700), 0);
	struct tar_entry ents[] = {
	    {"d", AE_IFDIR, NULL, 0}, {"d", AE_IFLNK, host, 0}, {"d", AE_IFDIR, NULL, 0}};
	struct gk_err err;
	_cleanup_free_ char *diff_id = NULL, *chain = NULL;
	if (put_layer(f->store, ents, 3, &diff_id, &chain, &err) < 0)
		fail_msg("%s", err.msg);
	struct stat st;
	assert_int_equal(stat(host, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	rmdir(host);
	_cleanup_free_ char *d = gk_strdup_printf("%s/layers/%s/d", f->root, chain + 7);
	assert_int_equal(lstat(d, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

/* A tar built by hand, for what make_tar cannot say: xattrs, compression. */
static size_t write_tar(char *buf, size_t cap, int xz, int nfiles, const char *long_path)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax(a);
	if (xz)
		assert_int_equal(archive_write_add_filter_xz(a), ARCHIVE_OK);
	size_t used = 0;
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, "f");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 04755);
	archive_entry_set_uid(e, 1000);
	archive_entry_set_gid(e, 1000);
	archive_entry_set_size(e, 1);
	/* VFS_CAP_REVISION_2 | effective, permitted = CAP_NET_BIND_SERVICE */
	static const unsigned char capdata[20] = {0x01, 0, 0, 0x02, 0, 0x04, 0, 0};
	archive_entry_xattr_add_entry(e, "security.capability", capdata, sizeof(capdata));
	archive_entry_xattr_add_entry(e, "user.keep", "1", 1);
	archive_entry_xattr_add_entry(e, "trusted.overlay.opaque", "y", 1);
	archive_entry_xattr_add_entry(e, "trusted.overlay.redirect", "/etc", 4);
	archive_entry_xattr_add_entry(e, "security.selinux", "system_u", 8);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	archive_write_data(a, "x", 1);
	for (int i = 0; i < nfiles; i++) {
		char name[32];
		snprintf(name, sizeof(name), "n%d", i);
		archive_entry_clear(e);
		archive_entry_set_pathname(e, name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, 0);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	}
	if (long_path) {
		archive_entry_clear(e);
		archive_entry_set_pathname(e, long_path);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, 0);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	}
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
	return used;
}

static int extract_buf(const char *root, const char *buf, size_t len,
		       const struct rt_layer_limits *lim, struct gk_err *err)
{
	_cleanup_free_ char *blob = gk_strdup_printf("%s/blob", root);
	_cleanup_free_ char *dir = gk_strdup_printf("%s/tree", root);
	assert_int_equal(gk_write_file_atomic(blob, buf, len, 0600, err), 0);
	gk_remove_tree(dir, err);
	assert_int_equal(mkdir(dir, 0700), 0);
	char diff_id[72];
	int64_t size;
	return rt_layer_extract(blob, "layer test", dir, lim, diff_id, &size, err);
}

static void test_unpack_xattrs_and_limits(void **state)
{
	struct fixture *f = *state;
	static char buf[1 << 20];
	struct rt_layer_limits lim;
	struct gk_err err;
	assert_int_equal(rt_layer_limits_default(&lim, &err), 0);

	size_t len = write_tar(buf, sizeof(buf), 0, 0, NULL);
	if (extract_buf(f->root, buf, len, &lim, &err) < 0)
		fail_msg("%s", err.msg);
	_cleanup_free_ char *file = gk_strdup_printf("%s/tree/f", f->root);
	struct stat st;
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 04755); /* setuid kept after chown */
	assert_int_equal(st.st_uid, 1000);
	char v[64];
	assert_int_equal(getxattr(file, "user.keep", v, sizeof(v)), 1);
	assert_int_equal(getxattr(file, "security.capability", v, sizeof(v)), 20);
	assert_int_equal(getxattr(file, "trusted.overlay.opaque", v, sizeof(v)), -1);
	assert_int_equal(getxattr(file, "trusted.overlay.redirect", v, sizeof(v)), -1);
	assert_int_equal(getxattr(file, "security.selinux", v, sizeof(v)), -1);

	/* entry-count cap */
	lim.max_entries = 10;
	len = write_tar(buf, sizeof(buf), 0, 20, NULL);
	assert_int_equal(extract_buf(f->root, buf, len, &lim, &err), -1);
	assert_non_null(strstr(err.msg, "more than 10 entries"));
	lim.max_entries = 1000000;

	/* size cap */
	lim.max_size = 4096;
	assert_int_equal(extract_buf(f->root, buf, len, &lim, &err), -1);
	assert_non_null(strstr(err.msg, "over the limit"));
	assert_int_equal(rt_layer_limits_default(&lim, &err), 0);

	/* depth and path length */
	static char deep[8192];
	deep[0] = '\0';
	for (int i = 0; i < 2000; i++)
		strcat(deep, "d/");
	strcat(deep, "f");
	len = write_tar(buf, sizeof(buf), 0, 0, deep);
	assert_int_equal(extract_buf(f->root, buf, len, &lim, &err), -1);
	assert_non_null(strstr(err.msg, "deeper than"));
	for (int i = 0; i < 1000; i++)
		strcat(deep, "/d");
	len = write_tar(buf, sizeof(buf), 0, 0, deep);
	assert_int_equal(extract_buf(f->root, buf, len, &lim, &err), -1);
	assert_non_null(strstr(err.msg, "longer than 4096"));

	/* xz is not among the accepted compressions: no external program runs */
	len = write_tar(buf, sizeof(buf), 1, 0, NULL);
	assert_int_equal(extract_buf(f->root, buf, len, &lim, &err), -1);
	assert_non_null(strstr(err.msg, "unsupported compression (xz)"));
	/* nor is garbage a tar */
	memset(buf, 'x', 4096);
	assert_int_equal(extract_buf(f->root, buf, 4096, &lim, &err), -1);
	assert_non_null(strstr(err.msg, "not a tar archive"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normalise),
	    cmocka_unit_test(test_rejected),
	    cmocka_unit_test(test_strings),
	    cmocka_unit_test(test_digest_valid),
	    cmocka_unit_test_setup_teardown(test_resolve, setup_store, teardown_store),
	    cmocka_unit_test_setup_teardown(test_ambiguous_prefix, setup_store, teardown_store),
	    cmocka_unit_test_setup_teardown(test_remove_shared, setup_store, teardown_store),
	    cmocka_unit_test_setup_teardown(test_unpack_rejects, setup_store, teardown_store),
	    cmocka_unit_test_setup_teardown(test_unpack_diff_id_mismatch, setup_store,
					    teardown_store),
	    cmocka_unit_test_setup_teardown(test_unpack_replace_dir_by_symlink, setup_store,
					    teardown_store),
	    cmocka_unit_test_setup_teardown(test_unpack_xattrs_and_limits, setup_store,
					    teardown_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
