/* Registry authentication: challenges, credentials, tokens, and where
 * credentials may be sent. No network I/O here (registry.c does it). */
#include "runtime/auth.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"

/* ---- WWW-Authenticate ---- */

static int is_tchar(int c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Does `p` start an auth-param (token BWS "=" not followed by "=")?
 * Otherwise it starts a new challenge or a token68. */
static int is_param_start(const char *p)
{
	const char *q = p;
	while (is_tchar((unsigned char)*q))
		q++;
	if (q == p)
		return 0;
	q = skip_ws(q);
	return *q == '=' && q[1] != '=';
}

/* A token or a quoted-string; advances *pp. */
static char *parse_value(const char **pp)
{
	const char *p = *pp;
	if (*p == '"') {
		p++;
		size_t cap = strlen(p) + 1, n = 0;
		char *v = gk_malloc0(cap);
		while (*p && *p != '"') {
			if (*p == '\\' && p[1])
				p++;
			v[n++] = *p++;
		}
		if (*p != '"') {
			free(v);
			return NULL;
		}
		*pp = p + 1;
		return v;
	}
	const char *s = p;
	while (*p && *p != ',' && *p != ' ' && *p != '\t')
		p++;
	*pp = p;
	return strndup(s, (size_t)(p - s));
}

static void challenge_set(struct rt_auth_challenge *c, const char *name, size_t nlen, char *value)
{
	char **slot = NULL;
	if (nlen == 5 && strncasecmp(name, "realm", 5) == 0)
		slot = &c->realm;
	else if (nlen == 7 && strncasecmp(name, "service", 7) == 0)
		slot = &c->service;
	else if (nlen == 5 && strncasecmp(name, "scope", 5) == 0)
		slot = &c->scope;
	else if (nlen == 5 && strncasecmp(name, "error", 5) == 0)
		slot = &c->error;
	if (!slot) {
		free(value);
		return;
	}
	free(*slot);
	*slot = value;
}

int rt_auth_parse_challenges(const char *value, struct rt_auth_challenges *out)
{
	const char *p = value ? value : "";
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (!*p)
			return 0;
		const char *s = p;
		while (is_tchar((unsigned char)*p))
			p++;
		if (p == s)
			return -1;
		out->v = realloc(out->v, (out->n + 1) * sizeof(*out->v));
		if (!out->v)
			abort();
		struct rt_auth_challenge *c = &out->v[out->n++];
		memset(c, 0, sizeof(*c));
		c->scheme = strndup(s, (size_t)(p - s));
		for (char *q = c->scheme; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		/* Parameters until the next challenge. */
		for (;;) {
			p = skip_ws(p);
			if (*p == ',') {
				const char *n = p;
				while (*n == ',' || *n == ' ' || *n == '\t')
					n++;
				if (!is_param_start(n)) {
					p = n;
					break; /* a new challenge (or the end) */
				}
				p = n;
			}
			if (!*p)
				break;
			if (!is_param_start(p)) {
				/* token68 (e.g. "Negotiate abc=="): skip it */
				if (p == skip_ws(p) && *p && *p != ',') {
					while (*p && *p != ',')
						p++;
					continue;
				}
				break;
			}
			const char *name = p;
			while (is_tchar((unsigned char)*p))
				p++;
			size_t nlen = (size_t)(p - name);
			p = skip_ws(p);
			p = skip_ws(p + 1); /* '=' */
			char *v = parse_value(&p);
			if (!v)
				return -1;
			challenge_set(c, name, nlen, v);
		}
	}
}

void rt_auth_challenges_free(struct rt_auth_challenges *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].scheme);
		free(c->v[i].realm);
		free(c->v[i].service);
		free(c->v[i].scope);
		free(c->v[i].error);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

const struct rt_auth_challenge *rt_auth_pick(const struct rt_auth_challenges *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].scheme, "bearer") == 0 && c->v[i].realm)
			return &c->v[i];
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].scheme, "basic") == 0)
			return &c->v[i];
	return NULL;
}

/* ---- credentials ---- */

void rt_creds_free(struct rt_creds *c)
{
	if (!c)
		return;
	if (c->pass)
		explicit_bzero(c->pass, strlen(c->pass));
	free(c->user);
	free(c->pass);
	c->user = c->pass = NULL;
}

