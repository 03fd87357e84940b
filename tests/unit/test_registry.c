/* Unit tests for runtime/registry.c without a network: the daemon.json-style
 * configuration, platforms, manifest media types and index selection. */
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
#include "runtime/registry.h"

static json_object *J(const char *s)
{
	struct gk_err err;
	json_object *o = NULL;
	if (gk_json_parse(s, strlen(s), "test", &o, &err) < 0)
		fail_msg("bad test JSON: %s", err.msg);
	return o;
}

static void test_config(void **state)
{
	(void)state;
	struct gk_err err;
	struct rt_reg_config c;
	_cleanup_json_ json_object *o = J("{\"registry-mirrors\":[\"http://127.0.0.1:5000/\"],"
					  "\"insecure-registries\":[\"reg.lan:5000\"]}");
	assert_int_equal(rt_reg_config_from_json(o, &c, &err), 0);
	assert_string_equal(c.mirrors[0], "http://127.0.0.1:5000");
	assert_null(c.mirrors[1]);
	assert_true(rt_reg_config_is_insecure(&c, "reg.lan:5000"));
	assert_false(rt_reg_config_is_insecure(&c, "reg.lan:5001"));
	assert_false(rt_reg_config_is_insecure(&c, "quay.io"));
	/* Loopback is insecure by default, as in Docker. */
	assert_true(rt_reg_config_is_insecure(&c, "127.0.0.1:5000"));
	assert_true(rt_reg_config_is_insecure(&c, "127.3.2.1"));
	assert_true(rt_reg_config_is_insecure(&c, "localhost:5000"));
	assert_true(rt_reg_config_is_insecure(&c, "[::1]:5000"));
	assert_false(rt_reg_config_is_insecure(&c, "128.0.0.1:5000"));
	rt_reg_config_free(&c);

	_cleanup_json_ json_object *bad = J("{\"registry-mirrors\":[\"file:///x\"]}");
	assert_int_equal(rt_reg_config_from_json(bad, &c, &err), -1);
	_cleanup_json_ json_object *bad2 = J("{\"insecure-registries\":\"x\"}");
	assert_int_equal(rt_reg_config_from_json(bad2, &c, &err), -1);

	/* A missing file is an empty configuration; $GOCKER_CONFIG is read. */
	assert_int_equal(rt_reg_config_load("/nonexistent/config.json", &c, &err), 0);
	assert_null(c.mirrors[0]);
	rt_reg_config_free(&c);
	char path[] = "/tmp/gk-regcfg-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *doc = "{\"insecure-registries\":[\"a.b:1\"]}";
	assert_int_equal(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
	close(fd);
	setenv("GOCKER_CONFIG", path, 1);
	assert_int_equal(rt_reg_config_load(NULL, &c, &err), 0);
	assert_true(rt_reg_config_is_insecure(&c, "a.b:1"));
	rt_reg_config_free(&c);
	unsetenv("GOCKER_CONFIG");
	unlink(path);
}

static void test_platform_parse(void **state)
{
	(void)state;
	struct gk_err err;
	struct rt_platform p;
	char buf[64];
	assert_int_equal(rt_platform_parse("linux/arm64", &p, &err), 0);
	rt_platform_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "linux/arm64");
	assert_int_equal(rt_platform_parse("linux/arm64/v8", &p, &err), 0);
	rt_platform_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "linux/arm64");
	assert_int_equal(rt_platform_parse("Linux/x86_64", &p, &err), 0);
	rt_platform_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "linux/amd64");
	assert_int_equal(rt_platform_parse("linux/arm/v7", &p, &err), 0);
	rt_platform_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "linux/arm/v7");
	assert_int_equal(rt_platform_parse("linux", &p, &err), -1);
	assert_int_equal(rt_platform_parse("/amd64", &p, &err), -1);
	assert_int_equal(rt_platform_parse("linux/", &p, &err), -1);
	assert_int_equal(rt_platform_parse("linux/arm/v7/x", &p, &err), -1);
	rt_platform_host(&p);
	assert_string_equal(p.os, "linux");
	assert_true(p.arch[0] != '\0');
}

static const char *INDEX =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
    "\"manifests\":["
    "{\"digest\":\"sha256:1111111111111111111111111111111111111111111111111111111111111111\","
    "\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}},"
    "{\"digest\":\"sha256:2222222222222222222222222222222222222222222222222222222222222222\","
    "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"},"
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
    "{\"digest\":\"sha256:3333333333333333333333333333333333333333333333333333333333333333\","
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v6\"}},"
    "{\"digest\":\"sha256:4444444444444444444444444444444444444444444444444444444444444444\","
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}},"
    "{\"digest\":\"sha256:5555555555555555555555555555555555555555555555555555555555555555\","
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
    "{\"digest\":\"sha256:6666666666666666666666666666666666666666666666666666666666666666\","
    "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";

static char select_digit(json_object *idx, const char *platform)
{
	struct gk_err err;
	struct rt_platform p;
	if (rt_platform_parse(platform, &p, &err) < 0)
		fail_msg("%s", err.msg);
	json_object *d = NULL;
	if (rt_index_select(idx, &p, &d, &err) < 0)
		return 0;
	return gk_json_str(d, "digest")[7];
}

