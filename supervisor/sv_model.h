/* Internal: one compose file's node tree → a partial project (before merge
 * and validation). Shared by sv_project.c and the tests. */
#ifndef SV_MODEL_H
#define SV_MODEL_H

#include "supervisor/compose.h"

struct sv_model_ctx {
	const char *workdir;	  /* resolves relative bind sources and env_file paths */
	const struct sv_env *env; /* lookups for bare environment keys */
	char ***warnings;	  /* appended */
	int no_env_files;	  /* do not read env_file contents (config --no-interpolate) */
	char *top_name;		  /* out: top-level `name:` */
	struct sv_loc top_name_loc;
};

/* Interpolate every scalar value (never keys) in place; `path` names errors. */
int sv_interpolate_tree(struct sv_node *root, const struct sv_env *env, char ***warnings,
			struct gk_err *err);

/* Unset markers in a partial project, replaced by defaults in finalize. */
#define SV_UNSET (-1)

int sv_model_from_tree(struct sv_model_ctx *ctx, const struct sv_node *root, struct sv_project *p,
		       struct gk_err *err);
void sv_service_clear(struct sv_service *s);
/* Make room for element n of an array that only ever grows through this
 * function (capacity doubles at powers of two, so appends stay linear). */
void sv_grow(void **array, size_t n, size_t size);
void sv_kv_free(struct sv_kv *kv, size_t n);
void sv_mount_clear(struct sv_mount *m);

/* Sorted insert/replace of a key in a kv array. */
void sv_kv_put(struct sv_kv **kv, size_t *n, const char *key, const char *value,
	       const struct sv_loc *loc);

#endif
