/* Interpolation (${VAR:-default} and friends), .env files, shell-like splitting. */
#include "supervisor/compose.h"

#include "common/cleanup.h"
#include "common/fs.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NESTING 32

const char *sv_env_get(const struct sv_env *env, const char *key)
{
	for (; env; env = env->next)
		for (size_t i = 0; i < env->n; i++)
			if (strcmp(env->keys[i], key) == 0)
				return env->values[i];
	return NULL;
}

void sv_env_set(struct sv_env *env, const char *key, const char *value)
{
	for (size_t i = 0; i < env->n; i++) {
		if (strcmp(env->keys[i], key) == 0) {
			free(env->values[i]);
			env->values[i] = gk_strdup(value);
			return;
		}
	}
	if (!env->n || !(env->n & (env->n - 1))) { /* capacity doubles at powers of two */
		size_t cap = env->n ? 2 * env->n : 1;
		env->keys = realloc(env->keys, cap * sizeof(*env->keys));
		env->values = realloc(env->values, cap * sizeof(*env->values));
		if (!env->keys || !env->values)
			abort();
	}
	env->keys[env->n] = gk_strdup(key);
	env->values[env->n++] = gk_strdup(value);
}

void sv_env_free(struct sv_env *env)
{
	for (size_t i = 0; i < env->n; i++) {
		free(env->keys[i]);
		free(env->values[i]);
	}
	free(env->keys);
	free(env->values);
	env->keys = env->values = NULL;
	env->n = 0;
}

