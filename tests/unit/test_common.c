/* Unit tests for common/: sizes, durations, human output, atomic writes, locks, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/err.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/lock.h"
#include "common/units.h"

static int64_t bytes_ok(const char *s)
{
	struct gk_err err;
	int64_t v = -1;
	if (gk_parse_bytes(s, &v, &err) < 0)
		fail_msg("gk_parse_bytes(%s): %s", s, err.msg);
	return v;
}

static void test_parse_bytes(void **state)
{
	(void)state;
	assert_int_equal(bytes_ok("100"), 100);
	assert_int_equal(bytes_ok("512m"), 512LL << 20);
	assert_int_equal(bytes_ok("512M"), 512LL << 20);
	assert_int_equal(bytes_ok("1.5g"), 3LL << 29);
	assert_int_equal(bytes_ok("1gb"), 1LL << 30);
	assert_int_equal(bytes_ok("1GiB"), 1LL << 30);
	assert_int_equal(bytes_ok("32 MB"), 32LL << 20);
	assert_int_equal(bytes_ok("2k"), 2048);
	assert_int_equal(bytes_ok("2b"), 2);
	struct gk_err err;
	int64_t v;
	const char *bad[] = {"", "abc", "-1", "1x", "1e3", "0x10", "1mm", "m", " 1m", "1.2.3z"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(gk_parse_bytes(bad[i], &v, &err), -1);
		assert_non_null(strstr(err.msg, "invalid size"));
	}
}

static int64_t dur_ok(const char *s)
{
	struct gk_err err;
	int64_t v = -1;
	if (gk_parse_duration(s, &v, &err) < 0)
		fail_msg("gk_parse_duration(%s): %s", s, err.msg);
	return v;
}

static void test_parse_duration(void **state)
{
	(void)state;
	const int64_t s = 1000000000LL;
	assert_int_equal(dur_ok("0"), 0);
	assert_int_equal(dur_ok("1m30s"), 90 * s);
	assert_int_equal(dur_ok("250ms"), 250000000LL);
	assert_int_equal(dur_ok("1.5h"), 5400 * s);
	assert_int_equal(dur_ok("-2s"), -2 * s);
	assert_int_equal(dur_ok("10us"), 10000);
	assert_int_equal(dur_ok("10\xc2\xb5s"), 10000);
	assert_int_equal(dur_ok("1h2m3s4ms5us6ns"), 3723 * s + 4005006);
	assert_int_equal(dur_ok(".5s"), s / 2);
	struct gk_err err;
	int64_t v;
	const char *bad[] = {"", "1", "s", "1x", "1.s.", "--1s", "1s 2s", "."};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(gk_parse_duration(bad[i], &v, &err), -1);
	assert_int_equal(gk_parse_duration("1", &v, &err), -1);
	assert_non_null(strstr(err.msg, "missing unit"));
}

static void test_format_duration(void **state)
{
	(void)state;
	char buf[64];
	const struct {
		int64_t ns;
		const char *want;
	} cases[] = {
	    {0, "0s"},
	    {1, "1ns"},
	    {1500, "1.5\xc2\xb5s"},
	    {250000000, "250ms"},
	    {90000000000LL, "1m30s"},
	    {3600000000000LL, "1h0m0s"},
	    {1500000000, "1.5s"},
	    {-2000000000, "-2s"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gk_format_duration(cases[i].ns, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
}

static void test_human(void **state)
{
	(void)state;
	char buf[64];
	gk_human_size(4860000, 3, buf, sizeof(buf));
	assert_string_equal(buf, "4.86MB");
	gk_human_size(999, 3, buf, sizeof(buf));
	assert_string_equal(buf, "999B");
	gk_human_size(1200, 4, buf, sizeof(buf));
	assert_string_equal(buf, "1.2kB");
	const struct {
		int64_t s;
		const char *want;
	} cases[] = {
	    {0, "Less than a second"}, {1, "1 second"},		 {59, "59 seconds"},
	    {60, "About a minute"},    {300, "5 minutes"},	 {3600, "About an hour"},
	    {7200, "2 hours"},	       {86400 * 3, "3 days"},	 {86400 * 15, "2 weeks"},
	    {86400 * 90, "3 months"},  {86400 * 800, "2 years"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gk_human_duration(cases[i].s, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
}

static void test_time_roundtrip(void **state)
{
	(void)state;
	struct timespec ts = {.tv_sec = 1700000000, .tv_nsec = 123456789}, back;
	char buf[64];
	gk_format_time(&ts, buf, sizeof(buf));
	assert_string_equal(buf, "2023-11-14T22:13:20.123456789Z");
	assert_int_equal(gk_parse_time(buf, &back), 0);
	assert_int_equal(back.tv_sec, ts.tv_sec);
	assert_int_equal(back.tv_nsec, ts.tv_nsec);
	assert_int_equal(gk_parse_time("2023-11-14T23:13:20+01:00", &back), 0);
	assert_int_equal(back.tv_sec, 1700000000);
	assert_int_equal(gk_parse_time("yesterday", &back), -1);
	gk_format_time_cli(ts.tv_sec, buf, sizeof(buf));
	assert_string_equal(buf, "2023-11-14 22:13:20 +0000 UTC");
}

static void test_atomic_write_and_read(void **state)
{
	(void)state;
	char dir[] = "/tmp/gk-unit-XXXXXX";
	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *path = gk_strdup_printf("%s/a/b/file", dir);
	_cleanup_free_ char *parent = gk_strdup_printf("%s/a/b", dir);
	struct gk_err err;
	assert_int_equal(gk_mkdir_p(parent, 0700, &err), 0);
	assert_int_equal(gk_mkdir_p(parent, 0700, &err), 0); /* idempotent */
	assert_int_equal(gk_write_file_atomic(path, "hello", 5, 0640, &err), 0);
	/* a file where a directory should be, as the last or an inner part */
	_cleanup_free_ char *under_file = gk_strdup_printf("%s/x/y", path);
	assert_int_equal(gk_mkdir_p(path, 0700, &err), -1);
	assert_int_equal(err.errnum, ENOTDIR);
	assert_int_equal(gk_mkdir_p(under_file, 0700, &err), -1);
	assert_non_null(strstr(err.msg, "mkdir"));
	assert_int_equal(gk_write_file_atomic(path, "world!", 6, 0640, &err), 0);
	char *buf = NULL;
	size_t len = 0;
	assert_int_equal(gk_read_file(path, 100, &buf, &len, &err), 0);
	assert_int_equal(len, 6);
	assert_string_equal(buf, "world!");
	free(buf);
	assert_int_equal(gk_read_file(path, 3, &buf, &len, &err), -1);
	assert_non_null(strstr(err.msg, "larger than"));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	/* no temp files left next to it */
	_cleanup_closedir_ DIR *d = opendir(parent);
	int entries = 0;
	for (struct dirent *e; (e = readdir(d));)
		entries += e->d_name[0] != '.';
	assert_int_equal(entries, 1);
	assert_int_equal(gk_read_file("/nonexistent/x", 10, &buf, &len, &err), -1);
	assert_non_null(strstr(err.msg, "open /nonexistent/x"));
	assert_int_equal(err.errnum, ENOENT);
	assert_int_equal(gk_remove_tree(dir, &err), 0);
	assert_false(gk_path_exists(dir));
	assert_int_equal(gk_remove_tree(dir, &err), 0); /* missing is fine */
}

