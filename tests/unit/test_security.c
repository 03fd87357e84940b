/* Unit tests for runtime/caps.c, masks.c and seccomp.c. What changes the
 * process (capabilities, seccomp, mounts) runs in a forked child, the mounts
 * in a private mount namespace of its own, so the host is never touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "runtime/security.h"

#define DEFAULT_CAPS 0xa80425fbULL

/* Run fn in a child; it returns 0 or the line that failed. */
static int in_child(int (*fn)(void))
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn());
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st))
		return 1000 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return __LINE__ % 250 + 1;                                                 \
	} while (0)

static uint64_t status_hex(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	uint64_t v = ~0ULL;
	size_t n = strlen(key);
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, key, n) == 0 && line[n] == ':')
			v = strtoull(line + n + 1, NULL, 16);
	if (f)
		fclose(f);
	return v;
}

static uint64_t compute(char **add, char **drop, int privileged)
{
	struct rt_security sec = {.cap_add = add, .cap_drop = drop, .privileged = privileged};
	struct gk_err err;
	uint64_t m = 0;
	if (rt_caps_compute(&sec, &m, &err) < 0)
		fail_msg("rt_caps_compute: %s", err.msg);
	return m;
}

static void test_caps_compute(void **state)
{
	(void)state;
	uint64_t all = (rt_caps_last() >= 63) ? ~0ULL : (1ULL << (rt_caps_last() + 1)) - 1;
	assert_int_equal(rt_caps_default(), DEFAULT_CAPS);
	assert_int_equal(compute(NULL, NULL, 0), DEFAULT_CAPS);
	assert_int_equal(compute(NULL, NULL, 1), all);
	char *add[] = {"NET_ADMIN", "cap_sys_time", "Sys_Ptrace", NULL};
	char *drop[] = {"CAP_CHOWN", "mknod", NULL};
	assert_int_equal(compute(add, drop, 0), (DEFAULT_CAPS | 1ULL << CAP_NET_ADMIN |
						 1ULL << CAP_SYS_TIME | 1ULL << CAP_SYS_PTRACE) &
						    ~(1ULL << CAP_CHOWN | 1ULL << CAP_MKNOD));
	char *all_v[] = {"ALL", NULL};
	char *chown_v[] = {"CHOWN", NULL};
	char *raw_v[] = {"net_raw", NULL};
	assert_int_equal(compute(all_v, chown_v, 0), all & ~(1ULL << CAP_CHOWN));
	assert_int_equal(compute(raw_v, all_v, 0), 1ULL << CAP_NET_RAW);
	assert_int_equal(compute(NULL, all_v, 0), 0);
	/* an add wins over a drop of the same capability, as in Docker */
	assert_int_equal(compute(chown_v, chown_v, 0), DEFAULT_CAPS);

	struct gk_err err;
	uint64_t m;
	char *bad[] = {"NET_ADMIN", "CAP_FOO", NULL};
	struct rt_security sec = {.cap_add = bad};
	assert_int_equal(rt_caps_compute(&sec, &m, &err), -1);
	assert_non_null(strstr(err.msg, "CAP_FOO"));
	assert_non_null(strstr(err.msg, "--cap-add"));
	char *bad2[] = {"cap_", NULL};
	struct rt_security sec2 = {.cap_drop = bad2};
	assert_int_equal(rt_caps_compute(&sec2, &m, &err), -1);
	assert_non_null(strstr(err.msg, "--cap-drop"));
}

static int child_caps_root(void)
{
	struct gk_err err;
	CHECK(rt_caps_apply(DEFAULT_CAPS, &err) == 0);
	CHECK(status_hex("CapEff") == DEFAULT_CAPS);
	CHECK(status_hex("CapPrm") == DEFAULT_CAPS);
	CHECK(status_hex("CapBnd") == DEFAULT_CAPS);
	CHECK(status_hex("CapInh") == 0);
	CHECK(status_hex("CapAmb") == 0);
	return 0;
}

