/* YAML node tree with locations, over libyaml's event API. */
#include "supervisor/sv_yaml.h"

#include "common/cleanup.h"
#include "common/fs.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

struct anchor {
	char *name;
	struct sv_node *node;
};

struct parse_ctx {
	yaml_parser_t parser;
	const char *file;
	const char *buf;
	size_t len;
	struct anchor *anchors;
	size_t n_anchors;
	size_t nodes;
	struct sv_node **graveyard; /* merge sources: anchors may point into them */
	size_t n_graveyard;
	struct gk_err *err;
};

int sv_err_at(struct gk_err *err, const struct sv_loc *loc, const char *fmt, ...)
{
	char msg[GK_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (loc && loc->file)
		return gk_err_set(err, 0, "%s:%d:%d: %s", loc->file, loc->line, loc->col, msg);
	return gk_err_set(err, 0, "%s", msg);
}

void sv_node_free(struct sv_node *n)
{
	if (!n)
		return;
	free(n->str);
	for (size_t i = 0; i < n->n; i++) {
		if (n->keys)
			sv_node_free(n->keys[i]);
		if (n->vals)
			sv_node_free(n->vals[i]);
	}
	free(n->keys);
	free(n->vals);
	free(n);
}

void sv_doc_free(struct sv_doc *doc)
{
	if (!doc)
		return;
	sv_node_free(doc->root);
	free(doc);
}

static struct sv_node *node_copy(const struct sv_node *n, size_t *count, size_t max)
{
	if (!n)
		return NULL;
	if (count && ++*count > max)
		return NULL;
	struct sv_node *c = gk_malloc0(sizeof(*c));
	c->kind = n->kind;
	c->loc = n->loc;
	c->quoted = n->quoted;
	c->str = n->str ? gk_strdup(n->str) : NULL;
	if (n->n) {
		if (n->keys)
			c->keys = gk_malloc0(n->n * sizeof(*c->keys));
		c->vals = gk_malloc0(n->n * sizeof(*c->vals));
		for (size_t i = 0; i < n->n; i++) {
			if (n->keys) {
				c->keys[i] = node_copy(n->keys[i], count, max);
				if (!c->keys[i])
					goto fail;
			}
			c->vals[i] = node_copy(n->vals[i], count, max);
			c->n = i + 1;
			if (!c->vals[i])
				goto fail;
		}
	}
	return c;
fail:
	sv_node_free(c);
	return NULL;
}

struct sv_node *sv_node_copy(const struct sv_node *n)
{
	return node_copy(n, NULL, 0);
}

struct sv_node *sv_map_get(const struct sv_node *map, const char *key)
{
	if (!map || map->kind != SV_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i]->str, key) == 0)
			return map->vals[i];
	return NULL;
}

int sv_node_is_bool(const struct sv_node *n, int *value)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
					  "on",	  "On",	  "ON",	  "y",	 "Y"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO",
					 "off",	  "Off",   "OFF",   "n",  "N"};
	if (!n || n->kind != SV_SCALAR || n->quoted)
		return 0;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(n->str, yes[i]) == 0) {
			*value = 1;
			return 1;
		}
		if (strcmp(n->str, no[i]) == 0) {
			*value = 0;
			return 1;
		}
	}
	return 0;
}

int sv_utf8_valid(const char *buf, size_t len, int *line, int *col)
{
	const unsigned char *s = (const unsigned char *)buf;
	int l = 1, c = 1;
	for (size_t i = 0; i < len;) {
		unsigned char b = s[i];
		size_t need;
		uint32_t cp;
		if (b < 0x80) {
			if (b == 0)
				goto bad;
			if (b == '\n') {
				l++;
				c = 1;
			} else {
				c++;
			}
			i++;
			continue;
		} else if ((b & 0xe0) == 0xc0) {
			need = 1;
			cp = b & 0x1f;
		} else if ((b & 0xf0) == 0xe0) {
			need = 2;
			cp = b & 0x0f;
		} else if ((b & 0xf8) == 0xf0) {
			need = 3;
			cp = b & 0x07;
		} else {
			goto bad;
		}
		if (i + need >= len)
			goto bad;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		i += need + 1;
		c++;
		continue;
	bad:
		*line = l;
		*col = c;
		return 0;
	}
	return 1;
}

static struct sv_loc loc_of(struct parse_ctx *ctx, const yaml_mark_t *m)
{
	return (struct sv_loc){ctx->file, (int)m->line + 1, (int)m->column + 1};
}

/* libyaml's own complaint, made readable; a tab where indentation belongs is
 * the usual cause of "cannot start any token", so say so. */
