/* `gocker load`: docker-save archives (manifest.json + config + layer tars,
 * both the legacy layout and the newer one with blobs/sha256) and OCI image
 * layout archives (oci-layout, index.json, blobs/). */
#ifndef RT_LOAD_H
#define RT_LOAD_H

#include "common/err.h"
#include "runtime/store.h"

/* Read the archive from `fd` (plain, gzip or zstd tar) as a stream: members
 * are copied into the store's tmp/ and hashed, never unpacked as a tree.
 * Every digest and diff_id is verified before an image is recorded.
 * `what` names the input in errors ("busybox.tar", "stdin"). On success,
 * *lines gets "Loaded image: NAME:TAG" / "Loaded image ID: sha256:..." lines. */
int rt_load_archive(struct rt_store *store, int fd, const char *what, char ***lines,
		    struct gk_err *err);
/* The image module's implementation of rt_load_archive() (imagemod.h). */
int rt_archive_load(struct rt_store *store, int fd, const char *what, char ***lines,
		    struct gk_err *err);

#endif
