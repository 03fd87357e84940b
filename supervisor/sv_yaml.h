/* A YAML node tree over libyaml that remembers where every node came from.
 *
 * Anchors and aliases are resolved by copying (bounded: an alias bomb stops at
 * SV_YAML_MAX_NODES), `<<` merge keys are applied, duplicate keys are errors,
 * plain "", "~" and "null" become SV_NULL. Errors read "file:line:col: ...". */
#ifndef SV_YAML_H
#define SV_YAML_H

#include <stddef.h>

#include "common/err.h"

#define SV_YAML_MAX_DEPTH  64		     /* nesting of mappings and sequences */
#define SV_YAML_MAX_NODES  100000	     /* nodes in a document, aliases included */
#define SV_YAML_MAX_SCALAR (1024 * 1024)     /* bytes in one scalar */
#define SV_YAML_MAX_DOC	   (4 * 1024 * 1024) /* bytes in one file */

enum sv_node_kind { SV_NULL, SV_SCALAR, SV_MAP, SV_SEQ };

/* 1-based line and column; `file` is borrowed (see sv_yaml_parse). */
struct sv_loc {
	const char *file;
	int line, col;
};

struct sv_node {
	enum sv_node_kind kind;
	struct sv_loc loc;
	char *str;	       /* scalars: the text (NUL-terminated, never NULL for SV_SCALAR) */
	int quoted;	       /* scalar was quoted or a block literal: always a string */
	size_t n;	       /* map: pairs; seq: items */
	struct sv_node **keys; /* map: key nodes (scalars) */
	struct sv_node **vals; /* map: values; seq: items */
};

struct sv_doc {
	const char *file; /* borrowed: the caller keeps it alive as long as any location */
	struct sv_node *root;
	size_t nodes; /* materialised nodes, aliases included */
};

/* Parse `len` bytes of `buf` named `file`. The root must be a mapping. Every
 * node's loc.file points at `file` itself, which must outlive the nodes. */
int sv_yaml_parse(const char *file, const char *buf, size_t len, struct sv_doc **out,
		  struct gk_err *err);
void sv_doc_free(struct sv_doc *doc);
void sv_node_free(struct sv_node *n);
struct sv_node *sv_node_copy(const struct sv_node *n);

/* Map lookup by key text; NULL when absent or when `map` is not a mapping. */
struct sv_node *sv_map_get(const struct sv_node *map, const char *key);

/* A YAML 1.1 bool as Compose reads it: true/false, yes/no, on/off (any case
 * of the usual spellings), only when the scalar is not quoted. */
int sv_node_is_bool(const struct sv_node *n, int *value);

/* Validate UTF-8; on failure line and col point at the bad byte. */
int sv_utf8_valid(const char *buf, size_t len, int *line, int *col);

/* "file:line:col" prefix helper: writes into err with the node's location. */
int sv_err_at(struct gk_err *err, const struct sv_loc *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