/* Docker's non-root user: no effective or permitted caps, bounding kept. */
static int child_caps_user(void)
{
	struct gk_err err;
	CHECK(rt_caps_apply(DEFAULT_CAPS, &err) == 0);
	CHECK(setresgid(65534, 65534, 65534) == 0);
	CHECK(setresuid(65534, 65534, 65534) == 0);
	CHECK(status_hex("CapEff") == 0);
	CHECK(status_hex("CapPrm") == 0);
	CHECK(status_hex("CapBnd") == DEFAULT_CAPS);
	return 0;
}

static void test_caps_apply(void **state)
{
	(void)state;
	assert_int_equal(in_child(child_caps_root), 0);
	assert_int_equal(in_child(child_caps_user), 0);
}

static int load_default(uint64_t caps)
{
	struct gk_err err;
	if (rt_caps_apply(caps, &err) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    rt_seccomp_load_default(caps, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	return 0;
}

static int refused(long rc, int want)
{
	return rc == -1 && errno == want;
}

#ifdef __x86_64__
#include <sys/mman.h>
/* socketcall(SYS_SOCKET, {family, SOCK_STREAM, 0}) through the 32-bit x86
 * ABI (int 0x80), as a 32-bit program makes it: the arguments sit in memory
 * (below 4 GiB), where seccomp cannot read the family. */
static long socketcall_i386(unsigned family)
{
	unsigned *args = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (args == MAP_FAILED)
		return -9999;
	args[0] = family;
	args[1] = SOCK_STREAM;
	args[2] = 0;
	long ret;
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(102 /* i386 socketcall */), "b"(1 /* SYS_SOCKET */),
			   "c"((unsigned)(uintptr_t)args)
			 : "memory");
	munmap(args, 4096);
	return ret;
}

/* The direct 32-bit x86 socket() (since Linux 4.3). */
static long socket_i386(unsigned family)
{
	long ret;
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(359 /* i386 socket */), "b"(family), "c"(SOCK_STREAM), "d"(0)
			 : "memory");
	return ret;
}

/* Whether this kernel runs 32-bit x86 system calls at all. */
static int child_i386_probe(void)
{
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20 /* i386 getpid */) : "memory");
	return ret > 0 ? 0 : 1;
}

static int i386_ok;
#endif

static int child_seccomp_default(void)
{
	CHECK(load_default(DEFAULT_CAPS) == 0);
	CHECK(status_hex("Seccomp") == 2);
	CHECK(refused(mount("none", "/mnt", "tmpfs", 0, NULL), EPERM));
	CHECK(refused(umount2("/proc", MNT_DETACH), EPERM));
	CHECK(refused(unshare(CLONE_NEWNET), EPERM));
	CHECK(refused(setns(0, 0), EPERM));
	CHECK(refused(syscall(SYS_clone3, NULL, 0), ENOSYS));
	CHECK(refused(syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0), EPERM));
	CHECK(refused(syscall(SYS_keyctl, 0, 0, 0, 0, 0), EPERM));
	CHECK(refused(syscall(SYS_add_key, 0, 0, 0, 0, 0), EPERM));
	CHECK(refused(syscall(SYS_bpf, 0, 0, 0), EPERM));
	CHECK(refused(syscall(SYS_userfaultfd, 0), EPERM));
	CHECK(refused(syscall(SYS_io_uring_setup, 1, NULL), EPERM));
	CHECK(refused(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0), EPERM));
	CHECK(refused(syscall(SYS_kexec_load, 0, 0, NULL, 0), EPERM));
	CHECK(refused(syscall(SYS_init_module, NULL, 0, ""), EPERM));
	CHECK(refused(syscall(SYS_pivot_root, "/", "/"), EPERM));
	CHECK(refused(syscall(SYS_fsopen, "tmpfs", 0), EPERM));
	CHECK(refused(syscall(SYS_open_tree, -1, "/", 0), EPERM));
	CHECK(refused(syscall(SYS_sethostname, "x", 1), EPERM));
	CHECK(refused(syscall(SYS_clock_settime, 0, NULL), EPERM));
	CHECK(refused(syscall(SYS_reboot, 0, 0, 0, NULL), EPERM));
	CHECK(refused(syscall(SYS_swapoff, "/x"), EPERM));
	CHECK(refused(syscall(SYS_open_by_handle_at, -1, NULL, 0), EPERM));
	CHECK(refused(syscall(SYS_iopl, 3), EPERM));
	CHECK(refused(socket(38 /* AF_ALG */, SOCK_SEQPACKET, 0), EPERM));
	CHECK(refused(socket(40 /* AF_VSOCK */, SOCK_STREAM, 0), EPERM));
	CHECK(refused(personality(0x0400000 /* READ_IMPLIES_EXEC */), EPERM));
