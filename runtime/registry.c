/* gocker pull: the registry v2 / OCI distribution client over libcurl.
 *
 * Every request goes through one transfer engine (curl multi): a transfer
 * follows redirects itself (at most 10, Authorization only to the registry's
 * own host, http only for insecure registries), answers 401 challenges
 * (Bearer before Basic, one retry on invalid_token), retries transient
 * failures with capped backoff and resumes blobs with Range. Manifests are
 * read into memory (4 MiB cap) and checked against the digest asked for;
 * blobs are streamed into a temp file in the store while hashed. A worker
 * thread moves finished blobs into the store and unpacks each layer as soon
 * as it and its parents are there, while the next ones download. */
#include "runtime/registry.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "runtime/auth.h"
#include "runtime/layer.h"
#include "runtime/reference.h"

#define MANIFEST_MAX	 (4u << 20)
#define CONFIG_MAX	 (16u << 20)
#define TOKEN_MAX	 (1u << 20)
#define ERROR_BODY_MAX	 (64u << 10)
#define MAX_REDIRECTS	 10
#define MAX_ATTEMPTS	 6
#define MAX_INDEX_DEPTH	 3
#define BACKOFF_MAX_MS	 8000
#define RETRY_AFTER_MAX	 60
#define DEFAULT_PARALLEL 3

#define MT_OCI_INDEX	 "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST	 "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_LIST	 "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_V2	 "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_V1	 "application/vnd.docker.distribution.manifest.v1+json"
#define MT_DOCKER_V1_JWS "application/vnd.docker.distribution.manifest.v1+prettyjws"

const char *const rt_manifest_accept =
    MT_OCI_INDEX ", " MT_OCI_MANIFEST ", " MT_DOCKER_LIST ", " MT_DOCKER_V2;

/* ================================================================ config */

void rt_reg_config_free(struct rt_reg_config *c)
{
	gk_strv_free(c->mirrors);
	gk_strv_free(c->insecure);
	c->mirrors = c->insecure = NULL;
}

int rt_reg_config_from_json(json_object *o, struct rt_reg_config *out, struct gk_err *err)
{
	memset(out, 0, sizeof(*out));
	json_object *m = NULL, *i = NULL;
	if (json_object_object_get_ex(o, "registry-mirrors", &m) &&
	    !json_object_is_type(m, json_type_array))
		return gk_err_set(err, EINVAL, "\"registry-mirrors\" must be an array of URLs");
	if (json_object_object_get_ex(o, "insecure-registries", &i) &&
	    !json_object_is_type(i, json_type_array))
		return gk_err_set(err, EINVAL, "\"insecure-registries\" must be an array");
	out->mirrors = gk_json_strv(m);
	out->insecure = gk_json_strv(i);
	for (size_t k = 0; out->mirrors[k]; k++) {
		char *u = out->mirrors[k];
		if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) {
			gk_err_set(err, EINVAL, "registry mirror \"%s\" must be an http(s) URL", u);
			rt_reg_config_free(out);
			return -1;
		}
		size_t n = strlen(u);
		while (n > 0 && u[n - 1] == '/')
			u[--n] = '\0';
	}
	return 0;
}

int rt_reg_config_load(const char *path, struct rt_reg_config *out, struct gk_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!path)
		path = getenv("GOCKER_CONFIG");
	if (!path || !*path)
		path = "/etc/gocker/config.json";
	if (!gk_path_exists(path)) {
		out->mirrors = gk_malloc0(sizeof(char *));
		out->insecure = gk_malloc0(sizeof(char *));
		return 0;
	}
	_cleanup_json_ json_object *o = NULL;
	if (gk_json_read_file(path, 1 << 20, &o, err) < 0)
		return -1;
	if (rt_reg_config_from_json(o, out, err) < 0)
		return gk_err_wrap(err, "%s", path);
	return 0;
}

/* "127.0.0.1:5000" -> "127.0.0.1"; "[::1]:5000" -> "::1". */
static char *domain_hostname(const char *domain)
{
	if (domain[0] == '[') {
		const char *e = strchr(domain, ']');
		return e ? strndup(domain + 1, (size_t)(e - domain - 1)) : gk_strdup(domain);
	}
	const char *c = strrchr(domain, ':');
	return c ? strndup(domain, (size_t)(c - domain)) : gk_strdup(domain);
}

