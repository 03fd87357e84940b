/* Unit tests for runtime/auth.c: WWW-Authenticate parsing, config.json
 * credentials, token responses, the credential policy and the token cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "runtime/auth.h"

static void test_single_bearer(void **state)
{
	(void)state;
	struct rt_auth_challenges c = {0};
	assert_int_equal(
	    rt_auth_parse_challenges(
		"Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker."
		"io\",scope=\"repository:library/busybox:pull\"",
		&c),
	    0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].scheme, "bearer");
	assert_string_equal(c.v[0].realm, "https://auth.docker.io/token");
	assert_string_equal(c.v[0].service, "registry.docker.io");
	assert_string_equal(c.v[0].scope, "repository:library/busybox:pull");
	assert_null(c.v[0].error);
	rt_auth_challenges_free(&c);
}

static void test_commas_in_scope_and_several(void **state)
{
	(void)state;
	struct rt_auth_challenges c = {0};
	assert_int_equal(rt_auth_parse_challenges(
			     "Basic realm=\"Registry Realm\", BEARER realm=\"https://a/t\", "
			     "scope=\"repository:x/y:pull,push repository:z:pull\" , "
			     "error=invalid_token",
			     &c),
			 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.v[0].scheme, "basic");
	assert_string_equal(c.v[0].realm, "Registry Realm");
	assert_string_equal(c.v[1].scheme, "bearer");
	assert_string_equal(c.v[1].scope, "repository:x/y:pull,push repository:z:pull");
	assert_string_equal(c.v[1].error, "invalid_token");
	/* Bearer is preferred even when Basic comes first. */
	const struct rt_auth_challenge *p = rt_auth_pick(&c);
	assert_non_null(p);
	assert_string_equal(p->scheme, "bearer");
	/* A second header appends. */
	assert_int_equal(rt_auth_parse_challenges("Negotiate abc==, Basic realm=r", &c), 0);
	assert_int_equal(c.n, 4);
	assert_string_equal(c.v[2].scheme, "negotiate");
	assert_string_equal(c.v[3].scheme, "basic");
	rt_auth_challenges_free(&c);
}

static void test_quoted_escapes_and_pick_basic(void **state)
{
	(void)state;
	struct rt_auth_challenges c = {0};
	assert_int_equal(rt_auth_parse_challenges("Basic realm=\"a \\\"q\\\" b, c\"", &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].realm, "a \"q\" b, c");
	assert_string_equal(rt_auth_pick(&c)->scheme, "basic");
	rt_auth_challenges_free(&c);
	/* An unterminated quote is malformed. */
	assert_int_equal(rt_auth_parse_challenges("Bearer realm=\"https://x", &c), -1);
	rt_auth_challenges_free(&c);
	/* Nothing usable. */
	assert_int_equal(rt_auth_parse_challenges("Digest realm=x, nonce=\"y\"", &c), 0);
	assert_null(rt_auth_pick(&c));
	rt_auth_challenges_free(&c);
}

static void test_decode(void **state)
{
	(void)state;
	struct gk_err err;
	struct rt_creds cr;
	assert_int_equal(rt_auth_decode("dXNlcjpwYTpzcw==", &cr, &err), 0); /* user:pa:ss */
	assert_string_equal(cr.user, "user");
	assert_string_equal(cr.pass, "pa:ss");
	_cleanup_free_ char *b = rt_auth_basic_value(&cr);
	assert_string_equal(b, "dXNlcjpwYTpzcw==");
	rt_creds_free(&cr);
	assert_int_equal(rt_auth_decode("YTpi", &cr, &err), 0); /* a:b, no padding */
	assert_string_equal(cr.user, "a");
	assert_string_equal(cr.pass, "b");
	rt_creds_free(&cr);
	assert_int_equal(rt_auth_decode("bm9jb2xvbg==", &cr, &err), -1); /* "nocolon" */
	assert_int_equal(rt_auth_decode("!!!!", &cr, &err), -1);
	assert_int_equal(rt_auth_decode("abc", &cr, &err), -1);
	assert_int_equal(rt_auth_decode("", &cr, &err), -1);
}

static void test_config_lookup(void **state)
{
	(void)state;
	struct gk_err err;
	const char *doc = "{\"auths\":{"
			  "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOnNlY3JldA==\"},"
			  "\"http://127.0.0.1:5000\":{\"auth\":\"bG9jYWw6cHc=\"},"
			  "\"other.example:443/v2/\":{\"username\":\"u\",\"password\":\"p\"},"
			  "\"bad.example\":{\"auth\":\"%%%\"}}}";
	_cleanup_json_ json_object *cfg = NULL;
	assert_int_equal(gk_json_parse(doc, strlen(doc), "test", &cfg, &err), 0);
	struct rt_creds cr;
	assert_int_equal(rt_auth_creds_from_config(cfg, "docker.io", &cr, &err), 1);
	assert_string_equal(cr.user, "hub");
	assert_string_equal(cr.pass, "secret");
	rt_creds_free(&cr);
	assert_int_equal(rt_auth_creds_from_config(cfg, "127.0.0.1:5000", &cr, &err), 1);
	assert_string_equal(cr.user, "local");
	assert_string_equal(cr.pass, "pw");
	rt_creds_free(&cr);
	assert_int_equal(rt_auth_creds_from_config(cfg, "other.example:443", &cr, &err), 1);
	assert_string_equal(cr.user, "u");
	rt_creds_free(&cr);
	/* Port matters; unknown hosts have none. */
	assert_int_equal(rt_auth_creds_from_config(cfg, "127.0.0.1:5001", &cr, &err), 0);
	assert_int_equal(rt_auth_creds_from_config(cfg, "quay.io", &cr, &err), 0);
	assert_int_equal(rt_auth_creds_from_config(cfg, "bad.example", &cr, &err), -1);
}