#ifdef __x86_64__
	/* 32-bit x86 has socket(2) only since 4.3 and its libcs still reach it
	 * through socketcall(2), whose arguments seccomp cannot see: its
	 * SYS_SOCKET must be refused or AF_VSOCK and AF_ALG get through. */
	if (i386_ok) {
		CHECK(socketcall_i386(40 /* AF_VSOCK */) == -EPERM);
		CHECK(socketcall_i386(38 /* AF_ALG */) == -EPERM);
		CHECK(socketcall_i386(AF_UNIX) == -EPERM);
		CHECK(socket_i386(40 /* AF_VSOCK */) == -EPERM);
	}
	/* x32 (in the filter only where the kernel runs it): ENOSYS either way,
	 * and the process lives on. */
	CHECK(refused(syscall(0x40000000 | SYS_getpid), ENOSYS));
#endif
	/* allowed */
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(fd >= 0);
	close(fd);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(fd >= 0);
	close(fd);
	CHECK(personality(0xffffffff) >= 0);
	CHECK(syscall(SYS_getpid) > 0);
	pid_t p = fork(); /* glibc's fork is clone without namespace flags */
	CHECK(p >= 0);
	if (p == 0)
		_exit(7);
	int st;
	CHECK(waitpid(p, &st, 0) == p && WEXITSTATUS(st) == 7);
	return 0;
}

static int child_seccomp_sys_admin(void)
{
	CHECK(load_default(DEFAULT_CAPS | 1ULL << CAP_SYS_ADMIN | 1ULL << CAP_SYS_TIME) == 0);
	/* allowed by the filter now: the kernel answers (EINVAL/EFAULT, not EPERM) */
	CHECK(refused(syscall(SYS_clone3, NULL, 0), EFAULT) ||
	      refused(syscall(SYS_clone3, NULL, 0), EINVAL));
	CHECK(refused(syscall(SYS_clock_settime, 0, NULL), EFAULT));
	CHECK(refused(syscall(SYS_keyctl, 0, 0, 0, 0, 0), EPERM)); /* never allowed */
	return 0;
}

static void test_seccomp(void **state)
{
	(void)state;
#ifdef __x86_64__
	i386_ok = in_child(child_i386_probe) == 0;
#endif
	assert_int_equal(in_child(child_seccomp_default), 0);
	assert_int_equal(in_child(child_seccomp_sys_admin), 0);
}

static long file_size_read(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	char buf[4096];
	long total = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	close(fd);
	return total;
}

static int child_masks(void)
{
	struct gk_err err;
	CHECK(unshare(CLONE_NEWNS) == 0);
	CHECK(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0);
	CHECK(file_size_read("/proc/interrupts") > 0);
	if (rt_mask_paths(&err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	CHECK(file_size_read("/proc/interrupts") == 0);
	CHECK(file_size_read("/proc/timer_list") == 0);
	if (access("/proc/keys", F_OK) == 0)
		CHECK(file_size_read("/proc/keys") == 0);
	CHECK(open("/proc/sys/kernel/hostname", O_WRONLY) == -1 && errno == EROFS);
	if (access("/proc/sysrq-trigger", F_OK) == 0)
		CHECK(open("/proc/sysrq-trigger", O_WRONLY) == -1 && errno == EROFS);
	if (access("/sys/firmware", F_OK) == 0)
		CHECK(mkdir("/sys/firmware/x", 0755) == -1 && errno == EROFS);
	/* /proc itself keeps working */
	CHECK(file_size_read("/proc/self/status") > 0);
	return 0;
}

static void test_mask_paths(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(in_child(child_masks), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_caps_compute),
	    cmocka_unit_test(test_caps_apply),
	    cmocka_unit_test(test_seccomp),
	    cmocka_unit_test(test_mask_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