int rt_reg_config_is_insecure(const struct rt_reg_config *c, const char *domain)
{
	for (size_t i = 0; c && c->insecure && c->insecure[i]; i++) {
		const char *e = c->insecure[i];
		if (strncmp(e, "http://", 7) == 0)
			e += 7;
		if (strcasecmp(e, domain) == 0)
			return 1;
	}
	/* Docker marks loopback registries insecure by default. */
	_cleanup_free_ char *host = domain_hostname(domain);
	if (strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0)
		return 1;
	struct in_addr a;
	if (inet_pton(AF_INET, host, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127)
		return 1;
	return 0;
}

/* ============================================================== platform */

static void set_str(char *dst, size_t len, const char *src)
{
	size_t n = src ? strnlen(src, len - 1) : 0;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

static void platform_normalise(struct rt_platform *p)
{
	for (char *q = p->os; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	for (char *q = p->arch; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	static const struct {
		const char *from, *arch, *variant;
	} aliases[] = {
	    {"x86_64", "amd64", ""}, {"x86-64", "amd64", ""}, {"aarch64", "arm64", ""},
	    {"armhf", "arm", "v7"},  {"armel", "arm", "v6"},  {"i386", "386", ""},
	    {"i686", "386", ""},     {"armv7l", "arm", "v7"}, {"armv6l", "arm", "v6"},
	};
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (strcmp(p->arch, aliases[i].from) == 0) {
			set_str(p->arch, sizeof(p->arch), aliases[i].arch);
			if (!p->variant[0])
				set_str(p->variant, sizeof(p->variant), aliases[i].variant);
		}
	}
	if (strcmp(p->arch, "arm64") == 0 && strcmp(p->variant, "v8") == 0)
		p->variant[0] = '\0'; /* arm64 means v8 */
}

void rt_platform_host(struct rt_platform *out)
{
	memset(out, 0, sizeof(*out));
	struct utsname u;
	set_str(out->os, sizeof(out->os), "linux");
	if (uname(&u) == 0)
		set_str(out->arch, sizeof(out->arch), u.machine);
	else
		set_str(out->arch, sizeof(out->arch), "amd64");
	platform_normalise(out);
}

int rt_platform_parse(const char *s, struct rt_platform *out, struct gk_err *err)
{
	memset(out, 0, sizeof(*out));
	const char *a = strchr(s, '/');
	if (!a || a == s || !a[1])
		return gk_err_set(err, EINVAL,
				  "invalid platform \"%s\": expected os/arch[/variant]", s);
	const char *v = strchr(a + 1, '/');
	if ((size_t)(a - s) >= sizeof(out->os) ||
	    (size_t)((v ? v : a + strlen(a)) - a - 1) >= sizeof(out->arch) ||
	    (v && (strlen(v + 1) >= sizeof(out->variant) || !v[1] || strchr(v + 1, '/'))))
		return gk_err_set(err, EINVAL,
				  "invalid platform \"%s\": expected os/arch[/variant]", s);
	snprintf(out->os, sizeof(out->os), "%.*s", (int)(a - s), s);
	if (v) {
		snprintf(out->arch, sizeof(out->arch), "%.*s", (int)(v - a - 1), a + 1);
		set_str(out->variant, sizeof(out->variant), v + 1);
	} else {
		set_str(out->arch, sizeof(out->arch), a + 1);
	}
	platform_normalise(out);
	return 0;
}

void rt_platform_format(const struct rt_platform *p, char *buf, size_t len)
{
	if (p->variant[0])
		snprintf(buf, len, "%s/%s/%s", p->os, p->arch, p->variant);
	else
		snprintf(buf, len, "%s/%s", p->os, p->arch);
}

static int is_attestation(json_object *desc)
{
	const char *t = gk_json_str(gk_json_obj(desc, "annotations"), "vnd.docker.reference.type");
	return t && strcmp(t, "attestation-manifest") == 0;
}

int rt_platform_match(const struct rt_platform *want, json_object *desc)
{
	json_object *p = gk_json_obj(desc, "platform");
	if (!p || is_attestation(desc))
		return 0;
	struct rt_platform have;
	memset(&have, 0, sizeof(have));
	set_str(have.os, sizeof(have.os), gk_json_str(p, "os"));
	set_str(have.arch, sizeof(have.arch), gk_json_str(p, "architecture"));
	set_str(have.variant, sizeof(have.variant), gk_json_str(p, "variant"));
	if (strcmp(have.os, "unknown") == 0 || strcmp(have.arch, "unknown") == 0)
		return 0;
	platform_normalise(&have);
	if (strcmp(have.os, want->os) != 0 || strcmp(have.arch, want->arch) != 0)
		return 0;
	/* No variant asked for: any variant of the architecture will do. */
	return !want->variant[0] || strcmp(have.variant, want->variant) == 0;
}

/* ============================================================= manifests */

static int is_manifest_type(const char *t)
{
	return strcmp(t, MT_OCI_INDEX) == 0 || strcmp(t, MT_OCI_MANIFEST) == 0 ||
	       strcmp(t, MT_DOCKER_LIST) == 0 || strcmp(t, MT_DOCKER_V2) == 0;
}

static int is_index_type(const char *t)
{
	return strcmp(t, MT_OCI_INDEX) == 0 || strcmp(t, MT_DOCKER_LIST) == 0;
}

int rt_manifest_classify(const char *content_type, json_object *doc, enum rt_manifest_kind *kind,
			 struct gk_err *err)
{
	char ct[128] = "";
	if (content_type) {
		size_t n = strcspn(content_type, ";");
		while (n > 0 && (content_type[n - 1] == ' ' || content_type[n - 1] == '\t'))
			n--;
		snprintf(ct, sizeof(ct), "%.*s", (int)n, content_type);
		for (char *q = ct; *q; q++)
			*q = (char)tolower((unsigned char)*q);
	}
	const char *mt = gk_json_str(doc, "mediaType");
	int64_t schema = gk_json_int(doc, "schemaVersion", 2);
	if (strcmp(ct, MT_DOCKER_V1) == 0 || strcmp(ct, MT_DOCKER_V1_JWS) == 0 || schema == 1 ||
	    (mt && (strcmp(mt, MT_DOCKER_V1) == 0 || strcmp(mt, MT_DOCKER_V1_JWS) == 0)))
		return gk_err_set(err, EINVAL,
				  "the registry returned a schema1 manifest, which gocker does not "
				  "support (deprecated since 2017): push the image again with a "
				  "current client");
	if (!json_object_is_type(doc, json_type_object))
		return gk_err_set(err, EINVAL, "manifest is not a JSON object");
	if (schema != 2)
		return gk_err_set(err, EINVAL, "unsupported manifest schemaVersion %lld",
				  (long long)schema);
	int known_ct = ct[0] && is_manifest_type(ct);
	/* A registry may say application/json for an OCI document; anything
	 * else that is not a manifest type (text/plain, ...) is refused. */
	if (ct[0] && !known_ct && strcmp(ct, "application/json") != 0 &&
	    strcmp(ct, "application/octet-stream") != 0)
		return gk_err_set(err, EINVAL, "unexpected manifest Content-Type \"%s\"", ct);
	if (mt && !is_manifest_type(mt))
		return gk_err_set(err, EINVAL, "unsupported manifest mediaType \"%s\"", mt);
	if (mt && known_ct && strcmp(mt, ct) != 0)
		return gk_err_set(
		    err, EINVAL, "manifest mediaType \"%s\" does not match its Content-Type \"%s\"",
		    mt, ct);
	json_object *manifests = NULL, *layers = NULL, *config = NULL;
	json_object_object_get_ex(doc, "manifests", &manifests);
	json_object_object_get_ex(doc, "layers", &layers);
	json_object_object_get_ex(doc, "config", &config);
	if (manifests && (layers || config))
		return gk_err_set(err, EINVAL,
				  "ambiguous manifest: it has both \"manifests\" and "
				  "\"layers\"/\"config\"");
	const char *type = mt ? mt : known_ct ? ct : NULL;
	int index = type ? is_index_type(type) : manifests != NULL;
	if (index) {
		if (!json_object_is_type(manifests, json_type_array))
			return gk_err_set(err, EINVAL, "manifest list has no \"manifests\" array");
		*kind = RT_MANIFEST_INDEX;
		return 0;
	}
	if (!json_object_is_type(layers, json_type_array) ||
	    !json_object_is_type(config, json_type_object))
		return gk_err_set(err, EINVAL, "image manifest lacks \"config\" or \"layers\"");
	*kind = RT_MANIFEST_IMAGE;
	return 0;
}

int rt_index_select(json_object *index, const struct rt_platform *want, json_object **desc,
		    struct gk_err *err)
{
	json_object *m = gk_json_array(index, "manifests");
	for (size_t i = 0; m && i < json_object_array_length(m); i++) {
		json_object *d = json_object_array_get_idx(m, i);
		if (rt_platform_match(want, d)) {
			*desc = d;
			return 0;
		}
	}
	char p[96];
	rt_platform_format(want, p, sizeof(p));
	gk_err_set(err, 0, "no matching manifest for %s in the manifest list entries", p);
	err->errnum = ENOENT;
	return -1;
}

/* ================================================================== HTTP */

/* Every libcurl socket is close-on-exec (CVE-2024-21626: no fd may leak into
 * a container); libcurl 7.88 does not ask for SOCK_CLOEXEC itself. */
static curl_socket_t open_socket_cloexec(void *clientp, curlsocktype purpose,
					 struct curl_sockaddr *a)
{
	(void)clientp;
	(void)purpose;
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* Open fds as a bitmap of the first 1024 (what curl_multi_init adds is low). */
static void open_fds(unsigned char map[128])
{
	memset(map, 0, 128);
	_cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		int fd = atoi(e->d_name);
		if (fd > 2 && fd < 1024 && fd != dirfd(d))
			map[fd / 8] |= (unsigned char)(1u << (fd % 8));
	}
}

/* curl_multi_init makes a wakeup socketpair without SOCK_CLOEXEC (libcurl
 * 7.88): mark whatever it opened close-on-exec, so no fd leaks into a
 * container started after a pull. */
static CURLM *multi_new(void)
{
	unsigned char before[128], after[128];
	open_fds(before);
	CURLM *m = curl_multi_init();
	open_fds(after);
	for (int fd = 3; fd < 1024; fd++)
		if ((after[fd / 8] & ~before[fd / 8]) & (1u << (fd % 8))) {
			int fl = fcntl(fd, F_GETFD);
			if (fl >= 0)
				fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
		}
	return m;
}

struct reg {
	char *base;   /* "https://registry-1.docker.io" */
	char *domain; /* the reference's domain, for credentials */
	char *repo;   /* "library/busybox" */
	char *scope;  /* "repository:library/busybox:pull" */
	int insecure;
	int have_creds;
	struct rt_creds creds;
	struct rt_token_cache *tokens;
	char *authz;	 /* "Bearer ..." / "Basic ..." or NULL */
	int engine_busy; /* r->multi is running transfers */
	int authz_is_creds;
	CURLM *multi;
};

struct xfer;
typedef void (*xfer_progress_fn)(struct xfer *x);

struct xfer {
	struct reg *r;
	int head;
	char *url; /* current target (after redirects) */
	const char *accept;
	int anonymous;	   /* never send Authorization (token realm without credentials) */
	char *extra_authz; /* for token requests: "Basic ..." */
	/* sink: memory, or a file with running hash and a size it must match */
	int to_file;
	int fd;
	int64_t expect; /* expected size, -1 unknown */
	size_t max_mem;
	char *body;
	size_t len;
	struct gk_sha256 hash;
	int hashing;
	int64_t have; /* bytes in the file (and in the hash) */
	/* the current response */
	long status;
	int body_ok, checked;
	char *content_type, *digest_hdr, *retry_after, *content_range;
	struct rt_auth_challenges chal;
	/* state */
	CURL *easy;
	struct curl_slist *hdrs;
	int hops, attempts, auth_tries;
	int active, done, failed, fatal;
	struct gk_err err;
	struct timespec retry_at;
	xfer_progress_fn progress;
	void *user;
	CURLM *multi;	  /* the engine running it */
	char *sent_authz; /* the registry Authorization of this attempt */
};

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void resp_reset(struct xfer *x)
{
	x->status = 0;
	x->body_ok = x->checked = 0;
	free(x->content_type);
	free(x->digest_hdr);
	free(x->retry_after);
	free(x->content_range);
	x->content_type = x->digest_hdr = x->retry_after = x->content_range = NULL;
	rt_auth_challenges_free(&x->chal);
	free(x->body); /* the document, or an error body of a blob request */
	x->body = NULL;
	x->len = 0;
}

static void xfer_free(struct xfer *x)
{
	resp_reset(x);
	free(x->url);
	free(x->extra_authz);
	free(x->sent_authz);
	if (x->hashing)
		gk_sha256_free(&x->hash);
	if (x->easy)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->hdrs);
	if (x->fd >= 0)
		close(x->fd);
	free(x->body);
	memset(x, 0, sizeof(*x));
	x->fd = -1;
}

static char *header_value(const char *line, size_t n, const char *name)
{
	size_t nl = strlen(name);
	if (n <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return NULL;
	const char *v = line + nl + 1;
	const char *e = line + n;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return strndup(v, (size_t)(e - v));
}

static size_t on_header(char *buf, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	if (n >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		/* A new response (after an interim 1xx): forget the last one's headers. */
		resp_reset(x);
		return n;
	}
	char *v;
	if ((v = header_value(buf, n, "Content-Type"))) {
		free(x->content_type);
		x->content_type = v;
	} else if ((v = header_value(buf, n, "Docker-Content-Digest"))) {
		free(x->digest_hdr);
		x->digest_hdr = v;
	} else if ((v = header_value(buf, n, "Retry-After"))) {
		free(x->retry_after);
		x->retry_after = v;
	} else if ((v = header_value(buf, n, "Content-Range"))) {
		free(x->content_range);
		x->content_range = v;
	} else if ((v = header_value(buf, n, "WWW-Authenticate"))) {
		rt_auth_parse_challenges(v, &x->chal);
		free(v);
	}
	return n;
}

static int fatal(struct xfer *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fatal(struct xfer *x, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->err.msg, sizeof(x->err.msg), fmt, ap);
	va_end(ap);
	x->err.errnum = EPROTO;
	x->fatal = 1;
	return 0;
}

static int restart_file(struct xfer *x)
{
	if (ftruncate(x->fd, 0) < 0 || lseek(x->fd, 0, SEEK_SET) < 0)
		return -1;
	if (x->hashing)
		gk_sha256_free(&x->hash);
	gk_sha256_init(&x->hash);
	x->hashing = 1;
	x->have = 0;
	return 0;
}

/* "bytes START-END/TOTAL" must continue exactly where the file ends. */
static int check_content_range(struct xfer *x)
{
	long long s, e;
	char total[32] = "";
	if (!x->content_range ||
	    sscanf(x->content_range, "bytes %lld-%lld/%31s", &s, &e, total) != 3)
		return fatal(x, "206 response without a valid Content-Range (\"%s\")",
			     x->content_range ? x->content_range : "");
	if (s != x->have || e < s || (x->expect >= 0 && e >= x->expect) ||
	    (strcmp(total, "*") != 0 && x->expect >= 0 && atoll(total) != x->expect))
		return fatal(x,
			     "Content-Range \"%s\" does not match the request (bytes=%lld-, "
			     "size %lld)",
			     x->content_range, (long long)x->have, (long long)x->expect);
	return 1;
}

static size_t on_body(char *buf, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	if (!x->checked) {
		x->checked = 1;
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
		x->body_ok = x->status == 200 || x->status == 206;
		if (x->body_ok && x->to_file) {
			if (x->status == 200 && x->have > 0 && restart_file(x) < 0)
				return fatal(x, "rewind temp file: %s", strerror(errno));
			if (x->status == 206 && check_content_range(x) == 0)
				return 0;
		}
	}
	if (!x->body_ok) {
		/* An error document: keep its start for the message. */
		size_t keep = x->len < ERROR_BODY_MAX ? ERROR_BODY_MAX - x->len : 0;
		keep = keep < n ? keep : n;
		if (keep) {
			x->body = realloc(x->body, x->len + keep + 1);
			if (!x->body)
				abort();
			memcpy(x->body + x->len, buf, keep);
			x->len += keep;
			x->body[x->len] = '\0';
		}
		return n;
	}
	if (x->to_file) {
		if (x->expect >= 0 && x->have + (int64_t)n > x->expect)
			return fatal(x, "blob is longer than the %lld bytes its descriptor names",
				     (long long)x->expect);
		for (size_t off = 0; off < n;) {
			ssize_t w = write(x->fd, buf + off, n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return fatal(x, "write temp file: %s", strerror(errno));
			off += (size_t)w;
		}
		gk_sha256_update(&x->hash, buf, n);
		x->have += (int64_t)n;
		if (x->progress)
			x->progress(x);
		return n;
	}
	if (x->len + n > x->max_mem)
		return fatal(x, "response is larger than %zu bytes", x->max_mem);
	x->body = realloc(x->body, x->len + n + 1);
	if (!x->body)
		abort();
	memcpy(x->body + x->len, buf, n);
	x->len += n;
	x->body[x->len] = '\0';
	return n;
}

static int xfer_setup(struct xfer *x)
{
	if (!x->easy) {
		x->easy = curl_easy_init();
		if (!x->easy)
			return -1;
	} else {
		curl_easy_reset(x->easy);
	}
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	resp_reset(x);
	free(x->sent_authz);
	x->sent_authz = NULL;
	CURL *e = x->easy;
	curl_easy_setopt(e, CURLOPT_URL, x->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket_cloexec);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "gocker/" GK_VERSION);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A stalled transfer (under 1 byte/s for 60 s) is a transient failure. */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, NULL);
	if (x->head)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	if (x->accept) {
		char *h = gk_strdup_printf("Accept: %s", x->accept);
		x->hdrs = curl_slist_append(x->hdrs, h);
		free(h);
	}
	if (x->extra_authz) {
		char *h = gk_strdup_printf("Authorization: %s", x->extra_authz);
		x->hdrs = curl_slist_append(x->hdrs, h);
		free(h);
	} else if (!x->anonymous && x->r->authz &&
		   rt_auth_creds_allowed(x->r->base, x->url, x->r->insecure, 0)) {
		x->sent_authz = gk_strdup(x->r->authz);
		char *h = gk_strdup_printf("Authorization: %s", x->r->authz);
		x->hdrs = curl_slist_append(x->hdrs, h);
		free(h);
	}
	if (x->to_file && x->have > 0) {
		char *h = gk_strdup_printf("Range: bytes=%lld-", (long long)x->have);
		x->hdrs = curl_slist_append(x->hdrs, h);
		free(h);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
	return 0;
}

static int xfer_start(struct xfer *x)
{
	if (xfer_setup(x) < 0 || curl_multi_add_handle(x->multi, x->easy) != CURLM_OK) {
		x->failed = x->done = 1;
		return gk_err_set(&x->err, ENOMEM, "start request %s", x->url);
	}
	x->active = 1;
	return 0;
}

/* "unauthorized: authentication required" from a registry's error document. */
static char *error_text(struct xfer *x)
{
	_cleanup_json_ json_object *o = NULL;
	struct gk_err ignored;
	if (x->body && x->len && gk_json_parse(x->body, x->len, "error", &o, &ignored) == 0) {
		json_object *errs = gk_json_array(o, "errors");
		json_object *e0 = errs && json_object_array_length(errs) > 0
				      ? json_object_array_get_idx(errs, 0)
				      : NULL;
		const char *code = gk_json_str(e0, "code");
		const char *msg = gk_json_str(e0, "message");
		if (code) {
			char *c = gk_strdup(code);
			for (char *q = c; *q; q++)
				*q = *q == '_' ? ' ' : (char)tolower((unsigned char)*q);
			char *s = gk_strdup_printf("%s: %s", c, msg ? msg : c);
			free(c);
			return s;
		}
		const char *d = gk_json_str(o, "details");
		if (!d)
			d = gk_json_str(o, "error");
		if (d)
			return gk_strdup(d);
	}
	switch (x->status) {
	case 401:
		return gk_strdup("unauthorized: authentication required");
	case 403:
		return gk_strdup("denied: requested access to the resource is denied");
	case 404:
		return gk_strdup("not found");
	default:
		return gk_strdup_printf("HTTP status %ld", x->status);
	}
}

static int is_transient_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static int is_transient_status(long s)
{
	return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

static void schedule_retry(struct xfer *x, const char *why)
{
	x->attempts++;
	if (x->attempts >= MAX_ATTEMPTS) {
		x->failed = x->done = 1;
		gk_err_set(&x->err, EIO, "%s (gave up after %d attempts)", why, x->attempts);
		return;
	}
	long ms = 500L << (x->attempts - 1);
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	if (x->retry_after) {
		char *end;
		long s = strtol(x->retry_after, &end, 10);
		if (end != x->retry_after && *end == '\0' && s >= 0)
			ms = (s > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : s) * 1000L;
	}
	gk_debug("retry %s in %ld ms: %s", x->url, ms, why);
	clock_gettime(CLOCK_MONOTONIC, &x->retry_at);
	x->retry_at.tv_sec += ms / 1000;
	x->retry_at.tv_nsec += (ms % 1000) * 1000000L;
	if (x->retry_at.tv_nsec >= 1000000000L) {
		x->retry_at.tv_sec++;
		x->retry_at.tv_nsec -= 1000000000L;
	}
	snprintf(x->err.msg, sizeof(x->err.msg), "%s", why);
	if (x->to_file) {
		/* Keep the bytes we have (resume with Range), hash them anew. */
		int64_t keep = x->have;
		if (x->hashing)
			gk_sha256_free(&x->hash);
		gk_sha256_init(&x->hash);
		x->hashing = 1;
		x->have = 0;
		if (lseek(x->fd, 0, SEEK_SET) < 0) {
			restart_file(x);
			return;
		}
		static __thread char buf[1 << 16];
		while (x->have < keep) {
			size_t want = (size_t)(keep - x->have) < sizeof(buf)
					  ? (size_t)(keep - x->have)
					  : sizeof(buf);
			ssize_t n = read(x->fd, buf, want);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			gk_sha256_update(&x->hash, buf, (size_t)n);
			x->have += n;
		}
		if (x->have != keep || ftruncate(x->fd, x->have) < 0 ||
		    lseek(x->fd, x->have, SEEK_SET) < 0)
			restart_file(x); /* start over from byte 0 */
	}
}

static int authenticate(struct reg *r, const struct rt_auth_challenges *chal, int invalid,
			struct gk_err *err);

/* A finished (or failed) attempt: decide what comes next. */
static void xfer_complete(struct xfer *x, CURLcode rc)
{
	x->active = 0;
	curl_multi_remove_handle(x->multi, x->easy);
	if (x->fatal) {
		x->failed = x->done = 1;
		return;
	}
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	if (rc != CURLE_OK) {
		char why[512];
		snprintf(why, sizeof(why), "%s %s: %s", x->head ? "HEAD" : "GET", x->url,
			 curl_easy_strerror(rc));
		if (is_transient_curl(rc)) {
			schedule_retry(x, why);
		} else {
			x->failed = x->done = 1;
			gk_err_set(&x->err, EIO, "%s", why);
		}
		return;
	}
	long s = x->status;
	if (s >= 300 && s < 400 && s != 304) {
		char *loc = NULL;
		curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &loc);
		if (!loc) {
			x->failed = x->done = 1;
			gk_err_set(&x->err, EPROTO, "%s: HTTP %ld without a Location", x->url, s);
			return;
		}
		if (++x->hops > MAX_REDIRECTS) {
			x->failed = x->done = 1;
			gk_err_set(&x->err, ELOOP, "%s: more than %d redirects", x->url,
				   MAX_REDIRECTS);
			return;
		}
		/* A token request carries the Basic credentials on every attempt:
		 * a realm must answer itself, its redirect target never sees them. */
		if (x->extra_authz) {
			x->failed = x->done = 1;
			gk_err_set(
			    &x->err, EPERM,
			    "token realm redirected to \"%s\" (not followed with credentials)",
			    loc);
			return;
		}
		int https = strncasecmp(loc, "https://", 8) == 0;
		int http = strncasecmp(loc, "http://", 7) == 0;
		if (!https && !(http && x->r->insecure)) {
			x->failed = x->done = 1;
			gk_err_set(&x->err, EPERM,
				   "%s: refusing redirect to \"%s\" (only https%s is allowed)",
				   x->url, loc, x->r->insecure ? " and http" : "");
			return;
		}
		free(x->url);
		x->url = gk_strdup(loc);
		xfer_start(x);
		return;
	}
	/* Only the registry itself may ask for credentials: a redirect target
	 * (a blob CDN) answering 401 would get them sent to a realm it names. */
	if (s == 401 && !x->anonymous && !x->extra_authz &&
	    !rt_auth_creds_allowed(x->r->base, x->url, x->r->insecure, 0)) {
		x->failed = x->done = 1;
		gk_err_set(&x->err, 0,
			   "unauthorized: %s asks for authentication, but credentials go only to "
			   "the registry %s",
			   x->url, x->r->base);
		x->err.errnum = 401;
		return;
	}
	if (s == 401 && !x->anonymous && !x->extra_authz && x->auth_tries < 2) {
		const struct rt_auth_challenge *c = rt_auth_pick(&x->chal);
		int invalid = c && c->error && strcmp(c->error, "invalid_token") == 0;
		int renewed = x->sent_authz && x->r->authz && strcmp(x->sent_authz, x->r->authz);
		/* The first 401 asks for credentials; a second one only when the
		 * token we sent was found invalid (expired or revoked), or another
		 * transfer has renewed it meanwhile. */
		if (x->auth_tries == 0 || invalid || renewed) {
			x->auth_tries++;
			if (renewed) {
				xfer_start(x); /* with the token another transfer got */
				return;
			}
			/* The token we sent was refused: never reuse it from the cache. */
			invalid =
			    invalid || (x->sent_authz && strncmp(x->sent_authz, "Bearer ", 7) == 0);
			struct gk_err aerr;
			if (authenticate(x->r, &x->chal, invalid, &aerr) < 0) {
				x->failed = x->done = 1;
				x->err = aerr;
				if (aerr.errnum == EACCES)
					x->err.errnum = 401; /* reported as the 401 it is */
				return;
			}
			xfer_start(x);
			return;
		}
	}
	if (is_transient_status(s)) {
		char why[512];
		_cleanup_free_ char *t = error_text(x);
		snprintf(why, sizeof(why), "%s %s: HTTP %ld: %s", x->head ? "HEAD" : "GET", x->url,
			 s, t);
		schedule_retry(x, why);
		return;
	}
	if (s != 200 && s != 206) {
		x->failed = x->done = 1;
		_cleanup_free_ char *t = error_text(x);
		gk_err_set(&x->err, 0, "%s", t);
		x->err.errnum = (int)s; /* the caller maps the status */
		return;
	}
	if (x->to_file && !x->checked) {
		/* An empty body. */
		if (x->status == 206 && check_content_range(x) == 0) {
			x->failed = x->done = 1;
			return;
		}
	}
	x->done = 1;
}

static void xfer_init(struct xfer *x, struct reg *r, const char *url)
{
	memset(x, 0, sizeof(*x));
	x->fd = -1;
	x->r = r;
	x->url = gk_strdup(url);
	x->expect = -1;
	x->max_mem = MANIFEST_MAX;
}

static int ready_to_start(const struct xfer *x, double now)
{
	double at = (double)x->retry_at.tv_sec + (double)x->retry_at.tv_nsec / 1e9;
	return at <= now;
}

/* Run transfers until all are done; `max_active` at a time; `abort_flag`
 * (may be NULL) stops early; `on_done` is called for each finished one. */
static void engine_run(CURLM *multi, struct xfer **xs, size_t n, int max_active,
		       atomic_int *abort_flag, void (*on_done)(struct xfer *x, void *ctx),
		       void *ctx)
{
	for (size_t i = 0; i < n; i++)
		xs[i]->multi = multi;
	for (;;) {
		double now = mono_now();
		int active = 0, pending = 0;
		double next_retry = 0;
		for (size_t i = 0; i < n; i++)
			active += xs[i]->active;
		for (size_t i = 0; i < n; i++) {
			struct xfer *x = xs[i];
			if (x->done || x->active)
				continue;
			pending++;
			if (active < max_active && ready_to_start(x, now)) {
				if (xfer_start(x) == 0)
					active++;
				else if (on_done)
					on_done(x, ctx);
			} else {
				double at =
				    (double)x->retry_at.tv_sec + (double)x->retry_at.tv_nsec / 1e9;
				if (!next_retry || at < next_retry)
					next_retry = at;
			}
		}
		if (!active && !pending)
			return;
		if (abort_flag && atomic_load(abort_flag))
			return;
		int running = 0, finished = 0;
		curl_multi_perform(multi, &running);
		CURLMsg *m;
		int q;
		while ((m = curl_multi_info_read(multi, &q))) {
			finished++;
			if (m->msg != CURLMSG_DONE)
				continue;
			struct xfer *x = NULL;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			CURLcode rc = m->data.result;
			xfer_complete(x, rc);
			if (x->done && on_done)
				on_done(x, ctx);
		}
		int timeout = 200;
		if (next_retry) {
			int until = (int)((next_retry - mono_now()) * 1000) + 1;
			if (until < timeout)
				timeout = until < 1 ? 1 : until;
		}
		if (finished)
			continue; /* start the next ones (or return) at once */
		if (active || running)
			curl_multi_poll(multi, NULL, 0, timeout, NULL);
		else
			usleep((useconds_t)timeout * 1000);
	}
}

static void abort_all(struct xfer **xs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (xs[i]->active) {
			curl_multi_remove_handle(xs[i]->multi, xs[i]->easy);
			xs[i]->active = 0;
		}
}

/* One request, to completion. A token fetched while the layer downloads run
 * (a token expired mid-pull) gets a multi handle of its own: the blob
 * transfers' completions must stay with their own engine. */
static int xfer_run1(struct xfer *x)
{
	struct xfer *xs[1] = {x};
	if (!x->r->engine_busy) {
		x->r->engine_busy = 1;
		engine_run(x->r->multi, xs, 1, 1, NULL, NULL, NULL);
		x->r->engine_busy = 0;
	} else {
		CURLM *m = multi_new();
		if (!m)
			return gk_err_set(&x->err, ENOMEM, "curl_multi_init");
		engine_run(m, xs, 1, 1, NULL, NULL, NULL);
		if (x->active)
			curl_multi_remove_handle(m, x->easy);
		curl_multi_cleanup(m);
	}
	return x->failed ? -1 : 0;
}

/* ================================================================= auth */

static char *url_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	char *out = gk_strdup(e ? e : "");
	curl_free(e);
	return out;
}

static int fetch_token(struct reg *r, const struct rt_auth_challenge *c, char **token,
		       int64_t *expires, struct gk_err *err)
{
	const char *realm = c->realm;
	int https = strncasecmp(realm, "https://", 8) == 0;
	int http = strncasecmp(realm, "http://", 7) == 0;
	if (!https && !http)
		return gk_err_set(err, EPERM, "token realm \"%s\" is not an http(s) URL", realm);
	if (http && !r->insecure)
		return gk_err_set(err, EPERM,
				  "refusing token realm \"%s\" on plain http for the https "
				  "registry %s",
				  realm, r->base);
	_cleanup_free_ char *svc = url_escape(c->service ? c->service : "");
	_cleanup_free_ char *scope = url_escape(r->scope);
	_cleanup_free_ char *url =
	    gk_strdup_printf("%s%cscope=%s%s%s", realm, strchr(realm, '?') ? '&' : '?', scope,
			     c->service ? "&service=" : "", c->service ? svc : "");
	struct xfer x;
	xfer_init(&x, r, url);
	x.accept = "application/json";
	x.max_mem = TOKEN_MAX;
	x.anonymous = 1;
	x.auth_tries = 2; /* a 401 from the realm is final */
	if (r->have_creds && rt_auth_creds_allowed(r->base, realm, r->insecure, 1)) {
		_cleanup_free_ char *b = rt_auth_basic_value(&r->creds);
		x.extra_authz = gk_strdup_printf("Basic %s", b);
	}
	/* With credentials, xfer_complete refuses the realm's redirects. */
	int rc = xfer_run1(&x);
	if (rc < 0) {
		gk_err_set(err, x.err.errnum == 401 ? EACCES : EIO, "get token from %s: %s%s",
			   realm, x.err.errnum == 401 ? "unauthorized: " : "", x.err.msg);
		xfer_free(&x);
		return -1;
	}
	rc = rt_auth_parse_token(x.body, x.len, token, expires, err);
	if (rc < 0)
		gk_err_wrap(err, "token realm %s", realm);
	xfer_free(&x);
	return rc;
}

static int authenticate(struct reg *r, const struct rt_auth_challenges *chal, int invalid,
			struct gk_err *err)
{
	const struct rt_auth_challenge *c = rt_auth_pick(chal);
	if (!c)
		return gk_err_set(err, EACCES,
				  "unauthorized: the registry %s offers no Bearer or Basic "
				  "challenge",
				  r->base);
	free(r->authz);
	r->authz = NULL;
	if (strcmp(c->scheme, "basic") == 0) {
		if (!r->have_creds)
			return gk_err_set(err, EACCES,
					  "unauthorized: authentication required (no basic auth "
					  "credentials for %s in the Docker client config)",
					  r->domain);
		if (!rt_auth_creds_allowed(r->base, r->base, r->insecure, 0))
			return gk_err_set(err, EPERM,
					  "not sending credentials over plain http to %s", r->base);
		_cleanup_free_ char *b = rt_auth_basic_value(&r->creds);
		r->authz = gk_strdup_printf("Basic %s", b);
		return 0;
	}
	if (invalid)
		rt_token_cache_drop(r->tokens, r->base, r->scope);
	const char *cached = rt_token_cache_get(r->tokens, r->base, r->scope);
	if (cached) {
		r->authz = gk_strdup_printf("Bearer %s", cached);
		return 0;
	}
	_cleanup_free_ char *token = NULL;
	int64_t expires = 60;
	if (fetch_token(r, c, &token, &expires, err) < 0)
		return -1;
	rt_token_cache_put(r->tokens, r->base, r->scope, token, expires);
	r->authz = gk_strdup_printf("Bearer %s", token);
	explicit_bzero(token, strlen(token));
	return 0;
}

/* ============================================================== requests */

static int reg_open(struct reg *r, const char *base, const char *domain, const char *repo,
		    int insecure, struct gk_err *err)
{
	memset(r, 0, sizeof(*r));
	r->base = gk_strdup(base);
	r->domain = gk_strdup(domain);
	r->repo = gk_strdup(repo);
	r->scope = gk_strdup_printf("repository:%s:pull", repo);
	r->insecure = insecure;
	r->tokens = rt_token_cache_new();
	r->multi = multi_new();
	if (!r->multi)
		return gk_err_set(err, ENOMEM, "curl_multi_init");
	curl_multi_setopt(r->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8L);
	int rc = rt_auth_load_creds(domain, &r->creds, err);
	if (rc < 0)
		return -1;
	r->have_creds = rc == 1;
	return 0;
}

static void reg_close(struct reg *r)
{
	free(r->base);
	free(r->domain);
	free(r->repo);
	free(r->scope);
	free(r->authz);
	rt_creds_free(&r->creds);
	rt_token_cache_free(r->tokens);
	if (r->multi)
		curl_multi_cleanup(r->multi);
	memset(r, 0, sizeof(*r));
}

/* ================================================================= pull */

enum layer_state { L_PENDING, L_DOWNLOADED, L_STORED, L_UNPACKED };

struct layer {
	char *digest;
	int64_t size;
	char *diff_id;
	char *chain; /* chain id of this layer on its parents */
	char id[13];
	enum layer_state state;
	int exists; /* its tree is already unpacked: nothing to download */
	int shared; /* its blob is an earlier pending layer's: fetched once, by that one */
	char *tmp_path;
	struct xfer x;
	int xfer_used;
	double last_progress;
	struct pull *p;
};

struct pull {
	struct rt_store *store;
	const struct rt_pull_opts *opts;
	struct reg *r;
	struct rt_ref ref;
	char *tmpdir;
	struct layer *layers;
	size_t n;
	pthread_mutex_t mu;	 /* layer states */
	pthread_cond_t cond;	 /* a layer changed state, or abort */
	pthread_mutex_t emit_mu; /* progress callbacks, one at a time */
	atomic_int abort;	 /* stop everything (the worker failed) */
	int downloads_over;
	struct gk_err worker_err;
	int worker_failed;
};

static void emit(struct pull *p, enum rt_pull_event_kind k, const char *id, int64_t cur,
		 int64_t total, const char *msg)
{
	if (!p->opts || !p->opts->progress)
		return;
	struct rt_pull_event ev = {.kind = k, .id = id, .current = cur, .total = total, .msg = msg};
	pthread_mutex_lock(&p->emit_mu);
	p->opts->progress(p->opts->progress_ctx, &ev);
	pthread_mutex_unlock(&p->emit_mu);
}

static int layer_tree_exists(struct pull *p, const char *chain)
{
	_cleanup_free_ char *d = rt_store_layer_dir(p->store, chain);
	return d && gk_path_exists(d);
}

/* A blob is in the store: its layer, and every later one waiting for the
 * same blob (a manifest may list a digest twice), can be unpacked. */
static void mark_stored(struct pull *p, const char *digest)
{
	for (size_t i = 0; i < p->n; i++) {
		struct layer *l = &p->layers[i];
		if ((l->state == L_DOWNLOADED || l->state == L_PENDING) &&
		    strcmp(l->digest, digest) == 0)
			l->state = L_STORED;
	}
}

/* The worker: stores finished blobs and unpacks layers in order. */
static void *worker_main(void *arg)
{
	struct pull *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		if (atomic_load(&p->abort))
			break;
		struct layer *store_me = NULL, *unpack_me = NULL;
		size_t next = 0;
		for (size_t i = 0; i < p->n; i++)
			if (p->layers[i].state == L_DOWNLOADED && !store_me)
				store_me = &p->layers[i];
		while (next < p->n && p->layers[next].state == L_UNPACKED)
			next++;
		if (next == p->n)
			break;
		if (!store_me && p->layers[next].state == L_STORED)
			unpack_me = &p->layers[next];
		if (!store_me && !unpack_me) {
			if (p->downloads_over)
				break; /* a layer failed: keep what finished, stop */
			pthread_cond_wait(&p->cond, &p->mu);
			continue;
		}
		pthread_mutex_unlock(&p->mu);
		struct gk_err err;
		int rc;
		if (store_me) {
			/* Hashed as it was written (and re-read after a resume). */
			rc = rt_store_put_blob_hashed(p->store, store_me->tmp_path,
						      store_me->digest, &err);
			if (rc < 0)
				gk_err_wrap(&err, "layer %s", store_me->digest);
		} else {
			emit(p, RT_PULL_LAYER_EXTRACT, unpack_me->id, 0, unpack_me->size, NULL);
			_cleanup_free_ char *blob = rt_store_blob_path(p->store, unpack_me->digest);
			const char *parent = unpack_me == p->layers ? NULL : unpack_me[-1].chain;
			_cleanup_free_ char *got = NULL;
			rc =
			    rt_layer_unpack(p->store, blob, parent, unpack_me->diff_id, &got, &err);
			if (rc == 0 && strcmp(got, unpack_me->chain) != 0) {
				rc = gk_err_set(&err, EINVAL, "layer %s: chain id %s, expected %s",
						unpack_me->digest, got, unpack_me->chain);
			}
			if (rc == 0)
				emit(p, RT_PULL_LAYER_DONE, unpack_me->id, 0, 0, NULL);
		}
		pthread_mutex_lock(&p->mu);
		if (rc < 0) {
			p->worker_err = err;
			p->worker_failed = 1;
			atomic_store(&p->abort, 1);
			break;
		}
		if (store_me)
			mark_stored(p, store_me->digest);
		else
			unpack_me->state = L_UNPACKED;
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void blob_progress(struct xfer *x)
{
	struct layer *l = x->user;
	double now = mono_now();
	if (now - l->last_progress < 0.1 && x->have != x->expect)
		return;
	l->last_progress = now;
	emit(l->p, RT_PULL_LAYER_PROGRESS, l->id, x->have, x->expect, NULL);
}

/* A blob transfer finished: verify size and digest, hand it to the worker. */
static void blob_done(struct xfer *x, void *ctx)
{
	struct pull *p = ctx;
	struct layer *l = x->user;
	if (x->failed) {
		/* The other layers go on: what finishes is kept for the next pull. */
		pthread_mutex_lock(&p->mu);
		if (!p->worker_failed) {
			p->worker_err = x->err;
			gk_err_wrap(&p->worker_err, "layer %s", l->digest);
			p->worker_failed = 1;
		}
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->mu);
		return;
	}
	emit(p, RT_PULL_LAYER_VERIFY, l->id, x->have, x->expect, NULL);
	char hex[GK_SHA256_HEX_LEN + 1];
	gk_sha256_final_hex(&x->hash, hex);
	x->hashing = 0;
	struct gk_err err;
	int bad = 0;
	if (x->have != l->size) {
		gk_err_set(&err, EPROTO, "layer %s: got %lld bytes, its descriptor says %lld",
			   l->digest, (long long)x->have, (long long)l->size);
		bad = 1;
	} else if (strcmp(hex, l->digest + 7) != 0) {
		gk_err_set(&err, EPROTO,
			   "layer %s: digest mismatch: the registry sent content with digest "
			   "sha256:%s",
			   l->digest, hex);
		bad = 1;
	} else if (fsync(x->fd) < 0) {
		gk_err_set(&err, errno, "fsync %s", l->tmp_path);
		bad = 1;
	}
	close(x->fd);
	x->fd = -1;
	pthread_mutex_lock(&p->mu);
	if (bad) {
		unlink(l->tmp_path);
		if (!p->worker_failed) {
			p->worker_err = err;
			p->worker_failed = 1;
		}
	} else {
		l->state = L_DOWNLOADED;
	}
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mu);
	if (!bad)
		emit(p, RT_PULL_LAYER_DOWNLOADED, l->id, l->size, l->size, NULL);
}

static char *blob_url(struct reg *r, const char *digest)
{
	return gk_strdup_printf("%s/v2/%s/blobs/%s", r->base, r->repo, digest);
}

static int download_layers(struct pull *p, struct gk_err *err)
{
	struct reg *r = p->r;
	size_t nx = 0;
	_cleanup_free_ struct xfer **xs = gk_malloc0((p->n + 1) * sizeof(*xs));
	for (size_t i = 0; i < p->n; i++) {
		struct layer *l = &p->layers[i];
		if (l->state != L_PENDING || l->shared)
			continue;
		l->tmp_path = gk_strdup_printf("%s/blob-%s", p->tmpdir, l->digest + 7);
		_cleanup_free_ char *url = blob_url(r, l->digest);
		xfer_init(&l->x, r, url);
		l->xfer_used = 1;
		l->x.to_file = 1;
		l->x.expect = l->size;
		l->x.user = l;
		l->p = p;
		l->x.progress = blob_progress;
		l->x.fd = open(l->tmp_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (l->x.fd < 0)
			return gk_err_set(err, errno, "create %s", l->tmp_path);
		gk_sha256_init(&l->x.hash);
		l->x.hashing = 1;
		xs[nx++] = &l->x;
	}
	int max = p->opts && p->opts->max_parallel > 0 ? p->opts->max_parallel : DEFAULT_PARALLEL;
	r->engine_busy = 1;
	engine_run(r->multi, xs, nx, max, &p->abort, blob_done, p);
	abort_all(xs, nx);
	r->engine_busy = 0;
	return 0;
}

/* ------------------------------------------------------------ manifests */

struct doc {
	char *body;
	size_t len;
	char *digest;
	json_object *json;
	enum rt_manifest_kind kind;
};

static void doc_free(struct doc *d)
{
	free(d->body);
	free(d->digest);
	if (d->json)
		json_object_put(d->json);
	memset(d, 0, sizeof(*d));
}

static char *manifest_url(struct reg *r, const char *ref)
{
	return gk_strdup_printf("%s/v2/%s/manifests/%s", r->base, r->repo, ref);
}

/* The message Docker gives for a failed manifest request. */
static int manifest_error(struct pull *p, struct xfer *x, const char *target, struct gk_err *err)
{
	_cleanup_free_ char *fam = rt_ref_familiar(&p->ref);
	_cleanup_free_ char *famrepo = rt_ref_familiar_repository(&p->ref);
	long s = x->err.errnum;
	const char *body = x->err.msg;
	char where[512];
	snprintf(where, sizeof(where), "registry %s, repository %s", p->r->base, p->r->repo);
	if (s == 404 && strstr(body, "manifest unknown"))
		gk_err_set(err, 0, "manifest for %s not found: %s (%s: HTTP 404)", fam, body,
			   where);
	else if (s == 401 || s == 403 || s == 404)
		gk_err_set(err, 0,
			   "pull access denied for %s, repository does not exist or may require "
			   "authentication: %s (%s, %s: HTTP %ld)",
			   famrepo, body, where, target, s);
	else if (s >= 100 && s < 600)
		gk_err_set(err, 0, "%s (%s, %s: HTTP %ld)", body, where, target, s);
	else
		gk_err_set(err, 0, "%s (%s)", body, where);
	err->errnum = s == 404 ? ENOENT : (s == 401 || s == 403) ? EACCES : EIO;
	return -1;
}

/* HEAD the manifest: its digest, or NULL (registry without HEAD, or an error
 * the GET will report with its body). */
static char *head_manifest(struct pull *p, const char *target)
{
	_cleanup_free_ char *url = manifest_url(p->r, target);
	struct xfer x;
	xfer_init(&x, p->r, url);
	x.head = 1;
	x.accept = rt_manifest_accept;
	char *d = NULL;
	if (xfer_run1(&x) == 0 && x.digest_hdr && gk_digest_valid(x.digest_hdr))
		d = gk_strdup(x.digest_hdr);
	xfer_free(&x);
	return d;
}

/* GET a manifest by `target` (tag or digest) and check it: sha256 of the
 * bytes equals `want` (when known) and Docker-Content-Digest. */
static int get_manifest(struct pull *p, const char *target, const char *want, int64_t want_size,
			struct doc *out, struct gk_err *err)
{
	memset(out, 0, sizeof(*out));
	_cleanup_free_ char *url = manifest_url(p->r, target);
	struct xfer x;
	xfer_init(&x, p->r, url);
	x.accept = rt_manifest_accept;
	x.max_mem = MANIFEST_MAX;
	if (xfer_run1(&x) < 0) {
		if (x.fatal)
			gk_err_set(err, EPROTO, "manifest %s (registry %s, repository %s): %s",
				   target, p->r->base, p->r->repo,
				   strstr(x.err.msg, "larger than")
				       ? "manifest is larger than 4 MiB"
				       : x.err.msg);
		else
			manifest_error(p, &x, target, err);
		xfer_free(&x);
		return -1;
	}
	char hex[GK_SHA256_HEX_LEN + 1];
	gk_sha256_hex(x.body ? x.body : "", x.len, hex);
	_cleanup_free_ char *got = gk_strdup_printf("sha256:%s", hex);
	int rc = 0;
	if (want && strcmp(got, want) != 0)
		rc = gk_err_set(err, EPROTO,
				"manifest %s: the registry sent content with digest %s, not %s",
				target, got, want);
	else if (x.digest_hdr && strcmp(x.digest_hdr, got) != 0)
		rc =
		    gk_err_set(err, EPROTO,
			       "manifest %s: Docker-Content-Digest %s does not match the content's "
			       "digest %s",
			       target, x.digest_hdr, got);
	else if (want_size >= 0 && (int64_t)x.len != want_size)
		rc = gk_err_set(err, EPROTO, "manifest %s: %zu bytes, its descriptor says %lld",
				target, x.len, (long long)want_size);
	if (rc == 0 && gk_json_parse(x.body ? x.body : "", x.len, "manifest", &out->json, err) < 0)
		rc = -1;
	if (rc == 0 && rt_manifest_classify(x.content_type, out->json, &out->kind, err) < 0)
		rc = -1;
	if (rc < 0) {
		gk_err_wrap(err, "registry %s, repository %s", p->r->base, p->r->repo);
		xfer_free(&x);
		doc_free(out);
		return -1;
	}
	out->body = gk_steal_ptr(x.body);
	out->len = x.len;
	out->digest = gk_steal_ptr(got);
	xfer_free(&x);
	return 0;
}

static int get_config(struct pull *p, const char *digest, int64_t size, struct doc *out,
		      struct gk_err *err)
{
	memset(out, 0, sizeof(*out));
	if (size < 0 || size > CONFIG_MAX)
		return gk_err_set(err, EINVAL, "image config %s: size %lld out of range", digest,
				  (long long)size);
	_cleanup_free_ char *url = blob_url(p->r, digest);
	struct xfer x;
	xfer_init(&x, p->r, url);
	x.max_mem = (size_t)size;
	if (xfer_run1(&x) < 0) {
		gk_err_set(err, EIO, "image config %s (registry %s, repository %s): %s%s", digest,
			   p->r->base, p->r->repo, x.err.msg,
			   x.err.errnum >= 400 && x.err.errnum < 600 ? "" : "");
		xfer_free(&x);
		return -1;
	}
	char hex[GK_SHA256_HEX_LEN + 1];
	gk_sha256_hex(x.body ? x.body : "", x.len, hex);
	if (strcmp(hex, digest + 7) != 0 || (int64_t)x.len != size) {
		gk_err_set(err, EPROTO,
			   "image config %s: the registry sent %zu bytes with digest sha256:%s",
			   digest, x.len, hex);
		xfer_free(&x);
		return -1;
	}
	if (gk_json_parse(x.body, x.len, "image config", &out->json, err) < 0) {
		xfer_free(&x);
		return -1;
	}
	out->body = gk_steal_ptr(x.body);
	out->len = x.len;
	out->digest = gk_strdup(digest);
	xfer_free(&x);
	return 0;
}

/* Descend from an index to the image manifest for the wanted platform. */
static int resolve_image_manifest(struct pull *p, const struct rt_platform *want, struct doc *top,
				  struct doc *image, struct gk_err *err)
{
	struct doc cur = *top;
	int owned = 0;
	for (int depth = 0; cur.kind == RT_MANIFEST_INDEX; depth++) {
		if (depth >= MAX_INDEX_DEPTH) {
			if (owned)
				doc_free(&cur);
			return gk_err_set(err, ELOOP, "manifest lists nested deeper than %d",
					  MAX_INDEX_DEPTH);
		}
		json_object *d = NULL;
		if (rt_index_select(cur.json, want, &d, err) < 0) {
			if (owned)
				doc_free(&cur);
			return -1;
		}
		const char *dg = gk_json_str(d, "digest");
		int64_t sz = gk_json_int(d, "size", -1);
		if (gk_digest_check(dg, "manifest list entry digest", err) < 0) {
			if (owned)
				doc_free(&cur);
			return -1;
		}
		if (sz > (int64_t)MANIFEST_MAX) {
			if (owned)
				doc_free(&cur);
			return gk_err_set(err, EFBIG, "manifest %s is larger than 4 MiB", dg);
		}
		_cleanup_free_ char *dgc = gk_strdup(dg);
		struct doc next;
		int rc = get_manifest(p, dgc, dgc, sz, &next, err);
		if (owned)
			doc_free(&cur);
		if (rc < 0)
			return -1;
		/* Keep every index on the way (the store keeps what it pulled). */
		if (next.kind == RT_MANIFEST_INDEX &&
		    rt_store_put_blob_bytes(p->store, next.body, next.len, next.digest, err) < 0) {
			doc_free(&next);
			return -1;
		}
		cur = next;
		owned = 1;
	}
	if (!owned) {
		/* The top document is the image manifest itself: copy it. */
		memset(image, 0, sizeof(*image));
		image->body = malloc(top->len + 1);
		if (!image->body)
			abort();
		memcpy(image->body, top->body, top->len);
		image->body[top->len] = '\0';
		image->len = top->len;
		image->digest = gk_strdup(top->digest);
		image->json = json_object_get(top->json);
		image->kind = top->kind;
		return 0;
	}
	*image = cur;
	return 0;
}

/* Is the image for `digest` (as HEAD named it) already complete in the store?
 * Returns the image manifest digest then, with no request made. */
static char *local_image_for(struct pull *p, const char *digest, const struct rt_platform *want)
{
	_cleanup_free_ char *cur = gk_strdup(digest);
	for (int depth = 0; depth <= MAX_INDEX_DEPTH; depth++) {
		if (!rt_store_has_blob(p->store, cur))
			return NULL;
		_cleanup_free_ char *path = rt_store_blob_path(p->store, cur);
		_cleanup_json_ json_object *o = NULL;
		struct gk_err ignored;
		if (gk_json_read_file(path, MANIFEST_MAX, &o, &ignored) < 0)
			return NULL;
		if (!gk_json_array(o, "manifests")) {
			struct rt_image img;
			_cleanup_free_ char *repo = rt_ref_repository(&p->ref);
			_cleanup_free_ char *name = gk_strdup_printf("%s@%s", repo, cur);
			if (rt_image_resolve(p->store, name, &img, &ignored) < 0)
				return NULL;
			rt_image_free(&img);
			return gk_steal_ptr(cur);
		}
		json_object *d = NULL;
		if (rt_index_select(o, want, &d, &ignored) < 0)
			return NULL;
		const char *next = gk_json_str(d, "digest");
		if (!gk_digest_valid(next))
			return NULL;
		free(cur);
		cur = gk_strdup(next);
	}
	return NULL;
}

static int tag_image(struct pull *p, const char *top_digest, const char *image_digest,
		     struct gk_err *err)
{
	struct rt_ref t = p->ref;
	t.digest = (char *)top_digest;
	if (rt_store_tag(p->store, &t, image_digest, err) < 0)
		return gk_err_wrap(err, "record image");
	return 0;
}

static int prepare_layers(struct pull *p, json_object *manifest, json_object *config,
			  struct gk_err *err)
{
	json_object *layers = gk_json_array(manifest, "layers");
	json_object *diff_ids = gk_json_array(gk_json_obj(config, "rootfs"), "diff_ids");
	size_t n = json_object_array_length(layers);
	if (!diff_ids || json_object_array_length(diff_ids) != n)
		return gk_err_set(
		    err, EINVAL,
		    "image config names %zu layers (rootfs.diff_ids), the manifest %zu",
		    diff_ids ? json_object_array_length(diff_ids) : 0, n);
	p->layers = gk_malloc0((n ? n : 1) * sizeof(*p->layers));
	p->n = n;
	char *parent = NULL;
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(layers, i);
		struct layer *l = &p->layers[i];
		const char *dg = gk_json_str(d, "digest");
		const char *diff = json_object_get_string(json_object_array_get_idx(diff_ids, i));
		if (gk_digest_check(dg, "layer digest", err) < 0 ||
		    gk_digest_check(diff, "layer diff_id", err) < 0)
			return -1;
		const char *mt = gk_json_str(d, "mediaType");
		if (mt && (strstr(mt, "foreign") || strstr(mt, "nondistributable")))
			return gk_err_set(err, EINVAL,
					  "layer %s: foreign/non-distributable layers (%s) are not "
					  "supported",
					  dg, mt);
		l->digest = gk_strdup(dg);
		l->diff_id = gk_strdup(diff);
		l->size = gk_json_int(d, "size", -1);
		if (l->size < 0)
			return gk_err_set(err, EINVAL, "layer %s: descriptor has no valid size",
					  dg);
		snprintf(l->id, sizeof(l->id), "%.12s", dg + 7);
		l->chain = rt_layer_chain_id(parent, diff);
		parent = l->chain;
	}
	return 0;
}

static void layers_free(struct pull *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct layer *l = &p->layers[i];
		if (l->xfer_used)
			xfer_free(&l->x);
		free(l->digest);
		free(l->diff_id);
		free(l->chain);
		free(l->tmp_path);
	}
	free(p->layers);
	p->layers = NULL;
	p->n = 0;
}

