/* Image references, parsed and normalised as distribution/reference does
 * (ParseNormalizedNamed). The grammar:
 *
 *   reference   := name [ ":" tag ] [ "@" digest ]
 *   name        := [ domain "/" ] path
 *   domain      := host [ ":" port ]
 *   host        := domain-component ( "." domain-component )* | "[" ipv6 "]"
 *   path        := component ( "/" component )*
 *   component   := [a-z0-9]+ ( separator [a-z0-9]+ )*
 *   separator   := "." | "_" | "__" | "-"+
 *   tag         := [\w][\w.-]{0,127}
 *   digest      := "sha256:" 64 lowercase hex (the only algorithm gocker stores)
 *
 * The first path element is a domain when it contains '.' or ':', is
 * "localhost", or has uppercase letters; otherwise the domain is docker.io,
 * and a single-element docker.io path gets "library/". */
#include "reference.h"

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/fs.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DOMAIN	"docker.io"
#define LEGACY_DOMAIN	"index.docker.io"
#define OFFICIAL_PREFIX "library/"
#define NAME_TOTAL_MAX	255

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* One path component: [a-z0-9]+ (separator [a-z0-9]+)* over s[0..n). */
static int valid_path_component(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0 || !is_lower_alnum(s[0]))
		return 0;
	while (i < n) {
		while (i < n && is_lower_alnum(s[i]))
			i++;
		if (i == n)
			return 1;
		size_t sep = i;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i++;
			if (i < n && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return 0;
		}
		if (i == sep || i == n || !is_lower_alnum(s[i]))
			return 0;
	}
	return 1;
}

/* Like valid_path_component, but ignoring case: tells "has uppercase" apart
 * from "malformed" for a clearer error. */
static int valid_path_ignoring_case(const char *s, size_t n)
{
	_cleanup_free_ char *low = gk_malloc0(n + 1);
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || low[i] == '/') {
			if (!valid_path_component(low + start, i - start))
				return 0;
			start = i + 1;
		}
	}
	return 1;
}

static int valid_path(const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '/') {
			if (!valid_path_component(s + start, i - start))
				return 0;
			start = i + 1;
		}
	}
	return 1;
}

