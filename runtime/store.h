/* The content-addressed image store under $GOCKER_ROOT (see DESIGN.md):
 *   blobs/sha256/<hex>      manifests, configs, compressed layers
 *   layers/<chain-id-hex>/  unpacked layer trees, shared by all images
 *   images.json             name:tag -> manifest digest
 * Every write is atomic; every change happens under the store lock.
 * Store directories are 0700. */
#ifndef RT_STORE_H
#define RT_STORE_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "runtime/reference.h"

struct rt_store;

/* Open (creating if needed) the store at `root` (NULL: gk_root_dir()). */
int rt_store_open(const char *root, struct rt_store **out, struct gk_err *err);
void rt_store_close(struct rt_store *store);
const char *rt_store_root(const struct rt_store *store);

/* Take / release the store's exclusive lock (for multi-step changes). */
int rt_store_lock(struct rt_store *store, struct gk_err *err);
void rt_store_unlock(struct rt_store *store);

/* An image as `run` needs it. */
struct rt_image {
	char *id;	       /* config digest, "sha256:<hex>" */
	char *manifest_digest; /* "sha256:<hex>" */
	char *name;	       /* familiar "busybox:latest", or NULL when resolved by id */
	json_object *config;   /* the image config document (owned) */
	char **layer_dirs;     /* unpacked layer trees, bottom layer first, NULL-terminated */
	size_t n_layers;
	int64_t size; /* sum of unpacked layer sizes in bytes */
};

/* Resolve a name (any reference form), a full id, or a unique id prefix
 * (at least 4 hex chars, with or without "sha256:") to an image in the store. */
int rt_image_resolve(struct rt_store *store, const char *name_or_id, struct rt_image *out,
		     struct gk_err *err);
void rt_image_free(struct rt_image *img);

/* Blobs. Paths are under blobs/sha256/. */
char *rt_store_blob_path(const struct rt_store *store, const char *digest);
int rt_store_has_blob(const struct rt_store *store, const char *digest);
/* Move a verified temp file (same filesystem, e.g. from rt_store_tmpdir) into
 * blobs/ under `digest`; hashes it and refuses a mismatch. */
int rt_store_put_blob_file(struct rt_store *store, const char *tmp_path, const char *digest,
			   struct gk_err *err);
int rt_store_put_blob_bytes(struct rt_store *store, const void *data, size_t len,
			    const char *digest, struct gk_err *err);
/* A private temp directory inside the store (same filesystem as blobs and layers). */
char *rt_store_tmpdir(struct rt_store *store, struct gk_err *err);

/* Unpack the compressed or plain layer `blob_path` on top of the chain
 * `parent_chain_id` ("sha256:..." or NULL for the base layer), verifying the
 * uncompressed sha256 against `diff_id`. Idempotent: an existing layer is
 * reused. Returns the chain id ("sha256:...") in *chain_id. */
int rt_store_unpack_layer(struct rt_store *store, const char *blob_path,
			  const char *parent_chain_id, const char *diff_id, char **chain_id,
			  struct gk_err *err);

/* Record a complete image: the manifest and config blobs must already be in
 * blobs/ and every layer unpacked. Points `ref` (tag form) at the manifest. */
int rt_store_tag(struct rt_store *store, const struct rt_ref *ref, const char *manifest_digest,
		 struct gk_err *err);

#endif