/* Does a layer before `n` wait for the blob `digest` already? */
static int pending_with_digest(struct pull *p, size_t n, const char *digest)
{
	for (size_t i = 0; i < n; i++)
		if (p->layers[i].state == L_PENDING && strcmp(p->layers[i].digest, digest) == 0)
			return 1;
	return 0;
}

/* Download every layer not yet in the store and unpack them in order. */
static int fetch_layers(struct pull *p, struct gk_err *err)
{
	for (size_t i = 0; i < p->n; i++) {
		struct layer *l = &p->layers[i];
		if (layer_tree_exists(p, l->chain)) {
			l->state = L_UNPACKED;
			emit(p, RT_PULL_LAYER_EXISTS, l->id, 0, l->size, NULL);
		} else if (rt_store_has_blob(p->store, l->digest)) {
			l->state = L_STORED;
			emit(p, RT_PULL_LAYER_WAIT, l->id, 0, l->size, NULL);
			emit(p, RT_PULL_LAYER_DOWNLOADED, l->id, l->size, l->size, NULL);
		} else {
			l->state = L_PENDING;
			l->shared = pending_with_digest(p, i, l->digest);
			emit(p, RT_PULL_LAYER_WAIT, l->id, 0, l->size, NULL);
		}
	}
	pthread_t worker;
	if (pthread_create(&worker, NULL, worker_main, p) != 0)
		return gk_err_set(err, errno, "start unpack thread");
	int rc = download_layers(p, err);
	pthread_mutex_lock(&p->mu);
	if (rc < 0)
		atomic_store(&p->abort, 1);
	p->downloads_over = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mu);
	pthread_join(worker, NULL);
	if (rc < 0)
		return -1;
	if (p->worker_failed) {
		*err = p->worker_err;
		return gk_err_wrap(err, "registry %s, repository %s", p->r->base, p->r->repo);
	}
	for (size_t i = 0; i < p->n; i++)
		if (p->layers[i].state != L_UNPACKED)
			return gk_err_set(err, EIO, "layer %s was not unpacked",
					  p->layers[i].digest);
	return 0;
}

