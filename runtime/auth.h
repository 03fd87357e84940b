/* Registry authentication, as Docker does it, without any network code:
 * WWW-Authenticate challenges, credentials from the Docker client's
 * config.json, token responses, a token cache, and the policy deciding where
 * credentials may go. registry.c does the HTTP. */
#ifndef RT_AUTH_H
#define RT_AUTH_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* One challenge of a WWW-Authenticate header. scheme is lowercased
 * ("bearer", "basic"); the parameters are NULL when absent. */
struct rt_auth_challenge {
	char *scheme;
	char *realm;
	char *service;
	char *scope;
	char *error;
};

struct rt_auth_challenges {
	struct rt_auth_challenge *v;
	size_t n;
};

/* Parse one WWW-Authenticate header value and append its challenges (a value
 * may hold several: `Bearer realm="a",scope="x,y", Basic realm="b"`). Quoted
 * values may contain commas and backslash escapes. Returns -1 on a malformed
 * value (what was parsed before it is kept). */
int rt_auth_parse_challenges(const char *value, struct rt_auth_challenges *out);
void rt_auth_challenges_free(struct rt_auth_challenges *c);
/* The challenge to answer: Bearer before Basic; NULL when neither is offered. */
const struct rt_auth_challenge *rt_auth_pick(const struct rt_auth_challenges *c);

struct rt_creds {
	char *user;
	char *pass;
};
void rt_creds_free(struct rt_creds *c);

/* Decode a config.json "auth" value (base64 of "user:pass"). */
int rt_auth_decode(const char *b64, struct rt_creds *out, struct gk_err *err);
/* base64("user:pass") for an "Authorization: Basic" header (caller frees). */
char *rt_auth_basic_value(const struct rt_creds *c);

/* Credentials for registry `domain` ("docker.io", "127.0.0.1:5000") in a
 * parsed Docker client config: keys of "auths" match by host, with or without
 * scheme and path; Docker Hub's key is "https://index.docker.io/v1/".
 * Returns 1 found, 0 none, -1 on an undecodable entry. */
int rt_auth_creds_from_config(json_object *cfg, const char *domain, struct rt_creds *out,
			      struct gk_err *err);
/* The same, from $DOCKER_CONFIG/config.json or ~/.docker/config.json
 * (a missing file means no credentials). */
int rt_auth_load_creds(const char *domain, struct rt_creds *out, struct gk_err *err);

/* Parse a token endpoint's JSON answer: "token" or "access_token",
 * "expires_in" (seconds; 60 when absent or smaller). */
int rt_auth_parse_token(const char *body, size_t len, char **token, int64_t *expires_in,
			struct gk_err *err);

/* May credentials be sent to `url`, a request target or token realm, when the
 * registry is `registry_url` ("https://host[:port]")? Only over https, or over
 * http when the registry is insecure; a token realm on http:// for an https
 * registry never. `realm` selects the realm rule (another host allowed, as
 * Docker Hub's auth.docker.io) over the request rule (same host and port
 * only, so redirect targets elsewhere never get them). */
int rt_auth_creds_allowed(const char *registry_url, const char *url, int insecure, int realm);

/* Cached tokens per registry and scope. */
struct rt_token_cache;
struct rt_token_cache *rt_token_cache_new(void);
void rt_token_cache_free(struct rt_token_cache *c);
/* The cached token, or NULL when absent or expired. */
const char *rt_token_cache_get(struct rt_token_cache *c, const char *registry, const char *scope);
void rt_token_cache_put(struct rt_token_cache *c, const char *registry, const char *scope,
			const char *token, int64_t expires_in);
void rt_token_cache_drop(struct rt_token_cache *c, const char *registry, const char *scope);

#endif