static void test_index_select(void **state)
{
	(void)state;
	_cleanup_json_ json_object *idx = J(INDEX);
	/* The attestation entry (2) is skipped even though it says linux/amd64. */
	assert_int_equal(select_digit(idx, "linux/amd64"), '6');
	assert_int_equal(select_digit(idx, "linux/arm/v7"), '4');
	assert_int_equal(select_digit(idx, "linux/arm/v6"), '3');
	assert_int_equal(select_digit(idx, "linux/arm64"), '5');
	assert_int_equal(select_digit(idx, "linux/aarch64"), '5');
	assert_int_equal(select_digit(idx, "linux/s390x"), 0);
	assert_int_equal(select_digit(idx, "unknown/unknown"), 0);
	struct gk_err err;
	struct rt_platform p;
	json_object *d = NULL;
	rt_platform_parse("linux/riscv64", &p, &err);
	assert_int_equal(rt_index_select(idx, &p, &d, &err), -1);
	assert_string_equal(err.msg,
			    "no matching manifest for linux/riscv64 in the manifest list entries");
}

static int classify(const char *ct, const char *doc, enum rt_manifest_kind *k, char *msg,
		    size_t len)
{
	_cleanup_json_ json_object *o = J(doc);
	struct gk_err err = {0};
	int rc = rt_manifest_classify(ct, o, k, &err);
	size_t n = strnlen(err.msg, len - 1);
	memcpy(msg, err.msg, n);
	msg[n] = 0;
	return rc;
}

static void test_media_types(void **state)
{
	(void)state;
	enum rt_manifest_kind k;
	char m[512];
	const char *oci_m = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image."
			    "manifest.v1+json\",\"config\":{},\"layers\":[]}";
	const char *docker_m = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker."
			       "distribution.manifest.v2+json\",\"config\":{},\"layers\":[]}";
	const char *list = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker."
			   "distribution.manifest.list.v2+json\",\"manifests\":[]}";
	const char *bare = "{\"schemaVersion\":2,\"config\":{},\"layers\":[]}";
	assert_int_equal(classify("application/vnd.oci.image.manifest.v1+json", oci_m, &k, m, 512),
			 0);
	assert_int_equal(k, RT_MANIFEST_IMAGE);
	assert_int_equal(classify("application/vnd.docker.distribution.manifest.v2+json; "
				  "charset=utf-8",
				  docker_m, &k, m, 512),
			 0);
	assert_int_equal(k, RT_MANIFEST_IMAGE);
	assert_int_equal(
	    classify("application/vnd.docker.distribution.manifest.list.v2+json", list, &k, m, 512),
	    0);
	assert_int_equal(k, RT_MANIFEST_INDEX);
	assert_int_equal(classify(NULL, bare, &k, m, 512), 0);
	assert_int_equal(k, RT_MANIFEST_IMAGE);
	assert_int_equal(classify("application/vnd.oci.image.index.v1+json",
				  "{\"schemaVersion\":2,\"manifests\":[]}", &k, m, 512),
			 0);
	assert_int_equal(k, RT_MANIFEST_INDEX);

	/* Refused: schema1, text/plain, mismatches, both manifests and layers. */
	assert_int_equal(classify("application/vnd.docker.distribution.manifest.v1+prettyjws",
				  "{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}", &k, m,
				  512),
			 -1);
	assert_non_null(strstr(m, "schema1"));
	assert_int_equal(classify("application/json",
				  "{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}", &k, m,
				  512),
			 -1);
	assert_non_null(strstr(m, "schema1"));
	assert_int_equal(classify("text/plain", bare, &k, m, 512), -1);
	assert_non_null(strstr(m, "text/plain"));
	assert_int_equal(classify("application/vnd.oci.image.index.v1+json", oci_m, &k, m, 512),
			 -1);
	assert_non_null(strstr(m, "does not match"));
	assert_int_equal(
	    classify(NULL, "{\"schemaVersion\":2,\"manifests\":[],\"layers\":[],\"config\":{}}", &k,
		     m, 512),
	    -1);
	assert_non_null(strstr(m, "both"));
	assert_int_equal(classify(NULL, "{\"schemaVersion\":2,\"layers\":[]}", &k, m, 512), -1);
	assert_int_equal(classify(NULL, "{\"schemaVersion\":3,\"layers\":[]}", &k, m, 512), -1);
	assert_int_equal(classify(NULL,
				  "{\"schemaVersion\":2,\"mediaType\":\"application/"
				  "vnd.example+json\",\"config\":{},\"layers\":[]}",
				  &k, m, 512),
			 -1);
	assert_non_null(strstr(rt_manifest_accept, "application/vnd.oci.image.index.v1+json"));
	assert_non_null(strstr(rt_manifest_accept, "application/vnd.oci.image.manifest.v1+json"));
	assert_non_null(strstr(rt_manifest_accept,
			       "application/vnd.docker.distribution.manifest.list.v2+json"));
	assert_non_null(
	    strstr(rt_manifest_accept, "application/vnd.docker.distribution.manifest.v2+json"));
	assert_null(strstr(rt_manifest_accept, "distribution.manifest.v1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_platform_parse),
	    cmocka_unit_test(test_index_select),
	    cmocka_unit_test(test_media_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