/* One directory deeper from *fd, made and opened relative to it: the tests
 * below build trees no full path could reach. */
static void mkdir_down(int *fd, const char *name)
{
	assert_int_equal(mkdirat(*fd, name, 0755), 0);
	int next = openat(*fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(next >= 0);
	close(*fd);
	*fd = next;
}

static void touch_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

/* A layer may hold paths close to PATH_MAX below the store's prefix: the
 * removal must not need a full path to anything, nor an fd per level, and
 * must remove symlinks out of the tree, not what they point to (and other
 * file types as files). */
static void test_remove_tree_beyond_path_max(void **state)
{
	(void)state;
	char top[] = "/tmp/gk-rmtree-XXXXXX";
	assert_non_null(mkdtemp(top));
	_cleanup_free_ char *tree = gk_strdup_printf("%s/tree", top);
	_cleanup_free_ char *outside = gk_strdup_printf("%s/outside", top);
	_cleanup_free_ char *kept = gk_strdup_printf("%s/kept", outside);
	struct gk_err err;
	assert_int_equal(mkdir(tree, 0755), 0);
	assert_int_equal(mkdir(outside, 0755), 0);
	assert_int_equal(gk_write_file_atomic(kept, "kept\n", 5, 0644, &err), 0);
	char name[251];
	memset(name, 'd', 250);
	name[250] = '\0';
	int fd = open(tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	for (int i = 0; i < 24; i++) { /* over 6000 bytes deep */
		touch_at(fd, "f");
		mkdir_down(&fd, name);
	}
	assert_int_equal(symlinkat(outside, fd, "to-dir"), 0);
	assert_int_equal(symlinkat(kept, fd, "to-file"), 0);
	assert_int_equal(mkfifoat(fd, "fifo", 0644), 0);
	for (int i = 0; i < 100; i++) /* deeper than the fd limit below */
		mkdir_down(&fd, "s");
	touch_at(fd, "leaf");
	close(fd);

	struct rlimit old, few;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	few = old;
	few.rlim_cur = 32;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &few), 0);
	int rc = gk_remove_tree(tree, &err);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	if (rc < 0)
		fail_msg("gk_remove_tree: %s", err.msg);
	assert_false(gk_path_exists(tree));
	char *buf = NULL;
	assert_int_equal(gk_read_file(kept, 100, &buf, NULL, &err), 0);
	assert_string_equal(buf, "kept\n");
	free(buf);
	assert_int_equal(gk_remove_tree(top, &err), 0);
}

