/* Interpolation (every form, nesting, $$, errors), .env syntax, shell split. */
#include "compose_test.h"

static struct sv_env test_env(void)
{
	struct sv_env e = {0};
	sv_env_set(&e, "FOO", "foo");
	sv_env_set(&e, "EMPTY", "");
	sv_env_set(&e, "PORT", "8080");
	return e;
}

static char *interp_ok(const char *in, char ***warnings)
{
	struct sv_env e = test_env();
	struct gk_err err = {0};
	char *out = NULL;
	if (sv_interpolate(in, &e, warnings, &out, &err) < 0)
		fail_msg("interpolate(%s): %s", in, err.msg);
	sv_env_free(&e);
	return out;
}

static void check(const char *in, const char *want)
{
	char *out = interp_ok(in, NULL);
	if (strcmp(out, want))
		fail_msg("interpolate(%s) = \"%s\", want \"%s\"", in, out, want);
	free(out);
}

static void check_err(const char *in, const char *want)
{
	struct sv_env e = test_env();
	struct gk_err err = {0};
	char *out = NULL;
	if (sv_interpolate(in, &e, NULL, &out, &err) == 0)
		fail_msg("interpolate(%s) should fail, gave %s", in, out);
	if (!strstr(err.msg, want))
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
	sv_env_free(&e);
}

static void test_forms(void **state)
{
	(void)state;
	check("plain", "plain");
	check("$FOO", "foo");
	check("${FOO}", "foo");
	check("a${FOO}b$FOO.c", "afoobfoo.c");
	check("${UNSET:-def}", "def");
	check("${EMPTY:-def}", "def");
	check("${EMPTY-def}", "");
	check("${UNSET-def}", "def");
	check("${FOO:-def}", "foo");
	check("${FOO:+alt}", "alt");
	check("${EMPTY:+alt}", "");
	check("${EMPTY+alt}", "alt");
	check("${UNSET+alt}", "");
	check("${FOO:?must}", "foo");
	check("${EMPTY?must}", "");
	check("$$", "$");
	check("$$FOO", "$FOO");
	check("$${FOO}", "${FOO}");
	check("price: $$5", "price: $5");
	check("${UNSET:-}", "");
	check("${UNSET:-a b c}", "a b c");
	check("${UNSET:-http://x:80/}", "http://x:80/");
}

static void test_nesting(void **state)
{
	(void)state;
	check("${UNSET:-${FOO}}", "foo");
	check("${UNSET:-${ALSO_UNSET:-deep}}", "deep");
	check("${UNSET:-x${PORT}y}", "x8080y");
	check("${FOO:+${PORT:-1}}", "8080");
	check("${UNSET:-$$}", "$");
	check_err("${UNSET:?${FOO} is required}",
		  "required variable UNSET is missing a value: foo is required");
}

static void test_unset_warning(void **state)
{
	(void)state;
	char **w = gk_malloc0(sizeof(char *));
	char *out = interp_ok("a${NOPE}b$NOPE", &w);
	assert_string_equal(out, "ab");
	assert_non_null(w[0]);
	assert_string_equal(w[0],
			    "The \"NOPE\" variable is not set. Defaulting to a blank string.");
	assert_null(w[1]); /* once per variable */
	free(out);
	gk_strv_free(w);
}

static void test_errors(void **state)
{
	(void)state;
	check_err("${UNSET:?boom}", "required variable UNSET is missing a value: boom");
	check_err("${EMPTY:?}", "required variable EMPTY is missing a value");
	check_err("${UNSET?}", "required variable UNSET is missing a value");
	check_err("${FOO", "invalid interpolation format");
	check_err("${}", "invalid interpolation format");
	check_err("${1X}", "invalid interpolation format");
	check_err("${FOO:x}", "invalid interpolation format");
	check_err("echo $1", "invalid interpolation format \"echo $1\"");
	check_err("trailing $", "you may need to escape any $ with another $");
	char deep[512] = "";
	for (int i = 0; i < 40; i++)
		strcat(deep, "${U:-");
	strcat(deep, "x");
	for (int i = 0; i < 40; i++)
		strcat(deep, "}");
	check_err(deep, "nested too deeply");
}

static struct sv_env dotenv_ok(const char *text)
{
	struct sv_env host = test_env(), out = {0};
	struct gk_err err = {0};
	if (sv_dotenv_parse(".env", text, strlen(text), &host, &out, &err) < 0)
		fail_msg("dotenv: %s", err.msg);
	sv_env_free(&host);
	return out;
}

