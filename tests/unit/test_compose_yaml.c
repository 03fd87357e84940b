/* The YAML node layer: locations, anchors, merge keys, duplicates, limits. */
#include "compose_test.h"

#include "supervisor/sv_yaml.h"

static struct sv_doc *parse_ok(const char *s)
{
	struct sv_doc *d = NULL;
	struct gk_err err = {0};
	if (sv_yaml_parse("f.yml", s, strlen(s), &d, &err) < 0)
		fail_msg("parse: %s", err.msg);
	return d;
}

static void parse_err(const char *s, size_t len, const char *want)
{
	struct sv_doc *d = NULL;
	struct gk_err err = {0};
	if (sv_yaml_parse("f.yml", s, len, &d, &err) == 0) {
		sv_doc_free(d);
		fail_msg("expected error %s", want);
	}
	if (!strstr(err.msg, want))
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
}

static void test_locations(void **state)
{
	(void)state;
	struct sv_doc *d = parse_ok("services:\n  web:\n    image: busybox\n    ports:\n"
				    "      - \"80:80\"\n");
	struct sv_node *web = sv_map_get(sv_map_get(d->root, "services"), "web");
	assert_non_null(web);
	struct sv_node *img = sv_map_get(web, "image");
	assert_int_equal(img->loc.line, 3);
	assert_int_equal(img->loc.col, 12);
	struct sv_node *ports = sv_map_get(web, "ports");
	assert_int_equal(ports->vals[0]->loc.line, 5);
	assert_int_equal(ports->vals[0]->loc.col, 9);
	assert_true(ports->vals[0]->quoted);
	assert_string_equal(img->loc.file, "f.yml");
	sv_doc_free(d);
}

static void test_scalars(void **state)
{
	(void)state;
	struct sv_doc *d = parse_ok("a: no\nb: \"no\"\nc:\nd: ~\ne: null\nf: 'x'\ng: |\n  lit\n");
	int b = -1;
	assert_true(sv_node_is_bool(sv_map_get(d->root, "a"), &b));
	assert_int_equal(b, 0);
	assert_false(sv_node_is_bool(sv_map_get(d->root, "b"), &b));
	assert_int_equal(sv_map_get(d->root, "c")->kind, SV_NULL);
	assert_int_equal(sv_map_get(d->root, "d")->kind, SV_NULL);
	assert_int_equal(sv_map_get(d->root, "e")->kind, SV_NULL);
	assert_true(sv_map_get(d->root, "f")->quoted);
	assert_string_equal(sv_map_get(d->root, "g")->str, "lit\n");
	sv_doc_free(d);
}

static void test_anchors_and_merge(void **state)
{
	(void)state;
	struct sv_doc *d = parse_ok("base: &b\n  x: 1\n  y: 2\n"
				    "other: &o\n  z: 3\n"
				    "one:\n  <<: *b\n  y: 20\n"
				    "two:\n  <<: [*b, *o]\n"
				    "list: &l [a, b]\ncopy: *l\n");
	struct sv_node *one = sv_map_get(d->root, "one");
	assert_string_equal(sv_map_get(one, "x")->str, "1");
	assert_string_equal(sv_map_get(one, "y")->str, "20"); /* explicit key wins */
	assert_null(sv_map_get(one, "<<"));
	struct sv_node *two = sv_map_get(d->root, "two");
	assert_string_equal(sv_map_get(two, "z")->str, "3");
	assert_int_equal(sv_map_get(d->root, "copy")->n, 2);
	sv_doc_free(d);
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	const char *s = "services:\n  web:\n    image: a\n    image: b\n";
	parse_err(s, strlen(s), "f.yml:4:5: mapping key \"image\" already defined at line 3");
}

static void test_not_a_mapping(void **state)
{
	(void)state;
	parse_err("- a\n- b\n", 8, "f.yml:1:1: top-level object must be a mapping, not a sequence");
	parse_err("hello\n", 6, "top-level object must be a mapping, not a scalar");
	parse_err("", 0, "f.yml: empty compose file");
	parse_err("# only a comment\n", 17, "empty compose file");
	parse_err("---\n", 4, "empty compose file");
	parse_err("a: 1\n---\nb: 2\n", 14, "multiple YAML documents");
}

static void test_tabs_and_utf8(void **state)
{
	(void)state;
	const char *tab = "services:\n\tweb:\n";
	parse_err(tab, strlen(tab),
		  "f.yml:2:1: found a tab character where indentation is expected");
	const char bad[] = "a: b\nc: \xff\xfe\n";
	parse_err(bad, sizeof(bad) - 1, "f.yml:2:4: invalid UTF-8");
	const char nul[] = "a: b\0c\n";
	parse_err(nul, sizeof(nul) - 1, "f.yml:1:5: invalid UTF-8 (or NUL byte)");
	const char ok[] = "a: \"h\xc3\xa9llo \xe2\x82\xac\"\n";
	struct sv_doc *d = parse_ok(ok);
	sv_doc_free(d);
	parse_err("a: [1, 2\n", 9, "f.yml:");
	parse_err("a: *nope\n", 9, "unknown anchor");
}

static void test_billion_laughs(void **state)
{
	(void)state;
	char buf[4096];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "a: &a [x, x, x, x, x, x, x, x, x, x]\n");
	for (char c = 'b'; c <= 'j'; c++)
		n += (size_t)snprintf(
		    buf + n, sizeof(buf) - n,
		    "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c, c, c - 1,
		    c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
	parse_err(buf, n, "document too large: more than 100000 nodes");
}

static void test_deep_nesting(void **state)
{
	(void)state;
	size_t depth = 100000;
	char *s = malloc(2 * depth + 1);
	memset(s, '[', depth);
	memset(s + depth, ']', depth);
	s[2 * depth] = 0;
	parse_err(s, 2 * depth, "nesting too deep (more than 64 levels)");
	memset(s, ' ', 2 * depth);
	char *p = s;
	for (int i = 0; i < 70; i++)
		p += sprintf(p, "%*sa:\n", i, "");
	parse_err(s, strlen(s), "nesting too deep");
	free(s);
}

static void test_huge_scalar(void **state)
{
	(void)state;
	size_t n = 2 * 1024 * 1024;
	char *s = malloc(n + 16);
	memcpy(s, "a: ", 3);
	memset(s + 3, 'x', n);
	s[n + 3] = '\n';
	parse_err(s, n + 4, "scalar too long");
	free(s);
	parse_err("a: b\n", SV_YAML_MAX_DOC + 1, "file too large");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_locations),	      cmocka_unit_test(test_scalars),
	    cmocka_unit_test(test_anchors_and_merge), cmocka_unit_test(test_duplicate_keys),
	    cmocka_unit_test(test_not_a_mapping),     cmocka_unit_test(test_tabs_and_utf8),
	    cmocka_unit_test(test_billion_laughs),    cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_huge_scalar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
