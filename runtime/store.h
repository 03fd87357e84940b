/* The content-addressed image store under $GOCKER_ROOT (see DESIGN.md):
 *   blobs/sha256/<hex>          manifests, configs, layer blobs (as loaded/pulled)
 *   layers/<chain-id-hex>/      unpacked layer trees (overlayfs lowerdirs), shared
 *   layers/<chain-id-hex>.json  {"chain_id","diff_id","parent","size"} of that tree;
 *                               the directory, renamed in last, is the proof of
 *                               a complete layer
 *   images.json                 {"tags": {"docker.io/library/busybox:latest":
 *                                          "sha256:<manifest>"},
 *                                "images": {"sha256:<config>": {"manifests": [...],
 *                                  "repo_digests": [...], "layers": [chain ids],
 *                                  "blobs": [every blob it references],
 *                                  "size": N, "created": "...", "last_tag_time": "..."}}}
 *   tmp/                        private temp dirs (same filesystem, for renames)
 *   store.lock                  flock'd for every change
 * An image's id is its config digest; several manifests may share one id.
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
static inline void rt_store_unlockp(struct rt_store **s)
{
	if (*s)
		rt_store_unlock(*s);
}
/* A store pointer that is unlocked when it goes out of scope, if set. */
#define _cleanup_store_unlock_ __attribute__((cleanup(rt_store_unlockp)))

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
/* Like rt_store_put_blob_file, for a file the caller hashed as it wrote it
 * (the hash is not computed again). */
int rt_store_put_blob_hashed(struct rt_store *store, const char *tmp_path, const char *digest,
			     struct gk_err *err);
int rt_store_put_blob_bytes(struct rt_store *store, const void *data, size_t len,
			    const char *digest, struct gk_err *err);
/* A private temp directory inside the store (same filesystem as blobs and layers). */
char *rt_store_tmpdir(struct rt_store *store, struct gk_err *err);

/* layers/<hex> of a chain id ("sha256:<hex>"); NULL for an invalid id. */
char *rt_store_layer_dir(const struct rt_store *store, const char *chain_id);
/* The chain id of diff_id on top of parent (NULL: base layer), "sha256:...". */
char *rt_layer_chain_id(const char *parent_chain_id, const char *diff_id);

/* Record a complete image: the manifest and config blobs must already be in
 * blobs/ and every layer unpacked (this is checked). When ref has a tag, the
 * tag now points at the manifest (moving it off any other image); when ref
 * has a digest, "repository@digest" is recorded as a repo digest. ref may be
 * NULL: the image is recorded untagged. */
int rt_store_tag(struct rt_store *store, const struct rt_ref *ref, const char *manifest_digest,
		 struct gk_err *err);
/* Like rt_store_tag; *replaced_id gets the id of another image the tag
 * pointed at before (now possibly untagged), or NULL. */
int rt_store_tag_replacing(struct rt_store *store, const struct rt_ref *ref,
			   const char *manifest_digest, char **replaced_id, struct gk_err *err);

/* One row of `images`: an image id with every name pointing at it. */
struct rt_image_summary {
	char *id;	       /* "sha256:<config hex>" */
	char *manifest_digest; /* the most recently recorded manifest */
	char **repo_tags;      /* familiar "busybox:latest", NULL-terminated */
	char **repo_digests;   /* familiar "busybox@sha256:...", NULL-terminated */
	char *created;	       /* config "created" (RFC 3339) or NULL */
	char *last_tag_time;   /* when gocker last recorded it */
	int64_t size;	       /* sum of unpacked layer sizes */
};
int rt_store_list_images(struct rt_store *store, struct rt_image_summary **out, size_t *n,
			 struct gk_err *err);
void rt_image_summaries_free(struct rt_image_summary *v, size_t n);

/* Ids of containers ($GOCKER_ROOT/containers/<id>/config.json "Image") that
 * use image `id`; NULL-terminated, possibly empty. */
char **rt_store_image_users(struct rt_store *store, const char *id);

/* rmi, as Docker does it. What happened is appended to *lines as Docker
 * prints it ("Untagged: busybox:latest", "Deleted: sha256:..."). */
enum rt_rmi_flags { RT_RMI_FORCE = 1 };
int rt_store_remove(struct rt_store *store, const char *name_or_id, int flags, char ***lines,
		    struct gk_err *err);

#endif
