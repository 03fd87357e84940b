/* Pulling images from registries: the Docker Registry HTTP API v2 / OCI
 * distribution spec over libcurl. Manifests are verified against the digest
 * asked for, blobs are streamed to the store's temp dir while hashed, layers
 * download in parallel and unpack as soon as they and their parents are
 * complete, and the image is tagged only when everything verified. */
#ifndef RT_REGISTRY_H
#define RT_REGISTRY_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "runtime/store.h"

/* ---- configuration: /etc/gocker/config.json or $GOCKER_CONFIG ---- */

struct rt_reg_config {
	char **mirrors;	 /* "registry-mirrors": URLs, tried first for docker.io */
	char **insecure; /* "insecure-registries": "host:port" (plain http allowed) */
};
/* Load `path` (NULL: $GOCKER_CONFIG or /etc/gocker/config.json); a missing
 * file is an empty configuration. */
int rt_reg_config_load(const char *path, struct rt_reg_config *out, struct gk_err *err);
int rt_reg_config_from_json(json_object *o, struct rt_reg_config *out, struct gk_err *err);
void rt_reg_config_free(struct rt_reg_config *c);
/* Is `domain` ("host:port") insecure: listed, or on loopback (127.0.0.0/8,
 * ::1, localhost) as Docker treats it by default? */
int rt_reg_config_is_insecure(const struct rt_reg_config *c, const char *domain);

/* ---- platforms ---- */

struct rt_platform {
	char os[32];
	char arch[32];
	char variant[16];
};
/* This machine's platform (linux/amd64, linux/arm64/v8, ...). */
void rt_platform_host(struct rt_platform *out);
/* "os/arch[/variant]", normalised as Docker does (x86_64 -> amd64,
 * aarch64 -> arm64, arm64 variant v8 implied). */
int rt_platform_parse(const char *s, struct rt_platform *out, struct gk_err *err);
/* "linux/amd64" or "linux/arm/v7" into buf. */
void rt_platform_format(const struct rt_platform *p, char *buf, size_t len);
/* Does an index entry's "platform" object match `want`? Attestation and
 * unknown/unknown entries never match. */
int rt_platform_match(const struct rt_platform *want, json_object *descriptor);

/* ---- manifests ---- */

enum rt_manifest_kind {
	RT_MANIFEST_IMAGE, /* OCI image manifest or Docker schema2 */
	RT_MANIFEST_INDEX, /* OCI index or Docker manifest list */
};
/* The Accept header value: OCI index, OCI manifest, Docker list, Docker schema2. */
extern const char *const rt_manifest_accept;
/* Classify a manifest document: `content_type` is the response's
 * Content-Type (parameters ignored; NULL when absent). Refuses schema1,
 * text/plain and unknown types, a mediaType that contradicts the
 * Content-Type, and documents with both "manifests" and "layers". */
int rt_manifest_classify(const char *content_type, json_object *doc, enum rt_manifest_kind *kind,
			 struct gk_err *err);
/* The child descriptor of `index` for `want`; fills err with Docker's "no
 * matching manifest for linux/amd64 in the manifest list entries". */
int rt_index_select(json_object *index, const struct rt_platform *want, json_object **desc,
		    struct gk_err *err);

/* ---- pulling ---- */

enum rt_pull_event_kind {
	RT_PULL_START,		  /* msg: "latest: Pulling from library/busybox" */
	RT_PULL_LAYER_WAIT,	  /* "Pulling fs layer" */
	RT_PULL_LAYER_EXISTS,	  /* "Already exists" */
	RT_PULL_LAYER_PROGRESS,	  /* "Downloading" current/total */
	RT_PULL_LAYER_RETRY,	  /* msg: why; current bytes kept */
	RT_PULL_LAYER_VERIFY,	  /* "Verifying Checksum" */
	RT_PULL_LAYER_DOWNLOADED, /* "Download complete" */
	RT_PULL_LAYER_EXTRACT,	  /* "Extracting" */
	RT_PULL_LAYER_DONE,	  /* "Pull complete" */
};

struct rt_pull_event {
	enum rt_pull_event_kind kind;
	const char *id; /* short layer id: first 12 hex of its digest */
	int64_t current, total;
	const char *msg;
};

struct rt_pull_opts {
	const char *platform;	 /* "os/arch[/variant]" or NULL for this machine */
	const char *config_path; /* NULL: $GOCKER_CONFIG or /etc/gocker/config.json */
	int max_parallel;	 /* layer downloads at once; 0: 3 */
	/* Called from the pulling threads, one call at a time. */
	void (*progress)(void *ctx, const struct rt_pull_event *ev);
	void *progress_ctx;
};

struct rt_pull_result {
	char *digest;	 /* the manifest (or index) digest the registry names */
	char *image_id;	 /* config digest */
	char *reference; /* full "docker.io/library/busybox:latest" */
	char *familiar;	 /* "busybox:latest" */
	int up_to_date;	 /* the image was already in the store */
};
void rt_pull_result_free(struct rt_pull_result *r);

/* Pull `ref` into `store`, through the image module (imagemod.h). */
int rt_pull(struct rt_store *store, const char *ref, const struct rt_pull_opts *opts,
	    struct rt_pull_result *out, struct gk_err *err);
/* The module's implementation of rt_pull(). */
int rt_registry_pull(struct rt_store *store, const char *ref, const struct rt_pull_opts *opts,
		     struct rt_pull_result *out, struct gk_err *err);

#endif
