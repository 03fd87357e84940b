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
#include <time.h>
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

/* The 32-bit x86 clone(flags, 0, ...): a child made anyway exits at once. */
static long clone_i386(unsigned flags)
{
	long ret;
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(120 /* i386 clone */), "b"(flags), "c"(0), "d"(0), "S"(0), "D"(0)
			 : "memory");
	if (ret == 0)
		__asm__ volatile("int $0x80" : : "a"(1 /* i386 exit */), "b"(0));
	if (ret > 0)
		waitpid((pid_t)ret, NULL, 0);
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
		/* the 32-bit rules are built apart: namespaces stay refused */
		CHECK(clone_i386(CLONE_NEWUSER | SIGCHLD) == -EPERM);
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

/* Each system call the security floor refuses, with arguments that make the
 * kernel itself fail harmlessly with something other than EPERM (a bad fd,
 * pointer, flag or path) even for full root: an EPERM with the filter loaded
 * then can only be the filter's. Capability checks would hide that, so the
 * child keeps all its capabilities (the filter is built for the defaults). */
struct probe {
	const char *name;
	long (*call)(void);
	int want; /* the filter's answer */
};

#define NOPE "/nonexistent-gocker-test"
#define BAD  ((void *)1)

static long p_mount(void)
{
	return syscall(SYS_mount, "none", NOPE, "tmpfs", 0, NULL);
}
static long p_umount2(void)
{
	return syscall(SYS_umount2, NOPE, 0);
}
static long p_unshare(void)
{
	return syscall(SYS_unshare, CLONE_NEWNET | 1 /* unknown flag */);
}
static long p_setns(void)
{
	return syscall(SYS_setns, -1, 0);
}
static long p_clone_ns(void)
{
	return syscall(SYS_clone, CLONE_NEWNS | CLONE_FS | SIGCHLD, 0, 0, 0, 0);
}
static long p_clone3(void)
{
	return syscall(SYS_clone3, NULL, 0);
}
static long p_pivot_root(void)
{
	return syscall(SYS_pivot_root, NOPE, NOPE);
}
static long p_fsopen(void)
{
	return syscall(SYS_fsopen, NULL, 0);
}
static long p_fsconfig(void)
{
	return syscall(SYS_fsconfig, -1, 0, NULL, NULL, 0);
}
static long p_fsmount(void)
{
	return syscall(SYS_fsmount, -1, 0, 0);
}
static long p_fspick(void)
{
	return syscall(SYS_fspick, -1, NULL, 0);
}
static long p_move_mount(void)
{
	return syscall(SYS_move_mount, -1, "", -1, "", 0);
}
static long p_open_tree(void)
{
	return syscall(SYS_open_tree, -1, NULL, 0);
}
static long p_mount_setattr(void)
{
	return syscall(SYS_mount_setattr, -1, NULL, 0, NULL, 0);
}
static long p_bpf(void)
{
	return syscall(SYS_bpf, -1, NULL, 0);
}
static long p_perf_event_open(void)
{
	return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
}
static long p_fanotify_init(void)
{
	return syscall(SYS_fanotify_init, ~0U, 0);
}
static long p_quotactl(void)
{
	return syscall(SYS_quotactl, 0, NULL, 0, NULL);
}
static long p_syslog(void)
{
	return syscall(SYS_syslog, 0x7fff, NULL, 0);
}
static long p_sethostname(void)
{
	return syscall(SYS_sethostname, "x", -1);
}
static long p_setdomainname(void)
{
	return syscall(SYS_setdomainname, "x", -1);
}
static long p_kexec_load(void)
{
	return syscall(SYS_kexec_load, 0, 0, NULL, ~0UL);
}
static long p_kexec_file_load(void)
{
	return syscall(SYS_kexec_file_load, -1, -1, 0, NULL, ~0UL);
}
static long p_init_module(void)
{
	return syscall(SYS_init_module, NULL, 0, NULL);
}
static long p_finit_module(void)
{
	return syscall(SYS_finit_module, -1, "", 0);
}
static long p_delete_module(void)
{
	return syscall(SYS_delete_module, "gocker_no_such_module", O_NONBLOCK);
}
static long p_reboot(void)
{
	return syscall(SYS_reboot, 0, 0, 0, NULL);
}
static long p_acct(void)
{
	return syscall(SYS_acct, BAD);
}
static long p_iopl(void)
{
	return syscall(SYS_iopl, 4);
}
static long p_ioperm(void)
{
	return syscall(SYS_ioperm, ~0UL, 1, 1);
}
static long p_settimeofday(void)
{
	return syscall(SYS_settimeofday, BAD, NULL);
}
static long p_clock_settime(void)
{
	return syscall(SYS_clock_settime, CLOCK_REALTIME, NULL);
}
static long p_keyctl(void)
{
	return syscall(SYS_keyctl, 0x7fff, 0, 0, 0, 0);
}
static long p_add_key(void)
{
	return syscall(SYS_add_key, NULL, NULL, NULL, 0, 0);
}
static long p_request_key(void)
{
	return syscall(SYS_request_key, NULL, NULL, NULL, 0);
}
static long p_userfaultfd(void)
{
	return syscall(SYS_userfaultfd, ~0);
}
static long p_io_uring_setup(void)
{
	return syscall(SYS_io_uring_setup, 1, NULL);
}
static long p_io_uring_enter(void)
{
	return syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0);
}
static long p_io_uring_register(void)
{
	return syscall(SYS_io_uring_register, -1, 0, NULL, 0);
}
static long p_swapon(void)
{
	return syscall(SYS_swapon, NOPE, 0);
}
static long p_swapoff(void)
{
	return syscall(SYS_swapoff, NOPE);
}
static long p_open_by_handle_at(void)
{
	return syscall(SYS_open_by_handle_at, -1, NULL, 0);
}
static long p_af_vsock(void)
{
	return socket(40 /* AF_VSOCK */, SOCK_STREAM | SOCK_CLOEXEC, 0);
}
static long p_af_alg(void)
{
	return socket(38 /* AF_ALG */, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
}

static const struct probe floor_probes[] = {
#define P(n)                                                                                       \
	{                                                                                          \
#n, p_##n, EPERM                                                                   \
	}
    P(mount),
    P(umount2),
    P(unshare),
    P(setns),
    P(clone_ns),
    {"clone3", p_clone3, ENOSYS},
    P(pivot_root),
    P(fsopen),
    P(fsconfig),
    P(fsmount),
    P(fspick),
    P(move_mount),
    P(open_tree),
    P(mount_setattr),
    P(bpf),
    P(perf_event_open),
    P(fanotify_init),
    P(quotactl),
    P(syslog),
    P(sethostname),
    P(setdomainname),
    P(kexec_load),
    P(kexec_file_load),
    P(init_module),
    P(finit_module),
    P(delete_module),
    P(reboot),
    P(acct),
    P(iopl),
    P(ioperm),
    P(settimeofday),
    P(clock_settime),
    P(keyctl),
    P(add_key),
    P(request_key),
    P(userfaultfd),
    P(io_uring_setup),
    P(io_uring_enter),
    P(io_uring_register),
    P(swapon),
    P(swapoff),
    P(open_by_handle_at),
    P(af_vsock),
    P(af_alg),
#undef P
};
#define N_PROBES (sizeof(floor_probes) / sizeof(floor_probes[0]))

/* errno of each probe, or 0 when it succeeded. */
static void run_probes(int *errs)
{
	for (size_t i = 0; i < N_PROBES; i++) {
		errno = 0;
		long rc = floor_probes[i].call();
		errs[i] = rc < 0 ? errno : 0;
	}
}

static int child_seccomp_floor(void)
{
	int before[N_PROBES], after[N_PROBES];
	run_probes(before);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return 1;
	struct gk_err err;
	if (rt_seccomp_load_default(DEFAULT_CAPS, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	run_probes(after);
	int bad = 0;
	for (size_t i = 0; i < N_PROBES; i++) {
		const struct probe *p = &floor_probes[i];
		if (before[i] == p->want) {
			/* this host refuses it by itself (a sysctl): cannot tell */
			fprintf(stderr, "seccomp floor: %s: %s without the filter, not checked\n",
				p->name, strerror(before[i]));
			continue;
		}
		if (after[i] != p->want) {
			fprintf(stderr, "seccomp floor: %s: %s with the filter, want %s\n", p->name,
				after[i] ? strerror(after[i]) : "allowed", strerror(p->want));
			bad = 1;
		}
	}
	return bad ? 3 : 0;
}

static void test_seccomp_floor(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(in_child(child_seccomp_floor), 0);
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
	    cmocka_unit_test(test_caps_compute), cmocka_unit_test(test_caps_apply),
	    cmocka_unit_test(test_seccomp),	 cmocka_unit_test(test_seccomp_floor),
	    cmocka_unit_test(test_mask_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
