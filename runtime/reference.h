/* Image references, normalised as Docker does:
 *   busybox                  -> docker.io/library/busybox:latest
 *   127.0.0.1:5000/a/b:tag   -> registry 127.0.0.1:5000, repository a/b, tag "tag"
 *   name@sha256:<64 hex>     -> by digest (a tag may also be given: name:tag@digest) */
#ifndef RT_REFERENCE_H
#define RT_REFERENCE_H

#include "common/err.h"

struct rt_ref {
	char *domain; /* "docker.io", "127.0.0.1:5000" */
	char *path;   /* "library/busybox", "a/b" */
	char *tag;    /* "latest" when neither tag nor digest was given; NULL with a digest only */
	char *digest; /* "sha256:..." or NULL */
};

int rt_ref_parse(const char *s, struct rt_ref *out, struct gk_err *err);
void rt_ref_free(struct rt_ref *ref);
/* "docker.io/library/busybox:latest" (tag and/or @digest as present) */
char *rt_ref_string(const struct rt_ref *ref);
/* Docker's familiar form: "busybox:latest", "127.0.0.1:5000/a/b:tag" */
char *rt_ref_familiar(const struct rt_ref *ref);
/* "docker.io/library/busybox" / "busybox" without tag or digest */
char *rt_ref_repository(const struct rt_ref *ref);
char *rt_ref_familiar_repository(const struct rt_ref *ref);

#endif