static int parser_error(struct parse_ctx *ctx)
{
	yaml_parser_t *p = &ctx->parser;
	struct sv_loc loc = loc_of(ctx, &p->problem_mark);
	const char *line = ctx->buf;
	for (size_t l = 0; l < p->problem_mark.line && line; l++) {
		line = memchr(line, '\n', ctx->len - (size_t)(line - ctx->buf));
		if (line)
			line++;
	}
	if (line && p->problem && strstr(p->problem, "cannot start any token")) {
		const char *end = memchr(line, '\n', ctx->len - (size_t)(line - ctx->buf));
		size_t ll = end ? (size_t)(end - line) : ctx->len - (size_t)(line - ctx->buf);
		if (p->problem_mark.column < ll && line[p->problem_mark.column] == '\t')
			return sv_err_at(ctx->err, &loc,
					 "found a tab character where indentation is expected "
					 "(YAML allows only spaces)");
	}
	if (p->context)
		return sv_err_at(ctx->err, &loc, "%s %s", p->problem ? p->problem : "syntax error",
				 p->context);
	return sv_err_at(ctx->err, &loc, "%s", p->problem ? p->problem : "syntax error");
}

static int next_event(struct parse_ctx *ctx, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&ctx->parser, ev))
		return parser_error(ctx);
	return 0;
}

static int count_node(struct parse_ctx *ctx, const struct sv_loc *loc)
{
	if (++ctx->nodes > SV_YAML_MAX_NODES)
		return sv_err_at(ctx->err, loc,
				 "document too large: more than %d nodes (alias expansion?)",
				 SV_YAML_MAX_NODES);
	return 0;
}