/* A growable string. */
struct buf {
	char *s;
	size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

static char *buf_take(struct buf *b)
{
	if (!b->s)
		return gk_strdup("");
	char *s = b->s;
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

static int is_name_start(char c)
{
	return c == '_' || isalpha((unsigned char)c);
}

static int is_name_char(char c)
{
	return c == '_' || isalnum((unsigned char)c);
}

static int interp(const char *in, size_t len, const struct sv_env *env, char ***warnings,
		  struct buf *out, int depth, struct gk_err *err);

static void warn_unset(char ***warnings, const char *name)
{
	if (!warnings)
		return;
	_cleanup_free_ char *w =
	    gk_strdup_printf("The \"%s\" variable is not set. Defaulting to a blank string.", name);
	for (char **p = *warnings; p && *p; p++)
		if (strcmp(*p, w) == 0)
			return;
	gk_strv_push(warnings, w);
}

/* The end of a ${...} body starting at `s` (just after "${"): the matching
 * '}' with nested ${...} counted. Returns NULL when unterminated. */
static const char *braced_end(const char *s, const char *end)
{
	int level = 0;
	for (const char *p = s; p < end; p++) {
		if (*p == '$' && p + 1 < end && p[1] == '$') {
			p++;
		} else if (*p == '$' && p + 1 < end && p[1] == '{') {
			level++;
			p++;
		} else if (*p == '}') {
			if (level == 0)
				return p;
			level--;
		}
	}
	return NULL;
}

static int invalid_format(struct gk_err *err, const char *in, size_t len)
{
	return gk_err_set(err, 0,
			  "invalid interpolation format \"%.*s\": you may need to escape any $ "
			  "with another $",
			  (int)(len > 200 ? 200 : len), in);
}

static int expand_braced(const char *body, size_t blen, const char *whole, size_t wlen,
			 const struct sv_env *env, char ***warnings, struct buf *out, int depth,
			 struct gk_err *err)
{
	size_t n = 0;
	if (blen == 0 || !is_name_start(body[0]))
		return invalid_format(err, whole, wlen);
	while (n < blen && is_name_char(body[n]))
		n++;
	_cleanup_free_ char *name = strndup(body, n);
	if (!name)
		abort();
	const char *val = sv_env_get(env, name);
	if (n == blen) {
		if (!val)
			warn_unset(warnings, name);
		else
			buf_add(out, val, strlen(val));
		return 0;
	}
	int colon = 0;
	size_t op = n;
	if (body[op] == ':') {
		colon = 1;
		op++;
	}
	if (op >= blen || !strchr("-?+", body[op]))
		return invalid_format(err, whole, wlen);
	const char *arg = body + op + 1;
	size_t alen = blen - op - 1;
	int set = val != NULL, nonempty = val && *val;
	int present = colon ? nonempty : set;
	switch (body[op]) {
	case '-':
		if (present)
			buf_add(out, val, strlen(val));
		else
			return interp(arg, alen, env, warnings, out, depth + 1, err);
		return 0;
	case '+':
		if (present)
			return interp(arg, alen, env, warnings, out, depth + 1, err);
		return 0;
	default: /* '?' */
		if (present) {
			buf_add(out, val, strlen(val));
			return 0;
		}
		struct buf msg = {0};
		if (interp(arg, alen, env, warnings, &msg, depth + 1, err) < 0) {
			free(msg.s);
			return -1;
		}
		_cleanup_free_ char *m = buf_take(&msg);
		if (*m)
			return gk_err_set(err, 0, "required variable %s is missing a value: %s",
					  name, m);
		return gk_err_set(err, 0, "required variable %s is missing a value", name);
	}
}

static int interp(const char *in, size_t len, const struct sv_env *env, char ***warnings,
		  struct buf *out, int depth, struct gk_err *err)
{
	if (depth > MAX_NESTING)
		return gk_err_set(err, 0, "interpolation nested too deeply (more than %d levels)",
				  MAX_NESTING);
	const char *end = in + len;
	for (const char *p = in; p < end;) {
		const char *dollar = memchr(p, '$', (size_t)(end - p));
		if (!dollar) {
			buf_add(out, p, (size_t)(end - p));
			break;
		}
		buf_add(out, p, (size_t)(dollar - p));
		const char *q = dollar + 1;
		if (q < end && *q == '$') {
			buf_addc(out, '$');
			p = q + 1;
		} else if (q < end && *q == '{') {
			const char *close = braced_end(q + 1, end);
			if (!close)
				return invalid_format(err, in, len);
			if (expand_braced(q + 1, (size_t)(close - q - 1), in, len, env, warnings,
					  out, depth, err) < 0)
				return -1;
			p = close + 1;
		} else if (q < end && is_name_start(*q)) {
			const char *s = q;
			while (q < end && is_name_char(*q))
				q++;
			_cleanup_free_ char *name = strndup(s, (size_t)(q - s));
			if (!name)
				abort();
			const char *val = sv_env_get(env, name);
			if (val)
				buf_add(out, val, strlen(val));
			else
				warn_unset(warnings, name);
			p = q;
		} else {
			return invalid_format(err, in, len);
		}
	}
	return 0;
}

int sv_interpolate(const char *in, const struct sv_env *env, char ***warnings, char **out,
		   struct gk_err *err)
{
	struct buf b = {0};
	if (interp(in, strlen(in), env, warnings, &b, 0, err) < 0) {
		free(b.s);
		return -1;
	}
	*out = buf_take(&b);
	return 0;
}

/* ---- shell-like split (go-shellwords, as Compose uses it) ---- */

int sv_shell_split(const char *s, char ***out, struct gk_err *err)
{
	char **v = gk_malloc0(sizeof(char *));
	struct buf word = {0};
	int in_word = 0;
	char quote = 0;
	for (const char *p = s; *p; p++) {
		char c = *p;
		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else
				buf_addc(&word, c);
			continue;
		}
		if (quote == '"') {
			if (c == '"') {
				quote = 0;
			} else if (c == '\\' && p[1] && strchr("\"\\$`\n", p[1])) {
				p++;
				if (*p != '\n')
					buf_addc(&word, *p);
			} else {
				buf_addc(&word, c);
			}
			continue;
		}
		if (c == '\\') {
			if (!p[1])
				break;
			p++;
			if (*p != '\n')
				buf_addc(&word, *p);
			in_word = 1;
		} else if (c == '\'' || c == '"') {
			quote = c;
			in_word = 1;
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (in_word) {
				char *w = buf_take(&word);
				gk_strv_push(&v, w);
				free(w);
				in_word = 0;
			}
		} else {
			buf_addc(&word, c);
			in_word = 1;
		}
	}
	if (quote) {
		free(word.s);
		gk_strv_free(v);
		return gk_err_set(err, 0, "invalid command line string: unterminated %s quote",
				  quote == '"' ? "double" : "single");
	}
	if (in_word) {
		char *w = buf_take(&word);
		gk_strv_push(&v, w);
		free(w);
	}
	free(word.s);
	*out = v;
	return 0;
}

/* ---- .env files (compose-go's dotenv syntax) ---- */

struct dotenv {
	const char *file;
	const char *p, *end;
	int line;
	const struct sv_env *env; /* the host */
	struct sv_env *out;
	struct gk_err *err;
};

static int dotenv_err(struct dotenv *d, const char *msg)
{
	return gk_err_set(d->err, 0, "%s:%d: %s", d->file, d->line, msg);
}

static void skip_blank(struct dotenv *d)
{
	while (d->p < d->end && (*d->p == ' ' || *d->p == '\t'))
		d->p++;
}

static void skip_line(struct dotenv *d)
{
	while (d->p < d->end && *d->p != '\n')
		d->p++;
	if (d->p < d->end) {
		d->p++;
		d->line++;
	}
}

/* Values see the host environment first, then the variables defined above
 * them in the file (the process environment wins over .env, as in Compose). */
static int dotenv_expand(struct dotenv *d, const char *raw, char **value)
{
	struct sv_env scope = {0};
	struct gk_err e;
	if (d->env)
		scope = *d->env; /* a view: same arrays, not freed here */
	scope.next = d->out;
	if (sv_interpolate(raw, &scope, NULL, value, &e) < 0)
		return gk_err_set(d->err, 0, "%s:%d: %s", d->file, d->line, e.msg);
	return 0;
}

static int dotenv_double_quoted(struct dotenv *d, char **value)
{
	struct buf b = {0};
	int start = d->line;
	d->p++;
	for (; d->p < d->end; d->p++) {
		char c = *d->p;
		if (c == '"')
			break;
		if (c == '\n')
			d->line++;
		if (c == '\\' && d->p + 1 < d->end) {
			char n = *++d->p;
			switch (n) {
			case 'n':
				buf_addc(&b, '\n');
				break;
			case 't':
				buf_addc(&b, '\t');
				break;
			case 'r':
				buf_addc(&b, '\r');
				break;
			case '$': /* stays escaped for interpolation */
				buf_add(&b, "$$", 2);
				break;
			default:
				buf_addc(&b, n);
			}
			continue;
		}
		buf_addc(&b, c);
	}
	if (d->p >= d->end) {
		free(b.s);
		d->line = start;
		return dotenv_err(d, "unterminated double-quoted value");
	}
	d->p++;
	_cleanup_free_ char *raw = buf_take(&b);
	return dotenv_expand(d, raw, value);
}

static int dotenv_single_quoted(struct dotenv *d, char **value)
{
	struct buf b = {0};
	int start = d->line;
	d->p++;
	for (; d->p < d->end && *d->p != '\''; d->p++) {
		if (*d->p == '\n')
			d->line++;
		buf_addc(&b, *d->p);
	}
	if (d->p >= d->end) {
		free(b.s);
		d->line = start;
		return dotenv_err(d, "unterminated single-quoted value");
	}
	d->p++;
	*value = buf_take(&b);
	return 0;
}

static int dotenv_plain(struct dotenv *d, char **value)
{
	const char *s = d->p;
	while (d->p < d->end && *d->p != '\n') {
		/* " #" starts a comment; a '#' inside a word does not */
		if (*d->p == '#' && d->p > s && (d->p[-1] == ' ' || d->p[-1] == '\t'))
			break;
		d->p++;
	}
	const char *e = d->p;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	_cleanup_free_ char *raw = strndup(s, (size_t)(e - s));
	if (!raw)
		abort();
	return dotenv_expand(d, raw, value);
}

static int dotenv_line(struct dotenv *d)
{
	skip_blank(d);
	if (d->p >= d->end)
		return 0;
	if (*d->p == '\n' || *d->p == '#' || *d->p == '\r') {
		skip_line(d);
		return 0;
	}
	if ((size_t)(d->end - d->p) > 7 && strncmp(d->p, "export", 6) == 0 &&
	    (d->p[6] == ' ' || d->p[6] == '\t')) {
		d->p += 7;
		skip_blank(d);
	}
	const char *k = d->p;
	while (d->p < d->end && (isalnum((unsigned char)*d->p) || strchr("_.-[]", *d->p)))
		d->p++;
	if (d->p == k)
		return dotenv_err(d, "unexpected character: a variable name must start the line");
	_cleanup_free_ char *key = strndup(k, (size_t)(d->p - k));
	if (!key)
		abort();
	skip_blank(d);
	if (d->p >= d->end || *d->p == '\n' || *d->p == '\r' || *d->p == '#') {
		/* A bare name takes its value from the host, when set there. */
		const char *host = sv_env_get(d->env, key);
		if (host)
			sv_env_set(d->out, key, host);
		skip_line(d);
		return 0;
	}
	if (*d->p != '=' && *d->p != ':')
		return dotenv_err(d, "key cannot contain a space or this character");
	d->p++;
	skip_blank(d);
	_cleanup_free_ char *value = NULL;
	int r;
	if (d->p < d->end && *d->p == '"')
		r = dotenv_double_quoted(d, &value);
	else if (d->p < d->end && *d->p == '\'')
		r = dotenv_single_quoted(d, &value);
	else
		r = dotenv_plain(d, &value);
	if (r < 0)
		return -1;
	if (d->out->n >= SV_MAX_ENV_VARS && !sv_env_get(d->out, key))
		return dotenv_err(d, "too many variables in one file");
	sv_env_set(d->out, key, value);
	skip_blank(d);
	if (d->p < d->end && *d->p != '\n' && *d->p != '#' && *d->p != '\r')
		return dotenv_err(d, "unexpected characters after the closing quote");
	skip_line(d);
	return 0;
}

int sv_dotenv_parse(const char *file, const char *buf, size_t len, const struct sv_env *env,
		    struct sv_env *out, struct gk_err *err)
{
	struct dotenv d = {file, buf, buf + len, 1, env, out, err};
	if (memchr(buf, '\0', len))
		return gk_err_set(err, 0, "%s: contains a NUL byte", file);
	while (d.p < d.end)
		if (dotenv_line(&d) < 0)
			return -1;
	return 0;
}
