/* One compose file's node tree → typed structs, key by key, in both the short
 * and the long syntax. Unknown keys are errors; keys of the Compose
 * Specification that gocker does not implement are warnings. */
#include "supervisor/sv_model.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/units.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---- */

static int fail(struct gk_err *err, const struct sv_node *n, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(struct gk_err *err, const struct sv_node *n, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sv_err_at(err, n ? &n->loc : NULL, "%s: %s", path, msg);
}

static void warn(struct sv_model_ctx *ctx, const struct sv_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void warn(struct sv_model_ctx *ctx, const struct sv_node *n, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	_cleanup_free_ char *w =
	    gk_strdup_printf("%s:%d:%d: %s", n->loc.file, n->loc.line, n->loc.col, msg);
	gk_strv_push(ctx->warnings, w);
}

static const char *kind_name(const struct sv_node *n)
{
	switch (n->kind) {
	case SV_NULL:
		return "null";
	case SV_SCALAR:
		return "scalar";
	case SV_MAP:
		return "mapping";
	default:
		return "sequence";
	}
}

static int want_string(struct gk_err *err, const struct sv_node *n, const char *path,
		       const char **out)
{
	if (n->kind != SV_SCALAR)
		return fail(err, n, path, "must be a string, not a %s", kind_name(n));
	*out = n->str;
	return 0;
}

static int set_string(struct gk_err *err, const struct sv_node *n, const char *path, char **field)
{
	const char *s = NULL;
	if (n->kind == SV_NULL) {
		free(*field);
		*field = NULL;
		return 0;
	}
	if (want_string(err, n, path, &s) < 0)
		return -1;
	free(*field);
	*field = gk_strdup(s);
	return 0;
}

static int want_bool(struct gk_err *err, const struct sv_node *n, const char *path, int *out)
{
	if (!sv_node_is_bool(n, out))
		return fail(err, n, path, "must be a boolean");
	return 0;
}

static int parse_int(const char *s, long long min, long long max, long long *out)
{
	if (!*s || isspace((unsigned char)*s))
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int want_int(struct gk_err *err, const struct sv_node *n, const char *path, long long min,
		    long long max, long long *out)
{
	if (n->kind != SV_SCALAR || parse_int(n->str, min, max, out) < 0)
		return fail(err, n, path, "must be an integer between %lld and %lld", min, max);
	return 0;
}

static int want_duration(struct gk_err *err, const struct sv_node *n, const char *path,
			 int64_t *out)
{
	struct gk_err e;
	if (n->kind != SV_SCALAR)
		return fail(err, n, path, "must be a duration such as \"1m30s\"");
	if (gk_parse_duration(n->str, out, &e) < 0)
		return fail(err, n, path, "invalid duration \"%s\"", n->str);
	if (*out < 0)
		return fail(err, n, path, "duration must not be negative");
	return 0;
}

static int want_bytes(struct gk_err *err, const struct sv_node *n, const char *path, int64_t *out)
{
	struct gk_err e;
	if (n->kind != SV_SCALAR || gk_parse_bytes(n->str, out, &e) < 0)
		return fail(err, n, path,
			    "invalid size \"%s\" (expected a byte value such as 512m)",
			    n->kind == SV_SCALAR ? n->str : kind_name(n));
	return 0;
}

static int want_cpus(struct gk_err *err, const struct sv_node *n, const char *path, double *out)
{
	char *end;
	if (n->kind != SV_SCALAR || !*n->str)
		return fail(err, n, path, "must be a number of CPUs such as 0.5");
	errno = 0;
	double v = strtod(n->str, &end);
	if (errno || *end || !isfinite(v) || v < 0 || v > 1024 || isspace((unsigned char)*n->str))
		return fail(err, n, path, "invalid number of CPUs \"%s\"", n->str);
	*out = v;
	return 0;
}

/* A list of strings (numbers are fine); a single string when `allow_single`. */
static int want_strv(struct gk_err *err, const struct sv_node *n, const char *path,
		     int allow_single, char ***out)
{
	char **v = gk_malloc0(sizeof(char *));
	if (n->kind == SV_SCALAR && allow_single) {
		gk_strv_push(&v, n->str);
	} else if (n->kind == SV_SEQ) {
		free(v);
		v = gk_malloc0((n->n + 1) *
			       sizeof(char *)); /* sized once: long lists stay linear */
		for (size_t i = 0; i < n->n; i++) {
			if (n->vals[i]->kind != SV_SCALAR) {
				_cleanup_free_ char *p = gk_strdup_printf("%s[%zu]", path, i);
				gk_strv_free(v);
				return fail(err, n->vals[i], p, "must be a string, not a %s",
					    kind_name(n->vals[i]));
			}
			v[i] = gk_strdup(n->vals[i]->str);
		}
	} else if (n->kind != SV_NULL) {
		gk_strv_free(v);
		return fail(err, n, path, "must be a list of strings");
	}
	gk_strv_free(*out);
	*out = v;
	return 0;
}

void sv_grow(void **array, size_t n, size_t size)
{
	if (n && (n & (n - 1)))
		return; /* not a power of two: there is room */
	*array = realloc(*array, (n ? 2 * n : 1) * size);
	if (!*array)
		abort();
}

void sv_kv_free(struct sv_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void sv_kv_put(struct sv_kv **kv, size_t *n, const char *key, const char *value,
	       const struct sv_loc *loc)
{
	size_t lo = 0, hi = *n; /* binary search for the key's place */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp((*kv)[mid].key, key);
		if (c == 0) {
			free((*kv)[mid].value);
			(*kv)[mid].value = value ? gk_strdup(value) : NULL;
			if (loc)
				(*kv)[mid].loc = *loc;
			return;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	sv_grow((void **)kv, *n, sizeof(**kv));
	memmove(*kv + lo + 1, *kv + lo, (*n - lo) * sizeof(**kv));
	(*kv)[lo] = (struct sv_kv){gk_strdup(key), value ? gk_strdup(value) : NULL,
				   loc ? *loc : (struct sv_loc){0}};
	(*n)++;
}

/* labels and environment: a mapping, or a list of "KEY=VALUE" / "KEY". */
static int parse_kv(struct sv_model_ctx *ctx, const struct sv_node *n, const char *path,
		    int bare_from_env, struct sv_kv **kv, size_t *nkv, struct gk_err *err)
{
	if (n->kind == SV_MAP) {
		for (size_t i = 0; i < n->n; i++) {
			const struct sv_node *v = n->vals[i];
			const char *key = n->keys[i]->str;
			_cleanup_free_ char *p = gk_strdup_printf("%s.%s", path, key);
			if (v->kind == SV_NULL) {
				const char *host = bare_from_env ? sv_env_get(ctx->env, key) : NULL;
				sv_kv_put(kv, nkv, key, bare_from_env ? host : "", &v->loc);
			} else if (v->kind == SV_SCALAR) {
				sv_kv_put(kv, nkv, key, v->str, &n->keys[i]->loc);
			} else {
				return fail(err, v, p, "must be a string, number, boolean or null");
			}
		}
		return 0;
	}
	if (n->kind == SV_SEQ) {
		for (size_t i = 0; i < n->n; i++) {
			const struct sv_node *v = n->vals[i];
			_cleanup_free_ char *p = gk_strdup_printf("%s[%zu]", path, i);
			if (v->kind != SV_SCALAR)
				return fail(err, v, p, "must be a string \"KEY=VALUE\"");
			const char *eq = strchr(v->str, '=');
			if (eq == v->str || !*v->str)
				return fail(err, v, p, "invalid entry \"%s\": empty key", v->str);
			if (eq) {
				_cleanup_free_ char *key = strndup(v->str, (size_t)(eq - v->str));
				sv_kv_put(kv, nkv, key, eq + 1, &v->loc);
			} else {
				const char *host =
				    bare_from_env ? sv_env_get(ctx->env, v->str) : NULL;
				sv_kv_put(kv, nkv, v->str, bare_from_env ? host : "", &v->loc);
			}
		}
		return 0;
	}
	if (n->kind == SV_NULL)
		return 0;
	return fail(err, n, path, "must be a mapping or a list of \"KEY=VALUE\" strings");
}

/* ---- ports ---- */

void sv_port_clear(struct sv_port *p)
{
	free(p->published);
	free(p->host_ip);
	free(p->protocol);
	free(p->mode);
	memset(p, 0, sizeof(*p));
}

static int parse_range(const char *s, unsigned *lo, unsigned *hi, unsigned min)
{
	long long a, b;
	const char *dash = strchr(s, '-');
	if (!dash) {
		if (parse_int(s, min, 65535, &a) < 0 || !isdigit((unsigned char)*s))
			return -1;
		*lo = *hi = (unsigned)a;
		return 0;
	}
	_cleanup_free_ char *first = strndup(s, (size_t)(dash - s));
	if (!first || !isdigit((unsigned char)*first) || !isdigit((unsigned char)dash[1]) ||
	    parse_int(first, min, 65535, &a) < 0 || parse_int(dash + 1, min, 65535, &b) < 0 ||
	    b < a)
		return -1;
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	return 0;
}

static void push_port(struct sv_port **ports, size_t *n, unsigned target, const char *published,
		      const char *ip, const char *proto, const struct sv_loc *loc)
{
	sv_grow((void **)ports, *n, sizeof(**ports));
	(*ports)[(*n)++] = (struct sv_port){target,	      gk_strdup(published), gk_strdup(ip),
					    gk_strdup(proto), gk_strdup("ingress"), *loc};
}

static int valid_ip(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* [[HOST_IP:]PUBLISHED[-END]:]TARGET[-END][/PROTOCOL], as Docker's nat.ParsePortSpec. */
int sv_parse_port(const char *spec, const struct sv_loc *loc, struct sv_port **ports, size_t *n,
		  struct gk_err *err)
{
	_cleanup_free_ char *s = gk_strdup(spec);
	const char *proto = "tcp";
	char *slash = strrchr(s, '/');
	if (slash) {
		*slash = '\0';
		proto = slash + 1;
		if (strcmp(proto, "tcp") && strcmp(proto, "udp"))
			return gk_err_set(err, 0,
					  "invalid port \"%s\": unsupported protocol \"%s\"", spec,
					  proto);
	}
	char *ip = NULL, *pub = NULL, *target = s;
	if (s[0] == '[') { /* [IPv6]:published:target */
		char *close = strchr(s, ']');
		if (!close || close[1] != ':')
			return gk_err_set(err, 0, "invalid port \"%s\": bad IPv6 address", spec);
		*close = '\0';
		ip = s + 1;
		pub = close + 2;
		char *c = strrchr(pub, ':');
		if (!c)
			return gk_err_set(err, 0, "invalid port \"%s\": missing container port",
					  spec);
		*c = '\0';
		target = c + 1;
	} else {
		char *last = strrchr(s, ':');
		if (last) {
			*last = '\0';
			target = last + 1;
			char *prev = strrchr(s, ':');
			if (prev) {
				*prev = '\0';
				ip = s;
				pub = prev + 1;
			} else {
				pub = s;
			}
		}
	}
	if (ip && !valid_ip(ip))
		return gk_err_set(err, 0, "invalid port \"%s\": invalid host IP \"%s\"", spec, ip);
	unsigned tlo, thi, plo = 0, phi = 0;
	if (parse_range(target, &tlo, &thi, 1) < 0)
		return gk_err_set(err, 0, "invalid port \"%s\": invalid container port \"%s\"",
				  spec, target);
	int has_pub = pub && *pub;
	if (has_pub && parse_range(pub, &plo, &phi, 0) < 0)
		return gk_err_set(err, 0, "invalid port \"%s\": invalid published port \"%s\"",
				  spec, pub);
	if (thi - tlo >= SV_MAX_PORT_RANGE)
		return gk_err_set(err, 0, "invalid port \"%s\": a range may hold at most %d ports",
				  spec, SV_MAX_PORT_RANGE);

	if (has_pub && phi - plo != thi - tlo) {
		if (tlo != thi)
			return gk_err_set(err, 0,
					  "invalid port \"%s\": the published and container port "
					  "ranges differ in length",
					  spec);
		/* one container port, a range of host ports: Docker picks one */
		push_port(ports, n, tlo, pub, ip ? ip : "", proto, loc);
		return 0;
	}
	for (unsigned t = tlo; t <= thi; t++) {
		char pbuf[16] = "";
		if (has_pub)
			snprintf(pbuf, sizeof(pbuf), "%u", plo + (t - tlo));
		push_port(ports, n, t, pbuf, ip ? ip : "", proto, loc);
	}
	return 0;
}

static int parse_port_long(struct sv_model_ctx *ctx, const struct sv_node *n, const char *path,
			   struct sv_service *s, struct gk_err *err)
{
	long long target = 0;
	const char *published = "", *ip = "", *proto = "tcp", *mode = "ingress";
	for (size_t i = 0; i < n->n; i++) {
		const char *k = n->keys[i]->str;
		const struct sv_node *v = n->vals[i];
		_cleanup_free_ char *p = gk_strdup_printf("%s.%s", path, k);
		if (!strcmp(k, "target")) {
			if (want_int(err, v, p, 1, 65535, &target) < 0)
				return -1;
		} else if (!strcmp(k, "published")) {
			unsigned lo, hi;
			if (v->kind == SV_NULL)
				continue;
			if (v->kind != SV_SCALAR || parse_range(v->str, &lo, &hi, 0) < 0)
				return fail(err, v, p, "invalid published port \"%s\"",
					    v->kind == SV_SCALAR ? v->str : kind_name(v));
			published = v->str;
		} else if (!strcmp(k, "host_ip")) {
			if (want_string(err, v, p, &ip) < 0)
				return -1;
			if (*ip && !valid_ip(ip))
				return fail(err, v, p, "invalid IP address \"%s\"", ip);
		} else if (!strcmp(k, "protocol")) {
			if (want_string(err, v, p, &proto) < 0)
				return -1;
			if (strcmp(proto, "tcp") && strcmp(proto, "udp"))
				return fail(err, v, p, "unsupported protocol \"%s\"", proto);
		} else if (!strcmp(k, "mode")) {
			if (want_string(err, v, p, &mode) < 0)
				return -1;
			if (strcmp(mode, "ingress") && strcmp(mode, "host"))
				return fail(err, v, p, "invalid mode \"%s\"", mode);
		} else if (!strcmp(k, "name") || !strcmp(k, "app_protocol")) {
			warn(ctx, n->keys[i], "%s: not supported by gocker-compose, ignored", p);
		} else if (strncmp(k, "x-", 2) != 0) {
			return fail(err, n->keys[i], path,
				    "additional property \"%s\" is not allowed", k);
		}
	}
	if (!target)
		return fail(err, n, path, "target is required");
	push_port(&s->ports, &s->n_ports, (unsigned)target, published, ip, proto, &n->loc);
	free(s->ports[s->n_ports - 1].mode);
	s->ports[s->n_ports - 1].mode = gk_strdup(mode);
	return 0;
}

static int parse_ports(struct sv_model_ctx *ctx, const struct sv_node *n, const char *path,
		       struct sv_service *s, struct gk_err *err)
{
	if (n->kind == SV_NULL)
		return 0;
	if (n->kind != SV_SEQ)
		return fail(err, n, path, "must be a list");
	for (size_t i = 0; i < n->n; i++) {
		const struct sv_node *v = n->vals[i];
		_cleanup_free_ char *p = gk_strdup_printf("%s[%zu]", path, i);
		if (v->kind == SV_MAP) {
			if (parse_port_long(ctx, v, p, s, err) < 0)
				return -1;
		} else if (v->kind == SV_SCALAR) {
			struct gk_err e;
			if (sv_parse_port(v->str, &v->loc, &s->ports, &s->n_ports, &e) < 0)
				return fail(err, v, p, "%s", e.msg);
		} else {
			return fail(err, v, p, "must be a string, a number or a mapping");
		}
		if (s->n_ports > SV_MAX_PORTS)
			return fail(err, v, p, "too many ports (more than %d)", SV_MAX_PORTS);
	}
	return 0;
}

/* ---- volumes ---- */

void sv_mount_clear(struct sv_mount *m)
{
	free(m->source);
	free(m->target);
	memset(m, 0, sizeof(*m));
}

/* Lexical clean of an absolute path, as Go's filepath.Clean: no "." or ".."
 * components, no repeated or trailing '/'. */
static char *clean_path(const char *path)
{
	size_t len = strlen(path);
	char *out = gk_malloc0(len + 2);
	size_t n = 0;
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		size_t l = (size_t)(e - p);
		if (l == 0 || (l == 1 && p[0] == '.')) {
			/* nothing */
		} else if (l == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--; /* the '/' before the dropped component */
		} else {
			out[n++] = '/';
			memcpy(out + n, p, l);
			n += l;
		}
		p = e;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return out;
}

static char *resolve_path(const char *workdir, const char *home, const char *src)
{
	_cleanup_free_ char *joined = NULL;
	if (src[0] == '~' && (src[1] == '/' || !src[1])) {
		if (!home)
			home = getenv("HOME");
		joined = gk_strdup_printf("%s/%s", home ? home : "", src + 1);
	} else if (src[0] == '/') {
		joined = gk_strdup(src);
	} else {
		joined = gk_strdup_printf("%s/%s", workdir, src);
	}
	return clean_path(joined);
}

static int parse_volume_short(const char *spec, const char *workdir, const char *home,
			      struct sv_mount *m, struct gk_err *err)
{
	memset(m, 0, sizeof(*m));
	_cleanup_strv_ char **parts = gk_malloc0(sizeof(char *));
	_cleanup_free_ char *copy = gk_strdup(spec);
	char *save = NULL;
	for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save))
		gk_strv_push(&parts, t);
	size_t n = gk_strv_len(parts);
	if (n == 0 || n > 3 || strstr(spec, "::") || spec[strlen(spec) - 1] == ':')
		return gk_err_set(err, 0, "invalid volume \"%s\": expected SOURCE:TARGET[:MODE]",
				  spec);
	const char *src = n >= 2 ? parts[0] : NULL, *dst = n >= 2 ? parts[1] : parts[0];
	if (n == 3) {
		_cleanup_free_ char *modes = gk_strdup(parts[2]);
		char *s2 = NULL;
		for (char *o = strtok_r(modes, ",", &s2); o; o = strtok_r(NULL, ",", &s2)) {
			if (!strcmp(o, "ro"))
				m->read_only = 1;
			else if (!strcmp(o, "rw"))
				m->read_only = 0;
			else if (strcmp(o, "z") && strcmp(o, "Z") && strcmp(o, "nocopy") &&
				 strcmp(o, "cached") && strcmp(o, "delegated") &&
				 strcmp(o, "consistent"))
				return gk_err_set(
				    err, 0, "invalid volume \"%s\": unknown mode \"%s\"", spec, o);
		}
	}
	if (dst[0] != '/')
		return gk_err_set(err, 0,
				  "invalid volume \"%s\": target \"%s\" must be an absolute path",
				  spec, dst);
	m->target = gk_strdup(dst);
	if (!src) {
		m->type = SV_MOUNT_VOLUME;
		m->source = gk_strdup("");
	} else if (src[0] == '.' || src[0] == '/' || src[0] == '~') {
		m->type = SV_MOUNT_BIND;
		m->source = resolve_path(workdir, home, src);
		m->create_host_path = 1;
	} else {
		m->type = SV_MOUNT_VOLUME;
		m->source = gk_strdup(src);
	}
	return 0;
}

int sv_parse_volume(const char *spec, const char *workdir, struct sv_mount *m, struct gk_err *err)
{
	return parse_volume_short(spec, workdir, NULL, m, err);
}

static const char *home_of(struct sv_model_ctx *ctx)
{
	return sv_env_get(ctx->env, "HOME");
}

static int parse_volume_long(struct sv_model_ctx *ctx, const struct sv_node *n, const char *path,
			     struct sv_mount *m, struct gk_err *err)
{
	memset(m, 0, sizeof(*m));
	const char *type = NULL, *src = NULL, *dst = NULL;
	for (size_t i = 0; i < n->n; i++) {
		const char *k = n->keys[i]->str;
		const struct sv_node *v = n->vals[i];
		_cleanup_free_ char *p = gk_strdup_printf("%s.%s", path, k);
		if (!strcmp(k, "type")) {
			if (want_string(err, v, p, &type) < 0)
				return -1;
		} else if (!strcmp(k, "source")) {
			if (v->kind != SV_NULL && want_string(err, v, p, &src) < 0)
				return -1;
		} else if (!strcmp(k, "target")) {
			if (want_string(err, v, p, &dst) < 0)
				return -1;
		} else if (!strcmp(k, "read_only")) {
			if (want_bool(err, v, p, &m->read_only) < 0)
				return -1;
		} else if (!strcmp(k, "bind") || !strcmp(k, "volume") || !strcmp(k, "tmpfs")) {
			if (v->kind != SV_MAP)
				return fail(err, v, p, "must be a mapping");
			for (size_t j = 0; j < v->n; j++) {
				const char *kk = v->keys[j]->str;
				_cleanup_free_ char *pp = gk_strdup_printf("%s.%s", p, kk);
				if (!strcmp(k, "bind") && !strcmp(kk, "create_host_path")) {
					if (want_bool(err, v->vals[j], pp, &m->create_host_path) <
					    0)
						return -1;
				} else if (!strcmp(k, "tmpfs") && !strcmp(kk, "size")) {
					if (want_bytes(err, v->vals[j], pp, &m->tmpfs_size) < 0)
						return -1;
				} else if (strncmp(kk, "x-", 2) != 0) {
					warn(ctx, v->keys[j],
					     "%s: not supported by gocker-compose, ignored", pp);
				}
			}
		} else if (!strcmp(k, "consistency")) {
			warn(ctx, n->keys[i], "%s: not supported by gocker-compose, ignored", p);
		} else if (strncmp(k, "x-", 2) != 0) {
			return fail(err, n->keys[i], path,
				    "additional property \"%s\" is not allowed", k);
		}
	}
	if (!type)
		return fail(err, n, path, "type is required (bind, volume or tmpfs)");
	if (!dst)
		return fail(err, n, path, "target is required");
	if (dst[0] != '/')
		return fail(err, n, path, "target \"%s\" must be an absolute path", dst);
	if (!strcmp(type, "bind")) {
		if (!src || !*src)
			return fail(err, n, path, "a bind mount needs a source");
		m->type = SV_MOUNT_BIND;
		m->source = resolve_path(ctx->workdir, home_of(ctx), src);
	} else if (!strcmp(type, "volume")) {
		m->type = SV_MOUNT_VOLUME;
		m->source = gk_strdup(src ? src : "");
	} else if (!strcmp(type, "tmpfs")) {
		if (src && *src)
			return fail(err, n, path, "a tmpfs mount takes no source");
		m->type = SV_MOUNT_TMPFS;
	} else {
		return fail(err, n, path, "unsupported volume type \"%s\"", type);
	}
	m->target = gk_strdup(dst);
	m->loc = n->loc;
	return 0;
}

static int parse_volumes(struct sv_model_ctx *ctx, const struct sv_node *n, const char *path,
			 struct sv_service *s, struct gk_err *err)
{
	if (n->kind == SV_NULL)
		return 0;
	if (n->kind != SV_SEQ)
		return fail(err, n, path, "must be a list");
	for (size_t i = 0; i < n->n; i++) {
		const struct sv_node *v = n->vals[i];
		_cleanup_free_ char *p = gk_strdup_printf("%s[%zu]", path, i);
		struct sv_mount m;
		if (v->kind == SV_MAP) {
			if (parse_volume_long(ctx, v, p, &m, err) < 0) {
				sv_mount_clear(&m);
				return -1;
			}
		} else if (v->kind == SV_SCALAR) {
			struct gk_err e;
			if (parse_volume_short(v->str, ctx->workdir, home_of(ctx), &m, &e) < 0) {
				sv_mount_clear(&m);
				return fail(err, v, p, "%s", e.msg);
			}
			m.loc = v->loc;
		} else {
			return fail(err, v, p, "must be a string or a mapping");
		}
		s->volumes = realloc(s->volumes, (s->n_volumes + 1) * sizeof(*s->volumes));
		if (!s->volumes)
			abort();
		s->volumes[s->n_volumes++] = m;
	}
	return 0;
}

/* ---- depends_on ---- */

static void put_dep(struct sv_service *s, const char *name, enum sv_condition c, int required,
		    int restart, const struct sv_loc *loc)
{
	for (size_t i = 0; i < s->n_depends_on; i++) {
		if (!strcmp(s->depends_on[i].service, name)) {
			s->depends_on[i] =
			    (struct sv_dep){s->depends_on[i].service, c, required, restart, *loc};
			return;
		}
	}
	s->depends_on = realloc(s->depends_on, (s->n_depends_on + 1) * sizeof(*s->depends_on));
	if (!s->depends_on)
		abort();
	s->depends_on[s->n_depends_on++] =
	    (struct sv_dep){gk_strdup(name), c, required, restart, *loc};
}

static int parse_depends_on(const struct sv_node *n, const char *path, struct sv_service *s,
			    struct gk_err *err)
{
	if (n->kind == SV_SEQ) {
		for (size_t i = 0; i < n->n; i++) {
			const char *name = NULL;
			_cleanup_free_ char *p = gk_strdup_printf("%s[%zu]", path, i);
			if (want_string(err, n->vals[i], p, &name) < 0)
				return -1;
			put_dep(s, name, SV_COND_STARTED, 1, 0, &n->vals[i]->loc);
		}
		return 0;
	}
	if (n->kind == SV_NULL)
		return 0;
	if (n->kind != SV_MAP)
		return fail(err, n, path, "must be a list of services or a mapping");
	for (size_t i = 0; i < n->n; i++) {
		const char *name = n->keys[i]->str;
		const struct sv_node *v = n->vals[i];
		_cleanup_free_ char *p = gk_strdup_printf("%s.%s", path, name);
		enum sv_condition c = SV_COND_STARTED;
		int required = 1, restart = 0;
		if (v->kind != SV_MAP && v->kind != SV_NULL)
			return fail(err, v, p, "must be a mapping");
		for (size_t j = 0; v->kind == SV_MAP && j < v->n; j++) {
			const char *k = v->keys[j]->str;
			const struct sv_node *x = v->vals[j];
			_cleanup_free_ char *pp = gk_strdup_printf("%s.%s", p, k);
			if (!strcmp(k, "condition")) {
				const char *cs = NULL;
				if (want_string(err, x, pp, &cs) < 0)
					return -1;
				if (!strcmp(cs, "service_started"))
					c = SV_COND_STARTED;
				else if (!strcmp(cs, "service_healthy"))
					c = SV_COND_HEALTHY;
				else if (!strcmp(cs, "service_completed_successfully"))
					c = SV_COND_COMPLETED;
				else
					return fail(err, x, pp,
						    "invalid condition \"%s\" (service_started, "
						    "service_healthy or "
						    "service_completed_successfully)",
						    cs);
			} else if (!strcmp(k, "required")) {
				if (want_bool(err, x, pp, &required) < 0)
					return -1;
			} else if (!strcmp(k, "restart")) {
				if (want_bool(err, x, pp, &restart) < 0)
					return -1;
			} else if (strncmp(k, "x-", 2) != 0) {
				return fail(err, v->keys[j], p,
					    "additional property \"%s\" is not allowed", k);
			}
		}
		put_dep(s, name, c, required, restart, &n->keys[i]->loc);
	}
	return 0;
}

/* ---- restart, healthcheck, command ---- */

int sv_parse_restart(const char *s, enum sv_restart *r, int *max, struct gk_err *err)
{
	*max = 0;
	if (!strcmp(s, "no")) {
		*r = SV_RESTART_NO;
	} else if (!strcmp(s, "always")) {
		*r = SV_RESTART_ALWAYS;
	} else if (!strcmp(s, "unless-stopped")) {
		*r = SV_RESTART_UNLESS_STOPPED;
	} else if (!strncmp(s, "on-failure", 10) && (!s[10] || s[10] == ':')) {
		long long n = 0;
		if (s[10] == ':' &&
		    (parse_int(s + 11, 0, INT_MAX, &n) < 0 || !isdigit((unsigned char)s[11])))
			return gk_err_set(err, 0,
					  "invalid restart policy \"%s\": the retry count must be "
					  "a non-negative integer",
					  s);
		*r = SV_RESTART_ON_FAILURE;
		*max = (int)n;
	} else {
		return gk_err_set(err, 0,
				  "invalid restart policy \"%s\" (no, always, on-failure[:N] or "
				  "unless-stopped)",
				  s);
	}
	return 0;
}

/* command / entrypoint: a string is split like a shell would; null = unset. */
static int parse_command(const struct sv_node *n, const char *path, char ***out, struct gk_err *err)
{
	gk_strv_free(*out);
	*out = NULL;
	if (n->kind == SV_NULL)
		return 0;
	if (n->kind == SV_SCALAR) {
		struct gk_err e;
		if (sv_shell_split(n->str, out, &e) < 0)
			return fail(err, n, path, "%s", e.msg);
		return 0;
	}
	return want_strv(err, n, path, 0, out);
}

static int parse_healthcheck(struct sv_model_ctx *ctx, const struct sv_node *n, const char *path,
			     struct sv_healthcheck *h, struct gk_err *err)
{
	if (n->kind == SV_NULL)
		return 0;
	if (n->kind != SV_MAP)
		return fail(err, n, path, "must be a mapping");
	h->present = 1;
	h->loc = n->loc;
	for (size_t i = 0; i < n->n; i++) {
		const char *k = n->keys[i]->str;
		const struct sv_node *v = n->vals[i];
		_cleanup_free_ char *p = gk_strdup_printf("%s.%s", path, k);
		int64_t d;
		if (!strcmp(k, "test")) {
			gk_strv_free(h->test);
			h->test = NULL;
			if (v->kind == SV_SCALAR) {
				h->test = gk_malloc0(sizeof(char *));
				if (!strcmp(v->str, "NONE")) {
					gk_strv_push(&h->test, "NONE");
				} else {
					gk_strv_push(&h->test, "CMD-SHELL");
					gk_strv_push(&h->test, v->str);
				}
			} else if (v->kind == SV_SEQ) {
				if (want_strv(err, v, p, 0, &h->test) < 0)
					return -1;
				if (!h->test[0] ||
				    (strcmp(h->test[0], "CMD") && strcmp(h->test[0], "CMD-SHELL") &&
				     strcmp(h->test[0], "NONE")))
					return fail(err, v, p,
						    "must start with \"CMD\", \"CMD-SHELL\" or "
						    "\"NONE\"");
				if (strcmp(h->test[0], "NONE") && !h->test[1])
					return fail(err, v, p, "%s needs a command", h->test[0]);
				if (!strcmp(h->test[0], "CMD-SHELL") && h->test[2])
					return fail(err, v, p,
						    "CMD-SHELL takes exactly one shell command "
						    "string");
			} else if (v->kind != SV_NULL) {
				return fail(err, v, p, "must be a string or a list");
			}
		} else if (!strcmp(k, "interval") || !strcmp(k, "timeout") ||
			   !strcmp(k, "start_period") || !strcmp(k, "start_interval")) {
			if (want_duration(err, v, p, &d) < 0)
				return -1;
			if (d == 0 && (k[0] == 'i' || k[0] == 't' || !strcmp(k, "start_interval")))
				return fail(err, v, p, "must be greater than 0");
			if (!strcmp(k, "interval"))
				h->interval = d;
			else if (!strcmp(k, "timeout"))
				h->timeout = d;
			else if (!strcmp(k, "start_period"))
				h->start_period = d;
			else
				h->start_interval = d;
		} else if (!strcmp(k, "retries")) {
			long long r;
			if (want_int(err, v, p, 0, INT_MAX, &r) < 0)
				return -1;
			h->retries = (int)r;
		} else if (!strcmp(k, "disable")) {
			if (want_bool(err, v, p, &h->disable) < 0)
				return -1;
		} else if (strncmp(k, "x-", 2) != 0) {
			return fail(err, n->keys[i], path,
				    "additional property \"%s\" is not allowed", k);
		}
	}
	(void)ctx;
	return 0;
}

/* ---- networks, env_file, extra_hosts, deploy ---- */

static void put_netref(struct sv_service *s, const char *name, char **aliases,
		       const struct sv_loc *loc)
{
	size_t i = 0;
	while (i < s->n_networks && strcmp(s->networks[i].name, name) < 0)
		i++;
	if (i < s->n_networks && !strcmp(s->networks[i].name, name)) {
		gk_strv_free(s->networks[i].aliases);
		s->networks[i].aliases = aliases;
		s->networks[i].loc = *loc;
		return;
	}
	s->networks = realloc(s->networks, (s->n_networks + 1) * sizeof(*s->networks));
	if (!s->networks)
		abort();
	memmove(s->networks + i + 1, s->networks + i, (s->n_networks - i) * sizeof(*s->networks));
	s->networks[i] = (struct sv_netref){gk_strdup(name), aliases, *loc};
	s->n_networks++;
}

static int parse_service_networks(struct sv_model_ctx *ctx, const struct sv_node *n,
				  const char *path, struct sv_service *s, struct gk_err *err)
{
	if (n->kind == SV_SEQ) {
		for (size_t i = 0; i < n->n; i++) {
			const char *name = NULL;
			_cleanup_free_ char *p = gk_strdup_printf("%s[%zu]", path, i);
			if (want_string(err, n->vals[i], p, &name) < 0)
				return -1;
			put_netref(s, name, gk_malloc0(sizeof(char *)), &n->vals[i]->loc);
		}
		return 0;
	}
	if (n->kind == SV_NULL)
		return 0;
	if (n->kind != SV_MAP)
		return fail(err, n, path, "must be a list or a mapping");
	for (size_t i = 0; i < n->n; i++) {
		const struct sv_node *v = n->vals[i];
		_cleanup_free_ char *p = gk_strdup_printf("%s.%s", path, n->keys[i]->str);
		char **aliases = gk_malloc0(sizeof(char *));
		if (v->kind != SV_MAP && v->kind != SV_NULL) {
			gk_strv_free(aliases);
			return fail(err, v, p, "must be a mapping or null");
		}
		for (size_t j = 0; v->kind == SV_MAP && j < v->n; j++) {
			const char *k = v->keys[j]->str;
			_cleanup_free_ char *pp = gk_strdup_printf("%s.%s", p, k);
			if (!strcmp(k, "aliases")) {
				if (want_strv(err, v->vals[j], pp, 0, &aliases) < 0) {
					gk_strv_free(aliases);
					return -1;
				}
			} else if (!strcmp(k, "ipv4_address") || !strcmp(k, "ipv6_address") ||
				   !strcmp(k, "link_local_ips") || !strcmp(k, "priority") ||
				   !strcmp(k, "mac_address") || !strcmp(k, "driver_opts") ||
				   !strcmp(k, "gw_priority") || !strcmp(k, "interface_name")) {
				warn(ctx, v->keys[j],
				     "%s: not supported by gocker-compose, ignored", pp);
			} else if (strncmp(k, "x-", 2) != 0) {
				gk_strv_free(aliases);
				return fail(err, v->keys[j], p,
					    "additional property \"%s\" is not allowed", k);
			}
		}
		put_netref(s, n->keys[i]->str, aliases, &n->keys[i]->loc);
	}
	return 0;
}

static int push_env_file(struct sv_model_ctx *ctx, struct sv_service *s, const char *path,
			 int required, const struct sv_loc *loc)
{
	_cleanup_free_ char *abs = resolve_path(ctx->workdir, home_of(ctx), path);
	sv_kv_free(NULL, 0);
	s->env_files = realloc(s->env_files, (s->n_env_files + 1) * sizeof(*s->env_files));
	if (!s->env_files)
		abort();
	s->env_files[s->n_env_files++] =
	    (struct sv_kv){gk_steal_ptr(abs), gk_strdup(required ? "true" : "false"), *loc};
	return 0;
}

static int parse_env_file(struct sv_model_ctx *ctx, const struct sv_node *n, const char *path,
			  struct sv_service *s, struct gk_err *err)
{
	if (n->kind == SV_NULL)
		return 0;
	if (n->kind == SV_SCALAR)
		return push_env_file(ctx, s, n->str, 1, &n->loc);
	if (n->kind != SV_SEQ)
		return fail(err, n, path, "must be a string or a list");
	for (size_t i = 0; i < n->n; i++) {
		const struct sv_node *v = n->vals[i];
		_cleanup_free_ char *p = gk_strdup_printf("%s[%zu]", path, i);
		if (v->kind == SV_SCALAR) {
			push_env_file(ctx, s, v->str, 1, &v->loc);
			continue;
		}
		if (v->kind != SV_MAP)
			return fail(err, v, p, "must be a string or a mapping");
		const char *file = NULL;
		int required = 1;
		for (size_t j = 0; j < v->n; j++) {
			const char *k = v->keys[j]->str;
			_cleanup_free_ char *pp = gk_strdup_printf("%s.%s", p, k);
			if (!strcmp(k, "path")) {
				if (want_string(err, v->vals[j], pp, &file) < 0)
					return -1;
			} else if (!strcmp(k, "required")) {
				if (want_bool(err, v->vals[j], pp, &required) < 0)
					return -1;
			} else if (!strcmp(k, "format")) {
				const char *f = NULL;
				if (want_string(err, v->vals[j], pp, &f) < 0)
					return -1;
				if (strcmp(f, "dotenv") != 0)
					return fail(err, v->vals[j], pp,
						    "unsupported format \"%s\"", f);
			} else {
				return fail(err, v->keys[j], p,
					    "additional property \"%s\" is not allowed", k);
			}
		}
		if (!file)
			return fail(err, v, p, "path is required");
		push_env_file(ctx, s, file, required, &v->loc);
	}
	return 0;
}

/* "host:ip", "host=ip" or {host: ip}; kept as "host:ip" (Docker's --add-host). */
static int valid_extra_host(const char *host, const char *ip)
{
	if (!*host || strpbrk(host, ":= \t\n") || !*ip)
		return 0;
	return valid_ip(ip) || !strcmp(ip, "host-gateway");
}

static int parse_extra_hosts(const struct sv_node *n, const char *path, struct sv_service *s,
			     struct gk_err *err)
{
	char **v = gk_malloc0((n->n + 1) * sizeof(char *));
	size_t k = 0;
	if (n->kind != SV_MAP && n->kind != SV_SEQ && n->kind != SV_NULL) {
		free(v);
		return fail(err, n, path, "must be a list or a mapping");
	}
	for (size_t i = 0; i < n->n; i++) {
		const struct sv_node *item = n->vals[i];
		_cleanup_free_ char *p = n->kind == SV_MAP
					     ? gk_strdup_printf("%s.%s", path, n->keys[i]->str)
					     : gk_strdup_printf("%s[%zu]", path, i);
		_cleanup_free_ char *host = NULL;
		const char *ip = "";
		if (item->kind != SV_SCALAR) {
			gk_strv_free(v);
			return fail(err, item, p, "must be a string");
		}
		if (n->kind == SV_MAP) {
			host = gk_strdup(n->keys[i]->str);
			ip = item->str;
		} else {
			host = gk_strdup(item->str);
			char *sep = strchr(host, '=');
			if (!sep)
				sep = strchr(host, ':');
			if (sep) {
				*sep = '\0';
				ip = sep + 1;
			}
		}
		if (!valid_extra_host(host, ip)) {
			gk_strv_free(v);
			return fail(err, item, p,
				    "invalid extra host \"%s%s%s\" (expected HOST:IP)", host,
				    n->kind == SV_MAP ? ":" : (*ip ? ":" : ""), ip);
		}
		v[k++] = gk_strdup_printf("%s:%s", host, ip);
	}
	gk_strv_free(s->extra_hosts);
	s->extra_hosts = v;
	return 0;
}

static int parse_limits(struct sv_model_ctx *ctx, const struct sv_node *n, const char *path,
			struct sv_service *s, int64_t *mem, double *cpus, int64_t *pids,
			struct gk_err *err)
{
	if (n->kind != SV_MAP)
		return fail(err, n, path, "must be a mapping");
	for (size_t i = 0; i < n->n; i++) {
		const char *k = n->keys[i]->str;
		const struct sv_node *v = n->vals[i];
		_cleanup_free_ char *p = gk_strdup_printf("%s.%s", path, k);
		long long l;
		if (!strcmp(k, "memory")) {
			if (want_bytes(err, v, p, mem) < 0)
				return -1;
		} else if (!strcmp(k, "cpus")) {
			if (want_cpus(err, v, p, cpus) < 0)
				return -1;
		} else if (!strcmp(k, "pids")) {
			if (want_int(err, v, p, -1, INT64_MAX, &l) < 0)
				return -1;
			*pids = l;
		} else if (!strcmp(k, "devices") || !strcmp(k, "generic_resources")) {
			warn(ctx, n->keys[i], "%s: not supported by gocker-compose, ignored", p);
		} else if (strncmp(k, "x-", 2) != 0) {
			return fail(err, n->keys[i], path,
				    "additional property \"%s\" is not allowed", k);
		}
	}
	(void)s;
	return 0;
}

static int parse_deploy(struct sv_model_ctx *ctx, const struct sv_node *n, const char *path,
			struct sv_service *s, struct gk_err *err)
{
	static const char *const unsupported[] = {
	    "endpoint_mode",  "labels",		 "mode",	 "placement",
	    "restart_policy", "rollback_config", "update_config"};
	if (n->kind == SV_NULL)
		return 0;
	if (n->kind != SV_MAP)
		return fail(err, n, path, "must be a mapping");
	for (size_t i = 0; i < n->n; i++) {
		const char *k = n->keys[i]->str;
		const struct sv_node *v = n->vals[i];
		_cleanup_free_ char *p = gk_strdup_printf("%s.%s", path, k);
		int known = 0;
		if (!strcmp(k, "replicas")) {
			long long r;
			if (want_int(err, v, p, 0, 1000, &r) < 0)
				return -1;
			s->replicas = (int)r;
			s->scale_loc = v->loc;
			continue;
		}
		if (!strcmp(k, "resources")) {
			if (v->kind != SV_MAP)
				return fail(err, v, p, "must be a mapping");
			for (size_t j = 0; j < v->n; j++) {
				const char *kk = v->keys[j]->str;
				_cleanup_free_ char *pp = gk_strdup_printf("%s.%s", p, kk);
				if (!strcmp(kk, "limits")) {
					/* agreement with mem_limit etc.: sv_project.c */
					s->limits_loc = v->keys[j]->loc;
					if (parse_limits(ctx, v->vals[j], pp, s, &s->deploy_memory,
							 &s->deploy_cpus, &s->deploy_pids, err) < 0)
						return -1;
				} else if (!strcmp(kk, "reservations")) {
					warn(ctx, v->keys[j],
					     "%s: not supported by gocker-compose, ignored", pp);
				} else if (strncmp(kk, "x-", 2) != 0) {
					return fail(err, v->keys[j], p,
						    "additional property \"%s\" is not allowed",
						    kk);
				}
			}
			continue;
		}
		for (size_t u = 0; u < sizeof(unsupported) / sizeof(unsupported[0]); u++)
			known |= !strcmp(k, unsupported[u]);
		if (known)
			warn(ctx, n->keys[i], "%s: not supported by gocker-compose, ignored", p);
		else if (strncmp(k, "x-", 2) != 0)
			return fail(err, n->keys[i], path,
				    "additional property \"%s\" is not allowed", k);
	}
	return 0;
}

/* ---- a service ---- */

/* Every service key of the Compose Specification that gocker does not act on. */
static const char *const unsupported_service_keys[] = {
    "annotations",
    "attach",
    "blkio_config",
    "build",
    "cgroup",
    "cgroup_parent",
    "configs",
    "cpu_count",
    "cpu_percent",
    "cpu_period",
    "cpu_quota",
    "cpu_rt_period",
    "cpu_rt_runtime",
    "cpu_shares",
    "cpuset",
    "credential_spec",
    "develop",
    "device_cgroup_rules",
    "devices",
    "dns",
    "dns_opt",
    "dns_search",
    "domainname",
    "driver_opts",
    "extends",
    "external_links",
    "gpus",
    "group_add",
    "ipc",
    "isolation",
    "label_file",
    "links",
    "logging",
    "mac_address",
    "mem_reservation",
    "mem_swappiness",
    "memswap_limit",
    "models",
    "oom_kill_disable",
    "oom_score_adj",
    "pid",
    "platform",
    "post_start",
    "pre_stop",
    "privileged",
    "provider",
    "pull_policy",
    "runtime",
    "secrets",
    "security_opt",
    "shm_size",
    "stdin_open",
    "storage_opt",
    "sysctls",
    "tty",
    "ulimits",
    "use_api_socket",
    "userns_mode",
    "uts",
    "volumes_from",
};

static int is_unsupported_key(const char *k)
{
	for (size_t i = 0; i < sizeof(unsupported_service_keys) / sizeof(char *); i++)
		if (!strcmp(k, unsupported_service_keys[i]))
			return 1;
	return 0;
}

static int parse_service_key(struct sv_model_ctx *ctx, const char *k, const struct sv_node *key,
			     const struct sv_node *v, const char *path, const char *spath,
			     struct sv_service *s, struct gk_err *err)
{
	long long l;
	int b;
	if ((v->kind == SV_SEQ || v->kind == SV_MAP) && v->n > SV_MAX_ENTRIES)
		return fail(err, v, path, "too many entries (%zu, limit %d)", v->n, SV_MAX_ENTRIES);
	if (!strcmp(k, "image")) {
		s->image_loc = v->loc;
		return set_string(err, v, path, &s->image);
	}
	if (!strcmp(k, "command"))
		return parse_command(v, path, &s->command, err);
	if (!strcmp(k, "entrypoint"))
		return parse_command(v, path, &s->entrypoint, err);
	if (!strcmp(k, "environment"))
		return parse_kv(ctx, v, path, 1, &s->environment, &s->n_environment, err);
	if (!strcmp(k, "env_file"))
		return parse_env_file(ctx, v, path, s, err);
	if (!strcmp(k, "labels"))
		return parse_kv(ctx, v, path, 0, &s->labels, &s->n_labels, err);
	if (!strcmp(k, "ports"))
		return parse_ports(ctx, v, path, s, err);
	if (!strcmp(k, "expose")) {
		if (want_strv(err, v, path, 0, &s->expose) < 0)
			return -1;
		for (size_t i = 0; s->expose[i]; i++) {
			unsigned lo, hi;
			_cleanup_free_ char *e = gk_strdup(s->expose[i]);
			char *slash = strchr(e, '/');
			if (slash)
				*slash = '\0';
			if (parse_range(e, &lo, &hi, 1) < 0 ||
			    (slash && strcmp(slash + 1, "tcp") && strcmp(slash + 1, "udp"))) {
				_cleanup_free_ char *p = gk_strdup_printf("%s[%zu]", path, i);
				return fail(err, v->vals[i], p, "invalid port \"%s\"",
					    s->expose[i]);
			}
		}
		return 0;
	}
	if (!strcmp(k, "volumes"))
		return parse_volumes(ctx, v, path, s, err);
	if (!strcmp(k, "depends_on"))
		return parse_depends_on(v, path, s, err);
	if (!strcmp(k, "restart")) {
		struct gk_err e;
		if (v->kind == SV_NULL)
			return 0;
		if (sv_node_is_bool(v, &b) && !b) { /* an unquoted `no` is YAML false */
			s->restart = SV_RESTART_NO;
			s->restart_max = 0;
		} else if (v->kind != SV_SCALAR ||
			   sv_parse_restart(v->str, &s->restart, &s->restart_max, &e) < 0) {
			return fail(err, v, path, "%s",
				    v->kind == SV_SCALAR ? e.msg : "must be a string");
		}
		s->restart_set = 1;
		return 0;
	}
	if (!strcmp(k, "healthcheck"))
		return parse_healthcheck(ctx, v, path, &s->healthcheck, err);
	if (!strcmp(k, "mem_limit"))
		return want_bytes(err, v, path, &s->svc_memory);
	if (!strcmp(k, "cpus"))
		return want_cpus(err, v, path, &s->svc_cpus);
	if (!strcmp(k, "pids_limit")) {
		if (want_int(err, v, path, -1, INT64_MAX, &l) < 0)
			return -1;
		s->svc_pids = l;
		return 0;
	}
	if (!strcmp(k, "deploy"))
		return parse_deploy(ctx, v, path, s, err);
	if (!strcmp(k, "scale")) {
		if (want_int(err, v, path, 0, 1000, &l) < 0)
			return -1;
		s->scale_key = (int)l;
		s->scale_loc = v->loc;
		return 0;
	}
	if (!strcmp(k, "working_dir")) {
		if (v->kind == SV_SCALAR && v->str[0] != '/')
			return fail(err, v, path, "must be an absolute path");
		return set_string(err, v, path, &s->working_dir);
	}
	if (!strcmp(k, "user"))
		return set_string(err, v, path, &s->user);
	if (!strcmp(k, "hostname"))
		return set_string(err, v, path, &s->hostname);
	if (!strcmp(k, "container_name")) {
		s->container_name_loc = v->loc;
		return set_string(err, v, path, &s->container_name);
	}
	if (!strcmp(k, "stop_signal"))
		return set_string(err, v, path, &s->stop_signal);
	if (!strcmp(k, "stop_grace_period")) {
		s->stop_grace_set = 1;
		return want_duration(err, v, path, &s->stop_grace_period);
	}
	if (!strcmp(k, "init")) {
		if (want_bool(err, v, path, &b) < 0)
			return -1;
		s->init = b;
		return 0;
	}
	if (!strcmp(k, "read_only")) {
		if (want_bool(err, v, path, &b) < 0)
			return -1;
		s->read_only = b;
		return 0;
	}
	if (!strcmp(k, "tmpfs"))
		return want_strv(err, v, path, 1, &s->tmpfs);
	if (!strcmp(k, "cap_add"))
		return want_strv(err, v, path, 0, &s->cap_add);
	if (!strcmp(k, "cap_drop"))
		return want_strv(err, v, path, 0, &s->cap_drop);
	if (!strcmp(k, "networks"))
		return parse_service_networks(ctx, v, path, s, err);
	if (!strcmp(k, "network_mode")) {
		if (set_string(err, v, path, &s->network_mode) < 0)
			return -1;
		if (s->network_mode && strcmp(s->network_mode, "none") &&
		    strcmp(s->network_mode, "host"))
			return fail(err, v, path,
				    "network_mode \"%s\" is not supported (none or host)",
				    s->network_mode);
		return 0;
	}
	if (!strcmp(k, "profiles"))
		return want_strv(err, v, path, 0, &s->profiles);
	if (!strcmp(k, "extra_hosts"))
		return parse_extra_hosts(v, path, s, err);
	if (is_unsupported_key(k)) {
		warn(ctx, key, "%s: not supported by gocker-compose, ignored", path);
		return 0;
	}
	if (!strncmp(k, "x-", 2))
		return 0;
	return fail(err, key, spath, "additional property \"%s\" is not allowed", k);
}

static void service_init(struct sv_service *s, const char *name, const struct sv_loc *loc)
{
	memset(s, 0, sizeof(*s));
	s->name = gk_strdup(name);
	s->loc = *loc;
	s->scale = 1;
	s->scale_key = s->replicas = SV_UNSET;
	s->init = SV_UNSET;
	s->read_only = SV_UNSET;
	s->stop_grace_period = SV_STOP_GRACE;
	struct sv_healthcheck *h = &s->healthcheck;
	h->interval = h->timeout = h->start_period = h->start_interval = SV_UNSET;
	h->retries = SV_UNSET;
}

static int parse_service(struct sv_model_ctx *ctx, const char *name, const struct sv_node *key,
			 const struct sv_node *n, struct sv_service *s, struct gk_err *err)
{
	_cleanup_free_ char *spath = gk_strdup_printf("services.%s", name);
	service_init(s, name, &key->loc);
	if (n->kind == SV_NULL)
		return 0;
	if (n->kind != SV_MAP)
		return fail(err, n, spath, "must be a mapping");
	for (size_t i = 0; i < n->n; i++) {
		const char *k = n->keys[i]->str;
		_cleanup_free_ char *path = gk_strdup_printf("%s.%s", spath, k);
		if (parse_service_key(ctx, k, n->keys[i], n->vals[i], path, spath, s, err) < 0)
			return -1;
	}
	return 0;
}

void sv_service_clear(struct sv_service *s)
{
	free(s->name);
	free(s->image);
	gk_strv_free(s->command);
	gk_strv_free(s->entrypoint);
	sv_kv_free(s->environment, s->n_environment);
	sv_kv_free(s->env_files, s->n_env_files);
	for (size_t i = 0; i < s->n_ports; i++)
		sv_port_clear(&s->ports[i]);
	free(s->ports);
	for (size_t i = 0; i < s->n_volumes; i++)
		sv_mount_clear(&s->volumes[i]);
	free(s->volumes);
	for (size_t i = 0; i < s->n_depends_on; i++)
		free(s->depends_on[i].service);
	free(s->depends_on);
	gk_strv_free(s->healthcheck.test);
	free(s->working_dir);
	free(s->user);
	free(s->hostname);
	free(s->container_name);
	free(s->stop_signal);
	gk_strv_free(s->tmpfs);
	gk_strv_free(s->cap_add);
	gk_strv_free(s->cap_drop);
	sv_kv_free(s->labels, s->n_labels);
	for (size_t i = 0; i < s->n_networks; i++) {
		free(s->networks[i].name);
		gk_strv_free(s->networks[i].aliases);
	}
	free(s->networks);
	free(s->network_mode);
	gk_strv_free(s->profiles);
	gk_strv_free(s->extra_hosts);
	gk_strv_free(s->expose);
	memset(s, 0, sizeof(*s));
}

/* ---- top level: networks and volumes ---- */

static int parse_resource(struct sv_model_ctx *ctx, const char *what, const struct sv_node *key,
			  const struct sv_node *n, char **name, int *external, char **driver,
			  struct sv_kv **labels, size_t *n_labels, struct gk_err *err)
{
	_cleanup_free_ char *path = gk_strdup_printf("%s.%s", what, key->str);
	if (n->kind == SV_NULL)
		return 0;
	if (n->kind != SV_MAP)
		return fail(err, n, path, "must be a mapping or null");
	for (size_t i = 0; i < n->n; i++) {
		const char *k = n->keys[i]->str;
		const struct sv_node *v = n->vals[i];
		_cleanup_free_ char *p = gk_strdup_printf("%s.%s", path, k);
		if (!strcmp(k, "name")) {
			if (set_string(err, v, p, name) < 0)
				return -1;
		} else if (!strcmp(k, "external")) {
			if (v->kind == SV_MAP) { /* legacy external: {name: x} */
				*external = 1;
				const struct sv_node *nn = sv_map_get(v, "name");
				if (nn && set_string(err, nn, p, name) < 0)
					return -1;
			} else if (want_bool(err, v, p, external) < 0) {
				return -1;
			}
		} else if (!strcmp(k, "driver")) {
			if (set_string(err, v, p, driver) < 0)
				return -1;
		} else if (!strcmp(k, "labels")) {
			if (parse_kv(ctx, v, p, 0, labels, n_labels, err) < 0)
				return -1;
		} else if (!strcmp(k, "driver_opts") || !strcmp(k, "ipam") ||
			   !strcmp(k, "internal") || !strcmp(k, "attachable") ||
			   !strcmp(k, "enable_ipv4") || !strcmp(k, "enable_ipv6")) {
			warn(ctx, n->keys[i], "%s: not supported by gocker-compose, ignored", p);
		} else if (strncmp(k, "x-", 2) != 0) {
			return fail(err, n->keys[i], path,
				    "additional property \"%s\" is not allowed", k);
		}
	}
	if (*driver && strcmp(*driver, "bridge") && strcmp(*driver, "local"))
		return fail(err, sv_map_get(n, "driver"), path, "driver \"%s\" is not supported",
			    *driver);
	return 0;
}

static int parse_networks(struct sv_model_ctx *ctx, const struct sv_node *n, struct sv_project *p,
			  struct gk_err *err)
{
	if (n->kind == SV_NULL)
		return 0;
	if (n->kind != SV_MAP)
		return fail(err, n, "networks", "must be a mapping");
	for (size_t i = 0; i < n->n; i++) {
		if (!strncmp(n->keys[i]->str, "x-", 2))
			continue;
		p->networks = realloc(p->networks, (p->n_networks + 1) * sizeof(*p->networks));
		if (!p->networks)
			abort();
		struct sv_network *net = &p->networks[p->n_networks++];
		memset(net, 0, sizeof(*net));
		net->key = gk_strdup(n->keys[i]->str);
		net->loc = n->keys[i]->loc;
		if (parse_resource(ctx, "networks", n->keys[i], n->vals[i], &net->name,
				   &net->external, &net->driver, &net->labels, &net->n_labels,
				   err) < 0)
			return -1;
	}
	return 0;
}

static int parse_top_volumes(struct sv_model_ctx *ctx, const struct sv_node *n,
			     struct sv_project *p, struct gk_err *err)
{
	if (n->kind == SV_NULL)
		return 0;
	if (n->kind != SV_MAP)
		return fail(err, n, "volumes", "must be a mapping");
	for (size_t i = 0; i < n->n; i++) {
		if (!strncmp(n->keys[i]->str, "x-", 2))
			continue;
		p->volumes = realloc(p->volumes, (p->n_volumes + 1) * sizeof(*p->volumes));
		if (!p->volumes)
			abort();
		struct sv_volume *vol = &p->volumes[p->n_volumes++];
		memset(vol, 0, sizeof(*vol));
		vol->key = gk_strdup(n->keys[i]->str);
		vol->loc = n->keys[i]->loc;
		if (parse_resource(ctx, "volumes", n->keys[i], n->vals[i], &vol->name,
				   &vol->external, &vol->driver, &vol->labels, &vol->n_labels,
				   err) < 0)
			return -1;
	}
	return 0;
}

static int valid_service_name(const char *s)
{
	if (!*s)
		return 0;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return 0;
	return isalnum((unsigned char)*s);
}

static int parse_services(struct sv_model_ctx *ctx, const struct sv_node *n, struct sv_project *p,
			  struct gk_err *err)
{
	if (n->kind == SV_NULL)
		return 0;
	if (n->kind != SV_MAP)
		return fail(err, n, "services", "must be a mapping");
	if (n->n > SV_MAX_ENTRIES)
		return fail(err, n, "services", "too many services (%zu, limit %d)", n->n,
			    SV_MAX_ENTRIES);
	for (size_t i = 0; i < n->n; i++) {
		const char *name = n->keys[i]->str;
		if (!strncmp(name, "x-", 2))
			continue;
		if (!valid_service_name(name))
			return fail(err, n->keys[i], "services",
				    "invalid service name \"%s\" (letters, digits, '.', '_' and "
				    "'-', starting with a letter or digit)",
				    name);
		p->services = realloc(p->services, (p->n_services + 1) * sizeof(*p->services));
		if (!p->services)
			abort();
		struct sv_service *s = &p->services[p->n_services];
		memset(s, 0, sizeof(*s));
		p->n_services++;
		if (parse_service(ctx, name, n->keys[i], n->vals[i], s, err) < 0)
			return -1;
	}
	return 0;
}

int sv_model_from_tree(struct sv_model_ctx *ctx, const struct sv_node *root, struct sv_project *p,
		       struct gk_err *err)
{
	static const char *const unsupported[] = {"configs", "include", "models", "secrets"};
	for (size_t i = 0; i < root->n; i++) {
		const char *k = root->keys[i]->str;
		const struct sv_node *v = root->vals[i];
		int r = 0, known = 0;
		if (!strcmp(k, "services")) {
			r = parse_services(ctx, v, p, err);
		} else if (!strcmp(k, "networks")) {
			r = parse_networks(ctx, v, p, err);
		} else if (!strcmp(k, "volumes")) {
			r = parse_top_volumes(ctx, v, p, err);
		} else if (!strcmp(k, "name")) {
			const char *name = NULL;
			if (v->kind == SV_NULL)
				continue;
			if (want_string(err, v, "name", &name) < 0)
				return -1;
			free(ctx->top_name);
			ctx->top_name = gk_strdup(name);
			ctx->top_name_loc = v->loc;
		} else if (!strcmp(k, "version")) {
			warn(ctx, root->keys[i],
			     "version: the attribute `version` is obsolete, it will be ignored");
		} else if (strncmp(k, "x-", 2) != 0) {
			for (size_t u = 0; u < sizeof(unsupported) / sizeof(unsupported[0]); u++)
				known |= !strcmp(k, unsupported[u]);
			if (known)
				warn(ctx, root->keys[i],
				     "%s: not supported by gocker-compose, ignored", k);
			else
				return fail(err, root->keys[i], "(root)",
					    "additional property \"%s\" is not allowed", k);
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Interpolation walks values only; keys are never interpolated. */
static int interp_node(struct sv_node *n, const struct sv_env *env, char ***warnings,
		       const char *path, struct gk_err *err)
{
	if (n->kind == SV_SCALAR) {
		if (!strchr(n->str, '$'))
			return 0;
		char *out;
		struct gk_err e;
		if (sv_interpolate(n->str, env, warnings, &out, &e) < 0)
			return sv_err_at(err, &n->loc, "%s: %s", path, e.msg);
		free(n->str);
		n->str = out;
		return 0;
	}
	for (size_t i = 0; i < n->n; i++) {
		_cleanup_free_ char *p =
		    n->kind == SV_MAP ? (*path ? gk_strdup_printf("%s.%s", path, n->keys[i]->str)
					       : gk_strdup(n->keys[i]->str))
				      : gk_strdup_printf("%s[%zu]", path, i);
		/* x-* extension blocks are not interpolated: they are ignored */
		if (n->kind == SV_MAP && !strncmp(n->keys[i]->str, "x-", 2))
			continue;
		if (interp_node(n->vals[i], env, warnings, p, err) < 0)
			return -1;
	}
	return 0;
}

int sv_interpolate_tree(struct sv_node *root, const struct sv_env *env, char ***warnings,
			struct gk_err *err)
{
	return interp_node(root, env, warnings, "", err);
}