static int is_null_text(const char *s)
{
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

static struct sv_node *parse_node(struct parse_ctx *ctx, yaml_event_t *ev, int depth);

static void add_child(struct sv_node *n, struct sv_node *key, struct sv_node *val, size_t *cap)
{
	if (n->n == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		if (n->kind == SV_MAP)
			n->keys = realloc(n->keys, *cap * sizeof(*n->keys));
		n->vals = realloc(n->vals, *cap * sizeof(*n->vals));
		if ((n->kind == SV_MAP && !n->keys) || !n->vals)
			abort();
	}
	if (n->kind == SV_MAP)
		n->keys[n->n] = key;
	n->vals[n->n++] = val;
}

static int register_anchor(struct parse_ctx *ctx, const char *name, struct sv_node *node)
{
	for (size_t i = 0; i < ctx->n_anchors; i++) {
		if (strcmp(ctx->anchors[i].name, name) == 0) {
			ctx->anchors[i].node = node; /* YAML: a later anchor shadows */
			return 0;
		}
	}
	ctx->anchors = realloc(ctx->anchors, (ctx->n_anchors + 1) * sizeof(*ctx->anchors));
	if (!ctx->anchors)
		abort();
	ctx->anchors[ctx->n_anchors].name = gk_strdup(name);
	ctx->anchors[ctx->n_anchors++].node = node;
	return 0;
}

/* An alias is a counted deep copy, so the tree may later be changed
 * (interpolation) node by node and an alias bomb hits SV_YAML_MAX_NODES. */
static struct sv_node *resolve_alias(struct parse_ctx *ctx, yaml_event_t *ev)
{
	struct sv_loc loc = loc_of(ctx, &ev->start_mark);
	const char *name = (const char *)ev->data.alias.anchor;
	for (size_t i = ctx->n_anchors; i-- > 0;) {
		if (strcmp(ctx->anchors[i].name, name) == 0) {
			struct sv_node *c =
			    node_copy(ctx->anchors[i].node, &ctx->nodes, SV_YAML_MAX_NODES);
			if (!c) {
				sv_err_at(ctx->err, &loc,
					  "document too large: more than %d nodes (alias "
					  "expansion?)",
					  SV_YAML_MAX_NODES);
				return NULL;
			}
			return c;
		}
	}
	sv_err_at(ctx->err, &loc, "unknown anchor \"%s\" referenced", name);
	return NULL;
}

struct key_ref {
	const char *key;
	size_t index;
};

static int key_ref_cmp(const void *a, const void *b)
{
	const struct key_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Duplicate keys are an error, as in Compose; sort so big maps stay cheap. */
static int check_duplicates(struct parse_ctx *ctx, struct sv_node *map)
{
	if (map->n < 2)
		return 0;
	_cleanup_free_ struct key_ref *refs = gk_malloc0(map->n * sizeof(*refs));
	for (size_t i = 0; i < map->n; i++)
		refs[i] = (struct key_ref){map->keys[i]->str, i};
	qsort(refs, map->n, sizeof(*refs), key_ref_cmp);
	size_t dup = SIZE_MAX, first = 0;
	for (size_t i = 1; i < map->n; i++) {
		if (strcmp(refs[i].key, refs[i - 1].key) == 0 && refs[i].index < dup) {
			dup = refs[i].index;
			first = refs[i - 1].index;
		}
	}
	if (dup == SIZE_MAX)
		return 0;
	return sv_err_at(ctx->err, &map->keys[dup]->loc,
			 "mapping key \"%s\" already defined at line %d", map->keys[dup]->str,
			 map->keys[first]->loc.line);
}

/* `<<: *base` or `<<: [*a, *b]`: keys not already in the map are added, the
 * first source that has a key wins. */
static int apply_merges(struct parse_ctx *ctx, struct sv_node *map, struct sv_node **merges,
			size_t n_merges, size_t *cap)
{
	for (size_t m = 0; m < n_merges; m++) {
		struct sv_node *src = merges[m];
		struct sv_node *list[1] = {src};
		struct sv_node **items = list;
		size_t n_items = 1;
		if (src->kind == SV_SEQ) {
			items = src->vals;
			n_items = src->n;
		}
		for (size_t i = 0; i < n_items; i++) {
			struct sv_node *s = items[i];
			if (s->kind != SV_MAP)
				return sv_err_at(ctx->err, &s->loc,
						 "merge key \"<<\" needs a mapping or a list of "
						 "mappings");
			for (size_t k = 0; k < s->n; k++) {
				if (sv_map_get(map, s->keys[k]->str))
					continue;
				struct sv_node *key =
				    node_copy(s->keys[k], &ctx->nodes, SV_YAML_MAX_NODES);
				struct sv_node *val =
				    node_copy(s->vals[k], &ctx->nodes, SV_YAML_MAX_NODES);
				if (!key || !val) {
					sv_node_free(key);
					sv_node_free(val);
					return sv_err_at(ctx->err, &s->loc,
							 "document too large: more than %d nodes "
							 "(alias expansion?)",
							 SV_YAML_MAX_NODES);
				}
				add_child(map, key, val, cap);
			}
		}
	}
	return 0;
}

static struct sv_node *parse_mapping(struct parse_ctx *ctx, struct sv_node *map, int depth)
{
	size_t cap = 0, n_merges = 0;
	struct sv_node **merges = NULL;
	int ok = 0;
	for (;;) {
		yaml_event_t ev;
		if (next_event(ctx, &ev) < 0)
			goto out;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		int is_merge = ev.type == YAML_SCALAR_EVENT &&
			       ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
			       strcmp((const char *)ev.data.scalar.value, "<<") == 0;
		struct sv_node *key = parse_node(ctx, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (!key)
			goto out;
		if (key->kind != SV_SCALAR && key->kind != SV_NULL) {
			sv_err_at(ctx->err, &key->loc, "mapping keys must be strings");
			sv_node_free(key);
			goto out;
		}
		if (next_event(ctx, &ev) < 0) {
			sv_node_free(key);
			goto out;
		}
		struct sv_node *val = parse_node(ctx, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (!val) {
			sv_node_free(key);
			goto out;
		}
		if (is_merge) {
			sv_node_free(key);
			merges = realloc(merges, (n_merges + 1) * sizeof(*merges));
			if (!merges)
				abort();
			merges[n_merges++] = val;
			continue;
		}
		add_child(map, key, val, &cap);
	}
	if (check_duplicates(ctx, map) < 0)
		goto out;
	if (apply_merges(ctx, map, merges, n_merges, &cap) < 0)
		goto out;
	ok = 1;
out:
	/* Merge sources may carry anchors used later: free them with the parser. */
	ctx->graveyard =
	    realloc(ctx->graveyard, (ctx->n_graveyard + n_merges + 1) * sizeof(*ctx->graveyard));
	if (!ctx->graveyard)
		abort();
	for (size_t i = 0; i < n_merges; i++)
		ctx->graveyard[ctx->n_graveyard++] = merges[i];
	free(merges);
	if (!ok) {
		sv_node_free(map);
		return NULL;
	}
	return map;
}

static struct sv_node *parse_sequence(struct parse_ctx *ctx, struct sv_node *seq, int depth)
{
	size_t cap = 0;
	for (;;) {
		yaml_event_t ev;
		if (next_event(ctx, &ev) < 0)
			break;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return seq;
		}
		struct sv_node *item = parse_node(ctx, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (!item)
			break;
		add_child(seq, NULL, item, &cap);
	}
	sv_node_free(seq);
	return NULL;
}

static struct sv_node *parse_node(struct parse_ctx *ctx, yaml_event_t *ev, int depth)
{
	struct sv_loc loc = loc_of(ctx, &ev->start_mark);
	if (ev->type == YAML_ALIAS_EVENT)
		return resolve_alias(ctx, ev);
	if (depth > SV_YAML_MAX_DEPTH) {
		sv_err_at(ctx->err, &loc, "nesting too deep (more than %d levels)",
			  SV_YAML_MAX_DEPTH);
		return NULL;
	}
	if (count_node(ctx, &loc) < 0)
		return NULL;
	struct sv_node *n = gk_malloc0(sizeof(*n));
	n->loc = loc;
	const yaml_char_t *anchor = NULL;
	switch (ev->type) {
	case YAML_SCALAR_EVENT: {
		if (ev->data.scalar.length > SV_YAML_MAX_SCALAR) {
			sv_err_at(ctx->err, &loc, "scalar too long (%zu bytes, limit %d)",
				  ev->data.scalar.length, SV_YAML_MAX_SCALAR);
			free(n);
			return NULL;
		}
		anchor = ev->data.scalar.anchor;
		n->str = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		if (!n->str)
			abort();
		if (strlen(n->str) != ev->data.scalar.length) {
			sv_err_at(ctx->err, &loc, "scalar contains a NUL character");
			sv_node_free(n);
			return NULL;
		}
		n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		int non_specific =
		    ev->data.scalar.tag && strcmp((const char *)ev->data.scalar.tag, "!") == 0;
		if (non_specific)
			n->quoted = 1;
		n->kind = (!n->quoted && is_null_text(n->str)) ? SV_NULL : SV_SCALAR;
		break;
	}
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		n->kind = SV_SEQ;
		n = parse_sequence(ctx, n, depth);
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		n->kind = SV_MAP;
		n = parse_mapping(ctx, n, depth);
		break;
	default:
		sv_err_at(ctx->err, &loc, "unexpected YAML event");
		free(n);
		return NULL;
	}
	/* The table only points into the tree, which is not changed while parsing. */
	if (n && anchor)
		register_anchor(ctx, (const char *)anchor, n);
	return n;
}

static void ctx_free(struct parse_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n_anchors; i++)
		free(ctx->anchors[i].name);
	free(ctx->anchors);
	for (size_t i = 0; i < ctx->n_graveyard; i++)
		sv_node_free(ctx->graveyard[i]);
	free(ctx->graveyard);
	yaml_parser_delete(&ctx->parser);
}

static struct sv_node *parse_document(struct parse_ctx *ctx)
{
	yaml_event_t ev;
	struct sv_node *root = NULL;
	struct sv_loc start = {ctx->file, 1, 1};
	for (;;) {
		if (next_event(ctx, &ev) < 0)
			return NULL;
		yaml_event_type_t t = ev.type;
		if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_START_EVENT) {
			yaml_event_delete(&ev);
			continue;
		}
		if (t == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			sv_err_at(ctx->err, NULL, "%s: empty compose file", ctx->file);
			return NULL;
		}
		root = parse_node(ctx, &ev, 1);
		yaml_event_delete(&ev);
		break;
	}
	if (!root)
		return NULL;
	if (next_event(ctx, &ev) < 0) /* DOCUMENT-END */
		goto fail;
	yaml_event_delete(&ev);
	if (next_event(ctx, &ev) < 0)
		goto fail;
	if (ev.type != YAML_STREAM_END_EVENT) {
		struct sv_loc l = loc_of(ctx, &ev.start_mark);
		yaml_event_delete(&ev);
		sv_err_at(ctx->err, &l, "multiple YAML documents in one file are not supported");
		goto fail;
	}
	yaml_event_delete(&ev);
	if (root->kind == SV_NULL) {
		sv_err_at(ctx->err, NULL, "%s: empty compose file", ctx->file);
		goto fail;
	}
	if (root->kind != SV_MAP) {
		sv_err_at(ctx->err, &root->loc, "top-level object must be a mapping, not a %s",
			  root->kind == SV_SEQ ? "sequence" : "scalar");
		goto fail;
	}
	(void)start;
	return root;
fail:
	sv_node_free(root);
	return NULL;
}

int sv_yaml_parse(const char *file, const char *buf, size_t len, struct sv_doc **out,
		  struct gk_err *err)
{
	if (len > SV_YAML_MAX_DOC)
		return gk_err_set(err, 0, "%s: file too large (%zu bytes, limit %d)", file, len,
				  SV_YAML_MAX_DOC);
	int line, col;
	if (!sv_utf8_valid(buf, len, &line, &col))
		return gk_err_set(err, 0, "%s:%d:%d: invalid UTF-8 (or NUL byte) in file", file,
				  line, col);
	struct sv_doc *doc = gk_malloc0(sizeof(*doc));
	doc->file = file;
	struct parse_ctx ctx = {.file = doc->file, .buf = buf, .len = len, .err = err};
	if (!yaml_parser_initialize(&ctx.parser))
		abort();
	yaml_parser_set_input_string(&ctx.parser, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&ctx.parser, YAML_UTF8_ENCODING);
	doc->root = parse_document(&ctx);
	doc->nodes = ctx.nodes;
	ctx_free(&ctx);
	if (!doc->root) {
		sv_doc_free(doc);
		return -1;
	}
	*out = doc;
	return 0;
}
