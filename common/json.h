/* Small helpers over json-c: typed getters with defaults, file I/O. */
#ifndef GK_JSON_H
#define GK_JSON_H

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

static inline void gk_json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(gk_json_putp)))

/* Parse a file (at most `max` bytes) into a JSON value. */
int gk_json_read_file(const char *path, size_t max, json_object **out, struct gk_err *err);
/* Parse a buffer; errors name `what` (a path or a description). */
int gk_json_parse(const char *buf, size_t len, const char *what, json_object **out,
		  struct gk_err *err);
/* Serialise (pretty when `pretty`) and write atomically. */
int gk_json_write_file_atomic(const char *path, json_object *obj, int pretty, mode_t mode,
			      struct gk_err *err);

/* Getters: NULL / default when the key is missing or of another type. */
const char *gk_json_str(json_object *obj, const char *key);
int64_t gk_json_int(json_object *obj, const char *key, int64_t dflt);
int gk_json_bool(json_object *obj, const char *key, int dflt);
json_object *gk_json_obj(json_object *obj, const char *key);   /* object-typed member */
json_object *gk_json_array(json_object *obj, const char *key); /* array-typed member */

/* Array of strings → NULL-terminated strv (empty when missing). */
char **gk_json_strv(json_object *arr);
/* strv → new JSON array of strings. */
json_object *gk_json_from_strv(char *const *v);

/* The subset of Go templates that `inspect --format` takes: {{.A.B}} prints a
 * string member raw and anything else as JSON, {{json .A}} always as JSON,
 * "\n" and "\t" escapes; a newline ends the output. Missing: "<no value>". */
int gk_json_render_template(FILE *out, const char *tmpl, json_object *obj, struct gk_err *err);

/* What `inspect` prints: each element of `arr` through `format` when given,
 * else the array as pretty JSON ("[]" when empty, as Docker prints it). */
int gk_json_print_inspect(FILE *out, json_object *arr, const char *format, struct gk_err *err);

#endif