static void test_load_from_docker_config(void **state)
{
	(void)state;
	char dir[] = "/tmp/gk-auth-XXXXXX";
	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *p = gk_strdup_printf("%s/config.json", dir);
	const char *doc = "{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"YTpi\"}}}";
	struct gk_err err;
	assert_int_equal(gk_write_file_atomic(p, doc, strlen(doc), 0600, &err), 0);
	setenv("DOCKER_CONFIG", dir, 1);
	struct rt_creds cr;
	assert_int_equal(rt_auth_load_creds("127.0.0.1:5000", &cr, &err), 1);
	assert_string_equal(cr.user, "a");
	rt_creds_free(&cr);
	unlink(p);
	assert_int_equal(rt_auth_load_creds("127.0.0.1:5000", &cr, &err), 0);
	rmdir(dir);
	unsetenv("DOCKER_CONFIG");
}

static void test_token_response(void **state)
{
	(void)state;
	struct gk_err err;
	char *t = NULL;
	int64_t e = 0;
	const char *a = "{\"token\":\"abc\",\"expires_in\":300}";
	assert_int_equal(rt_auth_parse_token(a, strlen(a), &t, &e, &err), 0);
	assert_string_equal(t, "abc");
	assert_int_equal(e, 300);
	free(t);
	const char *b = "{\"access_token\":\"xyz\"}";
	assert_int_equal(rt_auth_parse_token(b, strlen(b), &t, &e, &err), 0);
	assert_string_equal(t, "xyz");
	assert_int_equal(e, 60);
	free(t);
	const char *c = "{\"token\":\"\",\"expires_in\":5}";
	assert_int_equal(rt_auth_parse_token(c, strlen(c), &t, &e, &err), -1);
	assert_int_equal(rt_auth_parse_token("nope", 4, &t, &e, &err), -1);
}

static void test_creds_policy(void **state)
{
	(void)state;
	/* Requests: the registry's own host and port only. */
	assert_true(rt_auth_creds_allowed("https://r.example", "https://r.example/v2/x", 0, 0));
	assert_false(rt_auth_creds_allowed("https://r.example", "https://cdn.example/b", 0, 0));
	assert_false(
	    rt_auth_creds_allowed("https://r.example", "https://r.example:8443/v2/", 0, 0));
	assert_false(rt_auth_creds_allowed("https://r.example", "http://r.example/v2/x", 0, 0));
	assert_false(
	    rt_auth_creds_allowed("http://127.0.0.1:5000", "http://127.0.0.1:5000/v2/", 0, 0));
	assert_true(
	    rt_auth_creds_allowed("http://127.0.0.1:5000", "http://127.0.0.1:5000/v2/", 1, 0));
	assert_false(
	    rt_auth_creds_allowed("http://127.0.0.1:5000", "http://127.0.0.1:5001/v2/", 1, 0));
	assert_false(rt_auth_creds_allowed("https://r.example", "file:///etc/passwd", 1, 0));
	/* Realms: https anywhere (auth.docker.io), http never for an https registry. */
	assert_true(rt_auth_creds_allowed("https://registry-1.docker.io",
					  "https://auth.docker.io/token", 0, 1));
	assert_false(rt_auth_creds_allowed("https://r.example", "http://r.example/token", 0, 1));
	assert_false(rt_auth_creds_allowed("https://r.example", "http://r.example/token", 1, 1));
	assert_true(
	    rt_auth_creds_allowed("http://127.0.0.1:5000", "http://127.0.0.1:6000/t", 1, 1));
	assert_false(rt_auth_creds_allowed("http://127.0.0.1:5000", "http://10.0.0.1/t", 1, 1));
	assert_false(rt_auth_creds_allowed("http://127.0.0.1:5000", "http://127.0.0.1/t", 0, 1));
}

static void test_token_cache(void **state)
{
	(void)state;
	struct rt_token_cache *c = rt_token_cache_new();
	assert_null(rt_token_cache_get(c, "https://r", "repository:a:pull"));
	rt_token_cache_put(c, "https://r", "repository:a:pull", "t1", 60);
	rt_token_cache_put(c, "https://r", "repository:b:pull", "t2", 60);
	rt_token_cache_put(c, "https://s", "repository:a:pull", "t3", 60);
	assert_string_equal(rt_token_cache_get(c, "https://r", "repository:a:pull"), "t1");
	assert_string_equal(rt_token_cache_get(c, "https://r", "repository:b:pull"), "t2");
	assert_string_equal(rt_token_cache_get(c, "https://s", "repository:a:pull"), "t3");
	rt_token_cache_put(c, "https://r", "repository:a:pull", "t4", 60);
	assert_string_equal(rt_token_cache_get(c, "https://r", "repository:a:pull"), "t4");
	rt_token_cache_drop(c, "https://r", "repository:a:pull");
	assert_null(rt_token_cache_get(c, "https://r", "repository:a:pull"));
	assert_string_equal(rt_token_cache_get(c, "https://s", "repository:a:pull"), "t3");
	/* Expired (expires_in 0): gone at once. */
	rt_token_cache_put(c, "https://x", "s", "old", 0);
	assert_null(rt_token_cache_get(c, "https://x", "s"));
	rt_token_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_single_bearer),
	    cmocka_unit_test(test_commas_in_scope_and_several),
	    cmocka_unit_test(test_quoted_escapes_and_pick_basic),
	    cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_config_lookup),
	    cmocka_unit_test(test_load_from_docker_config),
	    cmocka_unit_test(test_token_response),
	    cmocka_unit_test(test_creds_policy),
	    cmocka_unit_test(test_token_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