static void test_dotenv(void **state)
{
	(void)state;
	struct sv_env e = dotenv_ok("# comment\n"
				    "\n"
				    "A=1\n"
				    "export B=two\n"
				    "C = spaced  \n"
				    "D=\"double \\\"q\\\" \\n ${A}\"\n"
				    "E='single ${A} \\n'\n"
				    "F=value # comment\n"
				    "G=a#b\n"
				    "H=${FOO}-${A}\n"
				    "I=\"multi\nline\"\n"
				    "FOO\n"
				    "NOT_ON_HOST\n"
				    "J=\n"
				    "K: yamlish\n"
				    "L=\"\\$A\"\n");
	assert_string_equal(sv_env_get(&e, "A"), "1");
	assert_string_equal(sv_env_get(&e, "B"), "two");
	assert_string_equal(sv_env_get(&e, "C"), "spaced");
	assert_string_equal(sv_env_get(&e, "D"), "double \"q\" \n 1");
	assert_string_equal(sv_env_get(&e, "E"), "single ${A} \\n");
	assert_string_equal(sv_env_get(&e, "F"), "value");
	assert_string_equal(sv_env_get(&e, "G"), "a#b");
	assert_string_equal(sv_env_get(&e, "H"), "foo-1");
	assert_string_equal(sv_env_get(&e, "I"), "multi\nline");
	assert_string_equal(sv_env_get(&e, "FOO"), "foo"); /* bare: from the host */
	assert_null(sv_env_get(&e, "NOT_ON_HOST"));
	assert_string_equal(sv_env_get(&e, "J"), "");
	assert_string_equal(sv_env_get(&e, "K"), "yamlish");
	assert_string_equal(sv_env_get(&e, "L"), "$A");
	sv_env_free(&e);
}

static void test_dotenv_errors(void **state)
{
	(void)state;
	const char *bad[][2] = {
	    {"A=\"unterminated\n", ".env:1: unterminated double-quoted value"},
	    {"A=1\nB='x\n", ".env:2: unterminated single-quoted value"},
	    {"=x\n", ".env:1: unexpected character"},
	    {"A B=1\n", ".env:1: key cannot contain a space"},
	    {"A=\"x\" y\n", "unexpected characters after the closing quote"},
	    {"A=${B:?needed}\n", ".env:1: required variable B is missing a value: needed"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sv_env host = test_env(), out = {0};
		struct gk_err err = {0};
		if (sv_dotenv_parse(".env", bad[i][0], strlen(bad[i][0]), &host, &out, &err) == 0)
			fail_msg("dotenv should fail: %s", bad[i][0]);
		if (!strstr(err.msg, bad[i][1]))
			fail_msg("error \"%s\" lacks \"%s\"", err.msg, bad[i][1]);
		sv_env_free(&host);
		sv_env_free(&out);
	}
}

static void split_check(const char *in, const char *const *want)
{
	char **v = NULL;
	struct gk_err err = {0};
	if (sv_shell_split(in, &v, &err) < 0)
		fail_msg("split(%s): %s", in, err.msg);
	size_t i = 0;
	for (; want[i]; i++) {
		if (!v[i] || strcmp(v[i], want[i]))
			fail_msg("split(%s)[%zu] = %s, want %s", in, i, v[i] ? v[i] : "(end)",
				 want[i]);
	}
	assert_null(v[i]);
	gk_strv_free(v);
}

static void test_shell_split(void **state)
{
	(void)state;
	split_check("httpd -f -p 80", (const char *[]){"httpd", "-f", "-p", "80", NULL});
	split_check("  a   b  ", (const char *[]){"a", "b", NULL});
	split_check("sh -c 'echo hi; exit 1'",
		    (const char *[]){"sh", "-c", "echo hi; exit 1", NULL});
	split_check("echo \"a \\\"b\\\" $x\"", (const char *[]){"echo", "a \"b\" $x", NULL});
	split_check("a\\ b c", (const char *[]){"a b", "c", NULL});
	split_check("''", (const char *[]){"", NULL});
	split_check("x\"y\"'z'", (const char *[]){"xyz", NULL});
	split_check("", (const char *[]){NULL});
	char **v = NULL;
	struct gk_err err = {0};
	assert_int_equal(sv_shell_split("echo 'oops", &v, &err), -1);
	assert_non_null(strstr(err.msg, "unterminated single quote"));
	assert_int_equal(sv_shell_split("echo \"oops", &v, &err), -1);
	assert_non_null(strstr(err.msg, "unterminated double quote"));
}

static void test_values_only(void **state)
{
	(void)state;
	/* keys are never interpolated; values are, in every section */
	struct sv_project *p = load_ok("services:\n"
				       "  web:\n"
				       "    image: busybox:${TAG}\n"
				       "    environment:\n"
				       "      $FOO: ${FOO}\n"
				       "    ports: [\"${PORT}:80\"]\n");
	const struct sv_service *s = svc(p, "web");
	assert_string_equal(s->image, "busybox:1.36");
	assert_string_equal(env_of(s, "$FOO"), "foo");
	assert_string_equal(s->ports[0].published, "8080");
	sv_project_free(p);
	p = load_ok("services:\n  web:\n    image: busybox\n    command: echo ${NOPE}\n");
	assert_true(
	    has_warning(p, "The \"NOPE\" variable is not set. Defaulting to a blank string."));
	sv_project_free(p);
	load_err("services:\n  web:\n    image: ${IMG:?set IMG}\n",
		 "stack.yml:3:12: services.web.image: required variable IMG is missing a value: "
		 "set IMG");
	load_err("services:\n  web:\n    image: busybox\n    command: echo $1\n",
		 "stack.yml:4:14: services.web.command: invalid interpolation format");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_forms),	  cmocka_unit_test(test_nesting),
	    cmocka_unit_test(test_unset_warning), cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_dotenv),	  cmocka_unit_test(test_dotenv_errors),
	    cmocka_unit_test(test_shell_split),	  cmocka_unit_test(test_values_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
