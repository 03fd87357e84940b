#include "json.h"
#include "cleanup.h"
#include "fs.h"

#include <errno.h>
#include <string.h>

int gk_json_parse(const char *buf, size_t len, const char *what, json_object **out,
		  struct gk_err *err)
{
	json_tokener *tok = json_tokener_new();
	if (!tok)
		abort();
	json_object *obj = json_tokener_parse_ex(tok, buf, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t consumed = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!obj || jerr != json_tokener_success) {
		if (obj)
			json_object_put(obj);
		return gk_err_set(err, EINVAL, "%s: invalid JSON: %s", what,
				  jerr == json_tokener_continue ? "unexpected end of input"
								: json_tokener_error_desc(jerr));
	}
	/* Only whitespace may follow the document. */
	for (size_t i = consumed; i < len; i++) {
		if (!strchr(" \t\r\n", buf[i])) {
			json_object_put(obj);
			return gk_err_set(err, EINVAL, "%s: invalid JSON: trailing data", what);
		}
	}
	*out = obj;
	return 0;
}

int gk_json_read_file(const char *path, size_t max, json_object **out, struct gk_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	if (gk_read_file(path, max, &buf, &len, err) < 0)
		return -1;
	return gk_json_parse(buf, len, path, out, err);
}

int gk_json_write_file_atomic(const char *path, json_object *obj, int pretty, mode_t mode,
			      struct gk_err *err)
{
	int flags =
	    JSON_C_TO_STRING_NOSLASHESCAPE |
	    (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN);
	size_t len = 0;
	const char *s = json_object_to_json_string_length(obj, flags, &len);
	_cleanup_free_ char *text = gk_strdup_printf("%s\n", s);
	return gk_write_file_atomic(path, text, len + 1, mode, err);
}

const char *gk_json_str(json_object *obj, const char *key)
{
	json_object *v;
	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int64_t gk_json_int(json_object *obj, const char *key, int64_t dflt)
{
	json_object *v;
	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return dflt;
	return json_object_get_int64(v);
}

int gk_json_bool(json_object *obj, const char *key, int dflt)
{
	json_object *v;
	if (!obj || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_boolean))
		return dflt;
	return json_object_get_boolean(v);
}

static json_object *typed_member(json_object *obj, const char *key, json_type type)
{
	json_object *v;
	if (!obj || !json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

json_object *gk_json_obj(json_object *obj, const char *key)
{
	return typed_member(obj, key, json_type_object);
}

json_object *gk_json_array(json_object *obj, const char *key)
{
	return typed_member(obj, key, json_type_array);
}

char **gk_json_strv(json_object *arr)
{
	char **v = gk_malloc0(sizeof(char *));
	if (!arr || !json_object_is_type(arr, json_type_array))
		return v;
	size_t n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		if (json_object_is_type(e, json_type_string))
			gk_strv_push(&v, json_object_get_string(e));
	}
	return v;
}

json_object *gk_json_from_strv(char *const *v)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(arr, json_object_new_string(v[i]));
	return arr;
}

int gk_json_render_template(FILE *out, const char *tmpl, json_object *obj, struct gk_err *err)
{
	const char *p = tmpl;
	while (*p) {
		if (p[0] == '\\' && p[1] == 'n') {
			fputc('\n', out);
			p += 2;
			continue;
		}
		if (p[0] == '\\' && p[1] == 't') {
			fputc('\t', out);
			p += 2;
			continue;
		}
		if (strncmp(p, "{{", 2) != 0) {
			fputc(*p++, out);
			continue;
		}
		const char *close = strstr(p, "}}");
		if (!close)
			return gk_err_set(err, EINVAL, "template: unclosed action in \"%s\"", tmpl);
		_cleanup_free_ char *act = strndup(p + 2, (size_t)(close - p - 2));
		char *a = act;
		while (*a == ' ')
			a++;
		char *e = a + strlen(a);
		while (e > a && e[-1] == ' ')
			*--e = '\0';
		int as_json = 0;
		if (strncmp(a, "json ", 5) == 0) {
			as_json = 1;
			a += 5;
			while (*a == ' ')
				a++;
		}
		if (*a != '.')
			return gk_err_set(err, EINVAL, "template: unsupported action \"{{%s}}\"",
					  act);
		json_object *v = obj;
		char *save = NULL;
		for (char *k = strtok_r(a + 1, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
			v = json_object_is_type(v, json_type_object) ? json_object_object_get(v, k)
								     : NULL;
		if (*(a + 1) == '\0')
			v = obj;
		if (!as_json && v && json_object_is_type(v, json_type_string))
			fputs(json_object_get_string(v), out);
		else if (!v)
			fputs(as_json ? "null" : "<no value>", out);
		else
			fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
								    JSON_C_TO_STRING_NOSLASHESCAPE),
			      out);
		p = close + 2;
	}
	fputc('\n', out);
	return 0;
}

int gk_json_print_inspect(FILE *out, json_object *arr, const char *format, struct gk_err *err)
{
	size_t n = json_object_array_length(arr);
	if (format) {
		for (size_t i = 0; i < n; i++)
			if (gk_json_render_template(out, format, json_object_array_get_idx(arr, i),
						    err) < 0)
				return -1;
		return 0;
	}
	if (n == 0) {
		fputs("[]\n", out);
		return 0;
	}
	fprintf(out, "%s\n",
		json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
							JSON_C_TO_STRING_SPACED |
							JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}