/* (?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]) */
static int valid_domain_component(const char *s, size_t n)
{
	if (n == 0 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static int valid_domain(const char *s)
{
	size_t n = strlen(s);
	size_t host_end;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close == s + 1)
			return 0;
		for (const char *p = s + 1; p < close; p++)
			if (!isxdigit((unsigned char)*p) && *p != ':')
				return 0;
		host_end = (size_t)(close - s) + 1;
	} else {
		const char *colon = strchr(s, ':');
		host_end = colon ? (size_t)(colon - s) : n;
		size_t start = 0;
		for (size_t i = 0; i <= host_end; i++) {
			if (i == host_end || s[i] == '.') {
				if (!valid_domain_component(s + start, i - start))
					return 0;
				start = i + 1;
			}
		}
	}
	if (host_end == n)
		return 1;
	if (s[host_end] != ':' || host_end + 1 == n)
		return 0;
	for (size_t i = host_end + 1; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int valid_tag(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128 || !is_word(s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!is_word(s[i]) && s[i] != '.' && s[i] != '-')
			return 0;
	return 1;
}

static int is_hex64(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return 0;
	return n == GK_SHA256_HEX_LEN;
}

static int bad_format(struct gk_err *err, const char *s, const char *why)
{
	if (why)
		return gk_err_set(err, 0, "invalid reference format: %s: \"%s\"", why, s);
	return gk_err_set(err, 0, "invalid reference format: \"%s\"", s);
}

/* Splits "name[:tag][@digest]": the digest after the first '@', the tag after
 * the last ':' that comes after the last '/'. */
static int split_reference(const char *s, char **name, char **tag, char **digest,
			   struct gk_err *err)
{
	_cleanup_free_ char *copy = gk_strdup(s);
	char *at = strchr(copy, '@');
	if (at) {
		*at = '\0';
		const char *d = at + 1;
		if (strncmp(d, "sha256:", 7) != 0) {
			const char *colon = strchr(d, ':');
			if (!colon || colon == d)
				return bad_format(err, s, NULL);
			return gk_err_set(err, 0,
					  "invalid reference format: unsupported digest algorithm "
					  "in \"%s\" (only sha256)",
					  s);
		}
		if (!gk_digest_valid(d))
			return gk_err_set(
			    err, 0,
			    "invalid reference format: invalid digest in \"%s\" (want "
			    "sha256: and 64 lowercase hex)",
			    s);
		*digest = gk_strdup(d);
	}
	char *slash = strrchr(copy, '/');
	char *colon = strrchr(slash ? slash : copy, ':');
	if (colon) {
		*colon = '\0';
		if (!valid_tag(colon + 1)) {
			free(*digest);
			*digest = NULL;
			return bad_format(err, s, "invalid tag");
		}
		*tag = gk_strdup(colon + 1);
	}
	*name = gk_steal_ptr(copy);
	return 0;
}

/* splitDockerDomain: the domain and the remote path of a familiar name. */
static void split_domain(const char *name, char **domain, char **path)
{
	const char *slash = strchr(name, '/');
	if (!slash) {
		*domain = gk_strdup(DEFAULT_DOMAIN);
		*path = gk_strdup_printf(OFFICIAL_PREFIX "%s", name);
		return;
	}
	size_t n = (size_t)(slash - name);
	_cleanup_free_ char *first = strndup(name, n);
	if (!first)
		abort();
	int has_upper = 0;
	for (size_t i = 0; i < n; i++)
		has_upper |= isupper((unsigned char)first[i]) != 0;
	if (strcmp(first, "localhost") == 0 || strpbrk(first, ".:") || has_upper) {
		*domain = strcmp(first, LEGACY_DOMAIN) == 0 ? gk_strdup(DEFAULT_DOMAIN)
							    : gk_steal_ptr(first);
		*path = gk_strdup(slash + 1);
	} else {
		*domain = gk_strdup(DEFAULT_DOMAIN);
		*path = gk_strdup(name);
	}
	if (strcmp(*domain, DEFAULT_DOMAIN) == 0 && !strchr(*path, '/')) {
		char *p = gk_strdup_printf(OFFICIAL_PREFIX "%s", *path);
		free(*path);
		*path = p;
	}
}

int rt_ref_parse(const char *s, struct rt_ref *out, struct gk_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return gk_err_set(err, 0,
				  "invalid reference format: repository name must have at least "
				  "one component");
	if (is_hex64(s))
		return gk_err_set(err, 0,
				  "invalid repository name (%s), cannot specify 64-byte "
				  "hexadecimal strings",
				  s);
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p) || !isprint((unsigned char)*p))
			return bad_format(err, s, NULL);

	_cleanup_free_ char *name = NULL, *tag = NULL, *digest = NULL;
	if (split_reference(s, &name, &tag, &digest, err) < 0)
		return -1;
	if (!*name)
		return bad_format(err, s, NULL);

	_cleanup_free_ char *domain = NULL, *path = NULL;
	split_domain(name, &domain, &path);
	if (!valid_domain(domain))
		return bad_format(err, s, NULL);
	size_t plen = strlen(path);
	if (!valid_path(path, plen)) {
		if (valid_path_ignoring_case(path, plen))
			return gk_err_set(err, 0,
					  "invalid reference format: repository name must be "
					  "lowercase: \"%s\"",
					  s);
		return bad_format(err, s, NULL);
	}
	if (strlen(domain) + 1 + plen > NAME_TOTAL_MAX)
		return gk_err_set(err, 0,
				  "invalid reference format: repository name must not be more "
				  "than %d characters: \"%s\"",
				  NAME_TOTAL_MAX, s);
	if (!tag && !digest)
		tag = gk_strdup("latest");
	out->domain = gk_steal_ptr(domain);
	out->path = gk_steal_ptr(path);
	out->tag = gk_steal_ptr(tag);
	out->digest = gk_steal_ptr(digest);
	return 0;
}

void rt_ref_free(struct rt_ref *ref)
{
	if (!ref)
		return;
	free(ref->domain);
	free(ref->path);
	free(ref->tag);
	free(ref->digest);
	memset(ref, 0, sizeof(*ref));
}

static char *with_suffix(char *repo, const struct rt_ref *ref)
{
	char *s =
	    gk_strdup_printf("%s%s%s%s%s", repo, ref->tag ? ":" : "", ref->tag ? ref->tag : "",
			     ref->digest ? "@" : "", ref->digest ? ref->digest : "");
	free(repo);
	return s;
}

char *rt_ref_repository(const struct rt_ref *ref)
{
	return gk_strdup_printf("%s/%s", ref->domain, ref->path);
}

char *rt_ref_familiar_repository(const struct rt_ref *ref)
{
	if (strcmp(ref->domain, DEFAULT_DOMAIN) != 0)
		return rt_ref_repository(ref);
	const char *p = ref->path;
	if (strncmp(p, OFFICIAL_PREFIX, strlen(OFFICIAL_PREFIX)) == 0 &&
	    !strchr(p + strlen(OFFICIAL_PREFIX), '/'))
		p += strlen(OFFICIAL_PREFIX);
	return gk_strdup(p);
}

char *rt_ref_string(const struct rt_ref *ref)
{
	return with_suffix(rt_ref_repository(ref), ref);
}

char *rt_ref_familiar(const struct rt_ref *ref)
{
	return with_suffix(rt_ref_familiar_repository(ref), ref);
}