int rt_auth_decode(const char *b64, struct rt_creds *out, struct gk_err *err)
{
	memset(out, 0, sizeof(*out));
	size_t len = b64 ? strlen(b64) : 0;
	if (len == 0 || len % 4 != 0 || len > 65536)
		return gk_err_set(err, EINVAL, "auth value is not valid base64");
	_cleanup_free_ unsigned char *buf = gk_malloc0(len / 4 * 3 + 1);
	int n = EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)len);
	if (n < 0)
		return gk_err_set(err, EINVAL, "auth value is not valid base64");
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	for (size_t i = len; i > 0 && b64[i - 1] == '='; i--)
		n--;
	buf[n] = '\0';
	if (memchr(buf, '\0', (size_t)n))
		return gk_err_set(err, EINVAL, "auth value holds a NUL byte");
	char *colon = strchr((char *)buf, ':');
	if (!colon)
		return gk_err_set(err, EINVAL, "auth value is not \"user:password\"");
	out->user = strndup((char *)buf, (size_t)(colon - (char *)buf));
	out->pass = strdup(colon + 1);
	explicit_bzero(buf, (size_t)n);
	return 0;
}

char *rt_auth_basic_value(const struct rt_creds *c)
{
	_cleanup_free_ char *plain = gk_strdup_printf("%s:%s", c->user, c->pass);
	size_t len = strlen(plain);
	char *out = gk_malloc0(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, (unsigned char *)plain, (int)len);
	explicit_bzero(plain, len);
	return out;
}