/* Another filesystem mounted below is not emptied: the removal stops there
 * with EBUSY and names the mount point. */
static void test_remove_tree_stops_at_a_mount(void **state)
{
	(void)state;
	char top[] = "/tmp/gk-rmtree-XXXXXX";
	assert_non_null(mkdtemp(top));
	_cleanup_free_ char *m = gk_strdup_printf("%s/a/m", top);
	_cleanup_free_ char *inside = gk_strdup_printf("%s/inside", m);
	struct gk_err err;
	assert_int_equal(gk_mkdir_p(m, 0755, &err), 0);
	if (mount("gk-test", m, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") < 0) {
		gk_remove_tree(top, &err);
		skip(); /* not root */
	}
	assert_int_equal(gk_write_file_atomic(inside, "in\n", 3, 0644, &err), 0);
	int rc = gk_remove_tree(top, &err);
	int inside_kept = gk_path_exists(inside);
	assert_int_equal(umount2(m, MNT_DETACH), 0);
	assert_int_equal(rc, -1);
	assert_int_equal(err.errnum, EBUSY);
	assert_non_null(strstr(err.msg, m));
	assert_true(inside_kept);
	assert_int_equal(gk_remove_tree(top, &err), 0);
	assert_false(gk_path_exists(top));
}

/* A bind mount from the same filesystem has the tree's st_dev: it must stop
 * the walk all the same, and what it shows must survive. */
static void test_remove_tree_stops_at_a_bind_mount(void **state)
{
	(void)state;
	char top[] = "/tmp/gk-rmtree-XXXXXX";
	char src[] = "/tmp/gk-rmsrc-XXXXXX";
	assert_non_null(mkdtemp(top));
	assert_non_null(mkdtemp(src));
	_cleanup_free_ char *m = gk_strdup_printf("%s/a/m", top);
	_cleanup_free_ char *kept = gk_strdup_printf("%s/keep", src);
	struct gk_err err;
	assert_int_equal(gk_mkdir_p(m, 0755, &err), 0);
	assert_int_equal(gk_write_file_atomic(kept, "k\n", 2, 0644, &err), 0);
	if (mount(src, m, NULL, MS_BIND, NULL) < 0) {
		gk_remove_tree(top, &err);
		gk_remove_tree(src, &err);
		skip(); /* not root */
	}
	int rc = gk_remove_tree(top, &err);
	assert_int_equal(umount2(m, MNT_DETACH), 0);
	int src_kept = gk_path_exists(kept);
	assert_int_equal(gk_remove_tree(top, &(struct gk_err){0}), 0);
	assert_int_equal(gk_remove_tree(src, &(struct gk_err){0}), 0);
	assert_int_equal(rc, -1);
	assert_int_equal(err.errnum, EBUSY);
	assert_non_null(strstr(err.msg, m));
	assert_true(src_kept);
}

static void test_lock_excludes(void **state)
{
	(void)state;
	char path[] = "/tmp/gk-lock-XXXXXX";
	int tmp = mkstemp(path);
	assert_true(tmp >= 0);
	close(tmp);
	struct gk_err err;
	int fd = gk_lock(path, GK_LOCK_EXCLUSIVE, &err);
	assert_true(fd >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		/* a separate open file description must not get the lock */
		int r = gk_trylock(path, GK_LOCK_EXCLUSIVE, &err);
		_exit(r < 0 && err.errnum == EWOULDBLOCK ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	gk_unlock(fd);
	fd = gk_trylock(path, GK_LOCK_SHARED, &err);
	assert_true(fd >= 0);
	gk_unlock(fd);
	unlink(path);
}

static void test_err_wrap(void **state)
{
	(void)state;
	struct gk_err err;
	gk_err_set(&err, ENOENT, "open %s", "/x");
	gk_err_wrap(&err, "layer %d", 3);
	gk_err_wrap(&err, "load %s", "a.tar");
	assert_string_equal(err.msg, "load a.tar: layer 3: open /x: No such file or directory");
	assert_int_equal(err.errnum, ENOENT);
}

static void test_digest(void **state)
{
	(void)state;
	char hex[65];
	gk_sha256_hex("abc", 3, hex);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_true(gk_digest_valid(
	    "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	assert_false(gk_digest_valid(
	    "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
	assert_false(gk_digest_valid("sha256:../../x"));
	assert_false(gk_digest_valid("sha256:abc"));
	assert_false(gk_digest_valid(
	    "sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	char id[65];
	struct gk_err err;
	assert_int_equal(gk_random_hex(id, 32, &err), 0);
	assert_int_equal(strlen(id), 64);
}

static void test_json_helpers(void **state)
{
	(void)state;
	struct gk_err err;
	json_object *o = NULL;
	const char *doc = "{\"a\":\"x\",\"n\":5,\"l\":[\"p\",\"q\"]}";
	assert_int_equal(gk_json_parse(doc, strlen(doc), "t", &o, &err), 0);
	assert_string_equal(gk_json_str(o, "a"), "x");
	assert_null(gk_json_str(o, "n"));
	assert_int_equal(gk_json_int(o, "n", -1), 5);
	assert_int_equal(gk_json_int(o, "missing", -1), -1);
	char **v = gk_json_strv(gk_json_array(o, "l"));
	assert_int_equal(gk_strv_len(v), 2);
	assert_string_equal(v[1], "q");
	gk_strv_free(v);
	json_object_put(o);
	assert_int_equal(gk_json_parse("{\"a\":1} x", 9, "doc.json", &o, &err), -1);
	assert_non_null(strstr(err.msg, "doc.json: invalid JSON"));
	assert_int_equal(gk_json_parse("{\"a\":", 5, "doc.json", &o, &err), -1);
}

static void test_json_template(void **state)
{
	(void)state;
	struct gk_err err;
	json_object *o = NULL;
	const char *doc = "{\"Name\":\"/web\",\"State\":{\"Pid\":42,\"Running\":true}}";
	assert_int_equal(gk_json_parse(doc, strlen(doc), "t", &o, &err), 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_int_equal(gk_json_render_template(out,
						 "{{.Name}} {{.State.Pid}}\\t{{json .State}} "
						 "{{.Nope}}",
						 o, &err),
			 0);
	fclose(out);
	assert_string_equal(buf, "/web 42\t{\"Pid\":42,\"Running\":true} <no value>\n");
	free(buf);
	out = open_memstream(&buf, &len);
	assert_int_equal(gk_json_render_template(out, "{{.Name", o, &err), -1);
	assert_non_null(strstr(err.msg, "unclosed action"));
	assert_int_equal(gk_json_render_template(out, "{{printf .Name}}", o, &err), -1);
	assert_non_null(strstr(err.msg, "unsupported action"));
	fclose(out);
	free(buf);
	json_object_put(o);
}

static void test_json_print_inspect(void **state)
{
	(void)state;
	struct gk_err err;
	char *buf = NULL;
	size_t len = 0;
	json_object *arr = json_object_new_array();
	FILE *out = open_memstream(&buf, &len);
	assert_int_equal(gk_json_print_inspect(out, arr, NULL, &err), 0);
	fclose(out);
	assert_string_equal(buf, "[]\n");
	free(buf);
	json_object *a = json_object_new_object(), *b = json_object_new_object();
	json_object_object_add(a, "Id", json_object_new_string("a1"));
	json_object_object_add(b, "Id", json_object_new_string("b2"));
	json_object_array_add(arr, a);
	json_object_array_add(arr, b);
	out = open_memstream(&buf, &len);
	assert_int_equal(gk_json_print_inspect(out, arr, "{{.Id}}", &err), 0);
	fclose(out);
	assert_string_equal(buf, "a1\nb2\n");
	free(buf);
	out = open_memstream(&buf, &len);
	assert_int_equal(gk_json_print_inspect(out, arr, NULL, &err), 0);
	fclose(out);
	assert_non_null(strstr(buf, "\"Id\": \"b2\""));
	assert_int_equal(buf[0], '[');
	free(buf);
	json_object_put(arr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_bytes),
	    cmocka_unit_test(test_parse_duration),
	    cmocka_unit_test(test_format_duration),
	    cmocka_unit_test(test_human),
	    cmocka_unit_test(test_time_roundtrip),
	    cmocka_unit_test(test_atomic_write_and_read),
	    cmocka_unit_test(test_lock_excludes),
	    cmocka_unit_test(test_err_wrap),
	    cmocka_unit_test(test_digest),
	    cmocka_unit_test(test_json_helpers),
	    cmocka_unit_test(test_json_template),
	    cmocka_unit_test(test_json_print_inspect),
	    cmocka_unit_test(test_remove_tree_beyond_path_max),
	    cmocka_unit_test(test_remove_tree_stops_at_a_mount),
	    cmocka_unit_test(test_remove_tree_stops_at_a_bind_mount),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