/* One endpoint: resolve, download, unpack, tag. */
static int pull_from(struct pull *p, const struct rt_platform *want, struct rt_pull_result *out,
		     struct gk_err *err)
{
	const char *target = p->ref.digest ? p->ref.digest : p->ref.tag;
	_cleanup_free_ char *head_digest = head_manifest(p, target);
	if (p->ref.digest && head_digest && strcmp(head_digest, p->ref.digest) != 0) {
		free(head_digest);
		head_digest = NULL; /* the GET by digest decides */
	}
	if (p->ref.digest && !head_digest)
		head_digest = gk_strdup(p->ref.digest);
	if (head_digest) {
		_cleanup_free_ char *local = local_image_for(p, head_digest, want);
		if (local) {
			if (tag_image(p, head_digest, local, err) < 0)
				return -1;
			struct rt_image img;
			_cleanup_free_ char *repo = rt_ref_repository(&p->ref);
			_cleanup_free_ char *name = gk_strdup_printf("%s@%s", repo, local);
			if (rt_image_resolve(p->store, name, &img, err) < 0)
				return -1;
			out->image_id = gk_strdup(img.id);
			rt_image_free(&img);
			out->digest = gk_steal_ptr(head_digest);
			out->up_to_date = 1;
			return 0;
		}
	}
	struct doc top, image, config;
	memset(&image, 0, sizeof(image));
	memset(&config, 0, sizeof(config));
	if (get_manifest(p, head_digest ? head_digest : target, head_digest, -1, &top, err) < 0)
		return -1;
	int rc = -1;
	if (rt_store_put_blob_bytes(p->store, top.body, top.len, top.digest, err) < 0)
		goto out;
	if (resolve_image_manifest(p, want, &top, &image, err) < 0)
		goto out;
	json_object *cdesc = gk_json_obj(image.json, "config");
	const char *cdg = gk_json_str(cdesc, "digest");
	if (gk_digest_check(cdg, "image config digest", err) < 0)
		goto out;
	if (get_config(p, cdg, gk_json_int(cdesc, "size", -1), &config, err) < 0)
		goto out;
	if (prepare_layers(p, image.json, config.json, err) < 0)
		goto out;
	if (rt_store_put_blob_bytes(p->store, config.body, config.len, config.digest, err) < 0)
		goto out;
	if (fetch_layers(p, err) < 0)
		goto out;
	if (rt_store_put_blob_bytes(p->store, image.body, image.len, image.digest, err) < 0)
		goto out;
	if (tag_image(p, top.digest, image.digest, err) < 0)
		goto out;
	out->digest = gk_strdup(top.digest);
	out->image_id = gk_strdup(config.digest);
	rc = 0;
out:
	doc_free(&top);
	doc_free(&image);
	doc_free(&config);
	return rc;
}

