/* Layer unpacking with libarchive into a directory (used by the store).
 * The tar stream (plain, gzip or zstd) is hashed as it is decompressed and
 * extracted entry by entry with dirfd-relative calls that never follow a
 * symlink, so nothing can be written outside the target directory. */
#ifndef RT_LAYER_H
#define RT_LAYER_H

#include <stdint.h>

#include "common/err.h"
#include "runtime/store.h"

struct rt_layer_limits {
	uint64_t max_size;    /* uncompressed bytes; env GOCKER_MAX_LAYER_SIZE, default 16 GiB */
	uint64_t max_entries; /* default 1,000,000 */
	unsigned max_depth;   /* path components, default 512 */
};

/* Defaults, with GOCKER_MAX_LAYER_SIZE applied. */
int rt_layer_limits_default(struct rt_layer_limits *lim, struct gk_err *err);

/* Extract the layer blob at `blob_path` into the empty directory `dir`.
 * Fills diff_id_out ("sha256:<hex>" of the uncompressed stream) and size_out
 * (bytes of regular file content). Errors name the layer (`what`) and the
 * entry. On error `dir` may hold a partial tree: the caller removes it. */
int rt_layer_extract(const char *blob_path, const char *what, const char *dir,
		     const struct rt_layer_limits *lim, char diff_id_out[72], int64_t *size_out,
		     struct gk_err *err);

/* Unpack the compressed or plain layer `blob_path` on top of the chain
 * `parent_chain_id` ("sha256:..." or NULL for the base layer), verifying the
 * uncompressed sha256 against `diff_id`. Idempotent: an existing layer is
 * reused. Returns the chain id ("sha256:...") in *chain_id. */
int rt_layer_unpack(struct rt_store *store, const char *blob_path, const char *parent_chain_id,
		    const char *diff_id, char **chain_id, struct gk_err *err);

#endif