/* "https://index.docker.io/v1/" -> "index.docker.io"; "host:5000" stays. */
static char *key_host(const char *key)
{
	const char *p = strstr(key, "://");
	p = p ? p + 3 : key;
	size_t n = strcspn(p, "/");
	char *h = strndup(p, n);
	for (char *q = h; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	return h;
}

static int is_docker_hub(const char *host)
{
	return strcmp(host, "docker.io") == 0 || strcmp(host, "index.docker.io") == 0 ||
	       strcmp(host, "registry-1.docker.io") == 0;
}

int rt_auth_creds_from_config(json_object *cfg, const char *domain, struct rt_creds *out,
			      struct gk_err *err)
{
	memset(out, 0, sizeof(*out));
	_cleanup_free_ char *want = key_host(domain);
	json_object *auths = gk_json_obj(cfg, "auths");
	if (!auths)
		return 0;
	json_object_object_foreach(auths, key, entry)
	{
		_cleanup_free_ char *host = key_host(key);
		int match = strcmp(host, want) == 0 || (is_docker_hub(want) && is_docker_hub(host));
		if (!match)
			continue;
		const char *a = gk_json_str(entry, "auth");
		if (a && *a) {
			if (rt_auth_decode(a, out, err) < 0)
				return gk_err_wrap(err, "config.json auths \"%s\"", key);
			return 1;
		}
		const char *u = gk_json_str(entry, "username");
		const char *pw = gk_json_str(entry, "password");
		if (u && pw) {
			out->user = gk_strdup(u);
			out->pass = gk_strdup(pw);
			return 1;
		}
	}
	return 0;
}

int rt_auth_load_creds(const char *domain, struct rt_creds *out, struct gk_err *err)
{
	memset(out, 0, sizeof(*out));
	const char *dir = getenv("DOCKER_CONFIG");
	_cleanup_free_ char *path = NULL;
	if (dir && *dir)
		path = gk_strdup_printf("%s/config.json", dir);
	else if (getenv("HOME"))
		path = gk_strdup_printf("%s/.docker/config.json", getenv("HOME"));
	if (!path || !gk_path_exists(path))
		return 0;
	_cleanup_json_ json_object *cfg = NULL;
	if (gk_json_read_file(path, 4 << 20, &cfg, err) < 0)
		return -1;
	int rc = rt_auth_creds_from_config(cfg, domain, out, err);
	if (rc < 0)
		gk_err_wrap(err, "%s", path);
	return rc;
}

/* ---- token responses ---- */

int rt_auth_parse_token(const char *body, size_t len, char **token, int64_t *expires_in,
			struct gk_err *err)
{
	_cleanup_json_ json_object *o = NULL;
	if (gk_json_parse(body, len, "token response", &o, err) < 0)
		return -1;
	const char *t = gk_json_str(o, "token");
	if (!t || !*t)
		t = gk_json_str(o, "access_token");
	if (!t || !*t)
		return gk_err_set(err, EINVAL, "token response holds no token");
	int64_t e = gk_json_int(o, "expires_in", 60);
	*expires_in = e < 60 ? 60 : e;
	*token = gk_strdup(t);
	return 0;
}

/* ---- where credentials may go ---- */

struct url_parts {
	char *scheme, *host, *port;
};

static int url_split(const char *url, struct url_parts *u)
{
	memset(u, 0, sizeof(*u));
	CURLU *h = curl_url();
	if (!h)
		return -1;
	int ok = curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
		 curl_url_get(h, CURLUPART_SCHEME, &u->scheme, 0) == CURLUE_OK &&
		 curl_url_get(h, CURLUPART_HOST, &u->host, 0) == CURLUE_OK &&
		 curl_url_get(h, CURLUPART_PORT, &u->port, CURLU_DEFAULT_PORT) == CURLUE_OK;
	curl_url_cleanup(h);
	if (!ok) {
		curl_free(u->scheme);
		curl_free(u->host);
		curl_free(u->port);
		memset(u, 0, sizeof(*u));
		return -1;
	}
	for (char *q = u->host; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	return 0;
}

static void url_parts_free(struct url_parts *u)
{
	curl_free(u->scheme);
	curl_free(u->host);
	curl_free(u->port);
}

int rt_auth_creds_allowed(const char *registry_url, const char *url, int insecure, int realm)
{
	struct url_parts r, t;
	if (url_split(registry_url, &r) < 0)
		return 0;
	if (url_split(url, &t) < 0) {
		url_parts_free(&r);
		return 0;
	}
	int allowed = 0;
	int t_https = strcasecmp(t.scheme, "https") == 0;
	int t_http = strcasecmp(t.scheme, "http") == 0;
	int r_https = strcasecmp(r.scheme, "https") == 0;
	int same_host = strcmp(r.host, t.host) == 0;
	if (realm) {
		/* Docker Hub's realm is auth.docker.io: another host, over https. A
		 * plain http realm only for an insecure registry on that same host. */
		allowed = t_https || (t_http && !r_https && insecure && same_host);
	} else {
		allowed =
		    same_host && strcmp(r.port, t.port) == 0 && (t_https || (t_http && insecure));
	}
	url_parts_free(&r);
	url_parts_free(&t);
	return allowed;
}

/* ---- token cache ---- */

struct token_entry {
	char *registry, *scope, *token;
	struct timespec expires;
};

struct rt_token_cache {
	struct token_entry *v;
	size_t n;
};

struct rt_token_cache *rt_token_cache_new(void)
{
	return gk_malloc0(sizeof(struct rt_token_cache));
}

static void entry_clear(struct token_entry *e)
{
	free(e->registry);
	free(e->scope);
	if (e->token)
		explicit_bzero(e->token, strlen(e->token));
	free(e->token);
}

void rt_token_cache_free(struct rt_token_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		entry_clear(&c->v[i]);
	free(c->v);
	free(c);
}

static struct token_entry *cache_find(struct rt_token_cache *c, const char *registry,
				      const char *scope)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].registry, registry) == 0 &&
		    strcmp(c->v[i].scope, scope ? scope : "") == 0)
			return &c->v[i];
	return NULL;
}

const char *rt_token_cache_get(struct rt_token_cache *c, const char *registry, const char *scope)
{
	struct token_entry *e = cache_find(c, registry, scope);
	if (!e)
		return NULL;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec >= e->expires.tv_sec)
		return NULL;
	return e->token;
}

void rt_token_cache_put(struct rt_token_cache *c, const char *registry, const char *scope,
			const char *token, int64_t expires_in)
{
	struct token_entry *e = cache_find(c, registry, scope);
	if (e) {
		entry_clear(e);
	} else {
		c->v = realloc(c->v, (c->n + 1) * sizeof(*c->v));
		if (!c->v)
			abort();
		e = &c->v[c->n++];
	}
	memset(e, 0, sizeof(*e));
	e->registry = gk_strdup(registry);
	e->scope = gk_strdup(scope ? scope : "");
	e->token = gk_strdup(token);
	clock_gettime(CLOCK_MONOTONIC, &e->expires);
	/* A little early, so a token never expires in flight. */
	e->expires.tv_sec += expires_in > 10 ? expires_in - 5 : expires_in;
}

void rt_token_cache_drop(struct rt_token_cache *c, const char *registry, const char *scope)
{
	struct token_entry *e = cache_find(c, registry, scope);
	if (!e)
		return;
	entry_clear(e);
	*e = c->v[--c->n];
}