static char **endpoints_for(const struct rt_ref *ref, const struct rt_reg_config *cfg,
			    int **insecure_out)
{
	char **v = NULL;
	size_t n = 0;
	int *ins = gk_malloc0((gk_strv_len(cfg->mirrors) + 2) * sizeof(int));
	if (strcmp(ref->domain, "docker.io") == 0) {
		for (size_t i = 0; cfg->mirrors && cfg->mirrors[i]; i++) {
			const char *m = cfg->mirrors[i];
			gk_strv_push(&v, m);
			/* A mirror written as http:// is plain http by the admin's choice. */
			const char *host = strstr(m, "://") + 3;
			_cleanup_free_ char *dom = strndup(host, strcspn(host, "/"));
			ins[n++] =
			    strncmp(m, "http://", 7) == 0 || rt_reg_config_is_insecure(cfg, dom);
		}
		gk_strv_push(&v, "https://registry-1.docker.io");
		ins[n++] = 0;
	} else {
		int insecure = rt_reg_config_is_insecure(cfg, ref->domain);
		char *u = gk_strdup_printf("%s://%s", insecure ? "http" : "https", ref->domain);
		gk_strv_push(&v, u);
		free(u);
		ins[n++] = insecure;
	}
	*insecure_out = ins;
	return v;
}

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

int rt_registry_pull(struct rt_store *store, const char *refstr, const struct rt_pull_opts *opts,
		     struct rt_pull_result *out, struct gk_err *err)
{
	memset(out, 0, sizeof(*out));
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, curl_init_once);

	struct pull p;
	memset(&p, 0, sizeof(p));
	p.store = store;
	p.opts = opts;
	if (rt_ref_parse(refstr, &p.ref, err) < 0)
		return -1;
	struct rt_platform want;
	if (opts && opts->platform) {
		if (rt_platform_parse(opts->platform, &want, err) < 0) {
			rt_ref_free(&p.ref);
			return -1;
		}
	} else {
		rt_platform_host(&want);
	}
	struct rt_reg_config cfg;
	if (rt_reg_config_load(opts ? opts->config_path : NULL, &cfg, err) < 0) {
		rt_ref_free(&p.ref);
		return -1;
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cond, NULL);
	pthread_mutex_init(&p.emit_mu, NULL);

	_cleanup_free_ char *fam = rt_ref_familiar(&p.ref);
	_cleanup_free_ char *start = gk_strdup_printf(
	    "%s: Pulling from %s", p.ref.digest ? p.ref.digest : p.ref.tag, p.ref.path);
	emit(&p, RT_PULL_START, NULL, 0, 0, start);

	int rc = -1;
	_cleanup_free_ int *insecure = NULL;
	_cleanup_strv_ char **eps = endpoints_for(&p.ref, &cfg, &insecure);
	p.tmpdir = rt_store_tmpdir(store, err);
	if (!p.tmpdir)
		goto out;
	size_t n_eps = gk_strv_len(eps);
	for (size_t i = 0; i < n_eps; i++) {
		struct reg r;
		struct gk_err e;
		gk_err_clear(&e);
		if (reg_open(&r, eps[i], p.ref.domain, p.ref.path, insecure[i], &e) == 0) {
			p.r = &r;
			rc = pull_from(&p, &want, out, &e);
			p.r = NULL;
		}
		reg_close(&r);
		layers_free(&p);
		p.worker_failed = 0;
		p.downloads_over = 0;
		atomic_store(&p.abort, 0);
		if (rc == 0)
			break;
		*err = e;
		if (i + 1 < n_eps)
			gk_debug("mirror %s failed, trying the next endpoint: %s", eps[i], e.msg);
	}
	if (rc == 0) {
		out->reference = rt_ref_string(&p.ref);
		out->familiar = gk_strdup(fam);
	}
out:
	if (p.tmpdir) {
		struct gk_err ignored;
		gk_remove_tree(p.tmpdir, &ignored);
		free(p.tmpdir);
	}
	layers_free(&p);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cond);
	pthread_mutex_destroy(&p.emit_mu);
	rt_reg_config_free(&cfg);
	rt_ref_free(&p.ref);
	return rc;
}
